#include "vigil/sample/fs_types.hpp"

#include <algorithm>
#include <array>

namespace vigil {
namespace {

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& names, std::string_view type) {
    return std::find(names.begin(), names.end(), type) != names.end();
}

// Types that never hold user files. df hides many of these by showing only file systems
// with blocks; this list also covers the ones that report blocks anyway (cgroup2, bpf).
constexpr std::array<std::string_view, 24> kPseudo{
    "proc",     "sysfs",     "devpts", "cgroup",      "cgroup2",    "securityfs",
    "debugfs",  "tracefs",   "pstore", "bpf",         "mqueue",     "hugetlbfs",
    "configfs", "fusectl",   "autofs", "binfmt_misc", "rpc_pipefs", "nsfs",
    "efivarfs", "selinuxfs", "nfsd",   "devfs",       "usbfs",      "ignore"};

constexpr std::array<std::string_view, 3> kMemory{"tmpfs", "devtmpfs", "ramfs"};

constexpr std::array<std::string_view, 16> kRemote{
    "nfs",  "nfs4",      "cifs",   "smb3", "smbfs", "ncpfs", "9p",     "afs",
    "ceph", "glusterfs", "lustre", "gpfs", "davfs", "coda",  "vboxsf", "virtiofs"};

}  // namespace

bool is_pseudo_fs(std::string_view type) {
    return listed(kPseudo, type);
}

bool is_memory_fs(std::string_view type) {
    return listed(kMemory, type);
}

bool is_remote_fs(std::string_view type) {
    // "fuse", "fuseblk" and "fuse.NAME": the answer comes from a user-space daemon, which
    // can be stopped or wedged. fusectl is the FUSE control file system, answered by the
    // kernel.
    if (type.substr(0, 4) == "fuse" && type != "fusectl") return true;
    return listed(kRemote, type);
}

}  // namespace vigil
