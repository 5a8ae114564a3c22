// measure: runs a command with its standard output on a pipe that it drains, and prints
// one line of figures about the child:
//
//   cpu_ms=<user+system> user_ms=<> sys_ms=<> maxrss_kib=<> first_output_ms=<> wall_ms=<>
//
// CPU times and the peak RSS (the kernel's VmHWM) come from wait4()'s rusage, in
// microseconds rather than the clock ticks /proc/PID/stat has. first_output_ms is the wall
// time from fork to the first byte the child writes (-1 if it writes nothing). The child's
// standard error goes to ours.
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace {

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double tv_ms(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) * 1e-3;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: measure COMMAND [ARGS...]\n");
        return 2;
    }
    int out[2];
    if (pipe(out) != 0) return 1;
    const double start = now_ms();
    const pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execvp(argv[1], argv + 1);
        std::perror("measure: exec");
        _exit(127);
    }
    close(out[1]);
    double first = -1;
    static char buf[1 << 16];
    for (;;) {
        const ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0 && first < 0) first = now_ms() - start;
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    close(out[0]);
    int status = 0;
    rusage ru{};
    while (wait4(child, &status, 0, &ru) < 0) {
        if (errno != EINTR) return 1;
    }
    const double wall = now_ms() - start;
    const double user = tv_ms(ru.ru_utime), sys = tv_ms(ru.ru_stime);
    std::printf(
        "cpu_ms=%.3f user_ms=%.3f sys_ms=%.3f maxrss_kib=%ld first_output_ms=%.2f "
        "wall_ms=%.1f\n",
        user + sys, user, sys, ru.ru_maxrss, first, wall);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
