// TaskDetails: what is fetched only for the tasks a front end shows (and those a recording
// keeps), since each costs a read or a syscall: command line, I/O priority, nice and state
// as they are now, the full name of a kernel thread, and user names. They are fetched by the
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

#include "vigil/sample/snapshot.hpp"

namespace vigil {

// How much of a command line is read and shown, in bytes. A longer one is read only this
// far (the rest is counted, not read), and the COMMAND cell of every front end (text, the
// view, CSV, JSON) holds at most this many bytes of escaped text, then "...[+N bytes]" with
// the bytes not shown: a 2 MB command line costs 4 KiB per process, not 2 MB per thread.
inline constexpr std::size_t kCommandMaxBytes = 4096;

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
    std::string name;              // the full name of a kernel thread; empty: the comm sampled
};

class TaskDetails {
  public:
    // For a snapshot of this many tasks; forgets every detail and user name.
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
};

}  // namespace vigil
