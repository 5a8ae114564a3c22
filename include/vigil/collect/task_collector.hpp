// TaskCollector: every process and every thread under a proc root, with the cheap fields
// (ids, uid, nice, start time, comm). Command lines and I/O priorities cost a read or a
// syscall per task, so they are fetched by fetch_details() only for rows that are shown.
//
// Two ways to the same result: with a taskstats client on the live /proc, TaskSweep takes
// every field, I/O counters included, from taskstats replies; otherwise (fixture trees, the
// unprivileged fallback) each thread's /proc stat file is read and the I/O source fills io.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/netlink/taskstats_client.hpp"
#include "vigil/collect/proc_parsers.hpp"
#include "vigil/collect/task_sweep.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

class TaskCollector {
  public:
    // live: proc is the running kernel's /proc, so syscalls such as ioprio_get() describe
    // the same tasks; false for fixture trees, where those details stay unknown.
    // taskstats (live only, may be null): the primary source of per-thread fields.
    // clock: for the taskstats sweep (see TaskSweep).
    TaskCollector(const FsRoot& proc, bool live, TaskstatsClient* taskstats = nullptr,
                  const Clock& clock = system_clock());
    ~TaskCollector();

    // Replaces out with the tasks present now, sorted by tid. A task that exits while it
    // is being read is left out silently.
    void collect(std::vector<TaskSample>& out);
    // For a first frame: with taskstats, only the `asked` lowest tids (and leaders of the
    // lowest processes) are asked about, the other threads have their ids only (see
    // TaskSweep::collect_first); without, the same as collect().
    void collect_first(std::vector<TaskSample>& out, std::size_t asked);

    // Whether collect() also fills io (taskstats), so no TaskIoSource::fill is needed.
    bool fills_io() const { return sweep_ != nullptr; }
    // With taskstats: when the last collect began reading counters (TaskSweep::counters_at_s).
    std::optional<double> counters_at_s() const {
        if (!sweep_) return std::nullopt;
        return sweep_->counters_at_s();
    }

    // Fetches parts of the details of one task of the last sample (a row about to be shown,
    // or every row when a sort needs a part):
    //  - kDetailRow: its process's command line (read once per process per sample and
    //    shared by its threads), and on the live system its I/O priority and nice value as
    //    they are now (renice and ionice change them without waking the task; kept and read
    //    again only past PrioCache's staleness bound), the full
    //    name of a kernel thread, and its state and priority if set_row_state(true);
    //  - kDetailStat: its state and priority, when the sample lacks them (taskstats): one
    //    /proc stat read;
    //  - kDetailMemory: its process's RES, VIRT and SHR (/proc/PID/statm);
    //  - kDetailSwap: its process's VmSwap (/proc/PID/status, which the kernel takes longer
    //    to write: only when asked).
    // The memory parts are read once per process per sample, shared by its threads, through
    // a file kept open while it is read each sample: one pread per process shown.
    void fetch_details(const TaskSample& task, TaskDetail& out, DetailParts parts = kDetailRow);

    // With taskstats the state letter (R, S, D, ...) is not known for free: it costs a /proc
    // stat read per shown row, so it is fetched only when a front end shows it. (A front
    // end may also ask for kDetailStat itself.)
    void set_row_state(bool on) { row_state_ = on; }
    // The state of every process (its leader thread's TaskSample::state), for the Tasks
    // header: free on the /proc path (every thread's state is read), a stat read per
    // process with taskstats (TaskSweep::set_leader_state), so off unless it is shown.
    void set_process_states(bool on) {
        if (sweep_) sweep_->set_leader_state(on);
    }
    // Whether every thread's TaskActivity (CPU time, faults, chars, switches) is needed:
    // free on the /proc path, a taskstats query per thread of every process that ran with
    // taskstats (TaskSweep::set_thread_activity), so off unless a front end uses it.
    void set_thread_activity(bool on) {
        if (sweep_) sweep_->set_thread_activity(on);
    }

    // Forgets the kept I/O priority and nice of a task (of every thread of process id with
    // whole_process), so the next fetch reads them now: after vigil changed them.
    void forget_prio(pid_t id, bool whole_process) { prio_.forget(id, whole_process); }
    // The kept I/O priorities and nice values (see PrioCache: their staleness bound).
    const PrioCache& prio_cache() const { return prio_; }

    // What the last taskstats sweep did; null without taskstats.
    const TaskSweep::Stats* sweep_stats() const { return sweep_ ? &sweep_->last_stats() : nullptr; }

    // How the open file limit shaped the work: the soft limit, the processes of the last
    // sweep whose directory was not kept open for want of budget (of how many), and
    // whether an open failed for want of descriptors at all (since the collector was made).
    // Descriptors kept across samples stay within kept_fd_budget(); past it, directories and
    // files are opened and closed as they are read: every task is still there.
    struct FdStats {
        std::size_t limit = 0;
        std::size_t unkept = 0;
        std::size_t processes = 0;
        bool ran_out = false;
    };
    FdStats fd_stats() const;

  private:
    void collect_from_stat_files(std::vector<TaskSample>& out);
    void share_fd_budget();
    // EMFILE and ENFILE: the kept files are closed, the budget for them is spent, and the
    // read or open is tried once more.
    void release_files();
    bool read_file(std::string_view rel, std::string& out);
    KeptDir open_dir(std::string_view rel);

    const FsRoot& proc_;
    const Clock& clock_;
    bool live_;
    std::uint64_t clk_tck_;  // the clock ticks of /proc/PID/stat's CPU times
    std::uint64_t ticks_to_us(std::uint64_t ticks) const {
        return ticks / clk_tck_ * 1'000'000 + ticks % clk_tck_ * 1'000'000 / clk_tck_;
    }
    bool row_state_ = false;
    std::unique_ptr<TaskSweep> sweep_;
    std::vector<pid_t> pids_;
    std::vector<pid_t> tids_, tids2_;
    std::vector<std::byte> dents_;
    std::string buf_;
    std::string rel_;
    PidStat stat_;

    // Command lines of shown processes: threads share theirs. The file stays open while
    // the process has a row shown, and is read again only past PrioCache's staleness bound
    // (a process may rewrite its command line, setproctitle(), without waking anyone), or
    // at once when the process is not the one read (its leader's start time or name
    // changed: a reused pid, an exec). Reading a command line walks the other process's
    // memory: at 500 processes shown that was a tenth of a refresh's CPU. Entries not used
    // in the last sample are dropped, closing the file.
    struct Cmdline {
        std::uint64_t generation = 0;  // the last sample that used it
        bool read = false;             // text holds a read (else read at the next use)
        double read_at_s = 0;          // the sample time (steady) of the read
        // The process read: its leader's start time and name, recorded at the sample after
        // the first read (then read again, so text is known to be of that process).
        bool known = false;
        std::uint64_t leader_start = 0;
        std::string leader_comm;
        std::shared_ptr<const std::string> text;  // null: unreadable (the process is gone)
        std::uint64_t unread = 0;                 // TaskDetail::cmdline_unread
        KeptFile file;
    };
    std::unordered_map<pid_t, Cmdline> cmdlines_;
    // After a sample: command lines of processes not (or no longer known to be) the ones
    // read are marked to be read again; see Cmdline.
    void check_cmdlines(const std::vector<TaskSample>& tasks);
    double sample_s_ = 0;  // steady time of the last collect()
    // The same for the full names (/proc/PID/task/TID/comm) of shown kernel threads, by tid.
    struct Comm {
        std::uint64_t generation = 0;
        KeptFile file;
    };
    std::unordered_map<pid_t, Comm> comms_;
    // The same for the stat files (state and priority) of shown rows, by tid.
    std::unordered_map<pid_t, Comm> stats_;
    // The I/O priority and nice of shown rows (live only), read again past a bound.
    PrioCache prio_;
    // The first `limit` bytes of the task's file /proc/TGID/task/TID/NAME into buf_, through
    // its entry in files (kept open, and marked used in this sample); length: the whole.
    bool read_task_file(std::unordered_map<pid_t, Comm>& files, const TaskSample& task,
                        std::string_view name, std::size_t limit, std::uint64_t& length);
    // The memory of shown processes (or of all, for a sort), by process: read_at is the
    // sample read in + 1 (0: never), for statm and status apart.
    struct Memory {
        std::uint64_t read_at = 0, swap_read_at = 0;
        std::optional<TaskMemory> mem;
        std::optional<std::uint64_t> swap_bytes;
        KeptFile statm, status;
    };
    std::unordered_map<pid_t, Memory> memories_;
    std::uint64_t page_size_;
    // ask_nice: call getpriority() (not when the stat line was read now).
    void fetch_row(const TaskSample& task, TaskDetail& out, bool ask_nice);
    // Whether it read the line now (and so set out.nice too).
    bool fetch_stat(const TaskSample& task, TaskDetail& out);
    void fetch_memory(const TaskSample& task, TaskDetail& out, DetailParts parts);
    bool swap_wanted_ = false;  // status files are kept this sample too
    // Whether some swap slot is in use (/proc/swaps), read once a sample when SWAP is
    // asked for: with none, every process's swap is 0 and no status file is read.
    bool swap_in_use(std::uint64_t now);
    KeptFile swaps_;
    std::uint64_t swaps_read_at_ = 0;
    bool swap_in_use_ = true;
    // The files kept (or to be kept) for shown rows: one per entry, two per process whose
    // swap is read as well.
    std::size_t kept_entries() const {
        return cmdlines_.size() + comms_.size() + stats_.size() +
               memories_.size() * (swap_wanted_ ? 2 : 1);
    }
    // The first `limit` bytes of rel, through file (kept open while there is room), with
    // the whole length and last byte (FsRoot::read_prefix).
    bool read_kept(KeptFile& file, std::string_view rel, std::size_t limit, std::string& out,
                   std::uint64_t& length, char& last);
    std::uint64_t generation_ = 0;  // samples collected; 0: collect() never ran
    std::size_t files_budget_ = 0;  // kept files allowed (see share_fd_budget)
    std::size_t fd_limit_ = 0;
    bool ran_out_ = false;
};

}  // namespace vigil
