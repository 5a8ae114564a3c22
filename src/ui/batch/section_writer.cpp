#include "vigil/ui/batch/section_writer.hpp"

#include "vigil/core/text.hpp"

namespace vigil {
namespace {

void pad(std::string& line, std::string_view text, std::size_t width, Align align, bool last) {
    std::size_t w = display_width(text);
    std::size_t fill = width > w ? width - w : 0;
    if (align == Align::right) line.append(fill, ' ');
    line.append(text);
    if (align == Align::left && !last) line.append(fill, ' ');
}

}  // namespace

std::string format_section_title(const SectionTable& t, ByteUnits units) {
    std::string line(t.title);
    bool first = true;
    for (const SummaryItem& s : t.summary) {
        line += first ? ": " : ", ";
        first = false;
        line += s.label;
        line += ' ';
        line += format_section_cell(s.format, s.value, units);
    }
    return line;
}

void SectionWriter::write(const SectionTable& t, std::int64_t wall_ns, ByteUnits units,
                          std::string& out) {
    const std::string stamp = opts_.timestamps ? format_clock(wall_ns) + " " : std::string();
    auto line = [&](std::string_view s) {
        out += stamp;
        out += s;
        out += '\n';
    };
    const std::size_t ncols = t.columns.size();
    // Cells are formatted once; widths grow to the widest cell so columns stay aligned.
    std::vector<std::vector<std::string>> cells(t.rows.size());
    std::vector<std::size_t> width(ncols);
    for (std::size_t c = 0; c < ncols; ++c)
        width[c] = std::max<std::size_t>(static_cast<std::size_t>(std::max(t.columns[c].width, 0)),
                                         display_width(t.columns[c].title));
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        cells[r].resize(ncols);
        for (std::size_t c = 0; c < ncols && c < t.rows[r].size(); ++c) {
            cells[r][c] = format_section_cell(t.columns[c].format, t.rows[r][c], units);
            width[c] = std::max(width[c], display_width(cells[r][c]));
        }
    }
    auto join = [&](auto&& text_of) {
        std::string s;
        for (std::size_t c = 0; c < ncols; ++c) {
            if (c) s += ' ';
            const bool last = c + 1 == ncols;
            pad(s, text_of(c), last && t.columns[c].width == 0 ? 0 : width[c], t.columns[c].align,
                last);
        }
        return s;
    };

    if (opts_.quiet < 3) {
        line(format_section_title(t, units));
        for (const std::string& n : t.notes) line(std::string(t.title) + " note: " + n);
    }
    const std::uint32_t bit = 1u << static_cast<unsigned>(t.kind);
    const bool header = opts_.quiet == 0 || (opts_.quiet == 1 && !(headers_written_ & bit));
    if (header && ncols > 0 && !t.rows.empty()) {
        if (opts_.timestamps) out += "    TIME ";
        out += join([&](std::size_t c) { return std::string_view(t.columns[c].title); });
        out += '\n';
        headers_written_ |= bit;
    }
    for (const auto& row : cells)
        line(join([&](std::size_t c) { return std::string_view(row[c]); }));
}

}  // namespace vigil
