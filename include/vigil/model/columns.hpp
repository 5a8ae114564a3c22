// The task table's columns, as ColumnSpecs like every other table's. The registry has four
// variants (threads or processes, rates or amounts since the start with -a) made from one
// definition; ColumnId is a column's index in each of them.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/result.hpp"
#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

// The whole registry for the view's -P and -a, indexed by ColumnId.
std::span<const ColumnSpec> task_columns(bool processes, bool accumulated);

// The columns a view shows, in order: vs.columns, or iotop's eight when none are chosen.
std::span<const ColumnId> shown_columns(const ViewState& vs);
// Their specs (for -P and -a), for a task Table's column_store.
std::shared_ptr<const std::vector<ColumnSpec>> chosen_columns(const ViewState& vs);

// The ready sets: io (iotop's eight, the default) and top (top's columns with the disk
// rates).
enum class ColumnSet : std::uint8_t { io, top };
std::span<const ColumnId> column_set(ColumnSet set);
// --columns: ids, titles or aliases separated by commas ("pid,user,cpu,rss,command"), or
// one of "io", "top", "all". A one-line error names an unknown or repeated column.
Result<std::vector<ColumnId>> parse_column_list(std::string_view list);
// A column of the thread registry (what does not change with -P and -a: sort direction,
// whether it is numeric).
const ColumnSpec& task_column(ColumnId id);
inline constexpr std::size_t column_index(ColumnId id) {
    return static_cast<std::size_t>(id);
}
inline bool is_numeric(ColumnId id) {
    return task_column(id).format != CellFormat::text;
}
// The position of a column in a task table, if it is shown.
std::optional<std::size_t> column_position(const Table& t, ColumnId id);
// The cell of column id in row r of a task table; null when the column is not shown.
const Cell* task_cell(const Table& t, std::size_t r, ColumnId id);

// Looks a column up by its name as given to --sort (case-insensitive title or key, spaces
// or dashes as underscores: "disk_write", "io", "tid", "pid", "read", "write"...).
std::optional<ColumnId> column_by_name(std::string_view name);

// The task table's summary: what all tasks did (Total) and what reached the block layer
// (Current, from /proc/vmstat), read and written per second.
std::span<const SummarySpec> task_summary_fields();
// The two summary lines of iotop's layout, from the summary of a task table.
std::array<std::string, 2> task_summary_lines(const Table& t, ByteUnits units);

}  // namespace vigil
