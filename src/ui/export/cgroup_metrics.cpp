// The cgroup families (exposition.hpp) and the choice of the groups they cover.
#include <algorithm>
#include <limits>
#include <string_view>

#include "exposition.hpp"
#include "vigil/model/cgroups.hpp"

namespace vigil {
namespace metrics_detail {

// The cgroup families: each exported group's raw counters, labelled with its path
// (cgroup) and the name people know it by (name).
void write_cgroups(Exposition& e, const MachineSample& m, const std::vector<ExportedCgroup>& gs) {
    struct Group {
        const CgroupSample* g;
        const ExportedCgroup* x;
        std::string name;
    };
    std::vector<Group> groups;
    groups.reserve(gs.size());
    for (const ExportedCgroup& x : gs)
        if (x.index < m.cgroups.size())
            groups.push_back({&m.cgroups[x.index], &x, cgroup_display_name(m.cgroups[x.index])});
    if (groups.empty()) return;
    auto seconds = [](std::optional<std::uint64_t> v, double scale) -> std::optional<double> {
        if (!v) return std::nullopt;
        return static_cast<double>(*v) * scale;
    };
    auto each = [&](std::string_view name, Kind kind, std::string_view help, auto value) {
        e.family(name, kind, help);
        for (const Group& g : groups) e.sample({{"cgroup", g.g->path}, {"name", g.name}}, value(g));
    };
    each("vigil_cgroup_cpu_seconds_total", Kind::counter,
         "CPU time of the group's tasks, its descendants' included (cpu.stat usage_usec; "
         "cgroup v1 cpuacct.usage where v2 has none).",
         [&](const Group& g) {
             return g.g->cpu_usage_usec ? seconds(g.g->cpu_usage_usec, 1e-6)
                                        : seconds(g.g->v1_cpuacct_usage_ns, 1e-9);
         });
    each("vigil_cgroup_cpu_user_seconds_total", Kind::counter,
         "User CPU time of the group (cpu.stat user_usec).",
         [&](const Group& g) { return seconds(g.g->cpu_user_usec, 1e-6); });
    each("vigil_cgroup_cpu_system_seconds_total", Kind::counter,
         "System CPU time of the group (cpu.stat system_usec).",
         [&](const Group& g) { return seconds(g.g->cpu_system_usec, 1e-6); });
    each("vigil_cgroup_cpu_throttled_periods_total", Kind::counter,
         "Periods in which the group was throttled by its CPU limit (cpu.stat nr_throttled).",
         [](const Group& g) { return g.g->nr_throttled; });
    each("vigil_cgroup_cpu_throttled_seconds_total", Kind::counter,
         "Time the group was throttled by its CPU limit (cpu.stat throttled_usec).",
         [&](const Group& g) { return seconds(g.g->throttled_usec, 1e-6); });
    each("vigil_cgroup_memory_bytes", Kind::gauge,
         "Memory charged to the group (memory.current; cgroup v1 memory.usage_in_bytes where "
         "v2 has none).",
         [](const Group& g) {
             return g.g->memory_current ? g.g->memory_current : g.g->v1_memory_usage;
         });
    each("vigil_cgroup_memory_anon_bytes", Kind::gauge,
         "Anonymous memory of the group (memory.stat anon).",
         [](const Group& g) { return g.g->memory_anon; });
    each("vigil_cgroup_memory_file_bytes", Kind::gauge,
         "Page cache of the group (memory.stat file).",
         [](const Group& g) { return g.g->memory_file; });
    each("vigil_cgroup_memory_max_bytes", Kind::gauge,
         "The group's memory limit (memory.max); +Inf when it has none.",
         [](const Group& g) -> std::optional<double> {
             if (!g.g->memory_max) return std::nullopt;
             if (*g.g->memory_max == std::numeric_limits<std::uint64_t>::max())
                 return std::numeric_limits<double>::infinity();
             return static_cast<double>(*g.g->memory_max);
         });
    each("vigil_cgroup_oom_events_total", Kind::counter,
         "Times the group reached its memory limit and the OOM killer ran (memory.events oom).",
         [](const Group& g) { return g.g->oom; });
    each("vigil_cgroup_oom_kills_total", Kind::counter,
         "Processes of the group killed by the OOM killer (memory.events oom_kill).",
         [](const Group& g) { return g.g->oom_kill; });
    each("vigil_cgroup_processes", Kind::gauge,
         "Processes in the group itself, not in its descendants (cgroup.procs).",
         [](const Group& g) -> std::optional<std::uint64_t> {
             if (!g.g->procs) return std::nullopt;
             return g.g->procs->size();
         });
    static constexpr std::pair<CgroupSample::Resource, std::string_view> kResources[] = {
        {CgroupSample::cpu, "cpu"}, {CgroupSample::io_res, "io"}, {CgroupSample::memory, "memory"}};
    for (const bool full : {false, true}) {
        e.family(full ? "vigil_cgroup_pressure_full_seconds_total"
                      : "vigil_cgroup_pressure_some_seconds_total",
                 Kind::counter,
                 full
                     ? "Time all non-idle tasks of the group stalled on the resource at once "
                       "(RESOURCE.pressure)."
                     : "Time some tasks of the group stalled on the resource (RESOURCE.pressure).");
        for (const Group& g : groups)
            for (const auto& [r, resource] : kResources) {
                const auto& line = full ? g.g->full[r] : g.g->some[r];
                if (line)
                    e.sample({{"cgroup", g.g->path}, {"name", g.name}, {"resource", resource}},
                             static_cast<double>(line->total_us) / 1e6);
            }
    }
    // io.stat: the kernel's counters, per device.
    auto device = [&](const CgroupIoStat& s) {
        for (const DiskStats& d : m.disks)
            if (d.major == s.major && d.minor == s.minor) return d.name;
        return std::to_string(s.major) + ":" + std::to_string(s.minor);
    };
    struct IoCounter {
        std::string_view name, help;
        std::uint64_t CgroupIoStat::*field;
    };
    static constexpr IoCounter kIo[] = {
        {"vigil_cgroup_io_read_bytes_total",
         "Bytes the group read from the device, its descendants included (io.stat rbytes).",
         &CgroupIoStat::rbytes},
        {"vigil_cgroup_io_written_bytes_total",
         "Bytes the group wrote to the device, its descendants included (io.stat wbytes).",
         &CgroupIoStat::wbytes},
        {"vigil_cgroup_io_reads_total", "Reads the group issued to the device (io.stat rios).",
         &CgroupIoStat::rios},
        {"vigil_cgroup_io_writes_total", "Writes the group issued to the device (io.stat wios).",
         &CgroupIoStat::wios},
    };
    std::vector<std::vector<std::string>> devices(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (groups[i].g->io)
            for (const CgroupIoStat& s : *groups[i].g->io) devices[i].push_back(device(s));
    for (const IoCounter& c : kIo) {
        e.family(c.name, Kind::counter, c.help);
        for (std::size_t i = 0; i < groups.size(); ++i) {
            if (!groups[i].g->io) continue;
            const std::vector<CgroupIoStat>& io = *groups[i].g->io;
            for (std::size_t k = 0; k < io.size(); ++k)
                e.sample({{"cgroup", groups[i].g->path},
                          {"name", groups[i].name},
                          {"device", devices[i][k]}},
                         io[k].*c.field);
        }
    }
    // Groups without io.stat: what their tasks did, summed by vigil (not the kernel's
    // counter: it starts when vigil first saw the group, and misses what a task did in its
    // last interval before it ended).
    each("vigil_cgroup_tasks_read_bytes_total", Kind::counter,
         "Groups without io.stat: bytes their tasks and their descendants' read from storage, "
         "summed by vigil from taskstats since it first saw the group (0 again when vigil "
         "restarts).",
         [](const Group& g) { return g.x->task_read_bytes; });
    each("vigil_cgroup_tasks_written_bytes_total", Kind::counter,
         "Groups without io.stat: bytes their tasks and their descendants' wrote to storage, "
         "summed by vigil from taskstats since it first saw the group (0 again when vigil "
         "restarts).",
         [](const Group& g) { return g.x->task_write_bytes; });
}

}  // namespace metrics_detail

std::vector<std::size_t> select_exported_cgroups(const std::vector<CgroupSample>& groups) {
    // "/" and "" (the root): 0; "/a": 1; "/a/b": 2.
    auto depth = [](std::string_view path) -> std::size_t {
        if (path.empty() || path == "/") return 0;
        return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    };
    std::vector<std::pair<std::size_t, std::size_t>> by_depth;  // (depth, index)
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (const std::size_t d = depth(groups[i].path); d <= kExportCgroupDepth)
            by_depth.emplace_back(d, i);
    if (by_depth.size() > kExportCgroupMax) {
        std::stable_sort(by_depth.begin(), by_depth.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        by_depth.resize(kExportCgroupMax);
    }
    std::vector<std::size_t> out;
    out.reserve(by_depth.size());
    for (const auto& [d, i] : by_depth) out.push_back(i);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace vigil
