#include "vigil/ui/keymap.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <cstring>

#include "vigil/core/parse.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/table.hpp"

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
// case, except C, N and K, which have keys of their own); '=' and '_' are + and - without
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
     "focus the next pane: tasks, disks, file systems, network, sensors",
     {on('\t', A::next_pane)}},
    {"t", "tasks only (leave a device pane)", {on('t', A::tasks_pane), on('T', A::tasks_pane)}},
    {"d", "disks pane (iostat -x columns)", {on('d', A::disks_pane), on('D', A::disks_pane)}},
    {"m", "mounted file systems pane (df columns)", {on('m', A::fs_pane), on('M', A::fs_pane)}},
    {"n", "network interfaces pane (sar -n DEV columns)", {on('n', A::net_pane)}},
    {"s",
     "sensors pane: temperatures, fans, batteries",
     {on('s', A::sensors_pane), on('S', A::sensors_pane)}},
    {"1", "one CPU bar per core in the summary (toggle)", {on('1', A::per_core)}},
    {"o", "only tasks doing I/O (toggle)", {on('o', A::only_active), on('O', A::only_active)}},
    {"K", "hide / show kernel threads (toggle)", {on('K', A::kernel_threads)}},
    {"p", "processes / threads (toggle)", {on('p', A::processes), on('P', A::processes)}},
    {"a",
     "accumulated amounts / rates (toggle)",
     {on('a', A::accumulated), on('A', A::accumulated)}},
    {"c", "full command line / task name (toggle)", {on('c', A::full_command)}},
    {"C, F2",
     "choose the task columns: Space shows / hides, [ ] move, Enter applies, Esc cancels",
     {on('C', A::columns), fn(2, A::columns)}},
    {"2", "columns: iotop's eight (the io set)", {on('2', A::io_columns)}},
    {"3", "columns: top's, with the disk rates (the top set)", {on('3', A::top_columns)}},
    {"Up / Down", "move the selection", {on(Key::up, A::select_up), on(Key::down, A::select_down)}},
    {"PgUp / PgDn",
     "move the selection by a page",
     {on(Key::page_up, A::select_page_up), on(Key::page_down, A::select_page_down)}},
    {"Home / End",
     "first / last row",
     {on(Key::home, A::select_first), on(Key::end, A::select_last)}},
    {"/",
     "filter by command or user (text or regular expression); Esc clears",
     {on('/', A::filter)}},
    {"u",
     "show only these users (names or uids, comma separated; empty: all)",
     {on('u', A::users), on('U', A::users)}},
    {"f",
     "show only these PIDs (comma separated; empty: all)",
     {on('f', A::pids), on('F', A::pids)}},
    {"i",
     "ionice the selected task (e.g. be/4, rt/0, idle)",
     {on('i', A::ionice), on('I', A::ionice)}},
    {"N, F7, F8",
     "renice the selected task (asks for the nice value, -20..19)",
     {on('N', A::renice), fn(7, A::renice), fn(8, A::renice)}},
    {"k", "send a signal to the selected task (asks first; default TERM)", {on('k', A::kill)}},
    {"+ / -",
     "refresh less / more often (interval x2 / /2)",
     {on('+', A::slower), on('-', A::faster), on('=', A::slower), on('_', A::faster)}},
    {"Space", "pause / resume sampling (replay: play / pause)", {on(' ', A::pause)}},
    {"Ctrl-L", "redraw the screen", {on(0x0C, A::redraw)}},
    {"h, ?", "this help", {on('h', A::help), on('?', A::help), on('H', A::help)}},
    {"q, F10",
     "quit (on this help: leave it)",
     {on('q', A::quit), on('Q', A::quit), fn(10, A::quit)}},
    {"Esc",
     "cancel input; in the view, clear the filter or the last message (never quits)",
     {on(Key::escape, A::cancel)}},
    {"mouse",
     "click a task column title to sort by it, a row to select it",
     {on(Key::mouse, A::click)}},
    {"Enter", "confirm input", {on(Key::enter, A::confirm)}},
    {", / .",
     "replay: previous / next sample",
     {on(',', A::replay_step_back), on('.', A::replay_step_forward)}},
    {"[ / ]",
     "replay: one minute back / forward",
     {on('[', A::replay_minute_back), on(']', A::replay_minute_forward)}},
    {"g",
     "replay: go to a time (YYYY-MM-DD HH:MM[:SS], HH:MM[:SS], +/-DURATION)",
     {on('g', A::replay_go_to_time)}},
});

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
    st.selected = st.selected_index < rows.ids.size()
                      ? std::optional<pid_t>(rows.ids[st.selected_index])
                      : std::nullopt;
}

// Applies the text typed in an input mode; returns what must happen.
Effect finish_input(ViewState& vs, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    std::string text(trim(st.input));
    Mode mode = st.mode;
    st.mode = Mode::normal;
    st.input.clear();
    switch (mode) {
        case Mode::filter_input:
            vs.filter.set(text);
            back_to_top(st);
            e.rebuild = true;
            break;
        case Mode::user_input: {
            // Names are looked up by the caller (the user database may be remote).
            std::vector<std::string> users;
            for (std::string_view item : split_list(text, ", ")) users.emplace_back(item);
            e.users = std::move(users);
            break;
        }
        case Mode::pid_input: {
            std::vector<pid_t> pids;
            for (std::string_view item : split_list(text, ", ")) {
                std::uint64_t v = 0;
                if (!parse_u64(item, v) || v == 0 || v > 0x3FFFFFFF) {
                    st.notice = fmt::format("invalid PID '{}'", item);
                    return e;
                }
                pids.push_back(static_cast<pid_t>(v));
            }
            vs.pids = std::move(pids);
            back_to_top(st);
            e.rebuild = true;
            break;
        }
        case Mode::ionice_input: {
            auto prio = parse_ioprio(text);
            if (!prio) {
                st.notice =
                    fmt::format("invalid I/O priority '{}': use be/0-7, rt/0-7 or idle", text);
                return e;
            }
            if (!st.selected) return e;
            TaskAction a;
            a.kind = TaskAction::Kind::ionice;
            a.pid = *st.selected;
            a.whole_process = vs.processes;
            a.prio = *prio;
            a.label = st.target_label;
            e.action = a;
            break;
        }
        case Mode::nice_input: {
            auto nice = parse_nice(text);
            if (!nice) {
                st.notice = fmt::format("not a nice value: '{}' (use -20 to 19)", text);
                return e;
            }
            if (!st.selected) return e;
            TaskAction a;
            a.kind = TaskAction::Kind::renice;
            a.pid = *st.selected;
            a.whole_process = vs.processes;
            a.nice = *nice;
            a.label = st.target_label;
            e.action = a;
            break;
        }
        case Mode::kill_input: {
            auto sig = parse_signal(text.empty() ? "TERM" : text);
            if (!sig) {
                st.notice = fmt::format("unknown signal '{}'", text);
                return e;
            }
            if (!st.selected) return e;
            TaskAction a;
            a.kind = TaskAction::Kind::signal;
            a.pid = *st.selected;
            a.whole_process = vs.processes;
            a.signal = *sig;
            a.label = st.target_label;
            e.action = a;
            break;
        }
        case Mode::time_input: {
            auto at = parse_time_spec(text);
            if (!at) {
                st.notice = at.error().message;
                return e;
            }
            ReplayMove m;
            m.kind = ReplayMove::Kind::time;
            m.at = *at;
            e.replay = m;
            break;
        }
        case Mode::normal:
        case Mode::help:
        case Mode::columns:
            break;
    }
    return e;
}

// A column's title as the view shows it now (PID with -P).
std::string_view column_title(const ViewState& vs, ColumnId id) {
    return task_columns(vs.processes, vs.accumulated)[column_index(id)].title;
}

bool shows(std::span<const ColumnId> cols, ColumnId id) {
    return std::find(cols.begin(), cols.end(), id) != cols.end();
}

// Shows these columns (a set key, or the chooser applied); says so, and how the sort fell
// back when its column went.
void set_columns(ViewState& vs, InteractiveState& st, std::vector<ColumnId> cols,
                 std::string what) {
    const ColumnId old_sort = vs.sort;
    vs.columns = std::move(cols);
    st.columns_chosen = true;
    st.notice = std::move(what);
    if (fall_back_sort(vs)) {
        st.notice += fmt::format("{}{} is not shown: sorted by {}", st.notice.empty() ? "" : "; ",
                                 column_title(vs, old_sort), column_title(vs, vs.sort));
        back_to_top(st);
    }
}

std::string set_label(const ViewState& vs, std::string_view name, std::span<const ColumnId> set) {
    std::string titles;
    for (ColumnId id : set)
        titles += (titles.empty() ? "" : " ") + std::string(column_title(vs, id));
    return fmt::format("columns: {} ({})", name, titles);
}

// The column chooser's keys. Nothing here quits vigil: Esc (and q) close the chooser.
Effect handle_chooser(const Event& ev, ViewState& vs, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    ColumnChooser& c = st.chooser;
    const std::vector<ColumnId> lines = chooser_lines(c);
    const std::size_t n = lines.size();
    c.cursor = std::min(c.cursor, n - 1);
    const bool on_shown = c.cursor < c.shown.size();
    const ColumnId id = lines[c.cursor];
    const bool ch = ev.key == Key::character;
    const bool fkey = ev.key == Key::function;
    auto is_char = [&](char32_t x) { return ch && ev.ch == x; };
    auto is_fn = [&](char32_t x) { return fkey && ev.ch == x; };
    st.notice.clear();

    if (ev.key == Key::escape || is_char('q') || is_char('Q')) {
        st.mode = Mode::normal;
        return e;
    }
    if (ev.key == Key::enter || is_fn(10)) {
        st.mode = Mode::normal;
        const std::vector<ColumnId> before(shown_columns(vs).begin(), shown_columns(vs).end());
        if (c.shown != before) {
            set_columns(vs, st, c.shown, "");
            if (st.notice.empty()) st.notice = "columns applied";
            e.rebuild = true;
        }
        return e;
    }
    const std::size_t page = std::max<std::size_t>(st.page_rows, 1);
    switch (ev.key) {
        case Key::up:
            c.cursor = c.cursor > 0 ? c.cursor - 1 : 0;
            return e;
        case Key::down:
            c.cursor = std::min(c.cursor + 1, n - 1);
            return e;
        case Key::page_up:
            c.cursor = c.cursor > page ? c.cursor - page : 0;
            return e;
        case Key::page_down:
            c.cursor = std::min(c.cursor + page, n - 1);
            return e;
        case Key::home:
            c.cursor = 0;
            return e;
        case Key::end:
            c.cursor = n - 1;
            return e;
        default:
            break;
    }
    const bool toggle = is_char(' ');
    const bool add = toggle || is_fn(5);
    const bool remove = toggle || is_fn(9) || ev.key == Key::backspace;
    const int move = is_char('[') || is_char('-') || is_fn(7)   ? -1
                     : is_char(']') || is_char('+') || is_fn(8) ? 1
                                                                : 0;
    if (on_shown && remove) {
        if (c.shown.size() == 1) {
            st.notice = "at least one column stays shown";
            return e;
        }
        c.shown.erase(c.shown.begin() + static_cast<long>(c.cursor));
        // The cursor stays on the line, now the next shown column.
        c.cursor = std::min(c.cursor, c.shown.size() - 1);
        return e;
    }
    if (!on_shown && add) {
        const std::size_t k = c.cursor - c.shown.size();  // its place among the others
        // COMMAND stays last: a column joins before it.
        auto at = id == ColumnId::command
                      ? c.shown.end()
                      : std::find(c.shown.begin(), c.shown.end(), ColumnId::command);
        c.shown.insert(at, id);
        // The cursor goes to what followed it among the others, to add several in a row.
        c.cursor = std::min(c.shown.size() + k, n - 1);
        return e;
    }
    if (move != 0) {
        if (!on_shown) {
            st.notice = "show the column first (Space), then move it";
            return e;
        }
        const std::size_t i = c.cursor;
        if (id == ColumnId::command) {
            st.notice = "COMMAND stays last";
            return e;
        }
        if (move < 0 && i == 0) return e;
        if (move > 0 && (i + 1 >= c.shown.size() || c.shown[i + 1] == ColumnId::command)) {
            if (i + 1 < c.shown.size()) st.notice = "COMMAND stays last";
            return e;
        }
        const std::size_t j = move < 0 ? i - 1 : i + 1;
        std::swap(c.shown[i], c.shown[j]);
        c.cursor = j;
        return e;
    }
    e.redraw = false;
    return e;
}

// The time keys: moves in a recording, or a notice when the view is live.
Effect replay_key(Action action, InteractiveState& st) {
    Effect e;
    e.redraw = true;
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
        default:  // go to a time
            st.mode = Mode::time_input;
            st.input.clear();
            return e;
    }
    e.replay = m;
    return e;
}

Effect handle_input_mode(const Event& ev, ViewState& vs, InteractiveState& st) {
    Effect e;
    e.redraw = true;
    // Enter and Esc as the table binds them; a character is text here, whatever it is bound
    // to in the view.
    if (const KeyTrigger* t = find_trigger(ev); t && ev.key != Key::character) {
        if (t->action == Action::confirm) return finish_input(vs, st);
        if (t->action == Action::cancel) {
            st.mode = Mode::normal;
            st.input.clear();
            return e;
        }
    }
    switch (ev.key) {
        case Key::backspace:
            if (!st.input.empty()) {
                // Drop one UTF-8 character, not one byte.
                std::size_t n = st.input.size() - 1;
                while (n > 0 && (static_cast<unsigned char>(st.input[n]) & 0xC0) == 0x80) --n;
                st.input.resize(n);
            }
            return e;
        case Key::character:
            if (ev.ch >= 0x20 && ev.ch != 0x7F && st.input.size() < 256) {
                char32_t c = ev.ch;
                if (c < 0x80) {
                    st.input += static_cast<char>(c);
                } else if (c < 0x800) {
                    st.input += static_cast<char>(0xC0 | (c >> 6));
                    st.input += static_cast<char>(0x80 | (c & 0x3F));
                } else if (c < 0x10000) {
                    st.input += static_cast<char>(0xE0 | (c >> 12));
                    st.input += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
                    st.input += static_cast<char>(0x80 | (c & 0x3F));
                } else {
                    st.input += static_cast<char>(0xF0 | (c >> 18));
                    st.input += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
                    st.input += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
                    st.input += static_cast<char>(0x80 | (c & 0x3F));
                }
            }
            return e;
        default:
            e.redraw = false;
            return e;
    }
}

}  // namespace

std::span<const KeyBinding> key_bindings() {
    return kBindings;
}

const KeyTrigger* find_trigger(const Event& ev) {
    for (const KeyBinding& b : kBindings)
        for (const KeyTrigger& t : b.triggers())
            if (t.matches(ev)) return &t;
    return nullptr;
}

void back_to_top(InteractiveState& st) {
    st.selected.reset();
    st.selected_index = 0;
    st.scroll = 0;
}

std::size_t pane_column_count(Pane p) {
    if (p == Pane::tasks) return 0;
    return table_columns(pane_kind(p)).size();
}

std::optional<IoPrio> parse_ioprio(std::string_view text) {
    std::string t(trim(text));
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "idle" || t == "3") return IoPrio{IoPrio::Class::idle, 0};
    if (t == "none") return IoPrio{IoPrio::Class::none, 0};
    IoPrio::Class cls;
    std::string_view rest;
    if (t.rfind("be", 0) == 0) {
        cls = IoPrio::Class::be;
        rest = std::string_view(t).substr(2);
    } else if (t.rfind("rt", 0) == 0) {
        cls = IoPrio::Class::rt;
        rest = std::string_view(t).substr(2);
    } else {
        return std::nullopt;
    }
    while (!rest.empty() && (rest.front() == '/' || rest.front() == ' ')) rest.remove_prefix(1);
    if (rest.empty()) return IoPrio{cls, 4};
    std::uint64_t level = 0;
    if (!parse_u64(rest, level) || level > 7) return std::nullopt;
    return IoPrio{cls, static_cast<std::uint8_t>(level)};
}

std::optional<int> parse_nice(std::string_view text) {
    std::string_view t = trim(text);
    bool negative = false;
    if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
        negative = t.front() == '-';
        t.remove_prefix(1);
    }
    std::uint64_t v = 0;
    if (t.empty() || !parse_u64(t, v) || v > (negative ? 20U : 19U)) return std::nullopt;
    return negative ? -static_cast<int>(v) : static_cast<int>(v);
}

std::vector<ColumnId> chooser_lines(const ColumnChooser& c) {
    std::vector<ColumnId> lines = c.shown;
    for (std::size_t i = 0; i < kColumnCount; ++i) {
        const auto id = static_cast<ColumnId>(i);
        if (!shows(c.shown, id)) lines.push_back(id);
    }
    return lines;
}

bool fall_back_sort(ViewState& vs) {
    const std::span<const ColumnId> shown = shown_columns(vs);
    if (shown.empty() || shows(shown, vs.sort)) return false;
    ColumnId to = shown.front();
    bool found = false;
    for (ColumnId id : {ColumnId::cpu, ColumnId::io, ColumnId::disk_write, ColumnId::disk_read})
        if (shows(shown, id)) {
            to = id;
            found = true;
            break;
        }
    if (!found) {
        auto num =
            std::find_if(shown.begin(), shown.end(), [](ColumnId id) { return is_numeric(id); });
        if (num != shown.end()) to = *num;
    }
    vs.sort = to;
    vs.reverse = false;
    return true;
}

std::optional<int> parse_signal(std::string_view text) {
    std::string t(trim(text));
    if (t.empty()) return std::nullopt;
    std::uint64_t num = 0;
    if (parse_u64(t, num)) {
        if (num == 0 || num > 64) return std::nullopt;
        return static_cast<int>(num);
    }
    for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t.rfind("SIG", 0) == 0) t.erase(0, 3);
    static constexpr std::pair<std::string_view, int> names[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
        {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    };
    for (const auto& [name, sig] : names)
        if (t == name) return sig;
    return std::nullopt;
}

void follow_selection(InteractiveState& st, const RowIds& rows) {
    if (rows.total == 0) {
        st.selected_index = 0;
        st.scroll = 0;
        return;
    }
    if (st.selected) {
        auto it = std::find(rows.ids.begin(), rows.ids.end(), *st.selected);
        if (it != rows.ids.end())
            st.selected_index = static_cast<std::size_t>(it - rows.ids.begin());
    }
    st.selected_index = std::min(st.selected_index, rows.total - 1);
    if (st.selected_index < rows.ids.size()) st.selected = rows.ids[st.selected_index];
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
    if (st.mode != Mode::normal && st.mode != Mode::help) return handle_input_mode(ev, vs, st);

    Effect e;
    e.redraw = true;
    if (st.mode == Mode::help) {
        // Any key leaves the help screen, q too (as in htop and less): it never quits.
        st.mode = Mode::normal;
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
            move_selection(st, rows, -1);
            e.rebuild = true;
            break;
        case Action::select_down:
            move_selection(st, rows, 1);
            e.rebuild = true;
            break;
        case Action::select_page_up:
            move_selection(st, rows, -static_cast<long>(page));
            e.rebuild = true;
            break;
        case Action::select_page_down:
            move_selection(st, rows, static_cast<long>(page));
            e.rebuild = true;
            break;
        case Action::select_first:
            move_selection(st, rows, -static_cast<long>(rows.total));
            e.rebuild = true;
            break;
        case Action::select_last:
            move_selection(st, rows, static_cast<long>(rows.total));
            e.rebuild = true;
            break;
        case Action::cancel:
            // Never quits (as in htop and iotop-c): clears the filter, else the notice.
            if (vs.filter.active()) {
                vs.filter.set("");
                back_to_top(st);
                e.rebuild = true;
            } else {
                st.notice.clear();
            }
            break;
        case Action::confirm:  // nothing to confirm outside an input
        case Action::click:    // the controller hit-tests clicks before they get here
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
            back_to_top(st);  // a tid is not a pid
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
            st.mode = Mode::filter_input;
            st.input = vs.filter.pattern();
            break;
        case Action::users:
            st.mode = Mode::user_input;
            st.input.clear();
            break;
        case Action::pids:
            st.mode = Mode::pid_input;
            st.input.clear();
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
            st.mode = action == Action::ionice   ? Mode::ionice_input
                      : action == Action::renice ? Mode::nice_input
                                                 : Mode::kill_input;
            st.input.clear();
            break;
        case Action::columns: {
            const std::span<const ColumnId> shown = shown_columns(vs);
            st.chooser = ColumnChooser{};
            st.chooser.shown.assign(shown.begin(), shown.end());
            st.mode = Mode::columns;
            st.notice.clear();
            break;
        }
        case Action::io_columns:
        case Action::top_columns: {
            const bool top = action == Action::top_columns;
            const std::span<const ColumnId> set = column_set(top ? ColumnSet::top : ColumnSet::io);
            set_columns(vs, st, {set.begin(), set.end()}, set_label(vs, top ? "top" : "io", set));
            e.rebuild = true;
            break;
        }
        case Action::slower:
            st.delay_s = std::min(st.delay_s * 2, kMaxDelay);
            break;
        case Action::faster:
            st.delay_s = std::max(st.delay_s / 2, kMinDelay);
            break;
        case Action::pause:
            st.paused = !st.paused;
            break;
        case Action::help:
            st.mode = Mode::help;
            break;
        case Action::redraw:  // e.redraw is all it takes
            break;
        case Action::next_pane:
            st.pane = static_cast<Pane>((static_cast<std::size_t>(st.pane) + 1) % kPaneCount);
            e.rebuild = true;
            break;
        case Action::tasks_pane:
            st.pane = Pane::tasks;
            e.rebuild = true;
            break;
        case Action::disks_pane:
            st.pane = Pane::disks;
            e.rebuild = true;
            break;
        case Action::fs_pane:
            st.pane = Pane::fs;
            e.rebuild = true;
            break;
        case Action::net_pane:
            st.pane = Pane::net;
            e.rebuild = true;
            break;
        case Action::sensors_pane:
            st.pane = Pane::sensors;
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
            return replay_key(action, st);
    }
    return e;
}

}  // namespace vigil
