// MachineSample: the whole-machine part of a Snapshot (CPU, memory, pressure, disks,
// file systems, network, sensors). Raw values as the kernel reports them, in the kernel's
// units; rates come from compute_machine_rates(prev, cur). A value the kernel did not give
// is absent (nullopt or a missing row), never 0.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/sample/cgroup.hpp"
#include "vigil/sample/sections.hpp"

namespace vigil {

// One "cpu" line of /proc/stat, in USER_HZ ticks. Kernels print fewer columns the older
// they are: 4 (2.4), 7 (iowait, irq, softirq), 8 (steal, 2.6.11), 9 (guest, 2.6.24),
// 10 (guest_nice, 2.6.33). user and nice INCLUDE guest and guest_nice.
struct CpuTicks {
    enum Field : std::uint8_t {
        user,
        nice,
        system,
        idle,
        iowait,
        irq,
        softirq,
        steal,
        guest,
        guest_nice
    };
    static constexpr std::size_t kFields = 10;
    std::array<std::uint64_t, kFields> ticks{};
    std::uint8_t fields = 0;  // how many columns the kernel printed
    bool has(Field f) const { return f < fields; }
    std::uint64_t operator[](Field f) const { return has(f) ? ticks[f] : 0; }
};

struct CpuLine {
    int cpu = -1;  // CPU number; offline CPUs have no line
    CpuTicks times;
};

// /proc/stat.
struct CpuStat {
    std::optional<CpuTicks> total;       // the "cpu" line: all CPUs together
    std::vector<CpuLine> cpus;           // sorted by cpu number
    std::optional<std::uint64_t> ctxt;   // context switches since boot
    std::optional<std::uint64_t> intr;   // interrupts since boot
    std::optional<std::uint64_t> forks;  // "processes": forks since boot
    std::optional<std::uint64_t> procs_running;
    std::optional<std::uint64_t> procs_blocked;  // tasks in uninterruptible sleep (I/O)
};

// /proc/loadavg.
struct LoadAvg {
    double load1 = 0, load5 = 0, load15 = 0;
    std::uint64_t runnable = 0;  // runnable scheduling entities (threads) now
    std::uint64_t entities = 0;  // all scheduling entities (threads)
};

// /proc/meminfo, in KiB (the kernel's "kB" is KiB).
struct MemInfo {
    std::optional<std::uint64_t> total_kib, free_kib, available_kib, buffers_kib, cached_kib,
        sreclaimable_kib, shmem_kib, swap_total_kib, swap_free_kib, active_file_kib,
        inactive_file_kib;
};

// Cumulative event counters of /proc/vmstat (pages or events since boot).
struct VmCounters {
    std::optional<std::uint64_t> pswpin_pages, pswpout_pages, pgmajfault;
};

// One line of /proc/pressure/RESOURCE.
struct PressureLine {
    double avg10_pct = 0, avg60_pct = 0, avg300_pct = 0;  // kernel's running averages
    std::uint64_t total_us = 0;                           // stall time since boot
};

struct Pressure {
    std::string resource;  // cpu, io, memory, irq
    std::optional<PressureLine> some;
    std::optional<PressureLine> full;  // absent for cpu before Linux 5.13
};

// One row of /proc/diskstats. Indices of stats[] follow the kernel's iostats document.
struct DiskStats {
    enum Stat : std::uint8_t {
        reads,
        reads_merged,
        sectors_read,
        read_ms,
        writes,
        writes_merged,
        sectors_written,
        write_ms,
        in_flight,
        io_ms,
        weighted_io_ms,
        discards,
        discards_merged,
        sectors_discarded,
        discard_ms,
        flushes,
        flush_ms
    };
    static constexpr std::size_t kStats = 17;
    std::uint32_t major = 0, minor = 0;
    std::string name;
    std::array<std::uint64_t, kStats> stats{};
    // How many counters the kernel printed: 11 (before 4.18), 15 (discards), 17 (flushes,
    // 5.5+). 4 is the short partition form of kernels before 2.6.25: only reads,
    // sectors_read, writes and sectors_written are valid.
    std::uint8_t fields = 0;
    bool has(Stat s) const {
        return fields == 4
                   ? (s == reads || s == sectors_read || s == writes || s == sectors_written)
                   : s < fields;
    }
    // Whole disk or partition, from the sys tree. Unknown (no sys tree): whole.
    bool whole_disk = true;
    std::string parent;  // the disk a partition belongs to; empty if unknown
};

// A mount from /proc/self/mountinfo. Strings are unescaped (\040 is a space again).
struct MountEntry {
    std::uint32_t major = 0, minor = 0;  // st_dev of the file system
    std::string mount_point;
    std::string fs_type;  // "ext4", "nfs4", "fuse.sshfs", ...
    std::string source;   // "/dev/vda1", "server:/export", "tmpfs", ...
};

// statvfs(3) of a mounted file system.
struct FsUsage {
    std::uint64_t block_bytes = 0;  // f_frsize: the unit of the block counts
    std::uint64_t blocks = 0, blocks_free = 0, blocks_avail = 0;  // avail: for unprivileged users
    std::uint64_t files = 0, files_free = 0;                      // inodes; 0 files: not reported
};

struct FilesystemSample {
    MountEntry mount;
    std::optional<FsUsage> usage;  // absent: statvfs failed, timed out, or not live
    bool timed_out = false;        // statvfs did not answer in time (a hung network mount)
};

// One interface of /proc/net/dev plus its link state from the sys tree.
struct NetDevStats {
    std::string name;
    std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errs = 0, rx_drop = 0;
    std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errs = 0, tx_drop = 0;
    std::string operstate;                    // "up", "down", "unknown", ...; empty if unreadable
    std::optional<std::uint64_t> speed_mbps;  // absent for virtual links (EINVAL or -1)
};

// hwmon temperature or thermal zone, in millidegrees Celsius as sysfs gives them.
struct TempSensor {
    std::string chip;   // hwmon "name" (coretemp, k10temp, nvme, ...) or the zone's type
    std::string label;  // temp*_label, or "tempN" when there is none
    std::optional<std::int64_t> input_mc;
    std::optional<std::int64_t> high_mc;  // temp*_max, or the lowest passive/hot trip point
    std::optional<std::int64_t> crit_mc;  // temp*_crit, or the critical trip point
};

struct FanSensor {
    std::string chip;
    std::string label;  // fan*_label, or "fanN"
    std::optional<std::uint64_t> rpm;
};

// A power_supply of type Battery. energy_* in µWh, power in µW, charge_* in µAh, current
// in µA, voltage in µV, as sysfs gives them; a driver provides either the energy or the
// charge family.
struct Battery {
    std::string name;    // BAT0, ...
    std::string status;  // Charging, Discharging, Full, Not charging, Unknown
    std::optional<std::uint64_t> capacity_pct;
    std::optional<std::uint64_t> energy_now_uwh, energy_full_uwh, power_now_uw;
    std::optional<std::uint64_t> charge_now_uah, charge_full_uah, current_now_ua, voltage_now_uv;
};

struct SensorSample {
    std::vector<TempSensor> temps;
    std::vector<FanSensor> fans;
    std::vector<Battery> batteries;
};

// Input a collector could not use (a malformed line it skipped), for the section's notes.
struct MachineNote {
    Section section = Section::cpu;
    std::string text;  // one line, names the file, already safe to print
};

struct MachineSample {
    SectionMask collected = 0;  // the sections filled in this sample
    // CLOCK_MONOTONIC seconds when reading the counters began. Rates use this, not
    // Snapshot::steady_s: the task walk before it takes a variable time.
    double steady_s = 0;

    // cpu
    CpuStat cpu;
    std::optional<LoadAvg> load;
    std::optional<double> uptime_s;
    // mem
    MemInfo mem;
    VmCounters vm;
    std::optional<std::uint64_t>
        min_free_kib;  // vm.min_free_kbytes, only read without MemAvailable
    // psi: empty when the kernel has no pressure stall information
    std::vector<Pressure> pressure;
    // disks, in /proc/diskstats order
    std::vector<DiskStats> disks;
    // fs, in mount order
    std::vector<FilesystemSample> filesystems;
    // net, in /proc/net/dev order
    std::vector<NetDevStats> net;
    // sensors
    SensorSample sensors;
    std::vector<MachineNote> notes;
    // cgroups: the v2 hierarchy's groups, parents before children (empty when none is
    // mounted); cgroup_root is where the hierarchy was found, relative to the sys root
    // ("fs/cgroup" or "fs/cgroup/unified"), empty if none was.
    std::vector<CgroupSample> cgroups;
    std::string cgroup_root;
};

}  // namespace vigil
