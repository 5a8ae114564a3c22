#include "vigil/model/filter.hpp"

#include <algorithm>

#include "vigil/model/columns.hpp"

namespace vigil {

bool task_matches(const TaskSample& t, const ViewState& vs) {
    if (!vs.pids.empty()) {
        bool listed =
            std::find(vs.pids.begin(), vs.pids.end(), t.tgid) != vs.pids.end() ||
            (!vs.processes && std::find(vs.pids.begin(), vs.pids.end(), t.tid) != vs.pids.end());
        if (!listed) return false;
    }
    if (!vs.uids.empty() && std::find(vs.uids.begin(), vs.uids.end(), t.uid) == vs.uids.end())
        return false;
    if (vs.hide_kernel_threads && is_kernel_thread(t)) return false;
    return true;
}

bool row_is_active(const Table& t, std::size_t r) {
    for (ColumnId c : {ColumnId::disk_read, ColumnId::disk_write, ColumnId::swapin, ColumnId::io}) {
        const Cell* cell = task_cell(t, r, c);
        if (cell && cell->num && *cell->num > 0) return true;
    }
    return false;
}

}  // namespace vigil
