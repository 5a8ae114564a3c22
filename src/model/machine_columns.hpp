// The column registries of the machine overview tables: one constexpr table per kind, and
// the index names the table builders fill. Titles follow the tool each section is checked
// against (mpstat, free, iostat -x, df, sar -n DEV) so users can compare side by side.
#pragma once

#include <array>
#include <limits>

#include "vigil/model/table.hpp"

namespace vigil::cols {

using A = Align;
using F = CellFormat;

enum Cpu : std::size_t {
    c_cpu,
    c_usr,
    c_nice,
    c_sys,
    c_iowait,
    c_irq,
    c_soft,
    c_steal,
    c_guest,
    c_gnice,
    c_idle,
    kCpuCols
};
inline constexpr std::array<ColumnSpec, kCpuCols> kCpu{{
    {"cpu", "CPU", 4, A::left, F::text, false, "CPU number, or all", "cpu"},
    {"usr", "%usr", 7, A::right, F::fixed2, true, "user time without guest time (mpstat %usr)",
     "usr_pct"},
    dropped_at(1, {"nice", "%nice", 7, A::right, F::fixed2, true,
                   "niced user time without guest_nice", "nice_pct"}),
    {"sys", "%sys", 7, A::right, F::fixed2, true, "kernel time, without interrupts", "sys_pct"},
    {"iowait", "%iowait", 7, A::right, F::fixed2, true, "idle with I/O outstanding", "iowait_pct"},
    dropped_at(1, {"irq", "%irq", 7, A::right, F::fixed2, true, "hardware interrupts", "irq_pct"}),
    {"soft", "%soft", 7, A::right, F::fixed2, true, "software interrupts", "soft_pct"},
    {"steal", "%steal", 7, A::right, F::fixed2, true, "waiting for the hypervisor", "steal_pct"},
    dropped_at(
        2, {"guest", "%guest", 7, A::right, F::fixed2, true, "running a virtual CPU", "guest_pct"}),
    dropped_at(2, {"gnice", "%gnice", 7, A::right, F::fixed2, true, "running a niced virtual CPU",
                   "gnice_pct"}),
    {"idle", "%idle", 7, A::right, F::fixed2, true, "idle without I/O outstanding", "idle_pct"},
}};

// The CPU table's title values, in the order the title shows them.
enum CpuSummary : std::size_t {
    cs_load1,
    cs_load5,
    cs_load15,
    cs_running,
    cs_blocked,
    cs_threads,
    cs_ctxt,
    cs_intr,
    cs_forks,
    cs_uptime,
    kCpuSummaryItems
};
inline constexpr std::array<SummarySpec, kCpuSummaryItems> kCpuSummary{{
    {"load1", "load1", F::fixed2},
    {"load5", "load5", F::fixed2},
    {"load15", "load15", F::fixed2},
    {"procs_running", "running", F::integer},
    {"procs_blocked", "blocked", F::integer},
    {"threads", "threads", F::integer},
    {"ctxt_per_s", "ctxt/s", F::fixed2},
    {"intr_per_s", "intr/s", F::fixed2},
    {"forks_per_s", "forks/s", F::fixed2},
    {"uptime_s", "uptime", F::duration},
}};

// The Tasks header (overview.hpp, TaskStateCounts): processes by state, then the machine's
// threads. The text line puts each value before its label, as top does.
enum TaskStates : std::size_t {
    ts_total,
    ts_running,
    ts_sleeping,
    ts_uninterruptible,
    ts_stopped,
    ts_zombie,
    ts_threads,
    ts_threads_running,
    ts_threads_blocked,
    kTaskStatesItems
};
inline constexpr std::array<SummarySpec, kTaskStatesItems> kTaskStatesSummary{{
    {"total", "total", F::integer},
    {"running", "running", F::integer},
    {"sleeping", "sleeping", F::integer},
    {"uninterruptible", "uninterruptible", F::integer},
    {"stopped", "stopped", F::integer},
    {"zombie", "zombie", F::integer},
    {"threads_total", "threads", F::integer},
    {"threads_running", "threads running", F::integer},
    {"threads_blocked_io", "threads blocked on I/O", F::integer},
}};

enum Mem : std::size_t {
    m_kind,
    m_total,
    m_used,
    m_free,
    m_shared,
    m_buffers,
    m_cache,
    m_available,
    kMemCols
};
inline constexpr std::array<ColumnSpec, kMemCols> kMem{{
    {"kind", "", 5, A::left, F::text, false, "Mem or Swap", "kind"},
    {"total", "total", 11, A::right, F::bytes, true, "MemTotal, SwapTotal", "total_bytes"},
    {"used", "used", 11, A::right, F::bytes, true,
     "total - available (free of procps-ng 4); swap: total - free", "used_bytes"},
    {"free", "free", 11, A::right, F::bytes, true, "MemFree, SwapFree", "free_bytes"},
    {"shared", "shared", 11, A::right, F::bytes, true, "Shmem (tmpfs and shared memory)",
     "shared_bytes"},
    {"buffers", "buffers", 11, A::right, F::bytes, true, "Buffers", "buffers_bytes"},
    {"cache", "cache", 11, A::right, F::bytes, true, "Cached + SReclaimable, as free counts it",
     "cache_bytes"},
    {"available", "available", 11, A::right, F::bytes, true,
     "MemAvailable (estimated on kernels before 3.14)", "available_bytes"},
}};

enum MemSummary : std::size_t { ms_swapin, ms_swapout, ms_majflt, kMemSummaryItems };
inline constexpr std::array<SummarySpec, kMemSummaryItems> kMemSummary{{
    {"swapin_pages_per_s", "swap-in pages/s", F::fixed2},
    {"swapout_pages_per_s", "swap-out pages/s", F::fixed2},
    {"majflt_per_s", "majflt/s", F::fixed2},
}};

enum Psi : std::size_t {
    p_resource,
    p_some10,
    p_some60,
    p_some300,
    p_some,
    p_full10,
    p_full60,
    p_full300,
    p_full,
    kPsiCols
};
inline constexpr std::array<ColumnSpec, kPsiCols> kPsi{{
    {"resource", "RESOURCE", 8, A::left, F::text, false, "cpu, io, memory, irq", "resource"},
    {"some10", "SOME10", 7, A::right, F::fixed2, true,
     "some: share of time at least one task stalled, 10 s average (%)", "some_avg10_pct"},
    {"some60", "SOME60", 7, A::right, F::fixed2, true, "some, 60 s average (%)", "some_avg60_pct"},
    {"some300", "SOME300", 7, A::right, F::fixed2, true, "some, 300 s average (%)",
     "some_avg300_pct"},
    {"some", "SOME%", 7, A::right, F::fixed2, true,
     "some over the last interval, from the total (%)", "some_pct"},
    {"full10", "FULL10", 7, A::right, F::fixed2, true,
     "full: share of time all non-idle tasks stalled, 10 s average (%)", "full_avg10_pct"},
    {"full60", "FULL60", 7, A::right, F::fixed2, true, "full, 60 s average (%)", "full_avg60_pct"},
    {"full300", "FULL300", 7, A::right, F::fixed2, true, "full, 300 s average (%)",
     "full_avg300_pct"},
    {"full", "FULL%", 7, A::right, F::fixed2, true,
     "full over the last interval, from the total (%)", "full_pct"},
}};

enum Disk : std::size_t {
    d_device,
    d_r_s,
    d_rkb_s,
    d_r_await,
    d_w_s,
    d_wkb_s,
    d_w_await,
    d_d_s,
    d_dkb_s,
    d_f_s,
    d_aqu_sz,
    d_util,
    kDiskCols
};
inline constexpr std::array<ColumnSpec, kDiskCols> kDisk{{
    {"device", "DEVICE", 8, A::left, F::text, false, "name in /proc/diskstats", "name"},
    dropped_at(2, {"r_s", "r/s", 8, A::right, F::fixed2, true, "reads completed per second",
                   "reads_per_s"}),
    {"rkb_s", "rkB/s", 10, A::right, F::fixed2, true, "KiB read per second (sectors * 512 / 1024)",
     "read_bytes_per_s", 1024},
    dropped_at(1, {"r_await", "r_await", 7, A::right, F::fixed2, true,
                   "average ms per read, queue included (0 without reads)", "r_await_ms"}),
    dropped_at(2, {"w_s", "w/s", 8, A::right, F::fixed2, true, "writes completed per second",
                   "writes_per_s"}),
    {"wkb_s", "wkB/s", 10, A::right, F::fixed2, true, "KiB written per second", "write_bytes_per_s",
     1024},
    dropped_at(1, {"w_await", "w_await", 7, A::right, F::fixed2, true,
                   "average ms per write, queue included", "w_await_ms"}),
    dropped_at(3, {"d_s", "d/s", 7, A::right, F::fixed2, true,
                   "discards completed per second (Linux 4.18+)", "discards_per_s"}),
    dropped_at(3, {"dkb_s", "dkB/s", 9, A::right, F::fixed2, true, "KiB discarded per second",
                   "discard_bytes_per_s", 1024}),
    dropped_at(3, {"f_s", "f/s", 7, A::right, F::fixed2, true,
                   "flush requests completed per second (Linux 5.5+)", "flushes_per_s"}),
    {"aqu_sz", "aqu-sz", 6, A::right, F::fixed2, true,
     "average requests in flight (weighted ms / interval ms)", "aqu_sz"},
    {"util", "%util", 6, A::right, F::fixed2, true,
     "share of the interval with I/O in flight (io ms / interval ms)", "util_pct", 1,
     WidthPolicy::fit, Alert{80, {}, {}}},  // a device this busy is the bottleneck
}};

enum Fs : std::size_t {
    fs_source,
    fs_type,
    fs_size,
    fs_used,
    fs_avail,
    fs_use,
    fs_inodes,
    fs_iused,
    fs_iuse,
    fs_mounted_on,
    kFsCols
};
inline constexpr std::array<ColumnSpec, kFsCols> kFs{{
    {"filesystem", "FILESYSTEM", 16, A::left, F::text, false, "mount source", "filesystem"},
    dropped_at(1, {"type", "TYPE", 8, A::left, F::text, false, "file system type", "type"}),
    {"size", "SIZE", 10, A::right, F::bytes, true, "f_blocks * f_frsize", "size_bytes"},
    {"used", "USED", 10, A::right, F::bytes, true, "(f_blocks - f_bfree) * f_frsize", "used_bytes"},
    {"avail", "AVAIL", 10, A::right, F::bytes, true,
     "f_bavail * f_frsize (what unprivileged users may use)", "avail_bytes"},
    {"use", "USE%", 5, A::right, F::percent_up, true, "used / (used + avail), rounded up, as df",
     "use_pct", 1, WidthPolicy::fit, Alert{90, {}, {}}},
    dropped_at(3, {"inodes", "INODES", 10, A::right, F::integer, true, "f_files", "inodes"}),
    dropped_at(
        3, {"iused", "IUSED", 10, A::right, F::integer, true, "f_files - f_ffree", "inodes_used"}),
    dropped_at(2, {"iuse", "IUSE%", 5, A::right, F::percent_up, true, "iused / inodes, rounded up",
                   "inodes_use_pct"}),
    {"mounted_on", "MOUNTED ON", 0, A::left, F::text, false, "mount point", "mount_point"},
}};

enum Net : std::size_t {
    n_iface,
    n_state,
    n_speed,
    n_rxkb_s,
    n_txkb_s,
    n_rxpck_s,
    n_txpck_s,
    n_rxerr_s,
    n_txerr_s,
    n_rxdrop_s,
    n_txdrop_s,
    kNetCols
};
inline constexpr std::array<ColumnSpec, kNetCols> kNet{{
    {"iface", "IFACE", 8, A::left, F::text, false, "interface", "name"},
    {"state", "STATE", 7, A::left, F::text, false, "operstate: up, down, unknown, ...", "state"},
    dropped_at(3, {"speed", "Mbit/s", 6, A::right, F::integer, true,
                   "link speed; ? for virtual links", "speed_bits_per_s", 1e6}),
    {"rxkb_s", "rxkB/s", 10, A::right, F::fixed2, true, "KiB received per second (bytes / 1024)",
     "rx_bytes_per_s", 1024},
    {"txkb_s", "txkB/s", 10, A::right, F::fixed2, true, "KiB sent per second", "tx_bytes_per_s",
     1024},
    dropped_at(1, {"rxpck_s", "rxpck/s", 9, A::right, F::fixed2, true,
                   "packets received per second", "rx_packets_per_s"}),
    dropped_at(1, {"txpck_s", "txpck/s", 9, A::right, F::fixed2, true, "packets sent per second",
                   "tx_packets_per_s"}),
    dropped_at(2, {"rxerr_s", "rxerr/s", 7, A::right, F::fixed2, true, "receive errors per second",
                   "rx_errors_per_s"}),
    dropped_at(2, {"txerr_s", "txerr/s", 7, A::right, F::fixed2, true, "transmit errors per second",
                   "tx_errors_per_s"}),
    dropped_at(3, {"rxdrop_s", "rxdrop/s", 8, A::right, F::fixed2, true,
                   "received packets dropped per second", "rx_drops_per_s"}),
    dropped_at(3, {"txdrop_s", "txdrop/s", 8, A::right, F::fixed2, true,
                   "packets to send dropped per second", "tx_drops_per_s"}),
}};

enum Temp : std::size_t { t_chip, t_sensor, t_temp, t_high, t_crit, kTempCols };
inline constexpr std::array<ColumnSpec, kTempCols> kTemp{{
    {"chip", "CHIP", 12, A::left, F::text, false, "hwmon chip name, or thermal zone type", "chip"},
    {"sensor", "SENSOR", 14, A::left, F::text, false, "sensor label", "sensor"},
    {"temp", "TEMP", 8, A::right, F::celsius, true, "temperature", "temp_c", 1, WidthPolicy::fit,
     Alert{std::numeric_limits<double>::infinity(), "high", "crit"}},
    {"high", "HIGH", 8, A::right, F::celsius, true,
     "high threshold (temp*_max, or passive/hot trip point)", "high_c"},
    {"crit", "CRIT", 8, A::right, F::celsius, true,
     "critical threshold (temp*_crit, or critical trip point)", "crit_c"},
}};

enum Fan : std::size_t { f_chip, f_sensor, f_rpm, kFanCols };
inline constexpr std::array<ColumnSpec, kFanCols> kFan{{
    {"chip", "CHIP", 12, A::left, F::text, false, "hwmon chip name", "chip"},
    {"sensor", "SENSOR", 14, A::left, F::text, false, "fan label", "sensor"},
    {"rpm", "SPEED", 9, A::right, F::rpm, true, "revolutions per minute", "rpm"},
}};

enum Bat : std::size_t { b_name, b_status, b_charge, b_time, b_power, kBatCols };
inline constexpr std::array<ColumnSpec, kBatCols> kBat{{
    {"battery", "BATTERY", 8, A::left, F::text, false, "power supply name", "name"},
    {"status", "STATUS", 12, A::left, F::text, false, "Charging, Discharging, Full, Not charging",
     "status"},
    {"charge", "CHARGE", 8, A::right, F::percent, true, "capacity, else energy_now / energy_full",
     "charge_pct"},
    {"time_left", "TIME LEFT", 9, A::right, F::duration, true,
     "to empty when discharging, to full when charging", "time_left_s"},
    {"power", "POWER", 8, A::right, F::watts, true, "power_now, else current_now * voltage_now",
     "power_w"},
}};

// The cgroups section: one row per group of the v2 hierarchy.
enum Cgroup : std::size_t {
    g_name,
    g_read,
    g_write,
    g_io_source,
    g_cpu,
    g_mem,
    g_mem_max,
    g_anon,
    g_file,
    g_cpu_some,
    g_io_some,
    g_mem_some,
    g_procs,
    g_oom_kills,
    g_throttled,
    g_path,
    kCgroupCols
};
inline constexpr std::array<ColumnSpec, kCgroupCols> kCgroup{{
    {"name", "NAME", 24, A::left, F::text, false,
     "systemd unit, container short id, pod UID, or the last path component", "name"},
    {"read", "READ", 11, A::right, F::byte_rate, true, "bytes read from storage per second",
     "read_bytes_per_s"},
    {"write", "WRITE", 11, A::right, F::byte_rate, true, "bytes written to storage per second",
     "write_bytes_per_s"},
    dropped_at(
        2, {"io", "IO", 7, A::left, F::text, false,
            "where READ and WRITE come from: io.stat, or tasks (the sum of its tasks' taskstats)",
            "io_source"}),
    {"cpu", "CPU%", 6, A::right, F::percent1, true, "CPU time of the group (% of one CPU)",
     "cpu_pct"},
    {"mem", "MEM", 9, A::right, F::bytes, true, "memory.current (v1: memory.usage_in_bytes)",
     "memory_bytes"},
    dropped_at(3, {"mem_max", "MEMMAX", 9, A::right, F::bytes, true, "memory.max (max: no limit)",
                   "memory_max_bytes"}),
    dropped_at(4, {"anon", "ANON", 9, A::right, F::bytes, true,
                   "anonymous memory (memory.stat anon)", "anon_bytes"}),
    dropped_at(4, {"file", "FILE", 9, A::right, F::bytes, true, "page cache (memory.stat file)",
                   "file_bytes"}),
    dropped_at(1, {"cpu_some", "CPUPSI", 6, A::right, F::fixed2, true,
                   "cpu.pressure some over the interval (%)", "cpu_some_pct"}),
    {"io_some", "IOPSI", 6, A::right, F::fixed2, true, "io.pressure some over the interval (%)",
     "io_some_pct"},
    dropped_at(1, {"mem_some", "MEMPSI", 6, A::right, F::fixed2, true,
                   "memory.pressure some over the interval (%)", "memory_some_pct"}),
    dropped_at(1, {"procs", "PROCS", 5, A::right, F::integer, true, "processes in the group itself",
                   "procs"}),
    dropped_at(2, {"oom_kills", "OOMKILL", 7, A::right, F::integer, true,
                   "processes killed by the OOM killer (memory.events oom_kill)", "oom_kills"}),
    dropped_at(2, {"throttled", "THROT%", 6, A::right, F::fixed2, true,
                   "share of the interval the group was throttled by cpu.max", "throttled_pct"}),
    dropped_at(
        3, {"path", "PATH", 0, A::left, F::text, false, "path in the cgroup v2 hierarchy", "path"}),
}};

}  // namespace vigil::cols
