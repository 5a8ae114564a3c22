// Helpers shared by tests that read the fixture /proc trees.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "vigil/app/sampler.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/proc_pid_io.hpp"
#include "vigil/collect/system_info.hpp"
#include "vigil/collect/task_collector.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/sample/snapshot.hpp"

namespace vigil::test {

inline std::string fixture(const std::string& rel) {
    return std::string(VIGIL_FIXTURES) + "/" + rel;
}

// A fixture tree sampled by the Sampler, with its clock set by the test so rates are exact.
inline Snapshot load_snapshot(const std::string& which, double steady_s, double boot_s) {
    Roots roots{FsRoot(fixture("proc/" + which)), FsRoot(fixture("proc/" + which))};
    FakeClock clock(steady_s, boot_s, 0);
    Sampler sampler(roots, std::make_unique<ProcPidIo>(roots.proc), false, clock);
    Snapshot s;
    sampler.sample(s);
    // The fixture machine has delay accounting on, but /proc io has no delays: they stay unknown.
    return s;
}

inline const TaskSample* find_task(const Snapshot& s, pid_t tid) {
    auto it = std::find_if(s.tasks.begin(), s.tasks.end(),
                           [&](const TaskSample& t) { return t.tid == tid; });
    return it == s.tasks.end() ? nullptr : &*it;
}

// Details of a fixture snapshot's tasks, as a source fetches them: command lines from the
// tree, fixed user names.
class FixtureDetails {
  public:
    explicit FixtureDetails(const std::string& which)
        : root_(fixture("proc/" + which)), tc_(root_, false) {}
    void fetch(const Snapshot& s, std::span<const std::size_t> tasks, TaskDetails& out,
               DetailParts parts = kDetailRow) {
        static const std::string root = "root", alice = "alice", other = "?";
        for (std::size_t i : tasks) {
            const TaskSample& t = s.tasks[i];
            const TaskDetail* known = out.find(i);
            const auto missing =
                static_cast<DetailParts>(parts & ~(known ? known->fetched : DetailParts{0}));
            if (missing) {
                TaskDetail& d = out.set(i);
                tc_.fetch_details(t, d, missing);
                d.fetched = static_cast<DetailParts>(d.fetched | missing);
            }
            out.set_user_name(t.uid, t.uid == 0 ? root : t.uid == 1000 ? alice : other);
        }
    }
    // The task table of a frame made as the pipeline makes it: rank, fetch the details of
    // the rows (of every candidate first when the view needs them to rank), make the rows.
    Table table(const Frame& f, const ViewState& vs, std::size_t max_rows = kAllRows) {
        TaskDetails details;
        details.reset(f.cur->tasks.size());
        if (ranking_needs_details(vs)) {
            const auto candidates = candidate_tasks(f, vs);
            const DetailParts parts = ranking_details(vs, max_rows >= candidates.size());
            if (parts) fetch(*f.cur, candidates, details, parts);
        }
        RankedTasks ranked = rank_tasks(f, details, vs, max_rows);
        fetch(*f.cur, tasks_of(ranked.keys), details, row_details(vs));
        order_by_text(f, ranked, details, vs);
        Table t = std::move(ranked.head);
        make_rows(f, ranked, ranked.keys, details, vs, t);
        return t;
    }

  private:
    FsRoot root_;
    TaskCollector tc_;
};

}  // namespace vigil::test

namespace vigil {
// The cell of a row of a task table with the default columns (iotop's eight, whose
// positions are their ColumnIds). Other tables: task_cell(table, row, id).
inline const Cell& task_cell(const std::vector<Cell>& row, ColumnId id) {
    return row.at(column_index(id));
}
}  // namespace vigil
