// The interactive view's keys as a pure state machine: a key changes the ViewState and the
// InteractiveState and says what must happen next. It never draws and never touches a
// task; actions on tasks (ionice, kill) are returned for the event loop to carry out.
// Curses key codes are mapped to Key by the curses layer, so this runs without a terminal.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/time_spec.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

enum class Key {
    character,  // a printable character or a control character, in Event::ch
    left,
    right,
    up,
    down,
    page_up,
    page_down,
    home,
    end,
    enter,
    escape,
    backspace,
    delete_char,  // Delete: in a prompt, the character under the cursor
    resize,
    mouse,     // a click at Event::x, Event::y
    function,  // F1..F12, the number in Event::ch
};

struct Event {
    Key key = Key::character;
    char32_t ch = 0;
    int x = 0, y = 0;
};

// The longest text a prompt takes, in bytes.
inline constexpr std::size_t kMaxInputBytes = 256;
// Confirmed inputs a prompt remembers (its history), oldest first.
inline constexpr std::size_t kMaxHistory = 50;

// The prompts' histories (Up / Down): one list per prompt, kept for the session.
struct PromptHistory {
    std::array<std::vector<std::string>, 16> lists;  // by Mode (static_cast<std::size_t>)
    std::size_t at = 0;  // while browsing: the entry shown (size: the draft)
    std::string draft;   // what was typed before Up
};

enum class Mode {
    normal,
    help,
    filter_input,  // '/': typing a filter
    user_input,    // 'u': typing users
    pid_input,     // 'f': typing PIDs
    ionice_input,  // 'i': typing class/level for the selected task
    kill_input,    // 'k': confirming a signal for the selected task
    time_input,    // 'g': typing the time to jump to (replay)
    nice_input,    // 'N', F7, F8: typing a nice value for the selected task
    columns,       // 'C', F2: the column chooser
    inspector,     // Enter: the process inspector (its keys: handle_inspector_key)
    cgroup_input,  // '\': typing a cgroup path pattern (ViewState::cgroup_filter)
};

// The tables of the view: the tasks, and the panes stacked above them (in this order, top
// to bottom), each opened and closed by its key; any number of them at once.
enum class Pane : std::uint8_t { tasks, disks, fs, net, sensors, cgroups };
inline constexpr std::size_t kPaneCount = 6;

// The pane's name in the status line and the key hint ("disks", "file systems").
std::string_view pane_name(Pane p);

// The sort of a device pane: natural order (the kernel's) until a column is chosen.
struct TableSort {
    bool set = false;
    std::size_t column = 0;
    bool reverse = false;
};

// The cgroup pane (G): its layout, and its selection, which follows a group by path as
// the selection of the task table follows a task.
struct CgroupPaneState {
    bool tree = true;                     // T, F5 in the pane: the hierarchy's tree, else flat
    std::optional<std::string> selected;  // the selected group's path
    std::size_t selected_index = 0;       // its position, used when the group disappears
    std::size_t scroll = 0;               // first row shown
    std::size_t page_rows = 10;           // rows the pane shows (set by the layout)
};

// A request for the event loop to act on a task.
struct TaskAction {
    enum class Kind { ionice, signal, renice } kind = Kind::signal;
    pid_t pid = 0;  // the tid, or the pid in process mode
    bool whole_process = false;
    IoPrio prio;        // for ionice
    int signal = 0;     // for signal
    int nice = 0;       // for renice: -20..19
    std::string label;  // the command, for the notice
};

// The column chooser (C, F2) while it is open: a working copy of the shown columns, applied
// to ViewState::columns by Enter or F10 and dropped by Esc. Its lines are the shown columns
// in order, then the others in registry order; the cursor is a line.
struct ColumnChooser {
    std::vector<ColumnId> shown;
    std::size_t cursor = 0;
};

struct InteractiveState {
    Mode mode = Mode::normal;
    std::string input;               // text typed in an input mode
    std::size_t input_cursor = 0;    // its cursor, a byte offset (edit_line)
    PromptHistory history;           // each prompt's confirmed inputs (Up / Down)
    std::string input_before;        // / and \: the filter when the prompt opened (Esc)
    bool top_before_prompt = true;   // i, N, k: selection_on_top when it opened (Esc)
    std::optional<pid_t> selected;   // the id of the selected row; the selection follows it
    std::size_t selected_index = 0;  // its position, used when the task disappears
    // The selection stays on the top row (whatever task is there) until the user moves it,
    // as in htop: at start and after a new order or a new set of rows. Then it follows its
    // task; a task that leaves the list takes the selection with it (none, never another).
    bool selection_on_top = true;
    std::size_t scroll = 0;       // first row shown
    std::size_t page_rows = 10;   // rows the table shows (set by the layout)
    std::size_t help_scroll = 0;  // Mode::help: the first key line shown
    std::size_t help_page = 10;   // key lines the help screen shows (help_page_rows)
    // { and }: display columns of COMMAND scrolled out on the left (kCommandScrollStep at a
    // time; the controller keeps it within the widest command shown).
    std::size_t command_scroll = 0;
    double delay_s = 1.0;
    bool paused = false;
    std::string notice;        // one line: an action's result or an input error
    std::string target_label;  // the selected row's command, for prompts
    Pane pane = Pane::tasks;   // the focused table (tasks or an open pane): arrows, r sort it
    // Which panes are open (d, m, n, s, G toggle them; by Pane, tasks unused): the screen
    // stacks them above the tasks as room allows (plan_screen).
    std::array<bool, kPaneCount> open_panes{};
    bool per_core = false;  // '1': a bar per CPU in the summary
    bool replay = false;    // showing a recording: the time keys move in it
    std::array<TableSort, kPaneCount> pane_sort{};
    ColumnChooser chooser;        // Mode::columns
    bool columns_chosen = false;  // the user picked the columns (chooser, set keys)
    CgroupPaneState cgroup_pane;  // Pane::cgroups
};

// Whether pane p is open (the task table always is).
inline bool pane_open(const InteractiveState& st, Pane p) {
    return p == Pane::tasks || st.open_panes[static_cast<std::size_t>(p)];
}
// d, m, n, s, G: opens pane p with the focus, or closes it (the focus, if it had it, goes
// back to the tasks).
void toggle_pane(InteractiveState& st, Pane p);
// Tab: the focus to the next table on screen: the open panes in their order, then the tasks.
void focus_next_table(InteractiveState& st);

// The chooser's lines: the shown columns in order, then the others in registry order.
std::vector<ColumnId> chooser_lines(const ColumnChooser& c);
// After the shown columns changed: if the sort column is not among them any more, sorts by
// the first shown of CPU%, IO, DISK WRITE, DISK READ, else the first shown number, else the
// first shown column (the default direction). True when the sort changed.
bool fall_back_sort(ViewState& vs);

// Columns of a pane's main table, for the arrows (0 for the task pane).
std::size_t pane_column_count(Pane p);

// A move in a recording (replay): by samples, by seconds, to a time, or to its end and
// following it as it is written (F).
struct ReplayMove {
    enum class Kind : std::uint8_t { samples, seconds, time, follow } kind = Kind::samples;
    long samples = 0;
    double seconds = 0;
    TimeSpec at;  // offsets count from the sample shown; see resolve_time_in_span
};

struct Effect {
    bool redraw = false;    // re-render from the last sample
    bool rebuild = false;   // rebuild the table (sort/filter changed) from the last sample
    bool resample = false;  // take a sample now
    bool quit = false;
    std::optional<TaskAction> action;
    std::optional<ReplayMove> replay;
    // 'u' was answered: show only these users (names or uids as typed; empty: all). The
    // caller looks them up, then sets ViewState::uids and calls back_to_top(), or puts the
    // error on the notice line.
    std::optional<std::vector<std::string>> users;
    // Enter on a task: open the inspector on the selected task's process (the caller reads
    // it, and sets Mode::inspector once it could).
    bool inspect = false;
    // Ctrl-T: switch delay accounting (the caller, which knows whether it is on).
    bool delay_accounting = false;
};

// What the key handler needs to know of the rows on screen.
struct RowIds {
    std::span<const pid_t> ids;  // all rows in table order (may be cut by the row limit)
    std::size_t total = 0;       // rows that matched, for End and PgDn
    // The start times of the rows' tasks, as ids (x collapses a tree node by both).
    std::span<const std::uint64_t> starts = {};
    // The cgroup pane's rows (their paths) in the order shown, while it is focused.
    std::span<const std::string> cgroups = {};
    // The process (tgid) of each row of ids: p takes the selection to it.
    std::span<const pid_t> pids = {};
};

Effect handle_event(const Event& ev, ViewState& vs, InteractiveState& st, const RowIds& rows);

// The key lines the help screen has room for at this height (its title bar and its footer
// take two lines).
std::size_t help_page_rows(int height);

// A new order or a new set of rows starts at the top, as in top(1): what the user asked
// for is the top of the list. (New samples, by contrast, keep the selection on its task.)
// (An i, N or k prompt keeps its task: the selection stays, only the scroll goes up.)
void back_to_top(InteractiveState& st);
// An i, N or k prompt is open: it acts on the selected task.
bool acting_on_selection(const InteractiveState& st);

// Opens the prompt of mode with text in it, the cursor at its end.
void open_prompt(InteractiveState& st, Mode mode, std::string text = {});

// After the table is rebuilt: find the selected id again, clamp, and scroll it into view.
void follow_selection(InteractiveState& st, const RowIds& rows);
// The same for the cgroup pane's selection, over its rows' paths.
void follow_cgroup_selection(CgroupPaneState& cp, std::span<const std::string> paths);

// Everything a key can ask of the view. The binding table below says which keys ask for
// which action; handle_event() dispatches on the action, so a key is defined only there.
enum class Action : std::uint8_t {
    sort_previous,
    sort_next,
    reverse,
    next_pane,   // Tab: the focus to the next open table
    tasks_pane,  // t: every pane closed, the focus on the tasks
    disks_pane,
    fs_pane,
    net_pane,
    sensors_pane,
    cgroups_pane,
    per_core,
    only_active,
    kernel_threads,
    processes,
    accumulated,
    full_command,
    select_up,
    select_down,
    select_page_up,
    select_page_down,
    select_first,
    select_last,
    filter,
    users,
    pids,
    cgroup_filter,  // the prompt for a cgroup path pattern
    ionice,
    renice,
    kill,
    columns,
    io_columns,
    top_columns,
    slower,
    faster,
    pause,
    redraw,
    help,
    quit,
    cancel,   // Esc: cancels an input; in the view, clears the filter or the notice
    confirm,  // Enter: applies an input; in the view, opens the inspector (the cgroup
              // pane: shows the selected group's tasks)
    click,    // the mouse: the controller hit-tests it (apply_click); nothing here
    replay_step_back,
    replay_step_forward,
    replay_minute_back,
    replay_minute_forward,
    replay_go_to_time,
    replay_follow,  // F: follow the recording as it is written (live: the PID filter, as f)
    tree,           // the process tree (toggle)
    tree_collapse,  // collapse / expand the selected row's subtree
    tree_expand_all,
    delay_accounting,  // Ctrl-T: kernel.task_delayacct on / off (iotop-c's key)
    command_left,      // {: COMMAND scrolled back towards its start
    command_right,     // }: COMMAND scrolled on, for long command lines
};

// How far { and } scroll COMMAND, in display columns.
inline constexpr std::size_t kCommandScrollStep = 8;

// One key event and the action it triggers: a special key, or a character (Key::character
// with its code point; Tab, Space and Ctrl-L arrive as characters).
struct KeyTrigger {
    Key key = Key::character;
    char32_t ch = 0;
    Action action{};

    constexpr bool matches(const Event& ev) const {
        return ev.key == key && ((key != Key::character && key != Key::function) || ev.ch == ch);
    }
};

// One line of the key reference (help screen, --help, man page) with the keys behind it.
// A line may carry a pair of opposite actions ("Up / Down"), so each trigger names its own.
struct KeyBinding {
    static constexpr std::size_t kMaxTriggers = 6;

    std::string_view keys;  // the label, spelt as in the man page: "Left / Right, < / >"
    std::string_view what;  // the help text
    std::array<KeyTrigger, kMaxTriggers> slots{};
    std::size_t count = 0;

    // More than kMaxTriggers writes past slots: not a constant expression, so the table
    // does not compile.
    constexpr KeyBinding(std::string_view label, std::string_view help,
                         std::initializer_list<KeyTrigger> triggers)
        : keys(label), what(help) {
        for (const KeyTrigger& t : triggers) slots[count++] = t;
    }
    constexpr std::span<const KeyTrigger> triggers() const { return {slots.data(), count}; }
};

// The bindings in the order of the key reference.
std::span<const KeyBinding> key_bindings();
// The trigger for an event, or null for a key that is bound to nothing.
const KeyTrigger* find_trigger(const Event& ev);

// The key reference is the binding table (older name, kept for its callers).
using KeyHelp = KeyBinding;
inline std::span<const KeyHelp> key_help() {
    return key_bindings();
}

// Parses "be/4", "be 4", "rt/0", "idle", "none"; nullopt if it is none of these.
std::optional<IoPrio> parse_ioprio(std::string_view text);
// Parses "TERM", "SIGKILL", "kill", "9"; nullopt for an unknown name or number.
std::optional<int> parse_signal(std::string_view text);
// Parses a nice value, -20 to 19 ("+5" too); nullopt for anything else.
std::optional<int> parse_nice(std::string_view text);

inline constexpr double kMinDelay = 0.1;
inline constexpr double kMaxDelay = 3600;

// + and -: the next interval up or down the ladder 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30 s,
// 1, 2, 5, 10, 30 min, 1 h, so that any step can be undone and 1 s is always reachable.
// From a value between two steps (-d 0.3) the next step in that direction.
double slower_delay(double delay_s);
double faster_delay(double delay_s);

}  // namespace vigil
