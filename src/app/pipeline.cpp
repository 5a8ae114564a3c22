#include "vigil/app/pipeline.hpp"

#include "vigil/model/cgroups.hpp"

#include "vigil/model/overview.hpp"

namespace vigil {

void Pipeline::advance(bool continues) {
    frame_ = vigil::advance(source_.prev(), source_.cur(), std::move(frame_));
    if (!keep_totals_) return;
    if (!continues) totals_ = Accumulator{};
    totals_.add(*frame_.cur, frame_.tasks);
    frame_.totals = &totals_;
}

void Pipeline::redo() {
    frame_ = vigil::advance(source_.prev(), source_.cur(), std::move(frame_));
    if (keep_totals_) frame_.totals = &totals_;
}

RankedTasks Pipeline::ranked_tasks(const ViewState& vs, std::size_t max_rows) {
    if (ranking_needs_details(vs)) {
        // A text sort of a screenful ranks the busiest rows first (rank_tasks): only
        // the filter, or a text sort of every row, needs every candidate's details; a sort
        // by memory needs every candidate's memory and nothing else.
        std::vector<std::size_t> candidates = candidate_tasks(frame_, vs);
        const DetailParts parts = ranking_details(vs, max_rows >= candidates.size());
        if (parts) source_.enrich(candidates, parts);
    }
    RankedTasks ranked = rank_tasks(frame_, source_.details(), vs, max_rows, &order_);
    source_.enrich(tasks_of(ranked.keys), row_details(vs));
    order_by_text(frame_, ranked, source_.details(), vs);
    return ranked;
}

void Pipeline::rows(const RankedTasks& ranked, std::span<const RowKey> keys, const ViewState& vs,
                    Table& t) const {
    make_rows(frame_, ranked, keys, source_.details(), vs, t);
}

Table Pipeline::tasks(const ViewState& vs, std::size_t max_rows) {
    RankedTasks ranked = ranked_tasks(vs, max_rows);
    Table table = std::move(ranked.head);
    rows(ranked, ranked.keys, vs, table);
    return table;
}

std::vector<Table> Pipeline::section(Section s, const MachineView& mv) const {
    // A group without io.stat has its tasks' I/O: the table needs the task deltas too.
    if (s == Section::cgroups) return {build_cgroup_table(frame_, mv)};
    std::vector<Table> tables = build_section_tables(s, frame_.cur->machine, frame_.machine, mv);
    // The Tasks header goes with the CPU figures, as in top; it counts the sample's tasks.
    if (s == Section::cpu) tables.push_back(build_task_states_table(*frame_.cur));
    return tables;
}

Result<bool> Pipeline::record(RecordWriter& w) {
    const Snapshot& cur = *frame_.cur;
    const TaskDeltas& deltas = frame_.tasks;
    if (deltas.size() == cur.tasks.size()) {
        const std::vector<std::size_t> leaders = leader_indices(cur);
        std::vector<std::size_t> busy;
        for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
            const TaskDelta d = deltas.io_at(i);
            if (!d.valid || (d.read_bytes == 0 && d.write_bytes == 0)) continue;
            busy.push_back(i);
            if (leaders[i] != i) busy.push_back(leaders[i]);
        }
        // Only tasks without details: fetching again what a shown row has could record a
        // value other than the one shown (a renice in between).
        source_.enrich(busy, kDetailRow);
    }
    return w.write(cur, source_.details(),
                   [this](uid_t uid) -> const std::string& { return source_.user_name(uid); });
}

}  // namespace vigil
