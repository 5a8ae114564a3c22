// TaskSweep: every thread of the live system, with taskstats as the primary source. One
// taskstats reply carries a thread's comm, uid, ppid, tgid, nice, start time and I/O
// counters, so no per-thread /proc file is read. What is left of /proc is the task list, and
// that is kept cheap: each /proc/PID/task directory stays open and is listed again only when
// its link count (2 + the thread count) changes, or a thread answers ESRCH or from another
// process. Processes whose threads cannot have changed since the last sweep (a TGID query
// shows none of them ran) are not asked about thread by thread at all.
//
// Costs per sweep: one fstat() per process, one TGID query per multi-threaded process, one
// thread query per thread of a process that ran (queries go 64 to a send()), and a listing
// only for processes whose thread set changed. When no front end needs the threads' CPU and
// activity counters (set_thread_activity(false): iotop's columns), "ran" narrows to "did I/O
// or waited on it": a process that ran costs one pread() of its kept /proc/PID/io instead of
// a query per thread, unless its I/O totals or its delays (the TGID reply's block I/O and
// swap-in counts) moved. /proc/PID/io sums the live threads and the exited ones (checked
// on Linux 6.18: after threads that wrote exit, the process's write_bytes keeps their bytes
// while the live threads' sum drops), so it cannot stand still while a thread's counters
// move; the TGID reply does not carry I/O bytes at all. A process that ran without I/O may
// also have replaced a thread at the same count (the link count cannot tell): its listing is
// compared with the threads known at most once per hot_window_s. The proc root itself is listed
// only when the process count (its link count) or a death says the set of processes changed.
// taskstats has no task state: with set_leader_state(true) (a front end shows the Tasks header)
// each process's leader's /proc/PID/task/PID/stat is read too, one pread() of a kept file.
//
// The kept directories are bounded by a descriptor budget (set_fd_budget): past it a
// process's directory is looked at by path (fstatat) and opened only to be listed. An open
// that fails for want of descriptors (EMFILE, ENFILE) never makes a process "gone": the
// sweep gives kept directories back and tries again, and failing that keeps what it knew.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/netlink/taskstats_client.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

class TaskSweep {
  public:
    // What the last sweep did, for benchmarks and tests.
    struct Stats {
        std::size_t processes = 0;
        std::size_t threads = 0;          // threads in the result
        std::size_t process_queries = 0;  // TGID queries
        std::size_t thread_queries = 0;   // PID queries
        std::size_t listings = 0;         // /proc/PID/task directories read
        std::size_t idle_processes = 0;   // multi-threaded processes whose threads were reused
        bool root_listed = false;         // the proc root was read
        std::size_t unkept = 0;  // processes whose directory is not kept open (past the budget)
        std::size_t state_reads = 0;  // leaders' stat files read (set_leader_state)
        std::size_t io_reads = 0;     // /proc/PID/io read (set_thread_activity(false))
        std::size_t io_skipped = 0;   // processes that ran but whose I/O and delays stood still
        std::size_t set_checks = 0;   // listings read only to check a thread set (see above)
        bool out_of_fds = false;      // an open failed for want of descriptors (EMFILE, ENFILE)
    };

    // proc must be the running kernel's /proc (link counts and taskstats describe the same
    // tasks); all three must outlive the sweep. clock: the monotonic and boot-time clocks
    // the kernel's answers are compared with, and USER_HZ.
    TaskSweep(const FsRoot& proc, TaskstatsClient& taskstats, const Clock& clock = system_clock());

    // Replaces out with every thread alive now, sorted by tid, each once. Fields filled:
    // tid, tgid, ppid, uid, nice, start_ticks, comm, io; state stays '?' (but see
    // set_leader_state), cmdline and ioprio unset. A thread alive for the whole sweep is
    // never missing, with one bound without set_thread_activity: a thread that replaced
    // another at the same count in a process that did no I/O is found within hot_window_s.
    void collect(std::vector<TaskSample>& out);

    // A cheap first look for a first frame, which has no rates yet, so its rows are the
    // lowest ids: lists every thread as collect() does but asks taskstats only about the
    // `asked` lowest tids and the leaders of the `asked` lowest processes. The other threads
    // are in out too, with their ids only (comm empty, io unset): the counts are right and
    // they sort after the rows asked about. The next collect() asks about every thread.
    void collect_first(std::vector<TaskSample>& out, std::size_t asked);

    const Stats& last_stats() const { return stats_; }
    // When the last sweep began reading counters (steady clock): after the listing, which
    // on a loaded machine can take longer than the reads themselves. A snapshot stamped
    // then has rates over the interval between the reads, not between the listings' starts.
    double counters_at_s() const { return counters_at_s_; }

    // Whether each sweep also reads the state of every process's leader thread (the
    // process's state as top shows it without -H) into its TaskSample::state; other
    // threads keep '?'. One pread() of a stat file kept open (counted in the descriptor
    // budget; past it, opened and closed per read) per process whose leader was scheduled
    // since its state was last read: a leader that neither switched out nor ran (its
    // taskstats counters, or its process's, stood still) is in the state read then. Off
    // by default, as it costs a syscall per busy process: paid only when a front end shows
    // the Tasks header.
    void set_leader_state(bool on) { leader_state_ = on; }

    // Whether a front end needs every thread's CPU and activity counters (TaskActivity: CPU
    // time, faults, chars, switches, CPU delay) kept current: a column shown or sorted, a
    // filter, the tree, a recording, the exporter. On by default. Off, a process is asked
    // about thread by thread only when its I/O moved (its /proc/PID/io, one pread() of a kept
    // file, read only for a process that ran in the last hot_window_s), or its delays moved
    // (the TGID reply's block I/O and swap-in counts and delays), or its thread set may have
    // changed; a process that only ran keeps its threads' last answers, which still hold
    // their I/O counters and delays exactly (they did not move). TaskSample::activity is
    // then unset for every thread (it could be stale). On again, the threads of a process
    // that ran while it was off are asked at the next sweep.
    void set_thread_activity(bool on) { activity_ = on; }

    // How many /proc/PID/task directories (and, with set_leader_state, leaders' stat files)
    // may stay open from one sweep to the next (see kept_fd_budget); the next sweep closes
    // any past it. Default: no bound.
    void set_fd_budget(std::size_t dirs) { dir_budget_ = dirs; }

    // How long a process whose activity counters moved keeps being asked thread by thread
    // even if they then stand still. Activity counters advance at scheduler ticks, and a
    // tickless CPU still gets one a second, so 2 s covers any thread that is really running.
    static constexpr double hot_window_s = 2.0;

  private:
    // Activity counters of a whole process (a TGID reply). Equal values in two sweeps mean
    // none of its threads was scheduled, ran, or finished waiting for I/O in between: the
    // per-thread counters read earlier are still exact.
    struct Fingerprint {
        std::uint64_t cpu_count = 0, run_real = 0, run_virtual = 0, nvcsw = 0, nivcsw = 0;
        std::uint64_t blkio_count = 0, blkio_delay = 0, swapin_count = 0, swapin_delay = 0;
        bool operator==(const Fingerprint&) const = default;
        // The delay part: with kernel.task_delayacct off it never moves.
        bool same_delays(const Fingerprint& o) const {
            return blkio_count == o.blkio_count && blkio_delay == o.blkio_delay &&
                   swapin_count == o.swapin_count && swapin_delay == o.swapin_delay;
        }
    };
    // A whole process's storage I/O (/proc/PID/io: its live threads' and its exited ones').
    struct IoTotals {
        std::uint64_t read = 0, write = 0, cancelled = 0;
        bool operator==(const IoTotals&) const = default;
    };

    // What a thread's last answer said, kept compact: 10 000 of these stay in memory.
    struct Thread {
        pid_t tid = 0;
        pid_t ppid = 0;
        uid_t uid = 0;
        std::int8_t nice = 0;
        bool known = false;   // has had an answer
        bool fresh = false;   // part of this sweep's result
        bool has_io = false;  // the counters below are from an answer (else: unknown)
        bool delays_tracked = false;
        std::uint8_t comm_len = 0;
        std::uint32_t gone_in = 0;    // the sweep in which it answered ESRCH or from elsewhere
        std::array<char, 31> comm{};  // ac_comm is at most 31 bytes
        std::uint64_t start_ticks = 0;
        // CLOCK_MONOTONIC bounds (ns) of the thread's start, narrowed by every answer. Two
        // answers whose bounds do not meet are two different threads under one tid.
        std::int64_t start_lo_ns = 0, start_hi_ns = 0;
        std::uint64_t read_bytes = 0, write_bytes = 0, cancelled_write_bytes = 0;
        std::uint64_t blkio_delay_ns = 0, swapin_delay_ns = 0;
        TaskActivity activity;  // CPU time, faults, chars, syscalls, switches
    };

    struct Process {
        pid_t tgid = 0;
        KeptDir dir;                  // /proc/PID/task
        KeptFile stat;                // /proc/PID/task/PID/stat (set_leader_state)
        KeptFile io;                  // /proc/PID/io (set_thread_activity(false))
        char state = '?';             // the leader's, as last read
        bool state_moved = true;      // the leader may have changed state since it was read
        std::size_t listed = 0;       // threads in the last listing of dir
        std::vector<Thread> threads;  // sorted by tid
        Fingerprint fp;
        bool fp_known = false;
        double hot_until_s = 0;  // steady clock
        IoTotals io_last;        // /proc/PID/io as last read
        bool io_known = false;   // io_last holds a reading
        bool io_denied = false;  // its io may not be read (ptrace rules): not tried again
        // Its threads' TaskActivity is older than its last run (it ran while they were not
        // asked: set_thread_activity(false)).
        bool activity_stale = false;
        double set_check_s = 0;  // steady clock of its last thread set check
        // The TGID reply's elapsed time: the sum over its live threads of (now - start), in
        // µs, with the request's bracket and the thread count then. Between two replies it
        // grows by the count times the time between them, unless the set of threads changed.
        std::uint64_t etime_us = 0;
        std::int64_t etime_asked_ns = 0, etime_answered_ns = 0;
        std::size_t etime_threads = 0;  // 0: no reply to compare with
        bool gone = false;              // vanished during this sweep
        bool relist = false;            // its listing is stale
        bool ask = false;               // its threads are asked about this sweep
    };

    void open_and_stat(Process& p);
    void release_dirs();
    void list_root(std::size_t root_links);
    bool relist(Process& p);
    void query_processes();
    void list_all();
    void query_threads(bool only_unknown);
    void query_lowest(std::size_t asked);
    void ask_threads();  // about ids_ (asked_ says which thread each is)
    void apply_thread_answer(Process& p, Thread& t, const TaskstatsAnswer& a);
    void apply_answer(Process& p, Thread& t, const TaskstatsAnswer& a);
    void read_states();
    bool io_moved(Process& p);
    bool thread_set_changed(Process& p);
    static bool etime_agrees(Process& p, const TaskstatsAnswer& a);
    void close_io_files();
    void build(std::vector<TaskSample>& out, bool with_unasked = false);

    const FsRoot& proc_;
    TaskstatsClient& taskstats_;
    const Clock& clock_;
    double counters_at_s_ = 0;
    KeptDir root_;  // the proc root
    // Its link count is 2 + its other subdirectories + the number of processes (all of the
    // machine's, even those a PID namespace or hidepid hides from the listing). When the last
    // listing agreed with that count, the listing shows every process, and an unchanged
    // count with no known process dead means no process was born either.
    std::size_t root_base_links_ = 0;
    bool root_complete_ = false;
    std::uint64_t clk_tck_ = 100;
    double now_s_ = 0;                 // steady clock at the start of this sweep
    std::int64_t boot_offset_ns_ = 0;  // CLOCK_BOOTTIME - CLOCK_MONOTONIC (time suspended)

    bool leader_state_ = false;
    bool activity_ = true;
    std::size_t dir_budget_ = static_cast<std::size_t>(-1);
    std::size_t budget_ = 0;     // this sweep's: dir_budget_, less what EMFILE took back
    std::size_t kept_dirs_ = 0;  // process directories and stat files open (at most)
    std::string stat_buf_;

    std::vector<Process> procs_, next_;  // sorted by tgid; next_ is the merge's scratch
    bool order_valid_ = false;           // order_ still matches procs_ (no thread set changed)
    struct Slot {
        pid_t tid;
        std::uint32_t proc, thread;
    };
    std::vector<Slot> order_;  // every fresh thread, by tid

    // Scratch reused by every sweep so the steady state does not allocate.
    std::uint32_t sweep_no_ = 0;  // sweeps so far
    std::vector<pid_t> pids_, tids_, tids2_, ids_;
    std::vector<std::byte> dents_;
    std::vector<TaskstatsAnswer> answers_;
    std::vector<Slot> asked_;  // which thread each of ids_ is
    Stats stats_;
};

}  // namespace vigil
