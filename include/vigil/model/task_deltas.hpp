// task_deltas: the pure function from two snapshots to what each task did in between. A
// task seen for the first time, a reused PID or a counter that went backwards yields "no
// value" (an invalid delta), never a negative or huge one.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vigil/core/memory.hpp"
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

// What every task of a snapshot did since the one before. Each task's storage I/O delta is
// kept; its activity delta is worked out when asked for (at()), from the two snapshots,
// which must outlive this: kept for every task it would cost 100 bytes a task, 1 MB at
// 10 000 threads, for numbers only the sort column and the rows shown read.
class TaskDeltas {
  public:
    double elapsed_s = 0;  // steady-clock seconds between the two snapshots
    // The sum over tasks with a value; unknown without an interval (a first frame), where
    // 0 would claim that nothing was written.
    std::optional<double> total_read_bytes_per_s;
    std::optional<double> total_write_bytes_per_s;
    // From /proc/vmstat pgpgin/pgpgout: what really reached the block layer.
    std::optional<double> current_read_bytes_per_s;
    std::optional<double> current_write_bytes_per_s;

    // As many as cur.tasks (0 for an empty result).
    std::size_t size() const { return tasks_.size(); }
    std::size_t capacity() const { return tasks_.capacity(); }  // tests
    // Task i of cur (i < size()): its whole delta, activity included.
    TaskDelta at(std::size_t i) const;
    // Its storage I/O only (valid, bytes, delays), without working out the activity.
    TaskDelta io_at(std::size_t i) const;
    // add_delta(sum, at(i)) without the copies: what sums every thread of a process or
    // since the start costs per thread.
    void add_to(std::size_t i, TaskDelta& sum) const;

  private:
    // Task i's activity delta into out; false when unknown.
    bool activity_into(std::size_t i, TaskActivity& out) const;
    friend TaskDeltas task_deltas(const Snapshot&, const Snapshot&, TaskDeltas);
    // The sample of the task in prev: its index + 1; kBorn: born in the interval (all it
    // did is in it); 0: nothing to compare with.
    static constexpr std::uint32_t kBorn = 0xffffffffu;
    struct Stored {
        bool valid = false;
        // The activity did not move since prev (the thread did not run): its delta is 0
        // with these known bits, found without reading the two samples again.
        bool still = false;
        std::uint8_t still_known = 0;
        std::uint32_t before = 0;  // in valid's padding: a Stored is 56 bytes
        std::uint64_t read_bytes = 0;
        std::uint64_t write_bytes = 0;
        std::optional<std::uint64_t> blkio_delay_ns;
        std::optional<std::uint64_t> swapin_delay_ns;
    };
    std::vector<Stored> tasks_;  // parallel to cur.tasks
    ShrinkGuard guard_;          // gives back a peak's memory (passed on with tasks_)
    const Snapshot* prev_ = nullptr;
    const Snapshot* cur_ = nullptr;
};

// prev and cur must each be sorted by tid, and outlive the result. cur.steady_s must be
// after prev.steady_s, or every rate is unknown. old: a previous interval's result, whose
// memory is reused (a new vector each interval would hold two at once).
TaskDeltas task_deltas(const Snapshot& prev, const Snapshot& cur, TaskDeltas old = {});

// Adds b into a (a process row is the sum of its threads' deltas).
void add_delta(TaskDelta& a, const TaskDelta& b);

// What a task's activity counters did between two samples of it (before absent: the task
// was born in the interval, so all of it); nullopt when a counter went backwards.
std::optional<TaskActivity> activity_delta(const TaskActivity* before, const TaskActivity& now,
                                           bool delays_tracked);

// A delay delta as a percentage of the interval.
std::optional<double> delay_pct(std::optional<std::uint64_t> delay_ns, double elapsed_s);

}  // namespace vigil
