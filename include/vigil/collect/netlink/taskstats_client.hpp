// TaskstatsClient: batched taskstats queries, the interface TaskSweep drives. The netlink
// implementation is NetlinkTaskstats; tests drive TaskSweep with a fake.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>

#include "vigil/collect/netlink/taskstats_decode.hpp"

namespace vigil {

// What a query names: one thread (TASKSTATS_CMD_ATTR_PID), or a whole process summed over
// its threads, living and dead (TASKSTATS_CMD_ATTR_TGID: activity counters and delays only).
enum class TaskstatsScope : std::uint8_t { thread, process };

struct TaskstatsAnswer {
    enum class Status : std::uint8_t {
        ok,      // record holds the kernel's answer for the id asked
        gone,    // ESRCH: no task (or process) with that id
        failed,  // any other error, or no answer at all
    };
    Status status = Status::failed;
    TaskstatsRecord record;
    // CLOCK_MONOTONIC nanoseconds before the request left and after the kernel had answered
    // it: the kernel's own clock reading for record.etime_us lies in between.
    std::int64_t asked_ns = 0;
    std::int64_t answered_ns = 0;
};

class TaskstatsClient {
  public:
    virtual ~TaskstatsClient() = default;
    // Asks about every id (in batches) and answers out[i] for ids[i]; out.size() must be
    // ids.size(). Never throws for a vanished task.
    virtual void query(TaskstatsScope scope, std::span<const pid_t> ids,
                       std::span<TaskstatsAnswer> out) = 0;
    // A sweep has listed the tasks and is about to ask about them. A client that reads every
    // task at once (the BPF source) reads them here; the answers until the next call are of
    // that moment. Netlink asks the kernel at each query and needs nothing.
    virtual void begin_sweep() {}
};

}  // namespace vigil
