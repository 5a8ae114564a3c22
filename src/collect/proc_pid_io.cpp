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
