// The machine overview in the interactive view: summary lines (CPU and memory bars, load,
// swap, pressure, processes by state, optional per-core bars) and device panes (disks, file
// systems, network, sensors) laid out as styled lines, with values past a threshold marked.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
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
// units: the rates' width (auto-scaled rates take 10 cells).
std::vector<bool> pane_columns_shown(const Table& t, std::size_t width,
                                     std::optional<std::size_t> sorted,
                                     ByteUnits units = ByteUnits::human);

// What starts the focused table's title line (a pane's, or the task table's when panes are
// shown), in reverse video too: visible on a terminal without attributes.
inline constexpr std::string_view kFocusMark = "* ";

// A pane's tables (title, notes, column titles with the sort marker, rows) in at most
// max_lines lines, without the columns pane_columns_shown leaves out at the builder's
// width (the title line names them). Threshold styles: %util > 80, USE% > 90, a temperature at or
// over its high mark (over its critical mark: alert). The first table's rows start at
// cursor.scroll. The rates of iostat's and sar's KiB/s columns read in the task table's
// units: auto-scaled under a title naming bytes ("rbytes/s": 1.20 M/s), or with -k
// (ByteUnits::kib) raw KiB/s under iostat's title ("rkB/s": 1228.80). A focused pane's
// title starts with kFocusMark, in reverse video.
void append_pane_tables(LineBuilder& b, const std::vector<Table>& tables, const TableSort& sort,
                        ByteUnits units, std::size_t max_lines, bool utf8 = true,
                        const PaneCursor& cursor = {}, bool focused = false);
// The rows of a pane's first table that fit in max_lines (the cgroup pane's page).
std::size_t pane_first_table_rows(const std::vector<Table>& tables, std::size_t max_lines);
// Lines the pane would like (all rows).
std::size_t pane_lines_wanted(const std::vector<Table>& tables);

// "[|||||     ]" of the given inner width for a percentage (clamped to 0..100).
std::string percent_bar(double pct, int inner_width);

}  // namespace vigil
