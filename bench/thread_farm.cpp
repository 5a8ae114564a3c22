// thread_farm: P processes of T sleeping threads each (T counts the main thread), the load
// the benchmark measures monitors against. Prints "ready" and the children's PIDs on one
// line once every thread exists, then waits until stdin reaches EOF (or SIGTERM/SIGINT) and
// takes the farm down. Children die with it (PR_SET_PDEATHSIG), so a killed benchmark
// leaves nothing behind.
//
//   thread_farm PROCESSES THREADS_PER_PROCESS [WAKE_MS]
//
// With WAKE_MS every thread wakes up once per WAKE_MS milliseconds (at a random phase) and
// sleeps again: every process is then active in every refresh, the worst case for a monitor
// that skips processes whose threads did not run.
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

// Small stacks: 10 000 threads at the default 8 MiB would reserve 80 GiB of address space.
constexpr std::size_t stack_bytes = 64 * 1024;

struct SleeperArgs {
    long wake_ms;  // 0: sleep for ever
    unsigned seed;
};

void* sleeper(void* arg) {
    auto* a = static_cast<SleeperArgs*>(arg);
    const long wake_ms = a->wake_ms;
    if (wake_ms <= 0) {
        for (;;) pause();
    }
    // A random first delay spreads the wake-ups over the period.
    long first_us = static_cast<long>(rand_r(&a->seed) % static_cast<unsigned>(wake_ms * 1000));
    timespec ts{first_us / 1000000, (first_us % 1000000) * 1000};
    nanosleep(&ts, nullptr);
    const timespec period{wake_ms / 1000, (wake_ms % 1000) * 1000000};
    for (;;) nanosleep(&period, nullptr);
    return nullptr;
}

[[noreturn]] void child(int threads, long wake_ms, int ready_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    // Lives as long as the threads: this function never returns.
    std::vector<SleeperArgs> args(static_cast<std::size_t>(threads));
    for (int i = 1; i < threads; ++i) {
        pthread_t t;
        SleeperArgs& a = args[static_cast<std::size_t>(i)];
        a = SleeperArgs{wake_ms, static_cast<unsigned>(getpid() * 7919 + i)};
        if (int rc = pthread_create(&t, &attr, sleeper, &a); rc != 0) {
            std::fprintf(stderr, "thread_farm: pthread_create: %s\n", std::strerror(rc));
            _exit(1);
        }
    }
    char c = 'r';
    if (write(ready_fd, &c, 1) != 1) _exit(1);
    close(ready_fd);
    for (;;) pause();
}

volatile sig_atomic_t stop = 0;
void on_signal(int) {
    stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: thread_farm PROCESSES THREADS_PER_PROCESS [WAKE_MS]\n");
        return 2;
    }
    const int procs = std::atoi(argv[1]);
    const int threads = std::atoi(argv[2]);
    const long wake_ms = argc == 4 ? std::atol(argv[3]) : 0;
    if (procs < 1 || threads < 1) {
        std::fprintf(stderr, "thread_farm: PROCESSES and THREADS_PER_PROCESS must be >= 1\n");
        return 2;
    }
    int ready[2];
    if (pipe(ready) != 0) return 1;
    std::vector<pid_t> kids;
    for (int p = 0; p < procs; ++p) {
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("thread_farm: fork");
            break;
        }
        if (pid == 0) {
            close(ready[0]);
            child(threads, wake_ms, ready[1]);
        }
        kids.push_back(pid);
    }
    close(ready[1]);
    std::size_t up = 0;
    char c;
    while (up < kids.size() && read(ready[0], &c, 1) == 1) ++up;
    close(ready[0]);
    const bool ok = up == kids.size() && static_cast<int>(kids.size()) == procs;

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    if (ok) {
        std::string line = "ready";
        for (pid_t k : kids) line += " " + std::to_string(k);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        // Wait for the benchmark to close our stdin (or signal us).
        while (!stop && read(STDIN_FILENO, &c, 1) > 0) {
        }
    }
    for (pid_t k : kids) kill(k, SIGKILL);
    for (pid_t k : kids) waitpid(k, nullptr, 0);
    return ok ? 0 : 1;
}
