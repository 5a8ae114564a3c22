// Pure parsers of the /proc files the process inspector reads (process_inspector.hpp): they
// take text, never a path, so tests feed them inline strings and fixture files. Errors follow
// notes.hpp: Result for a file that cannot be used, ParseNotes for a table line skipped.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/collect/notes.hpp"
#include "vigil/core/result.hpp"
#include "vigil/sample/process_info.hpp"

namespace vigil {

// Every field of /proc/PID/stat the inspector shows (proc(5) numbers them from 1).
struct FullStat {
    pid_t pid = 0;
    std::string comm;
    char state = '?';
    pid_t ppid = 0, pgrp = 0, session = 0;
    std::int64_t tty_nr = 0;
    std::uint64_t utime = 0, stime = 0;  // clock ticks
    std::int64_t cutime = 0, cstime = 0;
    int nice = 0;
    std::uint64_t num_threads = 0;
    std::uint64_t start_ticks = 0;
    std::uint64_t vsize = 0;  // bytes
    std::optional<int> processor;
    std::optional<std::uint64_t> rt_priority, policy;
    std::optional<std::uint64_t> blkio_ticks;  // delayacct_blkio_ticks (field 42)
};
Result<FullStat> parse_full_stat(std::string_view text);

// The /proc/PID/status lines the inspector shows.
struct StatusInfo {
    std::optional<std::array<std::uint32_t, 4>> uid, gid;
    // kB lines, in bytes: VmSize, VmRSS, RssAnon, RssFile, RssShmem, VmSwap, VmHWM, VmLck,
    // VmData.
    std::optional<std::uint64_t> vm_size, vm_rss, rss_anon, rss_file, rss_shmem, vm_swap, vm_hwm,
        vm_lck, vm_data;
    std::optional<std::uint64_t> voluntary_switches, involuntary_switches;
    std::optional<std::string> cpus_allowed_list;
    std::optional<std::uint64_t> sigq_pending;  // SigQ: queued/limit
};
StatusInfo parse_status(std::string_view text);

// /proc/PID/smaps_rollup, in bytes. An error when it has no Rss line.
struct SmapsRollup {
    std::uint64_t rss = 0;
    std::optional<std::uint64_t> pss, shared_clean, shared_dirty, private_clean, private_dirty,
        swap, swap_pss;
};
Result<SmapsRollup> parse_smaps_rollup(std::string_view text);

// The `keep` mappings of /proc/PID/smaps with the most Rss, largest first (ties by address).
// complete = false: text is only the start of the file, and its last mapping, which may be
// cut, is left out. seen counts the mappings parsed.
std::vector<Mapping> parse_smaps_top(std::string_view text, std::size_t keep, bool complete,
                                     std::size_t& seen);

// /proc/PID/limits: one Limit per line but the header (current stays unset). An error when
// it has no header.
Result<std::vector<Limit>> parse_limits(std::string_view text);

// The sockets of a /proc/net table by inode. parse_inet_table: tcp, tcp6, udp, udp6
// (protocol names the table; addresses as "127.0.0.1:80" and "[::1]:53"); parse_unix_table:
// unix. A malformed line is skipped and noted.
void parse_inet_table(std::string_view text, std::string_view protocol,
                      std::unordered_map<std::uint64_t, SocketInfo>& out, ParseNotes& notes);
void parse_unix_table(std::string_view text, std::unordered_map<std::uint64_t, SocketInfo>& out,
                      ParseNotes& notes);

// An fd's link target, classified: "socket:[123]" is a socket with inode 123, "pipe:[5]" a
// pipe, "anon_inode:[eventfd]" an anon_inode, "/memfd:x (deleted)" a memfd, "/dev/..." a
// device, another absolute path a file.
OpenFile classify_fd(int fd, std::string target);

// /proc/PID/environ: NUL-separated NAME=VALUE strings (an entry without '=' is a name with
// an empty value).
std::vector<std::pair<std::string, std::string>> parse_environ(std::string_view raw);

// The terminal of stat's tty_nr: "pts/3", "tty1", "ttyS0", else "MAJOR:MINOR"; "" for none.
std::string tty_name(std::int64_t tty_nr);

// sched_setscheduler(2) policy names: "normal", "fifo", "rr", "batch", "idle", "deadline".
std::string sched_policy_name(std::uint64_t policy);

}  // namespace vigil
