// Pipeline: the one path from a snapshot source to what a front end shows, used by batch
// text, CSV and JSON, replay and the full-screen view alike:
//
//   source (live or replay) -> advance(prev, cur) = Frame -> [-a sums]
//     -> task table: rank -> source fetches the details of the rows shown -> rows
//     -> device tables (build_section_tables)
//
// and, with --record, the current snapshot and its details to a RecordWriter. Every option
// that shapes a table (ViewState, MachineView) is applied here, the same for every front end.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "vigil/app/source.hpp"
#include "vigil/core/result.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/table.hpp"
#include "vigil/model/task_table.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/record/record_writer.hpp"

namespace vigil {

class Pipeline {
  public:
    explicit Pipeline(SnapshotSource& source) : source_(source) {}

    // Keep the sums since the start (-a) from the next advance() on.
    void keep_totals(bool on) { keep_totals_ = on; }

    // After the source moved: the frame of its current interval. continues: the interval
    // follows the last frame's, so the -a sums go on; false (a jump in a recording, a new
    // session) starts them again.
    void advance(bool continues = true);
    // The source's current snapshot was replaced by a new reading of the same interval (the
    // machine read again while paused): the frame again, not counted twice in the sums.
    void redo();
    const Frame& frame() const { return frame_; }
    SnapshotSource& source() { return source_; }

    // The task table: ranked (the details of every candidate fetched first when a text
    // filter or sort needs them), the details of the rows shown fetched, then the rows.
    Table tasks(const ViewState& vs, std::size_t max_rows = kAllRows);
    // The same in parts, for a writer that prints every row a few at a time: the ranked
    // keys, with the details of all of them fetched...
    RankedTasks ranked_tasks(const ViewState& vs, std::size_t max_rows = kAllRows);
    // ... and the rows of some of them, in place of t's rows.
    void rows(const RankedTasks& ranked, std::span<const RowKey> keys, const ViewState& vs,
              Table& t) const;

    // The tables of one overview section (Section::tasks has none).
    std::vector<Table> section(Section s, const MachineView& mv) const;

    // --record: fetches the details of the tasks that did I/O in the interval (and of their
    // processes), so a replay with other filters than this run's still names them, and
    // appends the current snapshot with every detail fetched so far (the rows shown have
    // theirs once ranked_tasks() or tasks() ran).
    Result<bool> record(RecordWriter& w);

  private:
    SnapshotSource& source_;
    Frame frame_;
    Accumulator totals_;
    bool keep_totals_ = false;
    KeyOrderCache order_;  // the last order of the task keys: only changed rows are sorted
};

}  // namespace vigil
