// --listen: what each sample gives the Prometheus endpoint. After a sample, the Exporter
// picks the --export-top processes most active in the interval (storage I/O, then CPU),
// reads their whole-process counters (collect: read_process_totals), formats the machine's
// and theirs (ui/export: write_metrics) and publishes the text to the MetricsServer.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/app/metrics_server.hpp"
#include "vigil/app/pipeline.hpp"
#include "vigil/collect/fs_root.hpp"
#include "vigil/ui/export/metrics_writer.hpp"

namespace vigil {

struct Options;

// The cgroups of each sample to export (select_exported_cgroups), with, for those without
// io.stat, the bytes their tasks read and wrote: the cgroups table's "tasks" figure of
// each interval (the taskstats I/O of the group's tasks and its descendants'), summed here
// from interval to interval into a counter. A group made again at the same path (another
// inode) starts again from 0, as does everything when vigil restarts.
class CgroupExport {
  public:
    // After each frame, in order.
    std::vector<ExportedCgroup> next(const Frame& f);

  private:
    struct TaskIo {
        std::uint64_t inode = 0;
        std::uint64_t read = 0, write = 0;
        std::uint64_t seen = 0;  // the last frame that had the group
    };
    std::unordered_map<std::string, TaskIo> task_io_;  // by path
    std::uint64_t frames_ = 0;
};

class Exporter {
  public:
    Exporter(MetricsServer& server, const FsRoot& proc, std::size_t top);
    // After pipeline.advance(): publishes the current sample. sample_s: how long taking it
    // took.
    void publish(Pipeline& pipeline, double sample_s);
    MetricsServer& server() { return server_; }

  private:
    // The leaders of the processes to export: the most active of the interval, then those
    // active within kKeepS.
    std::vector<std::size_t> choose(const Frame& f);
    static constexpr double kKeepS = 300;
    struct Recent {
        struct Key {
            pid_t pid;
            std::uint64_t start_ticks;
            bool operator==(const Key&) const = default;
        };
        struct Hash {
            std::size_t operator()(const Key& k) const {
                return std::hash<std::uint64_t>()(k.start_ticks * 4194304u +
                                                  static_cast<std::uint64_t>(k.pid));
            }
        };
    };
    std::unordered_map<Recent::Key, double, Recent::Hash> recent_;  // last active (steady s)
    CgroupExport cgroups_;
    MetricsServer& server_;
    const FsRoot& proc_;
    std::size_t top_;
    std::uint64_t samples_ = 0;
    std::string buf_;
};

// Starts the server of o.listen; null (and the error said) when it cannot listen.
std::unique_ptr<MetricsServer> start_metrics_server(const Options& o);

// vigil --listen without -b and without a terminal: samples and serves until a signal (or
// -n samples). Returns the exit status.
int run_headless(const Options& o);

}  // namespace vigil
