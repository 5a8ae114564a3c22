#include "vigil/collect/bpf_task_table.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace vigil {
namespace {

// kernel/tsacct.c reports the I/O byte, char and syscall counters rounded down to whole KiB.
constexpr std::uint64_t kb_mask = ~std::uint64_t{1023};

std::uint64_t elapsed_us(std::uint64_t start_ns, std::int64_t now_ns) {
    const auto now = static_cast<std::uint64_t>(std::max<std::int64_t>(now_ns, 0));
    return now > start_ns ? (now - start_ns) / 1000 : 0;
}

// What delayacct_add_tsk() adds for one live task (kernel/delayacct.c): the scheduler's
// counters always, the I/O delays when the task has a delay record.
void add_delays(TaskstatsRecord& to, const vigil_bpf_task_record& r) {
    to.cpu_run_real_total_ns += r.utime_ns + r.stime_ns;
    to.cpu_count += r.cpu_count;
    to.cpu_delay_ns += r.cpu_delay_ns;
    to.cpu_run_virtual_total_ns += r.run_virtual_ns;
    if (!(r.flags & VIGIL_BPF_DELAYS)) return;
    to.blkio_delay_ns += r.blkio_delay_ns;
    to.swapin_delay_ns += r.swapin_delay_ns;
    to.blkio_count += r.blkio_count;
    to.swapin_count += r.swapin_count;
    to.wpcopy_count += r.wpcopy_count;
}

}  // namespace

TaskstatsRecord bpf_thread_record(const vigil_bpf_task_record& r, std::int64_t now_ns,
                                  std::int64_t wall_ns) {
    TaskstatsRecord t;
    t.version = kBpfTaskstatsVersion;
    t.pid = r.tid;
    t.tgid = r.tgid;
    t.ppid = r.ppid;
    t.uid = r.uid;
    t.comm.assign(r.comm, strnlen(r.comm, sizeof r.comm));
    t.etime_us = elapsed_us(r.start_ns, now_ns);
    // bacct_add_tsk: the wall clock now, less the whole seconds of etime.
    const std::int64_t wall_s = wall_ns / 1'000'000'000;
    t.btime64_s = static_cast<std::uint64_t>(
        std::max<std::int64_t>(wall_s - static_cast<std::int64_t>(t.etime_us / 1'000'000), 0));
    t.utime_us = r.utime_ns / 1000;
    t.stime_us = r.stime_ns / 1000;
    t.nice = r.nice;
    t.minflt = r.min_flt;
    t.majflt = r.maj_flt;
    t.nvcsw = r.nvcsw;
    t.nivcsw = r.nivcsw;
    // xacct_add_tsk
    t.read_char = r.rchar & kb_mask;
    t.write_char = r.wchar & kb_mask;
    t.read_syscalls = r.syscr & kb_mask;
    t.write_syscalls = r.syscw & kb_mask;
    if (r.flags & VIGIL_BPF_IO_ACCT) {
        t.read_bytes = r.read_bytes & kb_mask;
        t.write_bytes = r.write_bytes & kb_mask;
        t.cancelled_write_bytes = r.cancelled_write_bytes & kb_mask;
    }
    add_delays(t, r);
    return t;
}

void BpfTaskTable::load(std::span<const std::byte> bytes, std::int64_t now_ns,
                        std::int64_t wall_ns) {
    now_ns_ = now_ns;
    wall_ns_ = wall_ns;
    loaded_ = true;
    tasks_.clear();
    constexpr std::size_t size = sizeof(vigil_bpf_task_record);
    const std::size_t n = bytes.size() / size;
    // Group records go in a second pass, once the leaders are known.
    std::size_t groups = 0;
    tasks_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        vigil_bpf_task_record r;
        std::memcpy(&r, bytes.data() + i * size, size);
        if (r.kind == VIGIL_BPF_TASK)
            tasks_.push_back(r);
        else if (r.kind == VIGIL_BPF_GROUP_EXITED)
            ++groups;
    }
    auto by_tid = [](const vigil_bpf_task_record& a, const vigil_bpf_task_record& b) {
        return a.tid < b.tid;
    };
    // The iterator walks the PID table in order; sorting is for safety and cheap when sorted.
    if (!std::is_sorted(tasks_.begin(), tasks_.end(), by_tid))
        std::stable_sort(tasks_.begin(), tasks_.end(), by_tid);

    // One sum per leader, in tid order and so in tgid order; Sum::rec keeps its memory.
    std::size_t leaders = 0;
    for (const auto& t : tasks_)
        if (t.tid == t.tgid) ++leaders;
    sums_.resize(leaders);
    std::size_t k = 0;
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
        const auto& t = tasks_[i];
        if (t.tid != t.tgid) continue;
        Sum& s = sums_[k++];
        s.tgid = t.tgid;
        s.leader = i;
        s.rec = TaskstatsRecord{};
        s.rec.version = kBpfTaskstatsVersion;
        s.rec.tgid = t.tgid;
    }
    // fill_stats_for_tgid: every thread not exiting adds its delays, CPU times, switches
    // and elapsed time.
    for (const auto& t : tasks_) {
        if (t.flags & VIGIL_BPF_EXITING) continue;
        Sum* s = find_sum(t.tgid);
        if (!s) continue;
        TaskstatsRecord& to = s->rec;
        add_delays(to, t);
        to.etime_us += elapsed_us(t.start_ns, now_ns);
        to.utime_us += t.utime_ns / 1000;
        to.stime_us += t.stime_ns / 1000;
        to.nvcsw += t.nvcsw;
        to.nivcsw += t.nivcsw;
    }
    // ... on top of what its exited threads left in signal->stats, which the kernel's TGID
    // answer starts from (fill_stats_for_tgid copies it first).
    if (groups == 0) return;
    for (std::size_t i = 0; i < n; ++i) {
        vigil_bpf_task_record g;
        std::memcpy(&g, bytes.data() + i * size, size);
        if (g.kind != VIGIL_BPF_GROUP_EXITED) continue;
        Sum* s = find_sum(g.tgid);
        if (!s) continue;
        TaskstatsRecord& to = s->rec;
        to.etime_us += g.start_ns;
        to.utime_us += g.min_flt;
        to.stime_us += g.maj_flt;
        to.nvcsw += g.nvcsw;
        to.nivcsw += g.nivcsw;
        to.cpu_run_real_total_ns += g.utime_ns;
        to.cpu_count += g.cpu_count;
        to.cpu_delay_ns += g.cpu_delay_ns;
        to.cpu_run_virtual_total_ns += g.run_virtual_ns;
        to.blkio_delay_ns += g.blkio_delay_ns;
        to.swapin_delay_ns += g.swapin_delay_ns;
        to.blkio_count += g.blkio_count;
        to.swapin_count += g.swapin_count;
        to.wpcopy_count += g.wpcopy_count;
    }
}

const vigil_bpf_task_record* BpfTaskTable::find_task(pid_t tid) const {
    auto it = std::lower_bound(tasks_.begin(), tasks_.end(), tid,
                               [](const vigil_bpf_task_record& r, pid_t id) { return r.tid < id; });
    return it != tasks_.end() && it->tid == tid ? &*it : nullptr;
}

const BpfTaskTable::Sum* BpfTaskTable::find_sum(pid_t tgid) const {
    auto it = std::lower_bound(sums_.begin(), sums_.end(), tgid,
                               [](const Sum& s, pid_t id) { return s.tgid < id; });
    return it != sums_.end() && it->tgid == tgid ? &*it : nullptr;
}

BpfTaskTable::Sum* BpfTaskTable::find_sum(pid_t tgid) {
    return const_cast<Sum*>(std::as_const(*this).find_sum(tgid));
}

void BpfTaskTable::query(TaskstatsScope scope, std::span<const pid_t> ids,
                         std::span<TaskstatsAnswer> out) const {
    const std::size_t n = std::min(ids.size(), out.size());
    for (std::size_t i = 0; i < n; ++i) {
        TaskstatsAnswer& a = out[i];
        a.asked_ns = now_ns_;
        a.answered_ns = now_ns_;
        if (!loaded_) {
            a.status = TaskstatsAnswer::Status::failed;
            continue;
        }
        if (scope == TaskstatsScope::thread) {
            const vigil_bpf_task_record* r = find_task(ids[i]);
            if (!r) {
                a.status = TaskstatsAnswer::Status::gone;
                continue;
            }
            a.status = TaskstatsAnswer::Status::ok;
            a.record = bpf_thread_record(*r, now_ns_, wall_ns_);
        } else {
            const Sum* s = find_sum(ids[i]);
            if (!s) {
                a.status = TaskstatsAnswer::Status::gone;
                continue;
            }
            a.status = TaskstatsAnswer::Status::ok;
            a.record = s->rec;
        }
    }
}

}  // namespace vigil
