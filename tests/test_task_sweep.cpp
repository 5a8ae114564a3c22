// TaskSweep against a fake taskstats client and a small proc tree built in a temporary
// directory (directory link counts there are 2 + subdirectories, as /proc/PID/task's are
// 2 + threads), so thread births and deaths can be staged between sweeps.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "vigil/collect/task_sweep.hpp"

using namespace vigil;
namespace fs = std::filesystem;

namespace {

std::int64_t mono_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A proc tree: PID/task/TID directories only, which is all TaskSweep reads.
class ProcTree {
  public:
    ProcTree() {
        char tmpl[] = "/tmp/vigil-sweep-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        root_ = tmpl;
        fs::create_directories(root_ / "sys");  // a non-process directory, as in /proc
    }
    ~ProcTree() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    std::string path() const { return root_.string(); }
    // Whether this file system counts subdirectories in a directory's link count (ext4,
    // tmpfs and xfs do; btrfs does not, and these tests then cannot stage anything).
    bool counts_links() const {
        struct stat st {};
        return stat(root_.c_str(), &st) == 0 && st.st_nlink == 3;  // ".", "..", "sys"
    }
    void add(pid_t tgid, pid_t tid) {
        fs::create_directories(root_ / std::to_string(tgid) / "task" / std::to_string(tid));
    }
    void remove(pid_t tgid, pid_t tid) {
        fs::remove_all(root_ / std::to_string(tgid) / "task" / std::to_string(tid));
    }
    void remove_process(pid_t tgid) { fs::remove_all(root_ / std::to_string(tgid)); }
    // PID/io, rewritten in place (the same file, so a kept descriptor reads the new text).
    void set_io(pid_t tgid, std::uint64_t read_bytes, std::uint64_t write_bytes = 0) {
        std::ofstream(root_ / std::to_string(tgid) / "io", std::ios::trunc)
            << "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: " << read_bytes
            << "\nwrite_bytes: " << write_bytes << "\ncancelled_write_bytes: 0\n";
    }

  private:
    fs::path root_;
};

// Answers from a table; counts what it was asked.
class FakeTaskstats final : public TaskstatsClient {
  public:
    struct Task {
        pid_t tgid = 0;
        std::string comm;
        std::uint64_t read_bytes = 0;
        std::int64_t start_ns = 0;  // CLOCK_MONOTONIC
        int nice = 0;
        std::uint64_t nvcsw = 0;  // context switches (answered with version >= 6)
    };
    std::uint16_t version = 0;                // of every answer
    std::map<pid_t, Task> tasks;              // by tid
    std::map<pid_t, std::uint64_t> activity;  // by tgid: what a TGID reply's counters say
    std::set<pid_t> thread_asks, process_asks;
    std::size_t thread_queries = 0, process_queries = 0;

    void query(TaskstatsScope scope, std::span<const pid_t> ids,
               std::span<TaskstatsAnswer> out) override {
        const std::int64_t asked = mono_ns();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            TaskstatsAnswer& a = out[i];
            a = TaskstatsAnswer{};
            a.asked_ns = asked;
            a.answered_ns = mono_ns();
            if (scope == TaskstatsScope::process) {
                ++process_queries;
                process_asks.insert(ids[i]);
                auto it = activity.find(ids[i]);
                if (it == activity.end()) {
                    a.status = TaskstatsAnswer::Status::gone;
                    continue;
                }
                a.status = TaskstatsAnswer::Status::ok;
                a.record.tgid = ids[i];
                a.record.cpu_count = it->second;
                // As the kernel: the live threads' elapsed times, summed.
                for (const auto& [tid, t] : tasks)
                    if (t.tgid == ids[i])
                        a.record.etime_us +=
                            static_cast<std::uint64_t>((asked - t.start_ns) / 1000);
                continue;
            }
            ++thread_queries;
            thread_asks.insert(ids[i]);
            auto it = tasks.find(ids[i]);
            if (it == tasks.end()) {
                a.status = TaskstatsAnswer::Status::gone;
                continue;
            }
            const Task& t = it->second;
            a.status = TaskstatsAnswer::Status::ok;
            a.record.pid = ids[i];
            a.record.tgid = t.tgid;
            a.record.comm = t.comm;
            a.record.uid = 1000;
            a.record.ppid = 1;
            a.record.nice = t.nice;
            a.record.read_bytes = t.read_bytes;
            a.record.version = version;
            a.record.nvcsw = t.nvcsw;
            a.record.etime_us = static_cast<std::uint64_t>((a.asked_ns - t.start_ns) / 1000);
        }
    }
    // Called at begin_sweep (the BPF source's pass), when set.
    std::function<void()> on_begin_sweep;
    void begin_sweep() override {
        if (on_begin_sweep) on_begin_sweep();
    }
    void reset_counts() {
        thread_asks.clear();
        process_asks.clear();
        thread_queries = process_queries = 0;
    }
};

std::vector<pid_t> tids_of(const std::vector<TaskSample>& v) {
    std::vector<pid_t> out;
    for (const auto& t : v) out.push_back(t.tid);
    return out;
}

const TaskSample* find(const std::vector<TaskSample>& v, pid_t tid) {
    for (const auto& t : v)
        if (t.tid == tid) return &t;
    return nullptr;
}

// Process 100 with threads 100, 101, 102; single-threaded 200.
struct World {
    ProcTree tree;
    FakeTaskstats ts;
    std::unique_ptr<FsRoot> root;
    bool usable = true;
    World() {
        if (!tree.counts_links()) {
            WARN(
                "skipped: the temporary directory's file system does not count subdirectory links");
            usable = false;
        }
        const std::int64_t born = mono_ns() - 5'000'000'000;
        for (pid_t tid : {100, 101, 102}) {
            tree.add(100, tid);
            ts.tasks[tid] = {100, "worker", 0, born, 0};
        }
        tree.add(200, 200);
        ts.tasks[200] = {200, "single", 0, born, 5};
        ts.activity[100] = 1;
        ts.activity[200] = 1;
        root = std::make_unique<FsRoot>(tree.path());
    }
};

}  // namespace

TEST_CASE("TaskSweep takes every field from taskstats and lists each thread once", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 102, 200});
    const TaskSample* t = find(out, 101);
    REQUIRE(t);
    CHECK(t->tgid == 100);
    CHECK(t->comm == "worker");
    CHECK(t->uid == 1000);
    CHECK(t->state == '?');
    REQUIRE(t->io);
    CHECK(find(out, 200)->nice == 5);
    CHECK(sweep.last_stats().listings == 2);
    CHECK(sweep.last_stats().root_listed);
}

TEST_CASE("TaskSweep skips the threads of a process that did not run", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);
    const auto start_101 = find(out, 101)->start_ticks;

    // Nothing ran: only the TGID query, the single-threaded process, no listing.
    w.ts.reset_counts();
    w.ts.tasks[101].read_bytes = 999;  // would show if asked; it must not be
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{200});
    CHECK(w.ts.process_asks == std::set<pid_t>{100});
    CHECK(sweep.last_stats().idle_processes == 1);
    CHECK(sweep.last_stats().listings == 0);
    CHECK_FALSE(sweep.last_stats().root_listed);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 102, 200});
    CHECK(find(out, 101)->io->read_bytes == 0);
    CHECK(find(out, 101)->start_ticks == start_101);

    // It ran: its threads are asked, and stay asked while it is hot.
    w.ts.activity[100] = 2;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    CHECK(find(out, 101)->io->read_bytes == 999);
    CHECK(find(out, 101)->start_ticks == start_101);
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks.count(101) == 1);
}

TEST_CASE("TaskSweep lists a process again when its thread count changes", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);

    w.tree.add(100, 103);
    w.ts.tasks[103] = {100, "newcomer", 0, mono_ns(), 0};
    sweep.collect(out);
    CHECK(sweep.last_stats().listings == 1);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 102, 103, 200});
    CHECK(find(out, 103)->comm == "newcomer");

    w.tree.remove(100, 101);
    w.ts.tasks.erase(101);
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 102, 103, 200});
}

TEST_CASE("TaskSweep: one thread exiting and another starting, same count", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);

    // The link count stays 5; the process ran (it had to, to start a thread), the old
    // thread answers ESRCH, and the second listing finds the new one.
    w.tree.remove(100, 102);
    w.ts.tasks.erase(102);
    w.tree.add(100, 104);
    w.ts.tasks[104] = {100, "replacement", 0, mono_ns(), 0};
    w.ts.activity[100] = 2;
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 104, 200});
    CHECK(sweep.last_stats().listings == 1);
}

TEST_CASE("TaskSweep: a tid answering from another process is dropped", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);

    w.ts.tasks[102].tgid = 555;  // reused elsewhere while our listing still has it
    w.ts.activity[100] = 2;
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 200});
}

TEST_CASE("TaskSweep: a new thread under an old tid gets a new start time", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);
    const auto before = find(out, 200)->start_ticks;
    sweep.collect(out);
    CHECK(find(out, 200)->start_ticks == before);  // same task: stable

    w.ts.tasks[200].start_ns = mono_ns() - 1'000'000'000;  // 4 s later than the old one
    sweep.collect(out);
    CHECK(find(out, 200)->start_ticks > before);
}

TEST_CASE("TaskSweep: processes that vanish are dropped, new ones found", "[sweep]") {
    World w;
    if (!w.usable) return;
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);

    w.tree.remove_process(200);
    w.ts.tasks.erase(200);
    w.ts.activity.erase(200);
    w.tree.add(300, 300);
    w.ts.tasks[300] = {300, "fresh", 0, mono_ns(), 0};
    w.ts.activity[300] = 1;
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 102, 300});
    CHECK(sweep.last_stats().root_listed);

    // A process whose TGID query says it is gone is left out at once.
    w.ts.activity.erase(100);
    sweep.collect(out);
    CHECK(tids_of(out) == std::vector<pid_t>{300});
}

TEST_CASE("TaskSweep's first look asks only the lowest ids and the next sweep asks the rest",
          "[sweep]") {
    World w;
    if (!w.usable) return;
    // A many-threaded early process: its threads 100..102 and 103..109 come before 200, whose
    // leader a process view still needs.
    const std::int64_t born = mono_ns() - 5'000'000'000;
    for (pid_t tid = 103; tid < 110; ++tid) {
        w.tree.add(100, tid);
        w.ts.tasks[tid] = {100, "worker", 0, born, 0};
    }
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect_first(out, 2);
    // Asked: the 2 lowest tids and the leaders of the 2 lowest processes; no TGID query.
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 200});
    CHECK(w.ts.process_queries == 0);
    // Every thread is in the result, so counts are right; those not asked carry ids only.
    REQUIRE(out.size() == 11);
    CHECK(find(out, 101)->comm == "worker");
    CHECK(find(out, 101)->io);
    const TaskSample* unasked = find(out, 105);
    REQUIRE(unasked);
    CHECK(unasked->tgid == 100);
    CHECK(unasked->comm.empty());
    CHECK_FALSE(unasked->io);

    // The next sweep asks about every thread (not only the process's fingerprint), so no
    // thread keeps the first look's emptiness.
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks.size() == 11);
    REQUIRE(out.size() == 11);
    for (const TaskSample& t : out) {
        CHECK(t.io);
        CHECK_FALSE(t.comm.empty());
    }
}

namespace {

// Adds single-threaded processes 1000, 1001, ... to a world.
void add_processes(World& w, int count) {
    const std::int64_t born = mono_ns() - 1'000'000'000;
    for (pid_t pid = 1000; pid < 1000 + count; ++pid) {
        w.tree.add(pid, pid);
        w.ts.tasks[pid] = {pid, "sleeper", 0, born, 0};
        w.ts.activity[pid] = 1;
    }
}

// Descriptors open in this process now.
int open_fds() {
    int n = 0;
    for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
        (void)e;
        ++n;
    }
    return n - 1;  // the iterator's own
}

}  // namespace

TEST_CASE("TaskSweep past its descriptor budget reads directories by path, misses none",
          "[sweep]") {
    World w;
    if (!w.usable) return;
    add_processes(w, 20);
    TaskSweep sweep(*w.root, w.ts);
    sweep.set_fd_budget(5);
    std::vector<TaskSample> out;
    sweep.collect(out);
    CHECK(out.size() == 24);
    CHECK(sweep.last_stats().unkept == 17);  // 22 processes, 5 kept
    CHECK(sweep.last_stats().listings == 22);
    CHECK_FALSE(sweep.last_stats().out_of_fds);

    // Nothing changed: no directory is listed again, kept or not.
    sweep.collect(out);
    CHECK(out.size() == 24);
    CHECK(sweep.last_stats().listings == 0);

    // A thread born in a process past the budget is found by its directory's link count.
    w.tree.add(1019, 2000);
    w.ts.tasks[2000] = {1019, "newcomer", 0, mono_ns(), 0};
    w.ts.activity[1019] = 2;
    sweep.collect(out);
    CHECK(sweep.last_stats().listings == 1);
    REQUIRE(find(out, 2000));
    CHECK(find(out, 2000)->tgid == 1019);

    // A smaller budget closes what is past it; a process that ends is still seen to end.
    sweep.set_fd_budget(0);
    w.tree.remove_process(1005);
    w.ts.tasks.erase(1005);
    w.ts.activity.erase(1005);
    sweep.collect(out);
    CHECK(sweep.last_stats().unkept == 21);
    CHECK(out.size() == 24);
    CHECK_FALSE(find(out, 1005));
}

TEST_CASE("TaskSweep out of descriptors takes no process for gone", "[sweep]") {
    World w;
    if (!w.usable) return;
    add_processes(w, 40);
    // In a child, whose open file limit leaves room for a few descriptors only: the sweep,
    // with no budget to warn it, meets EMFILE on most directories (and the root's).
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        rlimit rl{};
        getrlimit(RLIMIT_NOFILE, &rl);
        const int highest = open_fds() + 8;  // fd numbers run up to about the count
        rl.rlim_cur = static_cast<rlim_t>(highest);
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(10);
        TaskSweep sweep(*w.root, w.ts);
        std::vector<TaskSample> out;
        // Hold every descriptor but two, so the sweep has nowhere near one per process.
        std::vector<int> held;
        for (int fd; (fd = dup(0)) >= 0;) held.push_back(fd);
        for (int k = 0; k < 2 && !held.empty(); ++k) {
            close(held.back());
            held.pop_back();
        }
        for (int round = 0; round < 3; ++round) {
            sweep.collect(out);
            if (out.size() != 44) _exit(20 + round);
        }
        _exit(sweep.last_stats().out_of_fds ? 0 : 30);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    // 20-22: a sweep lost processes; 30: the shortage went unnoticed.
    CHECK(WEXITSTATUS(status) == 0);
}

namespace {
// Writes the leader's stat line in place (the same file, so a kept descriptor reads it).
void set_leader_state(const ProcTree& tree, pid_t pid, char state) {
    const std::string p =
        tree.path() + "/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/stat";
    std::ofstream(p, std::ios::trunc)
        << pid << " (a) b) " << state << " 1 " << pid << " 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 100\n";
}
}  // namespace

TEST_CASE("TaskSweep reads the leaders' states only when asked to", "[sweep][states]") {
    World w;
    if (!w.usable) return;
    set_leader_state(w.tree, 100, 'D');
    set_leader_state(w.tree, 200, 'Z');
    TaskSweep sweep(*w.root, w.ts);
    std::vector<TaskSample> out;
    sweep.collect(out);
    // Off by default: taskstats has no state, and no stat file is read.
    for (const TaskSample& t : out) CHECK(t.state == '?');
    CHECK(sweep.last_stats().state_reads == 0);

    sweep.set_leader_state(true);
    sweep.collect(out);
    CHECK(sweep.last_stats().state_reads == 2);
    CHECK(find(out, 100)->state == 'D');
    CHECK(find(out, 101)->state == '?');  // only leaders: a thread's costs a read per thread
    CHECK(find(out, 102)->state == '?');
    CHECK(find(out, 200)->state == 'Z');

    // A process that ran is asked about again, and without switch counters (taskstats
    // before version 6) its leader's state is read again.
    set_leader_state(w.tree, 100, 'T');
    set_leader_state(w.tree, 200, 'R');
    w.ts.activity[100] = 2;
    sweep.collect(out);
    CHECK(find(out, 100)->state == 'T');
    CHECK(find(out, 200)->state == 'R');
    CHECK(sweep.last_stats().state_reads == 2);

    // With them, only a leader that was scheduled since (it switched out, or ran) is read
    // again: one that did not is still in the state read last.
    w.ts.version = 16;
    w.ts.activity[100] = 3;
    sweep.collect(out);  // the first answers with counters: both read
    CHECK(sweep.last_stats().state_reads == 2);
    set_leader_state(w.tree, 100, 'S');
    set_leader_state(w.tree, 200, 'S');
    w.ts.tasks[200].nvcsw = 1;  // 200 went to sleep; 100's leader did not run
    w.ts.activity[100] = 4;     // (another thread of 100 did)
    sweep.collect(out);
    CHECK(sweep.last_stats().state_reads == 1);
    CHECK(find(out, 200)->state == 'S');
    CHECK(find(out, 100)->state == 'T');  // not read: nothing says it moved
    w.ts.tasks[100].nvcsw = 1;
    w.ts.activity[100] = 5;
    sweep.collect(out);
    CHECK(sweep.last_stats().state_reads == 1);
    CHECK(find(out, 100)->state == 'S');
    w.ts.version = 0;

    // A leader whose stat cannot be read (it ended) is '?', and the process is still there.
    std::filesystem::remove(w.tree.path() + "/200/task/200/stat");
    set_leader_state(w.tree, 100, 'S');
    {
        TaskSweep fresh(*w.root, w.ts);
        fresh.set_leader_state(true);
        fresh.collect(out);
        CHECK(find(out, 100)->state == 'S');
        REQUIRE(find(out, 200));
        CHECK(find(out, 200)->state == '?');
    }

    // Off again: back to '?', the files closed.
    sweep.set_leader_state(false);
    sweep.collect(out);
    CHECK(find(out, 100)->state == '?');
    CHECK(sweep.last_stats().state_reads == 0);
}

TEST_CASE("TaskSweep's leader stat files stay within the descriptor budget", "[sweep][states]") {
    World w;
    if (!w.usable) return;
    add_processes(w, 20);
    for (pid_t pid = 1000; pid < 1020; ++pid) set_leader_state(w.tree, pid, 'S');
    set_leader_state(w.tree, 1019, 'D');
    for (std::size_t budget : {std::size_t{0}, std::size_t{7}, std::size_t{1000}}) {
        INFO("budget " << budget);
        TaskSweep sweep(*w.root, w.ts);
        sweep.set_fd_budget(budget);
        sweep.set_leader_state(true);
        std::vector<TaskSample> out;
        for (int round = 0; round < 2; ++round) {
            sweep.collect(out);
            CHECK(out.size() == 24);
            if (round == 0) CHECK(sweep.last_stats().state_reads == 22);
            CHECK(find(out, 1019)->state == 'D');
            CHECK(find(out, 1000)->state == 'S');
        }
    }
}

TEST_CASE("TaskSweep without thread activity asks only processes whose I/O moved", "[sweep][io]") {
    World w;
    if (!w.usable) return;
    w.tree.set_io(100, 0);
    TaskSweep sweep(*w.root, w.ts);
    sweep.set_thread_activity(false);
    std::vector<TaskSample> out;
    sweep.collect(out);  // first sight: every thread asked
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    for (const TaskSample& t : out) CHECK_FALSE(t.activity);  // not kept current: unknown
    w.ts.tasks[101].read_bytes = 999;

    // It ran, but its I/O did not move: no thread of it is asked (the single-threaded
    // process is asked directly, as ever). Its threads keep their last answers.
    w.ts.activity[100] = 2;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{200});
    CHECK(sweep.last_stats().io_skipped == 1);
    CHECK(sweep.last_stats().io_reads == 1);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 102, 200});
    REQUIRE(find(out, 101)->io);
    CHECK(find(out, 101)->io->read_bytes == 0);

    // Its I/O moved: every thread of it is asked.
    w.tree.set_io(100, 4096);
    w.ts.activity[100] = 3;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    CHECK(find(out, 101)->io->read_bytes == 999);
    CHECK(sweep.last_stats().io_skipped == 0);

    // Nothing ran for the hot window: io is not even read (a fresh sweep has no window yet,
    // so this one checks the reads of a process seen standing still).
    TaskSweep idle(*w.root, w.ts);
    idle.set_thread_activity(false);
    idle.collect(out);
    idle.collect(out);
    CHECK(idle.last_stats().io_reads == 0);
    CHECK(idle.last_stats().idle_processes == 1);
}

TEST_CASE("TaskSweep with thread activity asks every process that ran", "[sweep][io]") {
    World w;
    if (!w.usable) return;
    w.tree.set_io(100, 0);
    test::FakeClock clock;
    TaskSweep sweep(*w.root, w.ts, clock);  // on by default
    std::vector<TaskSample> out;
    sweep.collect(out);
    CHECK(find(out, 101)->activity);
    w.ts.activity[100] = 2;  // ran; its I/O did not move
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    CHECK(sweep.last_stats().io_reads == 0);  // the CPU decides: no io read

    // Off while it ran, then on: the threads that ran unasked are asked, though it stood
    // still since, so no thread keeps a CPU time older than its last run.
    sweep.set_thread_activity(false);
    w.ts.activity[100] = 3;
    sweep.collect(out);  // its first io reading: no baseline yet, so asked
    w.ts.activity[100] = 4;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks.count(101) == 0);
    clock.advance(TaskSweep::hot_window_s + 1);  // and not hot any more
    w.ts.reset_counts();
    sweep.set_thread_activity(true);
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    CHECK(find(out, 101)->activity);
    w.ts.reset_counts();
    sweep.collect(out);  // its threads are current again: it stood still, so not asked
    CHECK(w.ts.thread_asks == std::set<pid_t>{200});
}

TEST_CASE("TaskSweep without thread activity still finds a thread replaced at the same count",
          "[sweep][io]") {
    World w;
    if (!w.usable) return;
    w.tree.set_io(100, 0);
    TaskSweep sweep(*w.root, w.ts);
    sweep.set_thread_activity(false);
    std::vector<TaskSample> out;
    sweep.collect(out);

    // The link count stays 5 and the I/O does not move; the process ran, so its listing is
    // compared with the threads known, and the new thread is asked about.
    w.tree.remove(100, 102);
    w.ts.tasks.erase(102);
    w.tree.add(100, 104);
    w.ts.tasks[104] = {100, "replacement", 0, mono_ns(), 0};
    w.ts.activity[100] = 2;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(sweep.last_stats().set_checks == 1);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 101, 104, 200});
    REQUIRE(find(out, 104));
    CHECK(find(out, 104)->comm == "replacement");

    // Within the hot window a replacement is seen by the TGID reply's elapsed time, which
    // sums (now - start) over the live threads: it grows by less than the count times the
    // time passed when a younger thread took an older one's place.
    w.tree.remove(100, 101);
    w.ts.tasks.erase(101);
    w.tree.add(100, 106);
    w.ts.tasks[106] = {100, "second", 0, mono_ns(), 0};
    w.ts.activity[100] = 3;
    sweep.collect(out);
    CHECK(sweep.last_stats().set_checks == 1);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 104, 106, 200});

    // Standing still, the sum agrees and nothing is listed; a thread born changes the link
    // count, which lists it as ever.
    w.ts.activity[100] = 4;
    sweep.collect(out);
    CHECK(sweep.last_stats().set_checks == 0);
    CHECK(sweep.last_stats().listings == 0);
    w.tree.add(100, 105);
    w.ts.tasks[105] = {100, "newcomer", 0, mono_ns(), 0};
    w.ts.activity[100] = 5;
    sweep.collect(out);
    CHECK(sweep.last_stats().set_checks == 0);
    CHECK(tids_of(out) == std::vector<pid_t>{100, 104, 105, 106, 200});
}

TEST_CASE("TaskSweep without thread activity: an io it may not read falls back to the CPU",
          "[sweep][io]") {
    World w;
    if (!w.usable) return;
    // No io file (another user's process, read without CAP_SYS_PTRACE, looks the same).
    TaskSweep sweep(*w.root, w.ts);
    sweep.set_thread_activity(false);
    std::vector<TaskSample> out;
    sweep.collect(out);
    w.ts.activity[100] = 2;
    w.ts.reset_counts();
    sweep.collect(out);
    CHECK(w.ts.thread_asks == std::set<pid_t>{100, 101, 102, 200});
    w.ts.activity[100] = 3;
    w.ts.reset_counts();
    sweep.collect(out);  // not tried again, still asked
    CHECK(sweep.last_stats().io_reads == 0);
    CHECK(w.ts.thread_asks.count(101) == 1);
}

namespace {
// A clock that moves on a second each time it is read: when something read it tells.
class TickingClock final : public Clock {
  public:
    double steady_s() const override { return now_ += 1.0; }
    std::int64_t steady_ns() const override { return static_cast<std::int64_t>(steady_s() * 1e9); }
    double boot_s() const override { return now_; }
    std::int64_t wall_ns() const override { return 0; }
    std::uint64_t ticks_per_s() const override { return 100; }

  private:
    mutable double now_ = 100.0;
};
}  // namespace

TEST_CASE("TaskSweep notes when it began reading counters: after listing, before the reads",
          "[sweep]") {
    World w;
    if (!w.usable) return;
    TickingClock clock;
    TaskSweep sweep(*w.root, w.ts, clock);
    double at_begin = 0;
    w.ts.on_begin_sweep = [&] { at_begin = clock.steady_s(); };
    std::vector<TaskSample> out;
    for (int round = 0; round < 2; ++round) {
        const double before = clock.steady_s();
        sweep.collect(out);
        // Stamped within this sweep, and the last reading of the clock before the reads
        // began (the BPF pass runs at begin_sweep).
        CHECK(sweep.counters_at_s() > before);
        CHECK(sweep.counters_at_s() == at_begin - 1.0);
    }
}
