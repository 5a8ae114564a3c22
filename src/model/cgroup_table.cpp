// Rates and the table of the cgroups section (cgroups.hpp).
#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "cells.hpp"
#include "machine_columns.hpp"
#include "vigil/model/cgroups.hpp"

namespace vigil {
namespace {

using namespace cells;

std::optional<double> counter_rate(std::optional<std::uint64_t> before,
                                   std::optional<std::uint64_t> now, double dt, double scale) {
    if (!before || !now || *now < *before || !(dt > 0)) return std::nullopt;
    return static_cast<double>(*now - *before) / dt * scale;
}

// Bytes read and written per second from io.stat, device by device: a device in only one
// of the samples adds nothing; one whose counters went backwards makes the figure unknown.
void io_stat_rates(const std::vector<CgroupIoStat>& p, const std::vector<CgroupIoStat>& c,
                   double dt, CgroupRates& r) {
    std::uint64_t rd = 0, wr = 0;
    for (const CgroupIoStat& now : c) {
        auto it = std::find_if(p.begin(), p.end(), [&](const CgroupIoStat& b) {
            return b.major == now.major && b.minor == now.minor;
        });
        if (it == p.end()) continue;
        if (now.rbytes < it->rbytes || now.wbytes < it->wbytes) return;
        rd += now.rbytes - it->rbytes;
        wr += now.wbytes - it->wbytes;
    }
    r.io_source = CgroupIoSource::io_stat;
    r.read_bytes_per_s = static_cast<double>(rd) / dt;
    r.write_bytes_per_s = static_cast<double>(wr) / dt;
}

}  // namespace

std::vector<CgroupRates> compute_cgroup_rates(const Snapshot& prev, const Snapshot& cur,
                                              const TaskDeltas& tasks) {
    const std::vector<CgroupSample>& now = cur.machine.cgroups;
    const std::vector<CgroupSample>& before = prev.machine.cgroups;
    std::vector<CgroupRates> out(now.size());
    const double dt = cur.machine.steady_s - prev.machine.steady_s;
    if (&prev == &cur || !(dt > 0) || now.empty()) return out;

    // The same group in prev: same path and inode (a group made again at the same path is
    // another group, whose counters restarted: no figure for this interval).
    std::unordered_map<std::string_view, std::size_t> by_path;
    by_path.reserve(before.size());
    for (std::size_t i = 0; i < before.size(); ++i) by_path.emplace(before[i].path, i);
    std::vector<const CgroupSample*> match(now.size(), nullptr);
    for (std::size_t i = 0; i < now.size(); ++i) {
        auto it = by_path.find(now[i].path);
        if (it != by_path.end() && before[it->second].inode == now[i].inode)
            match[i] = &before[it->second];
    }

    // Groups without io.stat: the sum of their tasks' I/O, their descendants' included (as
    // io.stat counts them). A process's group is the one whose cgroup.procs lists it now.
    std::vector<std::pair<pid_t, std::uint32_t>> owner;  // tgid -> group
    bool need_tasks = false;
    for (std::size_t i = 0; i < now.size(); ++i) {
        if (!now[i].io && match[i]) need_tasks = true;
        if (now[i].procs)
            for (pid_t p : *now[i].procs) owner.emplace_back(p, static_cast<std::uint32_t>(i));
    }
    std::vector<double> task_read, task_write;
    if (need_tasks && tasks.size() == cur.tasks.size()) {
        std::sort(owner.begin(), owner.end());
        task_read.assign(now.size(), 0);
        task_write.assign(now.size(), 0);
        for (std::size_t t = 0; t < cur.tasks.size(); ++t) {
            const TaskDelta d = tasks.io_at(t);
            if (!d.valid || (d.read_bytes == 0 && d.write_bytes == 0)) continue;
            const pid_t tgid = cur.tasks[t].tgid;
            auto it = std::lower_bound(owner.begin(), owner.end(),
                                       std::pair<pid_t, std::uint32_t>{tgid, 0});
            if (it == owner.end() || it->first != tgid) continue;
            // The group and its ancestors (parents come before children in the walk).
            for (std::int64_t g = it->second; g >= 0 && static_cast<std::size_t>(g) < now.size();
                 g = now[static_cast<std::size_t>(g)].parent) {
                task_read[static_cast<std::size_t>(g)] += static_cast<double>(d.read_bytes);
                task_write[static_cast<std::size_t>(g)] += static_cast<double>(d.write_bytes);
                if (now[static_cast<std::size_t>(g)].parent >= g) break;  // a damaged sample
            }
        }
    }

    for (std::size_t i = 0; i < now.size(); ++i) {
        const CgroupSample* p = match[i];
        if (!p) continue;
        const CgroupSample& c = now[i];
        CgroupRates& r = out[i];
        if (c.io && p->io)
            io_stat_rates(*p->io, *c.io, dt, r);
        else if (!c.io && !task_read.empty() && c.procs) {
            // Without its own cgroup.procs (a threaded group: its threads' processes are
            // listed by the threaded domain above it) its tasks are not known: unknown.
            r.io_source = CgroupIoSource::tasks;
            r.read_bytes_per_s = task_read[i] / dt;
            r.write_bytes_per_s = task_write[i] / dt;
        }
        // usage_usec -> % of one CPU; v1 cpuacct.usage (ns) where v2 has none.
        r.cpu_pct = counter_rate(p->cpu_usage_usec, c.cpu_usage_usec, dt, 1e-6 * 100);
        if (!c.cpu_usage_usec)
            r.cpu_pct = counter_rate(p->v1_cpuacct_usage_ns, c.v1_cpuacct_usage_ns, dt, 1e-9 * 100);
        r.throttled_pct = counter_rate(p->throttled_usec, c.throttled_usec, dt, 1e-6 * 100);
        for (std::size_t k = 0; k < 3; ++k) {
            if (!p->some[k] || !c.some[k]) continue;
            r.some_pct[k] = counter_rate(p->some[k]->total_us, c.some[k]->total_us, dt, 1e-6 * 100);
            if (r.some_pct[k]) r.some_pct[k] = std::min(*r.some_pct[k], 100.0);
        }
    }
    return out;
}

Table build_cgroup_table(const Frame& f, const MachineView& mv) {
    Table t = make_table(Section::cgroups, TableKind::cgroups, "Cgroups");
    if (!f.cur) return t;
    const MachineSample& cur = f.cur->machine;
    const std::vector<CgroupRates> rates =
        f.prev ? compute_cgroup_rates(*f.prev, *f.cur, f.tasks) : std::vector<CgroupRates>{};
    bool from_tasks = false;
    for (std::size_t i = 0; i < cur.cgroups.size(); ++i) {
        const CgroupSample& g = cur.cgroups[i];
        const CgroupRates r = i < rates.size() ? rates[i] : CgroupRates{};
        std::vector<Cell> row(cols::kCgroupCols);
        row[cols::g_name] = text(escape_text(cgroup_display_name(g), mv.escape));
        row[cols::g_read] = num(r.read_bytes_per_s);
        row[cols::g_write] = num(r.write_bytes_per_s);
        std::string_view src = io_source_name(r.io_source);
        row[cols::g_io_source] = src.empty() ? Cell{} : text(std::string(src));
        from_tasks |= r.io_source == CgroupIoSource::tasks;
        row[cols::g_cpu] = num(r.cpu_pct);
        row[cols::g_mem] = num_u(g.memory_current ? g.memory_current : g.v1_memory_usage);
        if (g.memory_max == std::numeric_limits<std::uint64_t>::max())
            row[cols::g_mem_max] = text("max");
        else
            row[cols::g_mem_max] = num_u(g.memory_max);
        row[cols::g_anon] = num_u(g.memory_anon);
        row[cols::g_file] = num_u(g.memory_file);
        row[cols::g_cpu_some] = num(r.some_pct[CgroupSample::cpu]);
        row[cols::g_io_some] = num(r.some_pct[CgroupSample::io_res]);
        row[cols::g_mem_some] = num(r.some_pct[CgroupSample::memory]);
        row[cols::g_procs] =
            num_u(g.procs ? std::optional<std::uint64_t>(g.procs->size()) : std::nullopt);
        row[cols::g_oom_kills] = num_u(g.oom_kill);
        row[cols::g_throttled] = num(r.throttled_pct);
        row[cols::g_path] = text(escape_text(g.path, mv.escape));
        t.rows.push_back(std::move(row));
    }
    if (cur.cgroups.empty() && cur.cgroup_root.empty() &&
        std::none_of(cur.notes.begin(), cur.notes.end(),
                     [](const MachineNote& n) { return n.section == Section::cgroups; }))
        t.notes.push_back("no cgroup v2 hierarchy found");
    if (from_tasks)
        t.notes.push_back(
            "IO tasks: no io.stat (the io controller is not enabled for the group); READ and "
            "WRITE are its tasks' taskstats I/O");
    add_notes(t, cur);
    return t;
}

}  // namespace vigil
