// Pure parsers of /proc text. They take the text, never a path, so tests feed them inline
// strings; errors (Result, as notes.hpp says) name the file and the offending line or field,
// the line shortened and escaped.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/core/parse.hpp"
#include "vigil/core/result.hpp"

namespace vigil {

// /proc/PID/task/TID/stat. comm may hold spaces, ')' and newlines: it ends at the LAST ')'.
struct PidStat {
    pid_t pid = 0;
    std::string comm;
    char state = '?';
    pid_t ppid = 0;
    int nice = 0;
    std::uint64_t start_ticks = 0;
    std::uint64_t minflt = 0, majflt = 0;  // page faults
    std::uint64_t utime = 0, stime = 0;    // CPU time, clock ticks
    // Field 18 (top's PR): 20 + nice for normal tasks, -2 to -100 for real-time ones (-1
    // less the real-time priority), -101 for deadline ones. Unknown when out of that range.
    std::optional<int> priority;
};
Result<PidStat> parse_pid_stat(std::string_view text);
// Same, into a reused struct (no allocation once comm has capacity). False on bad input.
bool parse_pid_stat_into(std::string_view text, PidStat& out);
// Only the state letter of a stat line (the field after the last ')'); '?' on bad input.
char parse_stat_state(std::string_view text);

// /proc/PID/io (only the fields vigil uses).
struct PidIo {
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;
    std::uint64_t cancelled_write_bytes = 0;
    // read(2)/write(2) bytes and calls; absent when the file lacks them.
    std::optional<std::uint64_t> rchar, wchar, syscr, syscw;
};
Result<PidIo> parse_pid_io(std::string_view text);

// Real uid from the "Uid:" line of /proc/PID/status.
Result<uid_t> parse_status_uid(std::string_view text);

// VmSwap of /proc/PID/status in KiB; 0 for a status without the Vm lines (a task with no
// address space: a kernel thread, a zombie); nullopt when the text is not a status file
// (no Pid line) or the VmSwap line is malformed.
std::optional<std::uint64_t> parse_status_swap_kib(std::string_view text);

// The cgroup v2 path of /proc/PID/cgroup (its "0::PATH" line); empty when there is none
// (a cgroup v1 only machine).
std::string_view parse_cgroup_v2_path(std::string_view text);

// /proc/swaps: whether any swap area has a slot in use (Used, the fourth column, above 0).
// No slot in use means no process has anything swapped out: every VmSwap is 0. nullopt
// when the text is not a swaps table (no header, a line without a number for Used).
std::optional<bool> parse_swaps_in_use(std::string_view text);

// /proc/PID/statm: size, resident and shared, in pages (the fields top reads). nullopt on
// a malformed line.
struct Statm {
    std::uint64_t size_pages = 0;
    std::uint64_t resident_pages = 0;
    std::uint64_t shared_pages = 0;
};
std::optional<Statm> parse_statm(std::string_view text);

// pgpgin / pgpgout of /proc/vmstat (KiB).
struct VmstatIo {
    std::uint64_t pgpgin_kib = 0;
    std::uint64_t pgpgout_kib = 0;
};
Result<VmstatIo> parse_vmstat_io(std::string_view text);

// /proc/PID/cmdline: NUL-separated arguments; NULs become spaces, a trailing NUL is
// dropped. Bytes stay raw (escape them for display with escape_for_terminal).
std::string parse_cmdline(std::string_view raw);

// A command line read only in part (its first `raw` bytes of `length`, the last byte of
// all `last`): text has the NULs of raw as spaces, trailing ones too (more follows), and
// unread counts the bytes not read, less the final NUL that parse_cmdline would drop. Read
// whole (length == raw.size()), it is parse_cmdline(raw) with nothing unread.
struct CmdlineText {
    std::string text;
    std::uint64_t unread = 0;
};
CmdlineText parse_cmdline_prefix(std::string_view raw, std::uint64_t length, char last);

}  // namespace vigil
