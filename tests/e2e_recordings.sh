#!/usr/bin/env bash
# Crafted recordings through the built binary (issue 11): what --replay costs, in memory and
# time, for files made to hurt a reader. tests/tools/hostile_recording writes them:
#   - amplifying: tasks of four bytes each repeating a 1 MiB command line (the old reader
#     took 9.5 GB for 500 bytes): peak RSS < 256 MiB whatever the count, and a count too
#     large for the decode bound is damage (status 3), not an allocation;
#   - fake frame markers, each claiming a payload to the end of the file (quadratic for the
#     old reader: 4 MiB took ~20 min): 4 MiB opens in seconds, and 4 times the file costs
#     at most ~8 times the time (linear, with room for a busy machine);
#   - a session interval of inf, 1e7, -1 or nan: damage said, samples printed, and the
#     replay view, playing, sleeps in poll instead of spinning.
# Every run is bounded by timeout(1); waits poll for their condition with a deadline.
# Usage: e2e_recordings.sh PATH/TO/vigil PATH/TO/hostile_recording
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_recordings.sh PATH/TO/vigil PATH/TO/hostile_recording}")
MAKE=$(readlink -f "${2:?usage: e2e_recordings.sh PATH/TO/vigil PATH/TO/hostile_recording}")
TMP=$(mktemp -d)
pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok   - $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | head -20; }
skip() { skip=$((skip + 1)); echo "skip - $1"; }
export TMUX_TMPDIR=$TMP
cleanup() {
    tmux kill-server 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
# Under AddressSanitizer (scripts/dev test's second build) resident memory also holds the
# shadow and the quarantine of freed blocks: a small quarantine, and twice the bound. The
# normal build checks the bound itself.
limit_mib=256
if ldd "$VIGIL" 2>/dev/null | grep -q libasan; then
    limit_mib=512
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
fi

# replay FILE ARGS...: runs vigil -b --replay FILE ARGS (stdout counted, not kept) and prints
# "status peak_rss_kib seconds stdout_bytes"; its stderr goes to $TMP/err.
replay() {
    python3 - "$VIGIL" "$TMP/err" "$@" <<'PY'
import resource, subprocess, sys, time
vigil, err, path, *args = sys.argv[1:]
t0 = time.monotonic()
with open(err, "w") as e:
    p = subprocess.Popen([vigil, "-b", "--replay", path, *args], stdout=subprocess.PIPE,
                         stderr=e, stdin=subprocess.DEVNULL)
    n = 0
    while chunk := p.stdout.read(1 << 20):
        n += len(chunk)
    try:
        st = p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        st = 124
took = time.monotonic() - t0
print(st, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, f"{took:.3f}", n)
PY
}

# --- amplifying samples
for tasks in 8192 30000 500000; do
    f=$TMP/amp$tasks.vgl
    "$MAKE" amplify "$f" "$tasks" 1048576 || { bad "hostile_recording amplify $tasks failed"; continue; }
    size=$(stat -c %s "$f")
    read -r st rss took bytes < <(replay "$f")
    figures="$size-byte file, status $st, peak RSS $((rss / 1024)) MiB, $took s, $((bytes >> 20)) MiB printed"
    if [ "$tasks" -le 30000 ]; then
        # Under the bound: every sample printed (the rows of two samples, each line cut to 4 KiB).
        want_st=0
        ok_out=$([ "$bytes" -gt $((tasks * 4096 * 2)) ] && echo 1 || echo 0)
    else
        # Over it: damage, said in one line naming the bound; the normal samples after it print.
        want_st=3
        ok_out=$(grep -q 'more than [0-9]* MiB of memory' "$TMP/err" && [ "$bytes" -gt 0 ] && echo 1 || echo 0)
    fi
    if [ "$st" -eq "$want_st" ] && [ "$rss" -lt $((limit_mib * 1024)) ] && [ "$ok_out" = 1 ]; then
        ok "amplifying recording, $tasks tasks of a 1 MiB command line: $figures"
    else
        bad "amplifying recording, $tasks tasks: $figures (want status $want_st, < $limit_mib MiB)" "$(cat "$TMP/err")"
    fi
done

# --- fake frame markers: linear resynchronisation
"$MAKE" markers "$TMP/m1.vgl" $((1 << 20)) && "$MAKE" markers "$TMP/m4.vgl" $((4 << 20))
read -r st1 _ took1 bytes1 < <(replay "$TMP/m1.vgl")
read -r st4 rss4 took4 bytes4 < <(replay "$TMP/m4.vgl")
skipped=$(grep -o '[0-9]* bytes skipped' "$TMP/err" | head -1)
# Linear: 4x the bytes in at most 8x the time (+0.5 s for start-up noise); the old reader's
# 1 MiB alone took 72 s.
if [ "$st1" -eq 3 ] && [ "$st4" -eq 3 ] && [ "$bytes4" -gt 0 ] && [ -n "$skipped" ] \
    && python3 -c "import sys; t1, t4 = map(float, sys.argv[1:]); sys.exit(0 if t4 < 10 and t4 <= 8 * t1 + 0.5 else 1)" "$took1" "$took4"; then
    ok "4 MiB of fake frame markers: $took4 s (1 MiB: $took1 s), peak RSS $((rss4 / 1024)) MiB, $skipped, samples after it printed"
else
    bad "fake frame markers: status $st1/$st4, 1 MiB $took1 s, 4 MiB $took4 s, printed $bytes4" "$(cat "$TMP/err")"
fi

# --- impossible intervals: damage said, samples kept
for interval in inf 1e7 -1 nan; do
    "$MAKE" interval "$TMP/i.vgl" "$interval"
    read -r st _ took bytes < <(replay "$TMP/i.vgl")
    if [ "$st" -eq 3 ] && grep -q 'impossible interval' "$TMP/err" && [ "$bytes" -gt 0 ]; then
        ok "session interval $interval: damage said, samples printed ($took s)"
    else
        bad "session interval $interval: status $st, $bytes bytes printed" "$(cat "$TMP/err")"
    fi
done

# --- the replay view playing a recording whose interval is inf: it waits, it does not spin
if ! command -v tmux >/dev/null; then
    skip "replay view with an infinite interval: tmux is not installed"
else
    "$MAKE" interval "$TMP/inf.vgl" inf
    tmux new-session -d -s rec -x 120 -y 30 "exec '$VIGIL' --replay '$TMP/inf.vgl' 2>'$TMP/view.err'"
    pid=$(tmux display -p -t rec '#{pane_pid}')
    up=0
    for _ in $(seq 1 100); do
        tmux capture-pane -p -t rec | grep -q 'replay' && { up=1; break; }
        sleep 0.1
    done
    tmux send-keys -t rec ' '  # play
    # CPU ticks (utime + stime) over two seconds of playing; the old view spun: ~190.
    ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null; }
    t0=$(ticks)
    sleep 2
    t1=$(ticks)
    tmux send-keys -t rec q
    used=$(( ${t1:-0} - ${t0:-0} ))
    if [ "$up" = 1 ] && [ -n "$t0" ] && [ -n "$t1" ] && [ "$used" -lt 40 ]; then
        ok "replay view playing an inf interval: $used CPU ticks in 2 s (spinning: ~190)"
    else
        bad "replay view playing an inf interval: view up $up, $used CPU ticks in 2 s" "$(cat "$TMP/view.err" 2>/dev/null)"
    fi
    tmux kill-server 2>/dev/null
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
