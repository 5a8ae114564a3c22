#include "vigil/model/accumulator.hpp"

#include <algorithm>

namespace vigil {

std::vector<std::size_t> leader_indices(const Snapshot& snap) {
    std::vector<std::size_t> out(snap.tasks.size());
    for (std::size_t i = 0; i < snap.tasks.size(); ++i) {
        pid_t tgid = snap.tasks[i].tgid;
        // Threads of a process mostly have neighbouring tids: no search for those.
        if (i > 0 && snap.tasks[i - 1].tgid == tgid && snap.tasks[out[i - 1]].tid == tgid) {
            out[i] = out[i - 1];
            continue;
        }
        auto it = std::lower_bound(snap.tasks.begin(), snap.tasks.end(), tgid,
                                   [](const TaskSample& t, pid_t v) { return t.tid < v; });
        out[i] = (it != snap.tasks.end() && it->tid == tgid)
                     ? static_cast<std::size_t>(it - snap.tasks.begin())
                     : i;
    }
    return out;
}

void Accumulator::add(const Snapshot& cur, const TaskDeltas& rates) {
    ++generation_;
    std::vector<std::size_t> leaders = leader_indices(cur);
    for (std::size_t i = 0; i < cur.tasks.size() && i < rates.size(); ++i) {
        const TaskSample& t = cur.tasks[i];
        Sum& ts = threads_[Key{t.tid, t.start_ticks}];
        if (ts.generation != generation_) {
            ts.generation = generation_;
            if (rates.io_at(i).valid) ts.seen_s += rates.elapsed_s;
        }
        rates.add_to(i, ts.total);

        const TaskSample& leader = cur.tasks[leaders[i]];
        Sum& ps = processes_[Key{t.tgid, leader.start_ticks}];
        if (ps.generation != generation_) {
            ps.generation = generation_;
            ps.seen_s += rates.elapsed_s;
        }
        rates.add_to(i, ps.total);
    }
    // Forget what is gone, so the maps do not grow with churn.
    std::erase_if(threads_, [&](const auto& kv) { return kv.second.generation != generation_; });
    std::erase_if(processes_, [&](const auto& kv) { return kv.second.generation != generation_; });
}

const Accumulator::Sum* Accumulator::thread(pid_t tid, std::uint64_t start) const {
    auto it = threads_.find(Key{tid, start});
    return it == threads_.end() ? nullptr : &it->second;
}

const Accumulator::Sum* Accumulator::process(pid_t tgid, std::uint64_t start) const {
    auto it = processes_.find(Key{tgid, start});
    return it == processes_.end() ? nullptr : &it->second;
}

}  // namespace vigil
