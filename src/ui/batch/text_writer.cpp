#include "vigil/ui/batch/text_writer.hpp"

#include "vigil/core/format.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/ui/table_text.hpp"

namespace vigil {

std::string format_task_header(const Table& t) {
    std::string line;
    append_header(line, t.columns, min_widths(t.columns));
    return line;
}

std::string format_task_row(const Table& t, std::size_t row, const ViewState& vs) {
    std::string line;
    append_row(line, t, row, min_widths(t.columns), vs.units);
    return line;
}

void TextWriter::write(const Table& t, const ViewState& vs, std::int64_t wall_ns,
                       std::string& out) {
    write_head(t, vs, wall_ns, out);
    write_rows(t, vs, out);
}

void TextWriter::write_head(const Table& t, const ViewState& vs, std::int64_t wall_ns,
                            std::string& out) {
    stamp_ = opts_.timestamps ? format_clock(wall_ns) + " " : std::string();
    if (opts_.quiet < 3) {
        for (const std::string& line : task_summary_lines(t, vs.units)) {
            out += stamp_;
            out += line;
            out += '\n';
        }
    }
    lines_.begin(t.columns, min_widths(t.columns), vs.units);
    const bool header = opts_.quiet == 0 || (opts_.quiet == 1 && !header_written_);
    if (header) {
        if (opts_.timestamps) out += "    TIME ";
        out += format_task_header(t);
        out += '\n';
        header_written_ = true;
    }
}

void TextWriter::write_rows(const Table& t, const ViewState&, std::string& out) {
    // Fixed widths: the rows of one sample come in parts, and must line up all the same.
    // A row's cells that did not change since the last sample are copied from its line.
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        out += stamp_;
        lines_.append(out, t, r);
        out += '\n';
    }
}

}  // namespace vigil
