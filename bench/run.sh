#!/usr/bin/env bash
# Benchmark: vigil against iotop-c, top -H and top on two thread farms: one whose threads
# sleep, and a busy one whose every thread wakes every 500 ms at a random phase (no process
# is ever idle: the worst case for vigil, which skips processes whose threads did not run).
# vigil runs with its default taskstats source and, when it loads here, --source=bpf.
#
#   bench/run.sh [--build DIR] [-n REFRESHES] [-d SECONDS] [--threads T] [--quick] [--idle]
#                [TASKS...]                      (default: 10000 tasks, 20 threads a process)
#
# For each TASKS and each farm it starts bench/thread_farm with TASKS/T processes of T
# threads, then runs every monitor in batch mode with -d SECONDS (default 0.2), output to a
# pipe that is drained, and reports per refresh:
#   CPU ms      (user+system of the monitor for -n N minus that for -n 1, over N-1: start-up
#               and the first sweeps cancel out; default -n 11), median of 3 runs
#   syscalls    per task on the machine, per refresh (perf stat raw_syscalls:sys_enter, or
#               strace -c -f where perf cannot count them), same difference
#   peak RSS    VmHWM of the -n N run
#   first out   wall ms from exec to the first byte of `-b -n 1 -d 0.01` (median of 3); it
#               includes two full sweeps and the 10 ms interval
# Every monitor runs on both farms in the same run, and each ratio is taken against iotop-c
# and top on the same farm. Then, on the sleeping farm, the full-screen view on a
# pseudo-terminal (bench/pty_run, 160x50): the wall ms from exec to the last byte of its
# first frame (median of 3; `frame ms`), and the in-process phase timings of bench_sampler.
# With --idle, also the CPU share of one core that the full-screen view takes over 60 s at 1 s
# refresh with ~300 tasks, for vigil and, when installed, htop and btop (run side by side; 3
# more minutes). Needs root (taskstats, iotop-c); takes about 8-10 minutes. Figures, not a
# pass/fail test.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=${VIGIL_BUILD:-$here/../build}
refreshes=11
interval=0.2
per_process=20
quick=0
idle=0
sizes=()
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        -n) refreshes=$2; shift 2 ;;
        -d) interval=$2; shift 2 ;;
        --threads) per_process=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --idle) idle=1; shift ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
[ "$refreshes" -ge 2 ] || { echo "run.sh: -n must be at least 2" >&2; exit 2; }

vigil=$build/vigil
farm=$build/bench/thread_farm
measure=$build/bench/measure
sampler=$build/bench/bench_sampler
pty_run=$build/bench/pty_run
for f in "$vigil" "$farm" "$measure" "$sampler" "$pty_run"; do
    [ -x "$f" ] || { echo "run.sh: $f not found; build first (ninja -C $build)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || echo "run.sh: not root: vigil falls back to /proc io and iotop-c cannot run" >&2

have_perf=0
if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -x, -- true >/dev/null 2>&1; then
    have_perf=1
fi
iotop=$(command -v iotop-c || true)
# --source=bpf falls back to taskstats with a notice on stderr when it cannot load.
have_bpf=0
"$vigil" -b -n 1 --source=bpf 2>&1 >/dev/null | grep -q "BPF source\|taskstats instead" || have_bpf=1
repeats=3
[ "$quick" -eq 1 ] && repeats=1

tmp=$(mktemp -d)
farm_pid=
cleanup() {
    [ -n "$farm_pid" ] && kill "$farm_pid" 2>/dev/null && wait "$farm_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# field NAME LINE: the value of NAME=... in a measure output line.
field() { sed -n "s/.*\\b$1=\\([-0-9.]*\\).*/\\1/p" <<<"$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }

# cpu_ms CMD...: median CPU ms of one run.
cpu_ms() {
    for _ in $(seq "$repeats"); do field cpu_ms "$("$measure" "$@" 2>/dev/null)"; done | median
}

# syscalls CMD...: system calls made by one run (all threads).
syscalls() {
    if [ "$have_perf" -eq 1 ]; then
        perf stat -e raw_syscalls:sys_enter -x, -o "$tmp/perf" -- "$@" >/dev/null 2>&1
        awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$tmp/perf"
    else
        strace -c -f -o "$tmp/strace" -- "$@" >/dev/null 2>&1
        awk '$NF == "total" { print $(NF - 2) }' "$tmp/strace"
    fi
}

start_farm() {  # PROCESSES THREADS [WAKE_MS]
    coproc FARM { exec "$farm" "$@"; }
    farm_pid=$FARM_PID
    local line
    if ! read -r -t 120 line <&"${FARM[0]}" || [ "${line%% *}" != ready ]; then
        echo "run.sh: the thread farm did not start" >&2
        exit 1
    fi
    sleep 0.5  # let the new threads settle
}

stop_farm() {
    exec {FARM[1]}>&-
    wait "$farm_pid" 2>/dev/null
    farm_pid=
}

count_tasks() { ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l; }

results=$tmp/results
: >"$results"

# bench FARM NAME TASKS CMD...: the monitor is CMD plus -n and -d arguments.
bench() {
    local farm_name=$1 name=$2 tasks=$3
    shift 3
    local n=$refreshes
    "$@" -n 1 -d "$interval" >/dev/null 2>&1  # warm-up: /proc dentries, page cache
    local many one rss_line rss s_many s_one first
    many=$(cpu_ms "$@" -n "$n" -d "$interval")
    one=$(cpu_ms "$@" -n 1 -d "$interval")
    rss_line=$("$measure" "$@" -n "$n" -d "$interval" 2>/dev/null)
    s_many=$(syscalls "$@" -n "$n" -d "$interval")
    s_one=$(syscalls "$@" -n 1 -d "$interval")
    first=$(for _ in $(seq "$repeats"); do
        field first_output_ms "$("$measure" "$@" -n 1 -d 0.01 2>/dev/null)"; done | median)
    awk -v farm="$farm_name" -v name="$name" -v tasks="$tasks" -v many="$many" -v one="$one" \
        -v n="$n" -v rss="$(field maxrss_kib "$rss_line")" -v sm="${s_many:-nan}" \
        -v so="${s_one:-nan}" -v first="$first" 'BEGIN {
            cpu = (many - one) / (n - 1); if (cpu < 0) cpu = 0
            sc = (sm - so) / (n - 1) / tasks
            printf "%s\t%s\t%d\t%.2f\t%.3f\t%.1f\t%.0f\n", farm, name, tasks, cpu, sc, rss / 1024, first
        }' >>"$results"
}

# monitors FARM TASKS: every monitor on the farm running now.
monitors() {
    local farm_name=$1 tasks=$2
    bench "$farm_name" "vigil" "$tasks" "$vigil" -b
    bench "$farm_name" "vigil -P" "$tasks" "$vigil" -b -P
    # The BPF task source (one iterator pass over every task), when it loads here.
    if [ "$have_bpf" -eq 1 ]; then
        bench "$farm_name" "vigil --source=bpf" "$tasks" "$vigil" -b --source=bpf
        bench "$farm_name" "vigil -P --source=bpf" "$tasks" "$vigil" -b -P --source=bpf
    fi
    if [ -n "$iotop" ]; then
        bench "$farm_name" "iotop-c" "$tasks" "$iotop" -b
        bench "$farm_name" "iotop-c -P" "$tasks" "$iotop" -b -P
    fi
    # Every column (CPU, memory, state, ...) per process against top's process mode.
    bench "$farm_name" "vigil -P --columns all" "$tasks" "$vigil" -b -P --columns all
    if command -v top >/dev/null; then
        bench "$farm_name" "top -H" "$tasks" top -H -b
        bench "$farm_name" "top" "$tasks" top -b
    fi
}

for size in "${sizes[@]}"; do
    threads=$per_process
    [ "$size" -lt "$threads" ] && threads=$size
    procs=$(( (size + threads - 1) / threads ))
    echo "== $size threads: $procs processes x $threads threads, sleeping" >&2
    start_farm "$procs" "$threads"
    tasks=$(count_tasks)
    monitors sleeping "$tasks"
    frame=$(for _ in $(seq "$repeats"); do
        field first_frame_ms "$("$pty_run" -- "$vigil" 2>/dev/null)"; done | median)
    echo "$tasks	$frame" >>"$tmp/frames"
    echo "-- in-process (bench_sampler -n $refreshes -d $interval), $tasks tasks" >>"$tmp/inproc"
    "$sampler" -n "$refreshes" -d "$interval" >>"$tmp/inproc" 2>&1
    "$sampler" -n "$refreshes" -d "$interval" -P >>"$tmp/inproc" 2>&1
    "$sampler" -n "$refreshes" -d "$interval" --proc-io >>"$tmp/inproc" 2>&1
    stop_farm

    echo "== $size threads: $procs processes x $threads threads, every thread waking every 500 ms" >&2
    start_farm "$procs" "$threads" 500
    tasks=$(count_tasks)
    monitors busy "$tasks"
    stop_farm
done

if [ "$idle" -eq 1 ]; then
    echo "== idle: ~300 tasks, full-screen view, 1 s refresh, 60 s" >&2
    start_farm 3 $(( ( 300 - $(count_tasks) ) / 3 > 1 ? ( 300 - $(count_tasks) ) / 3 : 1 ))
    tasks=$(count_tasks)
    mkdir -p "$tmp/btop/btop" && echo 'update_ms = 1000' >"$tmp/btop/btop/btop.conf"
    # Side by side: each measures its own CPU, and the machine is idle but for them.
    "$pty_run" --for 60 -- "$vigil" -d 1 >"$tmp/idle.vigil" 2>/dev/null &
    runs=($!)
    if command -v htop >/dev/null; then
        "$pty_run" --marker PID --for 60 -- htop -d 10 >"$tmp/idle.htop" 2>/dev/null &
        runs+=($!)
    fi
    if command -v btop >/dev/null; then
        XDG_CONFIG_HOME=$tmp/btop "$pty_run" --marker " " --for 60 -- btop >"$tmp/idle.btop" 2>/dev/null &
        runs+=($!)
    fi
    wait "${runs[@]}"
    stop_farm
fi

echo
echo "CPU per refresh, syscalls per task per refresh, peak RSS and first output"
echo "(batch mode, -d $interval, -n $refreshes minus -n 1; $(nproc) CPUs, Linux $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
awk -F'\t' '
    { farm[NR] = $1; name[NR] = $2; tasks[NR] = $3; cpu[NR] = $4; sc[NR] = $5; rss[NR] = $6
      first[NR] = $7; key = $1 "/" $3 "/" $2; ref[key] = $4 }
    END {
        printf "%-9s %-24s %7s %10s %11s %9s %10s %9s %10s\n", "farm", "program", "tasks",
               "CPU ms", "vs iotop-c", "vs top", "syscalls", "RSS MiB", "first ms"
        for (i = 1; i <= NR; i++) {
            procs = (name[i] ~ / -P( |$)/)
            at = farm[i] "/" tasks[i] "/"
            r = ref[at (procs ? "iotop-c -P" : "iotop-c")]
            ratio = (r > 0 && name[i] ~ /^vigil/) ? sprintf("%.1f %%", 100 * cpu[i] / r) : "-"
            t = ref[at (procs ? "top" : "top -H")]
            vs_top = (t > 0 && name[i] ~ /^vigil/) ? sprintf("%.2f", cpu[i] / t) : "-"
            printf "%-9s %-24s %7d %10.2f %11s %9s %10.3f %9.1f %10.0f\n", farm[i], name[i],
                   tasks[i], cpu[i], ratio, vs_top, sc[i], rss[i], first[i]
        }
    }' "$results"
echo
echo "farm: sleeping (threads that never wake) or busy (every thread wakes every 500 ms at a"
echo "random phase); vs iotop-c: CPU per refresh as a share of iotop-c's on the same farm (of"
echo "iotop-c -P's for -P rows); vs top: as a multiple of top -H's (of top's, in process mode,"
echo "for -P rows) on the same farm."
echo
echo "Full-screen view on a 160x50 pseudo-terminal: ms from exec to its first whole frame"
awk -F'\t' '{ printf "  %6d tasks: %8.1f ms\n", $1, $2 }' "$tmp/frames"
if [ "$idle" -eq 1 ]; then
    echo
    echo "Idle full-screen view, $tasks tasks, 1 s refresh: CPU over 60 s as a share of one core"
    for p in vigil htop btop; do
        [ -s "$tmp/idle.$p" ] && printf "  %-6s %7.3f %%  (%s ms)\n" "$p" \
            "$(field core_pct "$(cat "$tmp/idle.$p")")" "$(field cpu_ms "$(cat "$tmp/idle.$p")")"
    done
fi
echo
cat "$tmp/inproc"
