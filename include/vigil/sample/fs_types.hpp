// What a file system type says about a mount: whether it holds files on storage, lives in
// memory, or is reached over the network. Used to pick the default rows of the fs section
// and to keep a hung network mount from blocking a sample.
#pragma once

#include <string_view>

namespace vigil {

// Kernel interfaces and bookkeeping mounts with nothing a user stores files in: proc,
// sysfs, cgroup, cgroup2, devpts, debugfs, tracefs, securityfs, ... (see the .cpp for the
// list). Hidden by default.
bool is_pseudo_fs(std::string_view type);

// File systems whose blocks are RAM (tmpfs, devtmpfs, ramfs): the mem section covers them.
// Hidden by default, like `df -x tmpfs -x devtmpfs`.
bool is_memory_fs(std::string_view type);

// File systems whose statfs(2) may wait on a server or a user-space daemon for ever (nfs,
// cifs, sshfs and every other FUSE file system, ...).
bool is_remote_fs(std::string_view type);

}  // namespace vigil
