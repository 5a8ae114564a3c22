// CgroupCollector: the cgroup v2 hierarchy, walked through the sys root (--sys-root), so a
// fixture tree stands for /sys. The hierarchy is sys/fs/cgroup when that is a cgroup2 mount
// (it has cgroup.controllers), else sys/fs/cgroup/unified (the v2 part of a hybrid
// machine). Per group: cpu.stat, memory.current/stat/max/events, io.stat, the three
// pressure files, cgroup.procs, the directory's inode; and where a v1 memory or cpuacct
// hierarchy is mounted, memory.usage_in_bytes and cpuacct.usage of the same relative path.
//
// Cost: each group's directory and files are kept open between samples (within the open
// file budget, a quarter of kept_fd_budget(); the files read every sample first), so a
// sample costs an fstat() per group (a leaf, link count 2, is not listed; others get
// lseek() and getdents64()) and a pread() per file read; past the budget files are opened
// and closed per read. A file the group lacks is looked for again only on its turn (one
// sample in 10, groups spread over the samples). At most max_groups groups are walked (a
// note says so when the bound is hit).
//
// Carrying over. cpu.stat, memory.current, io.stat and the v1 files are read every sample.
// When none of them moved since the group's last sample, nothing in the group ran (CPU time
// is hierarchical: a task of a child counts too) and it was settled (its last two whole
// reads were equal) and none of its pressure averages is decaying (all 0), its other files
// (memory.stat, memory.max, memory.events, the pressure files, cgroup.procs) are as they
// were, and are carried over from its last sample instead of read: a process forks and
// exits by running, a stall begins with a task that ran, memory is charged by a task that
// ran. Each group is still read whole on its turn, one sample in 10, which bounds
// what a write by someone else (memory.max, a sleeping process moved into another group)
// takes to be seen. A process listed by a group read now is dropped from a list carried over
// (it moved while it slept). On by default for the kernel's tree only (set_carry_over).
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

#include "vigil/collect/container_names.hpp"
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
    // How many groups the last sample carried over (for tests and figures).
    std::size_t carried_groups() const { return carried_groups_; }

    // Whether a group in which nothing moved may be carried over (above). On by default for
    // the kernel's own tree only: a fixture tree's counters need not add up as the kernel's
    // do. Tests turn it on.
    void set_carry_over(bool on) { carry_ = on; }

    struct Group;  // a walked group's kept descriptors (private to the .cpp)

  private:
    bool find_root();
    void drop_moved_processes(MachineSample& out);
    const FsRoot& sys_;
    std::size_t max_groups_;
    bool carry_;
    std::vector<std::uint32_t> carried_;  // indices in the last sample's groups
    std::size_t carried_groups_ = 0;
    std::size_t last_groups_ = 0;
    std::vector<pid_t> fresh_;
    std::unique_ptr<ContainerNames> names_;  // null: sys root not named sys
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
