#include "vigil/model/columns.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vigil/core/parse.hpp"

namespace vigil {
namespace {

using A = Align;
using F = CellFormat;
constexpr WidthPolicy kFixed = WidthPolicy::fixed;  // a batch prints the rows in parts

// Every task column, once. Widths are fixed: batch text writes 10 000 rows a few at a
// time, so the widest cell cannot be known before the first line goes out. With -a the
// rate columns give amounts since the start instead (their fields say so).
constexpr std::array<ColumnSpec, kColumnCount> task_registry(bool processes, bool accumulated) {
    const bool acc = accumulated;
    auto id = [](ColumnId c) { return static_cast<std::uint8_t>(c); };
    return {{
        {"id",
         processes ? "PID" : "TID",
         7,
         A::right,
         F::integer,
         false,
         "thread id (process id with -P)",
         processes ? "pid" : "tid",
         1,
         kFixed,
         {},
         id(ColumnId::id)},
        {"prio",
         "PRIO",
         4,
         A::left,
         F::text,
         false,
         "I/O priority class/level",
         "prio",
         1,
         kFixed,
         {},
         id(ColumnId::prio)},
        {"user",
         "USER",
         8,
         A::left,
         F::text,
         false,
         "owner (real user)",
         "user",
         1,
         kFixed,
         {},
         id(ColumnId::user)},
        {"disk_read",
         "DISK READ",
         11,
         A::right,
         acc ? F::bytes : F::byte_rate,
         true,
         "bytes read from storage per second",
         acc ? "read_bytes" : "read_bytes_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::disk_read)},
        {"disk_write",
         "DISK WRITE",
         11,
         A::right,
         acc ? F::bytes : F::byte_rate,
         true,
         "bytes written to storage per second, less cancelled writes",
         acc ? "write_bytes" : "write_bytes_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::disk_write)},
        {"swapin",
         "SWAPIN",
         7,
         A::right,
         F::percent,
         true,
         "share of time waiting for swap-in",
         "swapin_pct",
         1,
         kFixed,
         {},
         id(ColumnId::swapin)},
        {"io",
         "IO",
         7,
         A::right,
         F::percent,
         true,
         "share of time waiting for block I/O",
         "io_pct",
         1,
         kFixed,
         {},
         id(ColumnId::io)},
        {"command",
         "COMMAND",
         0,
         A::left,
         F::text,
         false,
         "command line",
         "command",
         1,
         kFixed,
         {},
         id(ColumnId::command)},
        {"cpu",
         "CPU%",
         5,
         A::right,
         F::percent1,
         true,
         "CPU time over the interval, % of one CPU (a process can pass 100)",
         "cpu_pct",
         1,
         kFixed,
         {},
         id(ColumnId::cpu)},
        {"user_cpu",
         "USR%",
         5,
         A::right,
         F::percent1,
         true,
         "user-mode part of CPU%",
         "user_cpu_pct",
         1,
         kFixed,
         {},
         id(ColumnId::user_cpu)},
        {"system_cpu",
         "SYS%",
         5,
         A::right,
         F::percent1,
         true,
         "kernel part of CPU%",
         "system_cpu_pct",
         1,
         kFixed,
         {},
         id(ColumnId::system_cpu)},
        {"cpu_delay",
         "WAIT%",
         5,
         A::right,
         F::percent1,
         true,
         "share of time runnable but waiting for a CPU (delay accounting)",
         "cpu_delay_pct",
         1,
         kFixed,
         {},
         id(ColumnId::cpu_delay)},
        {"cpu_time",
         "TIME+",
         9,
         A::right,
         F::cpu_time,
         true,
         "CPU time used since it started",
         "cpu_time_s",
         1,
         kFixed,
         {},
         id(ColumnId::cpu_time)},
        {"state",
         "S",
         1,
         A::left,
         F::text,
         false,
         "state: R running, S sleeping, D uninterruptible, Z zombie, T stopped, I idle",
         "state",
         1,
         kFixed,
         {},
         id(ColumnId::state)},
        {"nice",
         "NI",
         3,
         A::right,
         F::integer,
         false,
         "nice value",
         "nice",
         1,
         kFixed,
         {},
         id(ColumnId::nice)},
        {"threads",
         "THR",
         4,
         A::right,
         F::integer,
         true,
         "threads of the process",
         "threads",
         1,
         kFixed,
         {},
         id(ColumnId::threads)},
        {"ppid",
         "PPID",
         7,
         A::right,
         F::integer,
         false,
         "parent process id",
         "ppid",
         1,
         kFixed,
         {},
         id(ColumnId::ppid)},
        {"start",
         "START",
         11,
         A::right,
         F::date_time,
         false,
         "when it started (local time)",
         "start_time",
         1,
         kFixed,
         {},
         id(ColumnId::start)},
        {"read_chars",
         "RCHAR",
         11,
         A::right,
         acc ? F::bytes : F::byte_rate,
         true,
         "bytes read per second by read(2) and the like, from storage or not",
         acc ? "read_chars" : "read_chars_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::read_chars)},
        {"write_chars",
         "WCHAR",
         11,
         A::right,
         acc ? F::bytes : F::byte_rate,
         true,
         "bytes written per second by write(2) and the like",
         acc ? "write_chars" : "write_chars_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::write_chars)},
        {"read_syscalls",
         "SYSCR/s",
         9,
         A::right,
         acc ? F::integer : F::fixed2,
         true,
         "read calls per second",
         acc ? "read_syscalls" : "read_syscalls_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::read_syscalls)},
        {"write_syscalls",
         "SYSCW/s",
         9,
         A::right,
         acc ? F::integer : F::fixed2,
         true,
         "write calls per second",
         acc ? "write_syscalls" : "write_syscalls_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::write_syscalls)},
        {"ctx_switches",
         "CSW/s",
         9,
         A::right,
         acc ? F::integer : F::fixed2,
         true,
         "context switches per second, voluntary and involuntary",
         acc ? "ctx_switches" : "ctx_switches_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::ctx_switches)},
        {"major_faults",
         "MAJFL/s",
         9,
         A::right,
         acc ? F::integer : F::fixed2,
         true,
         "page faults that read from storage, per second",
         acc ? "major_faults" : "major_faults_per_s",
         1,
         kFixed,
         {},
         id(ColumnId::major_faults)},
        {"priority",
         "PRI",
         3,
         A::right,
         F::priority,
         false,
         "scheduling priority as top's PR: 20 + nice, below 0 real-time (rt: the highest)",
         "priority",
         1,
         kFixed,
         {},
         id(ColumnId::priority)},
        {"rss",
         "RES",
         9,
         A::right,
         F::bytes,
         true,
         "resident memory of the process (threads share it)",
         "rss_bytes",
         1,
         kFixed,
         {},
         id(ColumnId::rss)},
        {"virt",
         "VIRT",
         9,
         A::right,
         F::bytes,
         true,
         "virtual memory of the process: its whole address space",
         "virt_bytes",
         1,
         kFixed,
         {},
         id(ColumnId::virt)},
        {"shared",
         "SHR",
         9,
         A::right,
         F::bytes,
         true,
         "resident memory the process may share: file-backed and shared memory",
         "shared_bytes",
         1,
         kFixed,
         {},
         id(ColumnId::shared)},
        {"mem",
         "MEM%",
         5,
         A::right,
         F::percent1,
         true,
         "resident memory, % of the machine's (MemTotal)",
         "mem_pct",
         1,
         kFixed,
         {},
         id(ColumnId::mem)},
        {"swap",
         "SWAP",
         9,
         A::right,
         F::bytes,
         true,
         "memory of the process swapped out",
         "swap_bytes",
         1,
         kFixed,
         {},
         id(ColumnId::swap)},
        {"cgroup",
         "CGROUP",
         24,
         A::left,
         F::text,
         false,
         "cgroup v2 path of the process (read with the cgroup walk)",
         "cgroup",
         1,
         kFixed,
         {},
         id(ColumnId::cgroup)},
    }};
}

// iotop's eight: the default, so that -b prints what iotop -b prints.
constexpr std::array<ColumnId, 8> kIoSet{
    ColumnId::id,         ColumnId::prio,   ColumnId::user, ColumnId::disk_read,
    ColumnId::disk_write, ColumnId::swapin, ColumnId::io,   ColumnId::command};
// top's columns, with the disk rates between TIME+ and COMMAND.
constexpr std::array<ColumnId, 14> kTopSet{
    ColumnId::id,       ColumnId::user,      ColumnId::priority,   ColumnId::nice,   ColumnId::virt,
    ColumnId::rss,      ColumnId::shared,    ColumnId::state,      ColumnId::cpu,    ColumnId::mem,
    ColumnId::cpu_time, ColumnId::disk_read, ColumnId::disk_write, ColumnId::command};

constexpr auto kThreads = task_registry(false, false);
constexpr auto kProcesses = task_registry(true, false);
constexpr auto kThreadsTotal = task_registry(false, true);
constexpr auto kProcessesTotal = task_registry(true, true);

static_assert(kThreads[column_index(ColumnId::command)].key == "command" &&
              kThreads[column_index(ColumnId::disk_read)].key == "disk_read" &&
              kThreads[column_index(ColumnId::major_faults)].key == "major_faults" &&
              kThreads[column_index(ColumnId::swap)].key == "swap");

constexpr bool ids_match_positions() {
    for (std::size_t i = 0; i < kThreads.size(); ++i)
        if (kThreads[i].id != i) return false;
    return true;
}
static_assert(ids_match_positions());

constexpr std::array<SummarySpec, 4> kSummary{{
    {"read_bytes_per_s", "Total DISK READ", F::byte_rate},
    {"write_bytes_per_s", "Total DISK WRITE", F::byte_rate},
    {"current_read_bytes_per_s", "Current DISK READ", F::byte_rate},
    {"current_write_bytes_per_s", "Current DISK WRITE", F::byte_rate},
}};

}  // namespace

std::span<const ColumnSpec> task_columns(bool processes, bool accumulated) {
    if (processes) return accumulated ? std::span<const ColumnSpec>(kProcessesTotal) : kProcesses;
    return accumulated ? std::span<const ColumnSpec>(kThreadsTotal) : kThreads;
}

const ColumnSpec& task_column(ColumnId id) {
    return kThreads[column_index(id)];
}

std::optional<ColumnId> column_by_name(std::string_view name) {
    const std::string n = normalize_name(name);
    if (n == "read") return ColumnId::disk_read;
    if (n == "write") return ColumnId::disk_write;
    if (n == "time") return ColumnId::cpu_time;
    if (n == "pr") return ColumnId::priority;  // top's title
    if (n == "%mem" || n == "memory") return ColumnId::mem;
    if (n == "resident") return ColumnId::rss;
    if (n == "id") return std::nullopt;  // the key of TID/PID: name it by its title
    for (std::span<const ColumnSpec> cols : {task_columns(false, false), task_columns(true, false)})
        if (auto i = find_column(cols, n)) return static_cast<ColumnId>(*i);
    return std::nullopt;
}

std::shared_ptr<const std::vector<ColumnSpec>> chosen_columns(const ViewState& vs) {
    const std::span<const ColumnSpec> all = task_columns(vs.processes, vs.accumulated);
    auto specs = std::make_shared<std::vector<ColumnSpec>>();
    for (ColumnId id : shown_columns(vs)) specs->push_back(all[column_index(id)]);
    return specs;
}

std::span<const ColumnId> shown_columns(const ViewState& vs) {
    if (vs.columns.empty()) return kIoSet;
    return vs.columns;
}

std::span<const ColumnId> column_set(ColumnSet set) {
    return set == ColumnSet::top ? std::span<const ColumnId>(kTopSet) : kIoSet;
}

Result<std::vector<ColumnId>> parse_column_list(std::string_view list) {
    std::vector<ColumnId> out;
    if (normalize_name(list) == "all") {
        for (std::size_t i = 0; i < kColumnCount; ++i) {
            // COMMAND last: the rest of the line.
            if (static_cast<ColumnId>(i) != ColumnId::command)
                out.push_back(static_cast<ColumnId>(i));
        }
        out.push_back(ColumnId::command);
        return out;
    }
    for (std::string_view name : split_list(list, ",")) {
        const std::string n = normalize_name(name);
        if (n == "io" && out.empty() && list.find(',') == std::string_view::npos)
            return std::vector<ColumnId>(kIoSet.begin(), kIoSet.end());
        if (n == "top" && out.empty() && list.find(',') == std::string_view::npos)
            return std::vector<ColumnId>(kTopSet.begin(), kTopSet.end());
        const auto id = n == "id" ? std::optional<ColumnId>(ColumnId::id) : column_by_name(name);
        if (!id) return make_error("unknown column '" + std::string(name) + "'");
        if (std::find(out.begin(), out.end(), *id) != out.end())
            return make_error("column '" + std::string(name) + "' is listed twice");
        out.push_back(*id);
    }
    if (out.empty()) return make_error("no column listed");
    return out;
}

std::optional<std::size_t> column_position(const Table& t, ColumnId id) {
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].id == static_cast<std::uint8_t>(id)) return i;
    return std::nullopt;
}

const Cell* task_cell(const Table& t, std::size_t r, ColumnId id) {
    const auto pos = column_position(t, id);
    if (!pos || r >= t.rows.size() || *pos >= t.rows[r].size()) return nullptr;
    return &t.rows[r][*pos];
}

std::span<const SummarySpec> task_summary_fields() {
    return kSummary;
}

std::array<std::string, 2> task_summary_lines(const Table& t, ByteUnits units) {
    auto value = [&](std::string_view field) {
        for (const SummaryItem& s : t.summary)
            if (s.field == field) return format_cell(s.format, s.value, units);
        return std::string("?");
    };
    return {fmt::format("Total DISK READ: {:>12} | Total DISK WRITE: {:>12}",
                        value("read_bytes_per_s"), value("write_bytes_per_s")),
            fmt::format("Current DISK READ: {:>10} | Current DISK WRITE: {:>10}",
                        value("current_read_bytes_per_s"), value("current_write_bytes_per_s"))};
}

}  // namespace vigil
