// SectionTable: the generic table of the machine overview (CPUs, disks, interfaces, file
// systems, sensors, ...). Like the task table it holds typed cells (numbers stay numbers for
// sorting) and every front end renders a column through the one formatter its ColumnSpec
// names, so batch text and the curses view read the same.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/sample/sections.hpp"

namespace vigil {

// How a cell is turned into text. A numeric cell without a number prints its text when it
// has one ("-": does not apply, e.g. SHARED of swap) and "?" otherwise (unknown).
enum class CellFormat : std::uint8_t {
    text,        // the cell's text (sorted by num when the cell has one: "all" < "0" < "10")
    integer,     // 1234
    fixed2,      // 12.34 (the sysstat tools' two decimals)
    percent_up,  // 17% (df: rounded up, so a nearly full disk never reads as having room)
    percent,     // 76.00 %
    bytes,       // 12.34 G or, with -k, 12345.00 K (ViewState::units)
    celsius,     // 45.0°C
    rpm,         // 1200 RPM
    watts,       // 12.34 W
    duration,    // 1:05 (hours:minutes), or 3d 04:05 for uptime-like spans
};

struct ColumnSpec {
    std::string_view key;    // stable name for sorting options and CSV/JSON ("r_per_s")
    std::string_view title;  // header text, as the classic tool prints it ("r/s")
    int width;               // minimum width in text output; 0 = rest of the line
    Align align;
    CellFormat format;
    bool descending;  // default sort direction: biggest first
    std::string_view help;
    // CSV/JSON: the field name, spelling its unit ("read_bytes_per_s"), and the factor from
    // the cell's number to that base unit (1024 for the KiB columns iostat and sar print).
    std::string_view field;
    double to_base = 1;
};

// A labelled value shown above a table ("load1 0.14", "swap-in/s 0.00").
struct SummaryItem {
    std::string_view label;
    Cell value;
    CellFormat format;
    std::string_view field = {};  // CSV/JSON name, from the table's summary_fields()
};

// A summary value's names, for the registries of summary_fields().
struct SummarySpec {
    std::string_view field;  // CSV/JSON name ("load1", "ctxt_per_s")
    std::string_view label;  // as the text title shows it ("ctxt/s")
    CellFormat format;
};

// Which registry a table's columns come from (the sensors section has three tables).
enum class TableKind : std::uint8_t { cpu, mem, psi, disks, fs, net, temps, fans, batteries };

struct SectionTable {
    Section section = Section::cpu;
    TableKind kind = TableKind::cpu;
    std::string_view title;               // "CPU", "Disks", "Temperatures", ...
    std::span<const ColumnSpec> columns;  // a static registry; never owned
    std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
    std::vector<SummaryItem> summary;
    std::vector<std::string> notes;  // one line each: what is missing and why
};

// The column registry of a table kind.
std::span<const ColumnSpec> table_columns(TableKind kind);
// The summary values a table kind may carry, in title order (empty for most kinds). CSV
// and JSON give every one of them, null when a sample lacks it.
std::span<const SummarySpec> summary_fields(TableKind kind);
// The name of a table kind in CSV and JSON ("cpu", "disks", "temps", ...).
std::string_view table_name(TableKind kind);
// Index of a column by key or title (case-insensitive, '-' or ' ' as '_'); nullopt if none.
std::optional<std::size_t> find_column(std::span<const ColumnSpec> cols, std::string_view name);

std::string format_section_cell(CellFormat f, const Cell& c, ByteUnits units);

// Sorts rows by one column; unknown values last in either direction, ties keep their order.
void sort_rows(SectionTable& t, std::size_t column, bool reverse = false);

}  // namespace vigil
