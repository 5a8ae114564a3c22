#include "vigil/collect/task_collector.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>

#include "vigil/collect/system_info.hpp"

namespace vigil {
namespace {

// Appends the decimal form of v to s without a temporary string.
void append_int(std::string& s, long v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    s.append(digits, end);
}

// A stat line's priority (the parser keeps it to -101..39) as a task holds it.
std::optional<std::int8_t> to_priority(std::optional<int> p) {
    if (!p) return std::nullopt;
    return static_cast<std::int8_t>(*p);
}

// Files kept open for shown rows, at most: a batch run prints every row, and the fd limit
// is often 1024 (a quarter of the budget goes to them: about 250 there). Up to three per
// process (command line, statm, status) for 680 processes where the limit allows.
constexpr std::size_t max_kept_files = 2048;
// The kernel keeps a task's full name (/proc/PID/task/TID/comm) under 64 bytes.
constexpr std::size_t kMaxCommBytes = 256;
// A stat line is about 300 bytes (a 64-byte name and 52 numbers fit in 1 KiB).
constexpr std::size_t kMaxStatBytes = 2048;
// /proc/PID/status is 1.5 KiB or so; a long Groups line can make it longer.
constexpr std::size_t kMaxStatusBytes = 64 * 1024;
// /proc/swaps: a line per swap area (at most MAX_SWAPFILES, 32 or so).
constexpr std::size_t kMaxSwapsBytes = 64 * 1024;

}  // namespace

TaskCollector::TaskCollector(const FsRoot& proc, bool live, TaskstatsClient* taskstats,
                             const Clock& clock)
    : proc_(proc),
      clock_(clock),
      live_(live),
      clk_tck_(clock.ticks_per_s() ? clock.ticks_per_s() : 100),
      page_size_(static_cast<std::uint64_t>(std::max(::sysconf(_SC_PAGESIZE), 1L))) {
    if (live && taskstats) sweep_ = std::make_unique<TaskSweep>(proc, *taskstats, clock);
    share_fd_budget();
}

TaskCollector::~TaskCollector() = default;

void TaskCollector::collect(std::vector<TaskSample>& out) {
    ++generation_;
    // Rows not shown in the last sample give their files back.
    std::erase_if(cmdlines_, [&](const auto& e) { return e.second.generation + 1 < generation_; });
    std::erase_if(comms_, [&](const auto& e) { return e.second.generation + 1 < generation_; });
    std::erase_if(stats_, [&](const auto& e) { return e.second.generation + 1 < generation_; });
    std::erase_if(memories_, [&](const auto& e) {
        return std::max(e.second.read_at, e.second.swap_read_at) < generation_;
    });
    swap_wanted_ = false;
    share_fd_budget();
    if (sweep_) {
        sweep_->collect(out);
    } else {
        collect_from_stat_files(out);
    }
    sample_s_ = clock_.steady_s();
    prio_.start_sample(sample_s_);
    check_cmdlines(out);
}

void TaskCollector::check_cmdlines(const std::vector<TaskSample>& tasks) {
    // tasks is in tid order, and a leader's tid is its pid.
    auto by_tid = [](const TaskSample& t, pid_t tid) { return t.tid < tid; };
    for (auto& [pid, c] : cmdlines_) {
        if (!c.read) continue;
        auto it = std::lower_bound(tasks.begin(), tasks.end(), pid, by_tid);
        const TaskSample* leader = it != tasks.end() && it->tid == pid ? &*it : nullptr;
        if (!leader || leader->state == 'Z') {
            // The process is gone, or its leader is a zombie (its command line is empty
            // now; the /proc path and a sweep that reads leaders' states know it): read
            // again at each use, as before the bound.
            c.read = false;
            continue;
        }
        // Not named yet (named now, and read once more so the text is known to be its), or
        // another process with that pid, or an exec: read afresh. A reused pid's kept file
        // reads nothing, so it is opened again.
        const bool reused = c.known && c.leader_start != leader->start_ticks;
        if (!c.known || reused || c.leader_comm != leader->comm) {
            c.known = true;
            c.leader_start = leader->start_ticks;
            c.leader_comm = leader->comm;
            c.read = false;
            if (reused) c.file = KeptFile();
        }
    }
}

void TaskCollector::collect_first(std::vector<TaskSample>& out, std::size_t asked) {
    if (!sweep_) return collect(out);
    ++generation_;
    share_fd_budget();
    sweep_->collect_first(out, asked);
    sample_s_ = clock_.steady_s();
    prio_.start_sample(sample_s_);
    check_cmdlines(out);
}

// The descriptors vigil may keep (kept_fd_budget, as the limit is now): a quarter for the
// files of shown rows (max_kept_files at most), the rest for the sweep's process
// directories.
void TaskCollector::share_fd_budget() {
    const std::size_t budget = kept_fd_budget();
    fd_limit_ = open_file_limit();
    files_budget_ = std::min(max_kept_files, budget / 4);
    if (sweep_) sweep_->set_fd_budget(budget - files_budget_);
    // Files past a budget that shrank are closed.
    std::size_t open = 0;
    auto trim = [&](KeptFile& f) {
        if (f.valid() && ++open > files_budget_) f = KeptFile();
    };
    for (auto& [pid, c] : cmdlines_) trim(c.file);
    for (auto& [tid, c] : comms_) trim(c.file);
    for (auto& [tid, c] : stats_) trim(c.file);
    for (auto& [pid, m] : memories_) {
        trim(m.statm);
        trim(m.status);
    }
}

void TaskCollector::release_files() {
    ran_out_ = true;
    files_budget_ = 0;
    for (auto& [pid, c] : cmdlines_) c.file = KeptFile();
    swaps_ = KeptFile();
    for (auto& [tid, c] : comms_) c.file = KeptFile();
    for (auto& [tid, c] : stats_) c.file = KeptFile();
    for (auto& [pid, m] : memories_) {
        m.statm = KeptFile();
        m.status = KeptFile();
    }
}

bool TaskCollector::read_file(std::string_view rel, std::string& out) {
    if (proc_.read_into(rel, out)) return true;
    if (!out_of_fds(errno)) return false;
    // Not a descriptor to spare: the kept files go back, and the read is tried once more.
    release_files();
    return proc_.read_into(rel, out);
}

KeptDir TaskCollector::open_dir(std::string_view rel) {
    KeptDir dir(proc_, rel);
    if (dir.valid() || !out_of_fds(errno)) return dir;
    release_files();
    return KeptDir(proc_, rel);
}

bool TaskCollector::read_kept(KeptFile& file, std::string_view rel, std::size_t limit,
                              std::string& out, std::uint64_t& length, char& last) {
    if (file.valid() && file.read_prefix(limit, out, length, last)) return true;
    // Not open yet, or its task is gone (the id may belong to another task by now).
    if (kept_entries() <= files_budget_) {
        file = KeptFile(proc_, rel);
        if (file.valid()) return file.read_prefix(limit, out, length, last);
        if (!out_of_fds(errno)) return false;
        // Fewer descriptors than the budget said: read it without keeping it.
        ran_out_ = true;
        files_budget_ = 0;
    }
    file = KeptFile();
    if (proc_.read_prefix(rel, limit, out, length, last)) return true;
    if (!out_of_fds(errno)) return false;
    release_files();
    return proc_.read_prefix(rel, limit, out, length, last);
}

TaskCollector::FdStats TaskCollector::fd_stats() const {
    FdStats s;
    s.limit = fd_limit_;
    s.ran_out = ran_out_;
    if (const TaskSweep::Stats* st = sweep_stats()) {
        s.unkept = st->unkept;
        s.processes = st->processes;
        s.ran_out = s.ran_out || st->out_of_fds;
    }
    return s;
}

void TaskCollector::collect_from_stat_files(std::vector<TaskSample>& out) {
    out.clear();
    pids_.clear();
    if (KeptDir root = open_dir(""); root.valid()) (void)root.list_numeric(pids_, dents_);
    for (pid_t pid : pids_) {
        // The real uid is per process (threads share credentials in practice).
        rel_.clear();
        append_int(rel_, pid);
        const std::size_t pid_len = rel_.size();
        rel_ += "/status";
        if (!read_file(rel_, buf_)) continue;  // exited since the listing
        auto uid = parse_status_uid(buf_);
        if (!uid) continue;

        rel_.resize(pid_len);
        rel_ += "/task";
        tids_.clear();
        if (KeptDir dir = open_dir(rel_); dir.valid()) {
            // On /proc the link count is 2 + the thread count (see list_threads); on other
            // file systems it does not match, and the directory is simply read twice.
            const std::size_t links = dir.links();
            (void)dir.list_threads(tids_, tids2_, dents_, links > 2 ? links - 2 : 0);
        }
        for (pid_t tid : tids_) {
            rel_.resize(pid_len);
            rel_ += "/task/";
            append_int(rel_, tid);
            rel_ += "/stat";
            if (!read_file(rel_, buf_)) continue;
            if (!parse_pid_stat_into(buf_, stat_) || stat_.pid != tid) continue;
            TaskSample& t = out.emplace_back();
            t.tid = tid;
            t.tgid = pid;
            t.ppid = stat_.ppid;
            t.uid = *uid;
            t.state = stat_.state;
            t.nice = stat_.nice;
            t.priority = to_priority(stat_.priority);
            t.start_ticks = stat_.start_ticks;
            t.comm = stat_.comm;
            // CPU time and faults from the same line; chars and syscalls come from the io
            // file (ProcPidIo); no CPU delay or context switches here.
            TaskActivity& act = t.activity.emplace();
            act.user_us = ticks_to_us(stat_.utime);
            act.system_us = ticks_to_us(stat_.stime);
            act.minor_faults = stat_.minflt;
            act.major_faults = stat_.majflt;
        }
    }
    // /proc lists processes in PID order and each task dir in TID order, but threads of a
    // process can have TIDs above later PIDs; the model wants one tid order.
    std::sort(out.begin(), out.end(),
              [](const TaskSample& a, const TaskSample& b) { return a.tid < b.tid; });
    // A thread can in rare races be seen under two listings; keep one.
    out.erase(std::unique(out.begin(), out.end(),
                          [](const TaskSample& a, const TaskSample& b) { return a.tid == b.tid; }),
              out.end());
}

void TaskCollector::fetch_details(const TaskSample& task, TaskDetail& out, DetailParts parts) {
    // The stat line also holds the nice value as it is now: read, it spares the row its
    // getpriority() call.
    bool nice_read = false;
    if ((parts & kDetailStat) || ((parts & kDetailRow) && row_state_ && sweep_))
        nice_read = fetch_stat(task, out);
    if (parts & kDetailRow) fetch_row(task, out, !nice_read);
    if (parts & (kDetailMemory | kDetailSwap)) fetch_memory(task, out, parts);
}

void TaskCollector::fetch_row(const TaskSample& task, TaskDetail& out, bool ask_nice) {
    if (generation_ == 0) {
        // Details before any collect(): nothing to share them with.
        if (auto cmd = read_cmdline(proc_, task.tgid, buf_)) {
            out.cmdline = std::make_shared<const std::string>(std::move(cmd->text));
            out.cmdline_unread = cmd->unread;
        }
    } else {
        Cmdline& c = cmdlines_[task.tgid];
        if (c.generation != generation_ && (!c.read || sample_s_ - c.read_at_s > prio_.bound_s())) {
            c.read = true;
            c.read_at_s = sample_s_;
            rel_.clear();
            append_int(rel_, task.tgid);
            rel_ += "/cmdline";
            // Its first kCommandMaxBytes only, however long it is: that is all any front end
            // shows, and a command line can be megabytes.
            std::uint64_t length = 0;
            char last = 0;
            if (read_kept(c.file, rel_, kCommandMaxBytes, buf_, length, last)) {
                CmdlineText cmd = parse_cmdline_prefix(buf_, length, last);
                c.text = std::make_shared<const std::string>(std::move(cmd.text));
                c.unread = cmd.unread;
            } else {
                // Unreadable (gone, or out of descriptors): tried again at the next use.
                c.text.reset();
                c.unread = 0;
                c.read = false;
            }
        }
        c.generation = generation_;
        out.cmdline = c.text;
        out.cmdline_unread = c.unread;
    }
    if (!live_) return;
    // taskstats reported nice when the thread last ran; a renice since then does not wake
    // it, so ask for the shown rows (on the /proc path the stat line was read now). Both
    // values are kept within the staleness bound (PrioCache): a syscall each, per row.
    const bool need_nice = sweep_ && ask_nice;
    const PrioValues& prio = prio_.get(task, need_nice, [&](PrioValues& v) {
        v.ioprio = read_ioprio(task.tid);
        if (!need_nice) return;
        v.has_nice = true;
        // -1 is a valid nice: errno tells failure.
        errno = 0;
        const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(task.tid));
        if (errno == 0) v.nice = nice;
    });
    out.ioprio = prio.ioprio;
    if (!sweep_) return;
    // Without a command line the row shows the task's name. taskstats has the 15-byte
    // comm; /proc has the full name of kernel threads ("kworker/u8:2-events_unbound").
    if (out.cmdline && out.cmdline->empty()) {
        std::uint64_t length = 0;
        if (read_task_file(comms_, task, "comm", kMaxCommBytes, length)) {
            if (!buf_.empty() && buf_.back() == '\n') buf_.pop_back();
            if (!buf_.empty() && buf_ != task.comm) out.name = buf_;
        }
    }
    if (need_nice && prio.nice) out.nice = prio.nice;
}

bool TaskCollector::read_task_file(std::unordered_map<pid_t, Comm>& files, const TaskSample& task,
                                   std::string_view name, std::size_t limit,
                                   std::uint64_t& length) {
    rel_.clear();
    append_int(rel_, task.tgid);
    rel_ += "/task/";
    append_int(rel_, task.tid);
    rel_ += '/';
    rel_ += name;
    Comm& kept = files[task.tid];
    kept.generation = generation_;
    char last = 0;
    return read_kept(kept.file, rel_, limit, buf_, length, last);
}

bool TaskCollector::fetch_stat(const TaskSample& task, TaskDetail& out) {
    // The /proc path sampled both from this very file.
    if (task.state != '?' && task.priority) return false;
    // Kept open while the row is shown, as its command line: one pread a sample.
    std::uint64_t length = 0;
    if (read_task_file(stats_, task, "stat", kMaxStatBytes, length) && length == buf_.size() &&
        parse_pid_stat_into(buf_, stat_) && stat_.pid == task.tid) {
        out.state = stat_.state;
        out.priority = to_priority(stat_.priority);
        if (live_) {
            out.nice = stat_.nice;
            return true;
        }
    }
    return false;
}

bool TaskCollector::swap_in_use(std::uint64_t now) {
    if (swaps_read_at_ != now) {
        swaps_read_at_ = now;
        // Unreadable or not understood: in use, so that status is read as before.
        swap_in_use_ = true;
        std::uint64_t length = 0;
        char last = 0;
        if (read_kept(swaps_, "swaps", kMaxSwapsBytes, buf_, length, last) && length == buf_.size())
            swap_in_use_ = parse_swaps_in_use(buf_).value_or(true);
    }
    return swap_in_use_;
}

void TaskCollector::fetch_memory(const TaskSample& task, TaskDetail& out, DetailParts parts) {
    Memory& m = memories_[task.tgid];
    const std::uint64_t now = generation_ + 1;
    std::uint64_t length = 0;
    char last = 0;
    if ((parts & kDetailMemory) && m.read_at != now) {
        m.read_at = now;
        m.mem.reset();
        rel_.clear();
        append_int(rel_, task.tgid);
        rel_ += "/statm";
        // Seven numbers: 128 bytes hold them (a statm past that would be cut, and refused).
        if (read_kept(m.statm, rel_, 128, buf_, length, last) && length == buf_.size()) {
            if (auto st = parse_statm(buf_)) {
                // Pages past 2^64 bytes are not memory but damage: unknown, never wrapped.
                const std::uint64_t most = std::numeric_limits<std::uint64_t>::max() / page_size_;
                if (st->resident_pages <= most && st->size_pages <= most &&
                    st->shared_pages <= most)
                    m.mem = TaskMemory{st->resident_pages * page_size_, st->size_pages * page_size_,
                                       st->shared_pages * page_size_};
            }
        }
    }
    if (parts & kDetailSwap) swap_wanted_ = true;
    if ((parts & kDetailSwap) && m.swap_read_at != now) {
        m.swap_read_at = now;
        m.swap_bytes.reset();
        rel_.clear();
        append_int(rel_, task.tgid);
        rel_ += "/status";
        if (!swap_in_use(now)) {
            // Nothing is swapped out anywhere: 0 for a process that exists (its statm was
            // read, when asked for with it), without the status file (the dearest file of
            // a process to read: the kernel prints its signal masks and CPU lists).
            if (!(parts & kDetailMemory) || m.mem) m.swap_bytes = 0;
        } else if (read_kept(m.status, rel_, kMaxStatusBytes, buf_, length, last)) {
            if (auto kib = parse_status_swap_kib(buf_);
                kib && *kib <= std::numeric_limits<std::uint64_t>::max() / 1024)
                m.swap_bytes = *kib * 1024;
        }
    }
    if (parts & kDetailMemory) out.memory = m.mem;
    if (parts & kDetailSwap) out.swap_bytes = m.swap_bytes;
}

}  // namespace vigil
