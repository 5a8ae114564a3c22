// compute_machine_rates: the pure function from two machine samples to what happened in
// between, with the formulas of the tools people compare against (mpstat, iostat -x,
// sar -n DEV, sar -W/-B). A device or CPU missing from either sample, a counter that went
// backwards, or a kernel that changed its column count yields no value, never a spike.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "vigil/sample/machine.hpp"

namespace vigil {

// mpstat's percentages of one CPU's ticks in the interval.
struct CpuPercent {
    enum Col : std::uint8_t { usr, nice, sys, iowait, irq, soft, steal, guest, gnice, idle };
    static constexpr std::size_t kCols = 10;
    int cpu = -1;  // -1: all CPUs
    std::array<std::optional<double>, kCols>
        pct;  // nullopt: the kernel lacks the column, or no interval
};

// iostat -x per device. await and request figures are 0.0 when the device did no such
// request in the interval, as iostat prints them.
struct DiskRates {
    std::optional<double> reads_per_s, read_kib_per_s, read_merges_per_s, read_await_ms;
    std::optional<double> writes_per_s, write_kib_per_s, write_merges_per_s, write_await_ms;
    std::optional<double> discards_per_s, discard_kib_per_s, discard_await_ms;
    std::optional<double> flushes_per_s, flush_await_ms;
    std::optional<double> queue_size;  // aqu-sz: average requests in flight
    std::optional<double> util_pct;    // share of the interval with I/O in flight
    bool active = false;               // any request completed in the interval
};

// sar -n DEV and sar -n EDEV per interface (kB is KiB).
struct NetRates {
    std::optional<double> rx_kib_per_s, tx_kib_per_s, rx_packets_per_s, tx_packets_per_s;
    std::optional<double> rx_errs_per_s, tx_errs_per_s, rx_drop_per_s, tx_drop_per_s;
};

// Share of the interval with tasks stalled, from the PSI totals.
struct PressureRates {
    std::optional<double> some_pct, full_pct;
};

struct MachineRates {
    double elapsed_s = 0;  // steady-clock seconds between the two machine samples
    std::optional<CpuPercent> all;
    std::vector<CpuPercent> cpus;  // parallel to cur.cpu.cpus
    std::optional<double> ctxt_per_s, intr_per_s, forks_per_s;
    std::optional<double> swapin_pages_per_s, swapout_pages_per_s, majflt_per_s;
    std::vector<PressureRates> pressure;  // parallel to cur.pressure
    std::vector<DiskRates> disks;         // parallel to cur.disks
    std::vector<NetRates> net;            // parallel to cur.net
};

MachineRates compute_machine_rates(const MachineSample& prev, const MachineSample& cur);

// The pieces, for tests and for front ends that keep their own history.
CpuPercent cpu_percent(const CpuTicks& prev, const CpuTicks& cur);
DiskRates disk_rates(const DiskStats& prev, const DiskStats& cur, double elapsed_s);
NetRates net_rates(const NetDevStats& prev, const NetDevStats& cur, double elapsed_s);

}  // namespace vigil
