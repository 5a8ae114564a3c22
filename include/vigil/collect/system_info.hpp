// Small machine-wide facts read through the roots, and per-task details that cost a
// syscall or a read each, so they are fetched only for rows that are shown.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/proc_parsers.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

// kernel.task_delayacct; nullopt when the sysctl does not exist (kernels before 5.14 have
// delay accounting always on unless booted with nodelayacct).
std::optional<bool> read_delayacct(const FsRoot& proc);

// Whether the kernel was booted with "delayacct" on its command line, which turns delay
// accounting on before the first task is created.
bool read_delayacct_at_boot(const FsRoot& proc);

std::optional<VmstatIo> read_vmstat_io(const FsRoot& proc, std::string& buf);

// MemTotal of /proc/meminfo in KiB (for MEM%); nullopt when unknown.
std::optional<std::uint64_t> read_mem_total_kib(const FsRoot& proc, std::string& buf);

// vigil's own resident memory now (self/statm), in bytes.
std::optional<std::uint64_t> self_resident_bytes(const FsRoot& proc, std::string& buf);

// ioprio_get(2) for one thread; nullopt if it exited or the call failed.
std::optional<IoPrio> read_ioprio(pid_t tid);

// The command line of a process (NULs as spaces, raw bytes), at most kCommandMaxBytes of
// it (unread counts the rest); empty for kernel threads and zombies; nullopt if it cannot
// be read (errno says why: ENOENT or ESRCH when the process is gone).
std::optional<CmdlineText> read_cmdline(const FsRoot& proc, pid_t tgid, std::string& buf);

// Whether a process with this PID exists under the root (for -p validation).
bool process_exists(const FsRoot& proc, pid_t pid);

}  // namespace vigil
