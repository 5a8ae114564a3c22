// MachineCollector: fills the machine part of a Snapshot, only for the sections asked for.
// What it could not use (a file that did not parse, lines a table parser skipped; see
// notes.hpp) becomes a MachineNote of the section; what the kernel does not have is absent.
#pragma once

#include <memory>
#include <string>

#include "vigil/collect/cgroup_collector.hpp"
#include "vigil/collect/disk_collector.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/fs_usage.hpp"
#include "vigil/collect/sensor_collector.hpp"
#include "vigil/core/clock.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

class MachineCollector {
  public:
    // live: the roots are the running kernel's, so file system sizes come from statvfs(2)
    // (LiveStatvfs); otherwise from the fixture tree (FixtureFsUsage).
    // clock: stamps each machine sample (MachineSample::steady_s).
    MachineCollector(const Roots& roots, SectionMask sections, bool live,
                     const Clock& clock = system_clock());
    MachineCollector(const Roots& roots, SectionMask sections, std::unique_ptr<FsUsageSource> usage,
                     const Clock& clock = system_clock());

    // Replaces out with the machine's state now. Sections not asked for are left empty.
    void collect(MachineSample& out);
    SectionMask sections() const { return sections_; }
    // What later collect() calls read (the full-screen view: only what it shows).
    void set_sections(SectionMask sections) { sections_ = sections; }

  private:
    void collect_cpu(MachineSample& out);
    void collect_mem(MachineSample& out);
    void collect_psi(MachineSample& out);
    void collect_net(MachineSample& out);
    void collect_fs(MachineSample& out);

    const Roots& roots_;
    const Clock& clock_;
    SectionMask sections_;
    DiskCollector disks_;
    SensorCollector sensors_;
    CgroupCollector cgroups_;
    std::unique_ptr<FsUsageSource> usage_;
    std::string buf_;
};

}  // namespace vigil
