#include <catch2/catch.hpp>

#include <clocale>

#include "key_events.hpp"
#include "machine_fixture.hpp"
#include "src/ui/line_builder.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/ui/screen_layout.hpp"

using namespace vigil;

namespace {
std::string text_of(const ScreenLine& l) {
    std::string s;
    for (const Segment& seg : l.segments) s += seg.text;
    return s;
}

// A one-row table of a kind with the named cells set.
Table table_with(TableKind kind, std::vector<std::pair<std::string_view, double>> nums) {
    Table t;
    t.kind = kind;
    t.title = "T";
    t.columns = table_columns(kind);
    std::vector<Cell> row(t.columns.size());
    row[0].text = "x";
    for (auto [key, v] : nums) {
        auto c = find_column(t.columns, key);
        REQUIRE(c);
        row[*c].num = v;
    }
    t.rows.push_back(row);
    return t;
}

// The style of the segment that holds column key in the first row of a pane rendering.
Style style_of(const Table& t, std::string_view key) {
    LineBuilder b(300);
    append_pane_tables(b, {t}, TableSort{}, ByteUnits::human, 10);
    auto lines = b.take();
    REQUIRE(lines.size() >= 3);
    auto c = find_column(t.columns, key);
    REQUIRE(c);
    return lines[2].segments[*c].style;
}
}  // namespace

TEST_CASE("overview summary: CPU and memory bars, load, pressure", "[overview]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    vigil::test::MachinePair m;
    OverviewInput in{&m.t1, &m.rates, false};
    LineBuilder b(120);
    append_overview_summary(b, in);
    auto lines = b.take();
    REQUIRE(lines.size() == overview_summary_lines(in, 120));
    CHECK_THAT(text_of(lines[0]), Catch::StartsWith("CPU  ["));
    CHECK_THAT(text_of(lines[0]), Catch::Contains("load "));
    CHECK_THAT(text_of(lines[1]), Catch::StartsWith("MEM  ["));
    CHECK_THAT(text_of(lines[2]), Catch::StartsWith("PSI"));
    for (const auto& l : lines) CHECK(display_width(text_of(l)) <= 120);

    in.per_core = true;
    LineBuilder pc(80);
    append_overview_summary(pc, in);
    auto with_cores = pc.take();
    CHECK(with_cores.size() == overview_summary_lines(in, 80));
    CHECK(with_cores.size() > 3);
    CHECK_THAT(text_of(with_cores[3]), Catch::StartsWith("cpu0"));
}

TEST_CASE("overview: a kernel without PSI says so, not 0", "[overview]") {
    vigil::test::MachinePair m;
    m.t1.pressure.clear();
    OverviewInput in{&m.t1, &m.rates, false};
    LineBuilder b(120);
    append_overview_summary(b, in);
    CHECK_THAT(text_of(b.take()[2]), Catch::Contains("not available"));
}

TEST_CASE("percent bars", "[overview]") {
    CHECK(percent_bar(0, 10) == "[          ]");
    CHECK(percent_bar(50, 10) == "[|||||     ]");
    CHECK(percent_bar(250, 4) == "[||||]");
    CHECK(percent_bar(-5, 4) == "[    ]");
}

TEST_CASE("pane thresholds: %util > 80, USE% > 90, heat at high and critical marks", "[overview]") {
    CHECK(style_of(table_with(TableKind::disks, {{"util", 85}}), "util") == Style::alert);
    CHECK(style_of(table_with(TableKind::disks, {{"util", 80}}), "util") == Style::row);
    CHECK(style_of(table_with(TableKind::fs, {{"use", 91}}), "use") == Style::alert);
    CHECK(style_of(table_with(TableKind::fs, {{"use", 90}}), "use") == Style::row);
    CHECK(style_of(table_with(TableKind::temps, {{"temp", 85}, {"high", 80}, {"crit", 100}}),
                   "temp") == Style::warn);
    CHECK(style_of(table_with(TableKind::temps, {{"temp", 101}, {"high", 80}, {"crit", 100}}),
                   "temp") == Style::alert);
    CHECK(style_of(table_with(TableKind::temps, {{"temp", 60}, {"high", 80}, {"crit", 100}}),
                   "temp") == Style::row);
    CHECK(style_of(table_with(TableKind::temps, {{"temp", 60}}), "temp") == Style::row);
}

TEST_CASE("pane: a table without rows shows its note, not column titles", "[overview]") {
    Table t;
    t.kind = TableKind::temps;
    t.title = "Temperatures";
    t.columns = table_columns(TableKind::temps);
    t.notes.push_back("no temperature, fan or battery sensors found");
    LineBuilder b(200);
    append_pane_tables(b, {t}, TableSort{}, ByteUnits::human, 10);
    auto lines = b.take();
    REQUIRE(lines.size() == 2);
    CHECK_THAT(text_of(lines[0]), Catch::Contains("Temperatures"));
    CHECK_THAT(text_of(lines[1]), Catch::Contains("no temperature"));
}

TEST_CASE("pane: the sort marker, and the line budget is kept", "[overview]") {
    vigil::test::MachinePair m;
    auto disks = build_section_tables(Section::disks, m.t1, m.rates, MachineView{});
    REQUIRE_FALSE(disks.empty());
    LineBuilder b(200);
    auto util = find_column(disks[0].columns, "util");
    append_pane_tables(b, disks, TableSort{true, *util, false}, ByteUnits::human, 3);
    auto lines = b.take();
    CHECK(lines.size() == 3);
    CHECK_THAT(text_of(lines[1]), Catch::Contains("%util>"));
}

TEST_CASE("pane: at 80 columns the disks drop discards and flushes first; %util stays",
          "[overview]") {
    vigil::test::MachinePair m;
    auto disks = build_section_tables(Section::disks, m.t1, m.rates, MachineView{});
    REQUIRE_FALSE(disks.empty());
    REQUIRE_FALSE(disks[0].rows.empty());
    auto render = [&](int width, TableSort sort) {
        LineBuilder b(width);
        append_pane_tables(b, disks, sort, ByteUnits::human, 10);
        return b.take();
    };
    auto narrow = render(80, TableSort{});
    REQUIRE(narrow.size() >= 3);
    const std::string header = text_of(narrow[1]);
    for (const char* kept :
         {"DEVICE", "rbytes/s", "wbytes/s", "r_await", "w_await", "aqu-sz", "%util"})
        CHECK_THAT(header, Catch::Contains(kept));
    for (const char* gone : {"d/s", "dbytes/s", "f/s"}) CHECK_THAT(header, !Catch::Contains(gone));
    CHECK_THAT(text_of(narrow[0]), Catch::Contains("(hidden at this width: d/s, dbytes/s, f/s)"));
    // The cells line up under their titles: the row's %util is the line's last field.
    CHECK(text_of(narrow[2]).rfind(' ') + 1 + 4 == text_of(narrow[2]).size());
    CHECK(display_width(text_of(narrow[2])) <= 80);
    // Wide enough: every column, nothing said.
    auto wide = render(200, TableSort{});
    CHECK_THAT(text_of(wide[1]), Catch::Contains("dbytes/s"));
    CHECK_THAT(text_of(wide[0]), !Catch::Contains("hidden"));
    // Sorted by d/s: that one stays, and another goes in its place (w/s, the next rank).
    auto ds = find_column(disks[0].columns, "d_s");
    REQUIRE(ds);
    auto sorted = render(80, TableSort{true, *ds, false});
    CHECK_THAT(text_of(sorted[1]), Catch::Contains("d/s>"));
    CHECK_THAT(text_of(sorted[1]), Catch::Contains("%util"));
    CHECK_THAT(text_of(sorted[0]), Catch::Contains("(hidden at this width: w/s, dbytes/s, f/s)"));
    // Rank 0 columns are never left out: a width no table fits keeps them all, cut later.
    const auto shown = pane_columns_shown(disks[0], 10, std::nullopt);
    for (std::size_t c = 0; c < shown.size(); ++c)
        CHECK(shown[c] == (disks[0].columns[c].drop_rank == 0));
}

TEST_CASE("plan: a short screen collapses the summary from its last line before the tasks",
          "[overview]") {
    vigil::test::MachinePair m;
    REQUIRE(m.rates.cpus.size() >= 2);
    Table model;
    ViewState vs;
    InteractiveState st;
    OverviewInput ov{&m.t1, &m.rates, true};  // a bar per core too
    ScreenInput in;
    in.tasks = &model;
    in.view = &vs;
    in.state = &st;
    in.overview = &ov;
    const std::size_t full = overview_summary_lines(ov, 80);
    REQUIRE(full >= 4);  // CPU, memory, PSI, and the core bars
    // Tall: all of it.
    const ScreenPlan tall = plan_screen(in, 80, 40);
    CHECK(tall.summary_lines == full);
    // Just too short for kMinTaskRows rows under the whole summary: one line goes, the last.
    const int just = static_cast<int>(full) + 3 + 1 + 1 + static_cast<int>(kMinTaskRows) - 1;
    const ScreenPlan shorter = plan_screen(in, 80, just);
    CHECK(shorter.summary_lines == full - 1);
    CHECK(shorter.task_rows == kMinTaskRows);
    ScreenLayout l = layout_screen(in, 80, just);
    REQUIRE(l.lines.size() == static_cast<std::size_t>(just));
    CHECK_THAT(text_of(l.lines[0]), Catch::StartsWith("CPU "));
    CHECK_THAT(text_of(l.lines[shorter.summary_lines]), Catch::StartsWith("Total DISK READ"));
    // Tiny: down to the CPU line, never below it.
    const ScreenPlan tiny = plan_screen(in, 80, 9);
    CHECK(tiny.summary_lines == 1);
    CHECK(tiny.task_rows > 0);
}

TEST_CASE("plan: a device pane goes beside the tasks when it fits, instead of them when not",
          "[overview]") {
    vigil::test::MachinePair m;
    auto disks = build_section_tables(Section::disks, m.t1, m.rates, MachineView{});
    Table model;
    ViewState vs;
    InteractiveState st;
    toggle_pane(st, Pane::disks);
    OverviewInput ov{&m.t1, &m.rates, false};
    ScreenInput in;
    in.tasks = &model;
    in.view = &vs;
    in.state = &st;
    in.overview = &ov;
    in.panes[static_cast<std::size_t>(Pane::disks)] = &disks;
    ScreenPlan tall = plan_screen(in, 120, 60);
    CHECK(tall.tasks_shown);
    CHECK(tall.pane_lines == pane_lines_wanted(disks));
    CHECK(tall.task_rows > 5);
    ScreenPlan small = plan_screen(in, 80, 14);
    CHECK_FALSE(small.tasks_shown);
    CHECK(small.task_rows == 0);
    ScreenLayout l = layout_screen(in, 80, 14);
    CHECK(l.lines.size() == 14);
    CHECK(l.header_y == -1);  // no task table
    // The tasks focused: the pane is left out (the status line says so), the tasks stay.
    st.pane = Pane::tasks;
    const ScreenPlan left = plan_screen(in, 80, 14);
    CHECK(left.pane_lines == 0);
    CHECK(left.no_room[static_cast<std::size_t>(Pane::disks)]);
    CHECK(left.task_rows >= kMinTaskRows);
    in.panes = {};
    CHECK(plan_screen(in, 80, 14).pane_lines == 0);
}

namespace {

// Disks, file systems and network open (their tables from the fixture machine), the
// summary without per-core bars.
struct ThreePanes {
    vigil::test::MachinePair m;
    std::vector<Table> disks = build_section_tables(Section::disks, m.t1, m.rates, MachineView{});
    std::vector<Table> fs = build_section_tables(Section::fs, m.t1, m.rates, MachineView{});
    std::vector<Table> net = build_section_tables(Section::net, m.t1, m.rates, MachineView{});
    Table model;
    ViewState vs;
    InteractiveState st;
    OverviewInput ov{&m.t1, &m.rates, false};
    ScreenInput in;

    ThreePanes() {
        toggle_pane(st, Pane::disks);
        toggle_pane(st, Pane::fs);
        toggle_pane(st, Pane::net);
        in.tasks = &model;
        in.view = &vs;
        in.state = &st;
        in.overview = &ov;
        in.panes[static_cast<std::size_t>(Pane::disks)] = &disks;
        in.panes[static_cast<std::size_t>(Pane::fs)] = &fs;
        in.panes[static_cast<std::size_t>(Pane::net)] = &net;
    }
    std::size_t share(const ScreenPlan& p, Pane pane) const {
        return p.pane_share[static_cast<std::size_t>(pane)];
    }
    std::size_t wanted() const {
        return pane_lines_wanted(disks) + pane_lines_wanted(fs) + pane_lines_wanted(net);
    }
};

}  // namespace

TEST_CASE("plan: open panes stack above the task table, which keeps its rows",
          "[overview][panes]") {
    ThreePanes t;
    REQUIRE(t.st.pane == Pane::net);  // the last opened has the focus
    const std::size_t summary = overview_summary_lines(t.ov, 160);
    // Room for everything: each pane whole, the task table with a title and 10 rows.
    const int tall = static_cast<int>(summary + 3 + t.wanted() + 2 + 10 + 1);
    const ScreenPlan all = plan_screen(t.in, 160, tall);
    CHECK(all.summary_lines == summary);
    CHECK(t.share(all, Pane::disks) == pane_lines_wanted(t.disks));
    CHECK(t.share(all, Pane::fs) == pane_lines_wanted(t.fs));
    CHECK(t.share(all, Pane::net) == pane_lines_wanted(t.net));
    CHECK(all.tasks_shown);
    CHECK(all.task_title);
    CHECK(all.task_rows == 10);
    CHECK(all.no_room == std::array<bool, kPaneCount>{});

    // 80x24: the summary collapses to its CPU line, the panes shrink, the tasks keep rows.
    const ScreenPlan small = plan_screen(t.in, 80, 24);
    CHECK(small.summary_lines == 1);
    for (Pane p : {Pane::disks, Pane::fs, Pane::net}) CHECK(t.share(small, p) >= kMinPaneLines);
    CHECK(small.tasks_shown);
    CHECK(small.task_rows >= kMinTaskRows);
    CHECK(small.summary_lines + 3 + small.pane_lines + 2 + small.task_rows + 1 == 24);
    const ScreenLayout l = layout_screen(t.in, 80, 24);
    REQUIRE(l.lines.size() == 24);
    CHECK(l.shown_rows == 0);  // the model table has no rows, but the room is there:
    CHECK(l.first_row_y + static_cast<int>(small.task_rows) == 23);

    // Room for two at their least: the last one (not the focused one) is left out, and the
    // status line names it.
    const int two = 1 + 3 + static_cast<int>(2 + kMinTaskRows + 2 * kMinPaneLines + 1) + 1;
    t.st.pane = Pane::disks;
    ScreenPlan p = plan_screen(t.in, 80, two);
    CHECK(t.share(p, Pane::disks) >= kMinPaneLines);
    CHECK(t.share(p, Pane::fs) >= kMinPaneLines);
    CHECK(t.share(p, Pane::net) == 0);
    CHECK(p.no_room[static_cast<std::size_t>(Pane::net)]);
    CHECK(p.task_rows >= kMinTaskRows);
    t.st.pane = Pane::net;  // the focused pane stays: file systems go instead
    p = plan_screen(t.in, 80, two);
    CHECK(t.share(p, Pane::net) >= kMinPaneLines);
    CHECK(t.share(p, Pane::fs) == 0);
    CHECK(p.no_room[static_cast<std::size_t>(Pane::fs)]);
    const ScreenLayout lt = layout_screen(t.in, 80, two);
    bool said = false;
    for (const ScreenLine& line : lt.lines)
        said = said || text_of(line).find("no room for file systems") != std::string::npos;
    CHECK(said);
}

TEST_CASE("layout: the focused table's title is marked, the others' are not", "[overview][panes]") {
    ThreePanes t;
    auto lines_starting = [&](std::string_view head) {
        std::vector<std::pair<std::string, Style>> out;
        for (const ScreenLine& line : layout_screen(t.in, 160, 120).lines)
            if (!line.segments.empty() && text_of(line).rfind(head, 0) == 0)
                out.emplace_back(text_of(line), line.segments.front().style);
        return out;
    };
    // The network pane has the focus: its title alone is marked, in reverse video.
    auto marked = lines_starting(kFocusMark);
    REQUIRE(marked.size() == 1);
    CHECK_THAT(marked[0].first, Catch::StartsWith("* Network"));
    CHECK(marked[0].second == Style::selected_row);
    CHECK(lines_starting("Threads (Tab").size() == 1);  // the task table's title, unmarked
    // Tab: the focus goes down the stack, then to the tasks.
    focus_next_table(t.st);
    CHECK(t.st.pane == Pane::tasks);
    marked = lines_starting(kFocusMark);
    REQUIRE(marked.size() == 1);
    CHECK(marked[0].first == "* Threads");
    focus_next_table(t.st);
    CHECK(t.st.pane == Pane::disks);
    marked = lines_starting(kFocusMark);
    REQUIRE(marked.size() == 1);
    CHECK_THAT(marked[0].first, Catch::StartsWith("* Disks"));
}

TEST_CASE("pane: rates read in the task table's units, raw KiB/s with -k", "[overview][panes]") {
    const Table disks = table_with(TableKind::disks, {{"rkb_s", 1200.0}, {"wkb_s", 0.5}});
    const Table net = table_with(TableKind::net, {{"rxkb_s", 1001.44}, {"txkb_s", 512.0}});
    auto render = [](const Table& t, ByteUnits units) {
        LineBuilder b(200);
        append_pane_tables(b, {t}, TableSort{}, units, 10);
        auto lines = b.take();
        REQUIRE(lines.size() == 3);
        return std::pair(text_of(lines[1]), text_of(lines[2]));
    };
    auto [dh, dr] = render(disks, ByteUnits::human);
    CHECK_THAT(dh, Catch::Contains("rbytes/s") && Catch::Contains("wbytes/s"));
    CHECK_THAT(dh, !Catch::Contains("kB/s"));
    CHECK_THAT(dr, Catch::Contains("1.17 M/s") && Catch::Contains("512.00 B/s"));
    auto [nh, nr] = render(net, ByteUnits::human);
    CHECK_THAT(nh, Catch::Contains("rxbytes/s") && Catch::Contains("txbytes/s"));
    // The unit switches below four digits, as the task table's does.
    CHECK_THAT(nr, Catch::Contains("0.98 M/s") && Catch::Contains("512.00 K/s"));
    // -k: iostat's and sar's raw KiB/s, under their titles.
    auto [dk, dkr] = render(disks, ByteUnits::kib);
    CHECK_THAT(dk, Catch::Contains("rkB/s") && Catch::Contains("wkB/s"));
    CHECK_THAT(dkr, Catch::Contains("1200.00") && !Catch::Contains("/s"));
    auto [nk, nkr] = render(net, ByteUnits::kib);
    CHECK_THAT(nk, Catch::Contains("rxkB/s"));
    CHECK_THAT(nkr, Catch::Contains("1001.44") && Catch::Contains("512.00"));
}

TEST_CASE("pane keys: d n m s G toggle their pane, Tab moves the focus, arrows sort it",
          "[overview][keys][panes]") {
    using vigil::test::ch;
    using vigil::test::key;
    ViewState vs;
    InteractiveState st;
    std::vector<pid_t> ids{10, 20};
    RowIds rows{ids, ids.size()};
    auto press = [&](const Event& e) { return handle_event(e, vs, st, rows); };
    auto open = [&](Pane p) { return pane_open(st, p); };
    auto sort_of = [&](Pane p) { return st.pane_sort[static_cast<std::size_t>(p)]; };
    // Tab with no pane open says how to open one.
    press(ch('\t'));
    CHECK(st.pane == Pane::tasks);
    CHECK_THAT(st.notice, Catch::Contains("no pane is open"));
    // Each letter opens its pane with the focus; the others stay open.
    CHECK(press(ch('d')).rebuild);
    CHECK(st.pane == Pane::disks);
    press(ch('n'));
    press(ch('m'));
    CHECK(st.pane == Pane::fs);
    CHECK((open(Pane::disks) && open(Pane::net) && open(Pane::fs)));
    CHECK_FALSE(open(Pane::sensors));
    // Tab: down the stack (disks, file systems, network), then the tasks, then round.
    press(ch('\t'));
    CHECK(st.pane == Pane::net);
    press(ch('\t'));
    CHECK(st.pane == Pane::tasks);
    press(ch('\t'));
    CHECK(st.pane == Pane::disks);
    // The arrows and r sort the focused pane only.
    press(key(Key::right));
    CHECK(sort_of(Pane::disks).set);
    CHECK(sort_of(Pane::disks).column == 0);
    press(key(Key::left));
    CHECK(sort_of(Pane::disks).column == pane_column_count(Pane::disks) - 1);
    press(ch('r'));
    CHECK(sort_of(Pane::disks).reverse);
    CHECK_FALSE(sort_of(Pane::fs).set);
    CHECK_FALSE(sort_of(Pane::net).set);
    CHECK(vs.sort == ColumnId::io);  // the task table's sort is untouched
    CHECK_FALSE(vs.reverse);
    press(ch('\t'));
    press(key(Key::right));
    CHECK(sort_of(Pane::fs).set);
    CHECK(sort_of(Pane::disks).column == pane_column_count(Pane::disks) - 1);
    // The tasks focused: the arrows sort them, and no pane.
    press(ch('\t'));
    press(ch('\t'));
    REQUIRE(st.pane == Pane::tasks);
    const TableSort fs_sort = sort_of(Pane::fs);
    press(key(Key::right));
    CHECK(vs.sort != ColumnId::io);
    CHECK(sort_of(Pane::fs).column == fs_sort.column);
    // d again closes the disks pane; the focus stays where it was.
    CHECK(press(ch('d')).rebuild);
    CHECK_FALSE(open(Pane::disks));
    CHECK(st.pane == Pane::tasks);
    // Closing the focused pane gives the focus back to the tasks.
    press(ch('\t'));
    CHECK(st.pane == Pane::fs);
    press(ch('M'));
    CHECK_FALSE(open(Pane::fs));
    CHECK(st.pane == Pane::tasks);
    CHECK(open(Pane::net));
    press(ch('s'));
    press(ch('G'));
    CHECK((open(Pane::sensors) && open(Pane::cgroups)));
    CHECK(st.pane == Pane::cgroups);
    // t: tasks only.
    press(ch('t'));
    CHECK(st.pane == Pane::tasks);
    CHECK(st.open_panes == std::array<bool, kPaneCount>{});
    press(ch('1'));
    CHECK(st.per_core);
}
