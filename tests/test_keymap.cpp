#include <catch2/catch.hpp>

#include <chrono>
#include <clocale>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "fixture_util.hpp"
#include "key_events.hpp"
#include "vigil/app/options.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/screen_layout.hpp"

using namespace vigil;
using vigil::test::ch;
using vigil::test::key;

namespace {

struct Fixture {
    ViewState vs;
    InteractiveState st;
    std::vector<pid_t> ids{10, 20, 30, 40, 50};
    std::vector<pid_t> pids;  // the rows' processes, when a test needs them (p)
    RowIds rows() const { return RowIds{ids, ids.size(), {}, {}, pids}; }
    Effect press(const Event& e) { return handle_event(e, vs, st, rows()); }
    void type(std::string_view s) {
        for (char c : s) press(ch(static_cast<unsigned char>(c)));
    }
};
}  // namespace

TEST_CASE("arrows change the sort column and wrap; r reverses", "[keys]") {
    Fixture f;
    REQUIRE(f.vs.sort == ColumnId::io);
    CHECK(f.press(key(Key::right)).rebuild);
    CHECK(f.vs.sort == ColumnId::command);
    f.press(key(Key::right));
    CHECK(f.vs.sort == ColumnId::id);
    f.press(key(Key::left));
    f.press(key(Key::left));
    CHECK(f.vs.sort == ColumnId::io);
    f.press(ch('r'));
    CHECK(f.vs.reverse);
    f.press(key(Key::left));
    CHECK_FALSE(f.vs.reverse);  // a new column starts in its natural direction
    CHECK(f.vs.sort == ColumnId::swapin);
}

TEST_CASE("toggles o p a c", "[keys]") {
    Fixture f;
    f.press(ch('o'));
    f.press(ch('p'));
    f.press(ch('a'));
    f.press(ch('c'));
    CHECK(f.vs.only_active);
    CHECK(f.vs.processes);
    CHECK(f.vs.accumulated);
    CHECK_FALSE(f.vs.full_command);
    f.press(ch('p'));
    CHECK_FALSE(f.vs.processes);
    // K hides kernel threads, as in htop; k still asks for a signal.
    f.press(ch('K'));
    CHECK(f.vs.hide_kernel_threads);
    f.press(ch('K'));
    CHECK_FALSE(f.vs.hide_kernel_threads);
}

TEST_CASE("selection moves, pages and stays in range", "[keys]") {
    Fixture f;
    f.st.page_rows = 2;
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);
    f.press(key(Key::down));
    CHECK(f.st.selected == 20);
    f.press(key(Key::page_down));
    CHECK(f.st.selected == 40);
    f.press(key(Key::end));
    CHECK(f.st.selected == 50);
    f.press(key(Key::down));
    CHECK(f.st.selected == 50);
    follow_selection(f.st, f.rows());
    CHECK(f.st.scroll == 3);  // the last two rows on a two-row page
    f.press(key(Key::home));
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);
    CHECK(f.st.scroll == 0);
}

TEST_CASE("the selection stays on the top row until the user moves it", "[keys]") {
    Fixture f;
    f.ids = {1, 2, 30};  // the first frame: no rates yet, rows in id order
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 1);
    f.ids = {30, 1, 2};  // the first rates sort the writer to the top
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 30);  // not PID 1, which was on top before
    CHECK(f.st.selected_index == 0);
    f.press(ch('k'));
    CHECK(f.st.mode == Mode::kill_input);
    Effect e = f.press(key(Key::enter));
    REQUIRE(e.action);
    CHECK(e.action->pid == 30);
}

TEST_CASE("the selection follows its task when rows move; a task that leaves takes it along",
          "[keys]") {
    Fixture f;
    f.st.page_rows = 10;
    follow_selection(f.st, f.rows());
    f.press(key(Key::down));
    f.press(key(Key::down));
    REQUIRE(f.st.selected == 30);
    f.ids = {30, 10, 20, 40, 50};  // a new sample moved 30 to the top
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 30);
    CHECK(f.st.selected_index == 0);
    f.ids = {50, 10, 20, 40, 30};  // and to the bottom
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 30);
    CHECK(f.st.selected_index == 4);
    f.ids = {10, 20, 40, 50};  // 30 exited: nothing is selected, not the row now in its place
    follow_selection(f.st, f.rows());
    CHECK_FALSE(f.st.selected);
    CHECK_FALSE(f.press(ch('k')).action);
    CHECK_THAT(f.st.notice, Catch::Contains("no task selected"));
    f.press(key(Key::down));  // the user picks again, from where it was
    CHECK(f.st.selected == 50);
    // Only part of the rows built (the controller builds them all before it gives up on a
    // task): not found there is not gone.
    f.ids = {10, 20};
    follow_selection(f.st, RowIds{f.ids, 5});
    CHECK(f.st.selected == 50);
}

TEST_CASE("an action's prompt keeps its task; if it leaves, the prompt closes and nothing is done",
          "[keys]") {
    Fixture f;
    follow_selection(f.st, f.rows());
    REQUIRE(f.st.selected == 10);
    f.press(ch('k'));
    REQUIRE(f.st.mode == Mode::kill_input);
    f.ids = {20, 10, 30, 40, 50};  // re-sorted while the prompt is open: still 10, not the top
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);
    CHECK(f.st.mode == Mode::kill_input);
    f.type("KILL");
    f.ids = {20, 30, 40, 50};  // 10 exited
    follow_selection(f.st, f.rows());
    CHECK(f.st.mode == Mode::normal);
    CHECK_THAT(f.st.notice, Catch::Contains("task 10 left the list"));
    CHECK_FALSE(f.press(key(Key::enter)).action);
    // The guard behind it: a prompt confirmed with nothing selected says so.
    follow_selection(f.st, f.rows());
    f.press(key(Key::down));
    f.press(ch('N'));
    REQUIRE(f.st.mode == Mode::nice_input);
    f.st.selected.reset();
    f.type("5");
    CHECK_FALSE(f.press(key(Key::enter)).action);
    CHECK_THAT(f.st.notice, Catch::Contains("nothing was done"));
}

TEST_CASE("a new order or filter under an i/N/k prompt keeps its task; Esc unpins", "[keys]") {
    Fixture f;
    follow_selection(f.st, f.rows());
    f.press(ch('k'));  // on the top row, never moved
    REQUIRE(f.st.mode == Mode::kill_input);
    back_to_top(f.st);  // what a resize to another column set or a sort fallback does
    f.ids = {50, 40, 10, 20, 30};
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);  // still the prompt's task, not the new top row
    f.press(key(Key::escape));
    CHECK(f.st.mode == Mode::normal);
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 50);  // never moved by the user: on top again
    f.press(key(Key::down));
    f.press(ch('k'));
    f.press(key(Key::escape));
    f.ids = {30, 50, 40, 10, 20};
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 40);  // moved by the user: it stays with its task
}

TEST_CASE("p takes the selection from a thread to its process and back", "[keys]") {
    Fixture f;
    f.ids = {10, 11, 12, 20};  // threads 11 and 12 of process 10
    f.pids = {10, 10, 10, 20};
    follow_selection(f.st, f.rows());
    f.press(key(Key::down));
    f.press(key(Key::down));
    REQUIRE(f.st.selected == 12);
    CHECK(f.press(ch('p')).rebuild);
    CHECK(f.vs.processes);
    CHECK(f.st.selected == 10);  // thread 12's process, not the top row
    f.ids = {20, 10};            // the processes, 20 on top
    f.pids = {20, 10};
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);
    CHECK(f.st.selected_index == 1);
    f.press(ch('p'));  // back to threads: the process's main thread
    CHECK_FALSE(f.vs.processes);
    f.ids = {12, 20, 11, 10};
    f.pids = {10, 20, 10, 10};
    follow_selection(f.st, f.rows());
    CHECK(f.st.selected == 10);
    CHECK(f.st.selected_index == 3);
    // Still on top (never moved): p keeps it on top.
    Fixture g;
    g.pids = g.ids;
    follow_selection(g.st, g.rows());
    g.press(ch('p'));
    g.ids = {40, 10};
    g.pids = g.ids;
    follow_selection(g.st, g.rows());
    CHECK(g.st.selected == 40);
}

TEST_CASE("/ filter: typed, applied with Enter, cleared with Esc", "[keys]") {
    Fixture f;
    f.press(ch('/'));
    CHECK(f.st.mode == Mode::filter_input);
    f.type("post");
    f.press(key(Key::backspace));
    f.type("tgres");
    Effect e = f.press(key(Key::enter));
    CHECK(e.rebuild);
    CHECK(f.st.mode == Mode::normal);
    CHECK(f.vs.filter.pattern() == "postgres");
    CHECK(f.vs.filter.matches("/usr/lib/POSTGRESQL/bin/postgres -D x"));
    CHECK_FALSE(f.vs.filter.matches("mysqld"));
    CHECK_FALSE(f.press(key(Key::escape)).quit);  // first Esc clears the filter
    CHECK_FALSE(f.vs.filter.active());
    CHECK_FALSE(f.press(key(Key::escape)).quit);  // nor the next one: Esc never quits
}

TEST_CASE("Esc clears every filter at once: text, users and PIDs", "[keys]") {
    Fixture f;
    f.vs.filter.set("fio");
    f.vs.uids = {0, 1000};
    f.vs.pids = {42};
    f.st.notice = "kept until the filters are gone";
    Effect e = f.press(key(Key::escape));
    CHECK_FALSE(e.quit);
    CHECK(e.rebuild);
    CHECK_FALSE(f.vs.filter.active());
    CHECK(f.vs.uids.empty());
    CHECK(f.vs.pids.empty());
    CHECK_FALSE(f.st.notice.empty());
    CHECK_FALSE(f.press(key(Key::escape)).quit);  // then the notice
    CHECK(f.st.notice.empty());
}

TEST_CASE("filters: regular expressions, and invalid ones as text", "[keys]") {
    TextFilter t;
    t.set("^kworker/[0-9]+");
    CHECK(t.is_regex());
    CHECK(t.matches("kworker/12:1"));
    CHECK_FALSE(t.matches("[kworker/x]"));
    t.set("a[");  // not a valid expression: a substring
    CHECK_FALSE(t.is_regex());
    CHECK(t.matches("data[1]"));
}

TEST_CASE("Esc cancels an input without applying it", "[keys]") {
    Fixture f;
    f.press(ch('u'));
    f.type("root");
    f.press(key(Key::escape));
    CHECK(f.st.mode == Mode::normal);
    CHECK(f.vs.uids.empty());
}

TEST_CASE("u and f set user and PID filters; bad values go to the notice line", "[keys]") {
    Fixture f;
    f.press(ch('u'));
    f.type("root,0 alice");
    Effect e = f.press(key(Key::enter));
    // The key map does not look names up (the user database may be remote): it hands the
    // names to the controller, which does (tests/test_controller.cpp).
    REQUIRE(e.users);
    CHECK(*e.users == std::vector<std::string>{"root", "0", "alice"});
    CHECK(f.vs.uids.empty());
    f.press(ch('u'));
    e = f.press(key(Key::enter));
    REQUIRE(e.users);
    CHECK(e.users->empty());  // empty: every user
    f.press(ch('f'));
    f.type("12, 34");
    f.press(key(Key::enter));
    CHECK(f.vs.pids == std::vector<pid_t>{12, 34});
    f.press(ch('f'));
    f.type("x1");
    f.press(key(Key::enter));
    CHECK_THAT(f.st.notice, Catch::Contains("'x1'"));
    f.press(ch('f'));
    f.press(key(Key::enter));  // empty: all PIDs again
    CHECK(f.vs.pids.empty());
}

TEST_CASE("k asks first, defaults to TERM, and acts only on the selected task", "[keys]") {
    Fixture f;
    f.st.page_rows = 5;
    CHECK_FALSE(f.press(ch('k')).action);
    CHECK_THAT(f.st.notice, Catch::Contains("no task selected"));
    follow_selection(f.st, f.rows());
    f.press(key(Key::down));
    f.press(ch('k'));
    CHECK(f.st.mode == Mode::kill_input);
    Effect e = f.press(key(Key::enter));
    REQUIRE(e.action);
    CHECK(e.action->kind == TaskAction::Kind::signal);
    CHECK(e.action->pid == 20);
    CHECK(e.action->signal == SIGTERM);
    f.press(ch('k'));
    f.type("KILL");
    CHECK(f.press(key(Key::enter)).action->signal == SIGKILL);
    f.press(ch('k'));
    f.type("bogus");
    CHECK_FALSE(f.press(key(Key::enter)).action);
    CHECK_THAT(f.st.notice, Catch::Contains("bogus"));
    f.press(ch('k'));
    CHECK_FALSE(f.press(key(Key::escape)).action);  // cancelled
}

TEST_CASE("i parses the class and level", "[keys]") {
    Fixture f;
    f.st.page_rows = 5;
    follow_selection(f.st, f.rows());
    f.press(ch('i'));
    f.type("rt/2");
    Effect e = f.press(key(Key::enter));
    REQUIRE(e.action);
    CHECK(e.action->kind == TaskAction::Kind::ionice);
    CHECK(e.action->pid == 10);
    CHECK(e.action->prio == IoPrio{IoPrio::Class::rt, 2});
    CHECK(parse_ioprio("idle") == IoPrio{IoPrio::Class::idle, 0});
    CHECK(parse_ioprio("be 7") == IoPrio{IoPrio::Class::be, 7});
    CHECK_FALSE(parse_ioprio("be/8"));
    CHECK_FALSE(parse_ioprio("fast"));
    CHECK(parse_signal("sigint") == SIGINT);
    CHECK(parse_signal("9") == SIGKILL);
    CHECK_FALSE(parse_signal("99"));
}

TEST_CASE("+ and - change the interval within bounds; space pauses", "[keys]") {
    Fixture f;
    f.st.delay_s = 1;
    f.press(ch('+'));
    CHECK(f.st.delay_s == 2);
    for (int i = 0; i < 10; ++i) f.press(ch('-'));
    CHECK(f.st.delay_s == kMinDelay);
    // The ladder: 0.1 -> 0.2 -> 0.5 -> 1, and back; 1 s is reachable from anywhere.
    f.press(ch('+'));
    CHECK(f.st.delay_s == 0.2);
    f.press(ch('+'));
    CHECK(f.st.delay_s == 0.5);
    f.press(ch('+'));
    CHECK(f.st.delay_s == 1);
    f.press(ch('-'));
    CHECK(f.st.delay_s == 0.5);
    f.st.delay_s = 0.3;  // -d 0.3: between two steps
    f.press(ch('+'));
    CHECK(f.st.delay_s == 0.5);
    f.st.delay_s = 0.3;
    f.press(ch('-'));
    CHECK(f.st.delay_s == 0.2);
    f.st.delay_s = kMaxDelay;
    f.press(ch('+'));
    CHECK(f.st.delay_s == kMaxDelay);
    CHECK(slower_delay(3) == 5);
    CHECK(faster_delay(3) == 2);
    CHECK(faster_delay(kMinDelay) == kMinDelay);
    f.press(ch(' '));
    CHECK(f.st.paused);
}

TEST_CASE("h shows help; any key returns, q too (as in htop and less); q then quits", "[keys]") {
    Fixture f;
    f.press(ch('h'));
    CHECK(f.st.mode == Mode::help);
    CHECK_FALSE(f.press(ch('x')).quit);
    CHECK(f.st.mode == Mode::normal);
    for (char q : {'q', 'Q'}) {
        f.press(ch('?'));
        REQUIRE(f.st.mode == Mode::help);
        CHECK_FALSE(f.press(ch(q)).quit);  // leaves the help, not vigil
        CHECK(f.st.mode == Mode::normal);
    }
    CHECK(f.press(ch('q')).quit);
    // Every key the handler knows is in the help screen.
    std::string all;
    for (const KeyHelp& k : key_help()) all += std::string(k.keys) + "\n";
    for (const char* k : {"r", "o", "p", "a", "c", "/", "u", "f", "i", "k", "+ / -", "Space",
                          "h, ?", "q", "Esc", "Home / End", "PgUp / PgDn"})
        CHECK_THAT(all, Catch::Contains(k));
}

namespace {
struct LayoutFixture {
    Snapshot t1 = vigil::test::load_snapshot("t1", 2.0, 1002.0);
    Snapshot t0 = vigil::test::load_snapshot("t0", 0.0, 1000.0);
    vigil::test::FixtureDetails details{"t1"};
    std::map<pid_t, std::string> cmdlines;  // replace the tree's, by process
    ViewState vs;
    InteractiveState st;
    Table model;
    ScreenLayout lay(int w, int h) {
        const Frame f = advance(t0, t1);
        TaskDetails d;
        d.reset(t1.tasks.size());
        std::vector<std::size_t> all(t1.tasks.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        details.fetch(t1, all, d);
        for (std::size_t i = 0; i < t1.tasks.size(); ++i)
            if (auto it = cmdlines.find(t1.tasks[i].tgid); it != cmdlines.end())
                d.set(i).cmdline = std::make_shared<const std::string>(it->second);
        RankedTasks ranked = rank_tasks(f, d, vs);
        model = std::move(ranked.head);
        make_rows(f, ranked, ranked.keys, d, vs, model);
        std::vector<pid_t> ids;
        for (const RowRef& r : model.refs) ids.push_back(r.id);
        follow_selection(st, RowIds{ids, model.matched_rows});
        ScreenInput in;
        in.tasks = &model;
        in.view = &vs;
        in.state = &st;
        in.threads = t1.tasks.size();
        return layout_screen(in, w, h);
    }
};
std::string text_of(const ScreenLine& l) {
    std::string s;
    for (const Segment& seg : l.segments) s += seg.text;
    return s;
}
}  // namespace

TEST_CASE("layout: header, sort marker, rows and hint fit the screen", "[layout]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    LayoutFixture f;
    ScreenLayout l = f.lay(80, 20);
    REQUIRE_FALSE(l.too_small);
    REQUIRE(l.lines.size() == 20);
    CHECK_THAT(text_of(l.lines[0]), Catch::StartsWith("Total DISK READ:"));
    CHECK_THAT(text_of(l.lines[l.header_y]), Catch::Contains(" IO> COMMAND"));
    CHECK_THAT(text_of(l.lines.back()), Catch::StartsWith("q quit"));
    for (const ScreenLine& line : l.lines) CHECK(display_width(text_of(line)) <= 80);
    CHECK(l.shown_rows == f.model.rows.size());
    f.vs.reverse = true;
    CHECK_THAT(text_of(f.lay(80, 20).lines[3]), Catch::Contains(" IO< COMMAND"));
}

TEST_CASE("{ and } scroll COMMAND sideways; the title says how far", "[layout][keys]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    LayoutFixture f;
    // Process 100's command line: 70 columns, then a marker past an 80-column screen.
    f.cmdlines[100] = std::string(70, 'a') + "bbbbbbbbMARKER-END";
    auto row_of_100 = [&](const ScreenLayout& l) {
        for (const ScreenLine& line : l.lines)
            if (text_of(line).rfind("    100 ", 0) == 0) return text_of(line);
        return std::string();
    };
    ScreenLayout l = f.lay(80, 20);
    const std::string before = row_of_100(l);
    REQUIRE_FALSE(before.empty());
    CHECK_THAT(before, !Catch::Contains("MARKER"));
    std::size_t at = 0;  // COMMAND's first column (the row is ASCII: bytes are columns)
    for (const ColumnSpan& span : l.spans)
        if (span.id == ColumnId::command) at = static_cast<std::size_t>(span.x0);
    REQUIRE(at > 0);
    REQUIRE(before.substr(at, 4) == "aaaa");
    const RowIds none{};
    handle_event(Event{Key::character, U'{', 0, 0}, f.vs, f.st, none);
    CHECK(f.st.command_scroll == 0);  // not below the start
    for (int i = 0; i < 9; ++i) handle_event(Event{Key::character, U'}', 0, 0}, f.vs, f.st, none);
    CHECK(f.st.command_scroll == 9 * kCommandScrollStep);
    l = f.lay(80, 20);
    const std::string after = row_of_100(l);
    CHECK_THAT(after, Catch::Contains("MARKER-END"));
    // The columns before COMMAND stay; the command starts 72 columns in.
    CHECK(after.substr(0, at) == before.substr(0, at));
    CHECK(after.substr(at, 16) == "bbbbbbMARKER-END");  // 70 a and 2 b scrolled out
    CHECK_THAT(text_of(l.lines[l.header_y]), Catch::Contains("COMMAND +72"));
    handle_event(Event{Key::character, U'{', 0, 0}, f.vs, f.st, none);
    CHECK(f.st.command_scroll == 8 * kCommandScrollStep);
    // A wide character cut by the scroll leaves a space for its kept half, never half a
    // character.
    f.cmdlines[100] = "a\xe4\xb8\xad\xe6\x96\x87";  // a, then two 2-column characters
    f.st.command_scroll = 2;
    CHECK_THAT(row_of_100(f.lay(80, 20)).substr(at), Catch::StartsWith(" \xe6\x96\x87"));
    for (const ScreenLine& line : f.lay(80, 20).lines) {
        const std::string t = text_of(line);
        CHECK(escape_for_terminal(t) == t);
        CHECK(display_width(t) <= 80);
    }
}

TEST_CASE("layout: a tiny terminal gets the whole too-small message", "[layout]") {
    LayoutFixture f;
    ScreenLayout l = f.lay(20, 5);
    REQUIRE(l.too_small);
    std::string all;
    for (const ScreenLine& line : l.lines) {
        CHECK(display_width(text_of(line)) <= 20);
        all += text_of(line) + " ";
    }
    CHECK_THAT(all, Catch::Contains("terminal too small (20x5, need at least 40x8)"));
    CHECK(f.lay(1, 1).lines.size() <= 1);
}

TEST_CASE("layout: wide characters are cut without breaking a character", "[layout]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    LayoutFixture f;
    // A CJK command line on thread 100.
    f.cmdlines[100] = std::string(40, 'x') + "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6";
    for (int w = 60; w <= 130; ++w) {
        ScreenLayout l = f.lay(w, 20);
        for (const ScreenLine& line : l.lines) {
            std::string t = text_of(line);
            CHECK(display_width(t) <= static_cast<std::size_t>(w));
            CHECK(escape_for_terminal(t) == t);  // still valid UTF-8: no cut character
        }
    }
}

TEST_CASE("layout: clicks hit column titles and rows", "[layout]") {
    LayoutFixture f;
    ScreenLayout l = f.lay(100, 20);
    ClickTarget t = hit_test(l, f.st, 2, l.header_y);
    CHECK(t.kind == ClickTarget::Kind::column);
    CHECK(t.column == ColumnId::id);
    t = hit_test(l, f.st, 90, l.header_y);
    CHECK(t.column == ColumnId::command);
    std::vector<pid_t> ids;
    for (const RowRef& r : f.model.refs) ids.push_back(r.id);
    RowIds rows{ids, f.model.matched_rows};
    apply_click(hit_test(l, f.st, 30, l.header_y), f.vs, f.st, rows);
    CHECK(f.vs.sort == ColumnId::disk_read);
    apply_click(hit_test(l, f.st, 30, l.header_y), f.vs, f.st, rows);
    CHECK(f.vs.reverse);  // a second click reverses
    t = hit_test(l, f.st, 5, l.first_row_y + 1);
    REQUIRE(t.kind == ClickTarget::Kind::row);
    apply_click(t, f.vs, f.st, rows);
    CHECK(f.st.selected == ids[1]);
    CHECK(hit_test(l, f.st, 5, 0).kind == ClickTarget::Kind::none);
}

TEST_CASE("layout: the help screen scrolls to every key at any height", "[layout]") {
    LayoutFixture f;
    f.st.mode = Mode::help;
    // Tall enough: every key, the title and the footer, which names no more lines.
    const int tall = static_cast<int>(key_help().size()) + 2;
    ScreenLayout l = f.lay(100, tall);
    CHECK(l.lines.size() == static_cast<std::size_t>(tall));
    CHECK_THAT(text_of(l.lines.back()), !Catch::Contains("more below"));

    // 80x24: a page at a time, Down/PgDn/End scroll, every key seen once scrolled through.
    f.st.help_page = help_page_rows(24);
    std::set<std::string> seen;
    for (int presses = 0; presses < 20; ++presses) {
        l = f.lay(80, 24);
        REQUIRE(l.lines.size() == 24u);
        for (const ScreenLine& line : l.lines) seen.insert(text_of(line));
        if (!Catch::Contains("more below").match(text_of(l.lines.back()))) break;
        Effect e = handle_event(Event{Key::page_down}, f.vs, f.st, RowIds{});
        CHECK(e.redraw);
        REQUIRE(f.st.mode == Mode::help);  // scrolling does not close it
    }
    CHECK_THAT(text_of(l.lines.back()), Catch::Contains("the end"));
    for (const KeyBinding& k : key_bindings()) {
        INFO(k.keys);
        CHECK(std::any_of(seen.begin(), seen.end(), [&](const std::string& line) {
            // At 80 columns a long text is cut: the label and its start.
            return line.starts_with("  " + std::string(k.keys) + " ") &&
                   line.find(k.what.substr(0, 20)) != line.npos;
        }));
    }
    handle_event(Event{Key::home}, f.vs, f.st, RowIds{});
    CHECK(f.st.help_scroll == 0);
    handle_event(Event{Key::end}, f.vs, f.st, RowIds{});
    CHECK(f.st.help_scroll == key_bindings().size() - help_page_rows(24));
    handle_event(Event{Key::down}, f.vs, f.st, RowIds{});  // not past the end
    CHECK(f.st.help_scroll == key_bindings().size() - help_page_rows(24));
    handle_event(Event{Key::character, U'x'}, f.vs, f.st, RowIds{});
    CHECK(f.st.mode == Mode::normal);
}

namespace {
// The text troff prints for a request's arguments: \f font changes dropped, \- as -, \e as
// a backslash, \& as nothing, and the arguments (quoted or not) joined by one space, as .B
// joins them. Other escapes are kept as written, so that a test shows them.
std::string troff_text(std::string_view args) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, quoted = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const char c = args[i];
        if (c == '\\' && i + 1 < args.size()) {
            const char n = args[++i];
            in_word = true;
            if (n == 'f') {  // \fB, \f(XX, \f[NAME]
                const char kind = i + 1 < args.size() ? args[i + 1] : ' ';
                if (kind == '(')
                    i += 3;
                else if (kind == '[')
                    i = std::min(args.find(']', i), args.size());
                else
                    ++i;
            } else if (n == '-') {
                word += '-';
            } else if (n == 'e') {
                word += '\\';
            } else if (n != '&') {
                word += {'\\', n};
            }
        } else if (c == '"') {
            quoted = !quoted;
            in_word = true;
        } else if (c == ' ' && !quoted) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));
    std::string text;
    for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
    return text;
}

// The labels of the .TP entries in a section of the man page (.SS NAME up to the next .SS
// or .SH): the .B line that follows each .TP.
std::vector<std::string> man_labels(const std::string& man, std::string_view section) {
    std::vector<std::string> labels;
    std::istringstream in(man);
    std::string line;
    bool inside = false, after_tp = false;
    while (std::getline(in, line)) {
        if (line.rfind(".SS ", 0) == 0 || line.rfind(".SH ", 0) == 0) {
            inside = line == ".SS " + std::string(section);
            continue;
        }
        if (!inside) continue;
        if (after_tp) {
            INFO("the tag of a .TP entry in " << section << ": " << line);
            CHECK(line.rfind(".B ", 0) == 0);
            if (line.rfind(".B ", 0) == 0) labels.push_back(troff_text(line.substr(3)));
        }
        after_tp = line == ".TP";
    }
    return labels;
}

bool label_line(std::string_view line, const KeyBinding& k) {
    const std::string head = "  " + std::string(k.keys) + " ";
    std::string_view rest = line;
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    return line.substr(0, head.size()) == head && rest.ends_with(k.what);
}
}  // namespace

TEST_CASE("troff_text reads .B arguments as troff prints them", "[keys]") {
    CHECK(troff_text("+ / \\-") == "+ / -");
    CHECK(troff_text(", \\fRand\\fP .") == ", and .");
    CHECK(troff_text("Ctrl\\-L") == "Ctrl-L");
    CHECK(troff_text("\"Left  /\" Right") == "Left  / Right");
    CHECK(troff_text("\\f(CWx\\f[R]") == "x");
    CHECK(troff_text("x\\f[B") == "x");  // an unclosed \f[ ends the text
}

TEST_CASE("the man page lists exactly the keys of the binding table", "[keys]") {
    std::ifstream file(std::string(VIGIL_FIXTURES) + "/../../man/vigil.8");
    REQUIRE(file);
    const std::string man{std::istreambuf_iterator<char>(file), {}};
    const std::vector<std::string> keys = man_labels(man, "Keys");
    const std::vector<std::string> replay = man_labels(man, "Replay keys");
    REQUIRE_FALSE(keys.empty());
    REQUIRE_FALSE(replay.empty());
    // Space is in both sections: it pauses a live view and plays a replay.
    std::set<std::string> documented(keys.begin(), keys.end());
    documented.insert(replay.begin(), replay.end());
    std::set<std::string> bound;
    for (const KeyBinding& k : key_bindings()) {
        INFO("bound, and missing from man/vigil.8: " << k.keys);
        CHECK(documented.count(std::string(k.keys)) == 1);
        CHECK(bound.insert(std::string(k.keys)).second);  // one line per label
    }
    for (const std::string& label : documented) {
        INFO("in man/vigil.8, and not in the binding table: " << label);
        CHECK(bound.count(label) == 1);
    }
}

TEST_CASE("no key is bound twice, and every binding has keys and a text", "[keys]") {
    struct Bound {
        const KeyTrigger* trigger;
        std::string_view label;
    };
    std::vector<Bound> all;
    for (const KeyBinding& k : key_bindings()) {
        INFO(k.keys);
        CHECK_FALSE(k.keys.empty());
        CHECK_FALSE(k.what.empty());
        CHECK_FALSE(k.triggers().empty());
        for (const KeyTrigger& t : k.triggers()) all.push_back({&t, k.keys});
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
        const KeyTrigger& t = *all[i].trigger;
        const Event ev{t.key, t.ch, 0, 0};
        for (std::size_t j = i + 1; j < all.size(); ++j) {
            INFO("key " << static_cast<int>(t.key) << " char " << static_cast<unsigned>(t.ch)
                        << " in '" << all[i].label << "' and '" << all[j].label << "'");
            CHECK_FALSE(all[j].trigger->matches(ev));
        }
        CHECK(find_trigger(ev) == &t);
    }
}

TEST_CASE("the help screen and --help show every binding's label and text", "[keys][layout]") {
    LayoutFixture f;
    f.st.mode = Mode::help;
    const ScreenLayout l = f.lay(200, 100);
    std::istringstream usage(usage_text());
    std::vector<std::string> usage_lines;
    for (std::string line; std::getline(usage, line);) usage_lines.push_back(line);
    for (const KeyBinding& k : key_bindings()) {
        INFO(k.keys);
        CHECK(std::any_of(l.lines.begin(), l.lines.end(),
                          [&](const ScreenLine& line) { return label_line(text_of(line), k); }));
        CHECK(std::any_of(usage_lines.begin(), usage_lines.end(),
                          [&](const std::string& line) { return label_line(line, k); }));
    }
}

TEST_CASE("filters: a backtracking-prone expression still answers (and correctly)", "[keys]") {
    // libstdc++'s std::regex took seconds on this; the filter must never freeze the view.
    TextFilter t;
    t.set("((a*)*)*b");
    REQUIRE(t.is_regex());
    CHECK_FALSE(t.matches(std::string(5000, 'a')));
    CHECK(t.matches(std::string(5000, 'a') + "b"));
}

TEST_CASE("filters: patterns RE2 rejects or cannot fit in its budget are matched as text",
          "[keys]") {
    TextFilter t;
    t.set("r" + std::string(60, '+'));  // found by the fuzzer: 2.5 GB in glibc's regcomp
    CHECK_FALSE(t.is_regex());
    CHECK(t.matches("xr++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++y"));
    t.set("(a{30}){30}");
    CHECK(t.is_regex());
    t.set("(a{32}){32}");  // RE2 allows at most 1000 repetitions, nested ones multiplied
    CHECK_FALSE(t.is_regex());
    t.set("(a){2}(b){2}(c){2}");
    CHECK(t.is_regex());
    t.set("((a{1000}){1000}){1000}");  // past RE2's repetition limit and memory budget
    CHECK_FALSE(t.is_regex());
    CHECK(t.matches("x((A{1000}){1000}){1000}"));
    t.set("(a)\\1");
    CHECK_FALSE(t.is_regex());  // back-references need backtracking: RE2 has none
    t.set("^kworker/[0-9]+:[0-9]+$");
    CHECK(t.is_regex());
    t.set("^KWORKER/\\d+");  // case-insensitive, Perl classes
    CHECK(t.matches("kworker/7:1"));
}

TEST_CASE("filters: any expression over a 2 MB command line answers in well under a second",
          "[keys]") {
    // glibc's regexec took 49 s for A.*B over 100 KB, and the view ignored q and SIGTERM
    // meanwhile. Command lines reach 2 MB (the kernel's limit on arguments).
    const std::string as(2 << 20, 'A');
    const std::string xs(2 << 20, 'x');
    std::string ab;
    for (std::size_t i = 0; ab.size() < (2u << 20); ++i) ab += (i * 7919) % 3 ? 'a' : 'b';
    struct Case {
        const char* pattern;
        const std::string* text;
        bool match;
    };
    for (const Case& c : {
             Case{"A.*B", &as, false},
             Case{"a.*b.*c.*d.*e", &as, false},
             Case{"(A|AA)*B", &as, false},
             Case{"((a*)*)*c", &as, false},
             Case{"(.*)(.*)(.*)(.*)(.*)Z", &as, false},
             Case{"(a|b)*a(a|b){20}c", &ab, false},
             Case{"(x+x+)+y", &xs, false},
             Case{"A{2,}$", &as, true},
             Case{"(a|b){20}$", &ab, true},
         }) {
        TextFilter t;
        t.set(c.pattern);
        INFO(c.pattern);
        REQUIRE(t.is_regex());
        const auto start = std::chrono::steady_clock::now();
        const bool matched = t.matches(*c.text);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        INFO(s << " s");
        CHECK(matched == c.match);
        CHECK(s < 0.5);
    }
}

namespace {
Event fkey(char32_t n) {
    return Event{Key::function, n, 0, 0};
}
std::vector<ColumnId> ids_of(std::span<const ColumnId> s) {
    return {s.begin(), s.end()};
}
}  // namespace

TEST_CASE("C and F2 open the column chooser on the shown columns; Esc cancels, never quits",
          "[keys][columns]") {
    for (const Event& open : {ch('C'), fkey(2)}) {
        Fixture f;
        CHECK_FALSE(f.press(open).rebuild);
        REQUIRE(f.st.mode == Mode::columns);
        CHECK(f.st.chooser.shown == ids_of(column_set(ColumnSet::io)));
        // Every column once: the shown ones in order, then the others.
        const std::vector<ColumnId> lines = chooser_lines(f.st.chooser);
        CHECK(lines.size() == kColumnCount);
        CHECK(std::set<ColumnId>(lines.begin(), lines.end()).size() == kColumnCount);
        f.press(ch(' '));  // hides TID in the working copy
        CHECK(f.st.chooser.shown.size() == 7);
        const Effect e = f.press(key(Key::escape));
        CHECK_FALSE(e.quit);
        CHECK_FALSE(e.rebuild);
        CHECK(f.st.mode == Mode::normal);
        CHECK(f.vs.columns.empty());  // nothing applied
        // q closes it too, and does not quit.
        f.press(open);
        CHECK_FALSE(f.press(ch('q')).quit);
        CHECK(f.st.mode == Mode::normal);
    }
    // c still toggles the command line; C is the chooser (htop's Setup key).
    Fixture f;
    f.press(ch('c'));
    CHECK_FALSE(f.vs.full_command);
    CHECK(f.st.mode == Mode::normal);
}

TEST_CASE("column chooser: add, remove, reorder, apply with Enter or F10", "[keys][columns]") {
    Fixture f;
    f.press(ch('C'));
    // Down to the first column not shown (the line after iotop's eight): CPU%.
    for (int i = 0; i < 8; ++i) f.press(key(Key::down));
    REQUIRE(chooser_lines(f.st.chooser)[f.st.chooser.cursor] == ColumnId::cpu);
    f.press(ch(' '));  // adds CPU% before COMMAND
    CHECK(f.st.chooser.shown.size() == 9);
    CHECK(f.st.chooser.shown[7] == ColumnId::cpu);
    CHECK(f.st.chooser.shown.back() == ColumnId::command);
    // The cursor went on to the next column not shown, to add several in a row.
    CHECK(chooser_lines(f.st.chooser)[f.st.chooser.cursor] == ColumnId::user_cpu);
    // Up to CPU% (line 7), moved up twice: before SWAPIN.
    f.press(key(Key::up));
    f.press(key(Key::up));
    REQUIRE(chooser_lines(f.st.chooser)[f.st.chooser.cursor] == ColumnId::cpu);
    f.press(ch('['));
    f.press(fkey(7));
    CHECK(f.st.chooser.shown[5] == ColumnId::cpu);
    CHECK(f.st.chooser.cursor == 5);
    f.press(ch(']'));  // and down once: after SWAPIN
    CHECK(f.st.chooser.shown[6] == ColumnId::cpu);
    // Past COMMAND it does not go; COMMAND itself does not move.
    f.press(fkey(8));
    f.press(fkey(8));
    CHECK(f.st.chooser.shown[7] == ColumnId::cpu);
    CHECK_THAT(f.st.notice, Catch::Contains("COMMAND stays last"));
    f.press(key(Key::down));
    REQUIRE(chooser_lines(f.st.chooser)[f.st.chooser.cursor] == ColumnId::command);
    f.press(ch('['));
    CHECK(f.st.chooser.shown.back() == ColumnId::command);
    // Remove PRIO (line 1) with F9.
    f.press(key(Key::home));
    f.press(key(Key::down));
    f.press(fkey(9));
    CHECK(std::find(f.st.chooser.shown.begin(), f.st.chooser.shown.end(), ColumnId::prio) ==
          f.st.chooser.shown.end());
    // A column not shown cannot be moved.
    f.press(key(Key::end));
    f.press(ch('['));
    CHECK_THAT(f.st.notice, Catch::Contains("show the column first"));
    const std::vector<ColumnId> want{ColumnId::id,         ColumnId::user,   ColumnId::disk_read,
                                     ColumnId::disk_write, ColumnId::swapin, ColumnId::io,
                                     ColumnId::cpu,        ColumnId::command};
    CHECK(f.st.chooser.shown == want);
    const Effect e = f.press(key(Key::enter));
    CHECK(e.rebuild);
    CHECK(f.st.mode == Mode::normal);
    CHECK(f.vs.columns == want);
    CHECK(f.st.columns_chosen);
    CHECK(f.vs.sort == ColumnId::io);  // still shown: unchanged

    // F10 applies too.
    f.press(fkey(2));
    f.press(ch(' '));  // hides TID
    CHECK(f.press(fkey(10)).rebuild);
    CHECK(f.vs.columns.front() == ColumnId::user);
}

TEST_CASE("column chooser: the sort column hidden falls back, with a notice", "[keys][columns]") {
    Fixture f;
    REQUIRE(f.vs.sort == ColumnId::io);
    f.st.selected = 30;
    f.st.scroll = 2;
    f.press(ch('C'));
    f.press(key(Key::home));
    for (int i = 0; i < 6; ++i) f.press(key(Key::down));
    REQUIRE(chooser_lines(f.st.chooser)[f.st.chooser.cursor] == ColumnId::io);
    f.press(ch(' '));
    f.press(key(Key::enter));
    CHECK(f.vs.sort == ColumnId::disk_write);  // IO gone, no CPU%: the disk rates
    CHECK_FALSE(f.vs.reverse);
    CHECK_THAT(f.st.notice, Catch::Contains("IO is not shown: sorted by DISK WRITE"));
    CHECK_FALSE(f.st.selected);  // a new order starts at the top
    // The last column cannot go.
    f.press(ch('C'));
    for (int i = 0; i < 10; ++i) f.press(ch(' '));
    CHECK(f.st.chooser.shown.size() == 1);
    CHECK_THAT(f.st.notice, Catch::Contains("at least one column"));
    f.press(key(Key::escape));
}

TEST_CASE("2 and 3 show the io and top sets; the sort falls back to CPU% and back to IO",
          "[keys][columns]") {
    Fixture f;
    CHECK(f.press(ch('3')).rebuild);
    CHECK(f.vs.columns == ids_of(column_set(ColumnSet::top)));
    CHECK(f.st.columns_chosen);
    CHECK(f.vs.sort == ColumnId::cpu);
    CHECK_THAT(f.st.notice, Catch::Contains("columns: top (TID USER"));
    CHECK_THAT(f.st.notice, Catch::Contains("IO is not shown: sorted by CPU%"));
    f.press(ch('p'));  // the titles as shown: PID with -P
    f.press(ch('3'));
    CHECK_THAT(f.st.notice, Catch::Contains("columns: top (PID USER"));
    f.press(ch('p'));
    CHECK(f.press(ch('2')).rebuild);
    CHECK(f.vs.columns == ids_of(column_set(ColumnSet::io)));
    CHECK(f.vs.sort == ColumnId::io);
    CHECK_THAT(f.st.notice, Catch::Contains("CPU% is not shown: sorted by IO"));
    // A sort column both sets show stays.
    f.vs.sort = ColumnId::disk_read;
    f.press(ch('3'));
    CHECK(f.vs.sort == ColumnId::disk_read);
    CHECK_THAT(f.st.notice, !Catch::Contains("sorted by"));
}

TEST_CASE("N, F7 and F8 ask for a nice value for the selected task", "[keys][renice]") {
    for (const Event& open : {ch('N'), fkey(7), fkey(8)}) {
        Fixture f;
        f.st.page_rows = 5;
        CHECK_FALSE(f.press(open).action);
        CHECK_THAT(f.st.notice, Catch::Contains("no task selected"));
        follow_selection(f.st, f.rows());
        f.press(key(Key::down));
        f.press(open);
        REQUIRE(f.st.mode == Mode::nice_input);
        f.type("5");
        Effect e = f.press(key(Key::enter));
        REQUIRE(e.action);
        CHECK(e.action->kind == TaskAction::Kind::renice);
        CHECK(e.action->pid == 20);
        CHECK(e.action->nice == 5);
        CHECK_FALSE(e.action->whole_process);
        f.press(ch('p'));
        follow_selection(f.st, f.rows());
        f.press(open);
        f.type("-20");
        e = f.press(key(Key::enter));
        REQUIRE(e.action);
        CHECK(e.action->nice == -20);
        CHECK(e.action->whole_process);
        for (const char* bad : {"x", "20", "-21", "", "1.5", "--3"}) {
            f.press(open);
            f.type(bad);
            CHECK_FALSE(f.press(key(Key::enter)).action);
            CHECK(f.st.notice == "not a nice value: '" + std::string(bad) + "' (use -20 to 19)");
        }
        f.press(open);
        CHECK_FALSE(f.press(key(Key::escape)).action);  // cancelled
        CHECK(f.st.mode == Mode::normal);
    }
    CHECK(parse_nice("+19") == 19);
    CHECK(parse_nice(" 0 ") == 0);
    CHECK_FALSE(parse_nice("+"));
}

TEST_CASE("a recording offers no renice; the columns keys work there", "[keys][renice][columns]") {
    Fixture f;
    f.st.replay = true;
    follow_selection(f.st, f.rows());
    f.press(ch('N'));
    CHECK(f.st.mode == Mode::normal);
    CHECK_THAT(f.st.notice, Catch::Contains("recording"));
    f.press(ch('3'));
    CHECK(f.vs.columns == ids_of(column_set(ColumnSet::top)));
    f.press(ch('C'));
    CHECK(f.st.mode == Mode::columns);
}

TEST_CASE("layout: the chooser lists every column, scrolls to the cursor at any height",
          "[layout][columns]") {
    LayoutFixture f;
    f.st.mode = Mode::columns;
    f.st.chooser.shown = ids_of(column_set(ColumnSet::io));
    ScreenLayout l = f.lay(120, 60);
    REQUIRE(l.lines.size() == kColumnCount + 2);
    CHECK_THAT(text_of(l.lines[0]), Catch::Contains("Space shows/hides"));
    CHECK_THAT(text_of(l.lines[2]), Catch::StartsWith("[x]  1 TID"));
    CHECK(l.lines[2].segments[0].style == Style::selected_row);
    CHECK_THAT(text_of(l.lines[9]), Catch::StartsWith("[x]  8 COMMAND"));
    CHECK_THAT(text_of(l.lines[10]), Catch::StartsWith("[ ]    CPU%"));
    // A short screen: the cursor's line is the last one shown.
    f.st.chooser.cursor = kColumnCount - 1;
    l = f.lay(80, 10);
    REQUIRE(l.lines.size() == 10);
    CHECK(l.lines[9].segments[0].style == Style::selected_row);
    CHECK_THAT(text_of(l.lines[9]),
               Catch::Contains(std::string(task_column(chooser_lines(f.st.chooser).back()).title)));
    for (const ScreenLine& line : l.lines) CHECK(display_width(text_of(line)) <= 80);
}

TEST_CASE("layout: the renice prompt names the task", "[layout][renice]") {
    LayoutFixture f;
    f.st.mode = Mode::nice_input;
    f.st.selection_on_top = false;  // as the N key leaves it: the prompt's task stays
    f.st.selected = 101;
    f.st.target_label = "writer --fast";
    f.st.input = "5";
    const ScreenLayout l = f.lay(120, 20);
    CHECK_THAT(text_of(l.lines.back()),
               Catch::StartsWith("renice 101 writer --fast - nice value (-20..19"));
    CHECK_THAT(text_of(l.lines.back()), Catch::Contains("): 5"));
}

TEST_CASE("layout: the prompt shows its cursor, and keeps it on screen", "[layout][line_edit]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    LayoutFixture f;
    open_prompt(f.st, Mode::filter_input, "abc");
    f.st.input_cursor = 1;
    ScreenLine line = f.lay(80, 20).lines.back();
    REQUIRE(line.segments.size() == 3);
    CHECK_THAT(line.segments[0].text, Catch::EndsWith(": a"));
    CHECK(line.segments[1].text == "b");
    CHECK(line.segments[1].style == Style::selected_row);
    CHECK_THAT(line.segments[2].text, Catch::StartsWith("c"));
    CHECK(display_width(text_of(line)) == 80);
    // At the end: a space under the cursor.
    f.st.input_cursor = 3;
    line = f.lay(80, 20).lines.back();
    CHECK(line.segments[1].text == " ");
    // Longer than the screen: the start goes, the cursor stays in sight.
    open_prompt(f.st, Mode::filter_input, std::string(150, 'x') + "END");
    line = f.lay(80, 20).lines.back();
    CHECK_THAT(line.segments[0].text, Catch::EndsWith("END"));
    CHECK(line.segments[1].text == " ");
    CHECK(display_width(text_of(line)) <= 80);
}

TEST_CASE("the top set is the default from a width that leaves COMMAND room", "[layout][columns]") {
    int w = 0;
    for (ColumnId id : column_set(ColumnSet::top))
        if (id != ColumnId::command) w += task_column(id).width + 1;
    CHECK(wide_view_width() >= w + kWideCommandRoom);
    CHECK(wide_view_width() > 80);  // never at 80 columns
}

TEST_CASE("T and F5 toggle the tree; x collapses the selected row; * expands all", "[keys][tree]") {
    Fixture f;
    const std::vector<std::uint64_t> starts{1, 2, 3, 4, 5};
    auto press = [&](const Event& e) {
        return handle_event(e, f.vs, f.st, RowIds{f.ids, f.ids.size(), starts});
    };
    press(key(Key::down));
    press(key(Key::down));
    REQUIRE(f.st.selected == 30);
    // x outside the tree says how to get there and changes nothing.
    CHECK_FALSE(press(ch('x')).rebuild);
    CHECK(f.vs.collapsed.empty());
    CHECK_FALSE(f.st.notice.empty());

    CHECK(press(ch('T')).rebuild);
    CHECK(f.vs.tree);
    CHECK(f.st.selected == 30);  // the selection stays on its task
    CHECK(press(ch('x')).rebuild);
    CHECK(f.vs.collapsed == std::vector<TreeNode>{TreeNode{30, 3}});
    press(key(Key::down));
    press(ch('X'));
    CHECK(f.vs.collapsed == std::vector<TreeNode>{TreeNode{30, 3}, TreeNode{40, 4}});
    press(key(Key::up));
    press(ch('x'));  // again: expanded
    CHECK(f.vs.collapsed == std::vector<TreeNode>{TreeNode{40, 4}});
    CHECK(press(ch('*')).rebuild);
    CHECK(f.vs.collapsed.empty());

    CHECK(press(Event{Key::function, 5, 0, 0}).rebuild);
    CHECK_FALSE(f.vs.tree);
    CHECK(f.st.selected == 30);
    // t still leaves a device pane; T is the tree's now.
    f.st.pane = Pane::disks;
    press(ch('t'));
    CHECK(f.st.pane == Pane::tasks);
}
