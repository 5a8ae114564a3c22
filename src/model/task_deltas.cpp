#include "vigil/model/task_deltas.hpp"

namespace vigil {
namespace {

std::optional<std::uint64_t> opt_delta(std::optional<std::uint64_t> now,
                                       std::optional<std::uint64_t> before) {
    if (!now || !before || *now < *before) return std::nullopt;
    return *now - *before;
}

// Delta of a task present in both snapshots with the same identity, into d (a TaskDelta
// or the stored form: only its I/O fields are written; valid stays false when a counter
// went backwards, so nothing is trustworthy this interval).
template <class D>
void delta_between(const TaskIoCounters& before, const TaskIoCounters& now, D& d) {
    if (now.read_bytes < before.read_bytes || now.write_bytes < before.write_bytes ||
        now.cancelled_write_bytes < before.cancelled_write_bytes)
        return;
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
}

// A task born after the previous sample began: its counters started at zero within the
// interval, so all of them belong to it.
template <class D>
void delta_since_birth(const TaskIoCounters& now, D& d) {
    d.valid = true;
    d.read_bytes = now.read_bytes;
    d.write_bytes = now.write_bytes > now.cancelled_write_bytes
                        ? now.write_bytes - now.cancelled_write_bytes
                        : 0;
    if (now.delays_tracked) {
        d.blkio_delay_ns = now.blkio_delay_ns;
        d.swapin_delay_ns = now.swapin_delay_ns;
    }
}

void add_activity(TaskActivity& a, const TaskActivity& b) {
    a.user_us += b.user_us;
    a.system_us += b.system_us;
    a.minor_faults += b.minor_faults;
    a.major_faults += b.major_faults;
    a.cpu_delay_ns += b.cpu_delay_ns;
    a.read_chars += b.read_chars;
    a.write_chars += b.write_chars;
    a.read_syscalls += b.read_syscalls;
    a.write_syscalls += b.write_syscalls;
    a.voluntary_switches += b.voluntary_switches;
    a.involuntary_switches += b.involuntary_switches;
    a.known &= b.known;  // a sum is known only if every part is
}

}  // namespace

std::optional<TaskActivity> activity_delta(const TaskActivity* before, const TaskActivity& now,
                                           bool delays_tracked) {
    TaskActivity d;
    d.known = now.known & (before ? before->known : now.known);
    if (!delays_tracked) d.known &= ~TaskActivity::kCpuDelay;
    bool backwards = false;
    auto diff = [&](std::uint64_t TaskActivity::*field, bool wanted) {
        if (!wanted) return;
        const std::uint64_t was = before ? before->*field : 0;
        if (now.*field < was)
            backwards = true;
        else
            d.*field = now.*field - was;
    };
    diff(&TaskActivity::user_us, true);
    diff(&TaskActivity::system_us, true);
    diff(&TaskActivity::minor_faults, true);
    diff(&TaskActivity::major_faults, true);
    if (backwards) return std::nullopt;
    auto group = [&](TaskActivity::Known k,
                     std::initializer_list<std::uint64_t TaskActivity::*> fs) {
        if (!d.has(k)) return;
        backwards = false;
        for (auto f : fs) diff(f, true);
        if (backwards) d.known &= ~k;  // this group only: it is unknown for the interval
    };
    group(TaskActivity::kCpuDelay, {&TaskActivity::cpu_delay_ns});
    group(TaskActivity::kChars, {&TaskActivity::read_chars, &TaskActivity::write_chars});
    group(TaskActivity::kSyscalls, {&TaskActivity::read_syscalls, &TaskActivity::write_syscalls});
    group(TaskActivity::kSwitches,
          {&TaskActivity::voluntary_switches, &TaskActivity::involuntary_switches});
    return d;
}

namespace {

// The activity part of add_delta: b's (when it has one) into a.
void add_activity_into(TaskDelta& a, bool b_has, const TaskActivity& b) {
    if (!b_has) return;
    if (a.has_activity) {
        add_activity(a.activity, b);
    } else {
        a.has_activity = true;
        a.activity = b;
    }
}

// The I/O part of add_delta: b (a TaskDelta or the stored form) into a.
template <class D>
void add_io(TaskDelta& a, const D& b) {
    if (!b.valid) return;
    if (!a.valid) {
        a.valid = true;
        a.read_bytes = b.read_bytes;
        a.write_bytes = b.write_bytes;
        a.blkio_delay_ns = b.blkio_delay_ns;
        a.swapin_delay_ns = b.swapin_delay_ns;
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

}  // namespace

void add_delta(TaskDelta& a, const TaskDelta& b) {
    add_activity_into(a, b.has_activity, b.activity);
    add_io(a, b);
}

std::optional<double> delay_pct(std::optional<std::uint64_t> delay_ns, double elapsed_s) {
    if (!delay_ns || elapsed_s <= 0) return std::nullopt;
    return static_cast<double>(*delay_ns) / (elapsed_s * 1e9) * 100.0;
}

TaskDelta TaskDeltas::io_at(std::size_t i) const {
    const Stored& s = tasks_[i];
    TaskDelta d;
    d.valid = s.valid;
    d.read_bytes = s.read_bytes;
    d.write_bytes = s.write_bytes;
    d.blkio_delay_ns = s.blkio_delay_ns;
    d.swapin_delay_ns = s.swapin_delay_ns;
    return d;
}

bool TaskDeltas::activity_into(std::size_t i, TaskActivity& out) const {
    const Stored& s = tasks_[i];
    if (s.still) {
        out = TaskActivity{};
        out.known = s.still_known;
        return true;
    }
    const std::uint32_t before = s.before;
    const TaskSample& now = cur_->tasks[i];
    if (before == 0 || !now.activity) return false;
    const bool tracked = now.io && now.io->delays_tracked;
    std::optional<TaskActivity> act;
    if (before == kBorn) {
        act = activity_delta(nullptr, *now.activity, tracked);
    } else {
        const TaskSample& was = prev_->tasks[before - 1];
        if (!was.activity) return false;
        if (*was.activity == *now.activity) {
            // Most threads did not run: nothing moved (the common case, made cheap).
            out = TaskActivity{};
            out.known = now.activity->known;
            if (!tracked) out.known &= ~TaskActivity::kCpuDelay;
            return true;
        }
        act = activity_delta(&*was.activity, *now.activity, tracked);
    }
    if (!act) return false;
    out = *act;
    return true;
}

TaskDelta TaskDeltas::at(std::size_t i) const {
    TaskDelta d = io_at(i);
    d.has_activity = activity_into(i, d.activity);
    return d;
}

void TaskDeltas::add_to(std::size_t i, TaskDelta& sum) const {
    TaskActivity act;
    add_activity_into(sum, activity_into(i, act), act);
    add_io(sum, tasks_[i]);
}

TaskDeltas task_deltas(const Snapshot& prev, const Snapshot& cur, TaskDeltas old) {
    TaskDeltas r;
    r.prev_ = &prev;
    r.cur_ = &cur;
    r.elapsed_s = cur.steady_s - prev.steady_s;
    r.tasks_ = std::move(old.tasks_);
    r.guard_ = old.guard_;
    r.tasks_.assign(cur.tasks.size(), TaskDeltas::Stored{});
    shrink_when_due(r.tasks_, r.guard_);
    if (!(r.elapsed_s > 0)) return r;

    // Both lists are sorted by tid: one merge walk, no lookups.
    std::size_t j = 0;
    std::uint64_t total_read = 0, total_write = 0;
    for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
        const TaskSample& now = cur.tasks[i];
        while (j < prev.tasks.size() && prev.tasks[j].tid < now.tid) ++j;
        if (!now.io && !now.activity) continue;
        const TaskSample* before =
            (j < prev.tasks.size() && prev.tasks[j].tid == now.tid) ? &prev.tasks[j] : nullptr;
        TaskDeltas::Stored& d = r.tasks_[i];
        if (before && before->start_ticks == now.start_ticks) {
            if (before->io && now.io) delta_between(*before->io, *now.io, d);
            d.before = static_cast<std::uint32_t>(j + 1);
            if (before->activity && now.activity && *before->activity == *now.activity) {
                // Marked while both samples are in the cache: at() need not read them.
                d.still = true;
                d.still_known = now.activity->known;
                if (!(now.io && now.io->delays_tracked)) d.still_known &= ~TaskActivity::kCpuDelay;
            }
        } else {
            // First sight, or the tid now names another task (PID reuse). Only a task born
            // after the previous sample started is known to have done all of its I/O within
            // this interval. start_ticks rounds down, so '>' is safe.
            double born_s = static_cast<double>(now.start_ticks) /
                            static_cast<double>(cur.clk_tck ? cur.clk_tck : 100);
            if (prev.boot_s > 0 && born_s > prev.boot_s) {
                if (now.io) delta_since_birth(*now.io, d);
                d.before = TaskDeltas::kBorn;
            }
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
