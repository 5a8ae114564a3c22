// The Sampler on fixture trees with a clock the test sets: time stamps, and the delay
// accounting rules (which tasks' delays can be trusted), which depend on when accounting
// was turned on.
#include <catch2/catch.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>

#include "fake_clock.hpp"
#include "fixture_util.hpp"
#include "record_util.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/app/source.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/collect/task_io_source.hpp"

using namespace vigil;
using vigil::test::FakeClock;
using vigil::test::TempDir;

namespace {

// I/O counters with delays for every task, as taskstats gives them.
class DelayIo final : public TaskIoSource {
  public:
    void fill(std::span<TaskSample> tasks) override {
        for (TaskSample& t : tasks) {
            TaskIoCounters c;
            c.read_bytes = 4096;
            c.blkio_delay_ns = 1'000'000;
            c.swapin_delay_ns = 0;
            t.io = c;
        }
    }
    std::string_view name() const override { return "fake"; }
    bool reports_delays() const override { return true; }
};

// A copy of the t0 fixture tree with the given kernel.task_delayacct (empty: no sysctl, as
// before Linux 5.14) and kernel command line.
std::string proc_tree(const TempDir& dir, const std::string& delayacct,
                      const std::string& cmdline) {
    namespace fs = std::filesystem;
    const std::string root = dir.file("proc");
    fs::copy(test::fixture("proc/t0"), root, fs::copy_options::recursive);
    const std::string sysctl = root + "/sys/kernel/task_delayacct";
    if (delayacct.empty())
        fs::remove(sysctl);
    else
        test::write_file(sysctl, delayacct + "\n");
    test::write_file(root + "/cmdline", cmdline + "\n");
    return root;
}

struct Run {
    Run(const std::string& root, FakeClock& clock)
        : roots{FsRoot(root), FsRoot(root)},
          sampler(roots, std::make_unique<DelayIo>(), false, clock) {}
    Snapshot sample() {
        Snapshot s;
        sampler.sample(s);
        return s;
    }
    Roots roots;
    Sampler sampler;
};

bool tracked(const Snapshot& s, pid_t tid) {
    const TaskSample* t = test::find_task(s, tid);
    REQUIRE(t);
    REQUIRE(t->io);
    return t->io->delays_tracked;
}

}  // namespace

TEST_CASE("the sampler stamps snapshots with its clock", "[sampler]") {
    TempDir dir;
    FakeClock clock(12.5, 920.0, 1714532400'000000000);
    Run run(proc_tree(dir, "1", "ro quiet"), clock);
    Snapshot s = run.sample();
    CHECK(s.steady_s == 12.5);
    CHECK(s.boot_s == 920.0);
    CHECK(s.wall_ns == 1714532400'000000000);
    CHECK(s.clk_tck == 100);
    clock.advance(2.0);
    s = run.sample();
    CHECK(s.steady_s == 14.5);
    CHECK(s.boot_s == 922.0);
}

TEST_CASE("delay accounting switched on while running: only tasks born after are tracked",
          "[sampler][delayacct]") {
    // The fixture's tasks start at 0.01 s (1, 2), 900.0 and 900.1 s (100, 101) and 950 s
    // (200, 300) after boot. vigil first sees accounting on at 920 s: it may have been
    // switched on at any time up to then, so only tasks born after 920 s are sure to be
    // accounted; the others' delays stay unknown ('?'), not 0.
    TempDir dir;
    FakeClock clock(10.0, 920.0);
    Run run(proc_tree(dir, "1", "ro quiet"), clock);
    Snapshot s = run.sample();
    CHECK(s.delayacct_enabled == std::optional<bool>(true));
    CHECK(s.delayacct_on_since_s == std::optional<double>(920.0));
    CHECK_FALSE(tracked(s, 1));
    CHECK_FALSE(tracked(s, 101));
    CHECK(tracked(s, 200));
    CHECK(tracked(s, 300));
    // Later samples keep the first time accounting was seen on.
    clock.advance(60.0);
    s = run.sample();
    CHECK(s.delayacct_on_since_s == std::optional<double>(920.0));
    CHECK_FALSE(tracked(s, 100));
    CHECK(tracked(s, 200));
}

TEST_CASE("delay accounting on from boot: every task is tracked", "[sampler][delayacct]") {
    FakeClock clock(10.0, 920.0);
    SECTION("delayacct on the kernel command line") {
        TempDir dir;
        Run run(proc_tree(dir, "1", "ro quiet delayacct"), clock);
        Snapshot s = run.sample();
        CHECK(s.delayacct_on_since_s == std::optional<double>(0.0));
        CHECK(tracked(s, 1));
        CHECK(tracked(s, 101));
    }
    SECTION("a kernel without the sysctl (before 5.14) always accounts") {
        TempDir dir;
        Run run(proc_tree(dir, "", "ro"), clock);
        Snapshot s = run.sample();
        CHECK_FALSE(s.delayacct_enabled);
        CHECK(s.delayacct_on_since_s == std::optional<double>(0.0));
        CHECK(tracked(s, 1));
    }
    SECTION("a word that only contains delayacct does not count") {
        TempDir dir;
        Run run(proc_tree(dir, "1", "nodelayacct delayacct_x"), clock);
        Snapshot s = run.sample();
        CHECK(s.delayacct_on_since_s == std::optional<double>(920.0));
        CHECK_FALSE(tracked(s, 1));
    }
}

TEST_CASE("delay accounting off: delays are unknown, and on again counts from then",
          "[sampler][delayacct]") {
    TempDir dir;
    FakeClock clock(10.0, 920.0);
    const std::string root = proc_tree(dir, "0", "ro delayacct");
    Run run(root, clock);
    Snapshot s = run.sample();
    CHECK(s.delayacct_enabled == std::optional<bool>(false));
    CHECK_FALSE(s.delayacct_on_since_s);
    for (const TaskSample& t : s.tasks) {
        REQUIRE(t.io);
        CHECK_FALSE(t.io->blkio_delay_ns);  // the kernel's 0 would read as "never waited"
        CHECK_FALSE(t.io->swapin_delay_ns);
        CHECK_FALSE(t.io->delays_tracked);
    }
    // Switched on again at 940 s. The kernel command line said delayacct, but vigil saw it
    // off since: tasks born while it was off are not accounted, so only those born after
    // 940 s can be trusted.
    test::write_file(root + "/sys/kernel/task_delayacct", "1\n");
    clock.set(30.0, 940.0);
    s = run.sample();
    CHECK(s.delayacct_on_since_s == std::optional<double>(940.0));
    CHECK_FALSE(tracked(s, 1));
    CHECK_FALSE(tracked(s, 100));
    CHECK(tracked(s, 200));
    REQUIRE(test::find_task(s, 200)->io->blkio_delay_ns);
    CHECK(*test::find_task(s, 200)->io->blkio_delay_ns == 1'000'000);
}

TEST_CASE("after vigil's ionice, the live source shows the new priority at once",
          "[sampler][prio]") {
    // The controller's i and N call forget_details on success: the row's kept priority must
    // go too, or the old value would be shown for up to the staleness bound.
    Roots roots;
    FakeClock clock(100.0);
    Sampler sampler(roots, std::make_unique<ProcPidIo>(roots.proc), true, clock);
    LiveSource source(sampler);
    const pid_t me = ::gettid();
    const auto old_prio = read_ioprio(me);
    REQUIRE(old_prio);
    auto set_level = [&](int level) {
        // Best effort, a level: allowed for one's own threads.
        return ::syscall(SYS_ioprio_set, 1, static_cast<int>(me), (2 << 13) | level) == 0;
    };
    auto shown_level = [&] {
        std::size_t i = 0;
        while (i < source.cur().tasks.size() && source.cur().tasks[i].tid != me) ++i;
        REQUIRE(i < source.cur().tasks.size());
        const std::size_t idx[] = {i};
        source.enrich(idx, kDetailRow);
        const TaskDetail* d = source.details().find(i);
        REQUIRE(d);
        REQUIRE(d->ioprio);
        return int{d->ioprio->level};
    };
    REQUIRE(set_level(3));
    source.sample();
    CHECK(shown_level() == 3);
    REQUIRE(set_level(7));  // as the controller's ionice would
    clock.advance(0.2);
    source.sample();
    CHECK(shown_level() == 3);  // not vigil's doing: kept within the bound
    source.forget_details(me, false);
    CHECK(shown_level() == 7);  // vigil's: at once
    REQUIRE(set_level(1));
    source.forget_details(::getpid(), true);  // the whole process
    CHECK(shown_level() == 1);
    ::syscall(SYS_ioprio_set, 1, static_cast<int>(me),
              (static_cast<int>(old_prio->cls) << 13) | old_prio->level);
}
