// pty_run: runs a full-screen program on a pseudo-terminal, as a user at a terminal would,
// and prints figures about it on one line:
//
//   first_frame_ms=<> cpu_ms=<> window_s=<> core_pct=<> maxrss_kib=<>
//
//   pty_run [--cols N] [--rows N] [--marker TEXT] [--settle S] [--for S] -- COMMAND [ARGS...]
//
// first_frame_ms: wall time from fork (just before exec) to the last byte of the first
// frame: the burst of output in which TEXT (default "COMMAND", the title of the task table's
// last column) first appears, ended by 30 ms without output. -1 if TEXT never appears.
// With --for S the program then keeps running, its output drained, for --settle seconds (not
// counted) and then S seconds, over which cpu_ms is its CPU time (every thread; from
// /proc/PID/task/*/schedstat, in ns) and core_pct that as a share of one core. Then 'q' is
// typed, and the program is killed if it has not left within a second. maxrss_kib is its
// peak RSS (wait4). Used by bench/run.sh for the first frame and idle CPU of the curses view.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// On-CPU nanoseconds of every thread of pid so far (the first field of schedstat).
double cpu_ns(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR* d = opendir(path);
    if (!d) return -1;
    double total = 0;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char file[320];
        std::snprintf(file, sizeof file, "/proc/%d/task/%s/schedstat", pid, e->d_name);
        if (FILE* f = std::fopen(file, "r")) {
            unsigned long long ns = 0;
            if (std::fscanf(f, "%llu", &ns) == 1) total += static_cast<double>(ns);
            std::fclose(f);
        }
    }
    closedir(d);
    return total;
}

// Reads what is available on fd within timeout_ms; false at EOF or error.
bool drain(int fd, int timeout_ms, std::string* keep, double* last_ms) {
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR;
    if (r == 0) return true;
    char buf[1 << 15];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return n < 0 && errno == EINTR;
    if (last_ms) *last_ms = now_ms();
    if (keep) keep->append(buf, static_cast<std::size_t>(n));
    return true;
}

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: pty_run [--cols N] [--rows N] [--marker TEXT] [--settle S] [--for S] "
                 "-- COMMAND [ARGS...]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    winsize ws{};
    ws.ws_col = 160;
    ws.ws_row = 50;
    std::string marker = "COMMAND";
    double run_s = 0, settle_s = 5;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (i + 1 >= argc) usage();
        if (a == "--cols")
            ws.ws_col = static_cast<unsigned short>(std::atoi(argv[++i]));
        else if (a == "--rows")
            ws.ws_row = static_cast<unsigned short>(std::atoi(argv[++i]));
        else if (a == "--marker")
            marker = argv[++i];
        else if (a == "--settle")
            settle_s = std::atof(argv[++i]);
        else if (a == "--for")
            run_s = std::atof(argv[++i]);
        else
            usage();
    }
    if (i >= argc) usage();

    setenv("TERM", "xterm-256color", 0);
    int master = -1;
    const double start = now_ms();
    const pid_t child = forkpty(&master, nullptr, nullptr, &ws);
    if (child < 0) {
        std::perror("pty_run: forkpty");
        return 1;
    }
    if (child == 0) {
        execvp(argv[i], argv + i);
        std::perror("pty_run: exec");
        _exit(127);
    }

    // The first frame: the burst that shows the marker, until 30 ms of silence.
    std::string seen;
    double last = -1, frame = -1;
    bool open = true;
    while (open && frame < 0 && now_ms() - start < 10'000) {
        open = drain(master, 100, &seen, &last);
        if (seen.find(marker) != std::string::npos) {
            while (open) {
                const double before = last;
                open = drain(master, 30, nullptr, &last);
                if (last == before) break;
            }
            frame = last - start;
        } else if (seen.size() > marker.size()) {
            seen.erase(0, seen.size() - marker.size());
        }
    }

    double cpu_ms = -1, window_s = 0;
    if (run_s > 0 && open) {
        const double settle_end = now_ms() + settle_s * 1e3;
        while (open && now_ms() < settle_end) open = drain(master, 100, nullptr, nullptr);
        const double c0 = cpu_ns(child), t0 = now_ms();
        const double end = t0 + run_s * 1e3;
        while (open && now_ms() < end) open = drain(master, 100, nullptr, nullptr);
        const double c1 = cpu_ns(child), t1 = now_ms();
        if (c0 >= 0 && c1 >= 0) cpu_ms = (c1 - c0) * 1e-6;
        window_s = (t1 - t0) * 1e-3;
    }

    if (write(master, "q", 1) != 1) {
    }
    int status = 0;
    rusage ru{};
    const double deadline = now_ms() + 1000;
    pid_t got = 0;
    while ((got = wait4(child, &status, WNOHANG, &ru)) == 0 && now_ms() < deadline)
        drain(master, 20, nullptr, nullptr);
    if (got == 0) {
        kill(child, SIGKILL);
        wait4(child, &status, 0, &ru);
    }
    close(master);
    std::printf("first_frame_ms=%.2f cpu_ms=%.3f window_s=%.2f core_pct=%.4f maxrss_kib=%ld\n",
                frame, cpu_ms, window_s, window_s > 0 ? 100.0 * cpu_ms / (window_s * 1e3) : -1.0,
                ru.ru_maxrss);
    return frame < 0 ? 1 : 0;
}
