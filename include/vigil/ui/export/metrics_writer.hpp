// The Prometheus exposition of a sample (--listen): the kernel's cumulative counters as
// they are, so that PromQL's rate() works across scrapes and restarts, named by
// Prometheus' conventions (base units, _total for counters). Pure: the app gathers the
// input, this formats it, in the text format 0.0.4 or OpenMetrics 1.0.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/sample/machine.hpp"

namespace vigil {

// One process of the --export-top set: its whole-process counters since it started
// (/proc/PID/io and stat count its exited threads too, so they never go back).
struct ExportedProcess {
    pid_t pid = 0;
    std::string comm;    // raw bytes: escaped when written
    std::string user;    // name, or the uid in digits
    std::string cgroup;  // the cgroup v2 path; empty when unknown
    std::optional<std::uint64_t> read_bytes, write_bytes, cancelled_write_bytes;
    std::optional<std::uint64_t> read_chars, write_chars;
    std::optional<double> user_s, system_s;
};

// vigil itself.
struct ExporterSelf {
    double user_s = 0, system_s = 0;              // vigil's CPU time so far
    std::optional<std::uint64_t> resident_bytes;  // its resident memory now
    std::uint64_t samples = 0;                    // samples taken
    std::uint64_t scrapes = 0;     // scrapes answered before this sample was published
    double sample_time_s = 0;      // the sample's wall-clock time (Unix seconds)
    double sample_duration_s = 0;  // how long taking it took
};

// One cgroup of the exported set (select_exported_cgroups), by its index in
// MachineSample::cgroups.
struct ExportedCgroup {
    std::size_t index = 0;
    // A group without io.stat: the bytes its tasks and its descendants' tasks read and
    // wrote, summed by the exporter from each interval's taskstats deltas since it first saw
    // the group (so it starts again from 0 when vigil restarts, which rate() takes as a
    // counter reset). Absent for a group with io.stat, or before a first interval.
    std::optional<std::uint64_t> task_read_bytes, task_write_bytes;
};

// The cardinality bound of the cgroup families: groups at most this deep ("/" is 0,
// "/system.slice" 1, "/system.slice/nginx.service" 2, a Kubernetes pod slice 3) ...
inline constexpr std::size_t kExportCgroupDepth = 3;
// ... and at most this many of them, the shallower first.
inline constexpr std::size_t kExportCgroupMax = 200;

// The indices in groups (walk order) of the groups to export: depth <= kExportCgroupDepth,
// at most kExportCgroupMax, shallower ones first, each depth in walk order; returned in
// walk order.
std::vector<std::size_t> select_exported_cgroups(const std::vector<CgroupSample>& groups);

struct MetricsInput {
    const MachineSample* machine = nullptr;  // null: no machine families
    std::uint64_t clk_tck = 100;             // USER_HZ of /proc/stat's ticks
    std::uint64_t page_size = 4096;          // of /proc/vmstat's page counts
    std::vector<ExportedProcess> processes;
    // Of machine->cgroups, written when the sample has the cgroups section.
    std::vector<ExportedCgroup> cgroups;
    ExporterSelf self;
};

enum class MetricsFormat { prometheus, openmetrics };

// Appends the exposition to out: # HELP and # TYPE for every family, families with no
// sample left out, OpenMetrics' "# EOF" at the end.
void write_metrics(const MetricsInput& in, MetricsFormat format, std::string& out);

// The Content-Type of a format.
const char* metrics_content_type(MetricsFormat format);

// The format an Accept header asks for: OpenMetrics when it names
// application/openmetrics-text with a quality not below text/plain's.
MetricsFormat negotiate_metrics_format(std::string_view accept);

}  // namespace vigil
