#include "vigil/model/table_model.hpp"

#include <algorithm>

#include "vigil/core/text.hpp"
#include "vigil/model/filter.hpp"

namespace vigil {
namespace {

struct Candidate {
    pid_t id;
    std::size_t task;  // thread, or the process leader
    TaskDelta delta;   // this interval (summed over threads with -P)
};

// Numeric cells from the interval's delta, or from the accumulated sums with -a.
void fill_numbers(Row& row, const Candidate& c, const Snapshot& cur, const Rates& rates,
                  const Accumulator* acc, const ViewState& vs) {
    row.cell(ColumnId::id).num = static_cast<double>(c.id);
    if (vs.accumulated && acc) {
        const TaskSample& t = cur.tasks[c.task];
        const Accumulator::Sum* s =
            vs.processes ? acc->process(t.tgid, t.start_ticks) : acc->thread(t.tid, t.start_ticks);
        if (s && s->total.valid) {
            row.cell(ColumnId::disk_read).num = static_cast<double>(s->total.read_bytes);
            row.cell(ColumnId::disk_write).num = static_cast<double>(s->total.write_bytes);
            row.cell(ColumnId::swapin).num = delay_pct(s->total.swapin_delay_ns, s->seen_s);
            row.cell(ColumnId::io).num = delay_pct(s->total.blkio_delay_ns, s->seen_s);
        }
        return;
    }
    if (!c.delta.valid || rates.elapsed_s <= 0) return;
    row.cell(ColumnId::disk_read).num = static_cast<double>(c.delta.read_bytes) / rates.elapsed_s;
    row.cell(ColumnId::disk_write).num = static_cast<double>(c.delta.write_bytes) / rates.elapsed_s;
    row.cell(ColumnId::swapin).num = delay_pct(c.delta.swapin_delay_ns, rates.elapsed_s);
    row.cell(ColumnId::io).num = delay_pct(c.delta.blkio_delay_ns, rates.elapsed_s);
}

double traffic(const Row& r) {
    return r.cell(ColumnId::disk_read).num.value_or(0) + r.cell(ColumnId::disk_write).num.value_or(0);
}

// Strict weak order for the chosen column. Unknown values sort last in either direction;
// ties go to the busier row, then the lower id, so output is stable between samples.
struct RowOrder {
    ColumnId col;
    bool descending;
    bool operator()(const Row& a, const Row& b) const {
        const Cell& ca = a.cell(col);
        const Cell& cb = b.cell(col);
        if (column(col).numeric) {
            if (ca.num.has_value() != cb.num.has_value()) return ca.num.has_value();
            if (ca.num && *ca.num != *cb.num) return descending ? *ca.num > *cb.num : *ca.num < *cb.num;
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

void fill_text(Row& row, TaskSample& t, const ViewState& vs, RowDetails& details) {
    details.fill(t);
    auto escape = [&](std::string_view raw) { return escape_text(raw, vs.escape, vs.utf8); };
    row.cell(ColumnId::prio).text = format_ioprio(t.ioprio, t.nice);
    row.cell(ColumnId::user).text = escape(details.user_name(t.uid));
    if (!vs.full_command) {
        row.cell(ColumnId::command).text = escape(t.comm);
    } else if (t.cmdline && !t.cmdline->empty()) {
        row.cell(ColumnId::command).text = escape(*t.cmdline);
    } else {
        // Kernel threads and zombies have no command line; show the name as ps does.
        row.cell(ColumnId::command).text = "[" + escape(t.comm) + "]";
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

namespace {

TableModel head_of(const Snapshot& cur, const Rates& rates) {
    TableModel model;
    model.elapsed_s = rates.elapsed_s;
    model.wall_ns = cur.wall_ns;
    model.total_read_bytes_per_s = rates.total_read_bytes_per_s;
    model.total_write_bytes_per_s = rates.total_write_bytes_per_s;
    model.current_read_bytes_per_s = rates.current_read_bytes_per_s;
    model.current_write_bytes_per_s = rates.current_write_bytes_per_s;
    return model;
}

// Appends to out, as made by as(Row&), every candidate row that passes the view's filters,
// in id order: with numbers, and with text only where a text filter needed it.
template <typename T, typename As>
void matching_rows(Snapshot& cur, const Rates& rates, const Accumulator* acc, const ViewState& vs,
                   RowDetails& details, std::vector<T>& out, As&& as) {
    const bool have_rates = rates.tasks.size() == cur.tasks.size();
    auto delta_of = [&](std::size_t i) { return have_rates ? rates.tasks[i] : TaskDelta{}; };

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

    // One allocation of the final size: at 10 000 rows, growing by doubling would touch
    // (and keep) several MiB more than the rows themselves.
    out.reserve(cands.size());
    for (const Candidate& c : cands) {
        if (!task_matches(cur.tasks[c.task], vs)) continue;
        Row row;
        row.id = c.id;
        row.pid = cur.tasks[c.task].tgid;
        row.task = c.task;
        fill_numbers(row, c, cur, rates, acc, vs);
        if (vs.only_active && !row_is_active(row)) continue;
        if (vs.filter.active()) {
            // The filter needs the text of every candidate, not only of the shown rows.
            fill_text(row, cur.tasks[c.task], vs, details);
            if (!vs.filter.matches(row.cell(ColumnId::command).text) &&
                !vs.filter.matches(row.cell(ColumnId::user).text))
                continue;
        }
        out.push_back(as(row));
    }
}

}  // namespace

RankedTable rank_table(Snapshot& cur, const Rates& rates, const Accumulator* acc,
                       const ViewState& vs, RowDetails& details, std::size_t max_rows) {
    RankedTable t{head_of(cur, rates), {}};
    matching_rows(cur, rates, acc, vs, details, t.keys, [](const Row& r) { return key_of(r); });
    t.head.matched_rows = t.keys.size();
    KeyOrder order{vs.sort, column(vs.sort).descending != vs.reverse};
    if (max_rows < t.keys.size()) {
        std::partial_sort(t.keys.begin(), t.keys.begin() + static_cast<long>(max_rows),
                          t.keys.end(), order);
        t.keys.resize(max_rows);
    } else {
        std::sort(t.keys.begin(), t.keys.end(), order);
    }
    return t;
}

void make_rows(Snapshot& cur, std::span<const RowKey> keys, const ViewState& vs,
               RowDetails& details, std::vector<Row>& rows) {
    for (const RowKey& k : keys) {
        Row& row = rows.emplace_back();
        row.id = k.id;
        row.pid = k.pid;
        row.task = k.task;
        row.cell(ColumnId::id).num = static_cast<double>(k.id);
        for (std::size_t i = 0; i < kKeyColumns.size(); ++i)
            row.cell(kKeyColumns[i]).num = k.num[i];
        fill_text(row, cur.tasks[k.task], vs, details);
    }
}

TableModel build_table(Snapshot& cur, const Rates& rates, const Accumulator* acc,
                       const ViewState& vs, RowDetails& details, std::size_t max_rows) {
    const ColumnDef& sort_col = column(vs.sort);
    if (sort_col.numeric) {
        RankedTable t = rank_table(cur, rates, acc, vs, details, max_rows);
        TableModel model = std::move(t.head);
        model.rows.reserve(t.keys.size());
        make_rows(cur, t.keys, vs, details, model.rows);
        return model;
    }
    TableModel model = head_of(cur, rates);
    matching_rows(cur, rates, acc, vs, details, model.rows, [](Row& r) { return std::move(r); });
    model.matched_rows = model.rows.size();

    RowOrder order{vs.sort, sort_col.descending != vs.reverse};
    if (max_rows < model.rows.size()) {
        std::partial_sort(model.rows.begin(), model.rows.begin() + static_cast<long>(max_rows),
                          model.rows.end(), order);
        model.rows.resize(max_rows);
    } else {
        std::sort(model.rows.begin(), model.rows.end(), order);
    }
    if (!vs.filter.active()) {
        for (Row& row : model.rows) fill_text(row, cur.tasks[row.task], vs, details);
    }
    // Text columns can only be ordered once their text is known.
    std::stable_sort(model.rows.begin(), model.rows.end(), order);
    return model;
}

}  // namespace vigil
