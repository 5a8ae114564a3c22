// TaskSweep's side of /proc: the process list, the thread listings (kept directories, read
// again only when a link count says the threads changed) and the process leaders' states.
// What taskstats answers and how a sample is built from it is in task_sweep.cpp.
#include "vigil/collect/task_sweep.hpp"

#include "vigil/collect/proc_parsers.hpp"
#include "vigil/core/memory.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vigil {
namespace {

// "PID/task" in buf, as a view into it.
std::string_view task_dir(pid_t pid, char (&buf)[32]) {
    auto [end, ec] = std::to_chars(buf, buf + 16, pid);
    static constexpr std::string_view suffix = "/task";
    std::copy(suffix.begin(), suffix.end(), end);
    return std::string_view(buf, static_cast<std::size_t>(end - buf) + suffix.size());
}

// "PID/task/PID/stat": the leader thread's own line. Its state is the one /proc/PID/stat
// shows (top's, without -H), but the kernel makes it without summing every thread's times
// and faults as it does for /proc/PID/stat.
std::string_view leader_stat(pid_t pid, char (&buf)[64]) {
    char* end = std::to_chars(buf, buf + 16, pid).ptr;
    static constexpr std::string_view mid = "/task/";
    end = std::copy(mid.begin(), mid.end(), end);
    end = std::to_chars(end, end + 16, pid).ptr;
    static constexpr std::string_view suffix = "/stat";
    end = std::copy(suffix.begin(), suffix.end(), end);
    return std::string_view(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace

void TaskSweep::list_all() {
    stats_ = {};
    ++sweep_no_;
    now_s_ = clock_.steady_s();
    boot_offset_ns_ = std::llround((clock_.boot_s() - now_s_) * 1e9);

    // The directories kept from the last sweep, within this sweep's budget; those past it
    // are closed (the limit was lowered) and looked at by path from now on.
    budget_ = dir_budget_;
    kept_dirs_ = 0;
    for (Process& p : procs_) {
        if (p.dir.valid()) {
            if (kept_dirs_ < budget_)
                ++kept_dirs_;
            else
                p.dir.close();
        }
        if (p.stat.valid()) {
            if (leader_state_ && kept_dirs_ < budget_)
                ++kept_dirs_;
            else
                p.stat = KeptFile();
        }
        if (p.io.valid()) {
            if (!activity_ && kept_dirs_ < budget_)
                ++kept_dirs_;
            else
                p.io = KeptFile();
        }
        // On, the I/O totals are not kept up to date: a reading from before is no baseline.
        if (activity_) p.io_known = false;
        // Off, the states are not kept up to date: read afresh once it is on again.
        if (!leader_state_) {
            p.state = '?';
            p.state_moved = true;
        }
    }

    if (!root_.valid()) root_ = KeptDir(proc_, "");
    // The root's link count first: a process born after it is read is not needed in this
    // sweep (it was not alive through all of it), one born before changes the count.
    const std::size_t root_links = root_.valid() ? root_.links() : proc_.links("");
    bool list = !root_complete_ || procs_.empty();
    for (Process& p : procs_) {
        open_and_stat(p);
        if (p.gone) list = true;
    }
    if (!list && root_links != root_base_links_ + procs_.size()) list = true;
    if (list) list_root(root_links);
    stats_.processes = procs_.size();

    for (Process& p : procs_)
        if (!p.gone && p.relist && !relist(p)) p.gone = true;
    for (const Process& p : procs_)
        if (!p.gone && !p.dir.valid()) ++stats_.unkept;
}

void TaskSweep::release_dirs() {
    // Fewer descriptors than the budget said (the limit was lowered, or something else holds
    // them): half of the kept directories go back, the rest of this sweep keeps no more.
    stats_.out_of_fds = true;
    const std::size_t keep = kept_dirs_ / 2;
    for (auto it = procs_.rbegin(); it != procs_.rend() && kept_dirs_ > keep; ++it) {
        if (it->stat.valid()) {
            it->stat = KeptFile();
            --kept_dirs_;
        }
        if (it->io.valid()) {
            it->io = KeptFile();
            --kept_dirs_;
        }
        if (!it->dir.valid()) continue;
        it->dir.close();
        --kept_dirs_;
    }
    budget_ = kept_dirs_;
}

void TaskSweep::read_states() {
    // After the queries: a process that ended since has no state to read, and stays '?'.
    // A leader that has not been scheduled since its state was read (no context switch, no
    // CPU time: see apply_thread_answer; or a process none of whose threads ran) is still
    // in that state, and is not read again: an idle farm of processes costs nothing here.
    for (Process& p : procs_) {
        if (p.gone) continue;
        if (!p.state_moved && p.state != '?') continue;
        ++stats_.state_reads;
        bool ok = p.stat.valid() && p.stat.read(stat_buf_);
        if (!ok) {
            // Not open yet (or its budget was taken back): kept while the budget allows,
            // else read by path. A leader that ended (ESRCH) is not opened again.
            const bool was_open = p.stat.valid();
            p.stat = KeptFile();
            if (was_open) {
                --kept_dirs_;
                p.state = '?';
                p.state_moved = true;
                continue;
            }
            char buf[64];
            const std::string_view rel = leader_stat(p.tgid, buf);
            if (kept_dirs_ < budget_) {
                p.stat = KeptFile(proc_, rel);
                if (p.stat.valid()) {
                    ++kept_dirs_;
                    ok = p.stat.read(stat_buf_);
                } else if (out_of_fds(errno)) {
                    stats_.out_of_fds = true;
                    budget_ = kept_dirs_;
                }
            }
            if (!p.stat.valid()) ok = proc_.read_into(rel, stat_buf_);
        }
        p.state = ok ? parse_stat_state(stat_buf_) : '?';
        p.state_moved = p.state == '?';
    }
}

void TaskSweep::list_root(std::size_t root_links) {
    stats_.root_listed = true;
    std::size_t other_dirs = 0;
    if (!root_.list_numeric(pids_, dents_, &other_dirs)) {
        root_.close();  // opened again next sweep
        // Listed once without keeping it; a failure for want of descriptors gives some back.
        KeptDir once(proc_, "");
        if (!once.valid() && out_of_fds(errno)) {
            release_dirs();
            once = KeptDir(proc_, "");
        }
        if (!once.valid() || !once.list_numeric(pids_, dents_, &other_dirs)) {
            // No list of processes this time: keep the one known (each of them is still
            // looked at and asked about) rather than take every process for gone.
            if (out_of_fds(errno)) stats_.out_of_fds = true;
            root_complete_ = false;
            return;
        }
    }
    root_base_links_ = 2 + other_dirs;
    root_complete_ = root_links == root_base_links_ + pids_.size();

    // Carry each process over (its open directory, its threads), in PID order; processes
    // no longer listed are dropped here, closing their directories.
    next_.clear();
    std::size_t j = 0;
    for (pid_t pid : pids_) {
        while (j < procs_.size() && procs_[j].tgid < pid) ++j;
        if (j < procs_.size() && procs_[j].tgid == pid) {
            next_.push_back(std::move(procs_[j++]));
        } else {
            Process& p = next_.emplace_back();
            p.tgid = pid;
            open_and_stat(p);
        }
    }
    procs_.swap(next_);
    next_.clear();
    order_valid_ = false;
}

void TaskSweep::open_and_stat(Process& p) {
    p.gone = p.relist = p.ask = false;
    char buf[32];
    const std::string_view rel = task_dir(p.tgid, buf);
    bool opened = false;  // a directory was opened just now: its listing is not known
    // Kept while the budget allows; past it (or out of descriptors) the directory is looked
    // at by path, which says as much except who holds the PID (the answers tell that), and
    // is listed when its thread count changes, as a kept one is.
    auto open_dir = [&] {
        if (kept_dirs_ >= budget_) return;
        p.dir = KeptDir(proc_, rel);
        if (p.dir.valid()) {
            opened = true;
            ++kept_dirs_;
        } else if (out_of_fds(errno)) {
            stats_.out_of_fds = true;
            budget_ = kept_dirs_;
        }
    };
    auto links_now = [&] { return p.dir.valid() ? p.dir.links() : proc_.links(rel); };
    const bool kept = p.dir.valid();
    if (!kept) open_dir();
    std::size_t links = links_now();
    if (links <= 2 && kept) {
        // The directory we kept belongs to a process that has ended; its PID being listed
        // again means a new process took it. Start that one from nothing.
        Process fresh;
        fresh.tgid = p.tgid;
        if (p.stat.valid()) --kept_dirs_;
        if (p.io.valid()) --kept_dirs_;
        p = std::move(fresh);
        --kept_dirs_;
        order_valid_ = false;
        open_dir();
        links = links_now();
    }
    if (links <= 2) {
        p.gone = true;
        order_valid_ = false;
        return;
    }
    if (opened || links - 2 != p.listed) p.relist = true;
}

bool TaskSweep::relist(Process& p) {
    ++stats_.listings;
    order_valid_ = false;
    // A directory not kept is opened for this listing only.
    KeptDir once;
    if (!p.dir.valid()) {
        char buf[32];
        const std::string_view rel = task_dir(p.tgid, buf);
        once = KeptDir(proc_, rel);
        if (!once.valid() && out_of_fds(errno)) {
            release_dirs();
            once = KeptDir(proc_, rel);
        }
        if (!once.valid()) {
            if (!out_of_fds(errno)) return false;  // gone
            // Not listed, and not gone either: its known threads (at least its leader) are
            // asked about, and it is listed again next sweep.
            stats_.out_of_fds = true;
            if (p.threads.empty()) p.threads.emplace_back().tid = p.tgid;
            p.listed = 0;
            return true;
        }
    }
    const KeptDir& dir = p.dir.valid() ? p.dir : once;
    // The thread count just before the walk tells a whole walk from a cut-short one.
    const std::size_t links = dir.links();
    if (links <= 2) return false;
    if (!dir.list_threads(tids_, tids2_, dents_, links - 2) || tids_.empty()) return false;
    p.listed = tids_.size();
    // Merge the listing into the threads we know. A known thread missing from the listing
    // is dropped only once it has answered ESRCH (or from another process) in this sweep:
    // the listing itself can skip a live thread, and the query settles it.
    std::vector<Thread>& old = p.threads;
    std::size_t keep = 0, k = 0;
    for (std::size_t i = 0; i < old.size(); ++i) {
        while (k < tids_.size() && tids_[k] < old[i].tid) ++k;
        const bool listed = k < tids_.size() && tids_[k] == old[i].tid;
        if (listed || (old[i].known && old[i].gone_in != sweep_no_)) {
            if (keep != i) old[keep] = std::move(old[i]);
            ++keep;
        }
    }
    old.resize(keep);
    // A process that had many more threads gives their room back (a listing is rare: only
    // when its thread set changed).
    if (ShrinkGuard::oversized(tids_.size(), old.capacity(), sizeof(Thread))) {
        old.shrink_to_fit();
        note_memory_released();
    }
    // Add the newcomers at the end, then restore tid order. Room for them first, with a
    // little slack, rather than doubling: 10 000 threads are kept.
    const std::size_t known = old.size();
    std::size_t newcomers = 0;
    k = 0;
    for (pid_t tid : tids_) {
        while (k < known && old[k].tid < tid) ++k;
        if (!(k < known && old[k].tid == tid)) ++newcomers;
    }
    if (old.capacity() < known + newcomers)
        old.reserve(known + newcomers + (known + newcomers) / 16);
    k = 0;
    for (pid_t tid : tids_) {
        while (k < known && old[k].tid < tid) ++k;
        if (k < known && old[k].tid == tid) continue;
        Thread& t = old.emplace_back();
        t.tid = tid;
    }
    std::inplace_merge(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(known), old.end(),
                       [](const Thread& a, const Thread& b) { return a.tid < b.tid; });
    return true;
}

}  // namespace vigil

namespace vigil {

bool TaskSweep::io_moved(Process& p) {
    if (p.io_denied) return true;
    ++stats_.io_reads;
    bool ok = p.io.valid() && p.io.read(stat_buf_);
    if (!ok && p.io.valid()) {
        // The process ended (ESRCH) or the read failed: its TGID answer settles which.
        p.io = KeptFile();
        --kept_dirs_;
        p.io_known = false;
        return true;
    }
    if (!ok) {
        char buf[32];
        char* end = std::to_chars(buf, buf + 16, p.tgid).ptr;
        static constexpr std::string_view suffix = "/io";
        end = std::copy(suffix.begin(), suffix.end(), end);
        const std::string_view rel(buf, static_cast<std::size_t>(end - buf));
        bool opened = false;
        if (kept_dirs_ < budget_) {
            p.io = KeptFile(proc_, rel);
            if (p.io.valid()) {
                ++kept_dirs_;
                opened = true;
                ok = p.io.read(stat_buf_);
            } else if (out_of_fds(errno)) {
                stats_.out_of_fds = true;
                budget_ = kept_dirs_;
            } else {
                // Another user's process without CAP_SYS_PTRACE (EACCES), or a tree without
                // io files: not tried again; its CPU says when its threads are asked.
                p.io_denied = true;
                return true;
            }
        }
        if (!opened) ok = proc_.read_into(rel, stat_buf_);
    }
    if (!ok) {
        p.io_known = false;
        return true;
    }
    auto io = parse_pid_io(stat_buf_);
    if (!io) {
        p.io_known = false;
        return true;
    }
    const IoTotals now{io->read_bytes, io->write_bytes, io->cancelled_write_bytes};
    const bool moved = !p.io_known || !(now == p.io_last);
    p.io_last = now;
    p.io_known = true;
    return moved;
}

bool TaskSweep::thread_set_changed(Process& p) {
    ++stats_.set_checks;
    p.set_check_s = now_s_;
    KeptDir once;
    if (!p.dir.valid()) {
        char buf[32];
        once = KeptDir(proc_, task_dir(p.tgid, buf));
        if (!once.valid()) return true;
    }
    const KeptDir& dir = p.dir.valid() ? p.dir : once;
    const std::size_t links = dir.links();
    if (links <= 2 || !dir.list_threads(tids_, tids2_, dents_, links - 2)) return true;
    if (tids_.size() != p.threads.size()) return true;
    for (std::size_t k = 0; k < tids_.size(); ++k)
        if (tids_[k] != p.threads[k].tid) return true;
    return false;
}

}  // namespace vigil
