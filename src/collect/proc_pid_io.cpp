#include "vigil/collect/proc_pid_io.hpp"

#include "vigil/collect/proc_parsers.hpp"

namespace vigil {

void ProcPidIo::fill(std::span<TaskSample> tasks) {
    for (TaskSample& t : tasks) {
        t.io.reset();
        rel_ = std::to_string(t.tgid);
        rel_ += "/task/";
        rel_ += std::to_string(t.tid);
        rel_ += "/io";
        if (!proc_.read_into(rel_, buf_)) continue;  // exited, or not ours to read
        auto io = parse_pid_io(buf_);
        if (!io) continue;
        TaskIoCounters c;
        c.read_bytes = io->read_bytes;
        c.write_bytes = io->write_bytes;
        c.cancelled_write_bytes = io->cancelled_write_bytes;
        t.io = c;
        if (t.activity && io->rchar) {
            t.activity->read_chars = *io->rchar;
            t.activity->write_chars = *io->wchar;
            t.activity->read_syscalls = *io->syscr;
            t.activity->write_syscalls = *io->syscw;
            t.activity->known |= TaskActivity::kChars | TaskActivity::kSyscalls;
        }
    }
}

}  // namespace vigil

namespace vigil {

std::optional<ProcessTotals> read_process_totals(const FsRoot& proc, pid_t pid,
                                                 std::uint64_t start_ticks, std::string& buf) {
    const std::string dir = std::to_string(pid);
    if (!proc.read_into(dir + "/stat", buf)) return std::nullopt;
    auto st = parse_pid_stat(buf);
    if (!st || st->start_ticks != start_ticks) return std::nullopt;
    ProcessTotals t;
    t.utime_ticks = st->utime;
    t.stime_ticks = st->stime;
    // Read after stat: a process reused in between would have another start time, and a
    // new one's I/O cannot pass for the old one's only if it is checked again.
    if (proc.read_into(dir + "/io", buf))
        if (auto io = parse_pid_io(buf)) t.io = *io;
    if (proc.read_into(dir + "/cgroup", buf)) t.cgroup = std::string(parse_cgroup_v2_path(buf));
    if (!proc.read_into(dir + "/stat", buf)) return std::nullopt;
    if (auto again = parse_pid_stat(buf); !again || again->start_ticks != start_ticks)
        return std::nullopt;
    return t;
}

}  // namespace vigil
