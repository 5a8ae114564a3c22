// The task table: the rows a front end shows, a Table of the task_columns() registry, from
// a Frame, the details fetched for its tasks and the ViewState. It is made in three explicit steps,
// so that what costs a read or a syscall per task (the details: command line, I/O priority, user)
// is fetched only for the rows shown, and by the snapshot's source, never from in here:
//
//   1. rank_tasks: filter and order the rows as keys (numbers only) and cut them to the
//      rows shown. A text filter or a text sort column needs the details of every row
//      that passes the numeric filters first: ranking_needs_details() says so, and
//      candidate_tasks() names them.
//   2. the source fetches the details of tasks_of(keys) (TaskDetails);
//   3. make_rows: the rows of the keys, with their text.
//
// With ViewState::tree the keys come in the order of the process tree (task_tree.hpp), cut
// to the rows shown after it; matched_rows counts the rows outside collapsed subtrees.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/core/memory.hpp"
#include "vigil/model/accumulator.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/frame.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/sample/task_details.hpp"

namespace vigil {

std::string format_ioprio(const std::optional<IoPrio>& prio, int nice);

// A row before its text: what filtering and ordering need (~56 B against a row of cells).
// A writer that prints every row (batch text at 10 000 threads) makes the rows from these a
// few at a time instead of holding all of them at once.
inline constexpr std::uint32_t kNoSum = std::numeric_limits<std::uint32_t>::max();
struct RowKey {
    pid_t id = 0;
    pid_t pid = 0;
    std::size_t task = 0;          // index in the snapshot: the thread, or the process leader
    std::uint32_t sum = kNoSum;    // -P: the process's figures in RankedTasks::sums
    std::uint32_t threads = 0;     // threads of its process, when a column needs them
    std::optional<double> sort;    // the sort column's number (a numeric sort)
    double traffic = 0;            // storage bytes moved: the tie-break
    std::uint32_t place = kNoSum;  // --tree: its place in the tree, in RankedTasks::Sums
};

struct RankedTasks {
    Table head;                // columns, summary (the totals) and matched_rows; no rows
    std::vector<RowKey> keys;  // the rows in display order, at most max_rows of them
    // The keys are the rows to show but still need ordering by a text column, once their
    // details are fetched (order_by_text).
    bool order_by_text = false;
    // -P: what each process ranked did (summed over its threads), named by RowKey::sum;
    // --tree: where each row sits and what a collapsed row's subtree did (RowKey::place).
    struct Sums;
    std::shared_ptr<const Sums> sums;
};

inline constexpr std::size_t kAllRows = std::numeric_limits<std::size_t>::max();

// The order of numeric keys: by the sort column's number (unknown last in either direction),
// ties to the busier row (traffic), then the lower id. A strict total order for distinct ids,
// so a full sort has one result.
bool key_before(const RowKey& a, const RowKey& b, bool descending);

// The last full order of the keys, so that the next ranking sorts only the rows whose keys
// (the sort column's number, the traffic) changed and merges them into the rows that kept
// theirs, which are still in order among themselves: at 10 000 sleeping threads a refresh
// costs a few passes over the keys instead of a sort of them. The result is the full sort's
// (key_before), whatever the cache holds; only its cost depends on it. Memory follows the
// rows ranked and gives a peak's back (ShrinkGuard).
class KeyOrderCache {
  public:
    // Puts keys in key_before order and cuts them to max_rows, as a full sort would.
    void sort(std::vector<RowKey>& keys, bool descending, std::size_t max_rows = kAllRows);
    // Rows whose keys changed at the last sort (re-sorted and merged); all when it sorted
    // from scratch (tests, benchmarks).
    std::size_t last_changed() const { return last_changed_; }

  private:
    struct Prev {
        pid_t id;
        std::uint32_t rank;  // its place in the last order
        std::optional<double> sort;
        double traffic;
    };
    std::vector<Prev> by_id_;  // the last sort's keys, by id
    bool descending_ = false;
    std::size_t last_changed_ = 0;
    std::vector<std::uint32_t> slot_, changed_, order_, rank_;
    ShrinkGuard guard_;
};

// Whether ranking may need the details of every candidate row: a text filter ('/'), a
// sort by a text column (user, priority, command), or by a number the sample does not hold
// (memory, PRI with taskstats). A text sort of fewer rows than match (a screenful) keeps
// the busiest rows and needs only theirs (order_by_text).
bool ranking_needs_details(const ViewState& vs);
// The parts of the details a column's cells need (0: the sample has what they show).
DetailParts column_details(ColumnId c);
// The parts the rows shown need: their columns' and the sort column's.
DetailParts row_details(const ViewState& vs);
// The parts every candidate needs before ranking (when ranking_needs_details): the row's
// for a text filter or a text sort (every_row: of all the rows that match, not a
// screenful of them), the sort column's for a number from the details (memory, priority).
DetailParts ranking_details(const ViewState& vs, bool every_row);
// The tasks (indices into frame.cur->tasks) of the rows that pass -p, -u and -o.
std::vector<std::size_t> candidate_tasks(const Frame& f, const ViewState& vs);
// Step 1. details: what has been fetched; it must hold every candidate's details when
// ranking_needs_details(vs), else it is not used.
// order: the last order of the keys (a numeric sort without --tree or a text filter sorts
// only the rows that changed since); null: a full sort.
RankedTasks rank_tasks(const Frame& f, const TaskDetails& details, const ViewState& vs,
                       std::size_t max_rows = kAllRows, KeyOrderCache* order = nullptr);
// Step 2b, after the details of the keys' tasks are fetched: a text sort of a screenful
// orders it by its text (nothing to do otherwise).
void order_by_text(const Frame& f, RankedTasks& ranked, const TaskDetails& details,
                   const ViewState& vs);
// The tasks whose details the rows of keys show (step 2).
std::vector<std::size_t> tasks_of(std::span<const RowKey> keys);
// Step 3: the rows of keys (some or all of ranked's), with their text from details, in
// place of t's rows (their buffers are reused); t's columns are ranked.head's.
void make_rows(const Frame& f, const RankedTasks& ranked, std::span<const RowKey> keys,
               const TaskDetails& details, const ViewState& vs, Table& t);

}  // namespace vigil
