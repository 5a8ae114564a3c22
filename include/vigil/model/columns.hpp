// The column registry: each column is defined once, and every front end (batch text,
// CSV, JSON, curses) renders it through the same formatter.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/model/view_state.hpp"

namespace vigil {

// A typed cell: numbers stay numbers so sorting never parses text.
struct Cell {
    std::optional<double> num;  // numeric columns; nullopt means unknown, shown as "?"
    std::string text;           // text columns (already escaped for the terminal)
};

enum class Align : std::uint8_t { left, right };

struct ColumnDef {
    ColumnId id;
    std::string_view title;          // thread mode
    std::string_view process_title;  // process mode (-P)
    int width;                       // minimum width in text output; 0 = rest of the line
    Align align;
    bool numeric;
    bool descending;  // default sort direction: biggest first
    std::string_view help;
    // CSV/JSON field names, spelling the unit of the cell's number (task cells already hold
    // base units: bytes, bytes per second, percent). Empty: the same as field.
    std::string_view field = {};              // thread mode
    std::string_view process_field = {};      // with -P
    std::string_view accumulated_field = {};  // with -a (amounts instead of rates)
};

const std::array<ColumnDef, kColumnCount>& columns();
const ColumnDef& column(ColumnId id);
// Looks a column up by its name as given to --sort (case-insensitive title, spaces or
// dashes as underscores: "disk_write", "io", "tid"...).
std::optional<ColumnId> column_by_name(std::string_view name);
std::string_view column_title(const ColumnDef& c, const ViewState& vs);
// The CSV/JSON name of a column under the view's -P and -a.
std::string_view column_field(const ColumnDef& c, const ViewState& vs);
std::string format_cell(ColumnId id, const Cell& cell, const ViewState& vs);

}  // namespace vigil
