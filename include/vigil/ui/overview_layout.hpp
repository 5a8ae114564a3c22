// The machine overview in the interactive view: summary lines (CPU and memory bars, load,
// swap, pressure, processes by state, optional per-core bars) and device panes (disks, file
// systems, network, sensors) laid out as styled lines, with values past a threshold marked.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/table.hpp"
#include "vigil/sample/machine.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

namespace vigil {

class LineBuilder;

struct OverviewInput {
    const MachineSample* machine = nullptr;  // null: no overview
    const MachineRates* rates = nullptr;
    bool per_core = false;
    const Snapshot* sample = nullptr;  // its tasks make the Tasks line; null: no such line
};

// Lines the summary takes at this width (for the row budget).
std::size_t overview_summary_lines(const OverviewInput& in, int width);
// At most max_lines lines: a short screen loses the last ones (plan_screen).
void append_overview_summary(LineBuilder& b, const OverviewInput& in,
                             std::size_t max_lines = static_cast<std::size_t>(-1));

// Where a pane's first table starts showing rows, and its selected row (the cgroup pane's).
struct PaneCursor {
    std::size_t scroll = 0;
    std::optional<std::size_t> selected;
};

// Which of t's columns a line of width cells shows: all when they fit; else those with the
// highest ColumnSpec::drop_rank go first (of one rank, the rightmost), never the sorted one
// (sorted: its index) nor one of rank 0. What is left is cut at the edge, as before.
std::vector<bool> pane_columns_shown(const Table& t, std::size_t width,
                                     std::optional<std::size_t> sorted);

// A pane's tables (title, notes, column titles with the sort marker, rows) in at most
// max_lines lines, without the columns pane_columns_shown leaves out at the builder's
// width (the title line names them). Threshold styles: %util > 80, USE% > 90, a temperature at or
// over its high mark (over its critical mark: alert). The first table's rows start at
// cursor.scroll.
void append_pane_tables(LineBuilder& b, const std::vector<Table>& tables, const TableSort& sort,
                        ByteUnits units, std::size_t max_lines, bool utf8 = true,
                        const PaneCursor& cursor = {});
// The rows of a pane's first table that fit in max_lines (the cgroup pane's page).
std::size_t pane_first_table_rows(const std::vector<Table>& tables, std::size_t max_lines);
// Lines the pane would like (all rows).
std::size_t pane_lines_wanted(const std::vector<Table>& tables);

// "[|||||     ]" of the given inner width for a percentage (clamped to 0..100).
std::string percent_bar(double pct, int inner_width);

}  // namespace vigil
