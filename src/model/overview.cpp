#include "vigil/model/overview.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "cells.hpp"
#include "machine_columns.hpp"

namespace vigil {

std::optional<double> busy_pct(const CpuPercent& c) {
    const auto& idle = c.pct[CpuPercent::idle];
    if (!idle) return std::nullopt;
    const double v = 100.0 - *idle - c.pct[CpuPercent::iowait].value_or(0.0);
    return std::clamp(v, 0.0, 100.0);
}

OverviewFigures overview_figures(const MachineSample& m, const MachineRates* r) {
    OverviewFigures f;
    if (r && r->all) {
        f.cpu = r->all;
        f.cpu_busy_pct = busy_pct(*r->all);
    }
    if (r)
        for (const CpuPercent& c : r->cpus) f.cores.push_back(CoreBusy{c.cpu, busy_pct(c)});
    f.load = m.load;
    f.uptime_s = m.uptime_s;
    f.mem = memory_figures(m.mem, m.min_free_kib);
    if (r) {
        f.swapin_pages_per_s = r->swapin_pages_per_s;
        f.majflt_per_s = r->majflt_per_s;
    }
    for (const Pressure& p : m.pressure) {
        PressureAvg10& a = f.pressure.emplace_back();
        a.resource = p.resource;
        if (p.some) a.some_pct = p.some->avg10_pct;
        if (p.full) a.full_pct = p.full->avg10_pct;
    }
    return f;
}

TaskStateCounts task_state_counts(const Snapshot& s) {
    TaskStateCounts c;
    std::size_t r = 0, sl = 0, d = 0, t = 0, z = 0;
    for (const TaskSample& task : s.tasks) {
        if (task.tid != task.tgid) continue;
        ++c.processes;
        switch (task.state) {
            case '?':
                ++c.unknown;
                break;
            case 'R':
                ++r;
                break;
            case 'D':
                ++d;
                break;
            case 'T':
            case 't':
                ++t;
                break;
            case 'Z':
                ++z;
                break;
            default:
                ++sl;
                break;
        }
    }
    if (c.unknown < c.processes) {
        c.running = r;
        c.sleeping = sl;
        c.uninterruptible = d;
        c.stopped = t;
        c.zombie = z;
    }
    if (has_section(s.machine.collected, Section::cpu)) {
        if (s.machine.load) c.threads = s.machine.load->entities;
        c.threads_running = s.machine.cpu.procs_running;
        c.threads_blocked = s.machine.cpu.procs_blocked;
    }
    return c;
}

Table build_task_states_table(const Snapshot& s) {
    using namespace cells;
    Table t;
    t.kind = TableKind::task_states;
    t.section = Section::cpu;
    t.title = "Tasks";
    const TaskStateCounts c = task_state_counts(s);
    auto count = [](std::optional<std::size_t> v) {
        return num_u(v ? std::optional<std::uint64_t>(*v) : std::nullopt);
    };
    const auto& spec = cols::kTaskStatesSummary;
    t.summary.push_back(item(spec[cols::ts_total], count(c.processes)));
    t.summary.push_back(item(spec[cols::ts_running], count(c.running)));
    t.summary.push_back(item(spec[cols::ts_sleeping], count(c.sleeping)));
    t.summary.push_back(item(spec[cols::ts_uninterruptible], count(c.uninterruptible)));
    t.summary.push_back(item(spec[cols::ts_stopped], count(c.stopped)));
    t.summary.push_back(item(spec[cols::ts_zombie], count(c.zombie)));
    t.summary.push_back(item(spec[cols::ts_threads], num_u(c.threads)));
    t.summary.push_back(item(spec[cols::ts_threads_running], num_u(c.threads_running)));
    t.summary.push_back(item(spec[cols::ts_threads_blocked], num_u(c.threads_blocked)));
    if (c.processes > 0 && !c.running)
        t.notes.push_back("process states unknown: this sample was taken without them");
    else if (c.unknown > 0)
        t.notes.push_back(
            fmt::format("{} processes in the total have no state: they ended "
                        "while it was read",
                        c.unknown));
    return t;
}

}  // namespace vigil
