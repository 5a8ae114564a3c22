// bench_sampler: times vigil's sampling pipeline in-process, phase by phase: the sample
// (LiveSource::sample), the frame (Pipeline::advance), the table (Pipeline::tasks: rank,
// fetch the details of every row shown, make the rows) and the batch text writer, as
// `vigil -b` runs them. Prints CPU milliseconds per refresh for each phase (the
// calling thread's CPU time, user + system), the sweep's own counters and the peak RSS.
//
//   bench_sampler [-n REFRESHES] [-d SECONDS] [-P] [--proc-io] [--rows N] [--no-text] [--tree]
//
// -P measures the per-process view, --proc-io forces the unprivileged /proc/PID/task/TID/io
// fallback, --rows N keeps only the first N rows (a screenful) instead of all of them,
// --tree orders the rows as the process tree (--tree).
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <string>

#include "bench_clock.hpp"
#include "vigil/app/app.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/app/source.hpp"
#include "vigil/collect/netlink/netlink_taskstats.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/ui/batch/text_writer.hpp"

using namespace vigil;
using bench::thread_cpu_ms;
using bench::wall_ms;

namespace {

// VmHWM of this process in KiB, 0 if unreadable.
long peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: bench_sampler [-n REFRESHES] [-d SECONDS] [-P] [--proc-io] [--rows N] "
                 "[--no-text] [--tree]\n");
    std::exit(2);
}

struct Phase {
    const char* name;
    double cpu_ms = 0;
};

}  // namespace

int main(int argc, char** argv) {
    long refreshes = 10;
    double delay_s = 0.1;
    bool processes = false, proc_io = false, text = true, tree = false;
    std::size_t rows = std::numeric_limits<std::size_t>::max();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) usage();
            return std::string(argv[++i]);
        };
        if (a == "-n")
            refreshes = std::atol(value().c_str());
        else if (a == "-d")
            delay_s = std::atof(value().c_str());
        else if (a == "-P")
            processes = true;
        else if (a == "--proc-io")
            proc_io = true;
        else if (a == "--rows")
            rows = static_cast<std::size_t>(std::atol(value().c_str()));
        else if (a == "--no-text")
            text = false;
        else if (a == "--tree")
            tree = true;
        else
            usage();
    }
    if (refreshes < 1 || delay_s < 0) usage();

    const double start_wall = wall_ms();
    const double start_cpu = thread_cpu_ms();
    Roots roots;
    std::unique_ptr<TaskIoSource> io;
    if (!proc_io) {
        auto nl = NetlinkTaskstats::open();
        if (nl)
            io = std::move(*nl);
        else
            std::fprintf(stderr, "bench_sampler: %s; using /proc io\n", nl.error().message.c_str());
    }
    if (!io) io = std::make_unique<ProcPidIo>(roots.proc);
    Sampler sampler(roots, std::move(io), true);

    ViewState vs;
    vs.processes = processes;
    vs.tree = tree;
    // As vigil -b with these options: the threads' CPU counters only when the view reads them.
    sampler.set_thread_activity(view_needs_thread_activity(vs));
    TextWriter writer(TextOptions{});
    std::string out;
    LiveSource source(sampler);
    Pipeline pipeline(source);
    source.sample();
    const double first_cpu = thread_cpu_ms() - start_cpu;
    const double first_wall = wall_ms() - start_wall;

    Phase phases[] = {{"sample"}, {"frame"}, {"table"}, {"text"}};
    std::size_t shown = 0;
    std::size_t thread_queries = 0, process_queries = 0;
    double next = wall_ms();
    for (long i = 0; i < refreshes; ++i) {
        next += delay_s * 1e3;
        const double wait_ms = next - wall_ms();
        if (wait_ms > 0) {
            timespec ts{static_cast<time_t>(wait_ms / 1e3),
                        static_cast<long>(std::fmod(wait_ms, 1e3) * 1e6)};
            nanosleep(&ts, nullptr);
        }
        double t0 = thread_cpu_ms();
        source.sample();
        double t1 = thread_cpu_ms();
        if (const TaskSweep::Stats* s = sampler.sweep_stats()) {
            thread_queries += s->thread_queries;
            process_queries += s->process_queries;
        }
        pipeline.advance();
        double t2 = thread_cpu_ms();
        Table model = pipeline.tasks(vs, rows);
        double t3 = thread_cpu_ms();
        if (text) {
            out.clear();
            writer.write(model, vs, 0, out);
        }
        double t4 = thread_cpu_ms();
        phases[0].cpu_ms += t1 - t0;
        phases[1].cpu_ms += t2 - t1;
        phases[2].cpu_ms += t3 - t2;
        phases[3].cpu_ms += t4 - t3;
        shown = model.rows.size();
    }

    const double n = static_cast<double>(refreshes);
    double total = 0;
    for (const Phase& p : phases) total += p.cpu_ms;
    std::printf("source=%s view=%s%s tasks=%zu rows=%zu refreshes=%ld delay=%.3gs\n",
                std::string(sampler.io_source().name()).c_str(),
                processes ? "processes" : "threads", tree ? " (tree)" : "",
                source.cur().tasks.size(), shown, refreshes, delay_s);
    std::printf("first sample: %.2f ms CPU, %.2f ms wall (start-up included)\n", first_cpu,
                first_wall);
    for (const Phase& p : phases) std::printf("  %-14s %8.3f ms/refresh\n", p.name, p.cpu_ms / n);
    std::printf("  %-14s %8.3f ms/refresh\n", "total", total / n);
    if (const TaskSweep::Stats* s = sampler.sweep_stats()) {
        std::printf(
            "last sweep: %zu processes, %zu threads, %zu TGID queries, %zu thread "
            "queries, %zu listings, %zu idle processes, root %s; %zu io reads, %zu processes "
            "that ran without I/O, %zu thread set checks\n",
            s->processes, s->threads, s->process_queries, s->thread_queries, s->listings,
            s->idle_processes, s->root_listed ? "listed" : "not listed", s->io_reads, s->io_skipped,
            s->set_checks);
        std::printf("per sweep: %.1f thread queries, %.1f TGID queries\n",
                    static_cast<double>(thread_queries) / n,
                    static_cast<double>(process_queries) / n);
    }
    std::printf("peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
    return 0;
}
