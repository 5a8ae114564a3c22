// CgroupSample: one control group of the cgroup v2 hierarchy at one instant, raw counters
// as its files give them. A file the kernel does not have for this group (a controller not
// enabled for it, an older kernel) is absent (nullopt), never 0. Rates come from two
// samples of the same group (same path and inode): see model/cgroup_rates.hpp.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

// One line of io.stat: a device's cumulative bytes and operations.
struct CgroupIoStat {
    std::uint32_t major = 0, minor = 0;
    std::uint64_t rbytes = 0, wbytes = 0, rios = 0, wios = 0, dbytes = 0, dios = 0;
};

// One line of a cgroup's PRESSURE file (cpu.pressure, io.pressure, memory.pressure).
struct CgroupPressureLine {
    double avg10_pct = 0;
    std::uint64_t total_us = 0;
};

struct CgroupSample {
    // Relative to the v2 hierarchy's root: "/" for the root, "/system.slice/nginx.service".
    std::string path;
    // The directory's inode: with the path, the identity. A group removed and made again at
    // the same path has another inode, and its counters start again from 0.
    std::uint64_t inode = 0;
    // Index of the parent in MachineSample::cgroups (the walk puts parents first); -1 for
    // the root, or when the parent was not walked.
    std::int32_t parent = -1;
    // cpu.stat (usage/user/system exist without the cpu controller; throttling needs it).
    std::optional<std::uint64_t> cpu_usage_usec, cpu_user_usec, cpu_system_usec;
    std::optional<std::uint64_t> nr_throttled, throttled_usec;
    // memory.current, memory.stat anon and file, memory.max (UINT64_MAX: "max", no limit).
    std::optional<std::uint64_t> memory_current, memory_anon, memory_file, memory_max;
    // memory.events.
    std::optional<std::uint64_t> oom, oom_kill;
    // io.stat, one entry per device; absent when the group has no io.stat (the io
    // controller is not enabled for it: bound to a v1 hierarchy, or not delegated).
    std::optional<std::vector<CgroupIoStat>> io;
    // cpu, io and memory pressure: "some" and "full" lines.
    enum Resource : std::uint8_t { cpu, io_res, memory };
    std::array<std::optional<CgroupPressureLine>, 3> some, full;
    // The processes in the group itself (cgroup.procs: thread group ids, not of children).
    std::optional<std::vector<pid_t>> procs;
    // cgroup v1, for the same relative path where a v1 hierarchy is mounted:
    // memory.usage_in_bytes and cpuacct.usage (nanoseconds).
    std::optional<std::uint64_t> v1_memory_usage, v1_cpuacct_usage_ns;
    // What a container runtime or Kubernetes calls the group, from its state on disk: "web"
    // (a Docker or Podman container), "NAMESPACE/POD/CONTAINER", "NAMESPACE/POD"; empty
    // when unknown or not a container (record format 5 on).
    std::string runtime_name;
};

}  // namespace vigil
