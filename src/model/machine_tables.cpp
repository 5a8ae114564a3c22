// Tables of the cpu, mem, psi, disks and net sections (fs and sensors are in
// fs_sensor_tables.cpp).
#include <algorithm>

#include "cells.hpp"
#include "machine_columns.hpp"
#include "vigil/model/machine_tables.hpp"

namespace vigil {
namespace {

using namespace cells;

std::optional<std::uint64_t> kib_to_bytes(std::optional<std::uint64_t> kib) {
    if (!kib || *kib > (UINT64_MAX >> 10)) return std::nullopt;
    return *kib << 10;
}

std::vector<Cell> cpu_row(int cpu, const std::optional<CpuPercent>& p) {
    std::vector<Cell> row(cols::kCpuCols);
    row[cols::c_cpu] = Cell{static_cast<double>(cpu), cpu < 0 ? "all" : std::to_string(cpu)};
    if (!p) return row;
    // The registry lists the CpuPercent columns in the same order, after the CPU column.
    static_assert(std::size_t{cols::c_idle} - cols::c_usr == std::size_t{CpuPercent::idle} &&
                  std::size_t{cols::c_guest} - cols::c_usr == std::size_t{CpuPercent::guest});
    for (std::size_t i = 0; i < CpuPercent::kCols; ++i) row[cols::c_usr + i] = num(p->pct[i]);
    return row;
}

bool is_ram_backed(std::string_view name) {
    for (std::string_view p : {"loop", "ram", "zram"})
        if (name.substr(0, p.size()) == p) return true;
    return false;
}

}  // namespace

Table build_cpu_table(const MachineSample& cur, const MachineRates& r) {
    Table t = make_table(Section::cpu, TableKind::cpu, "CPU");
    if (cur.load) {
        t.summary.push_back(item(cols::kCpuSummary[cols::cs_load1], num(cur.load->load1)));
        t.summary.push_back(item(cols::kCpuSummary[cols::cs_load5], num(cur.load->load5)));
        t.summary.push_back(item(cols::kCpuSummary[cols::cs_load15], num(cur.load->load15)));
    }
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_running], num_u(cur.cpu.procs_running)));
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_blocked], num_u(cur.cpu.procs_blocked)));
    if (cur.load)
        t.summary.push_back(item(cols::kCpuSummary[cols::cs_threads], num_u(cur.load->entities)));
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_ctxt], num(r.ctxt_per_s)));
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_intr], num(r.intr_per_s)));
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_forks], num(r.forks_per_s)));
    t.summary.push_back(item(cols::kCpuSummary[cols::cs_uptime], num(cur.uptime_s)));

    if (cur.cpu.total) t.rows.push_back(cpu_row(-1, r.all));
    for (std::size_t i = 0; i < cur.cpu.cpus.size(); ++i) {
        std::optional<CpuPercent> p;
        if (i < r.cpus.size()) p = r.cpus[i];
        t.rows.push_back(cpu_row(cur.cpu.cpus[i].cpu, p));
    }
    if (!cur.cpu.total) t.notes.push_back("CPU counters could not be read");
    add_notes(t, cur);
    return t;
}

std::optional<std::uint64_t> memory_available_kib(const MemInfo& m,
                                                  std::optional<std::uint64_t> min_free_kib,
                                                  bool* estimated) {
    if (estimated) *estimated = false;
    if (m.available_kib) return m.available_kib;
    if (!m.free_kib || !m.active_file_kib || !m.inactive_file_kib || !m.sreclaimable_kib ||
        !min_free_kib)
        return std::nullopt;
    if (estimated) *estimated = true;
    // The kernel's own formula of 3.14 (si_mem_available), with the low watermark taken as
    // min_free_kbytes * 5/4 as procps did for older kernels.
    const auto low = static_cast<std::int64_t>(*min_free_kib * 5 / 4);
    const auto file = static_cast<std::int64_t>(*m.active_file_kib + *m.inactive_file_kib);
    const auto slab = static_cast<std::int64_t>(*m.sreclaimable_kib);
    std::int64_t avail = static_cast<std::int64_t>(*m.free_kib) - low + file -
                         std::min(file / 2, low) + slab - std::min(slab / 2, low);
    return static_cast<std::uint64_t>(std::max<std::int64_t>(avail, 0));
}

MemoryFigures memory_figures(const MemInfo& m, std::optional<std::uint64_t> min_free_kib) {
    MemoryFigures f;
    f.total_kib = m.total_kib;
    f.available_kib = memory_available_kib(m, min_free_kib, &f.available_estimated);
    if (m.total_kib && f.available_kib) {
        f.used_kib = *m.total_kib > *f.available_kib ? *m.total_kib - *f.available_kib : 0;
        if (*m.total_kib > 0)
            f.used_pct =
                100.0 * static_cast<double>(*f.used_kib) / static_cast<double>(*m.total_kib);
    }
    f.swap_total_kib = m.swap_total_kib;
    if (m.swap_total_kib && m.swap_free_kib && *m.swap_total_kib >= *m.swap_free_kib)
        f.swap_used_kib = *m.swap_total_kib - *m.swap_free_kib;
    return f;
}

Table build_mem_table(const MachineSample& cur, const MachineRates& r) {
    Table t = make_table(Section::mem, TableKind::mem, "Memory");
    const MemInfo& m = cur.mem;
    t.summary.push_back(item(cols::kMemSummary[cols::ms_swapin], num(r.swapin_pages_per_s)));
    t.summary.push_back(item(cols::kMemSummary[cols::ms_swapout], num(r.swapout_pages_per_s)));
    t.summary.push_back(item(cols::kMemSummary[cols::ms_majflt], num(r.majflt_per_s)));

    const MemoryFigures f = memory_figures(m, cur.min_free_kib);
    std::optional<std::uint64_t> cache;
    if (m.cached_kib) cache = *m.cached_kib + m.sreclaimable_kib.value_or(0);

    std::vector<Cell> mem(cols::kMemCols);
    mem[cols::m_kind] = text("Mem");
    mem[cols::m_total] = num_u(kib_to_bytes(m.total_kib));
    mem[cols::m_used] = num_u(kib_to_bytes(f.used_kib));
    mem[cols::m_free] = num_u(kib_to_bytes(m.free_kib));
    mem[cols::m_shared] = num_u(kib_to_bytes(m.shmem_kib));
    mem[cols::m_buffers] = num_u(kib_to_bytes(m.buffers_kib));
    mem[cols::m_cache] = num_u(kib_to_bytes(cache));
    mem[cols::m_available] = num_u(kib_to_bytes(f.available_kib));
    t.rows.push_back(std::move(mem));

    std::vector<Cell> swap(cols::kMemCols, not_applicable());
    swap[cols::m_kind] = text("Swap");
    swap[cols::m_total] = num_u(kib_to_bytes(m.swap_total_kib));
    swap[cols::m_free] = num_u(kib_to_bytes(m.swap_free_kib));
    swap[cols::m_used] = num_u(kib_to_bytes(f.swap_used_kib));
    t.rows.push_back(std::move(swap));

    if (f.available_estimated)
        t.notes.push_back("available is estimated: this kernel has no MemAvailable (before 3.14)");
    else if (!f.available_kib)
        t.notes.push_back(
            "available and used are unknown: no MemAvailable and no data to estimate it");
    add_notes(t, cur);
    return t;
}

Table build_psi_table(const MachineSample& cur, const MachineRates& r) {
    Table t = make_table(Section::psi, TableKind::psi, "Pressure");
    for (std::size_t i = 0; i < cur.pressure.size(); ++i) {
        const Pressure& p = cur.pressure[i];
        std::vector<Cell> row(cols::kPsiCols);
        row[cols::p_resource] = text(p.resource);
        auto fill = [&](const std::optional<PressureLine>& l, std::size_t first) {
            if (!l) return;
            row[first] = num(l->avg10_pct);
            row[first + 1] = num(l->avg60_pct);
            row[first + 2] = num(l->avg300_pct);
        };
        fill(p.some, cols::p_some10);
        fill(p.full, cols::p_full10);
        if (i < r.pressure.size()) {
            row[cols::p_some] = num(r.pressure[i].some_pct);
            row[cols::p_full] = num(r.pressure[i].full_pct);
        }
        t.rows.push_back(std::move(row));
    }
    if (cur.pressure.empty())
        t.notes.push_back(
            "pressure stall information is not available (kernel without CONFIG_PSI, "
            "or booted with psi=0)");
    add_notes(t, cur);
    return t;
}

bool disk_row_shown(const DiskStats& d, const DiskRates& r, const MachineView& mv) {
    if (!d.whole_disk && !mv.partitions) return false;
    if (mv.all_devices) return true;
    // iostat leaves out devices that never did any I/O since boot.
    std::uint64_t ever = d.stats[DiskStats::reads] + d.stats[DiskStats::writes] +
                         d.stats[DiskStats::discards] + d.stats[DiskStats::flushes];
    if (ever == 0) return false;
    // Loop and RAM disks come by the dozen (snaps, zram swap); show them while busy.
    if (is_ram_backed(d.name) && !r.active) return false;
    return true;
}

Table build_disk_table(const MachineSample& cur, const MachineRates& r, const MachineView& mv) {
    Table t = make_table(Section::disks, TableKind::disks, "Disks");
    for (std::size_t i = 0; i < cur.disks.size(); ++i) {
        const DiskStats& d = cur.disks[i];
        const DiskRates dr = i < r.disks.size() ? r.disks[i] : DiskRates{};
        if (!disk_row_shown(d, dr, mv)) continue;
        std::vector<Cell> row(cols::kDiskCols);
        row[cols::d_device] = text(escape_text(d.name, mv.escape));
        row[cols::d_r_s] = num(dr.reads_per_s);
        row[cols::d_rkb_s] = num(dr.read_kib_per_s);
        row[cols::d_r_await] = num(dr.read_await_ms);
        row[cols::d_w_s] = num(dr.writes_per_s);
        row[cols::d_wkb_s] = num(dr.write_kib_per_s);
        row[cols::d_w_await] = num(dr.write_await_ms);
        row[cols::d_d_s] = num(dr.discards_per_s);
        row[cols::d_dkb_s] = num(dr.discard_kib_per_s);
        row[cols::d_f_s] = num(dr.flushes_per_s);
        row[cols::d_aqu_sz] = num(dr.queue_size);
        row[cols::d_util] = num(dr.util_pct);
        t.rows.push_back(std::move(row));
    }
    if (cur.disks.empty()) t.notes.push_back("no block devices found");
    add_notes(t, cur);
    return t;
}

Table build_net_table(const MachineSample& cur, const MachineRates& r, const MachineView& mv) {
    Table t = make_table(Section::net, TableKind::net, "Network");
    for (std::size_t i = 0; i < cur.net.size(); ++i) {
        const NetDevStats& n = cur.net[i];
        const NetRates nr = i < r.net.size() ? r.net[i] : NetRates{};
        std::vector<Cell> row(cols::kNetCols);
        // Interface names may hold any byte but / and space (ESC included).
        row[cols::n_iface] = text(escape_text(n.name, mv.escape));
        row[cols::n_state] = text(n.operstate.empty() ? "?" : escape_text(n.operstate, mv.escape));
        row[cols::n_speed] = num_u(n.speed_mbps);
        row[cols::n_rxkb_s] = num(nr.rx_kib_per_s);
        row[cols::n_txkb_s] = num(nr.tx_kib_per_s);
        row[cols::n_rxpck_s] = num(nr.rx_packets_per_s);
        row[cols::n_txpck_s] = num(nr.tx_packets_per_s);
        row[cols::n_rxerr_s] = num(nr.rx_errs_per_s);
        row[cols::n_txerr_s] = num(nr.tx_errs_per_s);
        row[cols::n_rxdrop_s] = num(nr.rx_drop_per_s);
        row[cols::n_txdrop_s] = num(nr.tx_drop_per_s);
        t.rows.push_back(std::move(row));
    }
    if (cur.net.empty()) t.notes.push_back("no network interfaces found");
    add_notes(t, cur);
    return t;
}

std::vector<Table> build_section_tables(Section s, const MachineSample& cur, const MachineRates& r,
                                        const MachineView& mv) {
    switch (s) {
        case Section::tasks:
            return {};
        case Section::cpu:
            return {build_cpu_table(cur, r)};
        case Section::mem:
            return {build_mem_table(cur, r)};
        case Section::psi:
            return {build_psi_table(cur, r)};
        case Section::disks:
            return {build_disk_table(cur, r, mv)};
        case Section::fs:
            return {build_fs_table(cur, mv)};
        case Section::net:
            return {build_net_table(cur, r, mv)};
        case Section::sensors:
            return build_sensor_tables(cur, mv);
        case Section::cgroups:
            return {};  // from the tasks as well: build_cgroup_table (cgroups.hpp)
    }
    return {};
}

}  // namespace vigil
