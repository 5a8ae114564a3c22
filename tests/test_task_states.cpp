// The Tasks header: processes by state (top's "Tasks:" line, with D apart) and the machine's
// threads. Counted from /proc trees written here, one process per state, through the /proc
// stat path of the TaskCollector; then the table, the batch line and the view's line.
#include <catch2/catch.hpp>

#include <clocale>
#include <filesystem>
#include <fstream>

#include "machine_fixture.hpp"
#include "record_util.hpp"
#include "src/ui/line_builder.hpp"
#include "vigil/collect/proc_parsers.hpp"
#include "vigil/collect/task_collector.hpp"
#include "vigil/model/overview.hpp"
#include "vigil/ui/overview_layout.hpp"
#include "vigil/ui/screen_layout.hpp"

using namespace vigil;
namespace fs = std::filesystem;

namespace {

std::string stat_line(pid_t tid, char state) {
    // 52 fields as on Linux 6.x; the comm holds ") X " to show the state is found after the
    // last ')'.
    std::string s = std::to_string(tid) + " (odd) R (" + std::to_string(tid) + ") " + state +
                    " 1 " + std::to_string(tid) + " 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 100";
    for (int i = 23; i <= 52; ++i) s += " 1";
    return s + "\n";
}

// A proc tree with a process per (leader state, other threads' states).
class StateTree {
  public:
    void process(pid_t pid, char state, std::vector<std::pair<pid_t, char>> threads = {}) {
        const fs::path d = fs::path(dir_.path()) / std::to_string(pid);
        fs::create_directories(d / "task");
        test::write_file(d / "status", "Name:\tx\nUid:\t1000\t1000\t1000\t1000\n");
        threads.insert(threads.begin(), {pid, state});
        for (auto [tid, st] : threads) {
            fs::create_directories(d / "task" / std::to_string(tid));
            test::write_file(d / "task" / std::to_string(tid) / "stat", stat_line(tid, st));
        }
    }
    std::string path() const { return dir_.path(); }

  private:
    test::TempDir dir_;
};

std::string text_of(const ScreenLine& l) {
    std::string s;
    for (const Segment& seg : l.segments) s += seg.text;
    return s;
}

Snapshot with_states(std::initializer_list<char> leaders) {
    Snapshot s;
    pid_t pid = 10;
    for (char c : leaders) {
        TaskSample& t = s.tasks.emplace_back();
        t.tid = t.tgid = pid;
        t.state = c;
        TaskSample& other = s.tasks.emplace_back();  // a thread: never counted
        other.tid = pid + 1;
        other.tgid = pid;
        other.state = 'D';
        pid += 10;
    }
    return s;
}

}  // namespace

TEST_CASE("parse_stat_state takes the letter after the last ')'", "[parse][states]") {
    CHECK(parse_stat_state(stat_line(7, 'D')) == 'D');
    CHECK(parse_stat_state("7 (a) b) t 1 2\n") == 't');
    CHECK(parse_stat_state("7 (a) \n") == '?');
    CHECK(parse_stat_state("7 (a)") == '?');
    CHECK(parse_stat_state("7 (a) 1 2") == '?');
    CHECK(parse_stat_state("") == '?');
    CHECK(parse_stat_state("no paren at all") == '?');
}

TEST_CASE("Tasks header: every state of a /proc tree, counted per process", "[states][collect]") {
    StateTree tree;
    tree.process(1, 'S');
    tree.process(2, 'I');                           // an idle kernel thread: sleeping
    tree.process(10, 'R', {{11, 'D'}, {12, 'D'}});  // threads in D do not make the process D
    tree.process(20, 'D');
    tree.process(30, 'T');
    tree.process(31, 't');  // stopped by a tracer
    tree.process(40, 'Z');
    tree.process(41, 'Z');
    tree.process(50, 'S', {{51, 'R'}});
    FsRoot root(tree.path());
    REQUIRE(root.valid());
    TaskCollector tc(root, false);
    Snapshot s;
    tc.collect(s.tasks);
    REQUIRE(s.tasks.size() == 12);

    const TaskStateCounts c = task_state_counts(s);
    CHECK(c.processes == 9);
    CHECK(c.running == 1u);
    CHECK(c.sleeping == 3u);
    CHECK(c.uninterruptible == 1u);
    CHECK(c.stopped == 2u);
    CHECK(c.zombie == 2u);
    CHECK(c.unknown == 0);
    CHECK_FALSE(c.threads);  // no cpu section in this sample

    const Table t = build_task_states_table(s);
    CHECK(t.kind == TableKind::task_states);
    CHECK(t.columns.empty());
    CHECK(t.notes.empty());
    CHECK(table_title_line(t, ByteUnits::human) ==
          "Tasks: 9 total, 1 running, 3 sleeping, 1 uninterruptible, 2 stopped, 2 zombie, "
          "? threads, ? threads running, ? threads blocked on I/O");
}

TEST_CASE("Tasks header: unknown states are '?', never 0", "[states]") {
    // taskstats without the stat reads: every state '?'.
    Snapshot none = with_states({'?', '?', '?'});
    TaskStateCounts c = task_state_counts(none);
    CHECK(c.processes == 3);
    CHECK_FALSE(c.running);
    CHECK_FALSE(c.uninterruptible);
    CHECK_FALSE(c.zombie);
    const Table t = build_task_states_table(none);
    CHECK_THAT(table_title_line(t, ByteUnits::human),
               Catch::StartsWith("Tasks: 3 total, ? running, ? sleeping, ? uninterruptible"));
    REQUIRE(t.notes.size() == 1);

    // One process ended while its state was read: in the total only.
    c = task_state_counts(with_states({'R', '?', 'S', 'X'}));
    CHECK(c.processes == 4);
    CHECK(c.unknown == 1);
    CHECK(c.running == 1u);
    CHECK(c.sleeping == 2u);  // X (dead) goes with sleeping, as top counts it
    CHECK(c.uninterruptible == 0u);
}

TEST_CASE("Tasks header: the machine's threads from /proc/stat and /proc/loadavg",
          "[states][overview]") {
    test::MachinePair m;
    Snapshot s = with_states({'R', 'D', 'Z', 'S'});
    s.machine = m.t1;
    REQUIRE(has_section(s.machine.collected, Section::cpu));
    const TaskStateCounts c = task_state_counts(s);
    CHECK(c.threads == m.t1.load->entities);
    CHECK(c.threads_running == m.t1.cpu.procs_running);
    CHECK(c.threads_blocked == m.t1.cpu.procs_blocked);

    // The view: a fourth summary line, D and Z standing out only when there are any.
    std::setlocale(LC_CTYPE, "C.UTF-8");
    OverviewInput in{&m.t1, &m.rates, false, &s};
    LineBuilder b(200);
    append_overview_summary(b, in);
    auto lines = b.take();
    REQUIRE(lines.size() == overview_summary_lines(in, 200));
    REQUIRE(lines.size() == 4);
    const ScreenLine& tasks = lines[3];
    CHECK_THAT(text_of(tasks),
               Catch::StartsWith("Tasks 4 total, 1 running, 1 sleeping, 1 "
                                 "uninterruptible, 0 stopped, 1 zombie | threads "));
    auto style_of = [&](const ScreenLine& l, std::string_view text) {
        for (const Segment& seg : l.segments)
            if (seg.text.find(text) != std::string::npos) return seg.style;
        FAIL("no segment holds " << text);
        return Style::normal;
    };
    CHECK(style_of(tasks, "uninterruptible") == Style::alert);
    CHECK(style_of(tasks, "zombie") == Style::alert);

    Snapshot calm = with_states({'R', 'S'});
    OverviewInput quiet{&m.t1, &m.rates, false, &calm};
    LineBuilder b2(200);
    append_overview_summary(b2, quiet);
    auto calm_lines = b2.take();
    REQUIRE(calm_lines.size() == 4);
    CHECK(style_of(calm_lines[3], "uninterruptible") == Style::status);
    CHECK(style_of(calm_lines[3], "zombie") == Style::status);
    CHECK(text_of(calm_lines[3]).find("unknown") == std::string::npos);

    // A process that ended while its state was read: the line says so, as does a note.
    Snapshot ended = with_states({'R', '?', 'S'});
    OverviewInput partial{&m.t1, &m.rates, false, &ended};
    LineBuilder b3(200);
    append_overview_summary(b3, partial);
    auto partial_lines = b3.take();
    REQUIRE(partial_lines.size() == 4);
    CHECK_THAT(text_of(partial_lines[3]),
               Catch::StartsWith("Tasks 3 total, 1 running, 1 sleeping, 0 uninterruptible, 0 "
                                 "stopped, 0 zombie, 1 unknown"));
    const Table pt = build_task_states_table(ended);
    REQUIRE(pt.notes.size() == 1);
    CHECK_THAT(pt.notes[0], Catch::StartsWith("1 processes in the total have no state"));

    // Without a sample (no tasks to count) there is no such line.
    OverviewInput bare{&m.t1, &m.rates, false};
    CHECK(overview_summary_lines(bare, 200) == 3);
}
