// Tables as lines of text, for batch text output and the curses view alike: the one padder,
// and rows and headers as columns joined by single spaces.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/model/table.hpp"

namespace vigil {

// Appends text padded with spaces to width columns of the screen (display width, so wide
// characters count twice): right-aligned text after the spaces, left-aligned text before
// them, and a left-aligned last column without them.
void append_padded(std::string& line, std::string_view text, std::size_t width, Align align,
                   bool last);

// The width of each column: its minimum width, and for WidthPolicy::fit columns at least
// its title's and its widest cell's. 0 for a last column that takes the rest of the line.
std::vector<std::size_t> column_widths(const Table& t, ByteUnits units);
// The minimum widths alone (a table written a few rows at a time, the view's panes).
std::vector<std::size_t> min_widths(std::span<const ColumnSpec> columns);

// One row, or the column titles, joined by single spaces.
void append_row(std::string& line, const Table& t, std::size_t row,
                std::span<const std::size_t> widths, ByteUnits units);
void append_header(std::string& line, std::span<const ColumnSpec> columns,
                   std::span<const std::size_t> widths);

}  // namespace vigil
