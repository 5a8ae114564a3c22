#include "vigil/model/task_deltas.hpp"

namespace vigil {
namespace {

std::optional<std::uint64_t> opt_delta(std::optional<std::uint64_t> now,
                                       std::optional<std::uint64_t> before) {
    if (!now || !before || *now < *before) return std::nullopt;
    return *now - *before;
}

// Delta of a task present in both snapshots with the same identity.
TaskDelta delta_between(const TaskIoCounters& before, const TaskIoCounters& now) {
    TaskDelta d;
    if (now.read_bytes < before.read_bytes || now.write_bytes < before.write_bytes ||
        now.cancelled_write_bytes < before.cancelled_write_bytes) {
        return d;  // a counter went backwards: nothing trustworthy this interval
    }
    d.valid = true;
    d.read_bytes = now.read_bytes - before.read_bytes;
    std::uint64_t written = now.write_bytes - before.write_bytes;
    std::uint64_t cancelled = now.cancelled_write_bytes - before.cancelled_write_bytes;
    d.write_bytes = written > cancelled ? written - cancelled : 0;
    // A task's delays are either accounted for its whole life or never (the kernel decides
    // at creation), so once they are known to be tracked the previous totals are right too.
    if (now.delays_tracked) {
        d.blkio_delay_ns = opt_delta(now.blkio_delay_ns, before.blkio_delay_ns);
        d.swapin_delay_ns = opt_delta(now.swapin_delay_ns, before.swapin_delay_ns);
    }
    return d;
}

// A task born after the previous sample began: its counters started at zero within the
// interval, so all of them belong to it.
TaskDelta delta_since_birth(const TaskIoCounters& now) {
    TaskDelta d;
    d.valid = true;
    d.read_bytes = now.read_bytes;
    d.write_bytes = now.write_bytes > now.cancelled_write_bytes
                        ? now.write_bytes - now.cancelled_write_bytes
                        : 0;
    if (now.delays_tracked) {
        d.blkio_delay_ns = now.blkio_delay_ns;
        d.swapin_delay_ns = now.swapin_delay_ns;
    }
    return d;
}

}  // namespace

void add_delta(TaskDelta& a, const TaskDelta& b) {
    if (!b.valid) return;
    if (!a.valid) {
        a = b;
        return;
    }
    a.read_bytes += b.read_bytes;
    a.write_bytes += b.write_bytes;
    auto add = [](std::optional<std::uint64_t>& x, std::optional<std::uint64_t> y) {
        x = (x && y) ? std::optional<std::uint64_t>(*x + *y) : std::nullopt;
    };
    add(a.blkio_delay_ns, b.blkio_delay_ns);
    add(a.swapin_delay_ns, b.swapin_delay_ns);
}

std::optional<double> delay_pct(std::optional<std::uint64_t> delay_ns, double elapsed_s) {
    if (!delay_ns || elapsed_s <= 0) return std::nullopt;
    return static_cast<double>(*delay_ns) / (elapsed_s * 1e9) * 100.0;
}

TaskDeltas task_deltas(const Snapshot& prev, const Snapshot& cur) {
    TaskDeltas r;
    r.elapsed_s = cur.steady_s - prev.steady_s;
    r.tasks.resize(cur.tasks.size());
    if (!(r.elapsed_s > 0)) return r;

    // Both lists are sorted by tid: one merge walk, no lookups.
    std::size_t j = 0;
    std::uint64_t total_read = 0, total_write = 0;
    for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
        const TaskSample& now = cur.tasks[i];
        while (j < prev.tasks.size() && prev.tasks[j].tid < now.tid) ++j;
        if (!now.io) continue;
        const TaskSample* before =
            (j < prev.tasks.size() && prev.tasks[j].tid == now.tid) ? &prev.tasks[j] : nullptr;
        TaskDelta& d = r.tasks[i];
        if (before && before->start_ticks == now.start_ticks) {
            if (before->io) d = delta_between(*before->io, *now.io);
        } else {
            // First sight, or the tid now names another task (PID reuse). Only a task born
            // after the previous sample started is known to have done all of its I/O within
            // this interval. start_ticks rounds down, so '>' is safe.
            double born_s = static_cast<double>(now.start_ticks) /
                            static_cast<double>(cur.clk_tck ? cur.clk_tck : 100);
            if (prev.boot_s > 0 && born_s > prev.boot_s) d = delta_since_birth(*now.io);
        }
        if (d.valid) {
            total_read += d.read_bytes;
            total_write += d.write_bytes;
        }
    }
    r.total_read_bytes_per_s = static_cast<double>(total_read) / r.elapsed_s;
    r.total_write_bytes_per_s = static_cast<double>(total_write) / r.elapsed_s;
    if (prev.pgpgin_kib && cur.pgpgin_kib && *cur.pgpgin_kib >= *prev.pgpgin_kib) {
        r.current_read_bytes_per_s =
            static_cast<double>(*cur.pgpgin_kib - *prev.pgpgin_kib) * 1024.0 / r.elapsed_s;
    }
    if (prev.pgpgout_kib && cur.pgpgout_kib && *cur.pgpgout_kib >= *prev.pgpgout_kib) {
        r.current_write_bytes_per_s =
            static_cast<double>(*cur.pgpgout_kib - *prev.pgpgout_kib) * 1024.0 / r.elapsed_s;
    }
    return r;
}

}  // namespace vigil
