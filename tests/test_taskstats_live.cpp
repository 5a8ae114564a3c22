// Live tests of NetlinkTaskstats against the running kernel. They need CAP_NET_ADMIN and are
// tagged [privileged]; live_main.cpp leaves them out (saying why) where that is missing.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/netlink/netlink_taskstats.hpp"
#include "vigil/collect/task_sweep.hpp"

using namespace vigil;

namespace {

constexpr std::size_t mib = 1024 * 1024;
// Far above PID_MAX_LIMIT (4 Mi), so no task can ever have it.
constexpr pid_t no_such_tid = 0x3ffffff0;

std::unique_ptr<NetlinkTaskstats> open_or_fail() {
    auto r = NetlinkTaskstats::open();
    if (!r) FAIL("NetlinkTaskstats::open: " << r.error().message);
    return std::move(r).value();
}

TaskSample sample_for(pid_t tid) {
    TaskSample t;
    t.tid = tid;
    return t;
}

std::vector<pid_t> own_threads() {
    std::vector<pid_t> tids;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir("/proc/self/task"), closedir);
    REQUIRE(d);
    while (dirent* e = readdir(d.get())) {
        if (e->d_name[0] == '.') continue;
        tids.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    }
    return tids;
}

// Turns kernel.task_delayacct on for the scope and puts back what was there. Only tasks
// forked while it is on get delay accounting, so it must be set before the fork.
class DelayacctOn {
  public:
    DelayacctOn() {
        std::ifstream in(path_);
        if (!(in >> old_)) return;
        std::ofstream out(path_);
        enabled_ = static_cast<bool>(out << "1\n") && out.flush();
    }
    ~DelayacctOn() {
        if (!old_.empty()) std::ofstream(path_) << old_ << "\n";
    }
    bool enabled() const { return enabled_; }

  private:
    static constexpr const char* path_ = "/proc/sys/kernel/task_delayacct";
    std::string old_;
    bool enabled_ = false;
};

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

// Removes the test directory (and the one file in it) whatever way the test ends.
struct TempDir {
    std::string path;
    std::string file() const { return path + "/direct.bin"; }
    ~TempDir() {
        if (path.empty()) return;
        unlink(file().c_str());
        rmdir(path.c_str());
    }
};

// Holds spawned threads until released, then joins them, even if a check throws.
class ThreadPark {
  public:
    explicit ThreadPark(std::size_t n) : tids_(n, 0) {
        threads_.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this, i] {
                std::unique_lock lock(mu_);
                tids_[i] = gettid();
                ++started_;
                cv_.notify_all();
                cv_.wait(lock, [this] { return released_; });
            });
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return started_ == n; });
    }
    ~ThreadPark() {
        {
            std::lock_guard lock(mu_);
            released_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    const std::vector<pid_t>& tids() const { return tids_; }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::size_t started_ = 0;
    bool released_ = false;
    std::vector<pid_t> tids_;
    std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("taskstats live: open() works and names the struct version", "[privileged]") {
    auto ts = open_or_fail();
    INFO("kernel sends struct taskstats version " << ts->kernel_version());
    CHECK(ts->kernel_version() >= 13);
    CHECK(ts->name() == "taskstats");

    const auto self = ts->query(gettid());
    REQUIRE(self);
    CHECK(self->pid == gettid());
    CHECK(self->tgid == getpid());
    CHECK(self->version == ts->kernel_version());
    CHECK(self->uid == getuid());
    CHECK(self->ppid == getppid());
    CHECK_FALSE(ts->query(no_such_tid));
}

TEST_CASE("taskstats live: CPU time, syscalls and faults of this thread, as /proc has them",
          "[privileged]") {
    auto ts = open_or_fail();
    const auto before = ts->query(gettid());
    REQUIRE(before);
    // Spin until the kernel has charged this thread 200 ms more CPU time (polling its own
    // counter: no fixed duration), with 1 000 reads of /proc/self/stat on the way.
    int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    char buf[512];
    std::optional<TaskstatsRecord> after;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
        if (i < 1000) (void)::pread(fd, buf, sizeof buf, 0);
        if (i % 1000 == 999) {
            after = ts->query(gettid());
            REQUIRE(after);
            if (after->utime_us + after->stime_us >= before->utime_us + before->stime_us + 200'000)
                break;
        }
    }
    REQUIRE(after);
    const std::uint64_t spent =
        after->utime_us + after->stime_us - before->utime_us - before->stime_us;
    INFO("CPU time " << spent << " us");
    CHECK(spent >= 200'000);
    // taskstats rounds the chars and syscall counts down to multiples of 1024 (the kernel's
    // KB_MASK), so vigil takes syscall counts from /proc only; the chars move by KiB.
    CHECK(after->read_char >= before->read_char + 1024);
    // The same thread's counters in /proc (ticks, so within a tick or two of the query).
    const std::string path = "/proc/self/task/" + std::to_string(gettid()) + "/stat";
    std::ifstream stat(path);
    std::string line;
    std::getline(stat, line);
    const std::string rest = line.substr(line.rfind(')') + 2);
    std::vector<std::string> f;
    for (std::size_t pos = 0; pos < rest.size();) {
        const std::size_t end = std::min(rest.find(' ', pos), rest.size());
        f.push_back(rest.substr(pos, end - pos));
        pos = end + 1;
    }
    REQUIRE(f.size() > 12);
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double proc_utime_s = std::stod(f[11]) / ticks;  // field 14
    const auto now = ts->query(gettid());
    REQUIRE(now);
    CHECK(static_cast<double>(now->utime_us) / 1e6 == Approx(proc_utime_s).margin(0.05));
    CHECK(now->minflt >= before->minflt);
    ::close(fd);
}

TEST_CASE("taskstats live: a child's O_DIRECT writes show in write_bytes", "[privileged]") {
    constexpr std::size_t chunk = 1 * mib;
    constexpr std::size_t total = 64 * mib;

    TempDir dir;
    std::string tmpl = "/var/tmp/vigil-taskstats-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()));
    dir.path = tmpl;
    {
        // tmpfs and some overlay setups refuse O_DIRECT; then there is nothing to measure.
        Fd probe{::open(dir.file().c_str(), O_WRONLY | O_CREAT | O_DIRECT, 0600)};
        if (probe.fd < 0 && errno == EINVAL) {
            WARN("O_DIRECT is not supported under /var/tmp; skipping the write test");
            return;
        }
        REQUIRE(probe.fd >= 0);
    }
    void* raw = nullptr;
    REQUIRE(posix_memalign(&raw, 4096, chunk) == 0);
    std::unique_ptr<void, void (*)(void*)> buf(raw, std::free);
    std::memset(buf.get(), 0x5a, chunk);

    auto ts = open_or_fail();
    DelayacctOn delayacct;  // before the fork: the child inherits accounting from birth

    const std::string path = dir.file();  // no allocation in the child after fork
    int go[2], done[2];
    REQUIRE(pipe(go) == 0);
    REQUIRE(pipe(done) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Child: only raw syscalls from here, and _exit, never back into Catch.
        char c;
        close(go[1]);
        close(done[0]);
        if (read(go[0], &c, 1) != 1) _exit(1);
        char status = 'd';
        int fd = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_TRUNC);
        if (fd < 0) status = 'o';
        for (std::size_t off = 0; fd >= 0 && status == 'd' && off < total; off += chunk)
            if (pwrite(fd, buf.get(), chunk, static_cast<off_t>(off)) !=
                static_cast<ssize_t>(chunk))
                status = 'w';
        if (fd >= 0 && fsync(fd) != 0) status = 's';
        if (write(done[1], &status, 1) != 1) _exit(2);
        // Stay alive until the parent has read our counters.
        if (read(go[0], &c, 1) < 0) _exit(3);
        _exit(0);
    }
    close(go[0]);
    close(done[1]);
    Fd go_w{go[1]}, done_r{done[0]};
    auto reap = [&] {
        if (go_w.fd >= 0) close(std::exchange(go_w.fd, -1));  // EOF lets the child exit
        int st = 0;
        waitpid(child, &st, 0);
        return st;
    };

    const auto before = ts->query(child);
    char status = 0;
    const bool started = write(go_w.fd, "g", 1) == 1;
    const bool finished = started && read(done_r.fd, &status, 1) == 1;
    const auto after = ts->query(child);
    const int exit_status = reap();

    REQUIRE(before);
    REQUIRE(finished);
    REQUIRE(status == 'd');
    CHECK(WIFEXITED(exit_status));
    REQUIRE(after);
    CHECK(after->pid == child);
    CHECK(after->tgid == child);
    INFO("write_bytes before " << before->write_bytes << ", after " << after->write_bytes);
    CHECK(after->write_bytes >= before->write_bytes + total);
    CHECK(after->write_char >= before->write_char + total);
    if (delayacct.enabled()) {
        INFO("blkio_delay_ns after " << after->blkio_delay_ns);
        CHECK(after->blkio_delay_ns > before->blkio_delay_ns);
    }
    // Reaped: the tid is gone and asking for it is a quiet miss.
    CHECK_FALSE(ts->query(child));
}

TEST_CASE("taskstats live: fill() covers every thread of this process", "[privileged]") {
    auto ts = open_or_fail();
    ThreadPark park(3);

    std::vector<TaskSample> tasks;
    for (pid_t tid : own_threads()) tasks.push_back(sample_for(tid));
    const std::size_t real = tasks.size();
    REQUIRE(real >= 4);
    tasks.push_back(sample_for(no_such_tid));

    REQUIRE_NOTHROW(ts->fill(tasks));
    for (std::size_t i = 0; i < real; ++i) {
        CAPTURE(tasks[i].tid);
        REQUIRE(tasks[i].io);
        CHECK(tasks[i].io->blkio_delay_ns.has_value());
        CHECK(tasks[i].io->swapin_delay_ns.has_value());
    }
    CHECK_FALSE(tasks.back().io);
}

TEST_CASE("taskstats live: 500 threads take several batches and all come back", "[privileged]") {
    auto ts = open_or_fail();
    ThreadPark park(500);

    // Exited tids sprinkled in between, so error replies share batches with stats replies.
    std::vector<TaskSample> tasks;
    for (std::size_t i = 0; i < park.tids().size(); ++i) {
        tasks.push_back(sample_for(park.tids()[i]));
        if (i % 97 == 0) tasks.push_back(sample_for(no_such_tid));
    }

    const auto t0 = std::chrono::steady_clock::now();
    ts->fill(tasks);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t0;
    INFO("fill() of " << tasks.size() << " tasks took " << took.count() << " ms");

    std::size_t filled = 0;
    for (const auto& t : tasks) {
        if (t.tid == no_such_tid) {
            CHECK_FALSE(t.io);
        } else {
            CAPTURE(t.tid);
            CHECK(t.io);
            filled += t.io.has_value();
        }
    }
    CHECK(filled == park.tids().size());

    // Again, to show a second pass through the reused buffers gives the same answer.
    for (auto& t : tasks) t.io.reset();
    ts->fill(tasks);
    CHECK(std::count_if(tasks.begin(), tasks.end(), [](const TaskSample& t) {
              return t.io.has_value();
          }) == static_cast<std::ptrdiff_t>(park.tids().size()));
}

namespace {

// Passes queries on and remembers which threads were asked about.
class CountingTaskstats final : public TaskstatsClient {
  public:
    explicit CountingTaskstats(TaskstatsClient& inner) : inner_(inner) {}
    void query(TaskstatsScope scope, std::span<const pid_t> ids,
               std::span<TaskstatsAnswer> out) override {
        if (scope == TaskstatsScope::thread) asked.insert(asked.end(), ids.begin(), ids.end());
        inner_.query(scope, ids, out);
    }
    bool was_asked(pid_t tid) const {
        return std::find(asked.begin(), asked.end(), tid) != asked.end();
    }
    std::vector<pid_t> asked;

  private:
    TaskstatsClient& inner_;
};

void* napper(void*) {
    const timespec ts{0, 2'000'000};
    for (;;) nanosleep(&ts, nullptr);
    return nullptr;
}

}  // namespace

TEST_CASE(
    "taskstats live: without thread activity, a process that only ran is not asked "
    "thread by thread, and one whose /proc/PID/io moved is",
    "[privileged]") {
    TempDir dir;
    std::string tmpl = "/var/tmp/vigil-sweep-io-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()));
    dir.path = tmpl;
    const std::string path = dir.file();

    auto ts = open_or_fail();
    CountingTaskstats counting(*ts);
    FsRoot proc("/proc");
    TaskSweep sweep(proc, counting);
    sweep.set_thread_activity(false);

    int go[2], done[2];
    REQUIRE(pipe(go) == 0);
    REQUIRE(pipe(done) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Child: two threads that wake every 2 ms (CPU, no I/O); the main thread writes
        // 1 MiB (buffered: write_bytes counts it as it is dirtied) when told.
        close(go[1]);
        close(done[0]);
        for (int i = 0; i < 2; ++i) {
            pthread_t t;
            if (pthread_create(&t, nullptr, napper, nullptr) != 0) _exit(1);
        }
        char c;
        if (read(go[0], &c, 1) != 1) _exit(2);
        static char block[64 * 1024];
        std::memset(block, 'v', sizeof block);
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char status = fd >= 0 ? 'd' : 'o';
        for (int i = 0; fd >= 0 && i < 16; ++i)
            if (write(fd, block, sizeof block) != static_cast<ssize_t>(sizeof block)) status = 'w';
        if (fd >= 0) close(fd);
        if (write(done[1], &status, 1) != 1) _exit(3);
        while (read(go[0], &c, 1) > 0) {
        }
        _exit(0);
    }
    close(go[0]);
    close(done[1]);
    Fd go_w{go[1]}, done_r{done[0]};
    struct Reap {
        pid_t pid;
        Fd& go;
        ~Reap() {
            if (go.fd >= 0) close(std::exchange(go.fd, -1));
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    } reap{child, go_w};

    std::vector<TaskSample> out;
    auto child_tids = [&] {
        std::vector<pid_t> tids;
        for (const TaskSample& t : out)
            if (t.tgid == child) tids.push_back(t.tid);
        return tids;
    };
    // Until its three threads are swept (and their process has an io baseline): a poll.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (int ready = 0; ready < 3 && std::chrono::steady_clock::now() < deadline;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        sweep.collect(out);
        ready = child_tids().size() == 3 ? ready + 1 : 0;
    }
    REQUIRE(child_tids().size() == 3);

    // It ran (its threads wake every 2 ms) but did no I/O: none of its threads is asked.
    counting.asked.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sweep.collect(out);
    for (pid_t tid : child_tids()) CHECK_FALSE(counting.was_asked(tid));
    CHECK(sweep.last_stats().io_skipped >= 1);
    for (const TaskSample& t : out)
        if (t.tgid == child) CHECK_FALSE(t.activity);  // not kept: unknown

    // Its I/O moved: every thread of it is asked, and the writer's bytes are there.
    char status = 0;
    REQUIRE(write(go_w.fd, "w", 1) == 1);
    REQUIRE(read(done_r.fd, &status, 1) == 1);
    REQUIRE(status == 'd');
    counting.asked.clear();
    sweep.collect(out);
    REQUIRE(child_tids().size() == 3);
    for (pid_t tid : child_tids()) CHECK(counting.was_asked(tid));
    for (const TaskSample& t : out) {
        if (t.tid != child) continue;
        REQUIRE(t.io);
        CHECK(t.io->write_bytes >= 1 * mib);
    }
}
