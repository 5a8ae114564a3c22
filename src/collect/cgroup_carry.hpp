// The carrying over of the cgroup walk (CgroupCollector, cgroup_collector.cpp): whether a
// group's counters moved between two samples, and the copy of the files not read when they
// did not. Private to src/collect.
#pragma once

#include "vigil/sample/cgroup.hpp"

namespace vigil::cgroup_walk {

// Whether two samples of a group hold the same counters read every sample (cpu.stat,
// memory.current, io.stat, the v1 files).
bool same_hot(const CgroupSample& a, const CgroupSample& b);

// The same for the files read only when something moved (the pressure averages aside).
bool same_cold(const CgroupSample& a, const CgroupSample& b);

// Whether every pressure average of a sample is 0: they decay while nothing stalls, so only
// a 0 stays what it was.
bool averages_zero(const CgroupSample& s);

// The files read only when something moved, from the last sample into this one.
void copy_cold(const CgroupSample& from, CgroupSample& to);

}  // namespace vigil::cgroup_walk
