// Snapshot: raw cumulative counters of the machine at one instant. Collectors fill it;
// nothing here is a rate. Recording stores Snapshots, so replay runs the live code path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/sample/machine.hpp"

namespace vigil {

// I/O scheduling class and level as ioprio_get(2) reports it.
struct IoPrio {
    enum class Class : std::uint8_t { none = 0, rt = 1, be = 2, idle = 3 };
    Class cls = Class::none;
    std::uint8_t level = 0;  // 0..7; for Class::none the level derived from nice
    bool operator==(const IoPrio&) const = default;
};

// Cumulative per-task I/O counters, from taskstats or /proc/PID/task/TID/io.
struct TaskIoCounters {
    std::uint64_t read_bytes = 0;             // storage reads caused by the task
    std::uint64_t write_bytes = 0;            // storage writes caused by the task
    std::uint64_t cancelled_write_bytes = 0;  // dirty pages truncated before writeback
    // Delay accounting (ns). Absent when the source cannot know them (the /proc
    // fallback) or when kernel.task_delayacct is 0.
    std::optional<std::uint64_t> blkio_delay_ns;
    std::optional<std::uint64_t> swapin_delay_ns;
    // Whether the kernel is known to account this task's delays. It keeps delays only for
    // tasks created while kernel.task_delayacct was on; for the others the totals read 0
    // forever, which must show as unknown, not as "never waited". Set from evidence (a
    // non-zero delay count) or from the task's start time (after accounting was seen on).
    bool delays_tracked = false;
    bool operator==(const TaskIoCounters&) const = default;
};

// Cumulative CPU and activity counters of a task: taskstats, or /proc/PID/task/TID/stat
// and io in the fallback. A group the source cannot know is marked unknown (known), and
// shows as '?', never as 0.
struct TaskActivity {
    // The groups of counters that may be unknown, as bits of known.
    enum Known : std::uint8_t {
        kCpuDelay = 1,  // cpu_delay_ns: delay accounting, like the I/O delays
        kChars = 2,     // read/write chars (taskstats: in whole KiB, as the kernel rounds them)
        kSwitches = 4,  // context switches (not read in the /proc fallback)
        kSyscalls = 8,  // read/write syscalls: /proc io only (taskstats rounds them to 1024)
    };
    std::uint64_t user_us = 0;    // CPU time in user mode, microseconds
    std::uint64_t system_us = 0;  // CPU time in the kernel
    std::uint64_t minor_faults = 0;
    std::uint64_t major_faults = 0;  // faults that read from storage
    std::uint64_t cpu_delay_ns = 0;  // time runnable but waiting for a CPU
    // read(2)/write(2) and the like: bytes passed and calls made, whether or not they
    // reached storage (absent where /proc/PID/task/TID/io cannot be read).
    std::uint64_t read_chars = 0;
    std::uint64_t write_chars = 0;
    std::uint64_t read_syscalls = 0;
    std::uint64_t write_syscalls = 0;
    std::uint64_t voluntary_switches = 0;
    std::uint64_t involuntary_switches = 0;
    std::uint8_t known = 0;
    bool has(Known k) const { return (known & k) != 0; }
    bool operator==(const TaskActivity&) const = default;
};

// One thread (a task, in kernel terms) at one instant.
struct TaskSample {
    pid_t tid = 0;
    pid_t tgid = 0;  // the process the thread belongs to
    pid_t ppid = 0;
    uid_t uid = 0;     // real user id
    char state = '?';  // R, S, D, Z, ... from /proc stat
    // /proc stat's priority (top's PR, -101..39) when the sample read it (the /proc path);
    // with taskstats it is fetched for the rows shown (TaskDetail::priority). Beside state,
    // where it takes no room.
    std::optional<std::int8_t> priority;
    int nice = 0;                   // -20..19
    std::uint64_t start_ticks = 0;  // start time since boot in clock ticks; with tid, the identity
    std::string comm;  // kernel task name, raw bytes: 15 at most, but kernel threads' can be longer
    std::optional<TaskIoCounters> io;      // absent: the I/O source could not read this task
    std::optional<TaskActivity> activity;  // absent: the source could not read this task
    // What costs a read or a syscall per task (command line, I/O priority) is not here but
    // in TaskDetails, fetched only for the tasks shown.
};

struct Snapshot {
    double steady_s = 0;            // CLOCK_MONOTONIC seconds when the sample was taken
    double boot_s = 0;              // CLOCK_BOOTTIME seconds, comparable with start_ticks / clk_tck
    std::int64_t wall_ns = 0;       // CLOCK_REALTIME, for time stamps
    std::uint64_t clk_tck = 100;    // sysconf(_SC_CLK_TCK) of the machine that was sampled
    std::vector<TaskSample> tasks;  // sorted by tid, each tid once
    // /proc/vmstat pgpgin/pgpgout (KiB moved to/from block devices), absent if unreadable.
    std::optional<std::uint64_t> pgpgin_kib;
    std::optional<std::uint64_t> pgpgout_kib;
    // kernel.task_delayacct; absent when the sysctl does not exist.
    std::optional<bool> delayacct_enabled;
    // CLOCK_BOOTTIME seconds since which delay accounting is known to have been on (0: since
    // boot); absent when it is off or the time is not known.
    std::optional<double> delayacct_on_since_s;
    // MemTotal of /proc/meminfo (KiB), for MEM%; absent when unknown.
    std::optional<std::uint64_t> mem_total_kib;
    // The machine overview (CPU, memory, disks, ...); empty unless the Sampler was given a
    // MachineCollector (--show with more than tasks).
    MachineSample machine;
};

}  // namespace vigil
