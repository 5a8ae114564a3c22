// Accumulator: per-thread and per-process sums of deltas since vigil started (-a). A
// process keeps what its exited threads did.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "vigil/model/task_deltas.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

class Accumulator {
  public:
    struct Sum {
        TaskDelta total;    // valid once any interval had a value
        double seen_s = 0;  // seconds of intervals summed, for delay percentages
        std::uint64_t generation = 0;
    };

    void add(const Snapshot& cur, const TaskDeltas& rates);
    const Sum* thread(pid_t tid, std::uint64_t start_ticks) const;
    const Sum* process(pid_t tgid, std::uint64_t leader_start_ticks) const;

  private:
    struct Key {
        pid_t id;
        std::uint64_t start;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept {
            return std::hash<std::uint64_t>{}((static_cast<std::uint64_t>(k.id) << 32) ^ k.start);
        }
    };
    std::unordered_map<Key, Sum, KeyHash> threads_;
    std::unordered_map<Key, Sum, KeyHash> processes_;
    std::uint64_t generation_ = 0;
};

// Index of each task's process leader in snap.tasks (the task with tid == tgid), or the
// task itself when the leader is not listed.
std::vector<std::size_t> leader_indices(const Snapshot& snap);

}  // namespace vigil
