// Actions on tasks from the interactive view. Each returns an empty string on success or a
// one-line reason (EPERM, ESRCH...) for the notice line; none fails silently. (The one
// exception to the Result convention of notes.hpp: the view's TaskActions wants this.)
#pragma once

#include <sys/types.h>

#include <string>

#include "vigil/collect/fs_root.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// ioprio_set(2) on one thread, or on every thread of a process (whole_process).
std::string set_task_ioprio(const FsRoot& proc, pid_t id, bool whole_process, IoPrio prio);

// setpriority(2) (PRIO_PROCESS) on one thread, or on every thread of a process
// (whole_process): Linux keeps a nice value per thread. A reason names EPERM and EACCES
// ("not permitted") and ESRCH ("no such task").
std::string set_task_nice(const FsRoot& proc, pid_t id, bool whole_process, int nice);

// kill(2). A signal to a thread id reaches its whole process, as with kill(1).
std::string send_task_signal(pid_t id, int signal);

// Writes kernel.task_delayacct (1: on) under proc, which must be the kernel's /proc. Empty
// on success, else the reason ("needs root" for EPERM/EACCES).
std::string set_delay_accounting(const FsRoot& proc, bool on);

}  // namespace vigil
