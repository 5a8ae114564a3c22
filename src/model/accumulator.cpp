#include "vigil/model/accumulator.hpp"

#include <algorithm>

namespace vigil {
namespace {
constexpr std::size_t kNoLeader = static_cast<std::size_t>(-1);
}  // namespace

std::vector<std::size_t> leader_indices(const Snapshot& snap) {
    const std::vector<TaskSample>& tasks = snap.tasks;
    // One pass in task order (a task is a few hundred bytes: at 10 000 threads a second
    // pass, or a search, over the sample misses the cache). A leader (tid == tgid) comes
    // before its other threads, whose tids are larger, so the leaders seen so far, kept in
    // a small table sorted by tgid, name almost every thread's. The rest (a leader with a
    // larger tid than its thread, after the PID numbers wrapped; no leader at all) are
    // searched for in the whole sample at the end.
    struct Leader {
        pid_t tgid;
        std::size_t index;
    };
    std::vector<Leader> table;
    std::vector<std::size_t> later;
    std::vector<std::size_t> out(tasks.size());
    pid_t last_tgid = 0;
    std::size_t last = kNoLeader;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const TaskSample& t = tasks[i];
        if (t.tid == t.tgid) {
            table.push_back(Leader{t.tgid, i});
            last_tgid = t.tgid;
            last = i;
        } else if (last == kNoLeader || t.tgid != last_tgid) {
            // Threads of a process mostly come in runs: no search for those.
            auto it = std::lower_bound(table.begin(), table.end(), t.tgid,
                                       [](const Leader& l, pid_t v) { return l.tgid < v; });
            if (it == table.end() || it->tgid != t.tgid) {
                later.push_back(i);
                out[i] = i;
                last = kNoLeader;
                continue;
            }
            last_tgid = t.tgid;
            last = it->index;
        }
        out[i] = last;
    }
    for (std::size_t i : later) {
        auto it = std::lower_bound(tasks.begin(), tasks.end(), tasks[i].tgid,
                                   [](const TaskSample& t, pid_t v) { return t.tid < v; });
        if (it != tasks.end() && it->tid == tasks[i].tgid)
            out[i] = static_cast<std::size_t>(it - tasks.begin());
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
