// The cells of the task table (task_table.hpp): a row's figures, the number of each
// numeric column and the text of each text column. task_table.cpp ranks the rows with
// them; task_cells.cpp makes the rows shown (make_rows).
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "task_tree.hpp"
#include "vigil/model/task_table.hpp"

namespace vigil {
namespace task_table_detail {

// What a row's numbers come from: the interval's delta (summed over the threads with -P),
// the threads of its process, and the CPU time used so far (summed likewise: the threads
// alive now; top's TIME+ also counts exited ones).
struct Figures {
    TaskDelta delta;
    std::uint32_t threads = 0;
    std::optional<double> cpu_time_s;
};

struct Candidate {
    pid_t id;
    std::size_t task;  // thread, or the process leader
    Figures fig;
    const Accumulator::Sum* totals = nullptr;  // -a: its sums, looked up once (with_totals)
};

// -a: the candidate's sums since the start, found once for all its columns.
inline Candidate& with_totals(Candidate& c, const Frame& f, const ViewState& vs) {
    if (!vs.accumulated || !f.totals) return c;
    const TaskSample& t = f.cur->tasks[c.task];
    c.totals = vs.processes ? f.totals->process(t.tgid, t.start_ticks)
                            : f.totals->thread(t.tid, t.start_ticks);
    return c;
}

inline std::optional<double> cpu_time_of(const TaskSample& t) {
    if (!t.activity) return std::nullopt;
    return static_cast<double>(t.activity->user_us + t.activity->system_us) / 1e6;
}

// What a collapsed tree row sums over its subtree: what the rows did in the interval (or
// since the start), I/O and CPU. Not memory (shared pages would count twice) nor what
// describes the task itself (ids, times, priorities, threads).
inline constexpr std::array kSubtreeColumns = {ColumnId::disk_read,
                                               ColumnId::disk_write,
                                               ColumnId::swapin,
                                               ColumnId::io,
                                               ColumnId::cpu,
                                               ColumnId::user_cpu,
                                               ColumnId::system_cpu,
                                               ColumnId::cpu_delay,
                                               ColumnId::cpu_time,
                                               ColumnId::read_chars,
                                               ColumnId::write_chars,
                                               ColumnId::read_syscalls,
                                               ColumnId::write_syscalls,
                                               ColumnId::ctx_switches,
                                               ColumnId::major_faults};

inline bool summed_in_subtree(ColumnId c) {
    return std::find(kSubtreeColumns.begin(), kSubtreeColumns.end(), c) != kSubtreeColumns.end();
}

// The number of a numeric column for a row. With -a the interval figures are replaced by
// the sums since vigil started (sum: null when none are known yet). dt: the details
// fetched for the row's task (the process leader with -P), null when none were.
std::optional<double> column_number(ColumnId c, const Candidate& cand, const Frame& f,
                                    const ViewState& vs, const TaskDetail* dt);
// -o: the row moved bytes to or from storage, or waited on I/O or swap.
bool is_active(const Candidate& c, const Frame& f, const ViewState& vs);
// Storage bytes the row moved: the tie-break of the orders.
double traffic_of(const Candidate& c, const Frame& f, const ViewState& vs);
// The text of a text column for a task, from the details fetched for it.
std::string column_text(ColumnId c, const TaskSample& t, const TaskDetail* d,
                        const TaskDetails& details, const ViewState& vs);
// The text of a text column, the CGROUP column (from the frame's cgroup walk) included.
std::string text_of(ColumnId c, const Frame& f, const TaskSample& t, const TaskDetail* d,
                    const TaskDetails& details, const ViewState& vs);

}  // namespace task_table_detail

struct RankedTasks::Sums {
    std::vector<task_table_detail::Figures> figures;
    // --tree: where each key sits (RowKey::place), and the sums of each collapsed row's
    // subtree by column (TreePlace::sums; unknown when a row of the subtree shows '?').
    std::vector<TreePlace> places;
    std::vector<std::array<std::optional<double>, kColumnCount>> subtrees;
};

namespace task_table_detail {

// The candidate a key was made from.
Candidate candidate_of(const Frame& f, const RankedTasks& ranked, const RowKey& k,
                       const ViewState& vs);

}  // namespace task_table_detail
}  // namespace vigil
