#include <catch2/catch.hpp>

#include "fixture_util.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/task_deltas.hpp"

using namespace vigil;
using vigil::test::load_snapshot;

namespace {
constexpr std::uint64_t MiB = 1 << 20;

const TaskDelta& delta_of(const Snapshot& s, const TaskDeltas& r, pid_t tid) {
    for (std::size_t i = 0; i < s.tasks.size(); ++i)
        if (s.tasks[i].tid == tid) return r.tasks[i];
    FAIL("no task " << tid);
    static TaskDelta none;
    return none;
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

    CHECK(r.total_read_bytes_per_s == Approx((2.0 * MiB + 4096) / 2));
    CHECK(r.total_write_bytes_per_s == Approx((5.0 * MiB + 8192) / 2));
    REQUIRE(r.current_read_bytes_per_s);
    CHECK(*r.current_read_bytes_per_s == Approx(4096.0 * 1024 / 2));
    CHECK(*r.current_write_bytes_per_s == Approx(8192.0 * 1024 / 2));
}

TEST_CASE("first sight of a task that predates the previous sample has no value", "[rates]") {
    Snapshot a = snap(10, 1000, {});
    Snapshot b = snap(11, 1001, {task(5, 5, 50000, 100 * MiB, 0)});  // born at 500 s
    TaskDeltas r = task_deltas(a, b);
    CHECK_FALSE(r.tasks[0].valid);
    CHECK(r.total_read_bytes_per_s == 0);
}

TEST_CASE("a reused tid with an earlier start time is not matched", "[rates]") {
    Snapshot a = snap(10, 1000, {task(7, 7, 40000, 10 * MiB, 0)});
    Snapshot b = snap(11, 1001, {task(7, 7, 40001, 11 * MiB, 0)});
    TaskDeltas r = task_deltas(a, b);
    CHECK_FALSE(r.tasks[0].valid);
}

TEST_CASE("counters going backwards yield no value for read, write or cancelled", "[rates]") {
    for (int which = 0; which < 3; ++which) {
        TaskSample before = task(9, 9, 1, 100, 100, 100);
        TaskSample after =
            task(9, 9, 1, which == 0 ? 50 : 200, which == 1 ? 50 : 200, which == 2 ? 50 : 100);
        TaskDeltas r = task_deltas(snap(0, 100, {before}), snap(1, 101, {after}));
        CHECK_FALSE(r.tasks[0].valid);
    }
}

TEST_CASE("cancelled writes larger than writes clamp at zero", "[rates]") {
    TaskDeltas r = task_deltas(snap(0, 100, {task(9, 9, 1, 0, 100, 0)}),
                               snap(1, 101, {task(9, 9, 1, 0, 110, 50)}));
    REQUIRE(r.tasks[0].valid);
    CHECK(r.tasks[0].write_bytes == 0);
}

TEST_CASE("delay percentages are delay deltas over the interval", "[rates]") {
    TaskDeltas r = task_deltas(snap(0, 100, {task(9, 9, 1, 0, 0, 0, 1'000'000'000)}),
                               snap(2, 102, {task(9, 9, 1, 0, 0, 0, 1'500'000'000)}));
    REQUIRE(r.tasks[0].valid);
    REQUIRE(r.tasks[0].blkio_delay_ns);
    CHECK(*delay_pct(r.tasks[0].blkio_delay_ns, r.elapsed_s) == Approx(25.0));
    // No delay data (the /proc fallback): unknown, not 0.
    TaskDeltas n =
        task_deltas(snap(0, 100, {task(9, 9, 1, 0, 0)}), snap(2, 102, {task(9, 9, 1, 0, 0)}));
    CHECK_FALSE(n.tasks[0].blkio_delay_ns.has_value());
    CHECK_FALSE(delay_pct(n.tasks[0].blkio_delay_ns, 2.0).has_value());
}

TEST_CASE("delays of a task the kernel does not account are unknown, not 0", "[rates]") {
    // Created while kernel.task_delayacct was 0: the kernel reports 0 forever.
    TaskSample a = task(9, 9, 1, 0, 0, 0, 0), b = task(9, 9, 1, 0, 0, 0, 0);
    a.io->delays_tracked = b.io->delays_tracked = false;
    TaskDeltas r = task_deltas(snap(0, 100, {a}), snap(1, 101, {b}));
    REQUIRE(r.tasks[0].valid);
    CHECK_FALSE(r.tasks[0].blkio_delay_ns.has_value());
    CHECK_FALSE(r.tasks[0].swapin_delay_ns.has_value());
    // Tracked now (its first block I/O made a count non-zero): tracked all along, so the
    // previous total is right even though it was not yet known to be.
    TaskSample c = task(9, 9, 1, 0, 0, 0, 300'000'000);
    TaskDeltas r2 = task_deltas(snap(1, 101, {b}), snap(2, 102, {c}));
    REQUIRE(r2.tasks[0].blkio_delay_ns);
    CHECK(*r2.tasks[0].blkio_delay_ns == 300'000'000);
}

TEST_CASE("a zero or negative interval gives no rates", "[rates]") {
    TaskDeltas r =
        task_deltas(snap(5, 100, {task(9, 9, 1, 0, 0)}), snap(5, 100, {task(9, 9, 1, 10, 0)}));
    CHECK_FALSE(r.tasks[0].valid);
}

TEST_CASE("a thread that exits causes no spike in its process", "[rates]") {
    // Process 10 has threads 10 and 11; 11 did 1 GiB before t0 and exits before t1.
    Snapshot a = snap(0, 100, {task(10, 10, 1, 0, 0), task(11, 10, 2, 1024 * MiB, 0)});
    Snapshot b = snap(1, 101, {task(10, 10, 1, 4096, 0)});
    TaskDeltas r = task_deltas(a, b);
    TaskDelta sum;
    for (const auto& d : r.tasks) add_delta(sum, d);
    REQUIRE(sum.valid);
    CHECK(sum.read_bytes == 4096);
    CHECK(r.total_read_bytes_per_s == 4096);
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
