#include "vigil/model/task_table.hpp"

#include <algorithm>

#include "vigil/core/text.hpp"
#include "vigil/model/filter.hpp"

namespace vigil {
namespace {

// A row while it is ranked: its cells by ColumnId, and its task.
struct Row {
    pid_t id = 0;
    pid_t pid = 0;
    std::size_t task = 0;
    std::array<Cell, kColumnCount> cells;
    const Cell& cell(ColumnId c) const { return cells[column_index(c)]; }
    Cell& cell(ColumnId c) { return cells[column_index(c)]; }
};

struct Candidate {
    pid_t id;
    std::size_t task;  // thread, or the process leader
    TaskDelta delta;   // this interval (summed over threads with -P)
};

// Numeric cells from the interval's delta, or from the accumulated sums with -a.
void fill_numbers(Row& row, const Candidate& c, const Frame& f, const ViewState& vs) {
    row.cell(ColumnId::id).num = static_cast<double>(c.id);
    if (vs.accumulated && f.totals) {
        const TaskSample& t = f.cur->tasks[c.task];
        const Accumulator::Sum* s = vs.processes ? f.totals->process(t.tgid, t.start_ticks)
                                                 : f.totals->thread(t.tid, t.start_ticks);
        if (s && s->total.valid) {
            row.cell(ColumnId::disk_read).num = static_cast<double>(s->total.read_bytes);
            row.cell(ColumnId::disk_write).num = static_cast<double>(s->total.write_bytes);
            row.cell(ColumnId::swapin).num = delay_pct(s->total.swapin_delay_ns, s->seen_s);
            row.cell(ColumnId::io).num = delay_pct(s->total.blkio_delay_ns, s->seen_s);
        }
        return;
    }
    const double elapsed = f.tasks.elapsed_s;
    if (!c.delta.valid || elapsed <= 0) return;
    row.cell(ColumnId::disk_read).num = static_cast<double>(c.delta.read_bytes) / elapsed;
    row.cell(ColumnId::disk_write).num = static_cast<double>(c.delta.write_bytes) / elapsed;
    row.cell(ColumnId::swapin).num = delay_pct(c.delta.swapin_delay_ns, elapsed);
    row.cell(ColumnId::io).num = delay_pct(c.delta.blkio_delay_ns, elapsed);
}

double traffic(const Row& r) {
    return r.cell(ColumnId::disk_read).num.value_or(0) +
           r.cell(ColumnId::disk_write).num.value_or(0);
}

// Strict weak order for the chosen column. Unknown values sort last in either direction;
// ties go to the busier row, then the lower id, so output is stable between samples.
struct RowOrder {
    ColumnId col;
    bool descending;
    bool operator()(const Row& a, const Row& b) const {
        const Cell& ca = a.cell(col);
        const Cell& cb = b.cell(col);
        if (is_numeric(col)) {
            if (ca.num.has_value() != cb.num.has_value()) return ca.num.has_value();
            if (ca.num && *ca.num != *cb.num)
                return descending ? *ca.num > *cb.num : *ca.num < *cb.num;
        } else if (ca.text != cb.text) {
            return descending ? ca.text > cb.text : ca.text < cb.text;
        }
        double ta = traffic(a), tb = traffic(b);
        if (ta != tb) return ta > tb;
        return a.id < b.id;
    }
};

// The numeric cells of a row, and the same order as RowOrder for a numeric column: rows of
// a numeric sort are ordered (and cut to the rows shown) before any of their text is made.
constexpr std::array<ColumnId, 4> kKeyColumns{ColumnId::disk_read, ColumnId::disk_write,
                                              ColumnId::swapin, ColumnId::io};

RowKey key_of(const Row& row) {
    RowKey k;
    k.id = row.id;
    k.pid = row.pid;
    k.task = row.task;
    for (std::size_t i = 0; i < kKeyColumns.size(); ++i) k.num[i] = row.cell(kKeyColumns[i]).num;
    return k;
}

std::optional<double> key_num(const RowKey& k, ColumnId col) {
    if (col == ColumnId::id) return static_cast<double>(k.id);
    for (std::size_t i = 0; i < kKeyColumns.size(); ++i)
        if (kKeyColumns[i] == col) return k.num[i];
    return std::nullopt;
}

struct KeyOrder {
    ColumnId col;
    bool descending;
    bool operator()(const RowKey& a, const RowKey& b) const {
        const std::optional<double> na = key_num(a, col), nb = key_num(b, col);
        if (na.has_value() != nb.has_value()) return na.has_value();
        if (na && *na != *nb) return descending ? *na > *nb : *na < *nb;
        double ta = a.num[0].value_or(0) + a.num[1].value_or(0);
        double tb = b.num[0].value_or(0) + b.num[1].value_or(0);
        if (ta != tb) return ta > tb;
        return a.id < b.id;
    }
};

// The text cells of a row (prio, user, command, by ColumnId) from the details fetched for
// its task.
template <typename CellOf>
void fill_text(CellOf&& cell, const TaskSample& t, const TaskDetail* d, const TaskDetails& details,
               const ViewState& vs) {
    auto escape = [&](std::string_view raw) { return escape_text(raw, vs.escape, vs.utf8); };
    const int nice = d && d->nice ? *d->nice : t.nice;
    cell(ColumnId::prio).text = format_ioprio(d ? d->ioprio : std::nullopt, nice);
    const std::string* user = details.user_name(t.uid);
    cell(ColumnId::user).text = user ? escape(*user) : std::to_string(t.uid);
    // The command cell is bounded the same way in every front end (kCommandMaxBytes of
    // escaped text, then the marker), whatever the kernel or a recording holds.
    auto command = [&](std::string_view raw, std::uint64_t unread) {
        return escape_text_capped(raw, unread, vs.escape, vs.utf8, kCommandMaxBytes);
    };
    const std::string& name = d && !d->name.empty() ? d->name : t.comm;
    if (!vs.full_command) {
        cell(ColumnId::command).text = command(name, 0);
    } else if (d && d->cmdline && !d->cmdline->empty()) {
        cell(ColumnId::command).text = command(*d->cmdline, d->cmdline_unread);
    } else {
        // Kernel threads and zombies have no command line; show the name as ps does.
        cell(ColumnId::command).text = "[" + command(name, 0) + "]";
    }
}

void fill_text(Row& row, const Frame& f, const TaskDetails& details, const ViewState& vs) {
    fill_text([&](ColumnId c) -> Cell& { return row.cell(c); }, f.cur->tasks[row.task],
              details.find(row.task), details, vs);
}

Table head_of(const Frame& f, const ViewState& vs) {
    Table t;
    t.kind = TableKind::tasks;
    t.section = Section::tasks;
    t.columns = task_columns(vs);
    const auto specs = task_summary_fields();
    auto item = [&](std::size_t i, std::optional<double> v) {
        t.summary.push_back(
            SummaryItem{specs[i].label, Cell{v, {}}, specs[i].format, specs[i].field});
    };
    item(0, f.tasks.total_read_bytes_per_s);
    item(1, f.tasks.total_write_bytes_per_s);
    item(2, f.tasks.current_read_bytes_per_s);
    item(3, f.tasks.current_write_bytes_per_s);
    return t;
}

// Calls take(row) for every row that passes -p, -u and -o, in id order, with its numbers.
template <typename Take>
void matching_rows(const Frame& f, const ViewState& vs, Take&& take) {
    const Snapshot& cur = *f.cur;
    const bool have_deltas = f.tasks.tasks.size() == cur.tasks.size();
    auto delta_of = [&](std::size_t i) { return have_deltas ? f.tasks.tasks[i] : TaskDelta{}; };

    std::vector<Candidate> cands;
    if (vs.processes) {
        std::vector<std::size_t> leaders = leader_indices(cur);
        // Group threads by their leader index: one candidate per process.
        std::vector<std::size_t> order(cur.tasks.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return cur.tasks[a].tgid < cur.tasks[b].tgid;
        });
        for (std::size_t k = 0; k < order.size();) {
            pid_t tgid = cur.tasks[order[k]].tgid;
            Candidate c{tgid, leaders[order[k]], {}};
            for (; k < order.size() && cur.tasks[order[k]].tgid == tgid; ++k) {
                add_delta(c.delta, delta_of(order[k]));
            }
            cands.push_back(c);
        }
    } else {
        cands.reserve(cur.tasks.size());
        for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
            cands.push_back(Candidate{cur.tasks[i].tid, i, delta_of(i)});
        }
    }
    for (const Candidate& c : cands) {
        if (!task_matches(cur.tasks[c.task], vs)) continue;
        Row row;
        row.id = c.id;
        row.pid = cur.tasks[c.task].tgid;
        row.task = c.task;
        fill_numbers(row, c, f, vs);
        if (vs.only_active && !row_is_active(row.cells)) continue;
        take(row);
    }
}

}  // namespace

std::string format_ioprio(const std::optional<IoPrio>& prio, int nice) {
    if (!prio) return "?";
    switch (prio->cls) {
        case IoPrio::Class::none:
            // No class set: the kernel schedules the task best-effort at a level from nice.
            return "be/" + std::to_string((std::clamp(nice, -20, 19) + 20) / 5);
        case IoPrio::Class::rt:
            return "rt/" + std::to_string(prio->level);
        case IoPrio::Class::be:
            return "be/" + std::to_string(prio->level);
        case IoPrio::Class::idle:
            return "idle";
    }
    return "?";
}

bool ranking_needs_details(const ViewState& vs) {
    return vs.filter.active() || !is_numeric(vs.sort);
}

std::vector<std::size_t> candidate_tasks(const Frame& f, const ViewState& vs) {
    std::vector<std::size_t> out;
    matching_rows(f, vs, [&](const Row& row) { out.push_back(row.task); });
    return out;
}

RankedTasks rank_tasks(const Frame& f, const TaskDetails& details, const ViewState& vs,
                       std::size_t max_rows) {
    RankedTasks t{head_of(f, vs), {}, false};
    const ColumnSpec& sort_col = task_column(vs.sort);
    // A text column without a text filter, and fewer rows wanted than match: the busiest
    // rows are kept (a text column's keys tie, so KeyOrder ranks by traffic), and ordered by
    // their text once their details are there (order_by_text), so a screenful costs the
    // details of a screenful, as it did before the pipeline.
    bool cut_then_text = false;
    if (!vs.filter.active() && !is_numeric(vs.sort) && max_rows != kAllRows) {
        std::size_t matched = 0;
        matching_rows(f, vs, [&](const Row&) { ++matched; });
        cut_then_text = max_rows < matched;
    }
    if (!ranking_needs_details(vs) || cut_then_text) {
        // A numeric order of numeric keys: no text at all until the rows shown are made.
        // One allocation of the final size: at 10 000 rows, growing by doubling would
        // touch (and keep) several MiB more than the keys themselves.
        t.keys.reserve(f.cur->tasks.size());
        matching_rows(f, vs, [&](const Row& row) { t.keys.push_back(key_of(row)); });
        t.head.matched_rows = t.keys.size();
        KeyOrder order{vs.sort, sort_col.descending != vs.reverse};
        if (max_rows < t.keys.size()) {
            std::partial_sort(t.keys.begin(), t.keys.begin() + static_cast<long>(max_rows),
                              t.keys.end(), order);
            t.keys.resize(max_rows);
        } else {
            std::sort(t.keys.begin(), t.keys.end(), order);
        }
        t.order_by_text = cut_then_text;
        return t;
    }
    // The text filter, or a text column: every candidate's text first.
    std::vector<Row> rows;
    matching_rows(f, vs, [&](Row& row) {
        fill_text(row, f, details, vs);
        if (vs.filter.active() && !vs.filter.matches(row.cell(ColumnId::command).text) &&
            !vs.filter.matches(row.cell(ColumnId::user).text))
            return;
        rows.push_back(std::move(row));
    });
    t.head.matched_rows = rows.size();
    RowOrder order{vs.sort, sort_col.descending != vs.reverse};
    if (max_rows < rows.size()) {
        std::partial_sort(rows.begin(), rows.begin() + static_cast<long>(max_rows), rows.end(),
                          order);
        rows.resize(max_rows);
    } else {
        std::sort(rows.begin(), rows.end(), order);
    }
    t.keys.reserve(rows.size());
    for (const Row& row : rows) t.keys.push_back(key_of(row));
    return t;
}

void order_by_text(const Frame& f, RankedTasks& ranked, const TaskDetails& details,
                   const ViewState& vs) {
    if (!ranked.order_by_text) return;
    std::vector<Row> rows;
    rows.reserve(ranked.keys.size());
    for (const RowKey& k : ranked.keys) {
        Row& row = rows.emplace_back();
        row.id = k.id;
        row.pid = k.pid;
        row.task = k.task;
        for (std::size_t i = 0; i < kKeyColumns.size(); ++i)
            row.cell(kKeyColumns[i]).num = k.num[i];
        fill_text(row, f, details, vs);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     RowOrder{vs.sort, task_column(vs.sort).descending != vs.reverse});
    for (std::size_t i = 0; i < rows.size(); ++i) ranked.keys[i] = key_of(rows[i]);
    ranked.order_by_text = false;
}

std::vector<std::size_t> tasks_of(std::span<const RowKey> keys) {
    std::vector<std::size_t> out;
    out.reserve(keys.size());
    for (const RowKey& k : keys) out.push_back(k.task);
    return out;
}

void make_rows(const Frame& f, std::span<const RowKey> keys, const TaskDetails& details,
               const ViewState& vs, Table& t) {
    // Rows are assigned, not rebuilt: a writer that makes 10 000 rows 256 at a time reuses
    // the cells' and strings' buffers.
    t.rows.resize(keys.size());
    t.refs.resize(keys.size());
    for (std::size_t r = 0; r < keys.size(); ++r) {
        const RowKey& k = keys[r];
        std::vector<Cell>& row = t.rows[r];
        row.resize(kColumnCount);
        t.refs[r] = RowRef{k.id, k.pid, k.task};
        auto cell = [&](ColumnId c) -> Cell& { return row[column_index(c)]; };
        cell(ColumnId::id).num = static_cast<double>(k.id);
        for (std::size_t i = 0; i < kKeyColumns.size(); ++i) cell(kKeyColumns[i]).num = k.num[i];
        fill_text(cell, f.cur->tasks[k.task], details.find(k.task), details, vs);
    }
}

}  // namespace vigil
