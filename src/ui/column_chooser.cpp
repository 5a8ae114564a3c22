// The view's columns: the chooser (htop's F2: show, hide, reorder) and the ready sets, and
// the sort's fall-back when its column goes. The rest of the keys are in keymap.cpp.
#include "column_chooser.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "vigil/model/columns.hpp"

namespace vigil {
namespace {

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

}  // namespace

void open_chooser(const ViewState& vs, InteractiveState& st) {
    const std::span<const ColumnId> shown = shown_columns(vs);
    st.chooser = ColumnChooser{};
    st.chooser.shown.assign(shown.begin(), shown.end());
    st.mode = Mode::columns;
    st.notice.clear();
}

void show_column_set(ViewState& vs, InteractiveState& st, ColumnSet which) {
    const std::span<const ColumnId> set = column_set(which);
    set_columns(vs, st, {set.begin(), set.end()},
                set_label(vs, which == ColumnSet::top ? "top" : "io", set));
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

}  // namespace vigil
