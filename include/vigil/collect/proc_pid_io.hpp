// ProcPidIo: per-thread I/O counters from /proc/PID/task/TID/io, the fallback when
// taskstats is not permitted. It has no delay accounting, so IO% and SWAPIN% stay unknown,
// and it can read only the tasks the user may ptrace (its own, or all as root).
#pragma once

#include <string>

#include "vigil/collect/fs_root.hpp"
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

}  // namespace vigil
