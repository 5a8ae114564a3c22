#include "vigil/ui/export/metrics_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <tuple>
#include <utility>

#include "vigil/core/text.hpp"
#include "vigil/model/cgroups.hpp"

namespace vigil {
namespace {

enum class Kind { counter, gauge };
using Label = std::pair<std::string_view, std::string_view>;

// Writes families: a family's # HELP and # TYPE go out with its first sample, so a family
// without samples (no batteries) leaves nothing.
class Exposition {
  public:
    Exposition(MetricsFormat f, std::string& out)
        : open_metrics_(f == MetricsFormat::openmetrics), out_(out) {}

    void family(std::string_view name, Kind kind, std::string_view help) {
        name_ = name;
        kind_ = kind;
        help_ = help;
        headed_ = false;
    }

    template <class V>
    void sample(std::initializer_list<Label> labels, V value) {
        head();
        out_ += name_;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [k, v] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += k;
                out_ += "=\"";
                append_label_value(v);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        append_value(value);
        out_ += '\n';
    }
    template <class V>
    void sample(std::initializer_list<Label> labels, const std::optional<V>& value) {
        if (value) sample(labels, *value);
    }

    void finish() {
        if (open_metrics_) out_ += "# EOF\n";
    }

  private:
    void head() {
        if (headed_) return;
        headed_ = true;
        // OpenMetrics names a counter's family without the _total of its sample.
        std::string_view family = name_;
        if (open_metrics_ && kind_ == Kind::counter && family.ends_with("_total"))
            family.remove_suffix(6);
        out_ += "# HELP ";
        out_ += family;
        out_ += ' ';
        out_ += help_;  // help texts are constants here: nothing to escape
        out_ += "\n# TYPE ";
        out_ += family;
        out_ += kind_ == Kind::counter ? " counter\n" : " gauge\n";
    }

    void append_label_value(std::string_view raw) {
        // Raw bytes (a command name) become printable, valid UTF-8 first; then the
        // format's own escapes.
        const std::string safe = escape_for_data(raw);
        for (char c : safe) {
            if (c == '\\' || c == '"') out_ += '\\';
            out_ += c;
        }
    }

    void append_value(std::uint64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
    void append_value(std::int64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
    void append_value(double v) {
        if (std::isnan(v))
            out_ += "NaN";
        else if (std::isinf(v))
            out_ += v > 0 ? "+Inf" : "-Inf";
        else
            fmt::format_to(std::back_inserter(out_), "{}", v);
    }

    bool open_metrics_;
    std::string& out_;
    std::string_view name_, help_;
    Kind kind_ = Kind::gauge;
    bool headed_ = false;
};

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

// The cgroup families: each exported group's raw counters, labelled with its path
// (cgroup) and the name people know it by (name).
void write_cgroups(Exposition& e, const MachineSample& m, const std::vector<ExportedCgroup>& gs) {
    struct Group {
        const CgroupSample* g;
        const ExportedCgroup* x;
        std::string name;
    };
    std::vector<Group> groups;
    groups.reserve(gs.size());
    for (const ExportedCgroup& x : gs)
        if (x.index < m.cgroups.size())
            groups.push_back({&m.cgroups[x.index], &x, cgroup_display_name(m.cgroups[x.index])});
    if (groups.empty()) return;
    auto seconds = [](std::optional<std::uint64_t> v, double scale) -> std::optional<double> {
        if (!v) return std::nullopt;
        return static_cast<double>(*v) * scale;
    };
    using U = std::optional<std::uint64_t> CgroupSample::*;
    auto each = [&](std::string_view name, Kind kind, std::string_view help, auto value) {
        e.family(name, kind, help);
        for (const Group& g : groups) e.sample({{"cgroup", g.g->path}, {"name", g.name}}, value(g));
    };
    each("vigil_cgroup_cpu_seconds_total", Kind::counter,
         "CPU time of the group's tasks, its descendants' included (cpu.stat usage_usec; "
         "cgroup v1 cpuacct.usage where v2 has none).",
         [&](const Group& g) {
             return g.g->cpu_usage_usec ? seconds(g.g->cpu_usage_usec, 1e-6)
                                        : seconds(g.g->v1_cpuacct_usage_ns, 1e-9);
         });
    each("vigil_cgroup_cpu_user_seconds_total", Kind::counter,
         "User CPU time of the group (cpu.stat user_usec).",
         [&](const Group& g) { return seconds(g.g->cpu_user_usec, 1e-6); });
    each("vigil_cgroup_cpu_system_seconds_total", Kind::counter,
         "System CPU time of the group (cpu.stat system_usec).",
         [&](const Group& g) { return seconds(g.g->cpu_system_usec, 1e-6); });
    each("vigil_cgroup_cpu_throttled_periods_total", Kind::counter,
         "Periods in which the group was throttled by its CPU limit (cpu.stat nr_throttled).",
         [](const Group& g) { return g.g->nr_throttled; });
    each("vigil_cgroup_cpu_throttled_seconds_total", Kind::counter,
         "Time the group was throttled by its CPU limit (cpu.stat throttled_usec).",
         [&](const Group& g) { return seconds(g.g->throttled_usec, 1e-6); });
    each("vigil_cgroup_memory_bytes", Kind::gauge,
         "Memory charged to the group (memory.current; cgroup v1 memory.usage_in_bytes where "
         "v2 has none).",
         [](const Group& g) {
             return g.g->memory_current ? g.g->memory_current : g.g->v1_memory_usage;
         });
    for (const auto& [field, name, help] :
         {std::tuple<U, std::string_view, std::string_view>{
              &CgroupSample::memory_anon, "vigil_cgroup_memory_anon_bytes",
              "Anonymous memory of the group (memory.stat anon)."},
          {&CgroupSample::memory_file, "vigil_cgroup_memory_file_bytes",
           "Page cache of the group (memory.stat file)."}})
        each(name, Kind::gauge, help, [f = field](const Group& g) { return g.g->*f; });
    each("vigil_cgroup_memory_max_bytes", Kind::gauge,
         "The group's memory limit (memory.max); +Inf when it has none.",
         [](const Group& g) -> std::optional<double> {
             if (!g.g->memory_max) return std::nullopt;
             if (*g.g->memory_max == std::numeric_limits<std::uint64_t>::max())
                 return std::numeric_limits<double>::infinity();
             return static_cast<double>(*g.g->memory_max);
         });
    each("vigil_cgroup_oom_events_total", Kind::counter,
         "Times the group reached its memory limit and the OOM killer ran (memory.events oom).",
         [](const Group& g) { return g.g->oom; });
    each("vigil_cgroup_oom_kills_total", Kind::counter,
         "Processes of the group killed by the OOM killer (memory.events oom_kill).",
         [](const Group& g) { return g.g->oom_kill; });
    each("vigil_cgroup_processes", Kind::gauge,
         "Processes in the group itself, not in its descendants (cgroup.procs).",
         [](const Group& g) -> std::optional<std::uint64_t> {
             if (!g.g->procs) return std::nullopt;
             return g.g->procs->size();
         });
    static constexpr std::pair<CgroupSample::Resource, std::string_view> kResources[] = {
        {CgroupSample::cpu, "cpu"}, {CgroupSample::io_res, "io"}, {CgroupSample::memory, "memory"}};
    for (const bool full : {false, true}) {
        e.family(full ? "vigil_cgroup_pressure_full_seconds_total"
                      : "vigil_cgroup_pressure_some_seconds_total",
                 Kind::counter,
                 full
                     ? "Time all non-idle tasks of the group stalled on the resource at once "
                       "(RESOURCE.pressure)."
                     : "Time some tasks of the group stalled on the resource (RESOURCE.pressure).");
        for (const Group& g : groups)
            for (const auto& [r, resource] : kResources) {
                const auto& line = full ? g.g->full[r] : g.g->some[r];
                if (line)
                    e.sample({{"cgroup", g.g->path}, {"name", g.name}, {"resource", resource}},
                             static_cast<double>(line->total_us) / 1e6);
            }
    }
    // io.stat: the kernel's counters, per device.
    auto device = [&](const CgroupIoStat& s) {
        for (const DiskStats& d : m.disks)
            if (d.major == s.major && d.minor == s.minor) return d.name;
        return std::to_string(s.major) + ":" + std::to_string(s.minor);
    };
    struct IoCounter {
        std::string_view name, help;
        std::uint64_t CgroupIoStat::*field;
    };
    static constexpr IoCounter kIo[] = {
        {"vigil_cgroup_io_read_bytes_total",
         "Bytes the group read from the device, its descendants included (io.stat rbytes).",
         &CgroupIoStat::rbytes},
        {"vigil_cgroup_io_written_bytes_total",
         "Bytes the group wrote to the device, its descendants included (io.stat wbytes).",
         &CgroupIoStat::wbytes},
        {"vigil_cgroup_io_reads_total", "Reads the group issued to the device (io.stat rios).",
         &CgroupIoStat::rios},
        {"vigil_cgroup_io_writes_total", "Writes the group issued to the device (io.stat wios).",
         &CgroupIoStat::wios},
    };
    std::vector<std::vector<std::string>> devices(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (groups[i].g->io)
            for (const CgroupIoStat& s : *groups[i].g->io) devices[i].push_back(device(s));
    for (const IoCounter& c : kIo) {
        e.family(c.name, Kind::counter, c.help);
        for (std::size_t i = 0; i < groups.size(); ++i) {
            if (!groups[i].g->io) continue;
            const std::vector<CgroupIoStat>& io = *groups[i].g->io;
            for (std::size_t k = 0; k < io.size(); ++k)
                e.sample({{"cgroup", groups[i].g->path},
                          {"name", groups[i].name},
                          {"device", devices[i][k]}},
                         io[k].*c.field);
        }
    }
    // Groups without io.stat: what their tasks did, summed by vigil (not the kernel's
    // counter: it starts when vigil first saw the group, and misses what a task did in its
    // last interval before it ended).
    each("vigil_cgroup_tasks_read_bytes_total", Kind::counter,
         "Groups without io.stat: bytes their tasks and their descendants' read from storage, "
         "summed by vigil from taskstats since it first saw the group (0 again when vigil "
         "restarts).",
         [](const Group& g) { return g.x->task_read_bytes; });
    each("vigil_cgroup_tasks_written_bytes_total", Kind::counter,
         "Groups without io.stat: bytes their tasks and their descendants' wrote to storage, "
         "summed by vigil from taskstats since it first saw the group (0 again when vigil "
         "restarts).",
         [](const Group& g) { return g.x->task_write_bytes; });
}

void write_processes(Exposition& e, const std::vector<ExportedProcess>& ps) {
    struct Counter {
        std::string_view name, help;
        std::optional<std::uint64_t> ExportedProcess::*field;
    };
    static constexpr Counter kCounters[] = {
        {"vigil_process_read_bytes_total", "Bytes the process caused to be read from storage.",
         &ExportedProcess::read_bytes},
        {"vigil_process_write_bytes_total",
         "Bytes the process caused to be written to storage (cancelled writes included).",
         &ExportedProcess::write_bytes},
        {"vigil_process_cancelled_write_bytes_total",
         "Bytes the process dirtied that were truncated before writeback.",
         &ExportedProcess::cancelled_write_bytes},
        {"vigil_process_read_chars_total", "Bytes passed to read(2) and the like.",
         &ExportedProcess::read_chars},
        {"vigil_process_written_chars_total", "Bytes passed to write(2) and the like.",
         &ExportedProcess::write_chars},
    };
    for (const Counter& c : kCounters) {
        e.family(c.name, Kind::counter, c.help);
        for (const ExportedProcess& p : ps) {
            const std::string pid = std::to_string(p.pid);
            e.sample({{"pid", pid}, {"comm", p.comm}, {"user", p.user}, {"cgroup", p.cgroup}},
                     p.*c.field);
        }
    }
    e.family("vigil_process_cpu_seconds_total", Kind::counter,
             "CPU time of the process, its exited threads included.");
    for (const ExportedProcess& p : ps) {
        const std::string pid = std::to_string(p.pid);
        e.sample({{"pid", pid},
                  {"comm", p.comm},
                  {"user", p.user},
                  {"cgroup", p.cgroup},
                  {"mode", "user"}},
                 p.user_s);
        e.sample({{"pid", pid},
                  {"comm", p.comm},
                  {"user", p.user},
                  {"cgroup", p.cgroup},
                  {"mode", "system"}},
                 p.system_s);
    }
}

void write_self(Exposition& e, const ExporterSelf& s, std::size_t processes) {
    e.family("vigil_up", Kind::gauge, "1: vigil is sampling.");
    e.sample({}, std::uint64_t{1});
    e.family("vigil_self_cpu_seconds_total", Kind::counter, "vigil's own CPU time.");
    e.sample({{"mode", "user"}}, s.user_s);
    e.sample({{"mode", "system"}}, s.system_s);
    e.family("vigil_self_resident_bytes", Kind::gauge, "vigil's resident memory.");
    e.sample({}, s.resident_bytes);
    e.family("vigil_samples_total", Kind::counter, "Samples vigil has taken.");
    e.sample({}, s.samples);
    e.family("vigil_scrapes_total", Kind::counter,
             "Scrapes answered before this sample was published.");
    e.sample({}, s.scrapes);
    e.family("vigil_sample_timestamp_seconds", Kind::gauge,
             "When the sample served was taken (Unix time).");
    e.sample({}, s.sample_time_s);
    e.family("vigil_sample_duration_seconds", Kind::gauge, "How long taking the sample took.");
    e.sample({}, s.sample_duration_s);
    e.family("vigil_exported_processes", Kind::gauge,
             "Processes with series in this scrape (--export-top).");
    e.sample({}, static_cast<std::uint64_t>(processes));
}

// The quality of a media range in an Accept header (1 when it has no q), or -1 when the
// header does not name the type.
double quality_of(std::string_view accept, std::string_view type) {
    double best = -1;
    std::size_t at = 0;
    while (at <= accept.size()) {
        std::size_t end = accept.find(',', at);
        if (end == std::string_view::npos) end = accept.size();
        std::string_view range = accept.substr(at, end - at);
        at = end + 1;
        while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
        if (!range.starts_with(type)) continue;
        double q = 1;
        if (std::size_t qp = range.find("q="); qp != std::string_view::npos) {
            const std::string num(range.substr(qp + 2, range.find(';', qp) - (qp + 2)));
            char* stop = nullptr;
            q = std::strtod(num.c_str(), &stop);
            if (stop == num.c_str() || q < 0 || q > 1) q = 0;
        }
        if (q > best) best = q;
    }
    return best;
}

}  // namespace

void write_metrics(const MetricsInput& in, MetricsFormat format, std::string& out) {
    Exposition e(format, out);
    if (in.machine) {
        const MachineSample& m = *in.machine;
        if (m.collected & section_bit(Section::cpu)) write_cpu(e, m, in.clk_tck);
        if (m.collected & section_bit(Section::mem)) write_memory(e, m, in.page_size);
        if (m.collected & section_bit(Section::psi)) write_pressure(e, m);
        if (m.collected & section_bit(Section::disks)) write_disks(e, m);
        if (m.collected & section_bit(Section::fs)) write_filesystems(e, m);
        if (m.collected & section_bit(Section::net)) write_network(e, m);
        if (m.collected & section_bit(Section::sensors)) write_sensors(e, m);
        if (m.collected & section_bit(Section::cgroups)) write_cgroups(e, m, in.cgroups);
    }
    write_processes(e, in.processes);
    write_self(e, in.self, in.processes.size());
    e.finish();
}

std::vector<std::size_t> select_exported_cgroups(const std::vector<CgroupSample>& groups) {
    // "/" and "" (the root): 0; "/a": 1; "/a/b": 2.
    auto depth = [](std::string_view path) -> std::size_t {
        if (path.empty() || path == "/") return 0;
        return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    };
    std::vector<std::pair<std::size_t, std::size_t>> by_depth;  // (depth, index)
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (const std::size_t d = depth(groups[i].path); d <= kExportCgroupDepth)
            by_depth.emplace_back(d, i);
    if (by_depth.size() > kExportCgroupMax) {
        std::stable_sort(by_depth.begin(), by_depth.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        by_depth.resize(kExportCgroupMax);
    }
    std::vector<std::size_t> out;
    out.reserve(by_depth.size());
    for (const auto& [d, i] : by_depth) out.push_back(i);
    std::sort(out.begin(), out.end());
    return out;
}

const char* metrics_content_type(MetricsFormat format) {
    return format == MetricsFormat::openmetrics
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

MetricsFormat negotiate_metrics_format(std::string_view accept) {
    const double om = quality_of(accept, "application/openmetrics-text");
    if (om <= 0) return MetricsFormat::prometheus;
    const double text = std::max(quality_of(accept, "text/plain"), quality_of(accept, "*/*"));
    return om >= text ? MetricsFormat::openmetrics : MetricsFormat::prometheus;
}

}  // namespace vigil
