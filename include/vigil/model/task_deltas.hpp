// task_deltas: the pure function from two snapshots to what each task did in between. A
// task seen for the first time, a reused PID or a counter that went backwards yields "no
// value" (an invalid delta), never a negative or huge one.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vigil/sample/snapshot.hpp"

namespace vigil {

// What one task did during the interval.
struct TaskDelta {
    bool valid = false;  // false: nothing is known about this interval for the task
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;  // write_bytes minus cancelled_write_bytes, clamped at 0
    std::optional<std::uint64_t> blkio_delay_ns;
    std::optional<std::uint64_t> swapin_delay_ns;
    // CPU time, faults, chars, syscalls and switches over the interval, as counters of what
    // happened in it (its known bits: the groups both samples knew). Apart from valid: a
    // task can have one without the other.
    bool has_activity = false;
    TaskActivity activity;
};

struct TaskDeltas {
    double elapsed_s = 0;               // steady-clock seconds between the two snapshots
    std::vector<TaskDelta> tasks;       // parallel to cur.tasks
    double total_read_bytes_per_s = 0;  // sum over tasks with a value
    double total_write_bytes_per_s = 0;
    // From /proc/vmstat pgpgin/pgpgout: what really reached the block layer.
    std::optional<double> current_read_bytes_per_s;
    std::optional<double> current_write_bytes_per_s;
};

// prev and cur must each be sorted by tid. cur.steady_s must be after prev.steady_s, or
// every rate is unknown.
TaskDeltas task_deltas(const Snapshot& prev, const Snapshot& cur);

// Adds b into a (a process row is the sum of its threads' deltas).
void add_delta(TaskDelta& a, const TaskDelta& b);

// What a task's activity counters did between two samples of it (before absent: the task
// was born in the interval, so all of it); nullopt when a counter went backwards.
std::optional<TaskActivity> activity_delta(const TaskActivity* before, const TaskActivity& now,
                                           bool delays_tracked);

// A delay delta as a percentage of the interval.
std::optional<double> delay_pct(std::optional<std::uint64_t> delay_ns, double elapsed_s);

}  // namespace vigil
