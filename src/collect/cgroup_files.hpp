// The files and directories of the cgroup walk (CgroupCollector, cgroup_collector.cpp): which
// files a group has, which are read every sample, and the reads themselves (a kept
// descriptor read from offset 0, a kept directory listed again). Private to src/collect.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vigil/core/unique_fd.hpp"

namespace vigil::cgroup_walk {

enum File : std::uint8_t {
    f_cpu_stat,
    f_mem_current,
    f_mem_stat,
    f_mem_max,
    f_mem_events,
    f_io_stat,
    f_cpu_pressure,
    f_io_pressure,
    f_mem_pressure,
    f_procs,
    kFiles
};
inline constexpr std::array<const char*, kFiles> kFileNames{
    "cpu.stat", "memory.current", "memory.stat", "memory.max",      "memory.events",
    "io.stat",  "cpu.pressure",   "io.pressure", "memory.pressure", "cgroup.procs"};

// Files read every sample (the signals that say whether the rest can be carried over) and
// those read only when something moved. A cold file is kept open only while the budget
// leaves room for every group's directory and cpu.stat besides (cold_limit), so that at
// thousands of groups the descriptors go to what is read every sample.
constexpr bool is_hot(File f) {
    return f == f_cpu_stat || f == f_mem_current || f == f_io_stat;
}

// Opens name under dir for reading: O_NOFOLLOW, and outside the kernel's trees only a
// regular file (opened through an O_PATH descriptor, so what is read is what was checked).
UniqueFd open_in(int dir, const char* name, bool kernel_files);

// The whole file from offset 0, at most kMaxFileBytes. False on a read error or a longer
// file.
bool pread_all(int fd, std::string& out);

struct Dent {
    std::string name;
    std::uint64_t ino = 0;
};

// The subdirectories of dir, sorted by name.
bool list_subdirs(int dir, std::vector<std::byte>& buf, std::vector<Dent>& out);

}  // namespace vigil::cgroup_walk
