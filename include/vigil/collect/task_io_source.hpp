// TaskIoSource: where per-task I/O counters come from. NetlinkTaskstats (root or
// CAP_NET_ADMIN), ProcPidIo (/proc/PID/task/TID/io, the unprivileged fallback) and a fake
// for tests implement it.
#pragma once

#include <span>
#include <string_view>

#include "vigil/sample/snapshot.hpp"

namespace vigil {

class TaskstatsClient;

class TaskIoSource {
  public:
    virtual ~TaskIoSource() = default;
    // Sets tasks[i].io for every task the source can read; a task that exited in the
    // meantime, or that the source may not read, keeps io unset. Never throws for a
    // vanished task.
    virtual void fill(std::span<TaskSample> tasks) = 0;
    // Short name for notices: "taskstats" or "/proc io".
    virtual std::string_view name() const = 0;
    // Whether the source can report delay accounting (IO%, SWAPIN%) at all.
    virtual bool reports_delays() const = 0;
    // The taskstats client behind this source, if it has one: then the Sampler takes every
    // per-thread field from taskstats replies (TaskSweep) instead of /proc stat files.
    virtual TaskstatsClient* taskstats() { return nullptr; }
};

}  // namespace vigil
