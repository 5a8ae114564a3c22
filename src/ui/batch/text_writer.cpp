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
void append_columns(std::string& line, CellText&& text_of) {
    bool first = true;
    for (const ColumnDef& c : columns()) {
        if (!first) line += ' ';
        first = false;
        pad_cell(line, text_of(c), c);
    }
}

template <typename CellText>
std::string join_columns(CellText&& text_of) {
    std::string line;
    append_columns(line, text_of);
    return line;
}

void append_text_row(std::string& out, const Row& row, const ViewState& vs) {
    append_columns(out, [&](const ColumnDef& c) { return format_cell(c.id, row.cell(c.id), vs); });
}

}  // namespace

std::string format_text_header(const ViewState& vs) {
    return join_columns([&](const ColumnDef& c) { return std::string(column_title(c, vs)); });
}

std::string format_text_row(const Row& row, const ViewState& vs) {
    std::string line;
    append_text_row(line, row, vs);
    return line;
}

void TextWriter::write(const TaskTable& m, const ViewState& vs, std::string& out) {
    write_head(m, vs, out);
    write_rows(m, vs, out);
}

void TextWriter::write_head(const TaskTable& m, const ViewState& vs, std::string& out) {
    stamp_ = opts_.timestamps ? format_clock(m.wall_ns) + " " : std::string();
    auto line = [&](std::string_view s) {
        out += stamp_;
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
}

void TextWriter::write_rows(const TaskTable& m, const ViewState& vs, std::string& out) {
    for (const Row& r : m.rows) {
        out += stamp_;
        append_text_row(out, r, vs);
        out += '\n';
    }
}

}  // namespace vigil
