// The view's keys: handle_event() dispatches a key's action (the binding table is in
// key_bindings.cpp, the prompts in key_prompts.cpp), and the selection follows its row.
#include "vigil/ui/keymap.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <cstring>

#include "column_chooser.hpp"
#include "key_prompts.hpp"
#include "vigil/core/parse.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/table.hpp"
#include "vigil/ui/line_edit.hpp"

namespace vigil {
namespace {

TableKind pane_kind(Pane p) {
    switch (p) {
        case Pane::disks:
            return TableKind::disks;
        case Pane::fs:
            return TableKind::fs;
        case Pane::net:
            return TableKind::net;
        case Pane::sensors:
            return TableKind::temps;
        case Pane::cgroups:
            return TableKind::cgroups;
        case Pane::tasks:
            break;
    }
    return TableKind::cpu;
}

// The arrows and r on a device pane: natural order until a column is chosen.
void sort_pane(InteractiveState& st, int step) {
    TableSort& ps = st.pane_sort[static_cast<std::size_t>(st.pane)];
    std::size_t n = pane_column_count(st.pane);
    if (n == 0) return;
    if (step == 0) {  // r
        if (!ps.set) ps = TableSort{true, 0, false};
        ps.reverse = !ps.reverse;
        return;
    }
    if (!ps.set) {
        ps = TableSort{true, step > 0 ? 0 : n - 1, false};
    } else {
        ps.column = step > 0 ? (ps.column + 1) % n : (ps.column + n - 1) % n;
        ps.reverse = false;
    }
}

// The position of the sort column among the shown ones (0 when it is not shown).
std::size_t sort_index(const ViewState& vs) {
    const std::span<const ColumnId> shown = shown_columns(vs);
    const auto it = std::find(shown.begin(), shown.end(), vs.sort);
    return it == shown.end() ? 0 : static_cast<std::size_t>(it - shown.begin());
}

void move_selection(InteractiveState& st, const RowIds& rows, long delta) {
    if (rows.total == 0) return;
    long idx = static_cast<long>(st.selected_index) + delta;
    idx = std::clamp<long>(idx, 0, static_cast<long>(rows.total) - 1);
    st.selected_index = static_cast<std::size_t>(idx);
    st.selection_on_top = false;
    st.selected = st.selected_index < rows.ids.size()
                      ? std::optional<pid_t>(rows.ids[st.selected_index])
                      : std::nullopt;
}

// Up, Down, PgUp, PgDn, Home, End on the cgroup pane: its own selection.
void move_cgroup_selection(CgroupPaneState& cp, std::span<const std::string> paths, long delta) {
    if (paths.empty()) return;
    long idx = static_cast<long>(cp.selected_index) + delta;
    idx = std::clamp<long>(idx, 0, static_cast<long>(paths.size()) - 1);
    cp.selected_index = static_cast<std::size_t>(idx);
    cp.selected = paths[cp.selected_index];
}

// Enter on the cgroup pane: the task table shows the selected group's tasks, those of the
// groups below it included (a group's figures include its children's), and has the focus.
void show_cgroup_tasks(ViewState& vs, InteractiveState& st, std::span<const std::string> paths) {
    CgroupPaneState& cp = st.cgroup_pane;
    if (!cp.selected || cp.selected_index >= paths.size() ||
        paths[cp.selected_index] != *cp.selected) {
        st.notice = "no cgroup selected";
        return;
    }
    vs.cgroup_subtree = *cp.selected;
    st.pane = Pane::tasks;
    back_to_top(st);
}

// The time keys: moves in a recording, or a notice when the view is live.
Effect replay_key(Action action, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    if (!st.replay && action == Action::replay_follow) {
        open_prompt(st, Mode::pid_input);  // F was f's capital before it followed replays
        return e;
    }
    if (!st.replay) {
        st.notice = "time keys move in a recording: start vigil with --replay FILE";
        return e;
    }
    ReplayMove m;
    switch (action) {
        case Action::replay_step_back:
        case Action::replay_step_forward:
            m.kind = ReplayMove::Kind::samples;
            m.samples = action == Action::replay_step_back ? -1 : 1;
            break;
        case Action::replay_minute_back:
        case Action::replay_minute_forward:
            m.kind = ReplayMove::Kind::seconds;
            m.seconds = action == Action::replay_minute_back ? -60 : 60;
            break;
        case Action::replay_follow:
            m.kind = ReplayMove::Kind::follow;
            break;
        default:  // go to a time
            open_prompt(st, Mode::time_input);
            return e;
    }
    e.replay = m;
    return e;
}

// T, F5, x and *: the selection stays on its task (the tree only reorders the rows).
// True when the table must be rebuilt.
bool tree_key(Action action, ViewState& vs, InteractiveState& st, const RowIds& rows) {
    if (action == Action::tree) {
        vs.tree = !vs.tree;
        return true;
    }
    if (!vs.tree) {
        st.notice = "x and * act on the process tree: T or F5 shows it";
        return false;
    }
    if (action == Action::tree_expand_all) {
        vs.collapsed.clear();
        return true;
    }
    const std::size_t i = st.selected_index;
    if (!st.selected || i >= rows.ids.size() || rows.ids[i] != *st.selected ||
        i >= rows.starts.size()) {
        st.notice = "no task selected";
        return false;
    }
    const TreeNode node{*st.selected, rows.starts[i]};
    const auto it = std::find(vs.collapsed.begin(), vs.collapsed.end(), node);
    if (it != vs.collapsed.end())
        vs.collapsed.erase(it);
    else
        vs.collapsed.push_back(node);
    return true;
}

}  // namespace

std::size_t help_page_rows(int height) {
    return static_cast<std::size_t>(std::max(height - 2, 1));
}

namespace {

// The selected task is no longer in the list: nothing is selected (never another task), and
// a prompt to act on it closes, as there is nothing left to act on.
void lose_selection(InteractiveState& st) {
    if (acting_on_selection(st)) {
        st.mode = Mode::normal;
        st.input.clear();
        st.notice = "task " + std::to_string(*st.selected) +
                    " left the list: the prompt is closed, nothing was done";
    }
    st.selected.reset();
}

}  // namespace

void open_prompt(InteractiveState& st, Mode mode, std::string text) {
    st.mode = mode;
    st.input = std::move(text);
    st.input_cursor = st.input.size();
    st.input_before = st.input;
    history_open(st.history, mode);
}

bool acting_on_selection(const InteractiveState& st) {
    return st.mode == Mode::ionice_input || st.mode == Mode::nice_input ||
           st.mode == Mode::kill_input;
}

void back_to_top(InteractiveState& st) {
    st.scroll = 0;
    if (acting_on_selection(st)) return;  // the prompt's task stays its target
    st.selection_on_top = true;
    st.selected.reset();
    st.selected_index = 0;
}

std::string_view pane_name(Pane p) {
    switch (p) {
        case Pane::tasks:
            return "tasks";
        case Pane::disks:
            return "disks";
        case Pane::fs:
            return "file systems";
        case Pane::net:
            return "network";
        case Pane::sensors:
            return "sensors";
        case Pane::cgroups:
            return "cgroups";
    }
    return "tasks";
}

void toggle_pane(InteractiveState& st, Pane p) {
    if (p == Pane::tasks) return;
    bool& open = st.open_panes[static_cast<std::size_t>(p)];
    open = !open;
    if (open)
        st.pane = p;
    else if (st.pane == p)
        st.pane = Pane::tasks;
}

void focus_next_table(InteractiveState& st) {
    // The screen's order, top to bottom: disks, file systems, network, sensors, cgroups,
    // then the tasks (Pane's order with tasks last).
    for (std::size_t k = 1; k <= kPaneCount; ++k) {
        const auto p = static_cast<Pane>((static_cast<std::size_t>(st.pane) + k) % kPaneCount);
        if (pane_open(st, p)) {
            st.pane = p;
            return;
        }
    }
}

std::size_t pane_column_count(Pane p) {
    if (p == Pane::tasks) return 0;
    return table_columns(pane_kind(p)).size();
}

void follow_cgroup_selection(CgroupPaneState& cp, std::span<const std::string> paths) {
    if (paths.empty()) {
        cp.selected_index = 0;
        cp.scroll = 0;
        return;
    }
    if (cp.selected) {
        auto it = std::find(paths.begin(), paths.end(), *cp.selected);
        if (it != paths.end()) cp.selected_index = static_cast<std::size_t>(it - paths.begin());
    }
    cp.selected_index = std::min(cp.selected_index, paths.size() - 1);
    cp.selected = paths[cp.selected_index];
    const std::size_t page = std::max<std::size_t>(cp.page_rows, 1);
    if (cp.selected_index < cp.scroll) cp.scroll = cp.selected_index;
    if (cp.selected_index >= cp.scroll + page) cp.scroll = cp.selected_index - page + 1;
    cp.scroll = paths.size() <= page ? 0 : std::min(cp.scroll, paths.size() - page);
}

void follow_selection(InteractiveState& st, const RowIds& rows) {
    if (st.selection_on_top) {
        st.selected_index = 0;
        st.selected = rows.ids.empty() ? std::nullopt : std::optional<pid_t>(rows.ids[0]);
    } else if (st.selected) {
        auto it = std::find(rows.ids.begin(), rows.ids.end(), *st.selected);
        if (it != rows.ids.end())
            st.selected_index = static_cast<std::size_t>(it - rows.ids.begin());
        else if (rows.ids.size() >= rows.total)
            lose_selection(st);  // it left the list (exited, went idle with o)
    }
    if (rows.total == 0) {
        st.selected_index = 0;
        st.scroll = 0;
        return;
    }
    st.selected_index = std::min(st.selected_index, rows.total - 1);
    std::size_t page = std::max<std::size_t>(st.page_rows, 1);
    if (st.selected_index < st.scroll) st.scroll = st.selected_index;
    if (st.selected_index >= st.scroll + page) st.scroll = st.selected_index - page + 1;
    if (rows.total <= page)
        st.scroll = 0;
    else
        st.scroll = std::min(st.scroll, rows.total - page);
}

Effect handle_event(const Event& ev, ViewState& vs, InteractiveState& st, const RowIds& rows) {
    if (ev.key == Key::resize) {
        Effect e;
        e.redraw = e.rebuild = true;
        return e;
    }
    if (st.mode == Mode::columns) return handle_chooser(ev, vs, st);
    // The inspector's keys are its pane's (handle_inspector_key): the controller routes them.
    if (st.mode == Mode::inspector) return Effect{};
    if (st.mode != Mode::normal && st.mode != Mode::help) return handle_input_mode(ev, vs, st);

    Effect e;
    e.redraw = true;
    if (st.mode == Mode::help) {
        // The arrows, PgUp/PgDn (Space too, as in less), Home/End scroll it; any other key
        // leaves it, q too (as in htop): it never quits.
        const std::size_t n = key_bindings().size();
        const std::size_t page = std::max<std::size_t>(st.help_page, 1);
        const std::size_t last = n > page ? n - page : 0;
        std::size_t& at = st.help_scroll;
        if (ev.key == Key::down) {
            at = std::min(at + 1, last);
        } else if (ev.key == Key::up) {
            at = at > 0 ? at - 1 : 0;
        } else if (ev.key == Key::page_down || (ev.key == Key::character && ev.ch == U' ')) {
            at = std::min(at + page, last);
        } else if (ev.key == Key::page_up) {
            at = at > page ? at - page : 0;
        } else if (ev.key == Key::home) {
            at = 0;
        } else if (ev.key == Key::end) {
            at = last;
        } else {
            st.mode = Mode::normal;
        }
        return e;
    }
    // A typed character clears the notice line, bound or not; the special keys leave it.
    if (ev.key == Key::character) st.notice.clear();
    const KeyTrigger* trigger = find_trigger(ev);
    if (!trigger) {
        e.redraw = false;
        return e;
    }
    const std::size_t page = std::max<std::size_t>(st.page_rows, 1);
    const std::size_t ncols = shown_columns(vs).size();
    switch (const Action action = trigger->action) {
        case Action::sort_previous:
        case Action::sort_next: {
            const int step = action == Action::sort_next ? 1 : -1;
            e.rebuild = true;
            if (st.pane != Pane::tasks) {
                sort_pane(st, step);
                break;
            }
            // Through the shown columns, as htop's < and > do.
            const std::size_t col = sort_index(vs);
            vs.sort = shown_columns(vs)[step > 0 ? (col + 1) % ncols : (col + ncols - 1) % ncols];
            vs.reverse = false;
            back_to_top(st);
            break;
        }
        case Action::reverse:
            e.rebuild = true;
            if (st.pane != Pane::tasks) {
                sort_pane(st, 0);
                break;
            }
            vs.reverse = !vs.reverse;
            back_to_top(st);
            break;
        case Action::select_up:
        case Action::select_down:
        case Action::select_page_up:
        case Action::select_page_down:
        case Action::select_first:
        case Action::select_last: {
            // The cgroup pane, focused, has a selection of its own (Enter shows its tasks).
            const bool groups = st.pane == Pane::cgroups;
            const long n = static_cast<long>(groups ? rows.cgroups.size() : rows.total);
            const long pg = static_cast<long>(
                groups ? std::max<std::size_t>(st.cgroup_pane.page_rows, 1) : page);
            const long delta = action == Action::select_up          ? -1
                               : action == Action::select_down      ? 1
                               : action == Action::select_page_up   ? -pg
                               : action == Action::select_page_down ? pg
                               : action == Action::select_first     ? -n
                                                                    : n;
            if (groups) {
                // Only the pane's highlight and scroll change: no table is made again (at
                // thousands of groups, the pane's table costs milliseconds).
                move_cgroup_selection(st.cgroup_pane, rows.cgroups, delta);
                follow_cgroup_selection(st.cgroup_pane, rows.cgroups);
                break;
            }
            move_selection(st, rows, delta);
            e.rebuild = true;
            break;
        }
        case Action::cgroup_filter:
            open_prompt(st, Mode::cgroup_input, vs.cgroup_filter.pattern());
            break;
        case Action::cgroups_pane:
            toggle_pane(st, Pane::cgroups);
            e.rebuild = true;
            break;
        case Action::cancel:
            // Never quits (as in htop and iotop-c): clears every filter (the text, the
            // cgroup's, users, PIDs), else the notice.
            if (vs.filter.active() || vs.cgroup_filter.active() || !vs.cgroup_subtree.empty() ||
                !vs.uids.empty() || !vs.pids.empty()) {
                vs.filter.set("");
                vs.cgroup_filter.set("");
                vs.cgroup_subtree.clear();
                vs.uids.clear();
                vs.pids.clear();
                back_to_top(st);
                e.rebuild = true;
            } else {
                st.notice.clear();
            }
            break;
        case Action::confirm:  // the inspector: the caller reads the process
            if (st.pane == Pane::cgroups) {
                show_cgroup_tasks(vs, st, rows.cgroups);
                e.rebuild = true;
                break;
            }
            if (st.replay) {
                st.notice = "the inspector needs a live process: not in a replay";
                break;
            }
            if (!st.selected) {
                st.notice = "no task selected";
                break;
            }
            e.inspect = true;
            break;
        case Action::click:  // the controller hit-tests clicks before they get here
            e.redraw = false;
            break;
        case Action::quit:
            e.quit = true;
            break;
        case Action::only_active:
            vs.only_active = !vs.only_active;
            back_to_top(st);
            e.rebuild = true;
            break;
        case Action::kernel_threads:
            vs.hide_kernel_threads = !vs.hide_kernel_threads;
            back_to_top(st);
            e.rebuild = true;
            break;
        case Action::processes:
            vs.processes = !vs.processes;
            // The selection goes to the selected thread's process, or from a process to its
            // main thread (the same id): the tgid. Nothing selected (or on top): the top.
            if (!st.selection_on_top && st.selected) {
                const auto it = std::find(rows.ids.begin(), rows.ids.end(), *st.selected);
                const auto i = static_cast<std::size_t>(it - rows.ids.begin());
                if (it != rows.ids.end() && i < rows.pids.size())
                    st.selected = rows.pids[i];
                else
                    back_to_top(st);
            } else {
                back_to_top(st);
            }
            e.rebuild = true;
            break;
        case Action::accumulated:
            vs.accumulated = !vs.accumulated;
            back_to_top(st);
            e.rebuild = true;
            break;
        case Action::full_command:
            vs.full_command = !vs.full_command;
            e.rebuild = true;
            break;
        case Action::filter:
            open_prompt(st, Mode::filter_input, vs.filter.pattern());
            break;
        case Action::users:
            open_prompt(st, Mode::user_input);
            break;
        case Action::pids:
            open_prompt(st, Mode::pid_input);
            break;
        case Action::ionice:
        case Action::renice:
        case Action::kill:
            // A recorded PID may belong to another process by now: never offer to act on it.
            if (st.replay) {
                st.notice =
                    "this is a recording: ionice, renice and signals act on live tasks only";
                break;
            }
            if (!st.selected) {
                st.notice = "no task selected";
                break;
            }
            st.top_before_prompt = st.selection_on_top;
            st.selection_on_top = false;  // the prompt's task stays its target
            open_prompt(st, action == Action::ionice   ? Mode::ionice_input
                            : action == Action::renice ? Mode::nice_input
                                                       : Mode::kill_input);
            break;
        case Action::columns:
            open_chooser(vs, st);
            break;
        case Action::io_columns:
        case Action::top_columns:
            show_column_set(vs, st, action == Action::top_columns ? ColumnSet::top : ColumnSet::io);
            e.rebuild = true;
            break;
        case Action::slower:
            st.delay_s = slower_delay(st.delay_s);
            break;
        case Action::faster:
            st.delay_s = faster_delay(st.delay_s);
            break;
        case Action::pause:
            st.paused = !st.paused;
            break;
        case Action::help:
            st.mode = Mode::help;
            st.help_scroll = 0;
            break;
        case Action::redraw:  // e.redraw is all it takes
            break;
        case Action::command_left:
            st.command_scroll -= std::min(st.command_scroll, kCommandScrollStep);
            e.redraw = true;
            break;
        case Action::command_right:
            st.command_scroll += kCommandScrollStep;
            e.rebuild = true;  // the controller keeps it within the widest command
            break;
        case Action::delay_accounting:
            if (st.replay)
                st.notice = "this is a recording: delay accounting is switched on the live system";
            else
                e.delay_accounting = true;
            break;
        case Action::next_pane:
            if (std::none_of(st.open_panes.begin(), st.open_panes.end(),
                             [](bool o) { return o; })) {
                st.notice =
                    "no pane is open: d disks, m file systems, n network, s sensors, G cgroups";
                break;
            }
            focus_next_table(st);
            break;
        case Action::tasks_pane:
            st.open_panes.fill(false);
            st.pane = Pane::tasks;
            e.rebuild = true;
            break;
        case Action::disks_pane:
        case Action::fs_pane:
        case Action::net_pane:
        case Action::sensors_pane:
            toggle_pane(st, action == Action::disks_pane ? Pane::disks
                            : action == Action::fs_pane  ? Pane::fs
                            : action == Action::net_pane ? Pane::net
                                                         : Pane::sensors);
            e.rebuild = true;
            break;
        case Action::per_core:
            st.per_core = !st.per_core;
            e.rebuild = true;
            break;
        case Action::replay_step_back:
        case Action::replay_step_forward:
        case Action::replay_minute_back:
        case Action::replay_minute_forward:
        case Action::replay_go_to_time:
        case Action::replay_follow:
            return replay_key(action, st);
        case Action::tree:
            if (st.pane == Pane::cgroups) {  // the pane's own layout
                st.cgroup_pane.tree = !st.cgroup_pane.tree;
                e.rebuild = true;
                break;
            }
            [[fallthrough]];
        case Action::tree_collapse:
        case Action::tree_expand_all:
            e.rebuild = tree_key(action, vs, st, rows);
            break;
    }
    return e;
}

}  // namespace vigil
