// The key bindings: the one table of keys, labels and help texts that the help screen,
// --help, the man page test and handle_event() (keymap.cpp) read; and the + / - ladder.
#include "vigil/ui/keymap.hpp"

#include <array>

namespace vigil {
namespace {

constexpr KeyTrigger on(Key k, Action a) {
    return KeyTrigger{k, 0, a};
}
constexpr KeyTrigger on(char32_t c, Action a) {
    return KeyTrigger{Key::character, c, a};
}
// A function key: F1 is fn(1).
constexpr KeyTrigger fn(char32_t n, Action a) {
    return KeyTrigger{Key::function, n, a};
}

using A = Action;

// The one list of keys: the help screen, --help and handle_event() read it, and a test
// holds the man page to it. Most letters also work in upper case (the labels show lower
// case, except C, N, K and T, which have keys of their own); '=' and '_' are + and - without
// Shift. Function keys follow htop: F2 setup (the columns), F7 / F8 nice, F10 quit.
constexpr auto kBindings = std::to_array<KeyBinding>({
    {"Left / Right, < / >",
     "sort the focused table by the previous / next column",
     {on(Key::left, A::sort_previous), on(Key::right, A::sort_next), on('<', A::sort_previous),
      on('>', A::sort_next)}},
    {"r",
     "reverse the sort order of the focused table",
     {on('r', A::reverse), on('R', A::reverse)}},
    {"Tab",
     "focus the next table on screen (the open panes, then the tasks): the arrows and r sort "
     "it, its title is marked *",
     {on('\t', A::next_pane)}},
    {"t", "tasks only: close every pane", {on('t', A::tasks_pane)}},
    {"d",
     "disks pane (iostat -x columns): open it, with the focus, or close it",
     {on('d', A::disks_pane), on('D', A::disks_pane)}},
    {"m",
     "mounted file systems pane (df columns): open / close",
     {on('m', A::fs_pane), on('M', A::fs_pane)}},
    {"n", "network interfaces pane (sar -n DEV columns): open / close", {on('n', A::net_pane)}},
    {"s",
     "sensors pane: temperatures, fans, batteries: open / close",
     {on('s', A::sensors_pane), on('S', A::sensors_pane)}},
    {"G",
     "cgroups pane: open / close; tree or flat (T), Up / Down select, Enter shows the "
     "group's tasks",
     {on('G', A::cgroups_pane)}},
    {"1", "one CPU bar per core in the summary (toggle)", {on('1', A::per_core)}},
    {"o", "only tasks doing I/O (toggle)", {on('o', A::only_active), on('O', A::only_active)}},
    {"K", "hide / show kernel threads (toggle)", {on('K', A::kernel_threads)}},
    {"p", "processes / threads (toggle)", {on('p', A::processes), on('P', A::processes)}},
    {"a",
     "accumulated amounts / rates (toggle)",
     {on('a', A::accumulated), on('A', A::accumulated)}},
    {"c", "full command line / task name (toggle)", {on('c', A::full_command)}},
    {"T, F5",
     "process tree: children under their parent, each level sorted; cgroups pane: its tree "
     "(toggle)",
     {on('T', A::tree), fn(5, A::tree)}},
    {"x / *",
     "tree: collapse / expand the selected subtree (I/O, CPU summed) / expand all",
     {on('x', A::tree_collapse), on('X', A::tree_collapse), on('*', A::tree_expand_all)}},
    {"C, F2",
     "choose the task columns: Space shows / hides, [ ] move, Enter applies, Esc cancels",
     {on('C', A::columns), fn(2, A::columns)}},
    {"2", "columns: iotop's eight (the io set)", {on('2', A::io_columns)}},
    {"3", "columns: top's, with the disk rates (the top set)", {on('3', A::top_columns)}},
    {"{ / }",
     "scroll COMMAND left / right, for long command lines (htop's arrows; here they sort)",
     {on('{', A::command_left), on('}', A::command_right)}},
    {"Up / Down", "move the selection", {on(Key::up, A::select_up), on(Key::down, A::select_down)}},
    {"PgUp / PgDn",
     "move the selection by a page",
     {on(Key::page_up, A::select_page_up), on(Key::page_down, A::select_page_down)}},
    {"Home / End",
     "first / last row",
     {on(Key::home, A::select_first), on(Key::end, A::select_last)}},
    {"/",
     "filter by command or user (text or regular expression) as you type; in any prompt "
     "arrows, Ctrl-A/E/U/K/W edit, Up/Down recall; Esc puts the old filter back",
     {on('/', A::filter)}},
    {"u",
     "show only these users (names or uids, comma separated; empty: all)",
     {on('u', A::users), on('U', A::users)}},
    {"f", "show only these PIDs (comma separated; empty: all)", {on('f', A::pids)}},
    {"\\",
     "show only tasks whose cgroup path matches (text or regular expression, as --cgroup)",
     {on('\\', A::cgroup_filter)}},
    {"i",
     "ionice the selected task (e.g. be/4, rt/0, idle)",
     {on('i', A::ionice), on('I', A::ionice)}},
    {"N, F7, F8",
     "renice the selected task (asks for the nice value, -20..19)",
     {on('N', A::renice), fn(7, A::renice), fn(8, A::renice)}},
    {"k", "send a signal to the selected task (asks first; default TERM)", {on('k', A::kill)}},
    {"+ / -",
     "refresh less / more often (0.1, 0.2, 0.5, 1, 2, 5, 10 s ...)",
     {on('+', A::slower), on('-', A::faster), on('=', A::slower), on('_', A::faster)}},
    {"Space", "pause / resume sampling (replay: play / pause)", {on(' ', A::pause)}},
    {"Ctrl-L", "redraw the screen", {on(0x0C, A::redraw)}},
    {"Ctrl-T",
     "delay accounting on / off (kernel.task_delayacct, for SWAPIN and IO; needs root)",
     {on(0x14, A::delay_accounting)}},
    {"h, ?",
     "this help (arrows, PgUp/PgDn, Home/End scroll it)",
     {on('h', A::help), on('?', A::help), on('H', A::help)}},
    {"q, F10",
     "quit (on this help: leave it)",
     {on('q', A::quit), on('Q', A::quit), fn(10, A::quit)}},
    {"Esc",
     "cancel input; in the view, clear the filters (/, \\, a cgroup's tasks, users, PIDs) "
     "or the last message (never quits)",
     {on(Key::escape, A::cancel)}},
    {"mouse",
     "click a task column title to sort by it, a row to select it",
     {on(Key::mouse, A::click)}},
    {"Enter",
     "inspect the selected task's process (Esc returns); cgroups pane: show the selected "
     "group's tasks (its subtree's); in an input: confirm it",
     {on(Key::enter, A::confirm)}},
    {", / .",
     "replay: previous / next sample",
     {on(',', A::replay_step_back), on('.', A::replay_step_forward)}},
    {"[ / ]",
     "replay: one minute back / forward",
     {on('[', A::replay_minute_back), on(']', A::replay_minute_forward)}},
    {"g",
     "replay: go to a time (YYYY-MM-DD HH:MM[:SS], HH:MM[:SS], +/-DURATION)",
     {on('g', A::replay_go_to_time)}},
    {"F",
     "replay: follow the recording as it is written (tail -f): its last sample, then each new "
     "one; , . [ ] g and Space leave it (live: as f)",
     {on('F', A::replay_follow)}},
});

constexpr std::array<double, 15> kDelayLadder{0.1, 0.2, 0.5, 1,   2,   5,    10,  20,
                                              30,  60,  120, 300, 600, 1800, 3600};
// A value within this of a step is that step (intervals come from decimal text).
constexpr double kLadderSlack = 1e-9;
}  // namespace

double slower_delay(double delay_s) {
    for (double step : kDelayLadder)
        if (step > delay_s + kLadderSlack) return step;
    return kMaxDelay;
}

double faster_delay(double delay_s) {
    for (auto it = kDelayLadder.rbegin(); it != kDelayLadder.rend(); ++it)
        if (*it < delay_s - kLadderSlack) return *it;
    return kMinDelay;
}

std::span<const KeyBinding> key_bindings() {
    return kBindings;
}

const KeyTrigger* find_trigger(const Event& ev) {
    for (const KeyBinding& b : kBindings)
        for (const KeyTrigger& t : b.triggers())
            if (t.matches(ev)) return &t;
    return nullptr;
}

}  // namespace vigil
