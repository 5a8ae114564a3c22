// BpfTaskTable: one pass of vigil's BPF task iterator (bpf_task_record.h: a record per task,
// and one per process with exited threads), answering taskstats queries as the kernel's
// TASKSTATS_CMD_GET would have at the moment of the pass: a thread query from its record, a
// process (TGID) query from the sums of its live threads and its exited threads' delays.
// The numbers are taskstats' own: microseconds for CPU times and etime, the I/O byte and
// char counters rounded down to whole KiB (KB_MASK in kernel/tsacct.c), delays in ns.
// Pure: the records come in as bytes, the pass's clock reading as numbers. Built whether or
// not vigil is built with BPF, so it is tested everywhere.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vigil/collect/bpf_task_record.h"
#include "vigil/collect/netlink/taskstats_client.hpp"
#include "vigil/collect/netlink/taskstats_decode.hpp"

namespace vigil {

// The TaskstatsRecord::version a BPF answer carries: every field vigil reads from a v16
// reply is filled (context switches included).
inline constexpr std::uint16_t kBpfTaskstatsVersion = 16;

// One thread's record as the kernel's taskstats reply would give it, the kernel's clocks
// read at now_ns (CLOCK_MONOTONIC) and wall_ns (CLOCK_REALTIME).
TaskstatsRecord bpf_thread_record(const vigil_bpf_task_record& r, std::int64_t now_ns,
                                  std::int64_t wall_ns);

class BpfTaskTable {
  public:
    // Replaces the table with the records in bytes (a whole number of records; a trailing
    // part record is ignored), read by the kernel just before now_ns and wall_ns. Reuses its
    // memory: no allocation once the task count has been seen.
    void load(std::span<const std::byte> bytes, std::int64_t now_ns, std::int64_t wall_ns);

    // Answers as NetlinkTaskstats::query does: ok with the record, or gone for an id the
    // pass did not see (a process: its leader). asked_ns = answered_ns = the pass's now_ns,
    // the clock reading the etime of every answer is measured at.
    void query(TaskstatsScope scope, std::span<const pid_t> ids,
               std::span<TaskstatsAnswer> out) const;

    bool loaded() const { return loaded_; }
    std::size_t tasks() const { return tasks_.size(); }

  private:
    struct Sum {
        pid_t tgid = 0;
        std::size_t leader = 0;  // index in tasks_
        TaskstatsRecord rec;
    };
    const vigil_bpf_task_record* find_task(pid_t tid) const;
    const Sum* find_sum(pid_t tgid) const;
    Sum* find_sum(pid_t tgid);

    std::vector<vigil_bpf_task_record> tasks_;  // sorted by tid
    std::vector<Sum> sums_;                     // one per leader seen, sorted by tgid
    std::int64_t now_ns_ = 0, wall_ns_ = 0;
    bool loaded_ = false;
};

}  // namespace vigil
