#include "cgroup_carry.hpp"

#include <algorithm>

namespace vigil::cgroup_walk {

bool same_hot(const CgroupSample& a, const CgroupSample& b) {
    auto same_io = [](const std::optional<std::vector<CgroupIoStat>>& x,
                      const std::optional<std::vector<CgroupIoStat>>& y) {
        if (!x || !y) return !x && !y;
        return std::equal(x->begin(), x->end(), y->begin(), y->end(),
                          [](const CgroupIoStat& p, const CgroupIoStat& q) {
                              return p.major == q.major && p.minor == q.minor &&
                                     p.rbytes == q.rbytes && p.wbytes == q.wbytes &&
                                     p.rios == q.rios && p.wios == q.wios && p.dbytes == q.dbytes &&
                                     p.dios == q.dios;
                          });
    };
    return a.cpu_usage_usec == b.cpu_usage_usec && a.cpu_user_usec == b.cpu_user_usec &&
           a.cpu_system_usec == b.cpu_system_usec && a.nr_throttled == b.nr_throttled &&
           a.throttled_usec == b.throttled_usec && a.memory_current == b.memory_current &&
           same_io(a.io, b.io) && a.v1_memory_usage == b.v1_memory_usage &&
           a.v1_cpuacct_usage_ns == b.v1_cpuacct_usage_ns;
}

bool same_cold(const CgroupSample& a, const CgroupSample& b) {
    auto same_pl = [](const std::optional<CgroupPressureLine>& x,
                      const std::optional<CgroupPressureLine>& y) {
        if (!x || !y) return !x && !y;
        return x->total_us == y->total_us;
    };
    for (std::size_t r = 0; r < a.some.size(); ++r)
        if (!same_pl(a.some[r], b.some[r]) || !same_pl(a.full[r], b.full[r])) return false;
    return a.memory_anon == b.memory_anon && a.memory_file == b.memory_file &&
           a.memory_max == b.memory_max && a.oom == b.oom && a.oom_kill == b.oom_kill;
}

bool averages_zero(const CgroupSample& s) {
    for (std::size_t r = 0; r < s.some.size(); ++r)
        if ((s.some[r] && s.some[r]->avg10_pct != 0) || (s.full[r] && s.full[r]->avg10_pct != 0))
            return false;
    return true;
}

void copy_cold(const CgroupSample& from, CgroupSample& to) {
    to.memory_anon = from.memory_anon;
    to.memory_file = from.memory_file;
    to.memory_max = from.memory_max;
    to.oom = from.oom;
    to.oom_kill = from.oom_kill;
    to.some = from.some;
    to.full = from.full;
    to.procs = from.procs;
}

}  // namespace vigil::cgroup_walk
