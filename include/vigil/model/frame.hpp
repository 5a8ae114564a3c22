// Frame: one interval as every front end shows it, made by the pure step advance() from two
// snapshots. The intervals come from the snapshots' own time stamps (taken by the sampler's
// clock, or recorded): nothing here reads a clock.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/task_deltas.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

class Accumulator;

struct Frame {
    // The two snapshots, not owned: their source keeps them unchanged until its next step.
    // Equal for a first frame, which has no interval (every rate unknown).
    const Snapshot* prev = nullptr;
    const Snapshot* cur = nullptr;
    TaskDeltas tasks;      // what each task of *cur did in the interval
    MachineRates machine;  // per CPU, disk and interface of cur->machine
    // Sums since the start (-a), this interval included; null when none are kept.
    const Accumulator* totals = nullptr;
    // Each process's cgroup: (tgid, index in cur->machine.cgroups) sorted by tgid, from the
    // groups' cgroup.procs; empty when the sample walked no cgroups (task_cgroup()).
    std::vector<std::pair<pid_t, std::uint32_t>> cgroup_of;
};

// The cgroup of a process (its v2 group, from the sample's walk); null when unknown.
const CgroupSample* task_cgroup(const Frame& f, pid_t tgid);

// Deltas of every task and rates of the machine between prev and cur. old: the frame this
// one replaces, whose memory is reused (its contents are not read).
Frame advance(const Snapshot& prev, const Snapshot& cur, Frame old = {});

}  // namespace vigil
