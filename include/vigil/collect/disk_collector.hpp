// DiskCollector: /proc/diskstats, with each device marked whole disk or partition from the
// sys tree (a whole disk has sys/block/NAME; a partition is sys/block/DISK/NAME).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/notes.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

class DiskCollector {
  public:
    DiskCollector(const FsRoot& proc, const FsRoot& sys) : proc_(proc), sys_(sys) {}

    // Replaces out with the devices present now; malformed lines of diskstats are skipped
    // and recorded in notes. No diskstats (the file cannot be read) leaves out empty.
    void collect(std::vector<DiskStats>& out, ParseNotes& notes);

  private:
    // Re-reads the sys tree only when the set of device names changes (hot-plug), since
    // that costs a directory listing per disk.
    void refresh_topology(const std::vector<DiskStats>& devs);

    const FsRoot& proc_;
    const FsRoot& sys_;
    std::string buf_;
    std::string names_key_;   // the device names the topology below was built for
    bool sys_known_ = false;  // whether sys/block could be listed at all
    std::unordered_map<std::string, std::string> parent_;  // partition -> disk
    std::unordered_map<std::string, bool> whole_;          // whole disks, by diskstats name
};

// The sys/block directory name of a diskstats name ("cciss/c0d0" is "cciss!c0d0").
std::string sysfs_block_name(std::string_view diskstats_name);

}  // namespace vigil
