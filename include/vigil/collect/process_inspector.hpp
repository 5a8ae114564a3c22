// The process inspector: everything about ONE process, read once (vigil --inspect PID, and
// the view's inspector pane while it is open). It reads only that process's files (and,
// when it has sockets, the socket tables of its network namespace, /proc/PID/net/...), never
// anything of the task table's hot path: smaps_rollup, smaps and the fd walk take the
// process's mm and files locks, so they run only on request.
//
// Every read goes through the FsRoot, so fixture trees stand for /proc, and is bounded:
// files to kMaxFileBytes, smaps to kInspectSmapsBytes, fds and threads to kInspectMaxFds and
// kInspectMaxThreads, the command line to kCommandMaxBytes.
#pragma once

#include <sys/types.h>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/core/result.hpp"
#include "vigil/sample/process_info.hpp"

namespace vigil {

struct InspectContext {
    const FsRoot& proc;
    // proc is the running kernel's /proc: syscalls about the PID (ioprio_get) describe the
    // same process. False for fixture trees.
    bool live = true;
    const Clock& clock;  // start time and age (boot_s, wall_ns, ticks_per_s)
    UserNames& users;
    // Whether the threads section is read (/proc/PID/task/*/stat). The view's pane shows the
    // task table's rows of the process instead, from the sample it already has: false there.
    bool threads = true;
};

// Reads process `pid`. The error (one line naming the PID) is for a process that does not
// exist (or whose stat cannot be read at all); anything else it cannot read is a
// ReadProblem in the section concerned.
Result<ProcessInfo> inspect_process(const InspectContext& ctx, pid_t pid);

}  // namespace vigil
