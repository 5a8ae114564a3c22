// Table: the one table of every front end, for tasks and devices alike (CPUs, disks,
// interfaces, file systems, sensors). Cells are typed (numbers stay numbers for sorting),
// and each column is described once by a ColumnSpec: title, width policy, alignment,
// default sort, the formatter of its cells, its CSV/JSON field name and unit, and when a
// value stands out. Batch text, CSV, JSON and the curses view all read a column through its
// spec, so they cannot disagree on a title, a unit or a threshold.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/sample/sections.hpp"

namespace vigil {

// A typed cell: numbers stay numbers so sorting never parses text.
struct Cell {
    std::optional<double> num;  // numeric columns; nullopt means unknown, shown as "?"
    std::string text;           // text columns (already escaped for the output they go to)
};

enum class Align : std::uint8_t { left, right };

// How a cell is turned into text (format_cell). A numeric cell without a number prints its
// text when it has one ("-": does not apply, e.g. SHARED of swap) and "?" otherwise.
enum class CellFormat : std::uint8_t {
    text,        // the cell's text (sorted by num when the cell has one: "all" < "0" < "10")
    integer,     // 1234
    fixed2,      // 12.34 (the sysstat tools' two decimals)
    percent_up,  // 17% (df: rounded up, so a nearly full disk never reads as having room)
    percent,     // 76.00 %
    bytes,       // 12.34 G or, with -k, 12345.00 K (ByteUnits)
    byte_rate,   // 12.34 K/s, as iotop prints rates
    celsius,     // 45.0°C
    rpm,         // 1200 RPM
    watts,       // 12.34 W
    duration,    // 1:05 (hours:minutes), or 3d 04:05 for uptime-like spans
    percent1,    // 12.3 (top's CPU%: one decimal, no sign)
    cpu_time,    // 12:34.56 (top's TIME+: minutes, seconds, hundredths)
    date_time,   // 05-01 03:00 (local month-day hours:minutes; the number is Unix seconds)
    priority,    // 20, -51, or rt below -99 (top's PR: the real-time top and deadline tasks)
};

// How wide a column is in text output.
enum class WidthPolicy : std::uint8_t {
    fixed,  // its minimum width: a table printed a few rows at a time cannot be measured
    fit,    // its minimum width, grown to the title and the widest cell of the table
};

// When a value stands out (the view's warn and alert styles).
struct Alert {
    double above = std::numeric_limits<double>::infinity();  // alert above this (%util > 80)
    std::string_view warn_column;   // warn when the value reaches this column of its row
    std::string_view alert_column;  // alert when it reaches this one (a temperature's crit)
};

struct ColumnSpec {
    std::string_view key;    // stable name for --sort and lookups ("disk_write", "r_s")
    std::string_view title;  // header text, as the classic tool prints it ("DISK WRITE", "r/s")
    int width;               // minimum width in text output; 0 = the rest of the line
    Align align;
    CellFormat format;
    bool descending;  // default sort direction: biggest first
    std::string_view help;
    // CSV/JSON: the field name, spelling its unit ("read_bytes_per_s"), and the factor from
    // the cell's number to that base unit (1024 for the KiB columns iostat and sar print).
    std::string_view field;
    double to_base = 1;
    WidthPolicy policy = WidthPolicy::fit;
    Alert alert = {};
    std::uint8_t id = 0;  // task columns: their ColumnId (device tables: unused)
    // The view's panes on a terminal too narrow for every column: the columns with the
    // highest rank are left out first (0: never; the sorted column never).
    std::uint8_t drop_rank = 0;
};

// spec with the drop rank rank (for the registries' initialisers).
constexpr ColumnSpec dropped_at(std::uint8_t rank, ColumnSpec spec) {
    spec.drop_rank = rank;
    return spec;
}

// A labelled value shown above a table ("load1 0.14", "Total DISK READ 1.00 M/s").
struct SummaryItem {
    std::string_view label;
    Cell value;
    CellFormat format;
    std::string_view field = {};  // CSV/JSON name, from the table's summary_fields()
};

// A summary value's names, for the registries of summary_fields().
struct SummarySpec {
    std::string_view field;  // CSV/JSON name ("load1", "ctxt_per_s")
    std::string_view label;  // as the text output shows it ("ctxt/s")
    CellFormat format;
};

// Which registry a table's columns come from (the sensors section has three tables).
enum class TableKind : std::uint8_t {
    tasks,
    cpu,
    mem,
    psi,
    disks,
    fs,
    net,
    temps,
    fans,
    batteries,
    cgroups,
    task_states  // the Tasks header: a summary only, no columns (shown with the cpu section)
};

// Which task a row of a task table shows.
struct RowRef {
    pid_t id = 0;                   // tid, or pid with -P
    pid_t pid = 0;                  // the process (tgid) the row belongs to
    std::size_t task = 0;           // index in the snapshot (the thread, or the process leader)
    pid_t ppid = 0;                 // its parent process (the PPID column's value)
    std::uint64_t start_ticks = 0;  // with id, the task's identity (a tree node's)
    std::optional<std::uint32_t> depth;  // the tree (--tree): its level, 0 for a root
    std::uint32_t glyph_bytes = 0;       // the tree's glyphs before its COMMAND text
};

struct Table {
    TableKind kind = TableKind::cpu;
    Section section = Section::cpu;
    std::string_view title;  // "CPU", "Disks", "Temperatures"; "" for tasks
    // A static registry, or (a task table with chosen columns) the specs in column_store.
    std::span<const ColumnSpec> columns;
    std::shared_ptr<const std::vector<ColumnSpec>> column_store;
    std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
    std::vector<RowRef> refs;             // task tables: the task of each row
    std::size_t matched_rows = 0;         // task tables: rows before the row limit
    std::vector<SummaryItem> summary;
    std::vector<std::string> notes;  // one line each: what is missing and why
};

// The column registry of a device table kind (tasks: task_columns()).
std::span<const ColumnSpec> table_columns(TableKind kind);
// The summary values a table kind may carry, in title order (empty for most kinds). CSV
// and JSON give every one of them, null when a sample lacks it.
std::span<const SummarySpec> summary_fields(TableKind kind);
// The name of a table kind in CSV and JSON ("tasks", "cpu", "disks", "temps", ...).
std::string_view table_name(TableKind kind);
// Index of a column by key or title (case-insensitive, '-' or ' ' as '_'); nullopt if none.
std::optional<std::size_t> find_column(std::span<const ColumnSpec> cols, std::string_view name);

// The one formatter: a cell as text, by its format.
std::string format_cell(CellFormat f, const Cell& c, ByteUnits units);
inline std::string format_cell(const ColumnSpec& spec, const Cell& c, ByteUnits units) {
    return format_cell(spec.format, c, units);
}

// "CPU: load1 0.14, load5 0.47, ..." (the title alone when there is no summary).
std::string table_title_line(const Table& t, ByteUnits units);

// Whether a cell stands out, by its column's Alert.
enum class Standout : std::uint8_t { none, warn, alert };
Standout cell_standout(const Table& t, std::size_t row, std::size_t column);

// Sorts rows by one column; unknown values last in either direction, ties keep their order.
void sort_rows(Table& t, std::size_t column, bool reverse = false);

}  // namespace vigil
