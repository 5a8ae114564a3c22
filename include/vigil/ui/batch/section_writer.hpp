// Plain-text batch output of the machine overview: per table a title line with its summary
// values, its notes, the column names and one line per row.
#pragma once

#include <cstdint>
#include <string>

#include "vigil/model/table.hpp"
#include "vigil/ui/batch/text_writer.hpp"

namespace vigil {

class SectionWriter {
  public:
    // Honours -t (time stamps) and -q the way the task table does: -q column names once per
    // table, -qq never, -qqq neither column names nor title, summary and note lines.
    explicit SectionWriter(TextOptions opts) : opts_(opts) {}
    void write(const Table& t, std::int64_t wall_ns, ByteUnits units, std::string& out);

  private:
    TextOptions opts_;
    std::uint32_t headers_written_ = 0;  // one bit per TableKind
};

}  // namespace vigil
