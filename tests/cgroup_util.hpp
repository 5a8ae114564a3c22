// Helpers shared by the tests that make cgroup samples by hand.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vigil/sample/cgroup.hpp"

namespace vigil::test {

// A group with its identity and its processes, no counters.
inline CgroupSample cgroup_at(std::string path, std::uint64_t inode, std::int32_t parent,
                              std::vector<pid_t> procs = {}) {
    CgroupSample g;
    g.path = std::move(path);
    g.inode = inode;
    g.parent = parent;
    g.procs = std::move(procs);
    return g;
}

}  // namespace vigil::test
