// TableModel: the rows a front end shows, with typed cells, built from a snapshot, its
// rates and the ViewState. Text cells (command line, user, priority) are filled only for
// rows that survive filtering and the row limit, since each costs a read or a syscall.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/model/accumulator.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/rates.hpp"
#include "vigil/sample/snapshot.hpp"
#include "vigil/model/view_state.hpp"

namespace vigil {

// What the table needs from the live system (or a recording) for the rows it shows.
class RowDetails {
public:
    virtual ~RowDetails() = default;
    virtual void fill(TaskSample& task) = 0;  // cmdline and ioprio
    virtual const std::string& user_name(uid_t uid) = 0;
};

struct Row {
    pid_t id = 0;           // tid, or pid with -P
    pid_t pid = 0;          // the process (tgid) the row belongs to
    std::size_t task = 0;   // index in the snapshot (the thread, or the process leader)
    std::array<Cell, kColumnCount> cells;
    const Cell& cell(ColumnId c) const { return cells[static_cast<std::size_t>(c)]; }
    Cell& cell(ColumnId c) { return cells[static_cast<std::size_t>(c)]; }
};

struct TableModel {
    std::vector<Row> rows;
    std::size_t matched_rows = 0;  // rows before the row limit
    double elapsed_s = 0;
    std::int64_t wall_ns = 0;
    double total_read_bytes_per_s = 0;
    double total_write_bytes_per_s = 0;
    std::optional<double> current_read_bytes_per_s;
    std::optional<double> current_write_bytes_per_s;
};

std::string format_ioprio(const std::optional<IoPrio>& prio, int nice);

// cur is not const: details fetched for shown rows are kept in it (a recording then has them).
TableModel build_table(Snapshot& cur, const Rates& rates, const Accumulator* acc,
                       const ViewState& vs, RowDetails& details,
                       std::size_t max_rows = std::numeric_limits<std::size_t>::max());

// A row before its text: what filtering and a numeric sort need (~72 B against ~400 B for
// a Row). A writer that prints every row (batch text at 10 000 threads) orders these and
// makes Rows a few at a time instead of holding all of them at once.
struct RowKey {
    pid_t id = 0;
    pid_t pid = 0;
    std::size_t task = 0;
    std::array<std::optional<double>, 4> num;  // DISK READ, DISK WRITE, SWAPIN, IO cells
};

struct RankedTable {
    TableModel head;            // the totals and matched_rows; no rows
    std::vector<RowKey> keys;   // the rows in display order, at most max_rows of them
};

// The rows build_table would make, as keys. Only for a numeric sort column: a text column
// orders by the text of every row (build_table).
RankedTable rank_table(Snapshot& cur, const Rates& rates, const Accumulator* acc,
                       const ViewState& vs, RowDetails& details,
                       std::size_t max_rows = std::numeric_limits<std::size_t>::max());
// Appends the rows of keys to rows, with their text (details fetched into cur).
void make_rows(Snapshot& cur, std::span<const RowKey> keys, const ViewState& vs,
               RowDetails& details, std::vector<Row>& rows);

}  // namespace vigil
