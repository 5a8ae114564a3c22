// Command-line options. parse_options is pure apart from user-name lookups (-u) and reading
// the --web-config file (and the certificates it names).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/app/metrics_server.hpp"
#include "vigil/app/web_config.hpp"
#include "vigil/core/result.hpp"
#include "vigil/core/time_spec.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/machine_tables.hpp"
#include "vigil/model/view_state.hpp"
#include "vigil/record/retention.hpp"
#include "vigil/sample/sections.hpp"
#include "vigil/ui/batch/batch_writer.hpp"
#include "vigil/ui/batch/text_writer.hpp"

namespace vigil {

// --source: where the per-thread counters come from on the live system.
enum class TaskSource : std::uint8_t {
    taskstats,  // netlink taskstats (the default), else /proc/PID/task/TID/io
    bpf,        // the BPF task iterator, else taskstats with a notice
    automatic,  // the BPF task iterator when it loads, else taskstats without a word
};

struct Options {
    enum class Action { run, help, version } action = Action::run;
    bool batch = false;              // -b
    std::optional<long> iterations;  // -n: samples to print; unset = until interrupted
    double delay_s = 1.0;            // -d: seconds between samples
    bool delay_given = false;        // -d was given (a replay plays at the recorded pace)
    ViewState view;
    bool sort_given = false;                    // --sort was given (otherwise the default applies)
    TextOptions text;                           // -t, -q
    bool no_color = false;                      // --no-color (or NO_COLOR in the environment)
    std::string proc_root;                      // --proc-root; empty: the running kernel's
    std::string sys_root;                       // --sys-root; empty: the running kernel's
    TaskSource source = TaskSource::taskstats;  // --source
    // --show: the sections printed each sample, in the order given, each once; the task
    // table alone by default. "all" is the overview sections, then tasks.
    std::vector<Section> sections{Section::tasks};
    MachineView machine;                       // --partitions, --all-devices
    OutputFormat format = OutputFormat::text;  // --format (implies -b)
    // --csv-dir DIR: CSV, each table in a file of its own, DIR/TABLE.csv (implies --format
    // csv). Without it CSV goes to stdout, which then holds one table (vigil(8), FORMATS).
    std::string csv_dir;
    // Recording and replay (see vigil(8), RECORDING).
    std::string record_path;              // --record FILE; empty: no recording
    std::uint64_t record_max_bytes = 0;   // --record-max-size: rotate past it; 0: never
    double record_rotate_s = 0;           // --record-rotate: rotate after it; 0: never
    Retention record_keep;                // --record-keep, --record-keep-for: rotated files kept
    std::string replay_path;              // --replay FILE; empty: live
    std::optional<TimeSpec> from, to;     // --from, --to: the replayed span
    std::string from_text, to_text;       // --from, --to as given, for messages
    bool follow = false;                  // --follow: the replay follows FILE as it is written
    std::optional<pid_t> inspect_pid;     // --inspect PID: print that process once (implies -b)
    std::optional<ListenAddress> listen;  // --listen [ADDR:]PORT: the Prometheus endpoint
    std::size_t export_top = 20;          // --export-top N: processes with series
    // --web-config FILE: TLS and basic authentication for --listen, read and checked when
    // the options are parsed (a bad file is a usage error at start).
    std::string web_config_path;
    std::shared_ptr<const WebConfig> web_config;
};

// argv as main() receives it. Errors are one line naming the bad value.
Result<Options> parse_options(int argc, char* const* argv);

std::string usage_text();

}  // namespace vigil
