// Row filters of the ViewState (-p, -u, -o).
#pragma once

#include <span>

#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// -p and -u: a task matches when its tid or its process id is listed (or no PID is) and
// its user is listed (or no user is); with hide_kernel_threads, when it is not a kernel
// thread.
bool task_matches(const TaskSample& task, const ViewState& vs);

// kthreadd (PID 2) and the threads it started: the kernel's own, with no command line.
inline bool is_kernel_thread(const TaskSample& t) {
    return t.tgid == 2 || t.ppid == 2;
}

// Row r of a task table moved bytes or waited on I/O or swap during the interval (by the
// columns it shows; -o itself filters by the figures, shown or not).
bool row_is_active(const Table& t, std::size_t r);

}  // namespace vigil
