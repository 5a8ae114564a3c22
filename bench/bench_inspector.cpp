// bench_inspector: what the view's inspector pane costs to lay out at each refresh, apart
// from reading the process. A process with many open files (a synthetic one with --fds N,
// or a real one with --pid PID, read once by inspect_process) is refreshed -n times, as the
// controller does (InspectorPane::update with a new read whose counters moved); prints the
// calling thread's CPU milliseconds for the first layout (open_on) and per refresh. With
// --pid it also times the read itself (inspect_process), with and without the threads'
// /proc files (the view's pane reads it without: its Threads section is the task table's).
//
//   bench_inspector [-n REFRESHES] [--fds N] [--pid PID]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_clock.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/process_inspector.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/ui/inspector_pane.hpp"

using namespace vigil;
using bench::thread_cpu_ms;

namespace {

[[noreturn]] void usage() {
    std::fprintf(stderr, "usage: bench_inspector [-n REFRESHES] [--fds N] [--pid PID]\n");
    std::exit(2);
}

// A server-like process: files, pipes and sockets, an environment, limits.
ProcessInfo synthetic(std::size_t fds) {
    ProcessInfo p;
    p.identity.pid = 4242;
    p.identity.name = "server";
    p.identity.cmdline = "/usr/sbin/server --config /etc/server/server.conf --workers 16";
    p.identity.cwd = "/var/lib/server";
    p.identity.exe = "/usr/sbin/server";
    p.identity.start_since_boot_s = 100.0;
    p.identity.age_s = 1000.0;
    p.identity.status.any_read = true;
    p.cpu.state = 'S';
    p.cpu.user_s = 10.0;
    p.cpu.system_s = 5.0;
    p.cpu.status.any_read = true;
    p.memory.rss_bytes = 512u << 20;
    p.memory.status.any_read = true;
    p.io.read_bytes = 1u << 20;
    p.io.write_bytes = 1u << 20;
    p.io.rchar = 1u << 22;
    p.io.wchar = 1u << 22;
    p.io.status.any_read = true;
    for (int i = 0; i < 16; ++i)
        p.limits.limits.push_back(Limit{"Max limit " + std::to_string(i),
                                        "limit" + std::to_string(i),
                                        LimitValue{false, 1024},
                                        LimitValue{true, 0},
                                        "files",
                                        {}});
    p.limits.status.any_read = true;
    for (std::size_t fd = 0; fd < fds; ++fd) {
        OpenFile f;
        f.fd = static_cast<int>(fd);
        switch (fd % 3) {
            case 0:
                f.type = "file";
                f.target = "/var/lib/server/data/segment-" + std::to_string(fd) + ".log";
                break;
            case 1:
                f.type = "socket";
                f.inode = 100000 + fd;
                f.target = "socket:[" + std::to_string(*f.inode) + "]";
                f.socket = SocketInfo{"tcp", "10.0.0.1:8080", "10.0.3.7:" + std::to_string(fd),
                                      "ESTABLISHED"};
                break;
            default:
                f.type = "pipe";
                f.inode = 200000 + fd;
                f.target = "pipe:[" + std::to_string(*f.inode) + "]";
        }
        p.files.fds.push_back(std::move(f));
    }
    p.files.count = fds;
    p.files.status.any_read = true;
    for (int i = 0; i < 40; ++i)
        p.environment.vars.emplace_back("VAR_" + std::to_string(i), "value-" + std::to_string(i));
    p.environment.status.any_read = true;
    return p;
}

// The next read of the same process: its clocks and counters moved, nothing else.
void advance(ProcessInfo& p) {
    if (p.identity.age_s) *p.identity.age_s += 0.5;
    if (p.cpu.user_s) *p.cpu.user_s += 0.1;
    if (p.cpu.system_s) *p.cpu.system_s += 0.05;
    if (p.io.rchar) *p.io.rchar += 4096;
    if (p.io.wchar) *p.io.wchar += 4096;
}

}  // namespace

int main(int argc, char** argv) {
    long refreshes = 200;
    std::size_t fds = 4000;
    long pid = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) usage();
            return std::string(argv[++i]);
        };
        if (a == "-n")
            refreshes = std::atol(value().c_str());
        else if (a == "--fds")
            fds = static_cast<std::size_t>(std::atol(value().c_str()));
        else if (a == "--pid")
            pid = std::atol(value().c_str());
        else
            usage();
    }
    if (refreshes < 1) usage();

    ProcessInfo base;
    if (pid > 0) {
        FsRoot proc("/proc");
        UserNames users;
        const InspectContext ctx{proc, true, system_clock(), users};
        auto info = inspect_process(ctx, static_cast<pid_t>(pid));
        if (!info) {
            std::fprintf(stderr, "bench_inspector: %s\n", info.error().message.c_str());
            return 1;
        }
        base = std::move(*info);
        for (bool threads : {true, false}) {
            const InspectContext rc{proc, true, system_clock(), users, threads};
            const double r0 = thread_cpu_ms();
            for (long i = 0; i < refreshes; ++i) (void)inspect_process(rc, static_cast<pid_t>(pid));
            std::printf("read (inspect_process%s), mean of %ld: %.3f ms CPU\n",
                        threads ? "" : ", threads not read", refreshes,
                        (thread_cpu_ms() - r0) / static_cast<double>(refreshes));
        }
    } else {
        base = synthetic(fds);
    }

    InspectorPane pane;
    double t0 = thread_cpu_ms();
    pane.open_on(base.identity.pid, std::nullopt, base, 0.0);
    const double open_ms = thread_cpu_ms() - t0;

    // The reads are made before the clock starts: only the pane's work is timed.
    std::vector<ProcessInfo> reads;
    reads.reserve(static_cast<std::size_t>(refreshes));
    for (long i = 0; i < refreshes; ++i) {
        advance(base);
        reads.push_back(base);
    }
    t0 = thread_cpu_ms();
    for (long i = 0; i < refreshes; ++i)
        pane.update(std::move(reads[static_cast<std::size_t>(i)]),
                    0.5 * static_cast<double>(i + 1));
    const double per_refresh = (thread_cpu_ms() - t0) / static_cast<double>(refreshes);

    std::printf("process: %s, %zu open files listed, %zu lines\n", pid > 0 ? "real" : "synthetic",
                pane.info->files.fds.size(), pane.lines.size());
    std::printf("first layout (open_on): %.3f ms CPU\n", open_ms);
    std::printf("per refresh (update), mean of %ld: %.3f ms CPU\n", refreshes, per_refresh);
    return 0;
}
