// CgroupCollector: the cgroup v2 hierarchy, walked through the sys root (--sys-root), so a
// fixture tree stands for /sys. The hierarchy is sys/fs/cgroup when that is a cgroup2 mount
// (it has cgroup.controllers), else sys/fs/cgroup/unified (the v2 part of a hybrid
// machine). Per group: cpu.stat, memory.current/stat/max/events, io.stat, the three
// pressure files, cgroup.procs, the directory's inode; and where a v1 memory or cpuacct
// hierarchy is mounted, memory.usage_in_bytes and cpuacct.usage of the same relative path.
//
// Cost: each group's directory and files are kept open between samples (within the open
// file budget, a quarter of kept_fd_budget()), so a sample costs an fstat() per group (a
// leaf, link count 2, is not listed; others get lseek() and getdents64()) and a pread() per
// file it has; past the budget files are opened and closed per read. A file the group
// lacks is looked for again only every 10 samples. At most max_groups groups are walked
// (a note says so when the bound is hit).
//
// The parsers below are pure (text in, values out) and tested on inline text.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/collect/fs_root.hpp"
#include "vigil/collect/notes.hpp"
#include "vigil/sample/cgroup.hpp"
#include "vigil/sample/machine.hpp"

namespace vigil {

inline constexpr std::size_t kDefaultMaxCgroups = 10000;

class CgroupCollector {
  public:
    explicit CgroupCollector(const FsRoot& sys, std::size_t max_groups = kDefaultMaxCgroups);
    ~CgroupCollector();
    CgroupCollector(const CgroupCollector&) = delete;
    CgroupCollector& operator=(const CgroupCollector&) = delete;

    // Replaces out.cgroups (and out.cgroup_root) with the hierarchy now; what could not be
    // used becomes a note of Section::cgroups.
    void collect(MachineSample& out);

    // How many descriptors are kept open now (for tests and figures).
    std::size_t kept_fds() const;

    struct Group;  // a walked group's kept descriptors (private to the .cpp)

  private:
    bool find_root();
    const FsRoot& sys_;
    std::size_t max_groups_;
    std::string root_rel_;        // "fs/cgroup" or "fs/cgroup/unified"; empty: not found yet
    std::string v1_memory_rel_;   // "fs/cgroup/memory", or empty
    std::string v1_cpuacct_rel_;  // "fs/cgroup/cpuacct" (or cpu,cpuacct), or empty
    std::unique_ptr<Group> root_;
    std::uint64_t samples_ = 0;
    std::string buf_;
    std::vector<std::byte> dents_;
};

// cpu.stat into s (usage_usec, user_usec, system_usec, nr_throttled, throttled_usec).
void parse_cgroup_cpu_stat(std::string_view text, CgroupSample& s);
// The value of KEY in a flat keyed file ("KEY VALUE" lines: memory.stat, memory.events).
std::optional<std::uint64_t> keyed_u64(std::string_view text, std::string_view key);
// A file holding one number, or "max" (UINT64_MAX) when max_ok.
std::optional<std::uint64_t> parse_cgroup_u64(std::string_view text, bool max_ok = false);
// io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device; keys it
// does not know are skipped, a malformed line is skipped and noted.
std::vector<CgroupIoStat> parse_cgroup_io_stat(std::string_view text, ParseNotes& notes);
// A PRESSURE file's "some" and "full" lines (avg10 and total).
void parse_cgroup_pressure(std::string_view text, std::optional<CgroupPressureLine>& some,
                           std::optional<CgroupPressureLine>& full);
// cgroup.procs: one thread group id a line. Malformed lines are skipped.
void parse_cgroup_procs(std::string_view text, std::vector<pid_t>& out);

}  // namespace vigil
