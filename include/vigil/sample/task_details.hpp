// TaskDetails: what is fetched only for the tasks a front end shows (and those a recording
// keeps), since each costs a read or a syscall: command line, I/O priority, nice, state and
// priority as they are now, the full name of a kernel thread, the process's memory, and
// user names. They are fetched by the
// snapshot's source in an explicit step between ranking the rows and building them, and
// kept here, beside the snapshot: a snapshot is never changed once taken.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/core/memory.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// How much of a command line is read and shown, in bytes. A longer one is read only this
// far (the rest is counted, not read), and the COMMAND cell of every front end (text, the
// view, CSV, JSON) holds at most this many bytes of escaped text, then "...[+N bytes]" with
// the bytes not shown: a 2 MB command line costs 4 KiB per process, not 2 MB per thread.
inline constexpr std::size_t kCommandMaxBytes = 4096;

// A process's memory (/proc/PID/statm, as top reads it), in bytes; its threads share it.
// A task without an address space (a kernel thread, a zombie) has 0 of each: that is true.
struct TaskMemory {
    std::uint64_t rss_bytes = 0;     // RES: resident (anonymous, file and shared memory)
    std::uint64_t virt_bytes = 0;    // VIRT: the whole address space
    std::uint64_t shared_bytes = 0;  // SHR: resident file-backed and shared memory
};

// The parts of a TaskDetail, fetched separately: a row shown needs those of its columns,
// and a sort by a column the sample lacks needs that column's part for every row.
using DetailParts = std::uint8_t;
inline constexpr DetailParts kDetailRow = 1;     // command line, I/O priority, nice, name
inline constexpr DetailParts kDetailStat = 2;    // state and priority (a /proc stat read)
inline constexpr DetailParts kDetailMemory = 4;  // RES, VIRT, SHR (statm, once per process)
inline constexpr DetailParts kDetailSwap = 8;    // SWAP (status, once per process)

struct TaskDetail {
    // The process's command line, raw bytes with NULs as spaces; threads of one process
    // share it. Empty text: the task has none (a kernel thread or a zombie). Null: unknown
    // (the process is gone, or the source could not read it).
    std::shared_ptr<const std::string> cmdline;
    // Bytes of the command line past those in cmdline, which were not read (it was longer
    // than kCommandMaxBytes); 0: cmdline is all of it.
    std::uint64_t cmdline_unread = 0;
    std::optional<IoPrio> ioprio;  // unknown: not readable (gone, or not the live system)
    std::optional<int> nice;       // as it is now (a renice does not wake a task); else sampled
    char state = 0;                // as it is now (R, S, D, ...); 0: as sampled
    // The scheduling priority as /proc stat gives it now (top's PR: 20 + nice, below 0 for
    // real-time tasks); unknown: as sampled (TaskSample::priority).
    std::optional<std::int8_t> priority;
    DetailParts fetched = 0;           // the parts fetched so far
    std::string name;                  // the full name of a kernel thread; empty: the comm sampled
    std::optional<TaskMemory> memory;  // its process's; unknown: gone, or not fetched
    std::optional<std::uint64_t> swap_bytes;  // its process's VmSwap; likewise
};

class TaskDetails {
  public:
    // For a snapshot of this many tasks; forgets every detail and user name. Gives back the
    // memory of a peak once the tasks have stayed far fewer for a while (ShrinkGuard).
    void reset(std::size_t tasks);
    // The details of Snapshot::tasks[task], or null when none were fetched.
    const TaskDetail* find(std::size_t task) const {
        return task < slot_.size() && slot_[task] ? &details_[slot_[task] - 1] : nullptr;
    }
    // The details of a task, created empty when it has none yet.
    TaskDetail& set(std::size_t task);
    // Makes a task's details unknown again, so the next fetch reads them anew (after an
    // ionice changed its priority).
    void forget(std::size_t task);
    std::size_t count() const { return count_; }

    // User names of the tasks shown, as the source knows them (the user database, or the
    // names a recording kept). Null when not fetched.
    const std::string* user_name(uid_t uid) const;
    void set_user_name(uid_t uid, std::string name);
    bool has_user_name(uid_t uid) const { return users_.count(uid) != 0; }

  private:
    std::vector<std::uint32_t> slot_;  // per task: 1 + its index in details_, 0: none
    std::vector<TaskDetail> details_;
    std::size_t count_ = 0;
    std::unordered_map<uid_t, std::string> users_;
    ShrinkGuard slot_guard_, details_guard_;
};

// I/O priority and nice of the rows shown, as they are now (ionice and renice change them
// without waking a task, so a sample does not see it): a syscall each per row, so they are
// kept per task and read again only when older than the staleness bound, the longer of
// kPrioMaxAgeS and the last interval between samples. A value shown is thus at most one
// refresh or 2 s old, whichever is longer; an ionice or renice from vigil itself forgets the
// task's values, so the next fetch reads them at once. A task is known by its tid and start
// time: a reused tid starts afresh. Entries past the bound (they would be read again
// anyway) leave at each sample, so those of tasks gone leave within two samples: the
// entries are at most the rows shown in the last two samples.
inline constexpr double kPrioMaxAgeS = 2.0;

struct PrioValues {
    std::optional<IoPrio> ioprio;  // unknown: the read failed (the task is gone)
    std::optional<int> nice;       // unknown: not asked (has_nice false) or the read failed
    bool has_nice = false;         // nice was asked for
};

class PrioCache {
  public:
    // A sample taken at now_s (a steady clock): the bound follows the interval since the
    // last sample, and entries past it are dropped.
    void start_sample(double now_s);
    double bound_s() const { return bound_s_; }
    // The values of task: those kept when read within the bound (nice among them when
    // need_nice), else read(values) fills them anew, stamped with the sample's time.
    template <class Read>
    const PrioValues& get(const TaskSample& task, bool need_nice, Read&& read) {
        Entry& e = entries_[task.tid];
        if (!e.fresh || e.start_ticks != task.start_ticks || now_s_ - e.read_at_s > bound_s_ ||
            (need_nice && !e.values.has_nice)) {
            e = Entry{task.tgid, task.start_ticks, now_s_, true, PrioValues{}};
            read(e.values);
            ++reads_;
        }
        return e.values;
    }
    // Forgets a task's values (every thread of process id with whole_process), so the next
    // get() reads them: after vigil changed them.
    void forget(pid_t id, bool whole_process);
    std::size_t size() const { return entries_.size(); }
    std::uint64_t reads() const { return reads_; }  // read() calls so far (tests, benchmarks)

  private:
    struct Entry {
        pid_t tgid = 0;
        std::uint64_t start_ticks = 0;
        double read_at_s = 0;
        bool fresh = false;  // false: made by the lookup, never read
        PrioValues values;
    };
    std::unordered_map<pid_t, Entry> entries_;
    double now_s_ = 0;
    std::optional<double> last_s_;
    double bound_s_ = kPrioMaxAgeS;
    std::uint64_t reads_ = 0;
    ShrinkGuard guard_;
};

}  // namespace vigil
