#include "vigil/collect/task_actions.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "vigil/core/unique_fd.hpp"

namespace vigil {
namespace {
constexpr int kIoprioWhoProcess = 1;  // include/uapi/linux/ioprio.h
constexpr int kIoprioClassShift = 13;

std::string errno_reason(int err) {
    if (err == EPERM) return "permission denied (EPERM)";
    if (err == ESRCH) return "the task no longer exists (ESRCH)";
    return std::strerror(err);
}
}  // namespace

std::string set_task_ioprio(const FsRoot& proc, pid_t id, bool whole_process, IoPrio prio) {
    int value = (static_cast<int>(prio.cls) << kIoprioClassShift) | prio.level;
    std::vector<pid_t> tids{id};
    if (whole_process) {
        proc.list_numeric(std::to_string(id) + "/task", tids);
        if (tids.empty()) return errno_reason(ESRCH);
    }
    std::size_t done = 0;
    for (pid_t tid : tids) {
        if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, value) != 0) {
            int err = errno;
            if (err == ESRCH && whole_process) continue;  // a thread exited meanwhile
            return fmt::format("ionice {} failed: {}", tid, errno_reason(err));
        }
        ++done;
    }
    // Every thread gone before it was set: the process is, too.
    if (done == 0) return fmt::format("ionice {} failed: {}", id, errno_reason(ESRCH));
    return {};
}

std::string set_task_nice(const FsRoot& proc, pid_t id, bool whole_process, int nice) {
    std::vector<pid_t> tids{id};
    if (whole_process) {
        proc.list_numeric(std::to_string(id) + "/task", tids);
        if (tids.empty()) return fmt::format("renice {} failed: no such task (ESRCH)", id);
    }
    std::size_t done = 0;
    for (pid_t tid : tids) {
        if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) == 0) {
            ++done;
            continue;
        }
        const int err = errno;
        if (err == ESRCH && whole_process) continue;  // a thread exited meanwhile
        if (err == ESRCH) return fmt::format("renice {} failed: no such task (ESRCH)", tid);
        if (err == EPERM)
            return fmt::format("renice {} failed: not permitted (EPERM: another user's task)", tid);
        if (err == EACCES)
            return fmt::format(
                "renice {} to {} failed: not permitted (EACCES: a lower nice needs root)", tid,
                nice);
        return fmt::format("renice {} failed: {}", tid, std::strerror(err));
    }
    // Every thread gone before it was set: the process is, too.
    if (done == 0) return fmt::format("renice {} failed: no such task (ESRCH)", id);
    return {};
}

std::string set_delay_accounting(const FsRoot& proc, bool on) {
    const char* what = on ? "turning delay accounting on" : "turning delay accounting off";
    if (!proc.kernel_files())
        return fmt::format("{}: {} is not the kernel's /proc", what, proc.path());
    const std::string path = proc.path() + "/sys/kernel/task_delayacct";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
    int err = fd ? 0 : errno;
    if (fd) {
        const char c = on ? '1' : '0';
        if (::write(fd.get(), &c, 1) != 1) err = errno;
    }
    if (err == 0) return {};
    if (err == ENOENT)
        return fmt::format(
            "{}: this kernel has no kernel.task_delayacct (before 5.14 it is on "
            "unless booted with nodelayacct)",
            what);
    if (err == EPERM || err == EACCES)
        return fmt::format("{} needs root (CAP_SYS_ADMIN): {}", what,
                           err == EPERM ? "EPERM" : "EACCES");
    return fmt::format("{} failed: {}", what, std::strerror(err));
}

std::string send_task_signal(pid_t id, int signal) {
    if (::kill(id, signal) != 0) {
        return fmt::format("signal {} to {} failed: {}", signal, id, errno_reason(errno));
    }
    return {};
}

}  // namespace vigil
