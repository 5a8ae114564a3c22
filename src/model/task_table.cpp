#include "vigil/model/task_table.hpp"

#include <algorithm>
#include <unordered_map>

#include "task_tree.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/cgroup_pane.hpp"
#include "vigil/model/filter.hpp"

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

}  // namespace task_table_detail

struct RankedTasks::Sums {
    std::vector<task_table_detail::Figures> figures;
    // --tree: where each key sits (RowKey::place), and the sums of each collapsed row's
    // subtree by column (TreePlace::sums; unknown when a row of the subtree shows '?').
    std::vector<TreePlace> places;
    std::vector<std::array<std::optional<double>, kColumnCount>> subtrees;
};

namespace {

using task_table_detail::Figures;

struct Candidate {
    pid_t id;
    std::size_t task;  // thread, or the process leader
    Figures fig;
    const Accumulator::Sum* totals = nullptr;  // -a: its sums, looked up once (with_totals)
};

// -a: the candidate's sums since the start, found once for all its columns.
Candidate& with_totals(Candidate& c, const Frame& f, const ViewState& vs) {
    if (!vs.accumulated || !f.totals) return c;
    const TaskSample& t = f.cur->tasks[c.task];
    c.totals = vs.processes ? f.totals->process(t.tgid, t.start_ticks)
                            : f.totals->thread(t.tid, t.start_ticks);
    return c;
}

std::optional<double> cpu_time_of(const TaskSample& t) {
    if (!t.activity) return std::nullopt;
    return static_cast<double>(t.activity->user_us + t.activity->system_us) / 1e6;
}

// A count of the interval (or since the start with -a) as a rate (or as itself).
std::optional<double> per_s(std::uint64_t v, double seconds, bool accumulated) {
    if (accumulated) return static_cast<double>(v);
    if (seconds <= 0) return std::nullopt;
    return static_cast<double>(v) / seconds;
}

// A value of the whole process (its memory, its thread count): in thread mode it is on the
// process leader's row only, not repeated on every thread's (the others read "-").
bool per_process(ColumnId c) {
    switch (c) {
        case ColumnId::rss:
        case ColumnId::virt:
        case ColumnId::shared:
        case ColumnId::mem:
        case ColumnId::swap:
        case ColumnId::threads:
            return true;
        default:
            return false;
    }
}

// What a collapsed tree row sums over its subtree: what the rows did in the interval (or
// since the start), I/O and CPU. Not memory (shared pages would count twice) nor what
// describes the task itself (ids, times, priorities, threads).
constexpr std::array kSubtreeColumns = {ColumnId::disk_read,
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

bool summed_in_subtree(ColumnId c) {
    return std::find(kSubtreeColumns.begin(), kSubtreeColumns.end(), c) != kSubtreeColumns.end();
}

bool on_other_thread(ColumnId c, const TaskSample& t, const ViewState& vs) {
    return !vs.processes && t.tid != t.tgid && per_process(c);
}

// The number of a numeric column for a row. With -a the interval figures are replaced by
// the sums since vigil started (sum: null when none are known yet). dt: the details
// fetched for the row's task (the process leader with -P), null when none were.
std::optional<double> column_number(ColumnId c, const Candidate& cand, const Frame& f,
                                    const ViewState& vs, const TaskDetail* dt) {
    const TaskSample& t = f.cur->tasks[cand.task];
    // Memory is the process's, read once for its threads: a process's row shows it once
    // (threads share it: nothing to sum), in thread mode its leader's row does.
    if (on_other_thread(c, t, vs)) return std::nullopt;
    const std::optional<TaskMemory> memory = dt ? dt->memory : std::nullopt;
    switch (c) {
        case ColumnId::id:
            return static_cast<double>(cand.id);
        case ColumnId::cpu_time:
            return cand.fig.cpu_time_s;
        case ColumnId::nice:
            return static_cast<double>(dt && dt->nice ? *dt->nice : t.nice);
        case ColumnId::priority: {
            const std::optional<std::int8_t> p = dt && dt->priority ? dt->priority : t.priority;
            return p ? std::optional<double>(*p) : std::nullopt;
        }
        case ColumnId::rss:
            return memory ? std::optional<double>(static_cast<double>(memory->rss_bytes))
                          : std::nullopt;
        case ColumnId::virt:
            return memory ? std::optional<double>(static_cast<double>(memory->virt_bytes))
                          : std::nullopt;
        case ColumnId::shared:
            return memory ? std::optional<double>(static_cast<double>(memory->shared_bytes))
                          : std::nullopt;
        case ColumnId::mem: {
            // top's %MEM: resident of MemTotal.
            const std::optional<std::uint64_t> total = f.cur->mem_total_kib;
            if (!memory || !total || *total == 0) return std::nullopt;
            return static_cast<double>(memory->rss_bytes) / (static_cast<double>(*total) * 1024.0) *
                   100.0;
        }
        case ColumnId::swap:
            return dt && dt->swap_bytes
                       ? std::optional<double>(static_cast<double>(*dt->swap_bytes))
                       : std::nullopt;
        case ColumnId::threads:
            return cand.fig.threads ? std::optional<double>(cand.fig.threads) : std::nullopt;
        case ColumnId::ppid:
            return static_cast<double>(t.ppid);
        case ColumnId::start: {
            // The task's start on the wall clock: now, less the time since it started.
            if (f.cur->clk_tck == 0 || f.cur->boot_s <= 0 || f.cur->wall_ns == 0)
                return std::nullopt;
            const double age_s = f.cur->boot_s - static_cast<double>(t.start_ticks) /
                                                     static_cast<double>(f.cur->clk_tck);
            return static_cast<double>(f.cur->wall_ns) / 1e9 - std::max(age_s, 0.0);
        }
        default:
            break;
    }
    // The interval's figures, or the sums since the start.
    const TaskDelta* d = &cand.fig.delta;
    double seconds = f.tasks.elapsed_s;
    const bool acc = vs.accumulated && f.totals;
    if (acc) {
        if (!cand.totals) return std::nullopt;
        d = &cand.totals->total;
        seconds = cand.totals->seen_s;
    }
    if (seconds <= 0) return std::nullopt;
    switch (c) {
        case ColumnId::disk_read:
            if (!d->valid) return std::nullopt;
            return acc ? static_cast<double>(d->read_bytes)
                       : static_cast<double>(d->read_bytes) / seconds;
        case ColumnId::disk_write:
            if (!d->valid) return std::nullopt;
            return acc ? static_cast<double>(d->write_bytes)
                       : static_cast<double>(d->write_bytes) / seconds;
        case ColumnId::swapin:
            return d->valid ? delay_pct(d->swapin_delay_ns, seconds) : std::nullopt;
        case ColumnId::io:
            return d->valid ? delay_pct(d->blkio_delay_ns, seconds) : std::nullopt;
        default:
            break;
    }
    if (!d->has_activity) return std::nullopt;
    const TaskActivity& a = d->activity;
    auto pct = [&](std::uint64_t us) { return static_cast<double>(us) / (seconds * 1e6) * 100.0; };
    switch (c) {
        case ColumnId::cpu:
            return pct(a.user_us + a.system_us);
        case ColumnId::user_cpu:
            return pct(a.user_us);
        case ColumnId::system_cpu:
            return pct(a.system_us);
        case ColumnId::cpu_delay:
            if (!a.has(TaskActivity::kCpuDelay)) return std::nullopt;
            return delay_pct(a.cpu_delay_ns, seconds);
        case ColumnId::read_chars:
            if (!a.has(TaskActivity::kChars)) return std::nullopt;
            return per_s(a.read_chars, seconds, acc);
        case ColumnId::write_chars:
            if (!a.has(TaskActivity::kChars)) return std::nullopt;
            return per_s(a.write_chars, seconds, acc);
        case ColumnId::read_syscalls:
            if (!a.has(TaskActivity::kSyscalls)) return std::nullopt;
            return per_s(a.read_syscalls, seconds, acc);
        case ColumnId::write_syscalls:
            if (!a.has(TaskActivity::kSyscalls)) return std::nullopt;
            return per_s(a.write_syscalls, seconds, acc);
        case ColumnId::ctx_switches:
            if (!a.has(TaskActivity::kSwitches)) return std::nullopt;
            return per_s(a.voluntary_switches + a.involuntary_switches, seconds, acc);
        case ColumnId::major_faults:
            return per_s(a.major_faults, seconds, acc);
        default:
            return std::nullopt;
    }
}

// -o: the row moved bytes to or from storage, or waited on I/O or swap.
bool is_active(const Candidate& c, const Frame& f, const ViewState& vs) {
    for (ColumnId col :
         {ColumnId::disk_read, ColumnId::disk_write, ColumnId::swapin, ColumnId::io}) {
        const auto v = column_number(col, c, f, vs, nullptr);
        if (v && *v > 0) return true;
    }
    return false;
}

double traffic_of(const Candidate& c, const Frame& f, const ViewState& vs) {
    return column_number(ColumnId::disk_read, c, f, vs, nullptr).value_or(0) +
           column_number(ColumnId::disk_write, c, f, vs, nullptr).value_or(0);
}

// The text of a text column for a task, from the details fetched for it.
std::string column_text(ColumnId c, const TaskSample& t, const TaskDetail* d,
                        const TaskDetails& details, const ViewState& vs) {
    auto escape = [&](std::string_view raw) { return escape_text(raw, vs.escape, vs.utf8); };
    switch (c) {
        case ColumnId::prio: {
            const int nice = d && d->nice ? *d->nice : t.nice;
            return format_ioprio(d ? d->ioprio : std::nullopt, nice);
        }
        case ColumnId::user: {
            const std::string* user = details.user_name(t.uid);
            return user ? escape(*user) : std::to_string(t.uid);
        }
        case ColumnId::state: {
            const char s = d && d->state ? d->state : t.state;
            return s == '?' || s == '\0' ? "?" : escape(std::string_view(&s, 1));
        }
        case ColumnId::command: {
            // The command cell is bounded the same way in every front end (kCommandMaxBytes
            // of escaped text, then the marker), whatever the kernel or a recording holds.
            auto command = [&](std::string_view raw, std::uint64_t unread) {
                return escape_text_capped(raw, unread, vs.escape, vs.utf8, kCommandMaxBytes);
            };
            const std::string& name = d && !d->name.empty() ? d->name : t.comm;
            if (!vs.full_command) return command(name, 0);
            if (d && d->cmdline && !d->cmdline->empty())
                return command(*d->cmdline, d->cmdline_unread);
            // Kernel threads and zombies have no command line; show the name as ps does.
            return "[" + command(name, 0) + "]";
        }
        default:
            return {};
    }
}

// The text of a text column, the CGROUP column (from the frame's cgroup walk) included.
std::string text_of(ColumnId c, const Frame& f, const TaskSample& t, const TaskDetail* d,
                    const TaskDetails& details, const ViewState& vs) {
    if (c != ColumnId::cgroup) return column_text(c, t, d, details, vs);
    const CgroupSample* g = task_cgroup(f, t.tgid);
    return g ? escape_text(g->path, vs.escape, vs.utf8) : "?";
}

// A row while it is ranked by text: its key and the texts the filter and the order need.
struct Row {
    RowKey key;
    std::string sort_text, command, user;
};

// Strict weak order for the chosen column. Unknown values sort last in either direction;
// ties go to the busier row, then the lower id, so output is stable between samples.
struct KeyOrder {
    bool descending;
    bool operator()(const RowKey& a, const RowKey& b) const {
        if (a.sort.has_value() != b.sort.has_value()) return a.sort.has_value();
        if (a.sort && *a.sort != *b.sort) return descending ? *a.sort > *b.sort : *a.sort < *b.sort;
        if (a.traffic != b.traffic) return a.traffic > b.traffic;
        return a.id < b.id;
    }
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

// The candidate a key was made from.
Candidate candidate_of(const Frame& f, const RankedTasks& ranked, const RowKey& k,
                       const ViewState& vs) {
    Candidate c{k.id, k.task, {}};
    if (k.sum != kNoSum && ranked.sums && k.sum < ranked.sums->figures.size()) {
        c.fig = ranked.sums->figures[k.sum];
    } else {
        const bool have_deltas = f.tasks.size() == f.cur->tasks.size();
        if (have_deltas && k.task < f.tasks.size()) c.fig.delta = f.tasks.at(k.task);
        c.fig.threads = k.threads;
        c.fig.cpu_time_s = cpu_time_of(f.cur->tasks[k.task]);
    }
    return with_totals(c, f, vs);
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

DetailParts column_details(ColumnId c) {
    switch (c) {
        case ColumnId::prio:
        case ColumnId::user:
        case ColumnId::command:
            return kDetailRow;
        case ColumnId::state:
        case ColumnId::priority:
        // The nice value as it is now (a renice does not wake a task) is in the stat line
        // too: sorted by NI, every candidate's is read before ranking, so the order is
        // that of the values shown.
        case ColumnId::nice:
            return kDetailStat;
        case ColumnId::rss:
        case ColumnId::virt:
        case ColumnId::shared:
        case ColumnId::mem:
            return kDetailMemory;
        case ColumnId::swap:
            return kDetailSwap;
        default:
            return 0;
    }
}

DetailParts row_details(const ViewState& vs) {
    auto parts = static_cast<DetailParts>(kDetailRow | column_details(vs.sort));
    for (ColumnId c : shown_columns(vs))
        parts = static_cast<DetailParts>(parts | column_details(c));
    return parts;
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
                       std::size_t max_rows) {
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

std::vector<std::size_t> tasks_of(std::span<const RowKey> keys) {
    std::vector<std::size_t> out;
    out.reserve(keys.size());
    for (const RowKey& k : keys) out.push_back(k.task);
    return out;
}

void make_rows(const Frame& f, const RankedTasks& ranked, std::span<const RowKey> keys,
               const TaskDetails& details, const ViewState& vs, Table& t) {
    const std::span<const ColumnId> shown = shown_columns(vs);
    // Rows are assigned, not rebuilt: a writer that makes 10 000 rows 256 at a time reuses
    // the cells' and strings' buffers.
    t.rows.resize(keys.size());
    t.refs.resize(keys.size());
    for (std::size_t r = 0; r < keys.size(); ++r) {
        const RowKey& k = keys[r];
        std::vector<Cell>& row = t.rows[r];
        row.resize(shown.size());
        const Candidate c = candidate_of(f, ranked, k, vs);
        const TaskSample& task = f.cur->tasks[k.task];
        const TaskDetail* d = details.find(k.task);
        // --tree: the row's place, and a collapsed row's subtree sums.
        const RankedTasks::Sums* store = ranked.sums.get();
        const TreePlace* place =
            store && k.place < store->places.size() ? &store->places[k.place] : nullptr;
        const auto* subtree =
            place && place->sums < store->subtrees.size() ? &store->subtrees[place->sums] : nullptr;
        t.refs[r] = RowRef{k.id,
                           k.pid,
                           k.task,
                           task.ppid,
                           task.start_ticks,
                           place ? std::optional<std::uint32_t>(place->depth) : std::nullopt};
        for (std::size_t i = 0; i < shown.size(); ++i) {
            Cell& cell = row[i];
            if (is_numeric(shown[i])) {
                cell.num = subtree && summed_in_subtree(shown[i])
                               ? (*subtree)[column_index(shown[i])]
                               : column_number(shown[i], c, f, vs, d);
                cell.text.clear();
                if (on_other_thread(shown[i], task, vs)) cell.text = "-";
            } else {
                cell.num.reset();
                cell.text = text_of(shown[i], f, task, d, details, vs);
                // The glyphs of the tree go before the command; CSV and JSON give the
                // depth and the ppid instead.
                if (place && shown[i] == ColumnId::command && vs.escape != TextEscape::data) {
                    std::string prefixed;
                    append_tree_prefix(prefixed, *place, vs.utf8);
                    cell.text.insert(0, prefixed);
                    t.refs[r].glyph_bytes = static_cast<std::uint32_t>(prefixed.size());
                }
            }
        }
    }
}

}  // namespace vigil
