// The summary above the view's tables, in the manner of glances: what its CPU and memory
// bars and the figures beside them show, computed here from the machine sample and its
// rates (the view only lays them out).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vigil/model/machine_rates.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

struct CoreBusy {
    int cpu = -1;
    std::optional<double> busy_pct;
};

struct PressureAvg10 {
    std::string resource;                      // cpu, io, memory, irq
    std::optional<double> some_pct, full_pct;  // full is absent for cpu before Linux 5.13
};

struct OverviewFigures {
    // CPU: the busy share (all but idle and iowait, as top counts iowait as idle time) and
    // mpstat's columns of the "all" line; unknown before a second sample.
    std::optional<double> cpu_busy_pct;
    std::optional<CpuPercent> cpu;
    std::vector<CoreBusy> cores;  // one per CPU line, in /proc/stat order
    std::optional<LoadAvg> load;
    std::optional<double> uptime_s;
    MemoryFigures mem;
    std::optional<double> swapin_pages_per_s, majflt_per_s;
    std::vector<PressureAvg10> pressure;  // empty: the kernel has no PSI
};

// rates may be null (no interval yet).
OverviewFigures overview_figures(const MachineSample& m, const MachineRates* rates);

// The busy share of a CPU (100 - idle - iowait), clamped to 0..100; unknown without idle.
std::optional<double> busy_pct(const CpuPercent& c);

}  // namespace vigil
