// Plain-text batch output, iotop-compatible: two summary lines, a column header and one
// line per row for every sample.
#pragma once

#include <string>

#include "vigil/model/table_model.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

struct TextOptions {
    bool timestamps = false;  // -t: every line starts with HH:MM:SS
    int quiet = 0;            // -q: 1 header once, 2 no header, 3 no summary either
};

class TextWriter {
public:
    explicit TextWriter(TextOptions opts) : opts_(opts) {}
    // Appends one sample's lines to out.
    void write(const TableModel& model, const ViewState& vs, std::string& out);

private:
    TextOptions opts_;
    bool header_written_ = false;
};

// One row as it appears in text output (also used by the golden tests).
std::string format_text_row(const Row& row, const ViewState& vs);
std::string format_text_header(const ViewState& vs);

}  // namespace vigil
