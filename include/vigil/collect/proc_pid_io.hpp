// ProcPidIo: per-thread I/O counters from /proc/PID/task/TID/io, the fallback when
// taskstats is not permitted. It has no delay accounting, so IO% and SWAPIN% stay unknown,
// and it can read only the tasks the user may ptrace (its own, or all as root).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/proc_parsers.hpp"
#include "vigil/collect/task_io_source.hpp"

namespace vigil {

class ProcPidIo final : public TaskIoSource {
  public:
    explicit ProcPidIo(const FsRoot& proc) : proc_(proc) {}
    void fill(std::span<TaskSample> tasks) override;
    std::string_view name() const override { return "/proc io"; }
    bool reports_delays() const override { return false; }

  private:
    const FsRoot& proc_;
    std::string buf_;
    std::string rel_;
};

// A whole process's cumulative counters since it started, its exited threads included
// (/proc/PID/io and /proc/PID/stat of the process count those, unlike the sum of its live
// threads): what an exporter can give as counters that never go back.
struct ProcessTotals {
    std::optional<PidIo> io;        // absent: io not readable (another user's, not root)
    std::uint64_t utime_ticks = 0;  // stat's utime: CPU time in user mode, clock ticks
    std::uint64_t stime_ticks = 0;  // stat's stime: in the kernel
    std::string cgroup;             // its cgroup v2 path ("0::" of PID/cgroup); empty: none
};
// Reads them for process pid, if it is still the process that started at start_ticks (a
// PID reused since gives nothing). buf: reused between calls.
std::optional<ProcessTotals> read_process_totals(const FsRoot& proc, pid_t pid,
                                                 std::uint64_t start_ticks, std::string& buf);

}  // namespace vigil
