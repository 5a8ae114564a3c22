#include "vigil/ui/table_text.hpp"

#include <algorithm>

#include "vigil/core/text.hpp"

namespace vigil {

void append_padded(std::string& line, std::string_view text, std::size_t width, Align align,
                   bool last) {
    const std::size_t w = display_width(text);
    const std::size_t fill = width > w ? width - w : 0;
    if (align == Align::right) line.append(fill, ' ');
    line.append(text);
    if (align == Align::left && !last) line.append(fill, ' ');
}

std::vector<std::size_t> min_widths(std::span<const ColumnSpec> columns) {
    std::vector<std::size_t> w(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c)
        w[c] = static_cast<std::size_t>(std::max(columns[c].width, 0));
    return w;
}

std::vector<std::size_t> column_widths(const Table& t, ByteUnits units) {
    std::vector<std::size_t> w = min_widths(t.columns);
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const ColumnSpec& spec = t.columns[c];
        if (spec.policy != WidthPolicy::fit) continue;
        if (c + 1 == t.columns.size() && spec.width == 0) continue;  // the rest of the line
        w[c] = std::max(w[c], display_width(spec.title));
        for (const std::vector<Cell>& row : t.rows)
            if (c < row.size())
                w[c] = std::max(w[c], display_width(format_cell(spec, row[c], units)));
    }
    return w;
}

void append_row(std::string& line, const Table& t, std::size_t row,
                std::span<const std::size_t> widths, ByteUnits units) {
    const std::vector<Cell>& cells = t.rows[row];
    const std::size_t n = t.columns.size();
    for (std::size_t c = 0; c < n; ++c) {
        if (c) line += ' ';
        static const Cell kEmpty;
        const Cell& cell = c < cells.size() ? cells[c] : kEmpty;
        append_padded(line, format_cell(t.columns[c], cell, units), widths[c], t.columns[c].align,
                      c + 1 == n);
    }
}

void append_header(std::string& line, std::span<const ColumnSpec> columns,
                   std::span<const std::size_t> widths) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c) line += ' ';
        append_padded(line, columns[c].title, widths[c], columns[c].align, c + 1 == columns.size());
    }
}

}  // namespace vigil
