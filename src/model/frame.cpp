#include "vigil/model/frame.hpp"

namespace vigil {

Frame advance(const Snapshot& prev, const Snapshot& cur, Frame old) {
    Frame f;
    f.prev = &prev;
    f.cur = &cur;
    f.tasks = task_deltas(prev, cur, std::move(old.tasks));
    f.machine = compute_machine_rates(prev.machine, cur.machine);
    return f;
}

}  // namespace vigil
