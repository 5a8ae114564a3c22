// bench_cgroups: what one sample of the cgroup walk (CgroupCollector::collect) costs on
// this machine's real cgroup v2 hierarchy, with N extra groups made for the run.
//
//   bench_cgroups [-n SAMPLES] [-d SECONDS] [--groups N[,N...]] [--tasks K]
//
// For each N (default 0,700,2000) it makes N empty groups under
// vigilbench-PID/sliceI/gJ (100 leaves a slice, like services under system.slice) in the
// v2 root (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid machine), optionally
// moves K sleeping processes into the first K leaves, takes SAMPLES samples -d apart and
// prints the CPU and wall milliseconds per sample, the groups walked and the descriptors
// kept. The groups are removed afterwards (and on SIGINT/SIGTERM). Root only.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_clock.hpp"
#include "vigil/collect/cgroup_collector.hpp"
#include "vigil/collect/fs_root.hpp"

using namespace vigil;
using bench::thread_cpu_ms;
using bench::wall_ms;

namespace {

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: bench_cgroups [-n SAMPLES] [-d SECONDS] [--groups N[,N...]] [--tasks "
                 "K]\n");
    std::exit(2);
}

std::string g_top;                // vigilbench-PID under the v2 root, to remove
std::vector<std::string> g_dirs;  // made, in creation order
std::vector<pid_t> g_sleepers;

void cleanup() {
    for (pid_t p : g_sleepers) ::kill(p, SIGKILL);
    for (pid_t p : g_sleepers) ::waitpid(p, nullptr, 0);
    g_sleepers.clear();
    for (auto it = g_dirs.rbegin(); it != g_dirs.rend(); ++it) ::rmdir(it->c_str());
    g_dirs.clear();
}

void on_signal(int) {
    cleanup();
    std::_Exit(1);
}

bool make_dir(const std::string& d) {
    if (::mkdir(d.c_str(), 0755) != 0) {
        std::fprintf(stderr, "bench_cgroups: mkdir %s: %s\n", d.c_str(), std::strerror(errno));
        return false;
    }
    g_dirs.push_back(d);
    return true;
}

bool make_groups(const std::string& top, std::size_t n, std::vector<std::string>& leaves) {
    if (!make_dir(top)) return false;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string slice = top + "/slice" + std::to_string(i / 100);
        if (i % 100 == 0 && !make_dir(slice)) return false;
        const std::string leaf = slice + "/g" + std::to_string(i);
        if (!make_dir(leaf)) return false;
        leaves.push_back(leaf);
    }
    return true;
}

bool add_sleeper(const std::string& group) {
    const pid_t p = ::fork();
    if (p < 0) return false;
    if (p == 0) {
        for (;;) ::pause();
    }
    g_sleepers.push_back(p);
    FILE* f = std::fopen((group + "/cgroup.procs").c_str(), "w");
    if (!f) return false;
    const bool ok = std::fprintf(f, "%d\n", static_cast<int>(p)) > 0;
    return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
    long samples = 20;
    double delay_s = 0.05;
    std::size_t tasks = 0;
    std::vector<std::size_t> counts{0, 700, 2000};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) usage();
            return std::string(argv[++i]);
        };
        if (a == "-n") {
            samples = std::atol(value().c_str());
        } else if (a == "-d") {
            delay_s = std::atof(value().c_str());
        } else if (a == "--tasks") {
            tasks = static_cast<std::size_t>(std::atol(value().c_str()));
        } else if (a == "--groups") {
            counts.clear();
            std::string v = value();
            for (std::size_t p = 0; p <= v.size();) {
                std::size_t c = v.find(',', p);
                if (c == std::string::npos) c = v.size();
                counts.push_back(static_cast<std::size_t>(std::atol(v.substr(p, c - p).c_str())));
                p = c + 1;
            }
        } else {
            usage();
        }
    }
    if (samples < 1 || delay_s < 0) usage();
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_cgroups: needs root (mkdir in the cgroup hierarchy)\n");
        return 77;
    }
    std::string v2;
    for (const char* d : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
        if (::access((std::string(d) + "/cgroup.controllers").c_str(), F_OK) == 0) {
            v2 = d;
            break;
        }
    }
    if (v2.empty()) {
        std::fprintf(stderr, "bench_cgroups: no cgroup v2 hierarchy mounted\n");
        return 77;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    g_top = v2 + "/vigilbench-" + std::to_string(::getpid());

    std::printf("hierarchy %s, %ld samples %.3g s apart\n", v2.c_str(), samples, delay_s);
    int rc = 0;
    for (std::size_t n : counts) {
        std::vector<std::string> leaves;
        if (n > 0 && !make_groups(g_top, n, leaves)) {
            rc = 1;
            cleanup();
            break;
        }
        for (std::size_t k = 0; k < tasks && k < leaves.size(); ++k)
            if (!add_sleeper(leaves[k])) {
                std::fprintf(stderr, "bench_cgroups: cannot move a sleeper into %s\n",
                             leaves[k].c_str());
                rc = 1;
            }
        FsRoot sys("/sys");
        CgroupCollector c(sys);
        MachineSample m;
        c.collect(m);  // the first sample opens everything: not counted
        double cpu = 0, wall = 0, worst = 0;
        double next = wall_ms();
        for (long i = 0; i < samples; ++i) {
            next += delay_s * 1e3;
            const double wait_ms = next - wall_ms();
            if (wait_ms > 0) {
                timespec ts{static_cast<time_t>(wait_ms / 1e3),
                            static_cast<long>(std::fmod(wait_ms, 1e3) * 1e6)};
                nanosleep(&ts, nullptr);
            }
            const double c0 = thread_cpu_ms(), w0 = wall_ms();
            c.collect(m);
            const double dc = thread_cpu_ms() - c0;
            cpu += dc;
            wall += wall_ms() - w0;
            if (dc > worst) worst = dc;
        }
        const double k = static_cast<double>(samples);
        std::printf(
            "extra groups %5zu: walked %5zu, %7.3f ms CPU/sample (worst %.3f), %7.3f ms "
            "wall/sample, %5.1f us CPU/group, %zu fds kept, %zu carried over\n",
            n, m.cgroups.size(), cpu / k, worst, wall / k,
            cpu / k * 1e3 / static_cast<double>(std::max<std::size_t>(m.cgroups.size(), 1)),
            c.kept_fds(), c.carried_groups());
        std::fflush(stdout);
        cleanup();
    }
    return rc;
}
