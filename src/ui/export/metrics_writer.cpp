#include "vigil/ui/export/metrics_writer.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "exposition.hpp"

namespace vigil {

using namespace metrics_detail;

namespace {

void write_processes(Exposition& e, const std::vector<ExportedProcess>& ps) {
    struct Counter {
        std::string_view name, help;
        std::optional<std::uint64_t> ExportedProcess::*field;
    };
    static constexpr Counter kCounters[] = {
        {"vigil_process_read_bytes_total", "Bytes the process caused to be read from storage.",
         &ExportedProcess::read_bytes},
        {"vigil_process_write_bytes_total",
         "Bytes the process caused to be written to storage (cancelled writes included).",
         &ExportedProcess::write_bytes},
        {"vigil_process_cancelled_write_bytes_total",
         "Bytes the process dirtied that were truncated before writeback.",
         &ExportedProcess::cancelled_write_bytes},
        {"vigil_process_read_chars_total", "Bytes passed to read(2) and the like.",
         &ExportedProcess::read_chars},
        {"vigil_process_written_chars_total", "Bytes passed to write(2) and the like.",
         &ExportedProcess::write_chars},
    };
    for (const Counter& c : kCounters) {
        e.family(c.name, Kind::counter, c.help);
        for (const ExportedProcess& p : ps) {
            const std::string pid = std::to_string(p.pid);
            e.sample({{"pid", pid}, {"comm", p.comm}, {"user", p.user}, {"cgroup", p.cgroup}},
                     p.*c.field);
        }
    }
    e.family("vigil_process_cpu_seconds_total", Kind::counter,
             "CPU time of the process, its exited threads included.");
    for (const ExportedProcess& p : ps) {
        const std::string pid = std::to_string(p.pid);
        e.sample({{"pid", pid},
                  {"comm", p.comm},
                  {"user", p.user},
                  {"cgroup", p.cgroup},
                  {"mode", "user"}},
                 p.user_s);
        e.sample({{"pid", pid},
                  {"comm", p.comm},
                  {"user", p.user},
                  {"cgroup", p.cgroup},
                  {"mode", "system"}},
                 p.system_s);
    }
}

void write_self(Exposition& e, const ExporterSelf& s, std::size_t processes) {
    e.family("vigil_up", Kind::gauge, "1: vigil is sampling.");
    e.sample({}, std::uint64_t{1});
    e.family("vigil_self_cpu_seconds_total", Kind::counter, "vigil's own CPU time.");
    e.sample({{"mode", "user"}}, s.user_s);
    e.sample({{"mode", "system"}}, s.system_s);
    e.family("vigil_self_resident_bytes", Kind::gauge, "vigil's resident memory.");
    e.sample({}, s.resident_bytes);
    e.family("vigil_samples_total", Kind::counter, "Samples vigil has taken.");
    e.sample({}, s.samples);
    e.family("vigil_scrapes_total", Kind::counter,
             "Scrapes answered before this sample was published.");
    e.sample({}, s.scrapes);
    e.family("vigil_sample_timestamp_seconds", Kind::gauge,
             "When the sample served was taken (Unix time).");
    e.sample({}, s.sample_time_s);
    e.family("vigil_sample_duration_seconds", Kind::gauge, "How long taking the sample took.");
    e.sample({}, s.sample_duration_s);
    e.family("vigil_exported_processes", Kind::gauge,
             "Processes with series in this scrape (--export-top).");
    e.sample({}, static_cast<std::uint64_t>(processes));
}

// The quality of a media range in an Accept header (1 when it has no q), or -1 when the
// header does not name the type.
double quality_of(std::string_view accept, std::string_view type) {
    double best = -1;
    std::size_t at = 0;
    while (at <= accept.size()) {
        std::size_t end = accept.find(',', at);
        if (end == std::string_view::npos) end = accept.size();
        std::string_view range = accept.substr(at, end - at);
        at = end + 1;
        while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
        if (!range.starts_with(type)) continue;
        double q = 1;
        if (std::size_t qp = range.find("q="); qp != std::string_view::npos) {
            const std::string num(range.substr(qp + 2, range.find(';', qp) - (qp + 2)));
            char* stop = nullptr;
            q = std::strtod(num.c_str(), &stop);
            if (stop == num.c_str() || q < 0 || q > 1) q = 0;
        }
        if (q > best) best = q;
    }
    return best;
}

}  // namespace

void write_metrics(const MetricsInput& in, MetricsFormat format, std::string& out) {
    Exposition e(format, out);
    if (in.machine) {
        const MachineSample& m = *in.machine;
        write_machine(e, m, in.clk_tck, in.page_size);
        if (m.collected & section_bit(Section::cgroups)) write_cgroups(e, m, in.cgroups);
    }
    write_processes(e, in.processes);
    write_self(e, in.self, in.processes.size());
    e.finish();
}

const char* metrics_content_type(MetricsFormat format) {
    return format == MetricsFormat::openmetrics
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

MetricsFormat negotiate_metrics_format(std::string_view accept) {
    const double om = quality_of(accept, "application/openmetrics-text");
    if (om <= 0) return MetricsFormat::prometheus;
    const double text = std::max(quality_of(accept, "text/plain"), quality_of(accept, "*/*"));
    return om >= text ? MetricsFormat::openmetrics : MetricsFormat::prometheus;
}

}  // namespace vigil