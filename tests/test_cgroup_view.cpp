// The view's side of the cgroups (issue 14): the cgroup pane's order (flat and tree, each
// level sorted), the subtree filter Enter sets on the task table, and the keys and screen
// of the pane (G, T, the arrows, Enter, \, Esc).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "cgroup_util.hpp"
#include "fake_clock.hpp"
#include "fake_terminal.hpp"
#include "fixture_util.hpp"
#include "scripted_source.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/model/cgroup_pane.hpp"
#include "vigil/model/cgroups.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/ui/keymap.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/ui/screen_layout.hpp"

using namespace vigil;

namespace {

CgroupSample group(std::string path, std::uint64_t inode, std::int32_t parent,
                   std::vector<pid_t> procs, std::uint64_t written) {
    CgroupSample g = test::cgroup_at(std::move(path), inode, parent, std::move(procs));
    g.io = std::vector<CgroupIoStat>{{8, 0, 0, written, 0, 0, 0, 0}};
    return g;
}

TaskSample task(pid_t tid, pid_t tgid) {
    TaskSample t;
    t.tid = tid;
    t.tgid = tgid;
    t.start_ticks = 5;
    t.io = TaskIoCounters{};
    return t;
}

// / ─ system.slice (400 B/s) ─ a.service (100), b.service (300)
//   ─ user.slice (350)
//   ─ system.slicer (0: a prefix of system.slice's path, not a child)
struct Machine {
    Snapshot a, b;
    Frame f;
    Machine() {
        a.steady_s = a.machine.steady_s = 10;
        b.steady_s = b.machine.steady_s = 11;
        auto groups = [](std::uint64_t k) {
            return std::vector<CgroupSample>{group("/", 1, -1, {1}, 750 * k),
                                             group("/system.slice", 2, 0, {}, 400 * k),
                                             group("/system.slice/a.service", 3, 1, {20}, 100 * k),
                                             group("/system.slice/b.service", 4, 1, {30}, 300 * k),
                                             group("/user.slice", 5, 0, {40}, 350 * k),
                                             group("/system.slicer", 6, 0, {50}, 0)};
        };
        a.machine.cgroups = groups(1);
        b.machine.cgroups = groups(2);
        for (Snapshot* s : {&a, &b})
            s->tasks = {task(1, 1),   task(20, 20), task(21, 20), task(30, 30),
                        task(40, 40), task(50, 50), task(60, 60)};  // 60: in no group walked
        f = advance(a, b);
    }
    CgroupPane pane(CgroupPaneOrder o) const {
        MachineView mv;
        return order_cgroup_pane(build_cgroup_table(f, mv), b.machine.cgroups, o);
    }
};

std::size_t column(std::string_view name) {
    auto c = find_column(table_columns(TableKind::cgroups), name);
    REQUIRE(c);
    return *c;
}

std::vector<std::string> names(const CgroupPane& p) {
    std::vector<std::string> out;
    for (const auto& row : p.table.rows) out.push_back(row[column("name")].text);
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("cgroup pane: the tree in walk order, children under their parent", "[cgroups][pane]") {
    Machine m;
    CgroupPaneOrder o;
    o.utf8 = false;
    const CgroupPane p = m.pane(o);
    CHECK(p.paths == Strings{"/", "/system.slice", "/system.slice/a.service",
                             "/system.slice/b.service", "/user.slice", "/system.slicer"});
    CHECK(p.depth == std::vector<std::size_t>{0, 1, 2, 2, 1, 1});
    CHECK(names(p) == Strings{"/", "|- system.slice", "|  |- a.service", "|  `- b.service",
                              "|- user.slice", "`- system.slicer"});
    // The figures travel with their row.
    const std::size_t write = column("write");
    CHECK(p.table.rows[3][write].num == Approx(300));
    CHECK(p.table.rows[4][write].num == Approx(350));
    o.utf8 = true;
    CHECK(names(m.pane(o))[2] == "\u2502  \u251c\u2500 a.service");
}

TEST_CASE("cgroup pane: sorted flat, and sorted level by level in the tree", "[cgroups][pane]") {
    Machine m;
    CgroupPaneOrder o;
    o.utf8 = false;
    o.column = column("write");  // biggest first
    o.tree = false;
    CHECK(m.pane(o).paths == Strings{"/", "/system.slice", "/user.slice", "/system.slice/b.service",
                                     "/system.slice/a.service", "/system.slicer"});
    CHECK(m.pane(o).depth == std::vector<std::size_t>(6, 0));
    CHECK(names(m.pane(o))[1] == "system.slice");  // no glyphs when flat
    o.tree = true;
    const CgroupPane t = m.pane(o);
    CHECK(t.paths == Strings{"/", "/system.slice", "/system.slice/b.service",
                             "/system.slice/a.service", "/user.slice", "/system.slicer"});
    o.reverse = true;  // smallest first, level by level; unknown values stay last
    CHECK(m.pane(o).paths == Strings{"/", "/system.slicer", "/user.slice", "/system.slice",
                                     "/system.slice/a.service", "/system.slice/b.service"});
    o.tree = false;
    o.column = column("name");  // text, A to Z
    o.reverse = false;
    CHECK(m.pane(o).paths.front() == "/");
}

TEST_CASE("cgroup pane: a group whose parent was not walked is a root; a foreign table stays",
          "[cgroups][pane]") {
    Machine m;
    m.b.machine.cgroups[4].parent = -1;
    m.b.machine.cgroups[2].parent = 7;  // damaged: past itself
    m.f = advance(m.a, m.b);
    CgroupPaneOrder o;
    const CgroupPane p = m.pane(o);
    CHECK(p.paths == Strings{"/", "/system.slice", "/system.slice/b.service", "/system.slicer",
                             "/system.slice/a.service", "/user.slice"});
    CHECK(p.depth == std::vector<std::size_t>{0, 1, 2, 1, 0, 0});
    // Rows that are not one per group: left as they are, without paths.
    Table t = build_cgroup_table(m.f, MachineView{});
    t.rows.pop_back();
    const CgroupPane q = order_cgroup_pane(std::move(t), m.b.machine.cgroups, o);
    CHECK(q.paths.empty());
    CHECK(q.table.rows.size() == 5);
}

TEST_CASE("cgroup subtrees: the group itself and the groups below it", "[cgroups][pane]") {
    CHECK(cgroup_in_subtree("/system.slice", "/system.slice"));
    CHECK(cgroup_in_subtree("/system.slice/a.service", "/system.slice"));
    CHECK(cgroup_in_subtree("/system.slice/a.service", "/system.slice/"));
    CHECK_FALSE(cgroup_in_subtree("/system.slicer", "/system.slice"));
    CHECK_FALSE(cgroup_in_subtree("/system", "/system.slice"));
    CHECK_FALSE(cgroup_in_subtree("/user.slice", "/system.slice"));
    CHECK(cgroup_in_subtree("/anything", "/"));
    CHECK(cgroup_in_subtree("/", "/"));
    CHECK(cgroup_in_subtree("/x", ""));  // no filter
}

TEST_CASE("the cgroup row's filter keeps the tasks of its subtree only", "[cgroups][pane][table]") {
    Machine m;
    TaskDetails details;
    details.reset(m.b.tasks.size());
    auto ids = [&](const ViewState& vs) {
        RankedTasks ranked = rank_tasks(m.f, details, vs, kAllRows);
        std::vector<pid_t> out;
        for (const RowKey& k : ranked.keys) out.push_back(k.id);
        std::sort(out.begin(), out.end());
        return out;
    };
    ViewState vs;
    CHECK(ids(vs).size() == 7);
    vs.cgroup_subtree = "/system.slice";  // not /system.slicer's task 50
    CHECK(ids(vs) == std::vector<pid_t>{20, 21, 30});
    vs.cgroup_subtree = "/system.slice/b.service";
    CHECK(ids(vs) == std::vector<pid_t>{30});
    vs.cgroup_subtree = "/";  // every task whose group is known: not 60
    CHECK(ids(vs) == std::vector<pid_t>{1, 20, 21, 30, 40, 50});
    // With the \ pattern too: both must match.
    vs.cgroup_subtree = "/system.slice";
    vs.cgroup_filter.set("a\\.service");
    CHECK(ids(vs) == std::vector<pid_t>{20, 21});
    vs.cgroup_subtree.clear();
    CHECK(ids(vs) == std::vector<pid_t>{20, 21});
}

namespace {

struct Keys {
    ViewState vs;
    InteractiveState st;
    std::vector<pid_t> ids{10, 20, 30};
    Strings groups{"/", "/system.slice", "/system.slice/a.service", "/user.slice"};
    RowIds rows() const { return RowIds{ids, ids.size(), {}, groups}; }
    Effect press(const Event& e) { return handle_event(e, vs, st, rows()); }
    Effect press(char32_t c) { return press(Event{Key::character, c, 0, 0}); }
    Effect press(Key k) { return press(Event{k, 0, 0, 0}); }
};

}  // namespace

TEST_CASE("G opens the cgroup pane; Up/Down select a group; Enter shows its tasks",
          "[cgroups][pane][keys]") {
    Keys k;
    CHECK(k.press('G').rebuild);
    CHECK(k.st.pane == Pane::cgroups);
    follow_cgroup_selection(k.st.cgroup_pane, k.groups);
    CHECK(k.st.cgroup_pane.selected == "/");
    k.st.selected = 20;  // the task selection is not the pane's
    k.st.cgroup_pane.page_rows = 2;
    // Only the highlight and the scroll move: no table is made again.
    const Effect moved = k.press(Key::down);
    CHECK(moved.redraw);
    CHECK_FALSE(moved.rebuild);
    k.press(Key::down);
    CHECK(k.st.cgroup_pane.scroll == 1);
    CHECK(k.st.cgroup_pane.selected == "/system.slice/a.service");
    CHECK(k.st.selected == 20);
    k.press(Key::end);
    CHECK(k.st.cgroup_pane.selected == "/user.slice");
    k.press(Key::up);
    CHECK(k.st.cgroup_pane.selected == "/system.slice/a.service");
    // T in the pane flips its layout, not the process tree.
    k.press('T');
    CHECK_FALSE(k.st.cgroup_pane.tree);
    CHECK_FALSE(k.vs.tree);
    // The arrows sort the pane.
    k.press(Key::right);
    CHECK(k.st.pane_sort[static_cast<std::size_t>(Pane::cgroups)].set);
    CHECK(k.vs.sort == ColumnId::io);
    // Enter: the task table, with the group's subtree, and the focus.
    Effect e = k.press(Key::enter);
    CHECK(e.rebuild);
    CHECK_FALSE(e.inspect);
    CHECK(k.vs.cgroup_subtree == "/system.slice/a.service");
    CHECK(k.st.pane == Pane::tasks);
    CHECK_FALSE(k.st.selected);  // the new rows start at the top
    // Esc clears it (and never quits).
    e = k.press(Key::escape);
    CHECK_FALSE(e.quit);
    CHECK(e.rebuild);
    CHECK(k.vs.cgroup_subtree.empty());
}

TEST_CASE("Enter on the cgroup pane without a selected group says so", "[cgroups][pane][keys]") {
    Keys k;
    k.press('G');
    k.groups.clear();
    follow_cgroup_selection(k.st.cgroup_pane, k.groups);
    k.press(Key::enter);
    CHECK(k.st.notice == "no cgroup selected");
    CHECK(k.vs.cgroup_subtree.empty());
    CHECK(k.st.pane == Pane::cgroups);
}

TEST_CASE("\\ filters by cgroup path: typed, applied, shown, cleared by Esc",
          "[cgroups][pane][keys][layout]") {
    Keys k;
    k.press('\\');
    CHECK(k.st.mode == Mode::cgroup_input);
    for (char c : std::string("nginx")) k.press(static_cast<char32_t>(c));
    k.press(Key::enter);
    CHECK(k.st.mode == Mode::normal);
    CHECK(k.vs.cgroup_filter.pattern() == "nginx");
    // The prompt opens on the current pattern; Esc in it keeps the filter.
    k.press('\\');
    CHECK(k.st.input == "nginx");
    k.press(Key::escape);
    CHECK(k.vs.cgroup_filter.pattern() == "nginx");

    Table tasks;
    tasks.kind = TableKind::tasks;
    tasks.columns = task_columns(false, false);
    ScreenInput in;
    in.tasks = &tasks;
    in.view = &k.vs;
    in.state = &k.st;
    k.vs.cgroup_subtree = "/system.slice";
    std::string all;
    for (const ScreenLine& l : layout_screen(in, 120, 30).lines)
        for (const Segment& s : l.segments) all += s.text + "\n";
    CHECK(all.find("cgroup: nginx") != std::string::npos);
    CHECK(all.find("tasks of cgroup /system.slice") != std::string::npos);

    k.press(Key::escape);  // every filter at once
    CHECK_FALSE(k.vs.cgroup_filter.active());
    CHECK(k.vs.cgroup_subtree.empty());
}

TEST_CASE("the cgroup pane's selection follows its group, and scrolls into view",
          "[cgroups][pane][keys]") {
    CgroupPaneState cp;
    cp.page_rows = 2;
    Strings g{"/", "/a", "/b", "/c", "/d"};
    cp.selected = "/c";
    follow_cgroup_selection(cp, g);
    CHECK(cp.selected_index == 3);
    CHECK(cp.scroll == 2);
    // Sorted again: it moves with its group.
    Strings h{"/c", "/", "/a", "/b", "/d"};
    follow_cgroup_selection(cp, h);
    CHECK(cp.selected_index == 0);
    CHECK(cp.scroll == 0);
    // Its group gone: the same place, clamped.
    cp.selected_index = 9;
    cp.selected = "/gone";
    follow_cgroup_selection(cp, g);
    CHECK(cp.selected == "/d");
    CHECK(cp.scroll == 3);
}

TEST_CASE("layout: the cgroup pane shows its rows from the scroll, the selected one marked",
          "[cgroups][pane][layout]") {
    Machine m;
    CgroupPaneOrder o;
    o.utf8 = false;
    std::vector<Table> tables{m.pane(o).table};
    Table tasks;
    tasks.kind = TableKind::tasks;
    tasks.columns = task_columns(false, false);
    ViewState vs;
    InteractiveState st;
    toggle_pane(st, Pane::cgroups);
    st.cgroup_pane.selected = "/user.slice";
    st.cgroup_pane.selected_index = 4;
    st.cgroup_pane.scroll = 2;
    ScreenInput in;
    in.tasks = &tasks;
    in.view = &vs;
    in.state = &st;
    in.panes[static_cast<std::size_t>(Pane::cgroups)] = &tables;
    const ScreenLayout l = layout_screen(in, 240, 40);
    std::vector<std::string> text;
    int selected = -1;
    for (const ScreenLine& line : l.lines) {
        std::string s;
        bool sel = false;
        for (const Segment& seg : line.segments) {
            s += seg.text;
            sel = sel || seg.style == Style::selected_row;
        }
        if (sel) selected = static_cast<int>(text.size());
        text.push_back(s);
    }
    // The line whose PATH (the last column) is this one; trailing blanks aside.
    auto line_of = [&](std::string_view path) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            std::string_view t = text[i];
            while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
            if (t.size() > path.size() && t.substr(t.size() - path.size()) == path &&
                t[t.size() - path.size() - 1] == ' ')
                return static_cast<int>(i);
        }
        return -1;
    };
    CHECK(std::any_of(text.begin(), text.end(),
                      [](const std::string& t) { return t.rfind("* Cgroups", 0) == 0; }));
    CHECK(line_of("/system.slice/a.service") >= 0);
    CHECK(line_of("/system.slice") < 0);  // scrolled past
    REQUIRE(selected >= 0);
    CHECK(selected == line_of("/user.slice"));
    CHECK(text.back().find("Enter its tasks") != std::string::npos);
    CHECK(pane_first_table_rows(tables, 5) == 3);
    CHECK(pane_first_table_rows(tables, 100) == 6);
}

// The controller with a terminal of its own: G, Down, Enter, T and Esc through the view.
TEST_CASE("controller: G shows the cgroup pane; Enter on a group keeps its tasks",
          "[cgroups][pane][controller]") {
    std::vector<test::Sample> samples;
    for (double t : {0.0, 2.0, 4.0}) {
        Snapshot s = test::load_snapshot(t == 0.0 ? "t0" : "t1", t, 1000.0 + t);
        s.machine.steady_s = t;
        samples.push_back(test::Sample{s, {}});
    }
    // Every process in "/" but the first one's, in "/app.slice/one.service".
    std::vector<pid_t> tgids;
    for (const TaskSample& t : samples[1].snap.tasks)
        if (t.tid == t.tgid) tgids.push_back(t.tgid);
    REQUIRE(tgids.size() >= 2);
    const pid_t mine = tgids.front();
    for (test::Sample& s : samples) {
        std::vector<pid_t> rest(tgids.begin() + 1, tgids.end());
        s.snap.machine.cgroups = {group("/", 1, -1, rest, 0), group("/app.slice", 2, 0, {}, 0),
                                  group("/app.slice/one.service", 3, 1, {mine}, 0)};
    }
    test::FakeClock clock{100.0, 1000.0};
    test::FakeTerminal term(200, 40);
    test::ScriptedSource source(samples);
    ControllerSetup setup;
    setup.terminal = &term;
    setup.clock = &clock;
    setup.live = &source;
    setup.delay_s = 2.0;
    Controller c(setup);
    c.start();
    auto press = [&](Key k) {
        term.key(k);
        return c.input() && c.tick();
    };
    auto type = [&](std::u32string_view keys) {
        term.type(keys);
        return c.input() && c.tick();
    };
    const std::size_t all = c.table().matched_rows;
    REQUIRE(type(U"G"));
    CHECK(c.state().pane == Pane::cgroups);
    REQUIRE(c.pane().size() == 1);
    CHECK(c.pane().front().rows.size() == 3);
    CHECK_THAT(term.screen(), Catch::Contains("one.service"));
    CHECK(c.state().cgroup_pane.selected == "/");
    REQUIRE(press(Key::down));
    REQUIRE(press(Key::down));
    CHECK(c.state().cgroup_pane.selected == "/app.slice/one.service");
    REQUIRE(press(Key::enter));
    CHECK(c.state().pane == Pane::tasks);
    CHECK(c.view().cgroup_subtree == "/app.slice/one.service");
    REQUIRE_FALSE(c.table().refs.empty());
    for (const RowRef& r : c.table().refs) CHECK(r.pid == mine);
    CHECK(c.table().matched_rows < all);
    CHECK_THAT(term.screen(), Catch::Contains("tasks of cgroup /app.slice/one.service"));
    // The pane stayed open: Tab gives it the focus again (G would close it). T in the pane:
    // flat; the selection stays on its group.
    REQUIRE(type(U"\t"));
    CHECK(c.state().pane == Pane::cgroups);
    REQUIRE(type(U"T"));
    CHECK_FALSE(c.state().cgroup_pane.tree);
    CHECK(c.state().cgroup_pane.selected == "/app.slice/one.service");
    CHECK_FALSE(c.view().tree);
    // Esc clears the filter and stays.
    REQUIRE(press(Key::escape));
    CHECK(c.view().cgroup_subtree.empty());
    CHECK(c.table().matched_rows == all);
}
