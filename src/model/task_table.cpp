#include "vigil/model/task_table.hpp"

#include <algorithm>
#include <unordered_map>

#include "task_cells.hpp"
#include "task_tree.hpp"
#include "vigil/model/cgroup_pane.hpp"
#include "vigil/model/filter.hpp"

namespace vigil {

using namespace task_table_detail;

namespace {

// A row while it is ranked by text: its key and the texts the filter and the order need.
struct Row {
    RowKey key;
    std::string sort_text, command, user;
};

// Strict weak order for the chosen column. Unknown values sort last in either direction;
// ties go to the busier row, then the lower id, so output is stable between samples.
struct KeyOrder {
    bool descending;
    bool operator()(const RowKey& a, const RowKey& b) const { return key_before(a, b, descending); }
};

struct RowOrder {
    bool descending;
    bool operator()(const Row& a, const Row& b) const {
        if (a.sort_text != b.sort_text)
            return descending ? a.sort_text > b.sort_text : a.sort_text < b.sort_text;
        if (a.key.traffic != b.key.traffic) return a.key.traffic > b.key.traffic;
        return a.key.id < b.key.id;
    }
};

Table head_of(const Frame& f, const ViewState& vs) {
    Table t;
    t.kind = TableKind::tasks;
    t.section = Section::tasks;
    t.column_store = chosen_columns(vs);
    t.columns = *t.column_store;
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

bool wants(const ViewState& vs, ColumnId c) {
    if (vs.sort == c) return true;
    for (ColumnId s : shown_columns(vs))
        if (s == c) return true;
    return false;
}

// Calls take(candidate) for every row that passes -p, -u and -o, in id order, with its
// figures. sums: with -P, the process figures are kept here (a RowKey names its index).
template <typename Take>
void matching_rows(const Frame& f, const ViewState& vs, std::vector<Figures>* sums, Take&& take) {
    const Snapshot& cur = *f.cur;
    const bool have_deltas = f.tasks.size() == cur.tasks.size();
    auto delta_of = [&](std::size_t i) { return have_deltas ? f.tasks.at(i) : TaskDelta{}; };
    // Threads per process, when a column shows them (-P counts them anyway).
    std::unordered_map<pid_t, std::uint32_t> threads;
    if (!vs.processes && wants(vs, ColumnId::threads))
        for (const TaskSample& t : cur.tasks) ++threads[t.tgid];

    auto consider = [&](Candidate& c, std::uint32_t sum) {
        if (!task_matches(cur.tasks[c.task], vs)) return;
        // --cgroup, the view's cgroup row: a task whose group is unknown fails.
        if (vs.cgroup_filter.active() || !vs.cgroup_subtree.empty()) {
            const CgroupSample* g = task_cgroup(f, cur.tasks[c.task].tgid);
            if (!g || (vs.cgroup_filter.active() && !vs.cgroup_filter.matches(g->path)) ||
                !cgroup_in_subtree(g->path, vs.cgroup_subtree))
                return;
        }
        with_totals(c, f, vs);
        if (vs.only_active && !is_active(c, f, vs)) return;
        take(c, sum);
    };
    if (vs.processes) {
        std::vector<std::size_t> leaders = leader_indices(cur);
        const std::size_t n = cur.tasks.size();
        // One candidate per process, in tgid order: where every thread's leader is in the
        // sample, the leaders' indices order the processes (tids are sorted, and a leader's
        // tid is its tgid), and one pass in task order sums the threads into their process
        // (the sample is walked once, in order: at 10 000 threads it does not fit a cache).
        // Else sort by tgid.
        bool all_led = true;
        for (std::size_t i = 0; i < n && all_led; ++i)
            all_led = leaders[i] != i || cur.tasks[i].tid == cur.tasks[i].tgid;
        struct Group {
            Candidate c;
            double cpu_time = 0;
            bool cpu_time_known = true;
        };
        std::vector<Group> groups;
        auto add_thread = [&](Group& g, std::size_t i) {
            if (have_deltas) f.tasks.add_to(i, g.c.fig.delta);
            ++g.c.fig.threads;
            if (auto s = cpu_time_of(cur.tasks[i]))
                g.cpu_time += *s;
            else
                g.cpu_time_known = false;
        };
        if (all_led) {
            std::vector<std::uint32_t> group_of(n);
            for (std::size_t i = 0; i < n; ++i) {
                if (leaders[i] != i) continue;
                group_of[i] = static_cast<std::uint32_t>(groups.size());
                groups.push_back(Group{Candidate{cur.tasks[i].tgid, i, {}}});
            }
            for (std::size_t i = 0; i < n; ++i) add_thread(groups[group_of[leaders[i]]], i);
        } else {
            std::vector<std::size_t> order(n);
            for (std::size_t i = 0; i < n; ++i) order[i] = i;
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return cur.tasks[a].tgid < cur.tasks[b].tgid;
            });
            for (std::size_t k = 0; k < order.size(); ++k) {
                const pid_t tgid = cur.tasks[order[k]].tgid;
                if (groups.empty() || groups.back().c.id != tgid)
                    groups.push_back(Group{Candidate{tgid, leaders[order[k]], {}}});
                add_thread(groups.back(), order[k]);
            }
        }
        for (Group& g : groups) {
            if (g.cpu_time_known) g.c.fig.cpu_time_s = g.cpu_time;
            std::uint32_t sum = kNoSum;
            if (sums) {
                sum = static_cast<std::uint32_t>(sums->size());
                sums->push_back(g.c.fig);
            }
            consider(g.c, sum);
        }
    } else {
        for (std::size_t i = 0; i < cur.tasks.size(); ++i) {
            Candidate c{cur.tasks[i].tid, i, {delta_of(i), 0, cpu_time_of(cur.tasks[i])}};
            if (!threads.empty()) c.fig.threads = threads[cur.tasks[i].tgid];
            consider(c, kNoSum);
        }
    }
}

RowKey key_of(const Candidate& c, std::uint32_t sum, const Frame& f, const ViewState& vs,
              const TaskDetails& details) {
    RowKey k;
    k.id = c.id;
    k.pid = f.cur->tasks[c.task].tgid;
    k.task = c.task;
    k.sum = sum;
    k.threads = c.fig.threads;
    if (is_numeric(vs.sort)) k.sort = column_number(vs.sort, c, f, vs, details.find(c.task));
    k.traffic = traffic_of(c, f, vs);
    return k;
}

// rank_tasks with --tree: every row that passes the filters, ordered as the process tree
// (task_tree.hpp), then cut to max_rows. A text sort orders each level by its text, so it
// needs the text of every candidate (ranking_details).
void rank_tree(const Frame& f, const TaskDetails& details, const ViewState& vs,
               std::size_t max_rows, RankedTasks& t, RankedTasks::Sums& store) {
    const Snapshot& cur = *f.cur;
    const bool text_sort = !is_numeric(vs.sort);
    std::vector<RowKey> keys;
    std::vector<std::string> texts;
    keys.reserve(vs.processes ? cur.tasks.size() / 4 + 16 : cur.tasks.size());
    matching_rows(
        f, vs, vs.processes ? &store.figures : nullptr, [&](const Candidate& c, std::uint32_t sum) {
            const TaskSample& task = cur.tasks[c.task];
            const TaskDetail* d = details.find(c.task);
            if (vs.filter.active() &&
                !vs.filter.matches(column_text(ColumnId::command, task, d, details, vs)) &&
                !vs.filter.matches(column_text(ColumnId::user, task, d, details, vs)))
                return;
            if (text_sort) texts.push_back(text_of(vs.sort, f, task, d, details, vs));
            keys.push_back(key_of(c, sum, f, vs, details));
        });
    // A thread hangs from its process's leader, a process (a leader) from its parent's.
    std::vector<TreeItem> items(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const TaskSample& task = cur.tasks[keys[i].task];
        const bool thread = !vs.processes && task.tid != task.tgid;
        items[i] =
            TreeItem{keys[i].id, thread ? task.tgid : task.ppid, task.start_ticks, !thread, false};
    }
    if (!vs.collapsed.empty()) {
        std::vector<TreeNode> collapsed = vs.collapsed;
        auto by_id = [](const TreeNode& a, const TreeNode& b) { return a.id < b.id; };
        std::sort(collapsed.begin(), collapsed.end(), by_id);
        for (TreeItem& item : items) {
            auto it =
                std::lower_bound(collapsed.begin(), collapsed.end(), TreeNode{item.id, 0}, by_id);
            for (; it != collapsed.end() && it->id == item.id; ++it)
                if (it->start_ticks == item.start_ticks) item.collapsed = true;
        }
    }

    const bool descending = task_column(vs.sort).descending != vs.reverse;
    const KeyOrder by_key{descending};
    TreeLess less = [&](std::uint32_t a, std::uint32_t b) { return by_key(keys[a], keys[b]); };
    if (text_sort)
        less = [&](std::uint32_t a, std::uint32_t b) {
            if (texts[a] != texts[b]) return descending ? texts[a] > texts[b] : texts[a] < texts[b];
            if (keys[a].traffic != keys[b].traffic) return keys[a].traffic > keys[b].traffic;
            return keys[a].id < keys[b].id;
        };
    // A collapsed row shows, and is sorted by, the sum of what its subtree's rows would show.
    std::vector<std::uint32_t> sums_of(keys.size(), kNoTreeSum);
    const TreeFold fold = [&](std::uint32_t node, std::span<const std::uint32_t> subtree) {
        auto& sums = store.subtrees.emplace_back();
        for (ColumnId c : kSubtreeColumns) sums[column_index(c)] = 0.0;
        double traffic = 0;
        for (std::uint32_t r : subtree) {
            const Candidate c = candidate_of(f, t, keys[r], vs);
            for (ColumnId col : kSubtreeColumns) {
                std::optional<double>& sum = sums[column_index(col)];
                if (!sum) continue;
                const std::optional<double> v = column_number(col, c, f, vs, nullptr);
                if (v)
                    *sum += *v;
                else
                    sum.reset();
            }
            traffic += keys[r].traffic;
        }
        sums_of[node] = static_cast<std::uint32_t>(store.subtrees.size() - 1);
        if (summed_in_subtree(vs.sort)) keys[node].sort = sums[column_index(vs.sort)];
        keys[node].traffic = traffic;
    };
    // A parent may seem to start up to a second after its child (taskstats start times).
    const TreeOrder order = order_tree(items, cur.clk_tck, less, fold, max_rows);
    t.head.matched_rows = order.visible;
    t.keys.reserve(order.rows.size());
    store.places.reserve(order.rows.size());
    for (std::size_t r = 0; r < order.rows.size(); ++r) {
        RowKey& k = t.keys.emplace_back(keys[order.rows[r]]);
        k.place = static_cast<std::uint32_t>(store.places.size());
        TreePlace& p = store.places.emplace_back(order.places[r]);
        p.sums = sums_of[order.rows[r]];
    }
}

}  // namespace

bool key_before(const RowKey& a, const RowKey& b, bool descending) {
    if (a.sort.has_value() != b.sort.has_value()) return a.sort.has_value();
    if (a.sort && *a.sort != *b.sort) return descending ? *a.sort > *b.sort : *a.sort < *b.sort;
    if (a.traffic != b.traffic) return a.traffic > b.traffic;
    return a.id < b.id;
}

void KeyOrderCache::sort(std::vector<RowKey>& keys, bool descending, std::size_t max_rows) {
    const std::size_t n = keys.size();
    const KeyOrder order{descending};
    bool by_id = n < std::numeric_limits<std::uint32_t>::max();
    for (std::size_t i = 1; i < n && by_id; ++i) by_id = keys[i - 1].id < keys[i].id;
    if (!by_id) {
        // Not one key per id in id order (the rankings give them so): a plain sort, and no
        // order kept.
        by_id_.clear();
        last_changed_ = n;
        std::sort(keys.begin(), keys.end(), order);
        if (max_rows < n) keys.resize(max_rows);
        return;
    }
    if (descending != descending_) by_id_.clear();
    descending_ = descending;
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    // A row whose id, number and traffic are those of the last sort keeps its place among
    // the others that did: slot_[its last rank] names it. The rest are sorted apart.
    slot_.assign(by_id_.size(), none);
    changed_.clear();
    std::size_t p = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const RowKey& k = keys[i];
        while (p < by_id_.size() && by_id_[p].id < k.id) ++p;
        if (p < by_id_.size() && by_id_[p].id == k.id && by_id_[p].traffic == k.traffic &&
            by_id_[p].sort == k.sort)
            slot_[by_id_[p].rank] = static_cast<std::uint32_t>(i);
        else
            changed_.push_back(static_cast<std::uint32_t>(i));
    }
    last_changed_ = changed_.size();
    auto before = [&](std::uint32_t a, std::uint32_t b) { return order(keys[a], keys[b]); };
    std::sort(changed_.begin(), changed_.end(), before);
    // Merge the kept rows (in their last order) with the changed ones (sorted).
    order_.clear();
    order_.reserve(n);
    auto c = changed_.begin();
    for (std::uint32_t i : slot_) {
        if (i == none) continue;
        for (; c != changed_.end() && before(*c, i); ++c) order_.push_back(*c);
        order_.push_back(i);
    }
    order_.insert(order_.end(), c, changed_.end());
    // Kept for the next sort: every key's place, by id.
    rank_.resize(n);
    for (std::size_t r = 0; r < n; ++r) rank_[order_[r]] = static_cast<std::uint32_t>(r);
    by_id_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        by_id_[i] = Prev{keys[i].id, rank_[i], keys[i].sort, keys[i].traffic};
    // The keys into that order in place, a cycle of the permutation at a time (no second
    // copy of the keys: at 30 000 rows that is 1.7 MB); rank_ marks the places done.
    for (std::size_t start = 0; start < n; ++start) {
        if (rank_[start] == none) continue;
        RowKey moving = std::move(keys[start]);
        std::size_t to = start;
        for (;;) {
            rank_[to] = none;
            const std::size_t from = order_[to];
            if (from == start) break;
            keys[to] = std::move(keys[from]);
            to = from;
        }
        keys[to] = std::move(moving);
    }
    if (max_rows < n) keys.resize(max_rows);
    // After a peak of rows, the kept order gives its room back with the buffers beside it.
    if (guard_.due(n, by_id_.capacity(), sizeof(Prev))) {
        std::vector<Prev>(by_id_).swap(by_id_);
        for (auto* v : {&slot_, &changed_, &order_, &rank_}) std::vector<std::uint32_t>().swap(*v);
        note_memory_released();
    }
}

DetailParts ranking_details(const ViewState& vs, bool every_row) {
    const DetailParts sort = column_details(vs.sort);
    if (vs.filter.active()) return static_cast<DetailParts>(kDetailRow | sort);
    if (is_numeric(vs.sort)) return sort;
    // A text sort of a screenful ranks the busiest rows first (rank_tasks); a tree orders
    // every level, so it needs every row's text.
    return every_row || vs.tree ? static_cast<DetailParts>(kDetailRow | sort) : DetailParts{0};
}

bool ranking_needs_details(const ViewState& vs) {
    return vs.filter.active() || !is_numeric(vs.sort) || column_details(vs.sort) != 0;
}

std::vector<std::size_t> candidate_tasks(const Frame& f, const ViewState& vs) {
    std::vector<std::size_t> out;
    matching_rows(f, vs, nullptr,
                  [&](const Candidate& c, std::uint32_t) { out.push_back(c.task); });
    return out;
}

RankedTasks rank_tasks(const Frame& f, const TaskDetails& details, const ViewState& vs,
                       std::size_t max_rows, KeyOrderCache* cache) {
    RankedTasks t;
    t.head = head_of(f, vs);
    auto owned_sums = std::make_shared<RankedTasks::Sums>();
    t.sums = owned_sums;
    if (vs.tree) {
        rank_tree(f, details, vs, max_rows, t, *owned_sums);
        return t;
    }
    std::vector<Figures>* sums = vs.processes ? &owned_sums->figures : nullptr;
    const bool descending = task_column(vs.sort).descending != vs.reverse;
    // A text column without a text filter, and fewer rows wanted than match: the busiest
    // rows are kept (a text column's keys tie, so KeyOrder ranks by traffic), and ordered by
    // their text once their details are there (order_by_text), so a screenful costs the
    // details of a screenful.
    bool cut_then_text = false;
    if (!vs.filter.active() && !is_numeric(vs.sort) && max_rows != kAllRows) {
        std::size_t matched = 0;
        matching_rows(f, vs, nullptr, [&](const Candidate&, std::uint32_t) { ++matched; });
        cut_then_text = max_rows < matched;
    }
    if ((!vs.filter.active() && is_numeric(vs.sort)) || cut_then_text) {
        // A numeric order of numeric keys: no text at all until the rows shown are made (a
        // number from the details, memory say, was fetched for every candidate first).
        // One allocation of the final size: at 10 000 rows, growing by doubling would
        // touch (and keep) several MiB more than the keys themselves.
        t.keys.reserve(vs.processes ? f.cur->tasks.size() / 4 + 16 : f.cur->tasks.size());
        matching_rows(f, vs, sums, [&](const Candidate& c, std::uint32_t sum) {
            t.keys.push_back(key_of(c, sum, f, vs, details));
        });
        t.head.matched_rows = t.keys.size();
        KeyOrder order{descending};
        if (cache) {
            cache->sort(t.keys, descending, max_rows);
        } else if (max_rows < t.keys.size()) {
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
    matching_rows(f, vs, sums, [&](const Candidate& c, std::uint32_t sum) {
        const TaskSample& task = f.cur->tasks[c.task];
        const TaskDetail* d = details.find(c.task);
        Row row;
        row.key = key_of(c, sum, f, vs, details);
        if (vs.filter.active()) {
            row.command = column_text(ColumnId::command, task, d, details, vs);
            row.user = column_text(ColumnId::user, task, d, details, vs);
            if (!vs.filter.matches(row.command) && !vs.filter.matches(row.user)) return;
        }
        if (!is_numeric(vs.sort)) row.sort_text = text_of(vs.sort, f, task, d, details, vs);
        rows.push_back(std::move(row));
    });
    t.head.matched_rows = rows.size();
    auto take = [&](auto order) {
        if (max_rows < rows.size()) {
            std::partial_sort(rows.begin(), rows.begin() + static_cast<long>(max_rows), rows.end(),
                              order);
            rows.resize(max_rows);
        } else {
            std::sort(rows.begin(), rows.end(), order);
        }
    };
    if (is_numeric(vs.sort)) {
        KeyOrder order{descending};
        take([&](const Row& a, const Row& b) { return order(a.key, b.key); });
    } else {
        take(RowOrder{descending});
    }
    t.keys.reserve(rows.size());
    for (const Row& row : rows) t.keys.push_back(row.key);
    return t;
}

void order_by_text(const Frame& f, RankedTasks& ranked, const TaskDetails& details,
                   const ViewState& vs) {
    if (!ranked.order_by_text) return;
    std::vector<Row> rows;
    rows.reserve(ranked.keys.size());
    for (const RowKey& k : ranked.keys) {
        Row& row = rows.emplace_back();
        row.key = k;
        row.sort_text =
            text_of(vs.sort, f, f.cur->tasks[k.task], details.find(k.task), details, vs);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     RowOrder{task_column(vs.sort).descending != vs.reverse});
    for (std::size_t i = 0; i < rows.size(); ++i) ranked.keys[i] = rows[i].key;
    ranked.order_by_text = false;
}

}  // namespace vigil
