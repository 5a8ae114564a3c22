#include "vigil/model/columns.hpp"

#include <fmt/format.h>

#include "vigil/core/parse.hpp"

namespace vigil {
namespace {

using A = Align;
using F = CellFormat;
constexpr WidthPolicy kFixed = WidthPolicy::fixed;  // a batch prints the rows in parts

// Every task column, once. Widths are fixed: batch text writes 10 000 rows a few at a
// time, so the widest cell cannot be known before the first line goes out.
constexpr std::array<ColumnSpec, kColumnCount> task_registry(bool processes, bool accumulated) {
    return {{
        {"id", processes ? "PID" : "TID", 7, A::right, F::integer, false,
         "thread id (process id with -P)", processes ? "pid" : "tid", 1, kFixed},
        {"prio", "PRIO", 4, A::left, F::text, false, "I/O priority class/level", "prio", 1, kFixed},
        {"user", "USER", 8, A::left, F::text, false, "owner (real user)", "user", 1, kFixed},
        {"disk_read", "DISK READ", 11, A::right, accumulated ? F::bytes : F::byte_rate, true,
         "bytes read from storage per second", accumulated ? "read_bytes" : "read_bytes_per_s", 1,
         kFixed},
        {"disk_write", "DISK WRITE", 11, A::right, accumulated ? F::bytes : F::byte_rate, true,
         "bytes written to storage per second, less cancelled writes",
         accumulated ? "write_bytes" : "write_bytes_per_s", 1, kFixed},
        {"swapin", "SWAPIN", 7, A::right, F::percent, true, "share of time waiting for swap-in",
         "swapin_pct", 1, kFixed},
        {"io", "IO", 7, A::right, F::percent, true, "share of time waiting for block I/O", "io_pct",
         1, kFixed},
        {"command", "COMMAND", 0, A::left, F::text, false, "command line", "command", 1, kFixed},
    }};
}

constexpr auto kThreads = task_registry(false, false);
constexpr auto kProcesses = task_registry(true, false);
constexpr auto kThreadsTotal = task_registry(false, true);
constexpr auto kProcessesTotal = task_registry(true, true);

static_assert(kThreads[column_index(ColumnId::command)].key == "command" &&
              kThreads[column_index(ColumnId::disk_read)].key == "disk_read");

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
    if (n == "id") return std::nullopt;  // the key of TID/PID: name it by its title
    for (std::span<const ColumnSpec> cols : {task_columns(false, false), task_columns(true, false)})
        if (auto i = find_column(cols, n)) return static_cast<ColumnId>(*i);
    return std::nullopt;
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
