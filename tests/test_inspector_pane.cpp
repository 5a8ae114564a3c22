// The view's process inspector pane (Enter): rates from two reads, its lines, its keys, and
// the controller opening, refreshing and closing it with a scripted reader.
// (tests/e2e_inspect_view.sh drives the real one in tmux.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <clocale>

#include "fake_clock.hpp"
#include "fake_terminal.hpp"
#include "fixture_util.hpp"
#include "key_events.hpp"
#include "machine_fixture.hpp"
#include "scripted_source.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/ui/batch/inspect_writer.hpp"
#include "vigil/ui/batch/text_writer.hpp"
#include "vigil/ui/inspector_pane.hpp"

using namespace vigil;
using vigil::test::ch;
using vigil::test::FakeClock;
using vigil::test::FakeTerminal;
using vigil::test::key;
using vigil::test::ScriptedSource;

namespace {

// A process with known counters: user/system seconds and I/O bytes.
ProcessInfo process(pid_t pid, double user_s, double system_s, std::uint64_t read,
                    std::uint64_t write, std::uint64_t rchar, std::uint64_t wchar) {
    ProcessInfo p;
    p.identity.pid = pid;
    p.identity.name = "worker";
    p.identity.start_since_boot_s = 12.5;
    p.identity.status.any_read = true;
    p.cpu.user_s = user_s;
    p.cpu.system_s = system_s;
    p.cpu.status.any_read = true;
    p.io.read_bytes = read;
    p.io.write_bytes = write;
    p.io.rchar = rchar;
    p.io.wchar = wchar;
    p.io.status.any_read = true;
    for (int fd = 0; fd < 200; ++fd)
        p.files.fds.push_back(OpenFile{fd, "/tmp/file-" + std::to_string(fd), "file", {}, {}});
    p.files.fds[150].target = "/srv/needle.log";
    p.files.count = p.files.fds.size();
    p.files.status.any_read = true;
    p.environment.status.problems.push_back(
        ReadProblem{"environ", ReadFailure::denied, "permission denied"});
    return p;
}

std::string joined(const std::vector<InspectorLine>& lines) {
    std::string out;
    for (const InspectorLine& l : lines) out += l.text + "\n";
    return out;
}

std::string screen_text(const ScreenLayout& l) {
    std::string out;
    for (const ScreenLine& line : l.lines) {
        for (const Segment& s : line.segments) out += s.text;
        out += '\n';
    }
    return out;
}

std::size_t index_of(const InspectorPane& p, std::string_view text) {
    for (std::size_t i = 0; i < p.lines.size(); ++i)
        if (p.lines[i].text.find(text) != std::string::npos) return i;
    return p.lines.size();
}

}  // namespace

TEST_CASE("inspector: rates from two reads over the real time between them", "[inspector]") {
    const ProcessInfo a = process(7, 10.0, 2.0, 1000, 0, 5000, 100);
    const ProcessInfo b = process(7, 11.0, 2.5, 1000 + 4096, 8192, 5000 + 2000, 100);
    const InspectorRates r = inspector_rates(&a, b, 2.0);
    REQUIRE(r.user_pct);
    CHECK(*r.user_pct == Approx(50.0));
    CHECK(*r.system_pct == Approx(25.0));
    CHECK(*r.cpu_pct == Approx(75.0));
    CHECK(*r.read_bps == Approx(2048.0));
    CHECK(*r.write_bps == Approx(4096.0));
    CHECK(*r.rchar_bps == Approx(1000.0));
    CHECK(*r.wchar_bps == Approx(0.0));

    // The first read, a reused PID, a counter gone backwards or unread: unknown, never 0.
    const InspectorRates first = inspector_rates(nullptr, b, 2.0);
    CHECK_FALSE(first.cpu_pct);
    CHECK_FALSE(first.read_bps);
    ProcessInfo reused = b;
    reused.identity.start_since_boot_s = 99.0;
    CHECK_FALSE(inspector_rates(&a, reused, 2.0).cpu_pct);
    ProcessInfo back = b;
    back.io.read_bytes = 10;
    back.io.wchar.reset();
    const InspectorRates rb = inspector_rates(&a, back, 2.0);
    CHECK_FALSE(rb.read_bps);
    CHECK_FALSE(rb.wchar_bps);
    CHECK(rb.write_bps);
    CHECK_FALSE(inspector_rates(&a, b, 0.0).cpu_pct);
}

TEST_CASE("inspector: the lines are --inspect's text with the rates in CPU and I/O",
          "[inspector]") {
    const ProcessInfo a = process(7, 10.0, 2.0, 1000, 0, 5000, 100);
    const ProcessInfo b = process(7, 11.0, 2.5, 1000 + 4096, 8192, 5000 + 2000, 100);
    const std::vector<InspectorLine> lines =
        inspector_lines(b, inspector_rates(&a, b, 2.0), true, ByteUnits::human);
    const std::string text = joined(lines);
    CHECK_THAT(text, Catch::Contains("CPU%               75.00 % (user 50.00 %, system 25.00 %)"));
    CHECK_THAT(text, Catch::Contains("read rate          2.00 K/s"));
    CHECK_THAT(text, Catch::Contains("write rate         4.00 K/s"));
    CHECK_THAT(text, Catch::Contains("rchar rate"));
    CHECK_THAT(text, Catch::Contains("wchar rate"));
    // Every line of the batch text is there, in order.
    const std::vector<std::string> batch = inspect_text_lines(b, true, ByteUnits::human);
    std::size_t at = 0;
    for (const std::string& l : batch) {
        while (at < lines.size() && lines[at].text != l) ++at;
        INFO(l);
        REQUIRE(at < lines.size());
    }
    // Titles and problems are marked; an unreadable section says why.
    const auto titles = std::count_if(lines.begin(), lines.end(), [](const InspectorLine& l) {
        return l.kind == InspectorLine::Kind::title;
    });
    CHECK(titles == static_cast<long>(std::size(kInspectSections)));
    CHECK(std::any_of(lines.begin(), lines.end(), [](const InspectorLine& l) {
        return l.kind == InspectorLine::Kind::problem &&
               l.text.find("environ: permission denied (denied)") != std::string::npos;
    }));
    // The first read: the rates are ?.
    CHECK_THAT(joined(inspector_lines(b, {}, true, ByteUnits::human)),
               Catch::Contains("CPU%               ? (user ?, system ?)"));
    CHECK_THAT(joined(inspector_lines(b, {}, true, ByteUnits::human)),
               Catch::Contains("read rate          ?"));
}

TEST_CASE("inspector: the joined lines are --inspect's text byte for byte", "[inspector]") {
    const ProcessInfo b = process(7, 11.0, 2.5, 1000, 8192, 5000, 100);
    std::string joined_lines;
    for (const std::string& l : inspect_text_lines(b, true, ByteUnits::human))
        joined_lines += l + "\n";
    CHECK(joined_lines == format_inspect_text(b, true, ByteUnits::human));
}

namespace {

// A task table of three threads of process 7 (of 5 matched), as Pipeline::tasks makes one
// for inspector_thread_view: TID, CPU%, DISK READ and COMMAND; thread 8 read from storage.
Table thread_table(const ViewState& tv) {
    Table t;
    t.kind = TableKind::tasks;
    t.section = Section::tasks;
    t.column_store = chosen_columns(tv);
    t.columns = *t.column_store;
    const double cpu[] = {12.5, 3.0, 0.0};
    const double read[] = {0.0, 2048.0, 0.0};
    for (int i = 0; i < 3; ++i) {
        t.rows.push_back({Cell{7.0 + i, {}}, Cell{cpu[i], {}}, Cell{read[i], {}},
                          Cell{{}, "python3 worker.py"}});
        RowRef ref;
        ref.id = 7 + i;
        ref.pid = 7;
        ref.task = static_cast<std::size_t>(i);
        t.refs.push_back(ref);
    }
    t.matched_rows = 5;
    return t;
}

ViewState thread_columns_view() {
    ViewState vs;
    vs.columns = {ColumnId::id, ColumnId::cpu, ColumnId::disk_read, ColumnId::command};
    vs.sort = ColumnId::cpu;
    return vs;
}

}  // namespace

TEST_CASE("inspector: the thread view is the view's columns and sort over one process",
          "[inspector]") {
    ViewState vs = thread_columns_view();
    vs.processes = true;
    vs.only_active = true;
    vs.hide_kernel_threads = true;
    vs.uids = {1000};
    vs.pids = {1, 2};
    vs.filter.set("bash");
    vs.accumulated = true;
    const ViewState tv = inspector_thread_view(vs, 7);
    CHECK_FALSE(tv.processes);
    CHECK(tv.pids == std::vector<pid_t>{7});
    CHECK(tv.uids.empty());
    CHECK_FALSE(tv.only_active);
    CHECK_FALSE(tv.hide_kernel_threads);
    CHECK_FALSE(tv.filter.active());
    CHECK(tv.columns == vs.columns);
    CHECK(tv.sort == ColumnId::cpu);
    CHECK(tv.accumulated);
}

TEST_CASE("inspector: the Threads section is the task table of the process's threads",
          "[inspector]") {
    const ViewState tv = inspector_thread_view(thread_columns_view(), 7);
    const Table t = thread_table(tv);
    InspectorPane p;
    p.open_on(7, std::nullopt, process(7, 1, 1, 0, 0, 0, 0), 100.0);
    const std::size_t before = p.lines.size();
    p.set_threads(t, tv);
    const std::size_t at = index_of(p, "== Threads ==");
    REQUIRE(at + 5 < p.lines.size());
    CHECK(p.lines.size() == at + 6);  // the last section: title, titles, 3 rows, "more"
    CHECK(p.lines.size() == before + 5);
    // The column titles as the view's header has them (fixed widths, > on the sorted one),
    // the rows as the view's rows, indented.
    CHECK(p.lines[at + 1].kind == InspectorLine::Kind::header);
    INFO(p.lines[at + 1].text);
    CHECK(p.lines[at + 1].text.starts_with("      TID CPU%> "));
    CHECK_THAT(p.lines[at + 1].text, Catch::Contains("DISK READ"));
    CHECK_THAT(p.lines[at + 1].text, Catch::EndsWith("COMMAND"));
    for (std::size_t r = 0; r < 3; ++r) {
        INFO(r);
        CHECK(p.lines[at + 2 + r].text == "  " + format_task_row(t, r, tv));
    }
    CHECK_THAT(p.lines[at + 2].text, Catch::Contains("      7  12.5 "));
    CHECK(p.lines[at + 2].kind == InspectorLine::Kind::text);
    CHECK(p.lines[at + 3].kind == InspectorLine::Kind::hot);  // it read from storage
    CHECK(p.lines[at + 5].text == "  ... 2 more threads");
    // The screen: the titles in the column-header style.
    InteractiveState st;
    p.page_rows = 10;
    handle_inspector_key(key(Key::end), p, st);
    const ScreenLayout l = layout_inspector(p, st, 120, 13);
    const bool header_styled = std::any_of(l.lines.begin(), l.lines.end(), [](const ScreenLine& s) {
        return !s.segments.empty() && s.segments[0].style == Style::column_header &&
               s.segments[0].text.find("DISK READ") != std::string::npos;
    });
    CHECK(header_styled);
    CHECK_THAT(screen_text(l), Catch::Contains("python3 worker.py"));

    // A new sample's table replaces the rows; a process with one thread shows one row.
    Table one = thread_table(tv);
    one.rows.resize(1);
    one.refs.resize(1);
    one.matched_rows = 1;
    p.set_threads(one, tv);
    CHECK(p.lines.size() == at + 3);
    CHECK(p.lines.back().text == "  " + format_task_row(one, 0, tv));
    // None in the sample: said, never an empty section.
    Table none = thread_table(tv);
    none.rows.clear();
    none.refs.clear();
    none.matched_rows = 0;
    p.set_threads(none, tv);
    CHECK(p.lines.back().text == "  (no thread of it in the last sample)");
    // A refresh of the process keeps the rows of the last sample; Tab still finds the title.
    p.set_threads(t, tv);
    ProcessInfo next = process(7, 2, 1, 0, 0, 0, 0);
    for (const char* v : {"A", "B", "C"})  // the section before it grows
        next.environment.vars.emplace_back(v, "1");
    next.environment.status = {};
    next.environment.status.any_read = true;
    p.update(std::move(next), 101.0);
    const std::size_t moved = index_of(p, "== Threads ==");
    CHECK(moved > at);
    CHECK(p.lines[moved + 2].text == "  " + format_task_row(t, 0, tv));
    CHECK(p.lines.size() == moved + 6);
}

TEST_CASE("inspector: a refresh lays out only the sections whose data changed", "[inspector]") {
    InspectorPane p;
    p.open_on(7, std::nullopt, process(7, 1.0, 1.0, 0, 0, 0, 0), 100.0);
    CHECK(p.sections_laid_out == std::size(kInspectSections));
    const std::size_t needle = index_of(p, "/srv/needle.log");
    REQUIRE(needle < p.lines.size());
    const char* kept = p.lines[needle].text.data();  // a long line: its own buffer
    p.page_rows = 10;
    p.scroll = needle;
    p.match = needle;

    // CPU times moved: the CPU section (and its rates, and I/O's, now known) only; the
    // open-files lines are the same strings, not made again.
    p.update(process(7, 2.0, 1.0, 0, 0, 0, 0), 101.0);
    CHECK(p.sections_laid_out == std::size(kInspectSections) + 2);
    CHECK(p.lines[needle].text.data() == kept);
    // Nothing moved at all (the rates neither): nothing laid out.
    p.update(process(7, 2.0, 1.0, 0, 0, 0, 0), 102.0);
    const std::size_t laid = p.sections_laid_out;
    p.update(process(7, 2.0, 1.0, 0, 0, 0, 0), 103.0);
    CHECK(p.sections_laid_out == laid);

    // A section above grows by a line: the lines below, the scroll position and the match
    // move with it, so the screen shows the same lines.
    ProcessInfo grown = process(7, 2.0, 1.0, 0, 0, 0, 0);
    grown.identity.cgroups.push_back("0::/user.slice");
    p.update(grown, 104.0);
    CHECK(p.sections_laid_out == laid + 1);
    CHECK(p.lines[needle + 1].text.data() == kept);
    CHECK(p.scroll == needle + 1);
    CHECK(p.match == needle + 1);

    // An open file more: that section again, the rest kept.
    ProcessInfo more = grown;
    more.files.fds.push_back(OpenFile{200, "/srv/new.log", "file", {}, {}});
    more.files.count = more.files.fds.size();
    p.update(more, 105.0);
    CHECK(p.sections_laid_out == laid + 2);
    CHECK(index_of(p, "/srv/new.log") < p.lines.size());

    // Whatever was kept or made again, the lines are those of a layout from scratch.
    const std::vector<InspectorLine> fresh =
        inspector_lines(*p.info, p.rates, true, ByteUnits::human);
    REQUIRE(p.lines.size() == fresh.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        INFO(i);
        CHECK(p.lines[i].text == fresh[i].text);
        CHECK(p.lines[i].kind == fresh[i].kind);
    }
    CHECK(p.section_start.back() == p.lines.size());
}

TEST_CASE("inspector: scrolling, Tab to the next section, search with / and n", "[inspector]") {
    InspectorPane p;
    InteractiveState st;
    st.mode = Mode::inspector;
    p.open_on(7, std::nullopt, process(7, 1, 1, 0, 0, 0, 0), 100.0);
    p.page_rows = 10;
    REQUIRE(p.lines.size() > 200);
    const std::size_t last = p.lines.size() - 10;

    handle_inspector_key(key(Key::down), p, st);
    CHECK(p.scroll == 1);
    handle_inspector_key(key(Key::up), p, st);
    handle_inspector_key(key(Key::up), p, st);
    CHECK(p.scroll == 0);
    handle_inspector_key(key(Key::page_down), p, st);
    CHECK(p.scroll == 10);
    handle_inspector_key(key(Key::end), p, st);
    CHECK(p.scroll == last);
    handle_inspector_key(key(Key::page_down), p, st);
    CHECK(p.scroll == last);
    handle_inspector_key(key(Key::home), p, st);
    CHECK(p.scroll == 0);

    // Left / Right: sideways, by 16 columns, never before the first.
    const std::string first = p.lines[1].text;  // "  pid                7"
    handle_inspector_key(key(Key::right), p, st);
    CHECK(p.hscroll == 16);
    std::string shown = screen_text(layout_inspector(p, st, 80, 13));
    CHECK_THAT(shown, Catch::Contains("\n" + first.substr(16) + "\n"));
    CHECK_THAT(shown, Catch::Contains("from column 17"));
    handle_inspector_key(key(Key::left), p, st);
    handle_inspector_key(key(Key::left), p, st);
    CHECK(p.hscroll == 0);

    // Tab: section titles in order.
    handle_inspector_key(ch('\t'), p, st);
    CHECK(p.lines[p.scroll].text == "== CPU ==");
    handle_inspector_key(ch('\t'), p, st);
    CHECK(p.lines[p.scroll].text == "== Memory ==");
    for (int i = 0; i < 3; ++i) handle_inspector_key(ch('\t'), p, st);
    CHECK(p.lines[p.scroll].text == "== Open files ==");

    // Search: typed after /, Enter finds it (the open-files list is scrolled to it), n the
    // next one, wrapping.
    handle_inspector_key(key(Key::home), p, st);
    Effect e = handle_inspector_key(ch('/'), p, st);
    CHECK(p.searching);
    for (char32_t c : std::u32string_view(U"NEEDLE")) handle_inspector_key(ch(c), p, st);
    handle_inspector_key(key(Key::backspace), p, st);  // edits the text, does not close
    handle_inspector_key(ch('E'), p, st);
    CHECK(p.open);
    ScreenLayout l = layout_inspector(p, st, 80, 13);
    CHECK_THAT(screen_text(l), Catch::Contains("Search (Enter finds, Esc cancels): NEEDLE"));
    e = handle_inspector_key(key(Key::enter), p, st);
    CHECK_FALSE(p.searching);
    const std::size_t needle = index_of(p, "/srv/needle.log");
    REQUIRE(p.match);
    CHECK(*p.match == needle);
    CHECK(p.scroll <= needle);
    CHECK(needle < p.scroll + p.page_rows);
    l = layout_inspector(p, st, 80, 13);
    bool highlighted = false;
    for (const ScreenLine& line : l.lines)
        if (!line.segments.empty() && line.segments[0].style == Style::selected_row &&
            line.segments[0].text.find("/srv/needle.log") != std::string::npos)
            highlighted = true;
    CHECK(highlighted);
    handle_inspector_key(ch('n'), p, st);  // the only match: found again
    CHECK(*p.match == needle);

    // "file-1" is in many lines: n goes to the next one each time.
    handle_inspector_key(ch('/'), p, st);
    for (char32_t c : std::u32string_view(U"file-1")) handle_inspector_key(ch(c), p, st);
    handle_inspector_key(key(Key::enter), p, st);
    REQUIRE(p.match);
    const std::size_t m1 = *p.match;
    handle_inspector_key(ch('n'), p, st);
    CHECK(*p.match > m1);
    handle_inspector_key(ch('N'), p, st);
    CHECK(*p.match == m1);

    // Not there: said, and the pane stays where it is.
    const std::size_t at = p.scroll;
    handle_inspector_key(ch('/'), p, st);
    for (char32_t c : std::u32string_view(U"zzz-nowhere")) handle_inspector_key(ch(c), p, st);
    handle_inspector_key(key(Key::enter), p, st);
    CHECK(p.scroll == at);
    CHECK_THAT(p.notice, Catch::Contains("not found"));
    // Esc in the search prompt cancels it, not the pane.
    handle_inspector_key(ch('/'), p, st);
    handle_inspector_key(key(Key::escape), p, st);
    CHECK(p.open);
    CHECK_FALSE(p.searching);
}

TEST_CASE("inspector: Esc and Backspace close it, q quits, Esc never quits", "[inspector]") {
    InspectorPane p;
    InteractiveState st;
    for (Key k : {Key::escape, Key::backspace}) {
        st.mode = Mode::inspector;
        p.open_on(7, std::nullopt, process(7, 1, 1, 0, 0, 0, 0), 100.0);
        const Effect e = handle_inspector_key(key(k), p, st);
        CHECK_FALSE(e.quit);
        CHECK(e.rebuild);
        CHECK_FALSE(p.open);
        CHECK(st.mode == Mode::normal);
    }
    st.mode = Mode::inspector;
    p.open_on(7, std::nullopt, process(7, 1, 1, 0, 0, 0, 0), 100.0);
    CHECK(handle_inspector_key(ch('q'), p, st).quit);
    CHECK(handle_inspector_key(Event{Key::function, 10, 0, 0}, p, st).quit);
    CHECK_FALSE(handle_inspector_key(ch(' '), p, st).quit);
    CHECK(st.paused);
}

TEST_CASE("inspector: an exited process keeps its last state, marked", "[inspector]") {
    InspectorPane p;
    InteractiveState st;
    p.open_on(7, 9, process(7, 1, 1, 0, 0, 0, 0), 100.0);
    p.mark_exited();
    const std::string s = screen_text(layout_inspector(p, st, 100, 20));
    CHECK_THAT(s, Catch::Contains("process 7 exited"));
    CHECK_THAT(s, Catch::Contains("Inspector: process 7 worker (thread 9 selected)"));
    CHECK_THAT(s, Catch::Contains("== Identity =="));
    // A tiny screen: never more lines than it has.
    CHECK(layout_inspector(p, st, 10, 2).lines.size() <= 2);
}

TEST_CASE("inspector: Enter in a replay says it needs a live process, and does nothing else",
          "[inspector][keys]") {
    ViewState vs;
    InteractiveState st;
    st.replay = true;
    st.selected = 100;
    const std::vector<pid_t> ids{100};
    const Effect e = handle_event(key(Key::enter), vs, st, RowIds{ids, 1});
    CHECK_FALSE(e.inspect);
    CHECK(st.mode == Mode::normal);
    CHECK_THAT(st.notice, Catch::Contains("needs a live process"));
    st.replay = false;
    CHECK(handle_event(key(Key::enter), vs, st, RowIds{ids, 1}).inspect);
}

namespace {

// Reads served from a script: each read counts; a PID in `gone` is not there.
struct ScriptedReader final : ProcessReader {
    Result<ProcessInfo> read(pid_t pid) override {
        ++reads;
        pids.push_back(pid);
        if (gone) return Error{"no process " + std::to_string(pid)};
        ProcessInfo p =
            process(pid, 1.0 + reads, 0.5, 4096u * static_cast<unsigned>(reads), 0, 0, 0);
        p.identity.cwd = "/srv/work";
        return p;
    }
    int reads = 0;
    bool gone = false;
    std::vector<pid_t> pids;
};

std::vector<test::Sample> samples() {
    Snapshot t0 = test::load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = test::load_snapshot("t1", 2.0, 1002.0);
    t0.machine = test::collect_machine("t0", 0.0);
    t1.machine = test::collect_machine("t1", 2.0);
    Snapshot t2 = t1;
    t2.steady_s = t2.machine.steady_s = 4.0;
    t2.boot_s = 1004.0;
    return {test::Sample{t0, {}}, test::Sample{t1, {}}, test::Sample{t2, {}}, test::Sample{t2, {}}};
}

struct InspectView {
    InspectView() : term(120, 80), source(samples()) {
        ControllerSetup setup;
        setup.terminal = &term;
        setup.clock = &clock;
        setup.live = &source;
        setup.view.utf8 = true;
        setup.delay_s = 2.0;
        setup.inspector = &reader;
        controller = std::make_unique<Controller>(setup);
        controller->start();
    }
    void next_sample() {
        const int ms = controller->timeout_ms();
        REQUIRE(ms >= 0);
        clock.advance(ms / 1000.0);
        controller->tick();
    }
    bool press(Key k) {
        term.key(k);
        return controller->input() && controller->tick();
    }
    bool press(std::u32string_view keys) {
        term.type(keys);
        return controller->input() && controller->tick();
    }

    FakeClock clock{100.0, 1000.0};
    FakeTerminal term;
    ScriptedSource source;
    ScriptedReader reader;
    std::unique_ptr<Controller> controller;
};

}  // namespace

TEST_CASE("controller: Enter inspects the selected thread's process, refreshed while open",
          "[inspector][controller]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    InspectView v;
    v.next_sample();
    CHECK(v.reader.reads == 0);  // nothing of it runs for the table
    // Select thread 101 of process 100.
    REQUIRE(v.press(U"f"));
    REQUIRE(v.press(U"100"));
    REQUIRE(v.press(Key::enter));
    for (int i = 0; i < 5 && v.controller->state().selected != 101; ++i) v.press(Key::down);
    REQUIRE(v.controller->state().selected == 101);
    CHECK(v.reader.reads == 0);

    REQUIRE(v.press(Key::enter));
    CHECK(v.controller->state().mode == Mode::inspector);
    REQUIRE(v.reader.pids == std::vector<pid_t>{100});
    CHECK_THAT(v.term.screen(), Catch::Contains("Inspector: process 100 worker (thread 101"));
    CHECK_THAT(v.term.screen(), Catch::Contains("/srv/work"));
    CHECK_THAT(v.term.screen(), Catch::Contains("CPU%               ? (user ?"));
    // The Threads section: the task table's rows of process 100's threads, and no other.
    auto thread_rows = [&] {
        const InspectorPane& p = v.controller->inspector();
        std::vector<std::string> rows;
        const std::size_t at = p.section_start[static_cast<std::size_t>(InspectSection::threads)];
        REQUIRE(at + 1 < p.lines.size());
        CHECK(p.lines[at].text == "== Threads ==");
        CHECK(p.lines[at + 1].kind == InspectorLine::Kind::header);
        CHECK_THAT(p.lines[at + 1].text, Catch::Contains("TID"));
        CHECK_THAT(p.lines[at + 1].text, Catch::Contains("DISK READ"));
        for (std::size_t i = at + 2; i < p.lines.size(); ++i) rows.push_back(p.lines[i].text);
        return rows;
    };
    auto tids = [](const std::vector<std::string>& rows) {
        std::vector<pid_t> out;
        for (const std::string& r : rows) out.push_back(std::stoi(r));
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(tids(thread_rows()) == std::vector<pid_t>{100, 101, 103});

    // Each refresh reads it again; the rates come from the two reads over the clock's time.
    const std::size_t laid = v.controller->inspector().sections_laid_out;
    v.next_sample();
    CHECK(v.reader.reads == 2);
    CHECK(v.controller->inspector().sections_laid_out > laid);  // the thread rows at least
    CHECK(tids(thread_rows()) == std::vector<pid_t>{100, 101, 103});
    CHECK_THAT(v.term.screen(), Catch::Contains("CPU%               50.00 % (user 50.00 %"));
    CHECK_THAT(v.term.screen(), Catch::Contains("read rate          2.00 K/s"));

    // Paused: not read again.
    REQUIRE(v.press(U" "));
    CHECK(v.controller->timeout_ms() == -1);
    v.clock.advance(10);
    v.controller->tick();
    CHECK(v.reader.reads == 2);
    REQUIRE(v.press(U" "));  // resumed: the refresh that was due, at once
    const int reads = v.reader.reads;
    CHECK(reads == 3);

    // Esc: the table again, the selection on the same thread; the reads stop.
    REQUIRE(v.press(Key::escape));
    CHECK(v.controller->state().mode == Mode::normal);
    CHECK(v.controller->state().selected == 101);
    CHECK_THAT(v.term.screen(), Catch::Contains("PRIO"));
    v.next_sample();
    CHECK(v.reader.reads == reads);
}

TEST_CASE("controller: the inspected process exits; it cannot open on a gone one",
          "[inspector][controller]") {
    InspectView v;
    v.next_sample();
    REQUIRE(v.controller->state().selected);
    REQUIRE(v.press(Key::enter));
    REQUIRE(v.controller->state().mode == Mode::inspector);
    v.reader.gone = true;
    v.next_sample();
    CHECK(v.controller->state().mode == Mode::inspector);
    CHECK(v.controller->inspector().exited);
    CHECK_THAT(v.term.screen(), Catch::Contains("exited: the last state read is shown"));
    CHECK_THAT(v.term.screen(), Catch::Contains("/srv/work"));
    // Not read again once gone.
    const int reads = v.reader.reads;
    v.next_sample();
    CHECK(v.reader.reads == reads);
    REQUIRE(v.press(Key::escape));
    CHECK(v.controller->state().mode == Mode::normal);

    // Enter on a process that is gone: the notice line says so, the table stays.
    REQUIRE(v.press(Key::enter));
    CHECK(v.controller->state().mode == Mode::normal);
    CHECK_THAT(v.controller->state().notice, Catch::Contains("no process"));
}
