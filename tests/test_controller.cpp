// The full-screen view's controller without a terminal: a scripted source, a clock the test
// sets and a terminal that keeps what is painted. (tests/e2e_tmux.sh drives the real one.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <clocale>
#include <csignal>
#include <filesystem>
#include <limits>
#include <map>

#include "fake_clock.hpp"
#include "fake_terminal.hpp"
#include "fixture_util.hpp"
#include "machine_fixture.hpp"
#include "record_util.hpp"
#include "scripted_source.hpp"
#include "utc_zone.hpp"
#include "vigil/app/controller.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/columns.hpp"

using namespace vigil;
using vigil::test::FakeClock;
using vigil::test::FakeTerminal;
using vigil::test::ScriptedSource;

namespace {

// ionice and kill, remembered instead of done.
struct RecordingActions final : TaskActions {
    std::string ionice(pid_t id, bool whole, IoPrio prio) override {
        calls.push_back("ionice " + std::to_string(id) + (whole ? " process " : " thread ") +
                        std::to_string(static_cast<int>(prio.cls)) + "/" +
                        std::to_string(prio.level));
        return {};
    }
    std::string renice(pid_t id, bool whole, int nice) override {
        calls.push_back("renice " + std::to_string(id) + (whole ? " process " : " thread ") +
                        std::to_string(nice));
        return renice_fails_with;
    }
    std::string signal(pid_t id, int sig) override {
        calls.push_back("signal " + std::to_string(sig) + " to " + std::to_string(id));
        return fail_with;
    }
    std::string delay_accounting(bool on) override {
        calls.push_back(on ? "delay accounting on" : "delay accounting off");
        return delayacct_fails_with;
    }
    std::string renice_fails_with;
    std::string delayacct_fails_with;
    std::vector<std::string> calls;
    std::string fail_with;
};

// The fixture machine (tasks of tests/fixtures/proc, overview of tests/fixtures/machine):
// t0, t1, then t1 again 2 s later.
std::vector<test::Sample> fixture_samples() {
    Snapshot t0 = test::load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = test::load_snapshot("t1", 2.0, 1002.0);
    t0.machine = test::collect_machine("t0", 0.0);
    t1.machine = test::collect_machine("t1", 2.0);
    Snapshot t2 = t1;
    t2.steady_s = t2.machine.steady_s = 4.0;
    t2.boot_s = 1004.0;
    return {test::Sample{t0, {}}, test::Sample{t1, {}}, test::Sample{t2, {}}};
}

// The fixture samples with kernel.task_delayacct as given for each (nullopt: not read).
std::vector<test::Sample> with_delayacct(std::vector<std::optional<bool>> on) {
    std::vector<test::Sample> s = fixture_samples();
    for (std::size_t i = 0; i < s.size() && i < on.size(); ++i) s[i].snap.delayacct_enabled = on[i];
    return s;
}

struct View {
    explicit View(std::vector<std::string> notices = {}, MachineView mv = {},
                  std::optional<long> iterations = std::nullopt, int width = 120,
                  bool top_when_wide = false, std::vector<test::Sample> samples = fixture_samples(),
                  std::vector<ColumnId> columns = {})
        : term(width, 40), source(std::move(samples)) {
        ControllerSetup setup;
        setup.view.columns = std::move(columns);
        setup.top_when_wide = top_when_wide;
        setup.terminal = &term;
        setup.clock = &clock;
        setup.live = &source;
        setup.view.utf8 = true;
        setup.machine = mv;
        setup.notices = std::move(notices);
        setup.delay_s = 2.0;
        setup.iterations = iterations;
        setup.actions = &actions;
        controller = std::make_unique<Controller>(setup);
        controller->start();
    }
    // Lets the clock run to the next sample and takes it.
    bool next_sample() {
        const int ms = controller->timeout_ms();
        REQUIRE(ms >= 0);
        clock.advance(ms / 1000.0);
        return controller->tick();
    }
    bool press(std::u32string_view keys) {
        term.type(keys);
        return controller->input() && controller->tick();
    }
    bool press(Key k) {
        term.key(k);
        return controller->input() && controller->tick();
    }
    std::vector<pid_t> row_ids() const {
        std::vector<pid_t> ids;
        for (const RowRef& r : controller->table().refs) ids.push_back(r.id);
        return ids;
    }

    FakeClock clock{100.0, 1000.0};
    FakeTerminal term;
    ScriptedSource source;
    RecordingActions actions;
    std::unique_ptr<Controller> controller;
};

}  // namespace

TEST_CASE("controller: a first frame at once, the first rates soon after, then every interval",
          "[controller]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    View v;
    CHECK(v.term.paints >= 1);
    CHECK_THAT(v.term.screen(), Catch::Contains("Total DISK READ"));
    CHECK_THAT(v.term.screen(), Catch::Contains("    TID PRIO"));
    // No interval yet: every rate unknown.
    CHECK_THAT(v.term.screen(), Catch::Contains("        ? "));
    // The first rates come after half a second (the interval is 2 s), then every 2 s.
    CHECK(v.controller->timeout_ms() == 500);
    CHECK(v.controller->tick());  // not due: nothing happens
    CHECK(v.controller->refreshes() == 0);
    CHECK(v.next_sample());
    CHECK(v.controller->refreshes() == 1);
    CHECK(v.controller->timeout_ms() == 2000);
    // t0 -> t1: thread 101 wrote 8 MiB in 2 s, and sorts first by IO, which is unknown for
    // all (/proc io has no delays), so by traffic.
    REQUIRE_FALSE(v.controller->table().rows.empty());
    CHECK_THAT(v.term.screen(), Catch::Contains("4.00 M/s"));
}

TEST_CASE("controller: a far deadline saturates poll's timeout instead of overflowing it",
          "[controller]") {
    ScriptedSource source(fixture_samples());
    FakeClock clock{100.0, 1000.0};
    FakeTerminal term;
    ControllerSetup setup;
    setup.terminal = &term;
    setup.clock = &clock;
    setup.live = &source;
    setup.delay_s = 1e7;  // 10^10 ms: more than an int holds
    Controller c(setup);
    c.start();
    CHECK(c.timeout_ms() == 500);  // the first rates soon after the first frame
    clock.advance(0.5);
    CHECK(c.tick());
    CHECK(c.refreshes() == 1);
    CHECK(c.timeout_ms() == std::numeric_limits<int>::max());  // was 0: poll spun
}

TEST_CASE("controller: keys change the view at once, without a new sample", "[controller]") {
    View v;
    v.next_sample();
    const long refreshes = v.controller->refreshes();
    CHECK(v.press(U"p"));
    CHECK(v.controller->view().processes);
    CHECK_THAT(v.term.screen(), Catch::Contains("    PID PRIO"));
    CHECK(v.press(U"p"));
    CHECK(v.press(Key::right));  // sort by COMMAND
    CHECK(v.controller->view().sort == ColumnId::command);
    CHECK(v.controller->refreshes() == refreshes);
    CHECK(v.press(U" "));  // pause: no sample is due any more
    CHECK(v.controller->timeout_ms() == -1);
    CHECK_THAT(v.term.screen(), Catch::Contains("PAUSED"));
}

TEST_CASE("controller: u looks users up; an unknown one goes to the notice line", "[controller]") {
    View v;
    v.next_sample();
    CHECK(v.press(U"u"));
    CHECK(v.press(U"root"));
    CHECK(v.press(Key::enter));
    CHECK(v.controller->view().uids == std::vector<uid_t>{0});
    CHECK_FALSE(v.controller->table().rows.empty());
    for (const auto& row : v.controller->table().rows)
        CHECK(task_cell(row, ColumnId::user).text == "root");
    CHECK_THAT(v.term.screen(), Catch::Contains("rows | user root"));  // named, not counted
    CHECK(v.press(U"u"));
    CHECK(v.press(U"no_such_user_vigil"));
    CHECK(v.press(Key::enter));
    CHECK(v.controller->view().uids == std::vector<uid_t>{0});  // unchanged
    CHECK_THAT(v.controller->state().notice, Catch::Contains("no_such_user_vigil"));
    CHECK_THAT(v.term.screen(), Catch::Contains("no_such_user_vigil"));
}

TEST_CASE("controller: k asks, then signals the selected task; i fetches its priority again",
          "[controller]") {
    View v;
    v.next_sample();
    REQUIRE(v.controller->state().selected);
    const pid_t first = *v.controller->state().selected;
    CHECK(v.press(U"k"));
    CHECK(v.actions.calls.empty());  // a prompt first
    CHECK_THAT(v.term.screen(), Catch::Contains("Send signal to " + std::to_string(first)));
    CHECK(v.press(Key::enter));
    REQUIRE(v.actions.calls.size() == 1);
    CHECK(v.actions.calls[0] == "signal 15 to " + std::to_string(first));
    CHECK_THAT(v.controller->state().notice, Catch::Contains("signal 15 sent"));

    const std::size_t fetched = v.source.fetches();
    CHECK(v.press(U"i"));
    CHECK(v.press(U"idle"));
    CHECK(v.press(Key::enter));
    REQUIRE(v.actions.calls.size() == 2);
    CHECK(v.actions.calls[1] == "ionice " + std::to_string(first) + " thread 3/0");
    // The row's details were forgotten and fetched again, so the new priority shows.
    CHECK(v.source.fetches() > fetched);

    v.actions.fail_with = "signal 15 to 1 failed: permission denied (EPERM)";
    CHECK(v.press(U"k"));
    CHECK(v.press(Key::enter));
    CHECK_THAT(v.term.screen(), Catch::Contains("EPERM"));
}

TEST_CASE("controller: N renices the selected task; NI shows the value fetched again",
          "[controller][renice]") {
    View v;
    v.next_sample();
    v.press(U"3");  // the top set shows NI
    REQUIRE(v.controller->state().selected);
    const pid_t first = *v.controller->state().selected;
    CHECK(v.press(U"N"));
    CHECK(v.actions.calls.empty());  // a prompt first, naming the task
    CHECK_THAT(v.term.screen(), Catch::Contains("renice " + std::to_string(first) + " "));
    CHECK(v.press(U"x"));
    CHECK(v.press(Key::enter));
    CHECK(v.actions.calls.empty());
    CHECK_THAT(v.term.screen(), Catch::Contains("not a nice value: 'x'"));

    const std::size_t fetched = v.source.fetches();
    CHECK(v.press(U"N"));
    CHECK(v.press(U"5"));
    CHECK(v.press(Key::enter));
    REQUIRE(v.actions.calls.size() == 1);
    CHECK(v.actions.calls[0] == "renice " + std::to_string(first) + " thread 5");
    CHECK_THAT(v.controller->state().notice,
               Catch::Contains("renice 5 set for " + std::to_string(first)));
    // The row's details were forgotten and fetched again, so NI shows what is now.
    CHECK(v.source.fetches() > fetched);

    v.actions.renice_fails_with = "renice 1 failed: not permitted (EPERM: another user's task)";
    CHECK(v.press(U"N"));
    CHECK(v.press(U"-20"));
    CHECK(v.press(Key::enter));
    CHECK_THAT(v.term.screen(), Catch::Contains("not permitted (EPERM"));
    v.actions.renice_fails_with = "renice 77 failed: no such task (ESRCH)";
    CHECK(v.press(U"N"));
    CHECK(v.press(U"0"));
    CHECK(v.press(Key::enter));
    CHECK_THAT(v.term.screen(), Catch::Contains("no such task (ESRCH)"));
}

TEST_CASE("controller: the column chooser adds a column and the header shows it",
          "[controller][columns]") {
    View v;
    v.next_sample();
    CHECK(v.press(U"C"));
    CHECK_THAT(v.term.screen(), Catch::Contains("[x]  1 TID"));
    CHECK_THAT(v.term.screen(), Catch::Contains("[ ]    CPU%"));
    for (int i = 0; i < 8; ++i) v.press(Key::down);
    CHECK(v.press(U" "));
    CHECK(v.press(Key::escape));  // cancelled: nothing changes
    CHECK_THAT(v.term.screen(), !Catch::Contains("CPU%"));
    CHECK(v.press(U"C"));
    for (int i = 0; i < 8; ++i) v.press(Key::down);
    CHECK(v.press(U" "));
    CHECK(v.press(Key::enter));
    CHECK_THAT(v.term.screen(), Catch::Contains("  IO>  CPU% COMMAND"));
    CHECK(column_position(v.controller->table(), ColumnId::cpu).has_value());
}

TEST_CASE("controller: 2 and 3 switch the sets; the top set by width without --columns",
          "[controller][columns]") {
    {
        View v;  // --columns or a narrow default: iotop's eight
        v.next_sample();
        CHECK(v.press(U"3"));
        CHECK_THAT(v.term.screen(), Catch::Contains("    TID USER"));
        CHECK_THAT(v.term.screen(), Catch::Contains("CPU%>"));
        CHECK(v.press(U"2"));
        CHECK_THAT(v.term.screen(), Catch::Contains("    TID PRIO USER"));
        CHECK_THAT(v.term.screen(), Catch::Contains("IO>"));
    }
    const int wide = wide_view_width();
    {
        View v({}, {}, std::nullopt, wide, true);
        v.next_sample();
        CHECK(v.controller->view().columns ==
              std::vector<ColumnId>(column_set(ColumnSet::top).begin(),
                                    column_set(ColumnSet::top).end()));
        CHECK(v.controller->view().sort == ColumnId::cpu);
        CHECK_THAT(v.term.screen(), Catch::Contains("CPU%>"));
        // Narrower: iotop's eight, sorted by IO again.
        v.term.next_width = wide - 1;
        CHECK(v.controller->signal(SIGWINCH));
        v.controller->tick();
        CHECK(v.controller->view().sort == ColumnId::io);
        CHECK_THAT(v.term.screen(), Catch::Contains("    TID PRIO USER"));
        // Wide again: top's. Once the user picks a set, a resize keeps it.
        v.term.next_width = wide;
        v.controller->signal(SIGWINCH);
        CHECK(v.controller->view().sort == ColumnId::cpu);
        v.press(U"2");
        v.term.next_width = wide + 10;
        v.controller->signal(SIGWINCH);
        v.controller->tick();
        CHECK_THAT(v.term.screen(), Catch::Contains("    TID PRIO USER"));
    }
    {
        View v({}, {}, std::nullopt, wide - 1, true);  // narrow: iotop's eight
        v.next_sample();
        CHECK(v.controller->view().sort == ColumnId::io);
        CHECK_THAT(v.term.screen(), Catch::Contains("    TID PRIO USER"));
    }
}

TEST_CASE("controller: the device panes honour --partitions and --all-devices", "[controller]") {
    for (MachineView mv :
         {MachineView{false, false}, MachineView{true, false}, MachineView{true, true}}) {
        View v({}, mv);
        v.next_sample();
        CHECK(v.press(U"d"));
        REQUIRE_FALSE(v.controller->pane().empty());
        const Table& pane = v.controller->pane().front();
        const Frame f = advance(v.source.prev(), v.source.cur());
        const Table batch = build_disk_table(v.source.cur().machine, f.machine, mv);
        std::vector<std::string> shown, want;
        for (const auto& row : pane.rows) shown.push_back(row[0].text);
        for (const auto& row : batch.rows) want.push_back(row[0].text);
        INFO("partitions " << mv.partitions << ", all devices " << mv.all_devices);
        CHECK(shown == want);
        CHECK_FALSE(shown.empty());
        for (const std::string& dev : want) CHECK_THAT(v.term.screen(), Catch::Contains(dev));
    }
}

TEST_CASE("controller: several panes at once, each read and shown; d closes its own",
          "[controller][panes]") {
    View v;
    v.next_sample();
    CHECK(v.press(U"d"));
    CHECK(v.press(U"n"));
    CHECK(v.press(U"m"));
    v.next_sample();
    CHECK(v.controller->state().pane == Pane::fs);  // the last opened has the focus
    for (Pane p : {Pane::disks, Pane::net, Pane::fs}) {
        INFO("pane " << pane_name(p));
        CHECK_FALSE(v.controller->pane(p).empty());
    }
    for (const char* text : {"DEVICE ", "IFACE ", "FILESYSTEM ", "* Filesystems", "    TID PRIO"})
        CHECK_THAT(v.term.screen(), Catch::Contains(text));
    CHECK_FALSE(v.controller->table().rows.empty());
    // Tab, ->: the network pane is sorted, not the tasks.
    CHECK(v.press(U"\t"));
    CHECK(v.press(Key::right));
    CHECK(v.controller->state().pane_sort[static_cast<std::size_t>(Pane::net)].set);
    CHECK(v.controller->view().sort == ColumnId::io);
    CHECK_THAT(v.term.screen(), Catch::Contains("IFACE<"));
    // d again: the disks pane closes, the other two stay.
    CHECK(v.press(U"d"));
    CHECK(v.controller->pane(Pane::disks).empty());
    CHECK_THAT(v.term.screen(), !Catch::Contains("DEVICE "));
    CHECK_THAT(v.term.screen(), Catch::Contains("IFACE<"));
    CHECK_THAT(v.term.screen(), Catch::Contains("FILESYSTEM "));
}

TEST_CASE("controller: q quits, signals end or redraw, -n ends after n refreshes", "[controller]") {
    {
        View v;
        CHECK_FALSE(v.press(U"q"));
    }
    {
        View v;
        v.term.next_width = 80;
        v.term.next_height = 24;
        CHECK(v.controller->signal(SIGWINCH));
        CHECK(v.controller->tick());
        CHECK(v.term.last.width == 80);
        CHECK(v.term.last.height == 24);
        CHECK(v.controller->signal(SIGTSTP));
        CHECK(v.term.suspends == 1);
        CHECK_FALSE(v.controller->signal(SIGTERM));
    }
    {
        View v({}, {}, 2);
        CHECK(v.next_sample());
        CHECK_FALSE(v.next_sample());
        CHECK(v.controller->refreshes() == 2);
    }
}

TEST_CASE("controller: standing notices are shown", "[controller]") {
    View v({"delay accounting is off"});
    CHECK_THAT(v.term.screen(), Catch::Contains("delay accounting is off"));
}

TEST_CASE(
    "controller: with delay accounting off SWAPIN and IO are hidden, said once, and come "
    "back when it is on",
    "[controller]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    auto header = [](const View& v) {
        const std::string screen = v.term.screen();
        const auto at = screen.find("    TID ");
        return at == std::string::npos ? std::string()
                                       : screen.substr(at, screen.find('\n', at) - at);
    };
    View v({}, {}, std::nullopt, 120, false, with_delayacct({false, false, true}));
    CHECK_THAT(header(v), Catch::Contains("DISK WRITE>"));
    CHECK_THAT(header(v), !Catch::Contains("SWAPIN"));
    CHECK_THAT(header(v), !Catch::Contains(" IO"));
    CHECK(v.controller->view().sort == ColumnId::disk_write);
    CHECK_THAT(v.term.screen(), Catch::Contains("SWAPIN, IO hidden: unknown for every task"));
    CHECK(v.press(U"o"));  // a key dismisses it
    CHECK_THAT(v.term.screen(), !Catch::Contains("hidden"));
    CHECK(v.press(U"o"));
    REQUIRE(v.next_sample());  // still off: not said again
    CHECK_THAT(v.term.screen(), !Catch::Contains("hidden"));
    REQUIRE(v.next_sample());  // on: back where they were, and the sort with them
    CHECK_THAT(header(v), Catch::Contains("SWAPIN"));
    CHECK_THAT(header(v), Catch::Contains(" IO>"));
    CHECK(v.controller->view().sort == ColumnId::io);
    CHECK_THAT(v.term.screen(), Catch::Contains("delay accounting is on"));

    // Ctrl-T switches it the other way from what the sample read: off now (the third
    // sample said on), and the next sample is due at once.
    const long refreshes = v.controller->refreshes();
    CHECK(v.press(U"\x14"));
    REQUIRE_FALSE(v.actions.calls.empty());
    CHECK(v.actions.calls.back() == "delay accounting off");
    CHECK(v.controller->refreshes() == refreshes + 1);  // no clock advanced: taken at once
    v.actions.delayacct_fails_with =
        "turning delay accounting off needs root (CAP_SYS_ADMIN): EPERM";
    CHECK(v.press(U"\x14"));
    CHECK_THAT(v.term.screen(), Catch::Contains("needs root (CAP_SYS_ADMIN)"));

    // The user's own sort while hidden (r on DISK WRITE) is kept when they come back.
    {
        View r({}, {}, std::nullopt, 120, false, with_delayacct({false, false, true}));
        REQUIRE(r.controller->view().sort == ColumnId::disk_write);
        CHECK(r.press(U"r"));
        REQUIRE(r.next_sample());
        REQUIRE(r.next_sample());  // on again
        CHECK_THAT(header(r), Catch::Contains("SWAPIN"));
        CHECK(r.controller->view().sort == ColumnId::disk_write);
        CHECK(r.controller->view().reverse);
    }
    // A resize to the top set while hidden: the top set and its CPU% sort, and accounting
    // coming on later does not bring iotop's eight back on the wide screen.
    {
        const int wide = wide_view_width();
        View w({}, {}, std::nullopt, wide - 1, true, with_delayacct({false, false, true}));
        REQUIRE(w.controller->view().sort == ColumnId::disk_write);
        w.term.next_width = wide;
        REQUIRE(w.controller->signal(SIGWINCH));
        CHECK(w.controller->view().columns ==
              std::vector<ColumnId>(column_set(ColumnSet::top).begin(),
                                    column_set(ColumnSet::top).end()));
        CHECK(w.controller->view().sort == ColumnId::cpu);
        REQUIRE(w.next_sample());
        REQUIRE(w.next_sample());  // on
        CHECK(w.controller->view().columns ==
              std::vector<ColumnId>(column_set(ColumnSet::top).begin(),
                                    column_set(ColumnSet::top).end()));
        CHECK(w.controller->view().sort == ColumnId::cpu);
        // Narrow again with accounting on: iotop's eight, IO and all.
        w.term.next_width = wide - 1;
        REQUIRE(w.controller->signal(SIGWINCH));
        CHECK(w.controller->view().sort == ColumnId::io);
    }

    // --columns with IO: the user's pick stays, '?' and all.
    View picked({}, {}, std::nullopt, 120, false, with_delayacct({false, false, false}),
                {ColumnId::id, ColumnId::disk_write, ColumnId::io, ColumnId::command});
    CHECK_THAT(header(picked), Catch::Contains(" IO>"));
    CHECK_THAT(picked.term.screen(), !Catch::Contains("hidden"));
}

namespace {

// The DISK READ of each thread row as -a shows it: bytes since the sums started.
std::map<pid_t, std::optional<double>> accumulated_reads(const Controller& c) {
    std::map<pid_t, std::optional<double>> out;
    const Table& t = c.table();
    for (std::size_t i = 0; i < t.rows.size(); ++i)
        out[t.refs[i].id] = task_cell(t.rows[i], ColumnId::disk_read).num;
    return out;
}

// What each thread read over the intervals [first, last] of samples, as -a sums it.
std::map<pid_t, std::optional<double>> read_sums(const std::vector<test::Sample>& s,
                                                 std::size_t first, std::size_t last) {
    std::map<pid_t, TaskDelta> sum;
    for (std::size_t i = first; i <= last; ++i) {
        const TaskDeltas d = task_deltas(s[i - 1].snap, s[i].snap);
        for (std::size_t k = 0; k < s[i].snap.tasks.size(); ++k)
            add_delta(sum[s[i].snap.tasks[k].tid], d.at(k));
    }
    std::map<pid_t, std::optional<double>> out;
    for (const TaskSample& t : s[last].snap.tasks) {
        const TaskDelta& d = sum[t.tid];
        out[t.tid] =
            d.valid ? std::optional<double>(static_cast<double>(d.read_bytes)) : std::nullopt;
    }
    return out;
}

// Checks every row shown against want; returns how many rows read something (so a check
// over rows of nothing but zeros does not pass for a real one).
int shown_sums_match(const Controller& c, const std::map<pid_t, std::optional<double>>& want) {
    int reading = 0;
    for (const auto& [tid, v] : accumulated_reads(c)) {
        INFO("thread " << tid);
        auto it = want.find(tid);
        REQUIRE(it != want.end());
        CHECK(v == it->second);
        if (v && *v > 0) ++reading;
    }
    return reading;
}

}  // namespace

TEST_CASE("controller: a replay steps and jumps; -a sums go on while playing, restart after a jump",
          "[controller][replay]") {
    test::TempDir dir;
    const std::string path = dir.file("r.vgl");
    const auto samples = test::synthetic_run(60, 6, 5, 12);
    test::record_all(path, samples, 100);
    auto reader = RecordReader::open(path);
    REQUIRE(reader);
    ReplaySource source(**reader);
    REQUIRE(source.go(0));
    FakeClock clock;
    FakeTerminal term(160, 100);
    ControllerSetup setup;
    setup.terminal = &term;
    setup.clock = &clock;
    setup.replay = &source;
    setup.delay_s = 1.0;
    Controller c(setup);
    c.start();
    CHECK(c.state().paused);  // a replay opens paused on its first sample
    CHECK(c.timeout_ms() == -1);
    CHECK_THAT(term.screen(), Catch::Contains("(1/5)"));

    term.type(U"a.");
    REQUIRE(c.input());
    c.tick();
    CHECK_THAT(term.screen(), Catch::Contains("(2/5)"));
    CHECK(shown_sums_match(c, read_sums(samples, 1, 2)) > 0);  // played on: both intervals
    term.type(U",");
    REQUIRE(c.input());
    c.tick();
    CHECK_THAT(term.screen(), Catch::Contains("(1/5)"));
    CHECK(shown_sums_match(c, read_sums(samples, 1, 1)) > 0);  // a jump back: from there on

    // Played to the end, it stops there and says so.
    term.type(U" ");
    REQUIRE(c.input());
    for (int i = 0; i < 10 && !c.state().paused; ++i) {
        clock.advance(1.0);
        c.tick();
    }
    CHECK(c.state().paused);
    CHECK_THAT(c.state().notice, Catch::Contains("end of the recording"));
    CHECK_THAT(term.screen(), Catch::Contains("(5/5)"));
    // Signals are not sent from a recording, nor nice values.
    term.type(U"k");
    REQUIRE(c.input());
    CHECK_THAT(c.state().notice, Catch::Contains("live tasks only"));
    term.type(U"N");
    REQUIRE(c.input());
    CHECK_THAT(c.state().notice, Catch::Contains("renice"));
    CHECK_THAT(c.state().notice, Catch::Contains("live tasks only"));
    // The columns keys work in a recording.
    term.type(U"3");
    REQUIRE(c.input());
    c.tick();
    CHECK_THAT(term.screen(), Catch::Contains("CPU%>"));
    term.type(U"C");
    term.key(Key::escape);
    REQUIRE(c.input());
    CHECK(c.state().mode == Mode::normal);
}

namespace {

// A replay of a recording in the controller, as vigil --replay FILE runs it.
struct ReplayView {
    explicit ReplayView(const std::string& path, double delay_s = 1.0,
                        std::int64_t from_ns = std::numeric_limits<std::int64_t>::min())
        : term(160, 60) {
        auto r = RecordReader::open(path);
        REQUIRE(r);
        reader = std::move(*r);
        source = std::make_unique<ReplaySource>(*reader, from_ns);
        REQUIRE(source->go(0));
        ControllerSetup setup;
        setup.terminal = &term;
        setup.clock = &clock;
        setup.replay = source.get();
        setup.delay_s = delay_s;
        c = std::make_unique<Controller>(setup);
        c->start();
    }
    void go(std::u32string_view time) {
        term.type(U"g");
        term.type(time);
        term.key(Key::enter);
        REQUIRE(c->input());
        c->tick();
    }
    void press(std::u32string_view keys) {
        term.type(keys);
        REQUIRE(c->input());
        c->tick();
    }

    FakeClock clock;
    FakeTerminal term;
    std::unique_ptr<RecordReader> reader;
    std::unique_ptr<ReplaySource> source;
    std::unique_ptr<Controller> c;
};

}  // namespace

TEST_CASE(
    "controller: g before or after the recording goes to its first or last sample, and says so",
    "[controller][replay]") {
    test::UtcZone utc;
    test::TempDir dir;
    const std::string path = dir.file("r.vgl");
    // From 2024-05-01 03:00:00 UTC, one sample about every second (the first shown is the
    // second one).
    const auto samples = test::synthetic_run(30, 10, 5, 8);
    test::record_all(path, samples, 100);
    const std::string first = format_date_time(samples[1].snap.wall_ns);
    const std::string last = format_date_time(samples[9].snap.wall_ns);
    REQUIRE(first.substr(0, 14) == "2024-05-01 03:");
    ReplayView v(path);
    v.press(U"...");
    CHECK_THAT(v.term.screen(), Catch::Contains("(4/9)"));

    // 01:00 is before the recording (not 01:00 the next night, after it).
    v.go(U"01:00");
    CHECK_THAT(v.term.screen(), Catch::Contains("(1/9)"));
    CHECK(v.c->state().notice ==
          "before the recording, which starts at " + first + ": at its first sample");
    std::string fourth = format_date_time(samples[4].snap.wall_ns);  // in the same second
    fourth[10] = 'T';
    v.go(std::u32string(fourth.begin(), fourth.end()));
    CHECK_THAT(v.term.screen(), Catch::Contains("(4/9)"));
    CHECK(v.c->state().notice.empty());
    v.go(U"+5m");
    CHECK_THAT(v.term.screen(), Catch::Contains("(9/9)"));
    CHECK_THAT(v.term.screen(), Catch::Contains("replay " + last));
    CHECK(v.c->state().notice ==
          "after the recording, which ends at " + last + ": at its last sample");
    v.go(U"2024-04-30");
    CHECK_THAT(v.term.screen(), Catch::Contains("(1/9)"));
    CHECK_THAT(v.c->state().notice, Catch::StartsWith("before the recording"));
    v.go(U"05:00");
    CHECK_THAT(v.term.screen(), Catch::Contains("(9/9)"));
    CHECK_THAT(v.c->state().notice, Catch::StartsWith("after the recording"));
    // A minute back from the middle of a 9 s recording: its start, said as much.
    v.press(U",,,,");
    CHECK_THAT(v.term.screen(), Catch::Contains("(5/9)"));
    v.press(U"[");
    CHECK_THAT(v.term.screen(), Catch::Contains("(1/9)"));
    CHECK_THAT(v.c->state().notice, Catch::StartsWith("before the recording"));

    // With --from, the span replayed is what starts later.
    ReplayView span(path, 1.0, samples[4].snap.wall_ns + 1);
    span.go(U"03:00:02");
    CHECK_THAT(span.term.screen(), Catch::Contains("(1/5)"));
    CHECK(span.c->state().notice == "before the replayed span (--from), which starts at " +
                                        format_date_time(samples[5].snap.wall_ns) +
                                        ": at its first sample");
}

TEST_CASE("controller: + and - in a replay change the playback speed, not the recorded interval",
          "[controller][replay]") {
    test::TempDir dir;
    const std::string path = dir.file("r.vgl");
    test::record_all(path, test::synthetic_run(30, 10, 5, 8), 100);  // at -d 1
    ReplayView v(path);
    CHECK_THAT(v.term.screen(), Catch::Contains("| every 1 s |"));
    v.press(U"-");  // faster: a sample every 0.5 s
    CHECK(v.c->state().delay_s == 0.5);
    CHECK_THAT(v.term.screen(), Catch::Contains("| every 1 s, played at 2x |"));
    CHECK(v.c->state().notice == "played at 2x: a sample every 0.5 s");
    v.press(U"---");
    CHECK_THAT(v.term.screen(), Catch::Contains("| every 1 s, played at 10x |"));
    CHECK_THAT(v.term.screen(), !Catch::Contains("every 0.1 s"));
    v.press(U"++++");  // 0.2, 0.5, 1, 2 s
    CHECK_THAT(v.term.screen(), Catch::Contains("| every 1 s, played at 0.5x |"));
    // Playing at 0.5x: a sample every 2 s, not 1.
    v.press(U" ");
    const std::size_t at = v.source->position();
    for (int i = 0; i < 30 && v.source->position() == at; ++i) {
        v.clock.advance(0.1);
        v.c->tick();
    }
    REQUIRE(v.source->position() == at + 1);
    CHECK(v.c->timeout_ms() > 1900);
    CHECK(v.c->timeout_ms() <= 2000);
    CHECK_THAT(v.term.screen(), Catch::Contains("| every 1 s, played at 0.5x |"));
    // -d on the command line sets the pace as + and - do.
    ReplayView fast(path, 0.25);
    CHECK_THAT(fast.term.screen(), Catch::Contains("| every 1 s, played at 4x |"));
}

TEST_CASE("controller: live --record shows REC, the file's name and its size now",
          "[controller][record]") {
    test::TempDir dir;
    RecordOptions ro;
    ro.path = dir.file("x.rec");
    std::vector<std::string> notices;
    auto w = RecordWriter::open(ro, notices);
    REQUIRE(w);
    FakeClock clock{100.0, 1000.0};
    FakeTerminal term(160, 40);
    ScriptedSource source(fixture_samples());
    ControllerSetup setup;
    setup.terminal = &term;
    setup.clock = &clock;
    setup.live = &source;
    setup.delay_s = 2.0;
    setup.recorder = w->get();
    Controller c(setup);
    c.start();
    auto shown_size = [&] {
        return format_bytes(static_cast<double>(std::filesystem::file_size(ro.path)),
                            ByteUnits::human);
    };
    for (int i = 0; i < 2; ++i) {
        clock.advance(c.timeout_ms() / 1000.0);
        c.tick();
        INFO("sample " << i);
        CHECK(std::filesystem::file_size(ro.path) > 100);
        CHECK_THAT(term.screen(), Catch::Contains("REC x.rec " + shown_size() + " | 7 threads"));
    }
    // Without --record, no indicator.
    View v;
    v.next_sample();
    CHECK_THAT(v.term.screen(), !Catch::Contains("REC "));
}

TEST_CASE("controller: a pane opened while paused reads the machine again, sums not counted twice",
          "[controller]") {
    View v;
    v.next_sample();
    CHECK(v.press(U"a"));
    CHECK(v.press(U" "));
    const auto before = accumulated_reads(*v.controller);
    REQUIRE(
        std::any_of(before.begin(), before.end(), [](const auto& kv) { return kv.second > 0.0; }));
    CHECK(v.press(U"d"));  // the disks section was not read: paused, it is read now
    CHECK(v.source.resamples == 1);
    CHECK(accumulated_reads(*v.controller) == before);
    CHECK_FALSE(v.controller->pane().empty());
}

TEST_CASE("controller: T shows the tree with the selection on its task; x collapses it",
          "[controller][tree]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    View v;
    v.next_sample();
    v.press(U"p");
    // Select process 100 (the fixture's app, parent of the zombie 200).
    auto position = [&](pid_t id) {
        const std::vector<pid_t> ids = v.row_ids();
        return static_cast<std::size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
    };
    REQUIRE(position(100) < v.row_ids().size());
    v.press(Key::up);
    for (std::size_t i = position(100); i > 0; --i) v.press(Key::down);
    REQUIRE(v.controller->state().selected == 100);

    CHECK(v.press(U"T"));
    CHECK(v.controller->view().tree);
    CHECK(v.controller->state().selected == 100);
    CHECK(position(200) == position(100) + 1);
    CHECK_THAT(v.term.screen(), Catch::Contains("\u2500 /usr/bin/app"));
    CHECK_THAT(v.term.screen(), Catch::Contains("| tree"));
    // The prompts of i, N and k name the command without the glyphs.
    CHECK(v.controller->state().target_label.starts_with("/usr/bin/app"));

    CHECK(v.press(U"x"));
    CHECK(position(200) == v.row_ids().size());  // hidden in its parent
    CHECK_THAT(v.term.screen(), Catch::Contains("+ /usr/bin/app"));
    v.next_sample();  // kept across refreshes
    CHECK(position(200) == v.row_ids().size());
    CHECK(v.press(U"*"));
    CHECK(position(200) == position(100) + 1);
    CHECK(v.press(U"T"));
    CHECK_FALSE(v.controller->view().tree);
    CHECK(v.controller->state().selected == 100);
}

TEST_CASE("controller: } scrolls COMMAND no further than the widest command shown",
          "[controller]") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    View v;
    std::size_t widest = 0;
    const Table& t = v.controller->table();
    for (std::size_t i = 0; i < t.rows.size(); ++i)
        if (const Cell* c = task_cell(t, i, ColumnId::command))
            widest = std::max(widest, display_width(c->text));
    REQUIRE(widest > kCommandScrollStep);
    for (int i = 0; i < 100; ++i) REQUIRE(v.press(U"}"));
    const std::size_t scroll = v.controller->state().command_scroll;
    CHECK(scroll < widest);
    CHECK(scroll + kCommandScrollStep >= widest);  // the last step that leaves some text
    CHECK_THAT(v.term.screen(), Catch::Contains("COMMAND +" + std::to_string(scroll)));
    REQUIRE(v.press(U"{"));
    CHECK(v.controller->state().command_scroll == scroll - kCommandScrollStep);
}
