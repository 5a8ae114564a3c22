#include "vigil/ui/batch/text_writer.hpp"

#include <fmt/format.h>

#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"

namespace vigil {
namespace {

void pad_cell(std::string& line, std::string_view text, const ColumnDef& c) {
    std::size_t w = display_width(text);
    std::size_t want = c.width > 0 ? static_cast<std::size_t>(c.width) : 0;
    std::size_t pad = want > w ? want - w : 0;
    if (c.align == Align::right) line.append(pad, ' ');
    line.append(text);
    if (c.align == Align::left && c.width > 0) line.append(pad, ' ');
}

template <typename CellText>
std::string join_columns(CellText&& text_of) {
    std::string line;
    bool first = true;
    for (const ColumnDef& c : columns()) {
        if (!first) line += ' ';
        first = false;
        pad_cell(line, text_of(c), c);
    }
    return line;
}

}  // namespace

std::string format_text_header(const ViewState& vs) {
    return join_columns([&](const ColumnDef& c) { return std::string(column_title(c, vs)); });
}

std::string format_text_row(const Row& row, const ViewState& vs) {
    return join_columns([&](const ColumnDef& c) { return format_cell(c.id, row.cell(c.id), vs); });
}

void TextWriter::write(const TableModel& m, const ViewState& vs, std::string& out) {
    const std::string stamp = opts_.timestamps ? format_clock(m.wall_ns) + " " : std::string();
    auto line = [&](std::string_view s) {
        out += stamp;
        out += s;
        out += '\n';
    };
    if (opts_.quiet < 3) {
        ByteUnits u = vs.units;
        line(fmt::format("Total DISK READ: {:>12} | Total DISK WRITE: {:>12}",
                         format_byte_rate(m.total_read_bytes_per_s, u),
                         format_byte_rate(m.total_write_bytes_per_s, u)));
        line(fmt::format("Current DISK READ: {:>10} | Current DISK WRITE: {:>10}",
                         format_byte_rate(m.current_read_bytes_per_s, u),
                         format_byte_rate(m.current_write_bytes_per_s, u)));
    }
    bool header = opts_.quiet == 0 || (opts_.quiet == 1 && !header_written_);
    if (header) {
        if (opts_.timestamps) out += "    TIME ";
        out += format_text_header(vs);
        out += '\n';
        header_written_ = true;
    }
    for (const Row& r : m.rows) line(format_text_row(r, vs));
}

}  // namespace vigil
