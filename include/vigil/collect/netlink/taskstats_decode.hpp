// Decoding of TASKSTATS_CMD_GET replies, by the version field the kernel sends (not by the
// build host's <linux/taskstats.h>): v15 inserted delay max/min fields in the middle of the
// struct, v16 moved them to the end. Pure functions over bytes; no libnl here.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vigil {

// The fields of struct taskstats vigil uses, in host units.
struct TaskstatsRecord {
    std::uint16_t version = 0;
    pid_t pid = 0;   // ac_pid: the thread id
    pid_t tgid = 0;  // ac_tgid (v12+), 0 if the version lacks it
    pid_t ppid = 0;
    uid_t uid = 0;
    std::string comm;             // ac_comm up to the first NUL
    std::uint64_t btime64_s = 0;  // ac_btime64 (v10+) else ac_btime; wall-clock seconds
    std::uint64_t utime_us = 0, stime_us = 0;
    std::uint64_t cpu_delay_ns = 0;
    std::uint64_t blkio_delay_ns = 0;
    std::uint64_t swapin_delay_ns = 0;
    // Delay event counts. The kernel allocates a task's delay record only if delay
    // accounting is on when the task is created; without one all of these stay 0, so a
    // non-zero count proves the task's delays are really being accounted.
    std::uint64_t blkio_count = 0, swapin_count = 0, wpcopy_count = 0;
    std::uint64_t read_char = 0, write_char = 0;          // read(2)/write(2) bytes (xacct)
    std::uint64_t read_syscalls = 0, write_syscalls = 0;  // and calls
    std::uint64_t minflt = 0, majflt = 0;                 // page faults
    std::uint64_t read_bytes = 0, write_bytes = 0, cancelled_write_bytes = 0;
    int nice = 0;  // ac_nice: task_nice() when the reply was made, -20..19
    // ac_etime: microseconds since the task started, measured by the kernel (CLOCK_MONOTONIC)
    // as it built the reply. Unlike ac_btime64 (wall-clock seconds, and the kernel's rounding
    // can move it by one between two replies) this is exact enough to tell two tasks apart.
    std::uint64_t etime_us = 0;
    // Activity counters. Each moves whenever the task is scheduled or runs (and the blkio
    // delay when its I/O completes), so for a whole process (TGID reply) an unchanged set
    // means none of its threads ran in between.
    std::uint64_t cpu_count = 0;                 // times scheduled in
    std::uint64_t cpu_run_real_total_ns = 0;     // utime + stime
    std::uint64_t cpu_run_virtual_total_ns = 0;  // sum_exec_runtime
    std::uint64_t nvcsw = 0, nivcsw = 0;         // context switches (v6+, else 0)
};

// Decodes the payload of a TASKSTATS_TYPE_STATS attribute. nullopt if it is too short for
// the fields its version must have.
std::optional<TaskstatsRecord> decode_taskstats(std::span<const std::byte> payload);

// One reply message as read from the socket (nlmsghdr onwards).
struct TaskstatsReply {
    enum class Kind { stats, error, other } kind = Kind::other;
    // The record sums a whole process (TASKSTATS_TYPE_AGGR_TGID: the answer to a TGID query);
    // such records carry activity counters and delays only, no ids, names or I/O bytes.
    bool whole_process = false;
    std::uint32_t seq = 0;
    int error = 0;  // positive errno for Kind::error (ESRCH: the task exited)
    std::optional<TaskstatsRecord> record;
};

// Walks every netlink message in buf (a datagram may hold several) and calls on_reply for
// each. Malformed lengths stop the walk; returns the number of messages seen.
template <typename F>
std::size_t for_each_taskstats_reply(std::span<const std::byte> buf, F&& on_reply);

// Non-template worker behind for_each_taskstats_reply; returns the bytes consumed by one
// message starting at buf, or 0 if buf does not start with a whole message.
std::size_t decode_one_reply(std::span<const std::byte> buf, TaskstatsReply& out);

template <typename F>
std::size_t for_each_taskstats_reply(std::span<const std::byte> buf, F&& on_reply) {
    std::size_t n = 0;
    while (!buf.empty()) {
        TaskstatsReply r;
        std::size_t used = decode_one_reply(buf, r);
        if (used == 0) break;
        on_reply(r);
        ++n;
        buf = buf.subspan(used);
    }
    return n;
}

}  // namespace vigil
