#include "vigil/app/sampler.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <utility>

#include "vigil/collect/system_info.hpp"
#include "vigil/core/clock.hpp"

namespace vigil {

Sampler::Sampler(const Roots& roots, std::unique_ptr<TaskIoSource> io, bool live,
                 const Clock& clock)
    : roots_(roots),
      clock_(clock),
      // With taskstats on the live /proc, the task collector takes every per-thread field
      // (I/O counters included) from it, and no per-thread /proc file is read.
      tasks_(roots.proc, live, live && io ? io->taskstats() : nullptr, clock),
      io_(std::move(io)) {
    delayacct_at_boot_ = read_delayacct_at_boot(roots_.proc);
    // For MEM%: once, as top does (memory hot-plug aside, it does not change).
    mem_total_kib_ = read_mem_total_kib(roots_.proc, buf_);
}

void Sampler::sample(Snapshot& out) {
    sample(out, 0);
}

void Sampler::sample_first(Snapshot& out, std::size_t rows) {
    sample(out, std::max<std::size_t>(rows, 1));
}

void Sampler::sample(Snapshot& out, std::size_t first_rows) {
    out.steady_s = clock_.steady_s();
    out.boot_s = clock_.boot_s();
    out.wall_ns = clock_.wall_ns();
    out.clk_tck = clock_.ticks_per_s();
    out.mem_total_kib = mem_total_kib_;

    if (first_rows == 0)
        tasks_.collect(out.tasks);
    else
        tasks_.collect_first(out.tasks, first_rows);
    if (!tasks_.fills_io()) io_->fill(out.tasks);
    // The rates are over the interval between the counters' reads: the taskstats sweep
    // (or the BPF pass) reads them after listing /proc, which under load takes a while.
    if (auto at = tasks_.counters_at_s()) {
        // The other clocks move with it ("born after the last sample" compares boot times).
        const double later = *at - out.steady_s;
        out.steady_s = *at;
        out.boot_s += later;
        out.wall_ns += static_cast<std::int64_t>(later * 1e9);
    }
    shrink_when_due(out.tasks, tasks_guard_);

    // With kernel.task_delayacct=0 the kernel reports delays as 0, which would read as "no
    // waiting". They are unknown, so say so. A kernel without the sysctl always accounts.
    out.delayacct_enabled = read_delayacct(roots_.proc);
    const bool on = out.delayacct_enabled.value_or(true);
    if (!on) {
        delayacct_on_since_s_.reset();
        delayacct_seen_off_ = true;
    } else if (!delayacct_on_since_s_) {
        // Booted with accounting on (no sysctl, or "delayacct" on the kernel command line,
        // and not seen off since): every task is accounted. Otherwise it was switched on at
        // a time we cannot know, at the latest now; only tasks created after now are sure to
        // be accounted (the kernel never accounts a task created while it was off).
        const bool since_boot =
            !out.delayacct_enabled || (delayacct_at_boot_ && !delayacct_seen_off_);
        delayacct_on_since_s_ = since_boot ? 0.0 : out.boot_s;
    }
    out.delayacct_on_since_s = delayacct_on_since_s_;
    const double ticks_per_s = static_cast<double>(out.clk_tck);
    for (TaskSample& t : out.tasks) {
        if (!on && t.activity) t.activity->known &= ~TaskActivity::kCpuDelay;
        if (!t.io) continue;
        if (!on) {
            t.io->blkio_delay_ns.reset();
            t.io->swapin_delay_ns.reset();
            t.io->delays_tracked = false;
        } else if (static_cast<double>(t.start_ticks) / ticks_per_s > *delayacct_on_since_s_ ||
                   *delayacct_on_since_s_ == 0.0) {
            t.io->delays_tracked = true;
        }
    }

    out.pgpgin_kib.reset();
    out.pgpgout_kib.reset();
    if (auto v = read_vmstat_io(roots_.proc, buf_)) {
        out.pgpgin_kib = v->pgpgin_kib;
        out.pgpgout_kib = v->pgpgout_kib;
    }

    if (machine_) machine_->collect(out.machine);
}

void Sampler::note_refusals(const FsRoot& root) {
    const FsRoot::Refusals r = root.take_refusals();
    if (r.count == 0 || said_refusals_) return;
    said_refusals_ = true;
    std::string more = r.count > 1 ? fmt::format(" (and {} more)", r.count - 1) : std::string();
    notices_.push_back(
        fmt::format("{}{}, not read (vigil reads files of at most {} MiB, and "
                    "outside the kernel's proc and sysfs only regular files)",
                    r.first, more, kMaxFileBytes >> 20));
}

void Sampler::note_fd_limit() {
    const TaskCollector::FdStats fd = tasks_.fd_stats();
    if (fd.unkept > 0 && !said_unkept_) {
        said_unkept_ = true;
        notices_.push_back(fmt::format(
            "only {} file descriptors (ulimit -n): {} of {} processes are read without one kept "
            "open for them (more system calls each sample; none is left out)",
            fd.limit, fd.unkept, fd.processes));
    }
    if (fd.ran_out && !said_ran_out_) {
        said_ran_out_ = true;
        notices_.push_back(fmt::format(
            "ran out of file descriptors (ulimit -n {}): vigil gave back those it keeps and read "
            "on; a task it could not read just then keeps what was known of it",
            fd.limit));
    }
}

std::vector<std::string> Sampler::take_notices() {
    note_refusals(roots_.proc);
    note_refusals(roots_.sys);
    note_fd_limit();
    return std::exchange(notices_, {});
}

void Sampler::fetch_details(const Snapshot& s, std::span<const std::size_t> tasks, TaskDetails& out,
                            DetailParts parts) {
    for (std::size_t i : tasks) {
        if (i >= s.tasks.size()) continue;
        const TaskSample& t = s.tasks[i];
        const TaskDetail* known = out.find(i);
        const auto missing =
            static_cast<DetailParts>(parts & ~(known ? known->fetched : DetailParts{0}));
        if (missing) {
            TaskDetail& d = out.set(i);
            tasks_.fetch_details(t, d, missing);
            d.fetched = static_cast<DetailParts>(d.fetched | missing);
        }
        if ((parts & kDetailRow) && !out.has_user_name(t.uid))
            out.set_user_name(t.uid, users_.name(t.uid));
    }
}

}  // namespace vigil
