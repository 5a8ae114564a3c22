#include "vigil/collect/task_collector.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "vigil/collect/system_info.hpp"

namespace vigil {
namespace {

// Appends the decimal form of v to s without a temporary string.
void append_int(std::string& s, long v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    s.append(digits, end);
}

// Files kept open for shown rows, at most: a batch run prints every row, and the fd limit
// is often 1024.
constexpr std::size_t max_kept_files = 512;
// The kernel keeps a task's full name (/proc/PID/task/TID/comm) under 64 bytes.
constexpr std::size_t kMaxCommBytes = 256;

}  // namespace

TaskCollector::TaskCollector(const FsRoot& proc, bool live, TaskstatsClient* taskstats,
                             const Clock& clock)
    : proc_(proc), live_(live), clk_tck_(clock.ticks_per_s() ? clock.ticks_per_s() : 100) {
    if (live && taskstats) sweep_ = std::make_unique<TaskSweep>(proc, *taskstats, clock);
    share_fd_budget();
}

TaskCollector::~TaskCollector() = default;

void TaskCollector::collect(std::vector<TaskSample>& out) {
    ++generation_;
    // Rows not shown in the last sample give their files back.
    std::erase_if(cmdlines_, [&](const auto& e) { return e.second.generation + 1 < generation_; });
    std::erase_if(comms_, [&](const auto& e) { return e.second.generation + 1 < generation_; });
    share_fd_budget();
    if (sweep_) {
        sweep_->collect(out);
    } else {
        collect_from_stat_files(out);
    }
}

void TaskCollector::collect_first(std::vector<TaskSample>& out, std::size_t asked) {
    if (!sweep_) return collect(out);
    ++generation_;
    share_fd_budget();
    sweep_->collect_first(out, asked);
}

// The descriptors vigil may keep (kept_fd_budget, as the limit is now): a quarter for the
// files of shown rows (512 at most), the rest for the sweep's process directories.
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
}

void TaskCollector::release_files() {
    ran_out_ = true;
    files_budget_ = 0;
    for (auto& [pid, c] : cmdlines_) c.file = KeptFile();
    for (auto& [tid, c] : comms_) c.file = KeptFile();
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
    if (cmdlines_.size() + comms_.size() <= files_budget_) {
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

void TaskCollector::fetch_details(const TaskSample& task, TaskDetail& out) {
    if (generation_ == 0) {
        // Details before any collect(): nothing to share them with.
        if (auto cmd = read_cmdline(proc_, task.tgid, buf_)) {
            out.cmdline = std::make_shared<const std::string>(std::move(cmd->text));
            out.cmdline_unread = cmd->unread;
        }
    } else {
        Cmdline& c = cmdlines_[task.tgid];
        if (c.generation != generation_) {
            c.generation = generation_;
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
                c.text.reset();
                c.unread = 0;
            }
        }
        out.cmdline = c.text;
        out.cmdline_unread = c.unread;
    }
    if (!live_) return;
    out.ioprio = read_ioprio(task.tid);
    if (!sweep_) return;
    // Without a command line the row shows the task's name. taskstats has the 15-byte
    // comm; /proc has the full name of kernel threads ("kworker/u8:2-events_unbound").
    if (out.cmdline && out.cmdline->empty()) {
        rel_.clear();
        append_int(rel_, task.tgid);
        rel_ += "/task/";
        append_int(rel_, task.tid);
        rel_ += "/comm";
        Comm& c = comms_[task.tid];
        c.generation = generation_;
        std::uint64_t length = 0;
        char last = 0;
        if (read_kept(c.file, rel_, kMaxCommBytes, buf_, length, last)) {
            if (!buf_.empty() && buf_.back() == '\n') buf_.pop_back();
            if (!buf_.empty() && buf_ != task.comm) out.name = buf_;
        }
    }
    // taskstats reported nice when the thread last ran; a renice since then does not wake
    // it, so ask for the shown rows. -1 is a valid nice: errno tells failure.
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(task.tid));
    if (errno == 0) out.nice = nice;
    if (row_state_ && task.state == '?') {
        rel_.clear();
        append_int(rel_, task.tgid);
        rel_ += "/task/";
        append_int(rel_, task.tid);
        rel_ += "/stat";
        if (proc_.read_into(rel_, buf_) && parse_pid_stat_into(buf_, stat_) &&
            stat_.pid == task.tid)
            out.state = stat_.state;
    }
}

}  // namespace vigil
