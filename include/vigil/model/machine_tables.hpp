// The machine overview as SectionTables: built from the current machine sample, its rates
// and the MachineView, and rendered by the batch writer and the curses view alike.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vigil/core/text.hpp"
#include "vigil/model/machine_rates.hpp"
#include "vigil/model/table.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

// What the user asked to see of the overview (the task table's ViewState counterpart).
struct MachineView {
    bool partitions = false;  // --partitions: partitions as well as whole disks
    // --all-devices: also never-used disks, idle loop/ram/zram devices, and pseudo, memory
    // (tmpfs), zero-sized and duplicate (bind-mounted) file systems.
    bool all_devices = false;
    TextEscape escape = TextEscape::terminal;  // data: CSV/JSON
};

// The tables of one section (one table, except sensors: temperatures, fans, batteries).
// Section::tasks has none here: the task table is build_table's; nor Section::cgroups,
// whose table needs the tasks too (build_cgroup_table).
std::vector<Table> build_section_tables(Section s, const MachineSample& cur,
                                        const MachineRates& rates, const MachineView& mv);

Table build_cpu_table(const MachineSample& cur, const MachineRates& rates);
Table build_mem_table(const MachineSample& cur, const MachineRates& rates);
Table build_psi_table(const MachineSample& cur, const MachineRates& rates);
Table build_disk_table(const MachineSample& cur, const MachineRates& rates, const MachineView& mv);
Table build_fs_table(const MachineSample& cur, const MachineView& mv);
Table build_net_table(const MachineSample& cur, const MachineRates& rates,
                      const MachineView& mv = {});
std::vector<Table> build_sensor_tables(const MachineSample& cur, const MachineView& mv = {});

// MemAvailable, or on kernels without it the estimate procps made for them (MemFree less
// the low watermark, plus the part of the file LRU and reclaimable slab above it). nullopt
// when neither can be known. *estimated says which.
std::optional<std::uint64_t> memory_available_kib(const MemInfo& m,
                                                  std::optional<std::uint64_t> min_free_kib,
                                                  bool* estimated = nullptr);

// Memory as free(1) of procps-ng 4 counts it, for the mem table and the view's summary.
struct MemoryFigures {
    std::optional<std::uint64_t> total_kib, available_kib;
    std::optional<std::uint64_t> used_kib;  // total - available (procps-ng 4; 3.3 subtracted
                                            // free, buffers and cache)
    std::optional<double> used_pct;         // of total
    bool available_estimated = false;       // a kernel before 3.14: see memory_available_kib
    std::optional<std::uint64_t> swap_total_kib, swap_used_kib;  // swap used: total - free
};
MemoryFigures memory_figures(const MemInfo& m, std::optional<std::uint64_t> min_free_kib);

// df's Use%: used / (used + avail) * 100 rounded up; nullopt when both are 0.
std::optional<std::uint64_t> df_percent(std::uint64_t used, std::uint64_t avail);

// Whether a disk row is shown by default: whole disks (partitions with --partitions) that
// were ever used; loop, ram and zram devices only while active. --all-devices shows all.
bool disk_row_shown(const DiskStats& d, const DiskRates& r, const MachineView& mv);

struct BatteryFigures {
    std::optional<double> charge_pct;
    std::optional<double> time_left_s;  // to empty when discharging, to full when charging
    std::optional<double> power_w;
};
BatteryFigures battery_figures(const Battery& b);

}  // namespace vigil
