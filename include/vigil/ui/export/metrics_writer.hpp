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

struct MetricsInput {
    const MachineSample* machine = nullptr;  // null: no machine families
    std::uint64_t clk_tck = 100;             // USER_HZ of /proc/stat's ticks
    std::uint64_t page_size = 4096;          // of /proc/vmstat's page counts
    std::vector<ExportedProcess> processes;
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
