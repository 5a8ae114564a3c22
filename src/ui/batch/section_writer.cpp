#include "vigil/ui/batch/section_writer.hpp"

#include "vigil/ui/table_text.hpp"

namespace vigil {

void SectionWriter::write(const Table& t, std::int64_t wall_ns, ByteUnits units, std::string& out) {
    const std::string stamp = opts_.timestamps ? format_clock(wall_ns) + " " : std::string();
    if (opts_.quiet < 3) {
        out += stamp;
        out += table_title_line(t, units);
        out += '\n';
        for (const std::string& n : t.notes) {
            out += stamp;
            out += t.title;
            out += " note: ";
            out += n;
            out += '\n';
        }
    }
    // Whole tables: widths grow to the widest cell so the columns stay aligned.
    const std::vector<std::size_t> widths = column_widths(t, units);
    const std::uint32_t bit = 1u << static_cast<unsigned>(t.kind);
    const bool header = opts_.quiet == 0 || (opts_.quiet == 1 && !(headers_written_ & bit));
    if (header && !t.columns.empty() && !t.rows.empty()) {
        if (opts_.timestamps) out += "    TIME ";
        append_header(out, t.columns, widths);
        out += '\n';
        headers_written_ |= bit;
    }
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        out += stamp;
        append_row(out, t, r, widths, units);
        out += '\n';
    }
}

}  // namespace vigil
