# Helpers shared by the end-to-end scripts, sourced at their top:
#     . "$(dirname "$0")/e2e_lib.sh"
# (meson passes each script by its path in the source tree, so dirname finds this file).
# Defines the pass/fail/skip counters and their lines, poll with a deadline, the tmux screen
# helpers, fio's rate check and the start of a headless vigil serving metrics. Nothing runs
# on sourcing but the counters' reset; a script sets S (its tmux session) before it uses
# screen/keys.

pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok   - $1"; }
# bad MESSAGE [DETAIL]: a failure, with DETAIL's first 30 lines below it. A script that sets
# E2E_BAD_SHOWS_SCREEN=1 also gets the tmux screen (its session S) after each failure.
bad() {
    fail=$((fail + 1))
    echo "FAIL - $1"
    if [ -n "${2:-}" ]; then echo "$2" | head -30; fi
    if [ -n "${E2E_BAD_SHOWS_SCREEN:-}" ]; then
        echo "----- screen:"
        screen
        echo "-----"
    fi
    return 0
}
skip() { skip=$((skip + 1)); echo "skip - $1"; }

# now_us: the wall clock in microseconds.
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"; }

# poll SECONDS CMD...: runs CMD every 50 ms until it succeeds (0) or SECONDS (whole) have
# passed (1). Every wait of the scripts polls for its condition: no fixed sleep decides a
# result.
poll() {
    local end=$(($(now_us) + $1 * 1000000))
    shift
    while :; do
        "$@" && return 0
        [ "$(now_us)" -ge "$end" ] && return 1
        sleep 0.05
    done
}

# fio_rate_run DIR NAME VIGIL-COMMAND...: iotop's accuracy check. Starts fio writing
# 20 MiB/s with O_DIRECT into DIR (job NAME), runs the vigil command (-b -k, one row per fio
# task) once fio writes, its output in $TMP/out and $TMP/err, and sets rates to each
# sample's busiest fio row's DISK WRITE in K/s (fio's parent process does no I/O). Returns 0
# when every sample after the first is within 2 % of 20480, 1 when not, 2 when fio itself
# failed (no O_DIRECT here). The caller removes fio's file.
fio_rate_run() {
    local dir=$1 name=$2
    shift 2
    fio --name="$name" --directory="$dir" --rw=write --bs=64k --direct=1 --rate=20m \
        --size=512m --time_based --runtime=12 --output=/dev/null >/dev/null 2>&1 &
    local fio_pid=$!
    # Measure once fio writes (its file grows); the first sample is not judged anyway.
    poll 10 test -s "$dir/$name.0.0"
    "$@" >"$TMP/out" 2>"$TMP/err"
    wait "$fio_pid" || return 2
    mapfile -t rates < <(awk '
        /^Total DISK READ/ { s++ }
        /fio/ { n = 0; for (i = 1; i <= NF; i++) if ($i == "K/s" && ++n == 2 && $(i-1) + 0 > max[s]) max[s] = $(i-1) + 0 }
        END { for (k = 1; k <= s; k++) printf "%.2f\n", max[k] }' "$TMP/out")
    local good=0 total=0 r
    for r in "${rates[@]:1}"; do
        total=$((total + 1))
        if awk -v r="$r" 'BEGIN { exit !(r >= 20070.4 && r <= 20889.6) }'; then good=$((good + 1)); fi
    done
    [ "$total" -ge 2 ] && [ "$good" -eq "$total" ]
}

# The curses view in tmux, session S (a private server: the script exports TMUX_TMPDIR).
screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
keys() { tmux send-keys -t "$S" "$@"; }
shows() { screen | grep -qF -- "$1"; }
# wait_for TEXT [SECONDS]: polls the screen until TEXT (a fixed string) shows; 5 s unless
# the script sets E2E_WAIT.
wait_for() { poll "${2:-${E2E_WAIT:-5}}" shows "$1"; }

# cgroup2_root: prints where the cgroup v2 hierarchy is mounted; 1 without one.
cgroup2_root() {
    local r
    for r in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        [ -e "$r/cgroup.controllers" ] && { echo "$r"; return 0; }
    done
    return 1
}

# serve ERRFILE COMMAND...: starts COMMAND (a vigil given --listen) in the background, its
# stdin /dev/null, its stdout discarded, its stderr in ERRFILE; sets vpid to its PID, then
# waits (10 s at most, less if it ends) for its "serving metrics at URL" line and sets url
# (empty, and returns 1, without one).
serve() {
    local err=$1
    shift
    "$@" </dev/null >/dev/null 2>"$err" &
    vpid=$!
    url=
    local end=$(($(now_us) + 10000000))
    while [ "$(now_us)" -lt "$end" ]; do
        url=$(sed -n 's/.*serving metrics at \(http[^ ]*\).*/\1/p' "$err" 2>/dev/null)
        [ -n "$url" ] && return 0
        kill -0 "$vpid" 2>/dev/null || break
        sleep 0.05
    done
    url=$(sed -n 's/.*serving metrics at \(http[^ ]*\).*/\1/p' "$err" 2>/dev/null)
    [ -n "$url" ]
}
