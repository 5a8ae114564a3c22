#include "vigil/model/overview.hpp"

#include <algorithm>

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

}  // namespace vigil
