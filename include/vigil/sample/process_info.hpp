// ProcessInfo: everything the inspector knows about ONE process (vigil --inspect PID, and the
// view's inspector pane), read once by inspect_process() (collect/process_inspector.hpp).
// Plain data: the batch writers (ui/batch/inspect_writer.hpp) and a view pane format it;
// nothing here reads /proc.
//
// Every section carries a SectionStatus: what could not be read and why (permission, the
// process gone, a file this kernel lacks), so a front end never shows an empty box. Text is
// raw bytes from the kernel or the process; it is escaped where it is formatted.
//
// Every struct compares member by member (==): the view's pane lays a section out again only
// when its data changed since the last read.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// Why something of a process could not be read.
enum class ReadFailure : std::uint8_t {
    denied,       // EACCES, EPERM: not this user's to read (root can)
    gone,         // the process exited while it was read
    unsupported,  // the file is not there: a kernel without it, or a kernel thread
    failed,       // any other error (detail says which)
};
std::string_view read_failure_name(ReadFailure f);  // "denied", "gone", ...

struct ReadProblem {
    std::string item;  // what was not read: "environ", "fd", "smaps_rollup", "exe", ...
    ReadFailure why = ReadFailure::failed;
    std::string detail;  // one line: "permission denied", "not provided by this kernel", ...
    bool operator==(const ReadProblem&) const = default;
};

// How a section was read: ok (everything), partial (some items missing) or unavailable
// (nothing could be read); problems say what and why.
struct SectionStatus {
    std::vector<ReadProblem> problems;
    bool any_read = false;  // something of the section was read
    enum class State : std::uint8_t { ok, partial, unavailable };
    State state() const {
        if (problems.empty()) return State::ok;
        return any_read ? State::partial : State::unavailable;
    }
    bool operator==(const SectionStatus&) const = default;
};
std::string_view section_state_name(SectionStatus::State s);  // "ok", "partial", "unavailable"

struct ChainEntry {
    pid_t pid = 0;
    std::string name;  // comm; empty when it could not be read
    bool operator==(const ChainEntry&) const = default;
};

// Real, effective, saved set and file system ids (the order of /proc/PID/status).
struct IdSet {
    std::array<std::uint32_t, 4> ids{};
    std::array<std::string, 4> names;  // user or group names; the id in decimal when unknown
    bool operator==(const IdSet&) const = default;
};

struct Namespace {
    std::string type;  // "net", "pid", "mnt", ...
    std::string id;    // the link's target: "net:[4026531840]"
    // Whether it differs from PID 1's; nullopt when PID 1's cannot be read.
    std::optional<bool> differs_from_init;
    bool operator==(const Namespace&) const = default;
};

struct IdentityInfo {
    SectionStatus status;
    pid_t pid = 0;
    std::string name;                    // comm
    std::vector<ChainEntry> ppid_chain;  // parent first, up to PID 1 (or the last readable)
    std::optional<IdSet> uids, gids;
    std::optional<std::string> cmdline;  // NULs as spaces; empty: none (kernel thread, zombie)
    std::uint64_t cmdline_unread = 0;    // bytes of it not read (past kCommandMaxBytes)
    std::optional<std::string> exe, cwd, root;
    std::optional<double> start_since_boot_s;  // start time, seconds after boot
    std::optional<std::int64_t> start_wall_s;  // start time, seconds since the epoch
    std::optional<double> age_s;               // how long it has run
    std::optional<std::string> tty;            // "pts/3", "tty1", "136:3"; "" = none
    std::optional<pid_t> session, pgrp;
    std::vector<std::string> cgroups;   // lines of /proc/PID/cgroup ("0::/user.slice/...")
    std::vector<Namespace> namespaces;  // every namespace of the process
    bool operator==(const IdentityInfo&) const = default;
};

struct CpuInfo {
    SectionStatus status;
    char state = '?';
    std::optional<std::string> wchan;  // "" = running or none
    std::optional<double> user_s, system_s, children_user_s, children_system_s;
    std::optional<std::uint64_t> voluntary_switches, involuntary_switches;
    std::optional<std::string> cpus_allowed;  // Cpus_allowed_list: "0-3,8"
    std::optional<int> last_cpu;
    std::optional<std::string> policy;  // "normal", "fifo", "rr", "batch", "idle", "deadline"
    std::optional<int> nice, rt_priority;
    std::optional<std::string> ioprio;  // "be/4", "rt/0", "idle"
    std::optional<std::uint64_t> threads;
    std::vector<std::string> kernel_stack;  // /proc/PID/stack lines (root only)
    bool operator==(const CpuInfo&) const = default;
};

struct Mapping {
    std::string range;  // "7f12a000-7f12c000"
    std::string perms;  // "rw-p"
    std::string path;   // file, "[heap]", "[stack]", "" for anonymous
    std::uint64_t size_bytes = 0, rss_bytes = 0;
    std::optional<std::uint64_t> pss_bytes, swap_bytes;
    bool operator==(const Mapping&) const = default;
};

struct MemoryInfo {
    SectionStatus status;
    std::optional<std::uint64_t> virt_bytes, rss_bytes, pss_bytes, uss_bytes, shared_bytes,
        swap_bytes, swap_pss_bytes, anon_bytes, file_bytes, shmem_bytes, peak_rss_bytes,
        locked_bytes, data_bytes;
    std::vector<Mapping> top_mappings;  // by RSS, largest first, at most kInspectMaxMappings
    std::size_t mappings_seen = 0;      // mappings read from smaps
    bool mappings_cut = false;          // smaps was longer than kInspectSmapsBytes
    bool operator==(const MemoryInfo&) const = default;
};

struct IoInfo {
    SectionStatus status;
    std::optional<std::uint64_t> read_bytes, write_bytes, cancelled_write_bytes;
    std::optional<std::uint64_t> rchar, wchar, syscr, syscw;
    std::optional<double> blkio_delay_s;  // delayacct_blkio_ticks of /proc/PID/stat
    bool operator==(const IoInfo&) const = default;
};

struct LimitValue {
    bool unlimited = false;
    std::uint64_t value = 0;  // when not unlimited
    bool operator==(const LimitValue&) const = default;
};

struct Limit {
    std::string name;  // "Max open files"
    std::string id;    // "nofile" (RLIMIT_ name in lower case), "" for an unknown line
    std::optional<LimitValue> soft, hard;
    std::string units;                     // "files", "bytes", "seconds", ""
    std::optional<std::uint64_t> current;  // use now, where known (open fds, VmSize, ...)
    bool operator==(const Limit&) const = default;
};

struct LimitsInfo {
    SectionStatus status;
    std::vector<Limit> limits;
    bool operator==(const LimitsInfo&) const = default;
};

struct SocketInfo {
    std::string protocol;       // "tcp", "tcp6", "udp", "udp6", "unix"
    std::string local, remote;  // "127.0.0.1:8080", "[::1]:53"; unix: the path ("" unnamed)
    std::string state;          // "LISTEN", "ESTABLISHED", ...
    bool operator==(const SocketInfo&) const = default;
};

struct OpenFile {
    int fd = 0;
    std::string target;  // the link as readlink gives it
    // "file", "pipe", "socket", "anon_inode", "memfd", "device", "other"
    std::string type;
    std::optional<std::uint64_t> inode;  // pipe: and socket: targets
    std::optional<SocketInfo> socket;    // a socket found in the namespace's tables
    bool operator==(const OpenFile&) const = default;
};

struct FilesInfo {
    SectionStatus status;
    std::vector<OpenFile> fds;         // by fd number, at most kInspectMaxFds
    std::optional<std::size_t> count;  // fds open (all of them, also past the cap)
    bool operator==(const FilesInfo&) const = default;
};

struct EnvironmentInfo {
    SectionStatus status;
    std::vector<std::pair<std::string, std::string>> vars;  // in the order of environ
    bool operator==(const EnvironmentInfo&) const = default;
};

struct ThreadInfo {
    pid_t tid = 0;
    std::string name;
    char state = '?';
    std::optional<double> user_s, system_s;
    std::optional<int> last_cpu;
    bool operator==(const ThreadInfo&) const = default;
};

struct ThreadsInfo {
    SectionStatus status;
    std::vector<ThreadInfo> threads;  // by tid, at most kInspectMaxThreads
    std::size_t count = 0;            // threads listed (also past the cap)
    bool operator==(const ThreadsInfo&) const = default;
};

// Bounds of what one inspection reads and holds.
inline constexpr std::size_t kInspectMaxMappings = 10;
inline constexpr std::size_t kInspectSmapsBytes = std::size_t{2} << 20;
inline constexpr std::size_t kInspectMaxFds = 4096;
inline constexpr std::size_t kInspectMaxThreads = 4096;
inline constexpr std::size_t kInspectMaxStackLines = 64;

struct ProcessInfo {
    IdentityInfo identity;
    CpuInfo cpu;
    MemoryInfo memory;
    IoInfo io;
    LimitsInfo limits;
    FilesInfo files;
    EnvironmentInfo environment;
    ThreadsInfo threads;
    bool operator==(const ProcessInfo&) const = default;
};

}  // namespace vigil
