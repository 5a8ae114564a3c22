#include "vigil/collect/task_sweep.hpp"

#include "vigil/collect/proc_parsers.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <utility>

namespace vigil {
namespace {

// Queries go to the client in chunks of this many ids, so the answers buffer stays small
// (a few hundred KiB) however many threads there are.
constexpr std::size_t query_chunk = 512;
// Allowed disagreement (ns) between our clock readings and the kernel's when comparing two
// estimates of a start time. Both read CLOCK_MONOTONIC, so this is only a safety margin; a
// tid reused by a thread that started within a millisecond of the old one would need the
// whole PID space to wrap in that time.
constexpr std::int64_t start_slack_ns = 1'000'000;

}  // namespace

TaskSweep::TaskSweep(const FsRoot& proc, TaskstatsClient& taskstats, const Clock& clock)
    : proc_(proc), taskstats_(taskstats), clock_(clock), root_(proc, "") {
    clk_tck_ = clock.ticks_per_s();
}

void TaskSweep::collect(std::vector<TaskSample>& out) {
    list_all();
    counters_at_s_ = clock_.steady_s();
    taskstats_.begin_sweep();
    query_processes();
    query_threads(false);

    // Threads that answered ESRCH or from another process mean the listing is stale: list
    // again and ask about the newcomers, once. A thread alive through the whole sweep is in
    // this second listing, since it is taken after the first answers.
    bool again = false;
    for (Process& p : procs_) {
        if (p.gone || !p.relist) continue;
        if (!relist(p)) {
            p.gone = true;
            continue;
        }
        again = true;
    }
    if (again) query_threads(true);

    if (leader_state_) read_states();
    build(out);
}

void TaskSweep::collect_first(std::vector<TaskSample>& out, std::size_t asked) {
    list_all();
    counters_at_s_ = clock_.steady_s();
    taskstats_.begin_sweep();
    // No TGID queries: with no fingerprint, the next collect() asks about every thread,
    // including those not asked about here.
    for (Process& p : procs_) p.fp_known = false;
    query_lowest(asked);
    order_valid_ = false;
    // Not every leader was asked about: none is known to have stood still.
    for (Process& p : procs_) p.state_moved = true;
    if (leader_state_) read_states();
    build(out, true);
    order_valid_ = false;
}

void TaskSweep::query_lowest(std::size_t asked) {
    auto by_tid = [](const Slot& a, const Slot& b) { return a.tid < b.tid; };
    // The leaders of the lowest processes (the rows of -P; procs_ is in PID order): they
    // may lie past the lowest tids when an early process has many threads.
    asked_.clear();
    for (std::size_t i = 0; i < procs_.size() && asked_.size() < asked; ++i) {
        const Process& p = procs_[i];
        if (p.gone) continue;
        for (std::size_t k = 0; k < p.threads.size(); ++k)
            if (p.threads[k].tid == p.tgid)
                asked_.push_back(
                    Slot{p.tgid, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k)});
    }
    // Then the lowest tids of all (the rows of the thread view).
    order_.clear();
    for (std::size_t i = 0; i < procs_.size(); ++i) {
        const Process& p = procs_[i];
        if (p.gone) continue;
        for (std::size_t k = 0; k < p.threads.size(); ++k)
            order_.push_back(Slot{p.threads[k].tid, static_cast<std::uint32_t>(i),
                                  static_cast<std::uint32_t>(k)});
    }
    const auto lowest =
        order_.begin() + static_cast<std::ptrdiff_t>(std::min(asked, order_.size()));
    std::partial_sort(order_.begin(), lowest, order_.end(), by_tid);
    asked_.insert(asked_.end(), order_.begin(), lowest);
    std::sort(asked_.begin(), asked_.end(), by_tid);
    asked_.erase(std::unique(asked_.begin(), asked_.end(),
                             [](const Slot& a, const Slot& b) { return a.tid == b.tid; }),
                 asked_.end());
    ids_.clear();
    for (const Slot& s : asked_) ids_.push_back(s.tid);
    stats_.thread_queries += ids_.size();
    ask_threads();
}

void TaskSweep::ask_threads() {
    for (std::size_t start = 0; start < ids_.size(); start += query_chunk) {
        const std::size_t n = std::min(query_chunk, ids_.size() - start);
        answers_.resize(n);
        taskstats_.query(TaskstatsScope::thread, std::span(ids_).subspan(start, n), answers_);
        for (std::size_t k = 0; k < n; ++k) {
            const Slot& s = asked_[start + k];
            Process& p = procs_[s.proc];
            apply_thread_answer(p, p.threads[s.thread], answers_[k]);
        }
    }
}

void TaskSweep::query_processes() {
    // Single-threaded processes are asked about directly: a TGID query would cost as much
    // as the thread query it might save.
    ids_.clear();
    asked_.clear();
    for (std::size_t i = 0; i < procs_.size(); ++i) {
        Process& p = procs_[i];
        if (p.gone) continue;
        if (p.threads.size() < 2) {
            p.ask = true;
            continue;
        }
        ids_.push_back(p.tgid);
        asked_.push_back(Slot{p.tgid, static_cast<std::uint32_t>(i), 0});
    }
    stats_.process_queries = ids_.size();
    for (std::size_t start = 0; start < ids_.size(); start += query_chunk) {
        const std::size_t n = std::min(query_chunk, ids_.size() - start);
        answers_.resize(n);
        taskstats_.query(TaskstatsScope::process, std::span(ids_).subspan(start, n), answers_);
        for (std::size_t k = 0; k < n; ++k) {
            Process& p = procs_[asked_[start + k].proc];
            const TaskstatsAnswer& a = answers_[k];
            if (a.status == TaskstatsAnswer::Status::gone) {
                // The leader is released only after every thread: the whole process is gone.
                p.gone = true;
                order_valid_ = false;
                continue;
            }
            if (a.status != TaskstatsAnswer::Status::ok) {
                p.fp_known = false;
                p.ask = true;
                continue;
            }
            const TaskstatsRecord& r = a.record;
            const Fingerprint fp{r.cpu_count,
                                 r.cpu_run_real_total_ns,
                                 r.cpu_run_virtual_total_ns,
                                 r.nvcsw,
                                 r.nivcsw,
                                 r.blkio_count,
                                 r.blkio_delay_ns,
                                 r.swapin_count,
                                 r.swapin_delay_ns};
            // Only a change is evidence of activity; a first sight is not (its threads are
            // all asked about anyway, being new).
            const bool moved = p.fp_known && !(fp == p.fp);
            const bool delays_moved = p.fp_known && !fp.same_delays(p.fp);
            if (moved) p.hot_until_s = now_s_ + hot_window_s;
            const bool hot = now_s_ < p.hot_until_s;
            const bool known = p.fp_known && !p.relist;
            const bool same_set = etime_agrees(p, a);
            p.fp = fp;
            p.fp_known = true;
            if (activity_) {
                p.ask = !known || hot || p.activity_stale;
            } else if (!known || delays_moved) {
                // Asked anyway; its I/O totals are read too, as the baseline of the next
                // sweep (else that one would take their first reading for a move).
                p.ask = true;
                (void)io_moved(p);
            } else if (!hot) {
                // Nothing ran for hot_window_s: nothing did I/O either.
                p.ask = false;
            } else if (io_moved(p)) {
                p.ask = true;
            } else {
                // It ran, but its I/O and delays stood still: its threads' counters are
                // still exact. What it ran may have started threads (and ended as many,
                // or the link count would say so): its listing is compared with the threads
                // known once per hot window. Its leader may have changed state.
                p.ask = false;
                if (moved) {
                    p.activity_stale = true;
                    p.state_moved = true;
                    ++stats_.io_skipped;
                }
                if (moved && (!same_set || now_s_ >= p.set_check_s + hot_window_s) &&
                    thread_set_changed(p)) {
                    if (!relist(p)) {
                        p.gone = true;
                        continue;
                    }
                    p.ask = true;
                }
            }
            if (!p.ask) ++stats_.idle_processes;
        }
    }
}

bool TaskSweep::etime_agrees(Process& p, const TaskstatsAnswer& a) {
    // Live threads only (taskstats sums ac_etime over them, each rounded down to a µs): a
    // thread that ended and another that started between two replies change the sum by the
    // difference of their starts, which the link count cannot see. The bound is loose by the
    // count times the two requests' brackets, so a replacement within that of the old
    // thread's start can pass; the periodic check covers it.
    const std::size_t n = p.listed;
    const std::uint64_t now = a.record.etime_us;
    bool agrees = false;
    if (n != 0 && n == p.etime_threads && now >= p.etime_us) {
        const auto count = static_cast<std::int64_t>(n);
        const std::int64_t least = count * (a.asked_ns - p.etime_answered_ns) / 1000 - count;
        const std::int64_t most = count * (a.answered_ns - p.etime_asked_ns) / 1000 + count;
        const auto grew = static_cast<std::int64_t>(now - p.etime_us);
        agrees = grew >= least && grew <= most;
    }
    p.etime_us = now;
    p.etime_asked_ns = a.asked_ns;
    p.etime_answered_ns = a.answered_ns;
    p.etime_threads = n;
    return agrees;
}

void TaskSweep::query_threads(bool only_unknown) {
    ids_.clear();
    asked_.clear();
    for (std::size_t i = 0; i < procs_.size(); ++i) {
        Process& p = procs_[i];
        if (p.gone) continue;
        if (only_unknown ? !p.relist : !p.ask) continue;
        // Its listing is current now; from here on relist means "an answer says it is stale".
        p.relist = false;
        if (!only_unknown) p.activity_stale = false;
        for (std::size_t k = 0; k < p.threads.size(); ++k) {
            if (only_unknown && p.threads[k].known && p.threads[k].fresh) continue;
            ids_.push_back(p.threads[k].tid);
            asked_.push_back(Slot{p.threads[k].tid, static_cast<std::uint32_t>(i),
                                  static_cast<std::uint32_t>(k)});
        }
    }
    stats_.thread_queries += ids_.size();
    ask_threads();
    if (only_unknown) {
        // A second stale answer is not chased within this sweep; the next one lists again.
        for (Process& p : procs_)
            if (!p.gone && p.relist) p.listed = 0;
    }
}

void TaskSweep::apply_thread_answer(Process& p, Thread& t, const TaskstatsAnswer& a) {
    const bool was_fresh = t.fresh;
    // The leader's state can change only when it is scheduled: it switches out to sleep,
    // stop or die (a context switch), or runs (CPU time). Without an earlier answer, or
    // without the switch counters (taskstats before version 6), it may have.
    const bool leader = t.tid == p.tgid;
    const bool had = t.known && t.has_io;
    TaskActivity before;
    if (leader) before = t.activity;
    apply_answer(p, t, a);
    if (leader) {
        const TaskActivity& now = t.activity;
        if (a.status != TaskstatsAnswer::Status::ok || !had || !t.has_io ||
            !now.has(TaskActivity::kSwitches) || !before.has(TaskActivity::kSwitches) ||
            now.voluntary_switches != before.voluntary_switches ||
            now.involuntary_switches != before.involuntary_switches ||
            now.user_us != before.user_us || now.system_us != before.system_us)
            p.state_moved = true;
    }
    if (t.fresh != was_fresh) order_valid_ = false;
}

void TaskSweep::apply_answer(Process& p, Thread& t, const TaskstatsAnswer& a) {
    switch (a.status) {
        case TaskstatsAnswer::Status::gone:
            // Exited since the listing (or a tid we listed is someone else's by now).
            t.fresh = false;
            t.gone_in = sweep_no_;
            p.relist = true;
            break;
        case TaskstatsAnswer::Status::failed:
            // No answer: keep a thread we know, with its counters unknown for now, and make
            // sure the next sweep asks again.
            t.fresh = t.known;
            t.has_io = false;
            p.fp_known = false;
            break;
        case TaskstatsAnswer::Status::ok: {
            const TaskstatsRecord& r = a.record;
            if (r.tgid != 0 && r.tgid != p.tgid) {
                // The tid now names a thread of another process.
                t.fresh = false;
                t.known = false;
                t.gone_in = sweep_no_;
                p.relist = true;
                break;
            }
            // The kernel read its clock between asked_ns and answered_ns; etime is rounded
            // down to a microsecond.
            const auto etime_ns = static_cast<std::int64_t>(r.etime_us) * 1000;
            const std::int64_t lo = a.asked_ns - etime_ns - 1000;
            const std::int64_t hi = a.answered_ns - etime_ns;
            if (t.known && lo <= t.start_hi_ns + start_slack_ns &&
                hi >= t.start_lo_ns - start_slack_ns) {
                const std::int64_t nlo = std::max(lo, t.start_lo_ns);
                const std::int64_t nhi = std::min(hi, t.start_hi_ns);
                if (nlo <= nhi) {
                    t.start_lo_ns = nlo;
                    t.start_hi_ns = nhi;
                }
            } else {
                // First answer, or another thread under the same tid: a new identity. Its
                // start in boot-time clock ticks is fixed now, from the earliest possible
                // start, so it rounds down as /proc's does.
                t.known = true;
                t.start_lo_ns = lo;
                t.start_hi_ns = hi;
                const long double boot_s =
                    static_cast<long double>(std::max<std::int64_t>(lo + boot_offset_ns_, 0)) *
                    1e-9L;
                t.start_ticks = static_cast<std::uint64_t>(
                    std::floor(boot_s * static_cast<long double>(clk_tck_)));
            }
            t.ppid = r.ppid;
            t.uid = r.uid;
            t.nice = static_cast<std::int8_t>(r.nice);
            t.comm_len = static_cast<std::uint8_t>(std::min(r.comm.size(), t.comm.size()));
            std::copy_n(r.comm.data(), t.comm_len, t.comm.data());
            t.has_io = true;
            t.read_bytes = r.read_bytes;
            t.write_bytes = r.write_bytes;
            t.cancelled_write_bytes = r.cancelled_write_bytes;
            // Always reported; the Sampler drops them when kernel.task_delayacct is 0.
            t.blkio_delay_ns = r.blkio_delay_ns;
            t.swapin_delay_ns = r.swapin_delay_ns;
            // A delay count proves the task has a delay record. Not cpu_count: the kernel
            // reports it for tasks created while accounting was off too (e2e_batch's
            // "before" writer), so it proves nothing about the I/O delays.
            t.delays_tracked = r.blkio_count || r.swapin_count || r.wpcopy_count;
            TaskActivity& act = t.activity;
            act.user_us = r.utime_us;
            act.system_us = r.stime_us;
            act.minor_faults = r.minflt;
            act.major_faults = r.majflt;
            act.cpu_delay_ns = r.cpu_delay_ns;
            act.read_chars = r.read_char;
            act.write_chars = r.write_char;
            // Rounded down to multiples of 1024 by the kernel: a rate from them would read 0
            // or 1024 calls a second where there were 500. Unknown instead (kSyscalls).
            act.read_syscalls = 0;
            act.write_syscalls = 0;
            act.voluntary_switches = r.nvcsw;
            act.involuntary_switches = r.nivcsw;
            // The Sampler drops the CPU delay when kernel.task_delayacct is 0, as the I/O
            // delays; taskstats before version 6 has no context switches. read_char and
            // write_char are in whole KiB (the kernel's rounding), like read_bytes.
            act.known = TaskActivity::kCpuDelay | TaskActivity::kChars |
                        (r.version >= 6 ? TaskActivity::kSwitches : 0);
            t.fresh = true;
            break;
        }
    }
}

void TaskSweep::build(std::vector<TaskSample>& out, bool with_unasked) {
    if (!order_valid_) {
        order_.clear();
        for (std::size_t i = 0; i < procs_.size(); ++i) {
            const Process& p = procs_[i];
            if (p.gone) continue;
            for (std::size_t k = 0; k < p.threads.size(); ++k) {
                const Thread& t = p.threads[k];
                const bool unasked = with_unasked && !t.known && t.gone_in != sweep_no_;
                if (t.fresh || unasked)
                    order_.push_back(Slot{p.threads[k].tid, static_cast<std::uint32_t>(i),
                                          static_cast<std::uint32_t>(k)});
            }
        }
        // Threads of different processes interleave in tid order.
        std::sort(order_.begin(), order_.end(),
                  [](const Slot& a, const Slot& b) { return a.tid < b.tid; });
        // Under heavy churn a tid can be answered for two processes within one sweep (it
        // died in one and was reused in the other); keep one.
        order_.erase(std::unique(order_.begin(), order_.end(),
                                 [](const Slot& a, const Slot& b) { return a.tid == b.tid; }),
                     order_.end());
        order_valid_ = true;
    }
    // Some slack, so that one more thread next time does not double the vector: at 10 000
    // threads that would hold 2 MiB more for nothing, in each of two snapshots.
    if (out.capacity() < order_.size()) out.reserve(order_.size() + order_.size() / 16 + 16);
    out.resize(order_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) {
        const Slot& s = order_[i];
        const Process& p = procs_[s.proc];
        const Thread& from = p.threads[s.thread];
        TaskSample& to = out[i];
        // Field by field, so the buffers of the reused element (comm) are kept.
        to.tid = from.tid;
        to.tgid = p.tgid;
        to.ppid = from.ppid;
        to.uid = from.uid;
        to.state = from.tid == p.tgid ? p.state : '?';
        to.priority.reset();  // a /proc stat read for the rows shown (TaskDetail)
        to.nice = from.nice;
        to.start_ticks = from.start_ticks;
        to.comm.assign(from.comm.data(), from.comm_len);
        if (from.has_io) {
            TaskIoCounters& io = to.io.emplace();
            io.read_bytes = from.read_bytes;
            io.write_bytes = from.write_bytes;
            io.cancelled_write_bytes = from.cancelled_write_bytes;
            io.blkio_delay_ns = from.blkio_delay_ns;
            io.swapin_delay_ns = from.swapin_delay_ns;
            io.delays_tracked = from.delays_tracked;
            // The CPU delay counts only where io.delays_tracked says the task is accounted.
            // Without set_thread_activity, a thread not asked may hold an old one: unknown.
            if (activity_)
                to.activity = from.activity;
            else
                to.activity.reset();
        } else {
            to.io.reset();
            to.activity.reset();
        }
    }
    stats_.threads = order_.size();
}

}  // namespace vigil
