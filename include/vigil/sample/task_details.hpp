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

}  // namespace vigil
