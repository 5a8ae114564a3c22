// The cells of the task table (task_cells.hpp): the numbers and texts of a row, and the
// rows shown (make_rows).
#include "task_cells.hpp"

#include "vigil/core/text.hpp"

namespace vigil {
namespace task_table_detail {
namespace {

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

bool on_other_thread(ColumnId c, const TaskSample& t, const ViewState& vs) {
    return !vs.processes && t.tid != t.tgid && per_process(c);
}

}  // namespace

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

std::string text_of(ColumnId c, const Frame& f, const TaskSample& t, const TaskDetail* d,
                    const TaskDetails& details, const ViewState& vs) {
    if (c != ColumnId::cgroup) return column_text(c, t, d, details, vs);
    const CgroupSample* g = task_cgroup(f, t.tgid);
    return g ? escape_text(g->path, vs.escape, vs.utf8) : "?";
}

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

}  // namespace task_table_detail

using namespace task_table_detail;

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
    // Threads share their process's command line, and its rows mostly follow each other
    // (ordered by id among equals): the last one escaped serves the next row with the same
    // string (the details outlive this call, so its address names it).
    const std::string* memo_cmdline = nullptr;
    std::uint64_t memo_unread = 0;
    std::string memo_text;
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
                if (shown[i] == ColumnId::command && vs.full_command && d && d->cmdline &&
                    !d->cmdline->empty()) {
                    if (d->cmdline.get() != memo_cmdline || d->cmdline_unread != memo_unread) {
                        memo_text = text_of(shown[i], f, task, d, details, vs);
                        memo_cmdline = d->cmdline.get();
                        memo_unread = d->cmdline_unread;
                    }
                    cell.text = memo_text;
                } else {
                    cell.text = text_of(shown[i], f, task, d, details, vs);
                }
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
