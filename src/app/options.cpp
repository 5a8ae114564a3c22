#include "vigil/app/options.hpp"

#include <fmt/format.h>
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
#include "vigil/ui/keymap.hpp"

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
    kCgroupFilter
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
    kCsvDir
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

std::string usage_text() {
    std::string text = R"(Usage: vigil [OPTIONS]
Per-thread disk I/O (from the kernel's taskstats): a full-screen view, or batch output (-b).

Modes:
  -b, --batch            print samples as text instead of the full-screen view
  -n, --iter=N           stop after N samples (batch) or refreshes (view), N >= 1;
                         default: run until interrupted
  -d, --delay=SEC        seconds between samples, fractions allowed (default 1)

What to show:
  -p, --pid=PID[,PID...]   only these processes or threads (repeatable)
  -u, --user=USER[,USER...] only tasks of these users, by name or uid (repeatable)
  -P, --processes        one row per process (sum of its threads) instead of per thread
  -o, --only             only tasks that did I/O during the interval
  -a, --accumulated      show amounts since vigil started instead of rates
      --filter=PATTERN   only tasks whose command line or user matches PATTERN: a
                         case-insensitive RE2 regular expression, or text (as the
                         view's /); combines with -p, -u and -o
      --cgroup=PATTERN   only tasks whose cgroup v2 path matches PATTERN (an RE2
                         expression or text, as --filter; the view's \ prompt);
                         reads the cgroup tree. In the view, G shows the cgroups
                         pane, and Enter on a group keeps its subtree's tasks
      --hide-kernel-threads  leave out kthreadd and its threads (K in the view)
      --tree             the process tree (T or F5 in the view): each process under
                         its parent (with -P; else each thread under its process),
                         each level in the sort order, glyphs before the command; a
                         task whose parent is not shown is a root. csv and json rows
                         gain ppid and depth
      --columns=LIST     the task columns, comma-separated, in order: ids from
                         id (tid|pid), prio, user, disk_read, disk_write, swapin, io,
                         command, cpu, user_cpu, system_cpu, cpu_delay, cpu_time, state,
                         nice, threads, ppid, start, read_chars, write_chars,
                         read_syscalls, write_syscalls, ctx_switches, major_faults,
                         priority, rss, virt, shared, mem, swap, cgroup (or their
                         titles: CPU%, TIME+, PRI, RES, MEM%, ...); or a set: io
                         (iotop's eight, the default; the view shows top when the
                         terminal has room for it and 30 more), top (top's: PID USER
                         PRI NI VIRT RES SHR S CPU% MEM% TIME+ DISK READ DISK WRITE
                         COMMAND), all
      --sort=COLUMN      sort by any column id or title (default: io), e.g. rss
      --reverse          reverse the sort order

Machine overview (a titled table per section and sample; the view's panes alike):
      --show=LIST        the sections to print, comma-separated, repeatable, in the order
                         given: tasks (the default), cpu, mem, psi, disks, fs, net,
                         sensors, cgroups, or all (every overview section, then tasks).
                         cpu ends with top's Tasks: line (processes by state: running,
                         sleeping, uninterruptible D, stopped, zombie; the machine's
                         threads running and blocked on I/O). cgroups: a row per group
                         of the cgroup v2 hierarchy (name, I/O, CPU, memory, pressure,
                         OOM kills, throttling); where a group has no io.stat its I/O
                         is its tasks' (IO column: tasks); task rows get CGROUP
      --partitions       disks: partitions as well as whole disks
      --all-devices      disks: also never-used disks and idle loop/ram/zram devices;
                         fs: also pseudo (proc, cgroup...), tmpfs, empty and bind mounts

Output:
      --format=FORMAT    batch output as text (the default), csv (RFC 4180) or json (one
                         object per sample); implies -b. csv and json give every value
                         in base units (bytes, bytes/s) and always carry the time.
                         csv holds one table: that of the one --show section (text
                         fields that start with = + - @ get a leading ')
      --csv-dir=DIR      csv, every table (summaries and notes too) in a new file of
                         its own, DIR/TABLE.csv; never overwrites
  -k, --kilobytes        always show K (KiB) instead of choosing a unit (text)
  -t, --time             start every line with the time (HH:MM:SS) (text)
  -q, --quiet            -q: column names once; -qq: never; -qqq: no summary lines either
                         (text)
      --no-color         no colours (also when NO_COLOR is set)

Recording and replay:
      --record=FILE      also append every sample to FILE (compressed, crash-safe; an
                         existing recording gets a new session, never overwritten); with
                         the view or with -b. Every overview section is recorded
      --record-max-size=SIZE  start a new FILE before it passes SIZE (at least 4K; K, M,
                         G: KiB, MiB, GiB); the full one is renamed FILE.YYYYMMDD-HHMMSS
                         (its start); each file replays on its own
      --record-rotate=DURATION  start a new FILE after DURATION (s, m, h, d), likewise
      --record-keep=N    keep only the N newest rotated files FILE.YYYYMMDD-HHMMSS[-N]
                         (the live FILE is not counted); older ones are removed when
                         vigil starts and after each rotation (needs --record-rotate or
                         --record-max-size)
      --record-keep-for=DURATION  remove rotated files last written more than DURATION
                         ago (s, m, h, d: 7d keeps a week), likewise. Only regular files
                         of vigil's user that are recordings and have exactly the
                         rotated name are ever removed
      --replay=FILE      show a recording instead of the live system: the view (with
                         time keys) or, with -b, the batch output it would have printed
      --from=TIME, --to=TIME  replay only this span: YYYY-MM-DD[ HH:MM[:SS]],
                         HH:MM[:SS] (the first after the recording starts), or
                         +DURATION from its start; a span without samples is an error

Process inspector:
      --inspect=PID      print everything about one process once (implies -b):
                         identity (parents, ids, command line, exe, cwd, root, start,
                         tty, cgroup, namespaces), CPU (state, wchan, times, affinity,
                         policy, I/O priority, kernel stack), memory (RSS, PSS, USS,
                         shared, swap, top mappings), I/O, limits with current use,
                         open files (sockets with addresses and state), environment,
                         threads; what cannot be read says why. --format json: one
                         object. No such process: exit status 1

Prometheus endpoint:
      --listen=[ADDR:]PORT  serve GET /metrics (Prometheus text 0.0.4, or OpenMetrics
                         when the scraper asks for it; gzip when asked) on ADDR (default
                         127.0.0.1; IPv6 as [ADDR]:PORT) beside the view, -b or
                         --record; without -b and without a terminal vigil runs headless
                         (a service) until SIGTERM. The kernel's cumulative counters:
                         CPU, memory, swap, PSI, disks, file systems, network, sensors,
                         cgroups (at most 3 levels deep, 200 of them), and per process
                         I/O and CPU time for --export-top processes
      --export-top=N     the N processes most active in the last interval (storage
                         I/O, then CPU) get series (default 20; 0: none)
      --web-config=FILE  TLS and basic authentication for --listen, in the YAML of
                         Prometheus' exporter-toolkit (web.config.file): tls_server_config
                         (cert_file, key_file, client_auth_type, client_ca_file,
                         min_version, max_version), basic_auth_users (user: bcrypt hash),
                         http_server_config.headers; paths relative to FILE's directory.
                         Unknown keys are errors. With TLS, plain HTTP is refused

Sources:
      --proc-root=DIR    read processes from DIR instead of /proc
      --sys-root=DIR     read devices from DIR instead of /sys

  -h, --help             show this help and exit
      --version          show the version and exit

Columns: TID (PID with -P), PRIO, USER, DISK READ, DISK WRITE, SWAPIN, IO, COMMAND.
A value vigil cannot know is shown as '?', never as 0. Per-task I/O needs CAP_NET_ADMIN
(root) for taskstats; without it vigil reads /proc/PID/task/TID/io (no SWAPIN and IO).
SWAPIN and IO need delay accounting: sysctl kernel.task_delayacct=1.

Exit status: 0 success (also when the output pipe is closed, and q), 1 runtime error
(also nothing to replay), 2 bad command line or a file vigil may not use (not a
recording of this vigil, a directory, a device; an existing --csv-dir file), 3 the
recording is damaged (every intact sample was shown; stderr says where), 128+N ended by
signal N (a recording is finished first). Messages escape the values they quote.
)";
    // The overview's column lists come from the registries the tables are built with.
    text +=
        "\nOverview columns (as mpstat, free, iostat -x, df and sar -n DEV name them; kB = KiB):\n";
    static constexpr std::pair<TableKind, std::string_view> kTables[] = {
        {TableKind::cpu, "cpu"},
        {TableKind::mem, "mem"},
        {TableKind::psi, "psi"},
        {TableKind::disks, "disks"},
        {TableKind::fs, "fs"},
        {TableKind::net, "net"},
        {TableKind::temps, "sensors/temp"},
        {TableKind::fans, "sensors/fan"},
        {TableKind::batteries, "sensors/battery"},
        {TableKind::cgroups, "cgroups"}};
    for (const auto& [k, name] : kTables) {
        std::string line = fmt::format("  {:<16}", name);
        for (const ColumnSpec& c : table_columns(k))
            line += c.title.empty() ? std::string(" (Mem/Swap)") : " " + std::string(c.title);
        text += line + "\n";
    }
    text +=
        "  The cpu and mem titles also give load averages, running/blocked tasks, uptime,\n"
        "  context switches, interrupts, forks, swap-in/out pages and major faults per second.\n";
    // The key list is the key map's binding table, so it cannot drift from what the keys do.
    text += "\nKeys in the full-screen view (without -b):\n";
    for (const KeyBinding& k : key_bindings()) text += fmt::format("  {:<20} {}\n", k.keys, k.what);
    return text;
}

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
