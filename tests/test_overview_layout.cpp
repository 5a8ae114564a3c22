#include <catch2/catch.hpp>

#include <clocale>

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
    for (const char* kept : {"DEVICE", "rkB/s", "wkB/s", "r_await", "w_await", "aqu-sz", "%util"})
        CHECK_THAT(header, Catch::Contains(kept));
    for (const char* gone : {"d/s", "dkB/s", "f/s"}) CHECK_THAT(header, !Catch::Contains(gone));
    CHECK_THAT(text_of(narrow[0]), Catch::Contains("(hidden at this width: d/s, dkB/s, f/s)"));
    // The cells line up under their titles: the row's %util is the line's last field.
    CHECK(text_of(narrow[2]).rfind(' ') + 1 + 4 == text_of(narrow[2]).size());
    CHECK(display_width(text_of(narrow[2])) <= 80);
    // Wide enough: every column, nothing said.
    auto wide = render(200, TableSort{});
    CHECK_THAT(text_of(wide[1]), Catch::Contains("dkB/s"));
    CHECK_THAT(text_of(wide[0]), !Catch::Contains("hidden"));
    // Sorted by d/s: that one stays, and another goes in its place (w/s, the next rank).
    auto ds = find_column(disks[0].columns, "d_s");
    REQUIRE(ds);
    auto sorted = render(80, TableSort{true, *ds, false});
    CHECK_THAT(text_of(sorted[1]), Catch::Contains("d/s>"));
    CHECK_THAT(text_of(sorted[1]), Catch::Contains("%util"));
    CHECK_THAT(text_of(sorted[0]), Catch::Contains("(hidden at this width: w/s, dkB/s, f/s)"));
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
    st.pane = Pane::disks;
    OverviewInput ov{&m.t1, &m.rates, false};
    ScreenInput in;
    in.tasks = &model;
    in.view = &vs;
    in.state = &st;
    in.overview = &ov;
    in.pane = &disks;
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
    st.pane = Pane::tasks;
    CHECK(plan_screen(in, 80, 14).pane_lines == 0);
}

TEST_CASE("pane keys: Tab cycles, letters jump, arrows sort the focused pane", "[overview][keys]") {
    ViewState vs;
    InteractiveState st;
    std::vector<pid_t> ids;
    RowIds rows{ids, 0};
    auto press = [&](char32_t c) {
        return handle_event(Event{Key::character, c, 0, 0}, vs, st, rows);
    };
    press('\t');
    CHECK(st.pane == Pane::disks);
    press('\t');
    CHECK(st.pane == Pane::fs);
    press('s');
    CHECK(st.pane == Pane::sensors);
    press('n');
    CHECK(st.pane == Pane::net);
    press('d');
    handle_event(Event{Key::right}, vs, st, rows);
    CHECK(st.pane_sort[static_cast<std::size_t>(Pane::disks)].set);
    CHECK(st.pane_sort[static_cast<std::size_t>(Pane::disks)].column == 0);
    handle_event(Event{Key::left}, vs, st, rows);
    CHECK(st.pane_sort[static_cast<std::size_t>(Pane::disks)].column ==
          pane_column_count(Pane::disks) - 1);
    press('r');
    CHECK(st.pane_sort[static_cast<std::size_t>(Pane::disks)].reverse);
    CHECK(vs.sort == ColumnId::io);  // the task table's sort is untouched
    CHECK_FALSE(vs.reverse);
    press('t');
    CHECK(st.pane == Pane::tasks);
    press('1');
    CHECK(st.per_core);
}
