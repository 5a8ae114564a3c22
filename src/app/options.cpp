#include "vigil/app/options.hpp"

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "vigil/app/diagnostics.hpp"
#include "vigil/collect/users.hpp"
#include "vigil/core/parse.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/table.hpp"
#include "vigil/record/record_file.hpp"

namespace vigil {
namespace {

enum LongOnly {
    kVersion = 1000,
    kProcRoot,
    kSysRoot,
    kNoColor,
    kSort,
    kReverse,
    kColumns,
    kFilter,
    kHideKernelThreads,
    kTree,
    kCgroupFilter,
    kSource
};
// The machine overview's options.
enum OverviewOnly { kShow = 1100, kPartitions, kAllDevices };
// Output formats, recording and replay.
enum RecordOnly {
    kFormat = 1200,
    kRecord,
    kRecordMaxSize,
    kRecordRotate,
    kReplay,
    kFrom,
    kTo,
    kCsvDir,
    kFollow
};

// The retention of rotated recordings.
enum RetentionOptions { kRecordKeep = 1250, kRecordKeepFor };

// The process inspector.
enum InspectOnly { kInspect = 1300 };

// The Prometheus endpoint.
enum ExportOptions { kListen = 1400, kExportTop, kWebConfig };

constexpr option kLongOptions[] = {
    {"batch", no_argument, nullptr, 'b'},
    {"iter", required_argument, nullptr, 'n'},
    {"delay", required_argument, nullptr, 'd'},
    {"pid", required_argument, nullptr, 'p'},
    {"user", required_argument, nullptr, 'u'},
    {"processes", no_argument, nullptr, 'P'},
    {"only", no_argument, nullptr, 'o'},
    {"accumulated", no_argument, nullptr, 'a'},
    {"kilobytes", no_argument, nullptr, 'k'},
    {"time", no_argument, nullptr, 't'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, kVersion},
    {"proc-root", required_argument, nullptr, kProcRoot},
    {"sys-root", required_argument, nullptr, kSysRoot},
    {"source", required_argument, nullptr, kSource},
    {"no-color", no_argument, nullptr, kNoColor},
    {"sort", required_argument, nullptr, kSort},
    {"reverse", no_argument, nullptr, kReverse},
    {"columns", required_argument, nullptr, kColumns},
    {"filter", required_argument, nullptr, kFilter},
    {"cgroup", required_argument, nullptr, kCgroupFilter},
    {"hide-kernel-threads", no_argument, nullptr, kHideKernelThreads},
    {"tree", no_argument, nullptr, kTree},
    {"show", required_argument, nullptr, kShow},
    {"partitions", no_argument, nullptr, kPartitions},
    {"all-devices", no_argument, nullptr, kAllDevices},
    {"format", required_argument, nullptr, kFormat},
    {"csv-dir", required_argument, nullptr, kCsvDir},
    {"record", required_argument, nullptr, kRecord},
    {"record-max-size", required_argument, nullptr, kRecordMaxSize},
    {"record-rotate", required_argument, nullptr, kRecordRotate},
    {"record-keep", required_argument, nullptr, kRecordKeep},
    {"record-keep-for", required_argument, nullptr, kRecordKeepFor},
    {"replay", required_argument, nullptr, kReplay},
    {"from", required_argument, nullptr, kFrom},
    {"to", required_argument, nullptr, kTo},
    {"follow", no_argument, nullptr, kFollow},
    {"inspect", required_argument, nullptr, kInspect},
    {"listen", required_argument, nullptr, kListen},
    {"export-top", required_argument, nullptr, kExportTop},
    {"web-config", required_argument, nullptr, kWebConfig},
    {nullptr, 0, nullptr, 0},
};

// The option as the user typed it: "--replay" for "--replay" or "--repl" (the name, without
// any "=VALUE"), "-d" for a -d in "-bd". getopt's optopt is the option's id, which for a
// long-only option is no character at all.
std::string typed_option(char* const* argv, int processing, int opt) {
    std::string_view arg = argv[processing] ? argv[processing] : "";
    if (arg.starts_with("--")) return std::string(arg.substr(0, arg.find('=')));
    return std::string("-") + static_cast<char>(opt);
}

// Why getopt refused an option: unknown, ambiguous, or given a value it does not take.
std::string unknown_option(char* const* argv, int processing, int opt) {
    std::string_view arg = argv[processing] ? argv[processing] : "";
    if (!arg.starts_with("--"))  // a short option: optopt is the character
        return "unknown option " + quoted(std::string("-") + static_cast<char>(opt));
    std::string_view name = arg.substr(2);
    name = name.substr(0, name.find('='));
    std::vector<const option*> found;
    for (const option& lo : kLongOptions) {
        if (!lo.name) break;
        const std::string_view n = lo.name;
        if (n == name) {
            found = {&lo};
            break;
        }
        if (n.starts_with(name)) found.push_back(&lo);
    }
    const std::string typed = "--" + std::string(name);
    if (found.size() == 1 && found[0]->has_arg == no_argument && arg.find('=') != arg.npos)
        return "option " + quoted("--" + std::string(found[0]->name)) + " takes no value (" +
               quoted(arg) + ")";
    if (found.size() > 1) {
        std::string names;
        for (const option* lo : found)
            names += (names.empty() ? "--" : ", --") + std::string(lo->name);
        return "ambiguous option " + quoted(typed) + ": it could be " + names;
    }
    return "unknown option " + quoted(typed);
}

// --show LIST: appends each section once, in the order given. The first --show replaces
// the default (tasks alone); later ones add to it.
Result<bool> add_sections(std::string_view arg, std::vector<Section>& out, bool& given) {
    auto items = split_list(arg, ",");
    if (items.empty()) return make_error("invalid --show " + quoted(arg) + ": expected a section");
    if (!given) out.clear();
    given = true;
    auto add = [&](Section s) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    };
    for (std::string_view item : items) {
        if (item == "all") {
            for (Section s : kAllSections) add(s);
        } else if (auto s = section_by_name(item)) {
            add(*s);
        } else {
            return make_error("invalid --show section " + quoted(item) +
                              ": expected tasks, cpu, mem, psi, disks, fs, net, sensors or all");
        }
    }
    return true;
}

}  // namespace

Result<Options> parse_options(int argc, char* const* argv) {
    Options o;
    bool show_given = false;  // the first --show replaces the default sections
    bool format_given = false;
    if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) o.no_color = true;
    opterr = 0;  // vigil words its own one-line errors
    optind = 0;  // re-entrant: tests call this repeatedly (0 also resets GNU getopt's state)
    const char* short_opts = "+:bn:d:p:u:Poaktqh";
    for (;;) {
        int idx = 0;
        // The argument getopt works on: with '+' it never permutes, and it moves past an
        // argument only once done with it (a cluster such as -bn5 too).
        const int processing = std::max(optind, 1);
        int c = getopt_long(argc, argv, short_opts, kLongOptions, &idx);
        if (c == -1) break;
        std::string_view arg = optarg ? optarg : "";
        switch (c) {
            case 'b':
                o.batch = true;
                break;
            case 'n': {
                std::uint64_t n = 0;
                if (!parse_u64(arg, n) || n == 0 || n > 1'000'000'000)
                    return make_error("invalid -n " + quoted(arg) +
                                      ": expected a whole number of samples >= 1");
                o.iterations = static_cast<long>(n);
                break;
            }
            case 'd': {
                const std::optional<double> d = parse_decimal(arg);
                if (!d || *d <= 0 || *d > kMaxIntervalS)
                    return make_error("invalid -d " + quoted(arg) +
                                      ": expected seconds > 0 (fractions such as 0.5 work)");
                if (*d < kMinIntervalS)
                    return make_error("invalid -d " + quoted(arg) +
                                      ": the shortest interval is 0.01 seconds");
                o.delay_s = *d;
                o.delay_given = true;
                break;
            }
            case 'p': {
                auto items = split_list(arg, ",");
                if (items.empty())
                    return make_error("invalid -p " + quoted(arg) + ": expected a PID");
                for (std::string_view item : items) {
                    std::uint64_t pid = 0;
                    if (!parse_u64(item, pid) || pid == 0 || pid > 0x3FFFFFFF)
                        return make_error("invalid PID " + quoted(item) +
                                          ": expected a positive whole number");
                    o.view.pids.push_back(static_cast<pid_t>(pid));
                }
                break;
            }
            case 'u': {
                auto items = split_list(arg, ",");
                if (items.empty())
                    return make_error("invalid -u " + quoted(arg) + ": expected a user");
                for (std::string_view item : items) {
                    auto uid = resolve_user(item);
                    if (!uid) return uid.error();
                    o.view.uids.push_back(*uid);
                }
                break;
            }
            case 'P':
                o.view.processes = true;
                break;
            case 'o':
                o.view.only_active = true;
                break;
            case 'a':
                o.view.accumulated = true;
                break;
            case 'k':
                o.view.units = ByteUnits::kib;
                break;
            case 't':
                o.text.timestamps = true;
                break;
            case 'q':
                ++o.text.quiet;
                o.batch = true;  // as in iotop: quiet output only makes sense in batch mode
                break;
            case 'h':
                o.action = Options::Action::help;
                break;
            case kVersion:
                o.action = Options::Action::version;
                break;
            case kProcRoot:
                if (arg.empty()) return make_error("invalid --proc-root '': expected a directory");
                o.proc_root = arg;
                break;
            case kSysRoot:
                if (arg.empty()) return make_error("invalid --sys-root '': expected a directory");
                o.sys_root = arg;
                break;
            case kSource:
                if (arg == "taskstats")
                    o.source = TaskSource::taskstats;
                else if (arg == "bpf")
                    o.source = TaskSource::bpf;
                else if (arg == "auto")
                    o.source = TaskSource::automatic;
                else
                    return make_error("invalid --source " + quoted(arg) +
                                      ": expected taskstats, bpf or auto");
                break;
            case kNoColor:
                o.no_color = true;
                break;
            case kSort: {
                auto col = column_by_name(arg);
                if (!col)
                    return make_error("invalid --sort " + quoted(arg) +
                                      ": expected a column id (tid, pid, io, cpu, ...; "
                                      "vigil --help lists them)");
                o.view.sort = *col;
                o.sort_given = true;
                break;
            }
            case kColumns: {
                auto cols = parse_column_list(arg);
                if (!cols)
                    return make_error("invalid --columns " + quoted(arg) + ": " +
                                      cols.error().message + " (vigil --help lists them)");
                o.view.columns = std::move(*cols);
                break;
            }
            case kFilter:
                if (arg.empty()) return make_error("invalid --filter '': expected a pattern");
                o.view.filter.set(std::string(arg));
                break;
            case kCgroupFilter:
                if (arg.empty()) return make_error("invalid --cgroup '': expected a pattern");
                o.view.cgroup_filter.set(std::string(arg));
                break;
            case kHideKernelThreads:
                o.view.hide_kernel_threads = true;
                break;
            case kTree:
                o.view.tree = true;
                break;
            case kReverse:
                o.view.reverse = true;
                break;
            case kShow: {
                auto added = add_sections(arg, o.sections, show_given);
                if (!added) return added.error();
                break;
            }
            case kPartitions:
                o.machine.partitions = true;
                break;
            case kAllDevices:
                o.machine.all_devices = true;
                break;
            case kFormat: {
                auto f = output_format_by_name(arg);
                if (!f)
                    return make_error("invalid --format " + quoted(arg) +
                                      ": expected text, csv or json");
                o.format = *f;
                format_given = true;
                o.batch = true;  // as -q: a format only means something in batch mode
                break;
            }
            case kCsvDir:
                if (arg.empty()) return make_error("invalid --csv-dir '': expected a directory");
                o.csv_dir = arg;
                o.batch = true;
                break;
            case kRecord:
            case kReplay:
                if (arg.empty())
                    return make_error(
                        std::string(c == kRecord ? "invalid --record" : "invalid --replay") +
                        " '': expected a file name");
                (c == kRecord ? o.record_path : o.replay_path) = arg;
                break;
            case kRecordMaxSize: {
                auto n = parse_size_bytes(arg);
                if (!n || *n < 4096)
                    return make_error("invalid --record-max-size " + quoted(arg) +
                                      ": expected a size of at least 4K, such as 100M or 1G");
                o.record_max_bytes = *n;
                break;
            }
            case kRecordRotate:
            case kRecordKeepFor: {
                const bool rotate = c == kRecordRotate;
                auto d = parse_duration_s(arg);
                if (!d || *d < 1)
                    return make_error(std::string(rotate ? "invalid --record-rotate "
                                                         : "invalid --record-keep-for ") +
                                      quoted(arg) +
                                      ": expected a duration of at least 1s, such as " +
                                      (rotate ? "1h or 1d" : "12h or 7d"));
                (rotate ? o.record_rotate_s : o.record_keep.keep_for_s) = *d;
                break;
            }
            case kRecordKeep: {
                std::uint64_t n = 0;
                if (!parse_u64(arg, n) || n == 0 || n > 1'000'000)
                    return make_error("invalid --record-keep " + quoted(arg) +
                                      ": expected a number of rotated files, 1 to 1000000");
                o.record_keep.keep_files = n;
                break;
            }
            case kFrom:
            case kTo: {
                auto t = parse_time_spec(arg);
                if (!t)
                    return make_error(std::string(c == kFrom ? "--from: " : "--to: ") +
                                      t.error().message);
                (c == kFrom ? o.from : o.to) = *t;
                (c == kFrom ? o.from_text : o.to_text) = arg;
                break;
            }
            case kFollow:
                o.follow = true;
                break;
            case kInspect: {
                std::uint64_t pid = 0;
                if (!parse_u64(arg, pid) || pid == 0 || pid > 0x3FFFFFFF)
                    return make_error("invalid --inspect " + quoted(arg) +
                                      ": expected a PID (a positive whole number)");
                o.inspect_pid = static_cast<pid_t>(pid);
                o.batch = true;
                break;
            }
            case kListen: {
                auto where = parse_listen_address(arg);
                if (!where) return where.error();
                o.listen = *where;
                break;
            }
            case kExportTop: {
                std::uint64_t n = 0;
                if (!parse_u64(arg, n) || n > 10000)
                    return make_error("invalid --export-top " + quoted(arg) +
                                      ": expected a number of processes, 0 to 10000");
                o.export_top = static_cast<std::size_t>(n);
                break;
            }
            case kWebConfig:
                if (arg.empty()) return make_error("invalid --web-config '': expected a file");
                o.web_config_path = std::string(arg);
                break;
            case ':':
                return make_error("option " + quoted(typed_option(argv, processing, optopt)) +
                                  " needs a value");
            case '?':
            default:
                return make_error(unknown_option(argv, processing, optopt));
        }
    }
    if (optind < argc) return make_error("unexpected argument " + quoted(argv[optind]));
    if (!o.csv_dir.empty()) {
        if (format_given && o.format != OutputFormat::csv)
            return make_error(std::string("--csv-dir writes CSV; it cannot be combined with "
                                          "--format ") +
                              (o.format == OutputFormat::json ? "json" : "text"));
        o.format = OutputFormat::csv;
    }
    if (o.format == OutputFormat::csv && o.csv_dir.empty()) {
        // CSV on stdout: one table, so that any CSV reader reads it.
        std::vector<std::string_view> tables;
        for (Section s : o.sections) {
            if (s == Section::sensors)
                tables.insert(tables.end(), {"temps", "fans", "batteries"});
            else
                tables.push_back(section_name(s));
        }
        if (tables.size() > 1) {
            std::string names;
            for (std::string_view t : tables) names += (names.empty() ? "" : ", ") + std::string(t);
            return make_error("--format csv writes one table per file, and this --show gives " +
                              std::to_string(tables.size()) + " (" + names +
                              "): show one section, or add --csv-dir DIR for a file per table");
        }
    }
    if (o.inspect_pid) {
        if (o.format == OutputFormat::csv)
            return make_error("--inspect prints text or json, not csv");
        if (!o.record_path.empty() || !o.replay_path.empty())
            return make_error(std::string("--inspect reads the live process; it cannot be "
                                          "combined with ") +
                              (o.record_path.empty() ? "--replay" : "--record"));
    }
    if (!o.record_path.empty() && !o.replay_path.empty())
        return make_error("--record and --replay cannot be combined");
    if (o.listen && (!o.replay_path.empty() || o.inspect_pid))
        return make_error(std::string("--listen serves the live system; it cannot be combined "
                                      "with ") +
                          (o.inspect_pid ? "--inspect" : "--replay"));
    // With the cgroups section, batch task rows name their cgroup (CGROUP after the
    // default columns) unless --columns chose others.
    if (o.batch && o.view.columns.empty() &&
        std::find(o.sections.begin(), o.sections.end(), Section::cgroups) != o.sections.end()) {
        const auto d = shown_columns(o.view);
        o.view.columns.assign(d.begin(), d.end());
        o.view.columns.push_back(ColumnId::cgroup);
    }
    if (!o.web_config_path.empty()) {
        if (!o.listen) return make_error("--web-config needs --listen [ADDR:]PORT");
        auto web = load_web_config(o.web_config_path);
        if (!web) return web.error();
        o.web_config = std::make_shared<const WebConfig>(std::move(*web));
    }
    if (o.replay_path.empty() && (o.from || o.to))
        return make_error(std::string(o.from ? "--from" : "--to") + " needs --replay FILE");
    if (o.follow && o.replay_path.empty())
        return make_error("--follow needs --replay FILE (the recording to follow)");
    if (o.follow && o.to)
        return make_error(
            "--follow plays a recording to its end as it is written; it cannot "
            "be combined with --to");
    if (o.record_path.empty() && (o.record_max_bytes || o.record_rotate_s > 0))
        return make_error(
            std::string(o.record_max_bytes ? "--record-max-size" : "--record-rotate") +
            " needs --record FILE");
    if (o.record_keep.limited() && o.record_max_bytes == 0 && o.record_rotate_s <= 0)
        return make_error(
            std::string(o.record_keep.keep_files ? "--record-keep" : "--record-keep-for") +
            " removes rotated recordings: it needs --record FILE with "
            "--record-rotate or --record-max-size");
    return o;
}

}  // namespace vigil
