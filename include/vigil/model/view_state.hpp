// ViewState: what the user asked to see. Keys and options change it; rendering reads it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/core/format.hpp"
#include "vigil/core/text.hpp"
#include "vigil/model/text_filter.hpp"

namespace vigil {

// Every task column, in registry order (columns.cpp). iotop's eight come first.
enum class ColumnId : std::uint8_t {
    id,
    prio,
    user,
    disk_read,
    disk_write,
    swapin,
    io,
    command,
    cpu,             // CPU% (of one CPU, as top: a process can pass 100)
    user_cpu,        // its user-mode part
    system_cpu,      // its kernel part
    cpu_delay,       // % of the interval runnable but waiting for a CPU
    cpu_time,        // TIME+: CPU time used so far
    state,           // R S D Z T t I X
    nice,            // NI
    threads,         // THR
    ppid,            // PPID
    start,           // START: when the task started
    read_chars,      // read(2) and the like, bytes per second, storage or not
    write_chars,     // write(2) and the like
    read_syscalls,   // read calls per second
    write_syscalls,  // write calls per second
    ctx_switches,    // context switches per second (voluntary and involuntary)
    major_faults,    // page faults that read from storage, per second
    priority,        // PRI: top's PR (20 + nice; below 0 real-time, "rt" at the top)
    rss,             // RES: resident memory of the process
    virt,            // VIRT: its address space
    shared,          // SHR: its resident file-backed and shared memory
    mem,             // MEM%: RES of MemTotal
    swap,            // SWAP: its memory swapped out
    cgroup,          // CGROUP: the process's cgroup v2 path (from the sample's cgroup walk)
};
inline constexpr std::size_t kColumnCount = 31;

// A task of the tree whose subtree is collapsed into its row (the view's x): its id (tid, or
// pid with -P) and its start time, so that a reused PID is not collapsed.
struct TreeNode {
    pid_t id = 0;
    std::uint64_t start_ticks = 0;
    bool operator==(const TreeNode&) const = default;
};

struct ViewState {
    bool processes = false;              // -P: one row per process (sum of its threads)
    bool only_active = false;            // -o: only rows that did I/O
    bool hide_kernel_threads = false;    // --hide-kernel-threads, K: not kthreadd's
    bool accumulated = false;            // -a: amounts since vigil started instead of rates
    ByteUnits units = ByteUnits::human;  // -k: always KiB
    std::vector<pid_t> pids;             // -p: keep tasks whose tid or pid is listed (empty: all)
    std::vector<uid_t> uids;             // -u: keep tasks of these users (empty: all)
    ColumnId sort = ColumnId::io;
    // The columns shown, in order (--columns, the column chooser); empty: iotop's eight.
    std::vector<ColumnId> columns;
    bool reverse = false;      // flip the column's default direction
    TextFilter filter;         // '/': over the command line and the user name
    TextFilter cgroup_filter;  // --cgroup, the view's \ key: over the task's cgroup v2 path
    // The view's Enter on a cgroup row: only tasks in this cgroup v2 path or a group below it
    // (cgroup_in_subtree); empty: no such filter.
    std::string cgroup_subtree;
    bool full_command = true;  // 'c': the command line, or only the task's name
    bool utf8 = true;          // the output's locale is UTF-8; else non-ASCII text is escaped
    TextEscape escape = TextEscape::terminal;  // data: CSV/JSON (utf8 is then ignored)
    // --tree, T, F5: children under their parent, each level in the sort order (task_tree).
    bool tree = false;
    std::vector<TreeNode> collapsed;  // x: nodes shown collapsed, with their subtree's sums
};

}  // namespace vigil
