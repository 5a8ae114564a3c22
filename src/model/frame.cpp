#include "vigil/model/frame.hpp"

#include <algorithm>

namespace vigil {

Frame advance(const Snapshot& prev, const Snapshot& cur, Frame old) {
    Frame f;
    f.prev = &prev;
    f.cur = &cur;
    f.tasks = task_deltas(prev, cur, std::move(old.tasks));
    f.machine = compute_machine_rates(prev.machine, cur.machine);
    f.cgroup_of = std::move(old.cgroup_of);
    f.cgroup_of.clear();
    const std::vector<CgroupSample>& groups = cur.machine.cgroups;
    for (std::size_t g = 0; g < groups.size(); ++g)
        if (groups[g].procs)
            for (pid_t p : *groups[g].procs)
                f.cgroup_of.emplace_back(p, static_cast<std::uint32_t>(g));
    std::sort(f.cgroup_of.begin(), f.cgroup_of.end());
    return f;
}

const CgroupSample* task_cgroup(const Frame& f, pid_t tgid) {
    auto it = std::lower_bound(f.cgroup_of.begin(), f.cgroup_of.end(),
                               std::pair<pid_t, std::uint32_t>{tgid, 0});
    if (it == f.cgroup_of.end() || it->first != tgid) return nullptr;
    const std::vector<CgroupSample>& groups = f.cur->machine.cgroups;
    return it->second < groups.size() ? &groups[it->second] : nullptr;
}

}  // namespace vigil
