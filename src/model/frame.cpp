#include "vigil/model/frame.hpp"

namespace vigil {

Frame advance(const Snapshot& prev, const Snapshot& cur) {
    Frame f;
    f.prev = &prev;
    f.cur = &cur;
    f.tasks = task_deltas(prev, cur);
    f.machine = compute_machine_rates(prev.machine, cur.machine);
    return f;
}

}  // namespace vigil
