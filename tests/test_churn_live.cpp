// Churn: while the Sampler sweeps over and over, threads living 1-20 ms come and go in this
// process and in a child, and another child forks and execs short-lived programs. Every task
// records when it was surely alive; afterwards each sweep is checked: no task alive from
// before the sweep began until after it ended may be missing, no tid may appear twice, and
// a task found must carry its own process id.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "vigil/app/sampler.hpp"
#include "vigil/collect/netlink/netlink_taskstats.hpp"
#include "vigil/collect/proc_pid_io.hpp"

using namespace vigil;

namespace {

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void sleep_ns(std::int64_t ns) {
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    nanosleep(&ts, nullptr);
}

// When a task was surely alive: from `from` to `until` (CLOCK_MONOTONIC ns; until 0: still
// alive when the sweeps stopped). Lives in shared memory, written by whichever process
// watches the task.
struct Life {
    std::atomic<std::int32_t> tid{0};
    std::atomic<std::int32_t> tgid{0};
    std::atomic<std::int64_t> from{0};
    std::atomic<std::int64_t> until{0};
};

// A fixed array of Life in an anonymous shared mapping, so forked children can fill it,
// with the flag that tells the children to stop.
class LifeLog {
  public:
    explicit LifeLog(std::size_t capacity) : capacity_(capacity) {
        bytes_ = sizeof(Header) + capacity * sizeof(Life);
        void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        base_ = p;
        header_ = new (p) Header;
        lives_ = reinterpret_cast<Life*>(static_cast<char*>(p) + sizeof(Header));
        for (std::size_t i = 0; i < capacity; ++i) new (&lives_[i]) Life;
    }
    ~LifeLog() { munmap(base_, bytes_); }
    LifeLog(const LifeLog&) = delete;
    LifeLog& operator=(const LifeLog&) = delete;

    // A slot for a new task, or null when the log is full (the task is then not checked).
    Life* add(pid_t tid, pid_t tgid, std::int64_t from) {
        const std::size_t i = header_->used.fetch_add(1);
        if (i >= capacity_) return nullptr;
        Life& l = lives_[i];
        l.tid = tid;
        l.tgid = tgid;
        l.from = from;
        return &l;
    }
    std::size_t size() const { return std::min(header_->used.load(), capacity_); }
    const Life& operator[](std::size_t i) const { return lives_[i]; }
    // Shared with the children: set once the sweeps are over.
    std::atomic<bool>& children_stop() { return header_->children_stop; }

  private:
    struct Header {
        std::atomic<std::size_t> used{0};
        std::atomic<bool> children_stop{false};
    };
    void* base_ = nullptr;
    std::size_t bytes_ = 0;
    std::size_t capacity_;
    Header* header_ = nullptr;
    Life* lives_ = nullptr;
};

struct ShortThreadArgs {
    LifeLog* log;
    std::atomic<int>* alive;
    std::int64_t life_ns;
};

void* short_thread(void* p) {
    std::unique_ptr<ShortThreadArgs> a(static_cast<ShortThreadArgs*>(p));
    Life* life = a->log->add(gettid(), getpid(), now_ns());
    sleep_ns(a->life_ns);
    if (life) life->until = now_ns();
    a->alive->fetch_sub(1);
    return nullptr;
}

// Keeps about `width` threads of 1-20 ms alive until stop is set, then waits for them.
void spawn_short_threads(LifeLog& log, const std::atomic<bool>& stop, int width, unsigned seed) {
    std::atomic<int> alive{0};
    std::mt19937 rng(seed);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    while (!stop.load()) {
        if (alive.load() >= width) {
            sleep_ns(200'000);
            continue;
        }
        auto* args = new ShortThreadArgs{&log, &alive,
                                         1'000'000 + static_cast<std::int64_t>(rng() % 19'000'000)};
        alive.fetch_add(1);
        pthread_t t;
        if (pthread_create(&t, &attr, short_thread, args) != 0) {
            alive.fetch_sub(1);
            delete args;
            sleep_ns(1'000'000);
        }
    }
    pthread_attr_destroy(&attr);
    while (alive.load() > 0) sleep_ns(1'000'000);
}

// Forks and execs `cat` on a pipe over and over, each living 1-20 ms: alive at least from
// fork() returning until its pipe is closed.
void fork_exec_loop(LifeLog& log, const std::atomic<bool>& stop, unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load()) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) return;
        const pid_t pid = fork();
        if (pid == 0) {
            dup2(p[0], STDIN_FILENO);
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) dup2(null, STDOUT_FILENO);
            execl("/bin/cat", "cat", static_cast<char*>(nullptr));
            _exit(127);
        }
        close(p[0]);
        if (pid < 0) {
            close(p[1]);
            return;
        }
        Life* life = log.add(pid, pid, now_ns());
        sleep_ns(1'000'000 + static_cast<std::int64_t>(rng() % 19'000'000));
        if (life) life->until = now_ns();
        close(p[1]);
        waitpid(pid, nullptr, 0);
    }
}

// A child process running f(stop) until `stop` (in shared memory) is set; stop() sets it
// and reaps the child.
class ChurnChild {
  public:
    template <typename F>
    ChurnChild(std::atomic<bool>& stop, F f) : stop_(stop) {
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            f(stop_);
            _exit(0);
        }
    }
    ~ChurnChild() { stop(); }
    void stop() {
        if (pid_ <= 0) return;
        stop_ = true;
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

  private:
    std::atomic<bool>& stop_;
    pid_t pid_ = -1;
};

struct Sweep {
    std::int64_t began, ended;
    std::vector<std::pair<pid_t, pid_t>> tasks;  // (tid, tgid), as listed
    std::string what;                            // what the sweep did, for a failure
};

void run_churn(std::unique_ptr<TaskIoSource> io, double seconds) {
    Roots roots;
    Sampler sampler(roots, std::move(io), true);
    LifeLog log(400'000);
    std::atomic<bool> stop{false};
    // The children are forked first, while this process has no other threads.
    ChurnChild threads_child(log.children_stop(), [&](const std::atomic<bool>& s) {
        spawn_short_threads(log, s, 12, 2);
    });
    ChurnChild exec_child(log.children_stop(),
                          [&](const std::atomic<bool>& s) { fork_exec_loop(log, s, 3); });

    // Long-lived threads too: they must be in every sweep.
    std::vector<std::thread> steady;
    std::atomic<int> steady_up{0};
    for (int i = 0; i < 20; ++i)
        steady.emplace_back([&] {
            Life* l = log.add(gettid(), getpid(), now_ns());
            steady_up.fetch_add(1);
            while (!stop.load()) sleep_ns(5'000'000);
            if (l) l->until = now_ns();
        });
    while (steady_up.load() < 20) sleep_ns(1'000'000);

    std::thread local([&] { spawn_short_threads(log, stop, 12, 1); });

    std::vector<Sweep> sweeps;
    std::mt19937 rng(4);
    Snapshot snap;
    // At least `seconds`, and on past it (up to four times as long) until 60 sweeps are in:
    // a loaded machine or a sanitizer build sweeps more slowly, and the checks below need
    // enough sweeps to mean something.
    const std::int64_t start = now_ns();
    const std::int64_t end = start + static_cast<std::int64_t>(seconds * 1e9);
    const std::int64_t hard_end = start + static_cast<std::int64_t>(4 * seconds * 1e9);
    for (std::int64_t t = now_ns(); t < end || (sweeps.size() < 60 && t < hard_end); t = now_ns()) {
        Sweep& s = sweeps.emplace_back();
        s.began = now_ns();
        sampler.sample(snap);
        s.ended = now_ns();
        s.tasks.reserve(snap.tasks.size());
        for (const TaskSample& t : snap.tasks) s.tasks.emplace_back(t.tid, t.tgid);
        if (const TaskSweep::Stats* st = sampler.sweep_stats()) {
            s.what = std::to_string(st->processes) + " processes, " + std::to_string(st->listings) +
                     " listings" + (st->root_listed ? " (and the root), " : ", ") +
                     std::to_string(st->thread_queries) + " thread and " +
                     std::to_string(st->process_queries) + " process queries";
        }
        sleep_ns(static_cast<std::int64_t>(rng() % 5'000'000));
    }
    stop = true;
    local.join();
    threads_child.stop();
    exec_child.stop();
    for (auto& t : steady) t.join();

    // Checked after every task has stopped, so each `until` written during the sweeps is in.
    std::size_t checked = 0, duplicates = 0, unsorted = 0, missing = 0, wrong_tgid = 0;
    for (const Sweep& s : sweeps) {
        for (std::size_t i = 1; i < s.tasks.size(); ++i) {
            if (s.tasks[i].first == s.tasks[i - 1].first) ++duplicates;
            if (s.tasks[i].first < s.tasks[i - 1].first) ++unsorted;
        }
    }
    for (std::size_t i = 0; i < log.size(); ++i) {
        const Life& l = log[i];
        const pid_t tid = l.tid.load();
        const std::int64_t from = l.from.load(), until = l.until.load();
        if (tid == 0 || from == 0 || until == 0) continue;  // slot half-written: not checked
        for (const Sweep& s : sweeps) {
            if (from > s.began || until < s.ended) continue;  // not alive through this sweep
            ++checked;
            auto it =
                std::lower_bound(s.tasks.begin(), s.tasks.end(), std::make_pair(tid, pid_t{0}));
            if (it == s.tasks.end() || it->first != tid) {
                if (++missing <= 5)
                    WARN("tid " << tid << " of process " << l.tgid.load() << " (this test: "
                                << getpid() << ") alive from " << (s.began - from) / 1000
                                << " us before the sweep to " << (until - s.ended) / 1000
                                << " us after it, but missing; the sweep: " << s.what);
            } else if (it->second != l.tgid.load()) {
                if (++wrong_tgid <= 5)
                    WARN("tid " << tid << " listed under process " << it->second);
            }
        }
    }
    INFO(sweeps.size() << " sweeps, " << log.size() << " tasks logged, " << checked
                       << " (task, sweep) pairs checked");
    CHECK(sweeps.size() > 50);
    CHECK(log.size() > 500);
    CHECK(checked > 1000);
    CHECK(duplicates == 0);
    CHECK(unsorted == 0);
    CHECK(missing == 0);
    CHECK(wrong_tgid == 0);
}

}  // namespace

TEST_CASE("churn: taskstats sweeps miss no task alive through them", "[live][churn][privileged]") {
    auto nl = NetlinkTaskstats::open();
    REQUIRE(nl);
    run_churn(std::move(nl).value(), 5.0);
}

TEST_CASE("churn: /proc sweeps miss no task alive through them", "[live][churn]") {
    Roots roots;
    run_churn(std::make_unique<ProcPidIo>(roots.proc), 3.0);
}
