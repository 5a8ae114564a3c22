// Row filters of the ViewState (-p, -u, -o).
#pragma once

#include <span>

#include "vigil/model/table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil {

// -p and -u: a task matches when its tid or its process id is listed (or no PID is) and
// its user is listed (or no user is).
bool task_matches(const TaskSample& task, const ViewState& vs);

// -o: a task row (cells by ColumnId) moved bytes or waited on I/O or swap during the interval.
bool row_is_active(std::span<const Cell> row);

}  // namespace vigil
