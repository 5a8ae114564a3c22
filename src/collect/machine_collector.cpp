#include "vigil/collect/machine_collector.hpp"

#include "parse_util.hpp"
#include "vigil/collect/machine_parsers.hpp"
#include "vigil/core/clock.hpp"

namespace vigil {
namespace {

// A name from a kernel table used as a path component: it must not climb out of its
// directory (the kernel forbids '/' in interface names; a damaged or fake file might not).
bool safe_component(std::string_view name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find('/') == std::string_view::npos && name.size() < 64;
}

// The lines a table parser skipped, as a note of the section that read the table.
void add_note(MachineSample& out, Section section, const ParseNotes& notes) {
    if (notes.note()) out.notes.push_back({section, *notes.note()});
}

}  // namespace

MachineCollector::MachineCollector(const Roots& roots, SectionMask sections, bool live,
                                   const Clock& clock)
    : MachineCollector(roots, sections,
                       live ? std::unique_ptr<FsUsageSource>(std::make_unique<LiveStatvfs>())
                            : std::make_unique<FixtureFsUsage>(roots.proc),
                       clock) {}

MachineCollector::MachineCollector(const Roots& roots, SectionMask sections,
                                   std::unique_ptr<FsUsageSource> usage, const Clock& clock)
    : roots_(roots),
      clock_(clock),
      sections_(sections),
      disks_(roots.proc, roots.sys),
      sensors_(roots.sys),
      cgroups_(roots.sys),
      usage_(std::move(usage)) {}

void MachineCollector::collect(MachineSample& out) {
    out.collected = sections_;
    out.notes.clear();
    out.steady_s = clock_.steady_s();
    // Counters that become rates first, close to the time stamp; then the slower parts.
    collect_cpu(out);
    collect_mem(out);
    collect_psi(out);

    out.disks.clear();
    if (has_section(sections_, Section::disks)) {
        ParseNotes notes;
        disks_.collect(out.disks, notes);
        add_note(out, Section::disks, notes);
    }
    collect_net(out);
    collect_fs(out);

    out.sensors = {};
    if (has_section(sections_, Section::sensors)) sensors_.collect(out.sensors);

    out.cgroups.clear();
    out.cgroup_root.clear();
    if (has_section(sections_, Section::cgroups)) cgroups_.collect(out);
}

void MachineCollector::collect_cpu(MachineSample& out) {
    out.cpu = {};
    out.load.reset();
    out.uptime_s.reset();
    if (!has_section(sections_, Section::cpu)) return;
    if (roots_.proc.read_into("stat", buf_)) {
        ParseNotes notes;
        out.cpu = parse_proc_stat(buf_, notes);
        add_note(out, Section::cpu, notes);
    }
    if (roots_.proc.read_into("loadavg", buf_)) {
        auto l = parse_loadavg(buf_);
        if (l)
            out.load = *l;
        else
            out.notes.push_back({Section::cpu, l.error().message});
    }
    if (roots_.proc.read_into("uptime", buf_)) {
        auto u = parse_uptime(buf_);
        if (u)
            out.uptime_s = *u;
        else
            out.notes.push_back({Section::cpu, u.error().message});
    }
}

void MachineCollector::collect_mem(MachineSample& out) {
    out.mem = {};
    out.vm = {};
    out.min_free_kib.reset();
    if (!has_section(sections_, Section::mem)) return;
    if (roots_.proc.read_into("meminfo", buf_)) out.mem = parse_meminfo(buf_);
    if (roots_.proc.read_into("vmstat", buf_)) out.vm = parse_vmstat_counters(buf_);
    // Kernels before 3.14 lack MemAvailable; the estimate then needs the low watermark.
    if (!out.mem.available_kib && roots_.proc.read_into("sys/vm/min_free_kbytes", buf_)) {
        std::uint64_t v = 0;
        if (parse_u64(parse::trim(buf_), v)) out.min_free_kib = v;
    }
}

void MachineCollector::collect_psi(MachineSample& out) {
    out.pressure.clear();
    if (!has_section(sections_, Section::psi)) return;
    // Absent without CONFIG_PSI; present but unreadable (EOPNOTSUPP) when booted with psi=0.
    for (std::string_view res : {"cpu", "io", "memory", "irq"}) {
        std::string rel = "pressure/" + std::string(res);
        if (!roots_.proc.read_into(rel, buf_)) continue;
        ParseNotes notes;
        auto p = parse_pressure(res, buf_, notes);
        if (p) {
            out.pressure.push_back(std::move(*p));
            add_note(out, Section::psi, notes);
        } else {
            // The error names the file and quotes it: a note on a line of it would repeat it.
            out.notes.push_back({Section::psi, p.error().message});
        }
    }
}

void MachineCollector::collect_net(MachineSample& out) {
    out.net.clear();
    if (!has_section(sections_, Section::net)) return;
    if (!roots_.proc.read_into("net/dev", buf_)) return;
    ParseNotes notes;
    out.net = parse_net_dev(buf_, notes);
    add_note(out, Section::net, notes);
    for (NetDevStats& n : out.net) {
        if (!safe_component(n.name)) continue;
        std::string base = "class/net/" + n.name;
        if (roots_.sys.read_into(base + "/operstate", buf_))
            n.operstate = std::string(parse::trim(buf_));
        // Virtual links and links that are down fail with EINVAL or say -1: unknown.
        std::uint64_t speed = 0;
        if (roots_.sys.read_into(base + "/speed", buf_) && parse_u64(parse::trim(buf_), speed) &&
            speed > 0 && speed < 0xFFFFFFFFu)
            n.speed_mbps = speed;
    }
}

void MachineCollector::collect_fs(MachineSample& out) {
    out.filesystems.clear();
    if (!has_section(sections_, Section::fs)) return;
    if (!roots_.proc.read_into("self/mountinfo", buf_)) return;
    ParseNotes notes;
    for (MountEntry& m : parse_mountinfo(buf_, notes)) {
        FilesystemSample f;
        f.mount = std::move(m);
        out.filesystems.push_back(std::move(f));
    }
    add_note(out, Section::fs, notes);
    usage_->fill(out.filesystems);
}

}  // namespace vigil
