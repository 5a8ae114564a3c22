#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "fake_clock.hpp"
#include "fixture_util.hpp"
#include "record_util.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/collect/task_actions.hpp"

using namespace vigil;
using namespace std::string_literals;
using vigil::test::find_task;
using vigil::test::fixture;

TEST_CASE("TaskCollector lists every thread of the fixture machine", "[collect]") {
    FsRoot root(fixture("proc/t0"));
    REQUIRE(root.valid());
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    std::vector<pid_t> tids;
    for (const auto& t : tasks) tids.push_back(t.tid);
    // 400 vanished mid-read: skipped silently.
    CHECK(tids == std::vector<pid_t>{1, 2, 100, 101, 102, 200, 300});

    Snapshot s;
    s.tasks = tasks;
    const TaskSample* app = find_task(s, 101);
    REQUIRE(app);
    CHECK(app->tgid == 100);
    CHECK(app->ppid == 1);
    CHECK(app->uid == 1000);
    CHECK(app->comm == "worker 1");
    CHECK(app->nice == 5);
    CHECK(app->start_ticks == 90010);
    CHECK(find_task(s, 100)->comm == "my (weird) app");
    CHECK(find_task(s, 200)->state == 'Z');
    CHECK(find_task(s, 2)->uid == 0);
}

TEST_CASE("fetch_details reads command lines; kernel threads and zombies have none", "[collect]") {
    FsRoot root(fixture("proc/t0"));
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    auto details = [&](pid_t tid) {
        auto it = std::find_if(tasks.begin(), tasks.end(),
                               [&](const TaskSample& t) { return t.tid == tid; });
        REQUIRE(it != tasks.end());
        TaskDetail d;
        tc.fetch_details(*it, d);
        return d;
    };
    CHECK(*details(101).cmdline == "/usr/bin/app --name my (weird) app");
    CHECK(details(2).cmdline->empty());
    CHECK(details(200).cmdline->empty());
    CHECK(*details(300).cmdline == "evil line1\nline2 \x1b[31mred \xff\xfe");
    CHECK_FALSE(details(101).ioprio.has_value());  // not live: unknown, not invented
    CHECK_FALSE(details(101).nice.has_value());
    // Threads of one process share its command line: one string, read once per sample.
    CHECK(details(101).cmdline.get() == details(100).cmdline.get());
}

TEST_CASE("with no swap slot in use, SWAP is 0 without reading status", "[collect]") {
    // A copy of the fixture /proc with a swaps table: process 100's status says 2048 kB
    // swapped, which only a read of it can give.
    vigil::test::TempDir dir;
    std::filesystem::copy(fixture("proc/t1"), dir.path(), std::filesystem::copy_options::recursive);
    auto swaps = [&](const std::string& areas) {
        std::ofstream(dir.file("swaps")) << "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                         << areas;
    };
    FsRoot root(dir.path());
    auto swap_of = [&](pid_t tid, DetailParts parts) {
        TaskCollector tc(root, false);
        std::vector<TaskSample> tasks;
        tc.collect(tasks);
        auto it = std::find_if(tasks.begin(), tasks.end(),
                               [&](const TaskSample& t) { return t.tid == tid; });
        REQUIRE(it != tasks.end());
        TaskDetail d;
        tc.fetch_details(*it, d, parts);
        return d.swap_bytes;
    };
    swaps("/dev/sda2  partition  2097148  0  -2\n");
    CHECK(swap_of(101, kDetailSwap) == 0u);
    CHECK(swap_of(101, kDetailMemory | kDetailSwap) == 0u);
    swaps("/dev/sda2  partition  2097148  512  -2\n");
    CHECK(swap_of(101, kDetailMemory | kDetailSwap) == 2048u * 1024);
    swaps("/dev/sda2  partition  damaged\n");  // not understood: status is read
    CHECK(swap_of(101, kDetailSwap) == 2048u * 1024);
}

TEST_CASE("fetch_details reads a process's memory and swap; the sample has PRI", "[collect]") {
    FsRoot root(fixture("proc/t1"));
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    auto details = [&](pid_t tid, DetailParts parts) {
        auto it = std::find_if(tasks.begin(), tasks.end(),
                               [&](const TaskSample& t) { return t.tid == tid; });
        REQUIRE(it != tasks.end());
        TaskDetail d;
        tc.fetch_details(*it, d, parts);
        return d;
    };
    // A thread shows its process's: statm of the process, in bytes.
    const TaskDetail worker = details(101, kDetailMemory | kDetailSwap);
    REQUIRE(worker.memory);
    CHECK(worker.memory->rss_bytes == 51200 * page);
    CHECK(worker.memory->virt_bytes == 100000 * page);
    CHECK(worker.memory->shared_bytes == 1024 * page);
    CHECK(worker.swap_bytes == 2048u * 1024);
    CHECK_FALSE(worker.cmdline);  // only the parts asked for
    // Only the memory: status is not read.
    const TaskDetail lead = details(100, kDetailMemory);
    REQUIRE(lead.memory);
    CHECK(lead.memory->rss_bytes == 51200 * page);
    CHECK_FALSE(lead.swap_bytes.has_value());
    // No address space: 0, which is true, not unknown.
    const TaskDetail kthread = details(2, kDetailMemory | kDetailSwap);
    REQUIRE(kthread.memory);
    CHECK(kthread.memory->rss_bytes == 0);
    CHECK(kthread.swap_bytes == 0u);
    const TaskDetail zombie = details(200, kDetailMemory | kDetailSwap);
    CHECK(zombie.memory->virt_bytes == 0);
    // A process gone before it was read: unknown.
    TaskSample gone;
    gone.tid = gone.tgid = 400;
    TaskDetail g;
    tc.fetch_details(gone, g, kDetailMemory | kDetailSwap);
    CHECK_FALSE(g.memory.has_value());
    CHECK_FALSE(g.swap_bytes.has_value());
    // PRI is in the stat line the /proc path reads anyway: 20 + nice.
    Snapshot snap;
    snap.tasks = tasks;
    CHECK(find_task(snap, 100)->priority == 25);
    CHECK(find_task(snap, 1)->priority == 20);
}

TEST_CASE("ProcPidIo reads per-thread counters", "[collect]") {
    auto s = vigil::test::load_snapshot("t0", 0, 1000);
    const TaskSample* t = find_task(s, 101);
    REQUIRE(t);
    REQUIRE(t->io);
    CHECK(t->io->write_bytes == 4u << 20);
    CHECK(t->io->cancelled_write_bytes == 1u << 20);
    CHECK_FALSE(t->io->blkio_delay_ns.has_value());
}

TEST_CASE("a proc root that does not exist yields no tasks, not a crash", "[collect]") {
    FsRoot root("/nonexistent/vigil-test");
    CHECK_FALSE(root.valid());
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks{TaskSample{}};
    tc.collect(tasks);
    CHECK(tasks.empty());
}

TEST_CASE("kept files and directories own their fd; moved from, they are invalid", "[collect]") {
    FsRoot root(fixture("proc/t0"));
    KeptFile f(root, "100/cmdline");
    REQUIRE(f.valid());
    KeptFile g(std::move(f));
    CHECK_FALSE(f.valid());
    std::string text;
    REQUIRE(g.read(text));
    CHECK(text == "/usr/bin/app\0--name\0my (weird) app\0"s);
    f = std::move(g);
    CHECK(f.valid());
    CHECK_FALSE(g.valid());
    CHECK_FALSE(g.read(text));
    CHECK(errno == EBADF);

    KeptDir d(root, "100/task");
    REQUIRE(d.valid());
    KeptDir e = std::move(d);
    CHECK_FALSE(d.valid());
    std::vector<pid_t> tids;
    std::vector<std::byte> buf;
    REQUIRE(e.list_numeric(tids, buf));
    CHECK(tids == std::vector<pid_t>{100, 101, 102});
    e.close();
    CHECK_FALSE(e.valid());
    CHECK_FALSE(e.list_numeric(tids, buf));

    FsRoot moved(std::move(root));
    CHECK(moved.valid());
    CHECK_FALSE(root.valid());
    CHECK_FALSE(KeptFile(root, "100/cmdline").valid());
    CHECK(KeptFile(moved, "100/cmdline").valid());
}

TEST_CASE("system facts from the fixture root", "[collect]") {
    FsRoot root(fixture("proc/t0"));
    CHECK(read_delayacct(root) == std::optional<bool>(true));
    std::string buf;
    auto v = read_vmstat_io(root, buf);
    REQUIRE(v);
    CHECK(v->pgpgin_kib == 1000);
    CHECK(process_exists(root, 100));
    CHECK_FALSE(process_exists(root, 400));
    CHECK_FALSE(process_exists(root, 999));
}

TEST_CASE("the live /proc lists this test's own thread", "[collect][live]") {
    FsRoot root("/proc");
    TaskCollector tc(root, true);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    pid_t self = getpid();
    Snapshot s;
    s.tasks = std::move(tasks);
    const TaskSample* me = find_task(s, self);
    REQUIRE(me);
    CHECK(me->tgid == self);
    CHECK(me->uid == getuid());
    TaskDetail d;
    tc.fetch_details(*me, d);
    CHECK(d.ioprio.has_value());
    std::string raw;
    REQUIRE(root.read_into("self/cmdline", raw));
    CHECK(*d.cmdline == parse_cmdline(raw));
    CHECK_FALSE(d.cmdline->empty());
}

namespace {

// A temporary directory, removed with everything in it.
struct TempTree {
    std::filesystem::path path;
    TempTree() {
        char tmpl[] = "/tmp/vigil-tree-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempTree() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("a tree's FIFOs, devices and endless files are refused, not waited on", "[collect]") {
    TempTree tree;
    const auto& d = tree.path;
    REQUIRE(mkfifo((d / "fifo").c_str(), 0600) == 0);
    std::filesystem::create_symlink("/dev/zero", d / "zero");
    std::filesystem::create_directory(d / "dir");
    {
        std::ofstream(d / "small") << "12 34\n";
        std::ofstream big(d / "big");
    }
    // Sparse: one byte more than is ever read whole.
    std::filesystem::resize_file(d / "big", kMaxFileBytes + 1);

    FsRoot root(d.string());
    REQUIRE(root.valid());
    CHECK_FALSE(root.kernel_files());
    std::string out;
    CHECK(root.read_into("small", out));
    CHECK(out == "12 34\n");
    // Opening the FIFO for reading would wait for a writer; reading /dev/zero never ends.
    CHECK_FALSE(root.read_into("fifo", out));
    CHECK(errno == EINVAL);
    CHECK_FALSE(root.read_into("zero", out));
    CHECK(errno == EINVAL);
    CHECK_FALSE(root.read_into("dir", out));
    CHECK(errno == EINVAL);
    CHECK_FALSE(root.read_into("big", out));
    CHECK(errno == EFBIG);
    CHECK(out.empty());
    CHECK_FALSE(KeptFile(root, "fifo").valid());
    CHECK_FALSE(root.open_file("zero"));
    // A missing file is not a refusal: it is simply not there.
    CHECK_FALSE(root.read_into("none", out));
    CHECK(errno == ENOENT);

    const FsRoot::Refusals r = root.take_refusals();
    CHECK(r.count == 6);
    CHECK(r.first == d.string() + "/fifo: not a regular file");
    CHECK(root.take_refusals().count == 0);

    // A prefix of a long file, and its whole length.
    std::uint64_t length = 0;
    char last = 'x';
    REQUIRE(root.read_prefix("big", 100, out, length, last));
    CHECK(out.size() == 100);
    CHECK(length == kMaxFileBytes + 1);
    CHECK(last == '\0');
    REQUIRE(root.read_prefix("small", 100, out, length, last));
    CHECK(out == "12 34\n");
    CHECK(length == 6);
    CHECK(last == '\n');
    KeptFile kept(root, "big");
    REQUIRE(kept.valid());
    CHECK_FALSE(kept.read(out));
    CHECK(errno == EFBIG);
    REQUIRE(kept.read_prefix(4096, out, length, last));
    CHECK(out.size() == 4096);
    CHECK(length == kMaxFileBytes + 1);
}

TEST_CASE("the kernel's proc and sysfs are read without the regular-file check", "[collect]") {
    CHECK(FsRoot("/proc").kernel_files());
    CHECK_FALSE(FsRoot(fixture("proc/t0")).kernel_files());
}

TEST_CASE("a fixture tree with a FIFO and /dev/zero as command lines is sampled", "[collect]") {
    TempTree tree;
    std::filesystem::copy(fixture("proc/t0"), tree.path, std::filesystem::copy_options::recursive);
    std::filesystem::remove(tree.path / "100/cmdline");
    REQUIRE(mkfifo((tree.path / "100/cmdline").c_str(), 0600) == 0);
    std::filesystem::remove(tree.path / "300/cmdline");
    std::filesystem::create_symlink("/dev/zero", tree.path / "300/cmdline");
    FsRoot root(tree.path.string());
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    std::vector<pid_t> tids;
    for (const auto& t : tasks) tids.push_back(t.tid);
    CHECK(tids == std::vector<pid_t>{1, 2, 100, 101, 102, 200, 300});
    for (const TaskSample& t : tasks) {
        TaskDetail d;
        tc.fetch_details(t, d);
        // Unknown, as for a task that is gone: shown by its name.
        if (t.tgid == 100 || t.tgid == 300) CHECK_FALSE(d.cmdline);
    }
    CHECK(root.take_refusals().count >= 2);
}

TEST_CASE("a long command line is read only as far as it is shown", "[collect]") {
    TempTree tree;
    std::filesystem::copy(fixture("proc/t0"), tree.path, std::filesystem::copy_options::recursive);
    // 1 MB in 10 arguments of 100 000 bytes, each with its NUL, as the kernel lists them.
    std::string raw;
    for (int i = 0; i < 10; ++i) raw += std::string(100'000, 'a' + i) + '\0';
    std::ofstream(tree.path / "100/cmdline", std::ios::binary) << raw;
    FsRoot root(tree.path.string());
    TaskCollector tc(root, false);
    std::vector<TaskSample> tasks;
    tc.collect(tasks);
    TaskDetail lead, worker;
    for (const TaskSample& t : tasks) {
        if (t.tid == 100) tc.fetch_details(t, lead);
        if (t.tid == 101) tc.fetch_details(t, worker);
    }
    REQUIRE(lead.cmdline);
    CHECK(*lead.cmdline == std::string(kCommandMaxBytes, 'a'));
    CHECK(lead.cmdline_unread == raw.size() - kCommandMaxBytes - 1);
    // Its threads share the one bounded string.
    CHECK(worker.cmdline.get() == lead.cmdline.get());
    CHECK(worker.cmdline_unread == lead.cmdline_unread);

    // Before any collect() (no sharing), the same bound.
    TaskCollector fresh(root, false);
    TaskDetail d;
    fresh.fetch_details(tasks[2], d);
    REQUIRE(d.cmdline);
    CHECK(d.cmdline->size() == kCommandMaxBytes);
    CHECK(d.cmdline_unread == raw.size() - kCommandMaxBytes - 1);
}

TEST_CASE("a command line is read again past the bound, or at once for another process",
          "[collect][prio]") {
    TempTree tree;
    std::filesystem::copy(fixture("proc/t0"), tree.path, std::filesystem::copy_options::recursive);
    auto put = [&](const std::string& rel, const std::string& text) {
        std::ofstream(tree.path / rel, std::ios::binary | std::ios::trunc) << text;
    };
    // The leader's stat line with another name or start time (an exec, a reused pid).
    auto leader_stat = [&](const std::string& comm, int start, char state = 'S') {
        const std::string line =
            "100 (" + comm + ") " + state + " 1 100 100 0 -1 4194560 120 0 0 0 3 1 0 0 " +
            "25 5 3 0 " + std::to_string(start) + " 10485760 300 18446744073709551615 1 1 1 1\n";
        put("100/stat", line);
        put("100/task/100/stat", line);
    };
    FsRoot root(tree.path.string());
    vigil::test::FakeClock clock(100.0);
    TaskCollector tc(root, false, nullptr, clock);
    std::vector<TaskSample> tasks;
    auto sample = [&](double after_s) {
        clock.advance(after_s);
        tc.collect(tasks);
        const TaskSample* worker = nullptr;
        for (const TaskSample& t : tasks)
            if (t.tid == 101) worker = &t;
        REQUIRE(worker);
        TaskDetail d;
        tc.fetch_details(*worker, d);
        return d.cmdline ? *d.cmdline : std::string("(unreadable)");
    };
    CHECK(sample(0) == "/usr/bin/app --name my (weird) app");
    put("100/cmdline", std::string("first\0", 6));
    // The sample after the first read names the process and reads it once more.
    CHECK(sample(0.5) == "first");
    put("100/cmdline", std::string("second\0", 7));
    CHECK(sample(0.5) == "first");   // 0.5 s old: kept
    CHECK(sample(1.0) == "first");   // 1.5 s old: kept
    CHECK(sample(0.6) == "second");  // 2.1 s old: past the bound (2 s; intervals are shorter)
    // Another process took the pid: its command line at once.
    put("100/cmdline", std::string("reused\0", 7));
    leader_stat("my (weird) app", 95000);
    CHECK(sample(0.1) == "reused");
    // An exec (the leader's name changed): at once too.
    put("100/cmdline", std::string("exec'd\0", 7));
    leader_stat("newprog", 95000);
    CHECK(sample(0.1) == "exec'd");
    put("100/cmdline", std::string("quiet\0", 6));
    CHECK(sample(0.1) == "exec'd");
    // A zombie leader (its threads live on): its command line, empty now, at once.
    put("100/cmdline", "");
    leader_stat("newprog", 95000, 'Z');
    CHECK(sample(0.1).empty());
    // Unreadable (a reused pid whose file is not there yet): tried again at the next
    // sample, not kept for the bound.
    std::filesystem::remove(tree.path / "100/cmdline");
    leader_stat("newprog", 96000);
    CHECK(sample(0.1) == "(unreadable)");
    put("100/cmdline", std::string("back\0", 5));
    CHECK(sample(0.1) == "back");
}

TEST_CASE("out of descriptors, command lines are read without keeping files", "[collect]") {
    FsRoot root(fixture("proc/t0"));
    std::vector<TaskSample> tasks;
    std::vector<std::string> want;  // each task's command line with descriptors to spare
    {
        TaskCollector tc(root, false);
        tc.collect(tasks);
        for (const TaskSample& t : tasks) {
            TaskDetail d;
            tc.fetch_details(t, d);
            want.push_back(d.cmdline ? *d.cmdline : "(unknown)");
        }
    }
    // In a child whose descriptors are all taken but three: the collector's budget (from
    // the limit) says it may keep files, the first opens take what is left, and the next
    // meet EMFILE: it must give its kept files back and read on, not take the task for gone.
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        rlimit rl{};
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 200);
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(10);
        TaskCollector tc(root, false);
        std::vector<TaskSample> got;
        tc.collect(got);
        if (got.size() != tasks.size()) _exit(11);
        std::vector<int> held;
        for (int fd; (fd = dup(0)) >= 0;) held.push_back(fd);
        for (int k = 0; k < 3 && !held.empty(); ++k) {
            close(held.back());
            held.pop_back();
        }
        for (int round = 0; round < 2; ++round) {
            for (std::size_t i = 0; i < got.size(); ++i) {
                TaskDetail d;
                tc.fetch_details(got[i], d);
                if ((d.cmdline ? *d.cmdline : "(unknown)") != want[i]) _exit(20 + round);
            }
            tc.collect(got);
            if (got.size() != tasks.size()) _exit(30 + round);
        }
        _exit(tc.fd_stats().ran_out ? 0 : 40);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    // 20, 21: a command line was lost; 30, 31: tasks were; 40: the shortage went unnoticed.
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("renice and ionice of a process whose every thread is gone say ESRCH", "[actions]") {
    // A process directory listing threads that do not exist (past any pid_max): each
    // setpriority/ioprio_set fails with ESRCH, which for one thread of many is skipped (it
    // exited meanwhile); for all of them the process is gone, not reniced.
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("vigil-actions-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "999999990" / "task" / "999999991");
    std::filesystem::create_directories(dir / "999999990" / "task" / "999999992");
    const FsRoot proc(dir.string());
    CHECK_THAT(set_task_nice(proc, 999999990, true, 5),
               Catch::Contains("renice 999999990 failed: no such task (ESRCH)"));
    CHECK_THAT(set_task_ioprio(proc, 999999990, true, IoPrio{IoPrio::Class::be, 4}),
               Catch::Contains("ionice 999999990 failed"));
    // Our own process, all threads there: done, no message.
    errno = 0;
    const int was = ::getpriority(PRIO_PROCESS, 0);
    REQUIRE(errno == 0);
    CHECK(set_task_nice(FsRoot("/proc"), ::getpid(), true, was) == "");
    std::filesystem::remove_all(dir);
}

TEST_CASE("delay accounting is switched only in the kernel's /proc", "[actions]") {
    // A fixture tree is not the kernel's: nothing is written there, and the reason says so.
    const FsRoot tree(fixture("proc/t0"));
    CHECK_THAT(set_delay_accounting(tree, true), Catch::Contains("is not the kernel's /proc"));
    // The real one: as root it is written (set back to what it was), otherwise the reason
    // names root.
    const FsRoot proc("/proc");
    const std::optional<bool> was = read_delayacct(proc);
    if (!was) {
        WARN("skipped: this kernel has no kernel.task_delayacct");
        return;
    }
    const std::string err = set_delay_accounting(proc, *was);
    if (::geteuid() == 0) {
        CHECK(err == "");
        CHECK(read_delayacct(proc) == was);
    } else {
        CHECK_THAT(err, Catch::Contains("needs root"));
    }
}

namespace {

TaskSample prio_task(pid_t tid, pid_t tgid, std::uint64_t start) {
    TaskSample t;
    t.tid = tid;
    t.tgid = tgid;
    t.start_ticks = start;
    return t;
}

}  // namespace

TEST_CASE("PrioCache reads a value again only past its staleness bound", "[collect][prio]") {
    vigil::test::FakeClock clock(100.0);
    PrioCache cache;
    const std::vector<TaskSample> tasks{prio_task(10, 10, 5), prio_task(11, 10, 6)};
    int reads = 0;
    auto read = [&](PrioValues& v) {
        ++reads;
        v.ioprio = IoPrio{IoPrio::Class::be, static_cast<std::uint8_t>(reads)};
    };
    auto level = [&](const TaskSample& t) { return int{cache.get(t, false, read).ioprio->level}; };

    cache.start_sample(clock.steady_s());
    CHECK(level(tasks[0]) == 1);
    CHECK(reads == 1);
    // Refreshes at 0.2 s: the value read at 100.0 is shown until it is 2 s old.
    for (int i = 1; i <= 9; ++i) {
        clock.set(100.0 + 0.2 * i, 1000.0);
        cache.start_sample(clock.steady_s());
        CHECK(level(tasks[0]) == 1);
    }
    CHECK(reads == 1);
    CHECK(cache.bound_s() == kPrioMaxAgeS);
    clock.set(102.2, 1000.0);  // 2.2 s old: past the bound, read again
    cache.start_sample(clock.steady_s());
    CHECK(level(tasks[0]) == 2);
    CHECK(reads == 2);

    SECTION("an interval longer than 2 s: a value is at most one refresh old") {
        clock.set(107.2, 1000.0);  // 5 s later: the bound is the interval; 5 s old, kept
        cache.start_sample(clock.steady_s());
        CHECK(cache.bound_s() == Approx(5.0));
        CHECK(level(tasks[0]) == 2);
        clock.set(112.2, 1000.0);  // 10 s old: read again
        cache.start_sample(clock.steady_s());
        CHECK(level(tasks[0]) == 3);
    }
    SECTION("a reused tid (another start time) never inherits the values") {
        const std::vector<TaskSample> reused{prio_task(10, 10, 99), tasks[1]};
        clock.set(102.4, 1000.0);
        cache.start_sample(clock.steady_s());
        CHECK(level(reused[0]) == 3);
    }
    SECTION("nice asked for the first time is read, then kept") {
        int nice_reads = 0;
        auto with_nice = [&](PrioValues& v) {
            read(v);
            v.has_nice = true;
            v.nice = ++nice_reads;
        };
        CHECK(cache.get(tasks[0], true, with_nice).nice == 1);
        CHECK(cache.get(tasks[0], true, with_nice).nice == 1);
        CHECK(cache.get(tasks[0], false, read).nice == 1);
        CHECK(nice_reads == 1);
    }
    SECTION("forgotten (after an ionice or renice), a value is read at once") {
        (void)level(tasks[1]);
        const int before = reads;
        cache.forget(11, false);
        CHECK(level(tasks[0]) == 2);  // the other thread keeps its value
        CHECK(level(tasks[1]) == before + 1);
        cache.forget(10, true);  // the whole process
        CHECK(level(tasks[0]) == before + 2);
        CHECK(level(tasks[1]) == before + 3);
    }
    SECTION("entries past the bound leave the cache: those of tasks gone with them") {
        clock.set(103.0, 1000.0);
        cache.start_sample(clock.steady_s());
        (void)level(tasks[1]);  // read at 103.0; tasks[0]'s at 102.2
        CHECK(cache.size() == 2);
        clock.set(104.3, 1000.0);
        cache.start_sample(clock.steady_s());
        CHECK(cache.size() == 1);  // 2.1 s old: gone
        clock.set(105.1, 1000.0);
        cache.start_sample(clock.steady_s());
        CHECK(cache.size() == 0);
    }
}

namespace {

// Sets this thread's I/O priority (best effort, a level): allowed for one's own threads.
bool set_own_ioprio(int level) {
    constexpr int kWhoProcess = 1, kClassBestEffort = 2, kClassShift = 13;
    return ::syscall(SYS_ioprio_set, kWhoProcess, static_cast<int>(::gettid()),
                     (kClassBestEffort << kClassShift) | level) == 0;
}

}  // namespace

TEST_CASE("TaskCollector keeps a shown row's I/O priority within the bound, and forgets it",
          "[collect][prio]") {
    FsRoot root("/proc");
    vigil::test::FakeClock clock(100.0);
    TaskCollector tc(root, true, nullptr, clock);
    const auto old_prio = read_ioprio(::gettid());
    REQUIRE(old_prio);
    REQUIRE(set_own_ioprio(4));
    std::vector<TaskSample> tasks;
    auto fetch = [&] {
        const TaskSample* me = nullptr;
        for (const TaskSample& t : tasks)
            if (t.tid == ::gettid()) me = &t;
        REQUIRE(me);
        TaskDetail d;
        tc.fetch_details(*me, d);
        REQUIRE(d.ioprio);
        return int{d.ioprio->level};
    };
    tc.collect(tasks);
    CHECK(fetch() == 4);
    REQUIRE(set_own_ioprio(6));
    clock.advance(0.5);
    tc.collect(tasks);
    CHECK(fetch() == 4);  // within the bound: not asked again
    tc.forget_prio(::gettid(), false);
    CHECK(fetch() == 6);  // forgotten (vigil's own ionice): read at once
    REQUIRE(set_own_ioprio(5));
    clock.advance(1.5);
    tc.collect(tasks);
    CHECK(fetch() == 6);  // 1.5 s old
    clock.advance(1.5);
    tc.collect(tasks);
    CHECK(fetch() == 5);  // 3 s old, past the bound (2 s, the intervals being shorter)
    ::syscall(SYS_ioprio_set, 1, static_cast<int>(::gettid()),
              (static_cast<int>(old_prio->cls) << 13) | old_prio->level);
}
