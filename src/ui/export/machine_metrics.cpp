// The machine's families (exposition.hpp): CPU, memory, pressure, disks, filesystems,
// network, sensors.
#include <string_view>

#include "exposition.hpp"

namespace vigil::metrics_detail {
namespace {

constexpr double kSectorBytes = 512;  // /proc/diskstats counts 512-byte sectors

void write_cpu(Exposition& e, const MachineSample& m, std::uint64_t clk_tck) {
    const double hz = static_cast<double>(clk_tck ? clk_tck : 100);
    static constexpr std::pair<CpuTicks::Field, std::string_view> kModes[] = {
        {CpuTicks::user, "user"},       {CpuTicks::nice, "nice"},     {CpuTicks::system, "system"},
        {CpuTicks::idle, "idle"},       {CpuTicks::iowait, "iowait"}, {CpuTicks::irq, "irq"},
        {CpuTicks::softirq, "softirq"}, {CpuTicks::steal, "steal"}};
    e.family("vigil_cpu_seconds_total", Kind::counter,
             "Time each CPU spent in each mode (/proc/stat; user and nice include guest time).");
    for (const CpuLine& c : m.cpu.cpus) {
        const std::string cpu = std::to_string(c.cpu);
        for (const auto& [field, mode] : kModes)
            if (c.times.has(field))
                e.sample({{"cpu", cpu}, {"mode", mode}}, static_cast<double>(c.times[field]) / hz);
    }
    e.family("vigil_cpu_guest_seconds_total", Kind::counter,
             "Time each CPU spent running guests, also counted in user and nice.");
    for (const CpuLine& c : m.cpu.cpus) {
        const std::string cpu = std::to_string(c.cpu);
        if (c.times.has(CpuTicks::guest))
            e.sample({{"cpu", cpu}, {"mode", "user"}},
                     static_cast<double>(c.times[CpuTicks::guest]) / hz);
        if (c.times.has(CpuTicks::guest_nice))
            e.sample({{"cpu", cpu}, {"mode", "nice"}},
                     static_cast<double>(c.times[CpuTicks::guest_nice]) / hz);
    }
    e.family("vigil_context_switches_total", Kind::counter, "Context switches since boot.");
    e.sample({}, m.cpu.ctxt);
    e.family("vigil_interrupts_total", Kind::counter, "Interrupts serviced since boot.");
    e.sample({}, m.cpu.intr);
    e.family("vigil_forks_total", Kind::counter, "Processes and threads created since boot.");
    e.sample({}, m.cpu.forks);
    e.family("vigil_procs_running", Kind::gauge, "Threads runnable now (/proc/stat).");
    e.sample({}, m.cpu.procs_running);
    e.family("vigil_procs_blocked", Kind::gauge,
             "Threads in uninterruptible sleep now, mostly waiting for I/O (/proc/stat).");
    e.sample({}, m.cpu.procs_blocked);
    if (m.load) {
        e.family("vigil_load1", Kind::gauge, "Load average over 1 minute.");
        e.sample({}, m.load->load1);
        e.family("vigil_load5", Kind::gauge, "Load average over 5 minutes.");
        e.sample({}, m.load->load5);
        e.family("vigil_load15", Kind::gauge, "Load average over 15 minutes.");
        e.sample({}, m.load->load15);
    }
    e.family("vigil_uptime_seconds", Kind::gauge, "Time since boot (/proc/uptime).");
    e.sample({}, m.uptime_s);
}

void write_memory(Exposition& e, const MachineSample& m, std::uint64_t page_size) {
    auto kib = [](const std::optional<std::uint64_t>& v) -> std::optional<std::uint64_t> {
        if (!v) return std::nullopt;
        return *v * 1024;
    };
    static constexpr std::pair<std::optional<std::uint64_t> MemInfo::*, std::string_view> kMem[] = {
        {&MemInfo::total_kib, "total"},
        {&MemInfo::free_kib, "free"},
        {&MemInfo::available_kib, "available"},
        {&MemInfo::buffers_kib, "buffers"},
        {&MemInfo::cached_kib, "cached"},
        {&MemInfo::shmem_kib, "shmem"},
        {&MemInfo::sreclaimable_kib, "sreclaimable"}};
    e.family("vigil_memory_bytes", Kind::gauge,
             "Memory by /proc/meminfo field: total, free, available, buffers, cached, ...");
    for (const auto& [field, kind] : kMem) e.sample({{"kind", kind}}, kib(m.mem.*field));
    e.family("vigil_swap_total_bytes", Kind::gauge, "Swap space (SwapTotal).");
    e.sample({}, kib(m.mem.swap_total_kib));
    e.family("vigil_swap_free_bytes", Kind::gauge, "Swap space unused (SwapFree).");
    e.sample({}, kib(m.mem.swap_free_kib));
    auto pages = [&](const std::optional<std::uint64_t>& v) -> std::optional<std::uint64_t> {
        if (!v) return std::nullopt;
        return *v * page_size;
    };
    e.family("vigil_swap_in_bytes_total", Kind::counter, "Memory swapped in since boot (pswpin).");
    e.sample({}, pages(m.vm.pswpin_pages));
    e.family("vigil_swap_out_bytes_total", Kind::counter,
             "Memory swapped out since boot (pswpout).");
    e.sample({}, pages(m.vm.pswpout_pages));
    e.family("vigil_major_faults_total", Kind::counter,
             "Page faults that read from storage since boot (pgmajfault).");
    e.sample({}, m.vm.pgmajfault);
}

void write_pressure(Exposition& e, const MachineSample& m) {
    auto seconds = [](const std::optional<PressureLine>& l) -> std::optional<double> {
        if (!l) return std::nullopt;
        return static_cast<double>(l->total_us) / 1e6;
    };
    e.family("vigil_pressure_some_seconds_total", Kind::counter,
             "Time some tasks stalled on the resource (pressure stall information).");
    for (const Pressure& p : m.pressure) e.sample({{"resource", p.resource}}, seconds(p.some));
    e.family("vigil_pressure_full_seconds_total", Kind::counter,
             "Time all non-idle tasks stalled on the resource at once.");
    for (const Pressure& p : m.pressure) e.sample({{"resource", p.resource}}, seconds(p.full));
}

void write_disks(Exposition& e, const MachineSample& m) {
    using S = DiskStats::Stat;
    struct Counter {
        std::string_view name;
        S stat;
        double scale;  // to the base unit
        std::string_view help;
    };
    static constexpr Counter kCounters[] = {
        {"vigil_disk_reads_completed_total", S::reads, 1, "Reads completed."},
        {"vigil_disk_reads_merged_total", S::reads_merged, 1, "Adjacent reads merged."},
        {"vigil_disk_read_bytes_total", S::sectors_read, kSectorBytes, "Bytes read."},
        {"vigil_disk_read_time_seconds_total", S::read_ms, 1e-3, "Time spent on reads."},
        {"vigil_disk_writes_completed_total", S::writes, 1, "Writes completed."},
        {"vigil_disk_writes_merged_total", S::writes_merged, 1, "Adjacent writes merged."},
        {"vigil_disk_written_bytes_total", S::sectors_written, kSectorBytes, "Bytes written."},
        {"vigil_disk_write_time_seconds_total", S::write_ms, 1e-3, "Time spent on writes."},
        {"vigil_disk_io_time_seconds_total", S::io_ms, 1e-3,
         "Time the device had I/O in flight (iostat's %util over an interval)."},
        {"vigil_disk_io_time_weighted_seconds_total", S::weighted_io_ms, 1e-3,
         "Time spent on I/O weighted by the requests in flight (iostat's aqu-sz)."},
        {"vigil_disk_discards_completed_total", S::discards, 1, "Discards completed."},
        {"vigil_disk_discarded_bytes_total", S::sectors_discarded, kSectorBytes,
         "Bytes discarded."},
        {"vigil_disk_discard_time_seconds_total", S::discard_ms, 1e-3, "Time spent on discards."},
        {"vigil_disk_flushes_completed_total", S::flushes, 1, "Flush requests completed."},
        {"vigil_disk_flush_time_seconds_total", S::flush_ms, 1e-3, "Time spent on flushes."},
    };
    for (const Counter& c : kCounters) {
        e.family(c.name, Kind::counter, c.help);
        for (const DiskStats& d : m.disks) {
            if (!d.has(c.stat)) continue;
            const auto raw = d.stats[c.stat];
            if (c.scale == 1)
                e.sample({{"device", d.name}}, raw);
            else if (c.scale == kSectorBytes)
                e.sample({{"device", d.name}}, raw * 512);
            else
                e.sample({{"device", d.name}}, static_cast<double>(raw) * c.scale);
        }
    }
    e.family("vigil_disk_io_now", Kind::gauge, "Requests in flight now.");
    for (const DiskStats& d : m.disks)
        if (d.has(S::in_flight)) e.sample({{"device", d.name}}, d.stats[S::in_flight]);
}

void write_filesystems(Exposition& e, const MachineSample& m) {
    struct Gauge {
        std::string_view name, help;
        std::uint64_t (*value)(const FsUsage&);
    };
    static constexpr Gauge kGauges[] = {
        {"vigil_filesystem_size_bytes", "File system size.",
         [](const FsUsage& u) { return u.blocks * u.block_bytes; }},
        {"vigil_filesystem_free_bytes", "Free space, the part reserved for root included.",
         [](const FsUsage& u) { return u.blocks_free * u.block_bytes; }},
        {"vigil_filesystem_avail_bytes", "Space available to unprivileged users.",
         [](const FsUsage& u) { return u.blocks_avail * u.block_bytes; }},
        {"vigil_filesystem_files", "Inodes (0: the file system does not count them).",
         [](const FsUsage& u) { return u.files; }},
        {"vigil_filesystem_files_free", "Free inodes.",
         [](const FsUsage& u) { return u.files_free; }},
    };
    for (const Gauge& g : kGauges) {
        e.family(g.name, Kind::gauge, g.help);
        for (const FilesystemSample& f : m.filesystems) {
            if (!f.usage) continue;  // timed out or unreadable: no sample, not 0
            e.sample({{"device", f.mount.source},
                      {"mountpoint", f.mount.mount_point},
                      {"fstype", f.mount.fs_type}},
                     g.value(*f.usage));
        }
    }
}

void write_network(Exposition& e, const MachineSample& m) {
    struct Counter {
        std::string_view name, help;
        std::uint64_t NetDevStats::*field;
    };
    static constexpr Counter kCounters[] = {
        {"vigil_network_receive_bytes_total", "Bytes received.", &NetDevStats::rx_bytes},
        {"vigil_network_receive_packets_total", "Packets received.", &NetDevStats::rx_packets},
        {"vigil_network_receive_errors_total", "Receive errors.", &NetDevStats::rx_errs},
        {"vigil_network_receive_drop_total", "Received packets dropped.", &NetDevStats::rx_drop},
        {"vigil_network_transmit_bytes_total", "Bytes sent.", &NetDevStats::tx_bytes},
        {"vigil_network_transmit_packets_total", "Packets sent.", &NetDevStats::tx_packets},
        {"vigil_network_transmit_errors_total", "Transmit errors.", &NetDevStats::tx_errs},
        {"vigil_network_transmit_drop_total", "Packets dropped on sending.", &NetDevStats::tx_drop},
    };
    for (const Counter& c : kCounters) {
        e.family(c.name, Kind::counter, c.help);
        for (const NetDevStats& n : m.net) e.sample({{"interface", n.name}}, n.*c.field);
    }
    e.family("vigil_network_up", Kind::gauge, "1 when the interface's operstate is up.");
    for (const NetDevStats& n : m.net)
        if (!n.operstate.empty())
            e.sample({{"interface", n.name}}, std::uint64_t{n.operstate == "up" ? 1u : 0u});
    e.family("vigil_network_speed_bytes", Kind::gauge, "Link speed, in bytes per second.");
    for (const NetDevStats& n : m.net)
        if (n.speed_mbps) e.sample({{"interface", n.name}}, *n.speed_mbps * 1'000'000 / 8);
}

void write_sensors(Exposition& e, const MachineSample& m) {
    const SensorSample& s = m.sensors;
    e.family("vigil_temperature_celsius", Kind::gauge, "Temperature (hwmon, thermal zones).");
    for (const TempSensor& t : s.temps)
        if (t.input_mc)
            e.sample({{"chip", t.chip}, {"sensor", t.label}},
                     static_cast<double>(*t.input_mc) / 1000.0);
    e.family("vigil_temperature_critical_celsius", Kind::gauge,
             "Critical temperature of the sensor.");
    for (const TempSensor& t : s.temps)
        if (t.crit_mc)
            e.sample({{"chip", t.chip}, {"sensor", t.label}},
                     static_cast<double>(*t.crit_mc) / 1000.0);
    e.family("vigil_fan_rpm", Kind::gauge, "Fan speed, revolutions per minute.");
    for (const FanSensor& f : s.fans) e.sample({{"chip", f.chip}, {"sensor", f.label}}, f.rpm);
    e.family("vigil_battery_capacity_ratio", Kind::gauge, "Battery charge, 0 to 1.");
    for (const Battery& b : s.batteries)
        if (b.capacity_pct)
            e.sample({{"battery", b.name}}, static_cast<double>(*b.capacity_pct) / 100.0);
}

}  // namespace

void write_machine(Exposition& e, const MachineSample& m, std::uint64_t clk_tck,
                   std::uint64_t page_size) {
    if (m.collected & section_bit(Section::cpu)) write_cpu(e, m, clk_tck);
    if (m.collected & section_bit(Section::mem)) write_memory(e, m, page_size);
    if (m.collected & section_bit(Section::psi)) write_pressure(e, m);
    if (m.collected & section_bit(Section::disks)) write_disks(e, m);
    if (m.collected & section_bit(Section::fs)) write_filesystems(e, m);
    if (m.collected & section_bit(Section::net)) write_network(e, m);
    if (m.collected & section_bit(Section::sensors)) write_sensors(e, m);
}

}  // namespace vigil::metrics_detail
