// Helpers shared by tests that read the fixture /proc trees.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/collect/task_collector.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/model/table_model.hpp"

namespace vigil::test {

inline std::string fixture(const std::string& rel) { return std::string(VIGIL_FIXTURES) + "/" + rel; }

// Collects a fixture tree as the Sampler would, with clocks set by the test so rates are exact.
inline Snapshot load_snapshot(const std::string& which, double steady_s, double boot_s) {
    FsRoot root(fixture("proc/" + which));
    TaskCollector tc(root, false);
    ProcPidIo io(root);
    Snapshot s;
    s.steady_s = steady_s;
    s.boot_s = boot_s;
    s.wall_ns = 0;
    s.clk_tck = 100;
    tc.collect(s.tasks);
    io.fill(s.tasks);
    std::string buf;
    if (auto v = read_vmstat_io(root, buf)) {
        s.pgpgin_kib = v->pgpgin_kib;
        s.pgpgout_kib = v->pgpgout_kib;
    }
    // The fixture machine has delay accounting on, but /proc io has no delays: they stay unknown.
    return s;
}

inline const TaskSample* find_task(const Snapshot& s, pid_t tid) {
    auto it = std::find_if(s.tasks.begin(), s.tasks.end(), [&](const TaskSample& t) { return t.tid == tid; });
    return it == s.tasks.end() ? nullptr : &*it;
}

// RowDetails over a fixture tree: command lines from the tree, fixed user names.
class FixtureDetails final : public RowDetails {
public:
    explicit FixtureDetails(const std::string& which) : root_(fixture("proc/" + which)), tc_(root_, false) {}
    void fill(TaskSample& t) override { tc_.fill_details(t); }
    const std::string& user_name(uid_t uid) override {
        static const std::string root = "root", alice = "alice", other = "?";
        return uid == 0 ? root : uid == 1000 ? alice : other;
    }

private:
    FsRoot root_;
    TaskCollector tc_;
};

}  // namespace vigil::test
