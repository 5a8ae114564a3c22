// The task table's columns, as ColumnSpecs like every other table's. The registry has four
// variants (threads or processes, rates or amounts since the start with -a) made from one
// definition; ColumnId is a column's index in each of them.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

// The registry for the view's -P and -a.
std::span<const ColumnSpec> task_columns(bool processes, bool accumulated);
inline std::span<const ColumnSpec> task_columns(const ViewState& vs) {
    return task_columns(vs.processes, vs.accumulated);
}
// A column of the thread registry (what does not change with -P and -a: sort direction,
// whether it is numeric).
const ColumnSpec& task_column(ColumnId id);
inline constexpr std::size_t column_index(ColumnId id) {
    return static_cast<std::size_t>(id);
}
inline bool is_numeric(ColumnId id) {
    return task_column(id).format != CellFormat::text;
}
// The cell of a task row.
inline const Cell& task_cell(const std::vector<Cell>& row, ColumnId id) {
    return row[column_index(id)];
}

// Looks a column up by its name as given to --sort (case-insensitive title or key, spaces
// or dashes as underscores: "disk_write", "io", "tid", "pid", "read", "write"...).
std::optional<ColumnId> column_by_name(std::string_view name);

// The task table's summary: what all tasks did (Total) and what reached the block layer
// (Current, from /proc/vmstat), read and written per second.
std::span<const SummarySpec> task_summary_fields();
// The two summary lines of iotop's layout, from the summary of a task table.
std::array<std::string, 2> task_summary_lines(const Table& t, ByteUnits units);

}  // namespace vigil
