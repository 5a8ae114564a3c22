// vigil --help: the options, the overview's columns (from the tables' registries) and the
// view's keys (from the key map), so the lists cannot drift from what vigil does.
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

#include "vigil/app/options.hpp"
#include "vigil/model/columns.hpp"
#include "vigil/model/table.hpp"
#include "vigil/ui/keymap.hpp"

namespace vigil {

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
  -k, --kilobytes        always show K (KiB) instead of choosing a unit (text); the
                         view's device panes then show iostat's raw kB/s
  -t, --time             start every line with the time (HH:MM:SS) (text)
  -q, --quiet            -q: column names once; -qq: never; -qqq: no summary lines either
                         (text)
      --no-color         no colours (also when NO_COLOR is set)

Recording and replay:
      --record=FILE      also append every sample to FILE (compressed, crash-safe; an
                         existing recording gets a new session, never overwritten); with
                         the view or with -b. Every overview section is recorded. The
                         view's status line shows REC, FILE's name and its size now
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
      --follow           with --replay: follow FILE as it is written (tail -f): start at
                         its last sample (--from: there) and show each new one as the
                         writer appends it, polling at the recorded interval; a frame
                         being written is waited for. After a rotation it goes on in the
                         new FILE; -b ends when the writer closes FILE. The view shows
                         FOLLOW; F follows again after , . [ ] g or Space left it

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
      --source=SOURCE    per-thread counters from: taskstats (default: netlink, one
                         request per thread), bpf (a BPF task iterator reads every
                         thread in one pass; needs CAP_BPF and CAP_PERFMON, else
                         taskstats with a notice) or auto (bpf when it loads, else
                         taskstats)

  -h, --help             show this help and exit
      --version          show the version and exit

Columns: TID (PID with -P), PRIO, USER, DISK READ, DISK WRITE, SWAPIN, IO, COMMAND.
PRIO and NI are read for the rows shown and kept: a value shown is at most one refresh
or 2 s old, whichever is longer (vigil's own ionice and renice show at once).
A value vigil cannot know is shown as '?', never as 0. Per-task I/O needs CAP_NET_ADMIN
(root) for taskstats; without it vigil reads /proc/PID/task/TID/io (no SWAPIN and IO).
SWAPIN and IO need delay accounting: sysctl kernel.task_delayacct=1. Without it the
view leaves them out (unless --columns names them) and sorts by DISK WRITE.

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

}  // namespace vigil
