#include <catch2/catch.hpp>

#include "fixture_util.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/task_deltas.hpp"

using namespace vigil;
using vigil::test::load_snapshot;

namespace {
constexpr std::uint64_t MiB = 1 << 20;

TaskDelta delta_of(const Snapshot& s, const TaskDeltas& r, pid_t tid) {
    for (std::size_t i = 0; i < s.tasks.size(); ++i)
        if (s.tasks[i].tid == tid) return r.at(i);
    FAIL("no task " << tid);
    return {};
}

TaskSample task(pid_t tid, pid_t tgid, std::uint64_t start, std::uint64_t rb, std::uint64_t wb,
                std::uint64_t cwb = 0, std::optional<std::uint64_t> blkio = std::nullopt) {
    TaskSample t;
    t.tid = tid;
    t.tgid = tgid;
    t.start_ticks = start;
    TaskIoCounters io;
    io.read_bytes = rb;
    io.write_bytes = wb;
    io.cancelled_write_bytes = cwb;
    io.blkio_delay_ns = blkio;
    io.swapin_delay_ns = blkio ? std::optional<std::uint64_t>(0) : std::nullopt;
    io.delays_tracked = blkio.has_value();
    t.io = io;
    return t;
}

Snapshot snap(double steady, double boot, std::vector<TaskSample> tasks) {
    Snapshot s;
    s.steady_s = steady;
    s.boot_s = boot;
    s.clk_tck = 100;
    s.tasks = std::move(tasks);
    return s;
}
}  // namespace

TEST_CASE("fixture t0 -> t1 gives exact rates", "[rates]") {
    Snapshot t0 = load_snapshot("t0", 0.0, 1000.0);
    Snapshot t1 = load_snapshot("t1", 2.0, 1002.0);
    TaskDeltas r = task_deltas(t0, t1);
    REQUIRE(r.elapsed_s == 2.0);

    const TaskDelta& main = delta_of(t1, r, 100);
    REQUIRE(main.valid);
    CHECK(main.read_bytes == 2 * MiB);
    CHECK(main.write_bytes == 1 * MiB);

    // write_bytes minus cancelled_write_bytes.
    const TaskDelta& w1 = delta_of(t1, r, 101);
    REQUIRE(w1.valid);
    CHECK(w1.write_bytes == 1 * MiB);

    // Born after t0 (1000.5 s > 1000 s): all of its I/O happened in this interval.
    const TaskDelta& born = delta_of(t1, r, 103);
    REQUIRE(born.valid);
    CHECK(born.write_bytes == 3 * MiB);

    // read_bytes went backwards: no value, not a huge number.
    CHECK_FALSE(delta_of(t1, r, 1).valid);

    // PID 300 was reused by a process born at 1001 s: its own small counters count.
    const TaskDelta& reborn = delta_of(t1, r, 300);
    REQUIRE(reborn.valid);
    CHECK(reborn.read_bytes == 4096);
    CHECK(reborn.write_bytes == 8192);

    CHECK(*r.total_read_bytes_per_s == Approx((2.0 * MiB + 4096) / 2));
    CHECK(*r.total_write_bytes_per_s == Approx((5.0 * MiB + 8192) / 2));
    REQUIRE(r.current_read_bytes_per_s);
    CHECK(*r.current_read_bytes_per_s == Approx(4096.0 * 1024 / 2));
    CHECK(*r.current_write_bytes_per_s == Approx(8192.0 * 1024 / 2));
}

TEST_CASE("first sight of a task that predates the previous sample has no value", "[rates]") {
    Snapshot a = snap(10, 1000, {});
    Snapshot b = snap(11, 1001, {task(5, 5, 50000, 100 * MiB, 0)});  // born at 500 s
    TaskDeltas r = task_deltas(a, b);
    CHECK_FALSE(r.io_at(0).valid);
    CHECK(r.total_read_bytes_per_s == 0.0);  // known: no task with a value read anything
}

TEST_CASE("a first frame (no interval) has unknown totals, not 0 B/s", "[rates]") {
    Snapshot a = snap(10, 1000, {task(5, 5, 50000, 100 * MiB, 0)});
    TaskDeltas r = task_deltas(a, a);
    CHECK_FALSE(r.total_read_bytes_per_s);
    CHECK_FALSE(r.total_write_bytes_per_s);
    CHECK_FALSE(r.current_write_bytes_per_s);
}

TEST_CASE("a reused tid with an earlier start time is not matched", "[rates]") {
    Snapshot a = snap(10, 1000, {task(7, 7, 40000, 10 * MiB, 0)});
    Snapshot b = snap(11, 1001, {task(7, 7, 40001, 11 * MiB, 0)});
    TaskDeltas r = task_deltas(a, b);
    CHECK_FALSE(r.io_at(0).valid);
}

TEST_CASE("counters going backwards yield no value for read, write or cancelled", "[rates]") {
    for (int which = 0; which < 3; ++which) {
        TaskSample before = task(9, 9, 1, 100, 100, 100);
        TaskSample after =
            task(9, 9, 1, which == 0 ? 50 : 200, which == 1 ? 50 : 200, which == 2 ? 50 : 100);
        TaskDeltas r = task_deltas(snap(0, 100, {before}), snap(1, 101, {after}));
        CHECK_FALSE(r.io_at(0).valid);
    }
}

TEST_CASE("cancelled writes larger than writes clamp at zero", "[rates]") {
    TaskDeltas r = task_deltas(snap(0, 100, {task(9, 9, 1, 0, 100, 0)}),
                               snap(1, 101, {task(9, 9, 1, 0, 110, 50)}));
    REQUIRE(r.io_at(0).valid);
    CHECK(r.io_at(0).write_bytes == 0);
}

TEST_CASE("delay percentages are delay deltas over the interval", "[rates]") {
    TaskDeltas r = task_deltas(snap(0, 100, {task(9, 9, 1, 0, 0, 0, 1'000'000'000)}),
                               snap(2, 102, {task(9, 9, 1, 0, 0, 0, 1'500'000'000)}));
    REQUIRE(r.io_at(0).valid);
    REQUIRE(r.io_at(0).blkio_delay_ns);
    CHECK(*delay_pct(r.io_at(0).blkio_delay_ns, r.elapsed_s) == Approx(25.0));
    // No delay data (the /proc fallback): unknown, not 0.
    TaskDeltas n =
        task_deltas(snap(0, 100, {task(9, 9, 1, 0, 0)}), snap(2, 102, {task(9, 9, 1, 0, 0)}));
    CHECK_FALSE(n.io_at(0).blkio_delay_ns.has_value());
    CHECK_FALSE(delay_pct(n.io_at(0).blkio_delay_ns, 2.0).has_value());
}

TEST_CASE("delays of a task the kernel does not account are unknown, not 0", "[rates]") {
    // Created while kernel.task_delayacct was 0: the kernel reports 0 forever.
    TaskSample a = task(9, 9, 1, 0, 0, 0, 0), b = task(9, 9, 1, 0, 0, 0, 0);
    a.io->delays_tracked = b.io->delays_tracked = false;
    TaskDeltas r = task_deltas(snap(0, 100, {a}), snap(1, 101, {b}));
    REQUIRE(r.io_at(0).valid);
    CHECK_FALSE(r.io_at(0).blkio_delay_ns.has_value());
    CHECK_FALSE(r.io_at(0).swapin_delay_ns.has_value());
    // Tracked now (its first block I/O made a count non-zero): tracked all along, so the
    // previous total is right even though it was not yet known to be.
    TaskSample c = task(9, 9, 1, 0, 0, 0, 300'000'000);
    TaskDeltas r2 = task_deltas(snap(1, 101, {b}), snap(2, 102, {c}));
    REQUIRE(r2.io_at(0).blkio_delay_ns);
    CHECK(*r2.io_at(0).blkio_delay_ns == 300'000'000);
}

TEST_CASE("a zero or negative interval gives no rates", "[rates]") {
    TaskDeltas r =
        task_deltas(snap(5, 100, {task(9, 9, 1, 0, 0)}), snap(5, 100, {task(9, 9, 1, 10, 0)}));
    CHECK_FALSE(r.io_at(0).valid);
}

TEST_CASE("a thread that exits causes no spike in its process", "[rates]") {
    // Process 10 has threads 10 and 11; 11 did 1 GiB before t0 and exits before t1.
    Snapshot a = snap(0, 100, {task(10, 10, 1, 0, 0), task(11, 10, 2, 1024 * MiB, 0)});
    Snapshot b = snap(1, 101, {task(10, 10, 1, 4096, 0)});
    TaskDeltas r = task_deltas(a, b);
    TaskDelta sum;
    for (std::size_t i = 0; i < r.size(); ++i) add_delta(sum, r.at(i));
    REQUIRE(sum.valid);
    CHECK(sum.read_bytes == 4096);
    CHECK(r.total_read_bytes_per_s == 4096.0);
}

TEST_CASE("Accumulator keeps an exited thread's bytes in its process", "[rates]") {
    Snapshot a = snap(0, 100, {task(10, 10, 1, 0, 0), task(11, 10, 2, 0, 0)});
    Snapshot b = snap(1, 101, {task(10, 10, 1, 100, 0), task(11, 10, 2, 1000, 0)});
    Snapshot c = snap(2, 102, {task(10, 10, 1, 300, 0)});
    Accumulator acc;
    acc.add(b, task_deltas(a, b));
    acc.add(c, task_deltas(b, c));
    const auto* p = acc.process(10, 1);
    REQUIRE(p);
    CHECK(p->total.read_bytes == 1300);
    CHECK(p->seen_s == Approx(2.0));
    const auto* t = acc.thread(10, 1);
    REQUIRE(t);
    CHECK(t->total.read_bytes == 300);
    CHECK(acc.thread(11, 2) == nullptr);  // forgotten once gone
}

namespace {
TaskActivity activity(std::uint64_t user_us, std::uint64_t system_us, std::uint64_t chars,
                      std::uint8_t known = TaskActivity::kCpuDelay | TaskActivity::kChars |
                                           TaskActivity::kSwitches | TaskActivity::kSyscalls) {
    TaskActivity a;
    a.user_us = user_us;
    a.system_us = system_us;
    a.minor_faults = user_us / 10;
    a.major_faults = system_us / 10;
    a.cpu_delay_ns = user_us * 100;
    a.read_chars = chars;
    a.write_chars = 2 * chars;
    a.read_syscalls = chars / 100;
    a.write_syscalls = chars / 50;
    a.voluntary_switches = user_us / 1000;
    a.involuntary_switches = system_us / 1000;
    a.known = known;
    return a;
}
}  // namespace

TEST_CASE("activity deltas: CPU time, faults, chars and switches over the interval", "[rates]") {
    TaskSample a0 = task(10, 10, 5, 0, 0, 0, 0);
    TaskSample a1 = task(10, 10, 5, 0, 0, 0, 0);
    a0.activity = activity(1'000'000, 500'000, 10'000);
    a1.activity = activity(1'900'000, 600'000, 30'000);
    // A second thread of the same process; and a task whose counters went backwards.
    TaskSample b0 = task(11, 10, 5, 0, 0, 0, 0), b1 = task(11, 10, 5, 0, 0, 0, 0);
    b0.activity = activity(0, 0, 0);
    b1.activity = activity(100'000, 100'000, 1'000);
    TaskSample c0 = task(12, 12, 5, 0, 0), c1 = task(12, 12, 5, 0, 0);
    c0.activity = activity(500, 500, 500);
    c1.activity = activity(400, 600, 600);
    // Born within the interval (start 150 ticks = 1.5 s, after the first sample's boot 1 s):
    // all it did is in the interval.
    TaskSample d1 = task(13, 13, 150, 0, 0, 0, 0);
    d1.activity = activity(20'000, 0, 0);
    Snapshot s0 = snap(0.0, 1.0, {a0, b0, c0});
    Snapshot s1 = snap(2.0, 3.0, {a1, b1, c1, d1});
    TaskDeltas r = task_deltas(s0, s1);

    const TaskDelta& a = delta_of(s1, r, 10);
    REQUIRE(a.has_activity);
    CHECK(a.activity.user_us == 900'000);
    CHECK(a.activity.system_us == 100'000);
    CHECK(a.activity.minor_faults == 90'000);
    CHECK(a.activity.cpu_delay_ns == 90'000'000);
    CHECK(a.activity.read_chars == 20'000);
    CHECK(a.activity.write_syscalls == 400);
    CHECK(a.activity.has(TaskActivity::kCpuDelay));
    CHECK(delay_pct(a.activity.cpu_delay_ns, r.elapsed_s) == Approx(4.5));
    // User time went backwards: nothing is known about its activity this interval.
    CHECK_FALSE(delta_of(s1, r, 12).has_activity);
    const TaskDelta& d = delta_of(s1, r, 13);
    REQUIRE(d.has_activity);
    CHECK(d.activity.user_us == 20'000);

    // A process row sums its threads; a group one of them lacks is unknown for the sum.
    TaskDelta sum;
    add_delta(sum, a);
    add_delta(sum, delta_of(s1, r, 11));
    REQUIRE(sum.has_activity);
    CHECK(sum.activity.user_us == 1'000'000);
    CHECK(sum.activity.read_chars == 21'000);
    TaskDelta partial = sum;
    TaskDelta no_chars = delta_of(s1, r, 11);
    no_chars.activity.known &= ~TaskActivity::kChars;
    add_delta(partial, no_chars);
    CHECK_FALSE(partial.activity.has(TaskActivity::kChars));
    CHECK(partial.activity.has(TaskActivity::kSwitches));
}

TEST_CASE("activity deltas: the CPU delay only where delays are accounted", "[rates][delayacct]") {
    // The task's delays are not known to be tracked (no delay count, started before
    // accounting was on): its CPU delay is unknown, its CPU time is not.
    TaskSample a0 = task(20, 20, 5, 0, 0), a1 = task(20, 20, 5, 0, 0);
    a0.activity = activity(0, 0, 0);
    a1.activity = activity(1'000, 0, 0);
    const Snapshot s0 = snap(0.0, 1.0, {a0}), s1 = snap(1.0, 2.0, {a1});
    TaskDeltas r = task_deltas(s0, s1);
    REQUIRE(r.at(0).has_activity);
    CHECK(r.at(0).activity.user_us == 1'000);
    CHECK_FALSE(r.at(0).activity.has(TaskActivity::kCpuDelay));
    // The I/O alone does not work the activity out.
    CHECK_FALSE(r.io_at(0).has_activity);
    // A group missing in one sample (the fallback could not read io) is unknown.
    a0.activity->known = TaskActivity::kCpuDelay;
    const Snapshot s2 = snap(0.0, 1.0, {a0});
    TaskDeltas r2 = task_deltas(s2, s1);
    REQUIRE(r2.at(0).has_activity);
    CHECK_FALSE(r2.at(0).activity.has(TaskActivity::kChars));
}

TEST_CASE("leader_indices names each thread's leader, wrapped PIDs and missing leaders too",
          "[rates]") {
    Snapshot s;
    // 10 leads 11 and 13 and 12 leads 14 (interleaved); 3 is led by 30 (the PID numbers
    // wrapped: the leader's tid is larger); 40 and 41's leader 39 is not listed.
    s.tasks = {task(3, 30, 0, 0, 0),  task(10, 10, 0, 0, 0), task(11, 10, 0, 0, 0),
               task(12, 12, 0, 0, 0), task(13, 10, 0, 0, 0), task(14, 12, 0, 0, 0),
               task(30, 30, 0, 0, 0), task(40, 39, 0, 0, 0), task(41, 39, 0, 0, 0)};
    const std::vector<std::size_t> want = {6, 1, 1, 3, 1, 3, 6, 7, 8};
    CHECK(leader_indices(s) == want);
    CHECK(leader_indices(Snapshot{}).empty());
}
