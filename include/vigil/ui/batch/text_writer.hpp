// Plain-text batch output, iotop-compatible: two summary lines, a column header and one
// line per row for every sample.
#pragma once

#include <cstdint>
#include <string>

#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/ui/row_lines.hpp"

namespace vigil {

struct TextOptions {
    bool timestamps = false;  // -t: every line starts with HH:MM:SS
    int quiet = 0;            // -q: 1 header once, 2 no header, 3 no summary either
};

class TextWriter {
  public:
    explicit TextWriter(TextOptions opts) : opts_(opts) {}
    // Appends one sample's lines of a task table to out; wall_ns: the sample's time (-t).
    void write(const Table& tasks, const ViewState& vs, std::int64_t wall_ns, std::string& out);
    // The same in parts: the summary and header lines, then the rows, a few at a time (a
    // batch run at 10 000 threads need not hold every row or line at once).
    void write_head(const Table& tasks, const ViewState& vs, std::int64_t wall_ns,
                    std::string& out);
    // The rows of write_head's sample (its columns and units).
    void write_rows(const Table& tasks, const ViewState& vs, std::string& out);

  private:
    TextOptions opts_;
    bool header_written_ = false;
    std::string stamp_;  // the -t time of the sample being written, and a space
    RowLines lines_;     // the last sample's lines, by task
};

// One task row as it appears in text output and the view (also used by the golden tests).
std::string format_task_row(const Table& tasks, std::size_t row, const ViewState& vs);
std::string format_task_header(const Table& tasks);

}  // namespace vigil
