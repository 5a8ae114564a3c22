// The cgroups section: readable names of cgroup paths, rates of each group between two
// snapshots, and its table. Pure functions of the snapshots.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/frame.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/table.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// A name people know for a cgroup path, from its components: a container runtime's id as
// a short id ("docker 0123456789ab", "podman ...", "containerd ...", "crio ..."), a
// Kubernetes pod slice as its pod UID ("pod 1f2e...-..."), a systemd unit as itself
// ("nginx.service", "user@1000.service", "session-3.scope"), else the last component ("/"
// for the root).
std::string cgroup_display_name(std::string_view path);
// The same with the name the group's runtime gives it (CgroupSample::runtime_name) where
// one was read: "docker web (3f4e5d6c7b8a)", "containerd prod/api-7d9f/server (...)",
// "pod prod/api-7d9f (UID)".
std::string cgroup_display_name(const CgroupSample& g);

// Where a group's I/O figures come from.
enum class CgroupIoSource : std::uint8_t {
    none,     // unknown (first sample, group new or made again, no task figures)
    io_stat,  // the group's own io.stat (hierarchical: children included)
    tasks,    // the sum of the taskstats I/O of its tasks and its descendants' tasks
};
std::string_view io_source_name(CgroupIoSource s);  // "io.stat", "tasks", ""

// What one group did between two snapshots. Unknown (nullopt) when the group is not in
// the earlier one with the same inode, or a counter went backwards.
struct CgroupRates {
    CgroupIoSource io_source = CgroupIoSource::none;
    std::optional<double> read_bytes_per_s, write_bytes_per_s;
    std::optional<double> cpu_pct;        // of one CPU
    std::optional<double> throttled_pct;  // share of the interval the group was throttled
    // Share of the interval with some task stalled: cpu, io, memory (PSI totals).
    std::array<std::optional<double>, 3> some_pct;
};

// Rates of every group of cur.machine.cgroups (parallel to it). tasks: the frame's task
// deltas between the two snapshots, for the groups without io.stat.
std::vector<CgroupRates> compute_cgroup_rates(const Snapshot& prev, const Snapshot& cur,
                                              const TaskDeltas& tasks);

// The cgroups table of a frame, one row per group in walk order (parents first).
Table build_cgroup_table(const Frame& f, const MachineView& mv);

}  // namespace vigil
