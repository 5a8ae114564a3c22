#include "vigil/model/machine_rates.hpp"

#include <algorithm>

namespace vigil {
namespace {

std::optional<double> per_s(std::optional<std::uint64_t> before, std::optional<std::uint64_t> now,
                            double elapsed_s) {
    if (!before || !now || *now < *before || !(elapsed_s > 0)) return std::nullopt;
    return static_cast<double>(*now - *before) / elapsed_s;
}

// user and nice include guest time; mpstat shows them without it. A guest counter that
// runs slightly ahead of user (it happens) is clamped rather than wrapped.
std::uint64_t without(std::uint64_t all, std::uint64_t part) {
    return all > part ? all - part : 0;
}

}  // namespace

CpuPercent cpu_percent(const CpuTicks& p, const CpuTicks& c) {
    using F = CpuTicks;
    using P = CpuPercent;
    CpuPercent out;
    if (p.fields != c.fields || c.fields < 4) return out;
    for (std::size_t i = 0; i < c.fields; ++i) {
        // A CPU that went offline and came back restarts some counters: nothing to trust.
        if (c.ticks[i] < p.ticks[i]) return out;
    }
    const std::uint64_t pu = without(p[F::user], p[F::guest]),
                        cu = without(c[F::user], c[F::guest]);
    const std::uint64_t pn = without(p[F::nice], p[F::guest_nice]),
                        cn = without(c[F::nice], c[F::guest_nice]);
    // mpstat's interval: every column but guest and guest_nice (already in user and nice),
    // widened when user-guest went down so the shares still add up to 100.
    std::uint64_t shift = (pu > cu ? pu - cu : 0) + (pn > cn ? pn - cn : 0);
    auto sum = [](const CpuTicks& t) {
        return t[F::user] + t[F::nice] + t[F::system] + t[F::idle] + t[F::iowait] + t[F::irq] +
               t[F::softirq] + t[F::steal];
    };
    const std::uint64_t total = sum(c) - sum(p) + shift;
    if (total == 0) return out;
    const double tot = static_cast<double>(total);
    auto share = [&](std::uint64_t before, std::uint64_t now) -> double {
        return now < before ? 0.0 : static_cast<double>(now - before) / tot * 100.0;
    };
    auto field = [&](F::Field f) -> std::optional<double> {
        if (!c.has(f)) return std::nullopt;
        return share(p.ticks[f], c.ticks[f]);
    };
    out.pct[P::usr] = share(pu, cu);
    out.pct[P::nice] = share(pn, cn);
    out.pct[P::sys] = field(F::system);
    out.pct[P::iowait] = field(F::iowait);
    out.pct[P::irq] = field(F::irq);
    out.pct[P::soft] = field(F::softirq);
    out.pct[P::steal] = field(F::steal);
    out.pct[P::guest] = field(F::guest);
    out.pct[P::gnice] = field(F::guest_nice);
    out.pct[P::idle] = field(F::idle);
    return out;
}

DiskRates disk_rates(const DiskStats& p, const DiskStats& c, double dt) {
    using S = DiskStats;
    DiskRates r;
    if (p.fields != c.fields || !(dt > 0)) return r;
    for (std::size_t i = 0; i < DiskStats::kStats; ++i) {
        // in_flight is a level, not a counter; it may fall.
        if (i == S::in_flight || !c.has(static_cast<S::Stat>(i))) continue;
        if (c.stats[i] < p.stats[i]) return r;  // wrapped, or the device was replaced
    }
    auto d = [&](S::Stat s) { return static_cast<double>(c.stats[s] - p.stats[s]); };
    auto rate = [&](S::Stat s) -> std::optional<double> {
        if (!c.has(s)) return std::nullopt;
        return d(s) / dt;
    };
    // Sectors are 512 bytes whatever the device's block size; kB is KiB.
    auto kib_rate = [&](S::Stat s) -> std::optional<double> {
        if (!c.has(s)) return std::nullopt;
        return d(s) / 2.0 / dt;
    };
    auto await = [&](S::Stat ms, S::Stat ios) -> std::optional<double> {
        if (!c.has(ms) || !c.has(ios)) return std::nullopt;
        return d(ios) > 0 ? d(ms) / d(ios) : 0.0;
    };
    r.reads_per_s = rate(S::reads);
    r.read_kib_per_s = kib_rate(S::sectors_read);
    r.read_merges_per_s = rate(S::reads_merged);
    r.read_await_ms = await(S::read_ms, S::reads);
    r.writes_per_s = rate(S::writes);
    r.write_kib_per_s = kib_rate(S::sectors_written);
    r.write_merges_per_s = rate(S::writes_merged);
    r.write_await_ms = await(S::write_ms, S::writes);
    r.discards_per_s = rate(S::discards);
    r.discard_kib_per_s = kib_rate(S::sectors_discarded);
    r.discard_await_ms = await(S::discard_ms, S::discards);
    r.flushes_per_s = rate(S::flushes);
    r.flush_await_ms = await(S::flush_ms, S::flushes);
    const double interval_ms = dt * 1000.0;
    if (c.has(S::weighted_io_ms)) r.queue_size = d(S::weighted_io_ms) / interval_ms;
    if (c.has(S::io_ms)) r.util_pct = d(S::io_ms) / interval_ms * 100.0;
    r.active = d(S::reads) > 0 || d(S::writes) > 0 || (c.has(S::discards) && d(S::discards) > 0) ||
               (c.has(S::flushes) && d(S::flushes) > 0);
    return r;
}

NetRates net_rates(const NetDevStats& p, const NetDevStats& c, double dt) {
    NetRates r;
    if (!(dt > 0)) return r;
    if (c.rx_bytes < p.rx_bytes || c.rx_packets < p.rx_packets || c.rx_errs < p.rx_errs ||
        c.rx_drop < p.rx_drop || c.tx_bytes < p.tx_bytes || c.tx_packets < p.tx_packets ||
        c.tx_errs < p.tx_errs || c.tx_drop < p.tx_drop)
        return r;  // the interface was recreated, or a 32-bit driver counter wrapped
    auto rate = [&](std::uint64_t a, std::uint64_t b) { return static_cast<double>(b - a) / dt; };
    r.rx_kib_per_s = rate(p.rx_bytes, c.rx_bytes) / 1024.0;
    r.tx_kib_per_s = rate(p.tx_bytes, c.tx_bytes) / 1024.0;
    r.rx_packets_per_s = rate(p.rx_packets, c.rx_packets);
    r.tx_packets_per_s = rate(p.tx_packets, c.tx_packets);
    r.rx_errs_per_s = rate(p.rx_errs, c.rx_errs);
    r.tx_errs_per_s = rate(p.tx_errs, c.tx_errs);
    r.rx_drop_per_s = rate(p.rx_drop, c.rx_drop);
    r.tx_drop_per_s = rate(p.tx_drop, c.tx_drop);
    return r;
}

MachineRates compute_machine_rates(const MachineSample& prev, const MachineSample& cur) {
    MachineRates r;
    r.elapsed_s = cur.steady_s - prev.steady_s;
    r.cpus.resize(cur.cpu.cpus.size());
    for (std::size_t i = 0; i < cur.cpu.cpus.size(); ++i) r.cpus[i].cpu = cur.cpu.cpus[i].cpu;
    r.pressure.resize(cur.pressure.size());
    r.disks.resize(cur.disks.size());
    r.net.resize(cur.net.size());
    const double dt = r.elapsed_s;
    if (!(dt > 0)) return r;

    // CPU shares are of ticks, not of wall time, so they do not depend on dt.
    if (prev.cpu.total && cur.cpu.total) r.all = cpu_percent(*prev.cpu.total, *cur.cpu.total);
    std::size_t j = 0;
    for (std::size_t i = 0; i < cur.cpu.cpus.size(); ++i) {
        const CpuLine& now = cur.cpu.cpus[i];
        while (j < prev.cpu.cpus.size() && prev.cpu.cpus[j].cpu < now.cpu) ++j;
        if (j < prev.cpu.cpus.size() && prev.cpu.cpus[j].cpu == now.cpu) {
            r.cpus[i] = cpu_percent(prev.cpu.cpus[j].times, now.times);
            r.cpus[i].cpu = now.cpu;
        }
    }
    r.ctxt_per_s = per_s(prev.cpu.ctxt, cur.cpu.ctxt, dt);
    r.intr_per_s = per_s(prev.cpu.intr, cur.cpu.intr, dt);
    r.forks_per_s = per_s(prev.cpu.forks, cur.cpu.forks, dt);

    r.swapin_pages_per_s = per_s(prev.vm.pswpin_pages, cur.vm.pswpin_pages, dt);
    r.swapout_pages_per_s = per_s(prev.vm.pswpout_pages, cur.vm.pswpout_pages, dt);
    r.majflt_per_s = per_s(prev.vm.pgmajfault, cur.vm.pgmajfault, dt);

    const double dt_us = dt * 1e6;
    for (std::size_t i = 0; i < cur.pressure.size(); ++i) {
        const Pressure& now = cur.pressure[i];
        auto it = std::find_if(prev.pressure.begin(), prev.pressure.end(),
                               [&](const Pressure& p) { return p.resource == now.resource; });
        if (it == prev.pressure.end()) continue;
        auto stall = [&](const std::optional<PressureLine>& a,
                         const std::optional<PressureLine>& b) -> std::optional<double> {
            if (!a || !b || b->total_us < a->total_us) return std::nullopt;
            return static_cast<double>(b->total_us - a->total_us) / dt_us * 100.0;
        };
        r.pressure[i].some_pct = stall(it->some, now.some);
        r.pressure[i].full_pct = stall(it->full, now.full);
    }

    for (std::size_t i = 0; i < cur.disks.size(); ++i) {
        const DiskStats& now = cur.disks[i];
        // Same position first: the table rarely changes between samples.
        const DiskStats* before = nullptr;
        if (i < prev.disks.size() && prev.disks[i].name == now.name)
            before = &prev.disks[i];
        else {
            auto it = std::find_if(prev.disks.begin(), prev.disks.end(),
                                   [&](const DiskStats& d) { return d.name == now.name; });
            if (it != prev.disks.end()) before = &*it;
        }
        if (before && before->major == now.major && before->minor == now.minor)
            r.disks[i] = disk_rates(*before, now, dt);
    }

    for (std::size_t i = 0; i < cur.net.size(); ++i) {
        const NetDevStats& now = cur.net[i];
        const NetDevStats* before = nullptr;
        if (i < prev.net.size() && prev.net[i].name == now.name)
            before = &prev.net[i];
        else {
            auto it = std::find_if(prev.net.begin(), prev.net.end(),
                                   [&](const NetDevStats& n) { return n.name == now.name; });
            if (it != prev.net.end()) before = &*it;
        }
        if (before) r.net[i] = net_rates(*before, now, dt);
    }
    return r;
}

}  // namespace vigil
