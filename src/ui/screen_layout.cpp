#include "vigil/ui/screen_layout.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "line_builder.hpp"
#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/filter.hpp"
#include "vigil/ui/batch/text_writer.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/ui/table_text.hpp"

namespace vigil {
namespace {

// Lines above the table: two summary lines and the status line.
constexpr int kTopLines = 3;

using Builder = LineBuilder;

std::string interval_label(double s) {
    return s >= 1 && s == static_cast<long>(s) ? fmt::format("{:.0f} s", s)
                                               : fmt::format("{:g} s", s);
}

// "every 1 s" live; in a replay the interval the samples were recorded at, and the speed
// they are played at when + / - (or -d) made it differ: "every 1 s, played at 8x". A
// replay whose interval is not known says only its pace.
std::string interval_status(const ScreenInput& in, const InteractiveState& st) {
    if (!st.replay) return "every " + interval_label(st.delay_s);
    if (!in.recorded_interval_s) return "played every " + interval_label(st.delay_s);
    std::string out = "every " + interval_label(*in.recorded_interval_s);
    const std::string speed = playback_speed(in.recorded_interval_s, st.delay_s);
    if (speed != "1x") out += ", played at " + speed;
    return out;
}

// "users root,www-data", "PID 4242", "PIDs 1,2,3 +5 more": the status line names the
// filter instead of counting it.
std::string id_filter_label(std::string_view kind, const std::vector<std::string>& labels,
                            bool utf8) {
    constexpr std::size_t kNamed = 3;
    std::string out = fmt::format("{}{} ", kind, labels.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < labels.size() && i < kNamed; ++i) {
        if (i) out += ',';
        out += escape_for_terminal(labels[i], utf8);
    }
    if (labels.size() > kNamed) out += fmt::format(" +{} more", labels.size() - kNamed);
    return out;
}

std::vector<std::string> user_labels(const ScreenInput& in) {
    if (in.user_names.size() == in.view->uids.size()) return in.user_names;
    std::vector<std::string> out;  // no names given (a test): the uids
    for (uid_t uid : in.view->uids) out.push_back(std::to_string(uid));
    return out;
}

std::vector<std::string> pid_labels(const std::vector<pid_t>& pids) {
    std::vector<std::string> out;
    for (pid_t pid : pids) out.push_back(std::to_string(pid));
    return out;
}

std::string prompt_for(const InteractiveState& st) {
    switch (st.mode) {
        case Mode::filter_input:
            return "Filter (text or regex, Enter applies, Esc cancels): " + st.input;
        case Mode::cgroup_input:
            return "Cgroup path (text or regex, as --cgroup; Enter applies, Esc cancels): " +
                   st.input;
        case Mode::user_input:
            return "Users (names or uids, comma separated; empty: all): " + st.input;
        case Mode::pid_input:
            return "PIDs (comma separated; empty: all): " + st.input;
        case Mode::ionice_input:
            return fmt::format("ionice {} {} - class/level (be/0-7, rt/0-7, idle): {}",
                               st.selected.value_or(0), st.target_label, st.input);
        case Mode::nice_input:
            return fmt::format("renice {} {} - nice value (-20..19, lower runs first): {}",
                               st.selected.value_or(0), st.target_label, st.input);
        case Mode::kill_input:
            return fmt::format("Send signal to {} {}? signal [TERM], Enter sends, Esc cancels: {}",
                               st.selected.value_or(0), st.target_label, st.input);
        case Mode::time_input:
            return "Go to time (YYYY-MM-DD HH:MM[:SS], HH:MM[:SS], +/-DURATION such as -5m): " +
                   st.input;
        case Mode::normal:
        case Mode::help:
        case Mode::columns:
        case Mode::inspector:
            break;
    }
    return {};
}

// text without `skip` display columns from column `from` on: COMMAND scrolled sideways. A
// wide character cut in two leaves a space for its kept half.
std::string skip_columns(std::string_view text, std::size_t from, std::size_t skip) {
    const std::string_view head = truncate_to_width(text, from);
    std::string_view rest = text.substr(head.size());
    const std::string_view gone = truncate_to_width(rest, skip);
    rest.remove_prefix(gone.size());
    std::string out(head);
    if (display_width(gone) < skip && !rest.empty()) {
        rest.remove_prefix(truncate_to_width(rest, 2).size());
        out += ' ';
    }
    out += rest;
    return out;
}

// The prompt line: the question, the input, and the cursor on the input (reverse video; a
// space at the end). A line wider than the screen loses its start, so the cursor shows.
void prompt_bar(Builder& b, const InteractiveState& st) {
    const std::string text = prompt_for(st);
    const std::size_t input_at = text.size() - std::min(text.size(), st.input.size());
    std::string_view before(text.data(), input_at + std::min(st.input_cursor, st.input.size()));
    std::string_view rest = std::string_view(text).substr(before.size());
    std::size_t n = rest.empty() ? 0 : 1;
    while (n < rest.size() && (static_cast<unsigned char>(rest[n]) & 0xC0) == 0x80) ++n;
    const std::string under = n ? std::string(rest.substr(0, n)) : " ";
    rest.remove_prefix(n);
    const auto width = static_cast<std::size_t>(std::max(b.width(), 1));
    while (!before.empty() && display_width(before) + display_width(under) > width) {
        std::size_t k = 1;
        while (k < before.size() && (static_cast<unsigned char>(before[k]) & 0xC0) == 0x80) ++k;
        before.remove_prefix(k);
    }
    std::string after(rest);
    const std::size_t used = display_width(before) + display_width(under) + display_width(after);
    if (used < width) after.append(width - used, ' ');
    b.line({Segment{std::string(before), Style::prompt}, Segment{under, Style::selected_row},
            Segment{std::move(after), Style::prompt}});
}

std::string pane_hint(Pane p) {
    if (p == Pane::cgroups)
        return "q quit  h help  Up/Down select  Enter its tasks  T tree/flat  <- -> sort pane  "
               "r reverse  \\ cgroup filter  Tab focus  G close  t tasks only";
    if (p != Pane::tasks)
        return "q quit  h help  <- -> sort pane  r reverse  Tab focus  d m n s G open/close  "
               "t tasks only  1 cores";
    // What matters most first: a narrow screen cuts the end.
    return "q quit  h help  <- -> sort  r reverse  / filter  C columns  2 io  3 top  N nice  "
           "i ionice  k kill  o active  p procs  T tree  a accum  { } scroll cmd  d m n s G panes  "
           "Tab focus";
}

std::string replay_hint() {
    return "q quit  h help  Space play/pause  , . step  [ ] minute  g go to time  <- -> sort  "
           "C columns  2 io  3 top  d m n s G panes  Tab focus";
}

void too_small(ScreenLayout& out, int width, int height) {
    out.too_small = true;
    std::string msg = fmt::format("terminal too small ({}x{}, need at least {}x{})", width, height,
                                  kMinWidth, kMinHeight);
    // Wrap at spaces so the whole message shows even on a tiny screen.
    Builder b(std::max(width, 1));
    std::string cur;
    std::size_t w = static_cast<std::size_t>(std::max(width, 1));
    std::size_t pos = 0;
    while (pos < msg.size() && static_cast<int>(b.count()) < height) {
        std::size_t next = msg.find(' ', pos);
        std::string word =
            msg.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        pos = next == std::string::npos ? msg.size() : next + 1;
        if (!cur.empty() && cur.size() + 1 + word.size() > w) {
            b.line(cur, Style::notice);
            cur.clear();
        }
        cur += cur.empty() ? word : " " + word;
    }
    if (!cur.empty() && static_cast<int>(b.count()) < height) b.line(cur, Style::notice);
    out.lines = b.take();
}

// The key reference, scrolled (InteractiveState::help_scroll) at any height, with a footer
// that says which lines are shown and how to see the others.
void help_screen(ScreenLayout& out, const InteractiveState& st, int width, int height) {
    Builder b(width);
    b.bar("vigil keys - Up/Down, PgUp/PgDn, Home/End scroll; any other key returns (q too)",
          Style::column_header);
    const std::span<const KeyBinding> keys = key_bindings();
    const std::size_t room = help_page_rows(height);
    const std::size_t last = keys.size() > room ? keys.size() - room : 0;
    const std::size_t first = std::min(st.help_scroll, last);
    const std::size_t end = std::min(first + room, keys.size());
    for (std::size_t i = first; i < end; ++i)
        b.line({Segment{fmt::format("  {:<18} ", keys[i].keys), Style::status},
                Segment{std::string(keys[i].what), Style::normal}});
    while (static_cast<int>(b.count()) < height - 1) b.line("", Style::normal);
    b.bar(fmt::format("keys {}-{} of {}{}", first + 1, end, keys.size(),
                      end < keys.size() ? " - more below (Down, PgDn, End)"
                      : first > 0       ? " - the end (Up, PgUp, Home for the start)"
                                        : ""),
          Style::hint);
    out.lines = b.take();
}

// The column chooser (C, F2): the shown columns in order, then the others, each with its
// title and help; the cursor's line highlighted, scrolled into view at any height.
void chooser_screen(ScreenLayout& out, const ViewState& vs, const InteractiveState& st, int width,
                    int height) {
    const std::span<const ColumnSpec> specs = task_columns(vs.processes, vs.accumulated);
    Builder b(width);
    const ColumnChooser& c = st.chooser;
    b.bar(
        "Columns - Up/Down choose, Space shows/hides, [ ] (F7/F8) move, Enter (F10) applies, "
        "Esc cancels",
        Style::column_header);
    b.line(
        st.notice.empty() ? fmt::format("{} shown; COMMAND stays last", c.shown.size()) : st.notice,
        st.notice.empty() ? Style::status : Style::notice);
    const std::vector<ColumnId> lines = chooser_lines(c);
    const std::size_t room = static_cast<std::size_t>(std::max(height - 2, 1));
    const std::size_t cursor = std::min(c.cursor, lines.size() - 1);
    const std::size_t first = cursor >= room ? cursor - room + 1 : 0;
    for (std::size_t i = first; i < lines.size() && i - first < room; ++i) {
        const ColumnSpec& spec = specs[column_index(lines[i])];
        const bool shown = i < c.shown.size();
        std::string text =
            fmt::format("{} {:>2} {:<11} {}", shown ? "[x]" : "[ ]",
                        shown ? std::to_string(i + 1) : std::string(), spec.title, spec.help);
        if (i == cursor) {
            const std::size_t w = display_width(text);
            if (w < static_cast<std::size_t>(width))
                text.append(static_cast<std::size_t>(width) - w, ' ');
        }
        b.line(std::move(text), i == cursor ? Style::selected_row
                                : shown     ? Style::row
                                            : Style::normal);
    }
    out.lines = b.take();
}

}  // namespace

std::string task_header_title(const ColumnSpec& c, const ViewState& vs) {
    std::string title(c.title);
    if (static_cast<ColumnId>(c.id) == vs.sort) title += (c.descending != vs.reverse) ? ">" : "<";
    return title;
}

namespace {
bool has_notice(const ScreenInput& in) {
    return !in.state->notice.empty() || !in.notices.empty();
}
}  // namespace

int wide_view_width() {
    int w = 0;
    for (ColumnId id : column_set(ColumnSet::top)) {
        if (id == ColumnId::command) continue;
        const ColumnSpec& c = task_column(id);
        // The widest title of -P and -a too (PID, amounts) is no wider: widths are fixed.
        w += std::max(c.width, static_cast<int>(c.title.size())) + 1;
    }
    return w + kWideCommandRoom;
}

namespace {

// The plan with `summary` lines of the machine summary (the rule: plan_screen).
ScreenPlan plan_with_summary(const ScreenInput& in, int height, std::size_t summary) {
    ScreenPlan p;
    p.summary_lines = summary;
    const int top = static_cast<int>(summary) + kTopLines + (has_notice(in) ? 1 : 0);
    const auto room = static_cast<std::size_t>(std::max(height - top - 1, 0));  // the hint line
    std::array<std::size_t, kPaneCount> wanted{}, least{};
    std::vector<std::size_t> kept;  // the open panes, in order
    for (std::size_t i = 0; i < kPaneCount; ++i) {
        if (static_cast<Pane>(i) == Pane::tasks || !in.panes[i]) continue;
        wanted[i] = pane_lines_wanted(*in.panes[i]);
        // Its title, its first table's notes (they say why a value is missing), its column
        // titles and a row.
        const std::size_t notes = in.panes[i]->empty() ? 0 : in.panes[i]->front().notes.size();
        least[i] = std::min(wanted[i], kMinPaneLines + notes);
        kept.push_back(i);
    }
    if (kept.empty()) {
        p.task_rows = room > 1 ? room - 1 : 0;  // the column titles
        return p;
    }
    auto sum = [&](const std::array<std::size_t, kPaneCount>& lines) {
        std::size_t n = 0;
        for (std::size_t i : kept) n += lines[i];
        return n;
    };
    // The task table's title, its column titles and its fewest rows.
    constexpr std::size_t kTaskLeast = 2 + kMinTaskRows;
    const std::size_t beside = room > kTaskLeast ? room - kTaskLeast : 0;
    // Panes that do not all fit whole take at most half the room, or what their least needs.
    const std::size_t budget =
        sum(wanted) <= beside ? beside : std::min(beside, std::max(room / 2, sum(least)));
    // Left out until the rest fit at their least: the last first, the focused one last.
    const auto focus = static_cast<std::size_t>(in.state->pane);
    while (sum(least) > budget) {
        auto it =
            std::find_if(kept.rbegin(), kept.rend(), [&](std::size_t i) { return i != focus; });
        if (it == kept.rend()) break;
        p.no_room[*it] = true;
        kept.erase(std::next(it).base());
    }
    if (sum(least) > budget) {
        // The focused pane alone, with no room beside the tasks: instead of them.
        p.tasks_shown = false;
        p.pane_share[focus] = room;
        p.pane_lines = room;
        return p;
    }
    for (std::size_t i : kept) p.pane_share[i] = least[i];
    // The rest of the budget a line at a time to each pane that wants more, in turn.
    std::size_t extra = budget - sum(least);
    for (bool grew = true; extra > 0 && grew;) {
        grew = false;
        for (std::size_t i : kept) {
            if (extra > 0 && p.pane_share[i] < wanted[i]) {
                ++p.pane_share[i];
                --extra;
                grew = true;
            }
        }
    }
    p.pane_lines = sum(p.pane_share);
    p.task_title = p.pane_lines > 0;
    const std::size_t above = p.pane_lines + 1 + (p.task_title ? 1 : 0);  // + column titles
    p.task_rows = room > above ? room - above : 0;
    return p;
}

}  // namespace

ScreenPlan plan_screen(const ScreenInput& in, int width, int height) {
    const std::size_t full = in.overview ? overview_summary_lines(*in.overview, width) : 0;
    // The summary gives way first, from its last line up (the per-core bars, then Tasks,
    // PSI, memory; the CPU line stays), before the task table goes below kMinTaskRows rows
    // or a pane above it is cut, left out or takes its place.
    const std::size_t floor = std::min<std::size_t>(full, 1);
    for (std::size_t summary = full;; --summary) {
        ScreenPlan p = plan_with_summary(in, height, summary);
        bool whole = true;
        for (std::size_t i = 0; i < kPaneCount; ++i)
            if (static_cast<Pane>(i) != Pane::tasks && in.panes[i])
                whole = whole && p.pane_share[i] == pane_lines_wanted(*in.panes[i]);
        const bool fits = p.tasks_shown && p.task_rows >= kMinTaskRows && whole;
        if (fits || summary <= floor) return p;
    }
}

ScreenLayout layout_screen(const ScreenInput& in, int width, int height) {
    ScreenLayout out;
    out.width = width;
    out.height = height;
    if (width < kMinWidth || height < kMinHeight) {
        too_small(out, width, height);
        return out;
    }
    const InteractiveState& st = *in.state;
    if (st.mode == Mode::help) {
        help_screen(out, st, width, height);
        return out;
    }
    if (st.mode == Mode::columns) {
        chooser_screen(out, *in.view, st, width, height);
        return out;
    }
    const Table& m = *in.tasks;
    const ViewState& vs = *in.view;
    const ScreenPlan plan = plan_screen(in, width, height);
    Builder b(width);
    // Collapsed from its last line on a short screen.
    if (in.overview) append_overview_summary(b, *in.overview, plan.summary_lines);

    for (const std::string& line : task_summary_lines(m, vs.units)) b.line(line, Style::summary);

    std::string status =
        fmt::format("{} threads, {} processes | {} | {} row{}", in.threads, in.processes,
                    interval_status(in, st), m.matched_rows, m.matched_rows == 1 ? "" : "s");
    if (!in.recording_label.empty()) status = in.recording_label + " | " + status;
    if (!in.time_label.empty()) status = in.time_label + " | " + status;
    if (vs.filter.active())
        status += fmt::format(" | filter{}: {}", vs.filter.is_regex() ? " (regex)" : "",
                              escape_for_terminal(vs.filter.pattern(), vs.utf8));
    if (vs.cgroup_filter.active())
        status += fmt::format(" | cgroup{}: {}", vs.cgroup_filter.is_regex() ? " (regex)" : "",
                              escape_for_terminal(vs.cgroup_filter.pattern(), vs.utf8));
    if (!vs.cgroup_subtree.empty())
        status +=
            fmt::format(" | tasks of cgroup {}", escape_for_terminal(vs.cgroup_subtree, vs.utf8));
    if (!vs.uids.empty()) status += " | " + id_filter_label("user", user_labels(in), vs.utf8);
    if (!vs.pids.empty()) status += " | " + id_filter_label("PID", pid_labels(vs.pids), vs.utf8);
    if (vs.only_active) status += " | only active";
    if (vs.accumulated) status += " | accumulated";
    if (vs.tree) status += " | tree";
    if (st.paused) status += " | PAUSED";
    // Open panes left out for lack of room: said first, so a narrow screen does not cut it.
    std::string no_room;
    for (std::size_t i = 0; i < kPaneCount; ++i)
        if (plan.no_room[i])
            no_room += (no_room.empty() ? "" : ", ") + std::string(pane_name(static_cast<Pane>(i)));
    if (!no_room.empty()) status = "no room for " + no_room + " | " + status;
    b.line(status, Style::status);

    std::string notice = st.notice;
    if (notice.empty()) {
        for (const std::string& n : in.notices) notice += (notice.empty() ? "" : " | ") + n;
    }
    if (!notice.empty()) b.line(notice, Style::notice);

    // The open panes, stacked in Pane's order, each in its share of the lines.
    for (std::size_t i = 0; i < kPaneCount; ++i) {
        const auto pane = static_cast<Pane>(i);
        if (plan.pane_share[i] == 0 || !in.panes[i]) continue;
        // The cgroup pane scrolls and has a selection (Enter shows its tasks).
        const bool groups = pane == Pane::cgroups;
        const PaneCursor cursor{groups ? st.cgroup_pane.scroll : 0,
                                groups && st.cgroup_pane.selected
                                    ? std::optional<std::size_t>(st.cgroup_pane.selected_index)
                                    : std::nullopt};
        append_pane_tables(b, *in.panes[i], st.pane_sort[i], vs.units, plan.pane_share[i], vs.utf8,
                           cursor, st.pane == pane);
    }
    if (!plan.tasks_shown) {
        while (static_cast<int>(b.count()) < height - 1) b.line("", Style::normal);
        if (st.mode != Mode::normal)
            prompt_bar(b, st);
        else
            b.bar(st.replay ? replay_hint() : pane_hint(st.pane), Style::hint);
        out.lines = b.take();
        return out;
    }
    // With panes on screen, the task table has a title too, marked when it has the focus.
    if (plan.task_title) {
        const bool focused = st.pane == Pane::tasks;
        std::string title = vs.processes ? "Processes" : "Threads";
        if (focused)
            b.line(std::string(kFocusMark) + title, Style::selected_row);
        else
            b.line(title + " (Tab focuses the next table)", Style::summary);
    }

    // Column titles, with the spans a click is tested against.
    out.header_y = static_cast<int>(b.count());
    std::vector<Segment> header;
    int x = 0;
    for (std::size_t ci = 0; ci < m.columns.size(); ++ci) {
        const ColumnSpec& c = m.columns[ci];
        const ColumnId id = static_cast<ColumnId>(c.id);
        if (x > 0) {
            header.push_back(Segment{" ", Style::column_header});
            ++x;
        }
        std::string title;
        std::string name = task_header_title(c, vs);
        if (id == ColumnId::command && st.command_scroll > 0)
            name += fmt::format(" +{}", st.command_scroll);  // scrolled sideways by { }
        append_padded(title, name, static_cast<std::size_t>(std::max(c.width, 0)), c.align,
                      ci + 1 == m.columns.size());
        int w = static_cast<int>(display_width(title));
        int x1 = c.width > 0 ? x + w : width;  // the last column takes the rest of the line
        out.spans.push_back(ColumnSpan{id, x, x1});
        header.push_back(
            Segment{title, id == vs.sort ? Style::sorted_header : Style::column_header});
        x += w;
    }
    if (x < width)
        header.push_back(
            Segment{std::string(static_cast<std::size_t>(width - x), ' '), Style::column_header});
    b.line(std::move(header));

    // COMMAND's first display column, for { }: it is the last column, the rest of the line.
    std::optional<std::size_t> command_x;
    for (const ColumnSpan& span : out.spans)
        if (span.id == ColumnId::command) command_x = static_cast<std::size_t>(span.x0);

    // Rows: as many as fit, from the scroll position.
    std::size_t room =
        static_cast<std::size_t>(std::max(0, height - static_cast<int>(b.count()) - 1));
    out.first_row_y = static_cast<int>(b.count());
    for (std::size_t i = st.scroll; i < m.rows.size() && out.shown_rows < room;
         ++i, ++out.shown_rows) {
        const bool selected = st.selected && i < m.refs.size() && *st.selected == m.refs[i].id;
        const bool hot = row_is_active(m, i);
        std::string text = format_task_row(m, i, vs);
        if (st.command_scroll > 0 && command_x)
            text = skip_columns(text, *command_x, st.command_scroll);
        if (selected) {
            std::size_t w = display_width(text);
            if (w < static_cast<std::size_t>(width))
                text.append(static_cast<std::size_t>(width) - w, ' ');
        }
        b.line(std::move(text), selected ? Style::selected_row : hot ? Style::hot : Style::row);
    }
    while (static_cast<int>(b.count()) < height - 1) b.line("", Style::normal);

    // Bottom line: an input prompt, or the key hint.
    if (st.mode != Mode::normal) {
        prompt_bar(b, st);
    } else {
        b.bar(st.replay ? replay_hint() : pane_hint(st.pane), Style::hint);
    }
    out.lines = b.take();
    return out;
}

ClickTarget hit_test(const ScreenLayout& layout, const InteractiveState& st, int x, int y) {
    ClickTarget t;
    if (layout.too_small) return t;
    if (y == layout.header_y) {
        for (const ColumnSpan& s : layout.spans) {
            if (x >= s.x0 && x < s.x1) {
                t.kind = ClickTarget::Kind::column;
                t.column = s.id;
                return t;
            }
        }
        return t;
    }
    if (layout.first_row_y >= 0 && y >= layout.first_row_y &&
        y < layout.first_row_y + static_cast<int>(layout.shown_rows)) {
        t.kind = ClickTarget::Kind::row;
        t.row = st.scroll + static_cast<std::size_t>(y - layout.first_row_y);
    }
    return t;
}

Effect apply_click(const ClickTarget& t, ViewState& vs, InteractiveState& st, const RowIds& rows) {
    Effect e;
    switch (t.kind) {
        case ClickTarget::Kind::none:
            return e;
        case ClickTarget::Kind::column:
            if (vs.sort == t.column) {
                vs.reverse = !vs.reverse;
            } else {
                vs.sort = t.column;
                vs.reverse = false;
            }
            back_to_top(st);  // a new order starts at the top, as the keys do
            e.redraw = e.rebuild = true;
            return e;
        case ClickTarget::Kind::row:
            if (t.row < rows.ids.size()) {
                st.selected = rows.ids[t.row];
                st.selected_index = t.row;
                st.selection_on_top = false;
                e.redraw = true;
            }
            return e;
    }
    return e;
}

std::string playback_speed(std::optional<double> recorded_interval_s, double delay_s) {
    if (!recorded_interval_s || !(delay_s > 0)) return "";
    const double speed = *recorded_interval_s / delay_s;
    // The ladder's paces give speeds such as 8, 0.5 and 3.33: three digits say them all.
    return fmt::format("{:.3g}x", speed);
}

}  // namespace vigil
