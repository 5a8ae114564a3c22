// The interactive screen as text: lines of styled segments for a given terminal size,
// computed without a terminal so it can be tested. The curses layer only paints them.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vigil/model/table.hpp"
#include "vigil/ui/keymap.hpp"

namespace vigil {

enum class Style : std::uint8_t {
    normal,
    summary,  // the Total/Current lines
    status,   // counts, interval, sort, filter
    notice,   // privileges, delay accounting, action results
    column_header,
    sorted_header,  // the sort column's title
    row,
    selected_row,
    hot,     // a value worth the eye (a row doing I/O)
    hint,    // the key hint at the bottom
    prompt,  // an input line
    warn,    // past a threshold (a temperature at its high mark)
    alert,   // well past it (%util > 80, a file system > 90 % full, critical heat)
    bar,     // the filled part of a meter
};

struct Segment {
    std::string text;  // valid UTF-8 or escaped text; never wider than the screen
    Style style = Style::normal;
};

struct ScreenLine {
    std::vector<Segment> segments;
};

struct ColumnSpan {
    ColumnId id;
    int x0, x1;  // [x0, x1) in screen columns
};

struct ScreenLayout {
    int width = 0, height = 0;
    bool too_small = false;
    std::vector<ScreenLine> lines;  // at most height lines, each at most width columns wide
    int header_y = -1;              // the column titles' line
    std::vector<ColumnSpan> spans;
    int first_row_y = -1;  // the screen line of rows[scroll]
    std::size_t shown_rows = 0;
};

struct OverviewInput;

struct ScreenInput {
    const Table* tasks = nullptr;  // the task table (its rows: those from the scroll position)
    const ViewState* view = nullptr;
    const InteractiveState* state = nullptr;
    std::size_t threads = 0, processes = 0;   // in the whole sample
    std::vector<std::string> notices;         // standing notices (privileges, delay accounting)
    std::string time_label;                   // "HH:MM:SS" of the sample shown
    std::vector<std::string> user_names;      // the user filter's names (view->uids' order)
    const OverviewInput* overview = nullptr;  // null: no machine summary
    // The open panes' tables, by Pane (null: closed; the tasks' entry is unused). The
    // screen stacks them above the task table, in Pane's order.
    std::array<const std::vector<Table>*, kPaneCount> panes{};
    // A replay: the interval the sample shown was recorded at. The status line shows it
    // ("every 1 s"), and the playback speed apart when the pace differs ("played at 8x").
    std::optional<double> recorded_interval_s;
    // Live with --record FILE: "REC x.rec 1.2 M" (the file's name and size), after the time.
    std::string recording_label;
};

// The playback speed of a replay paced at delay_s: "8x", "0.5x", "1x"; empty when the
// recorded interval is not known.
std::string playback_speed(std::optional<double> recorded_interval_s, double delay_s);

inline constexpr int kMinWidth = 40;
inline constexpr int kMinHeight = 8;

// Room COMMAND gets at least when the view picks the top set by width.
inline constexpr int kWideCommandRoom = 30;
// The width from which the view shows the top set by default (no --columns): the top set's
// columns with their separators, and kWideCommandRoom for COMMAND.
int wide_view_width();

// A task column's title as the view's column titles show it: > or < after the sorted one.
std::string task_header_title(const ColumnSpec& c, const ViewState& vs);

// How the lines of a screen are shared out; the caller builds task_rows rows.
struct ScreenPlan {
    std::size_t summary_lines = 0;  // the machine summary at the top
    std::size_t pane_lines = 0;     // the panes' lines together
    // Each pane's lines, by Pane (0: not shown); and the open panes left out for lack of
    // room (the status line names them).
    std::array<std::size_t, kPaneCount> pane_share{};
    std::array<bool, kPaneCount> no_room{};
    bool tasks_shown = true;  // false: the focused pane is shown instead of the tasks
    bool task_title = false;  // a title line over the task table (panes are shown too)
    std::size_t task_rows = 0;
};
// The task rows the summary makes room for before it is cut, and that the panes leave.
inline constexpr std::size_t kMinTaskRows = 5;
// The fewest lines a pane is shown in: its title, its column titles and a row (and its
// first table's notes).
inline constexpr std::size_t kMinPaneLines = 3;
// Where each part goes. The open panes are stacked above the task table, in Pane's order
// (a stack, not a side bar: their tables are as wide as iostat's, and a side bar would cut
// their columns and the task table's). The task table keeps kMinTaskRows rows; to keep
// them, the machine summary first collapses from its last line up (to its CPU line), then
// the panes shrink (to kMinPaneLines each, notes aside; once they do not all fit, they take at most
// half the room), then the panes that still do not fit are left out, the last in order
// first and the focused one last (ScreenPlan::no_room). A focused pane with no room even
// then is shown instead of the tasks.
ScreenPlan plan_screen(const ScreenInput& in, int width, int height);

ScreenLayout layout_screen(const ScreenInput& in, int width, int height);

// What a click at (x, y) hits.
struct ClickTarget {
    enum class Kind { none, column, row } kind = Kind::none;
    ColumnId column = ColumnId::id;
    std::size_t row = 0;  // index into the table's rows
};
ClickTarget hit_test(const ScreenLayout& layout, const InteractiveState& st, int x, int y);

// Sorts by a clicked column (a second click reverses) or selects a clicked row.
Effect apply_click(const ClickTarget& t, ViewState& vs, InteractiveState& st, const RowIds& rows);

}  // namespace vigil
