#!/usr/bin/env bash
# Memory after a peak (issue 16 item 10), through the built binary: `vigil -b --record`
# sampling every second on this machine, then a peak of many threads (bench's thread_farm,
# E2E_PEAK_THREADS, default 20 000, for ~8 s), then the peak gone: vigil's resident memory
# (VmRSS) must come back within 2x of its steady figure before the peak, within 60 s
# (polled with that deadline). Prints the figures (steady, peak, how long it took). Under a
# sanitizer the memory is the sanitizer's: printed, not judged.
# Exits 77 (skipped) when not root (taskstats) or when thread_farm cannot make the threads.
# Usage: e2e_memory_peak.sh PATH/TO/vigil PATH/TO/thread_farm
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_memory_peak.sh PATH/TO/vigil PATH/TO/thread_farm}")
FARM=$(readlink -f "${2:?usage: e2e_memory_peak.sh PATH/TO/vigil PATH/TO/thread_farm}")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (taskstats)"; exit 77; }
threads=${E2E_PEAK_THREADS:-20000}
procs=20
tmp=$(mktemp -d)
vpid= fpid=
cleanup() {
    [ -n "$fpid" ] && kill "$fpid" 2>/dev/null
    [ -n "$vpid" ] && kill "$vpid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
sanitized=0
if ldd "$VIGIL" 2>/dev/null | grep -qE 'lib(a|ub)san'; then sanitized=1; fi

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$vpid/status" 2>/dev/null; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$vpid/status" 2>/dev/null; }
samples() { [ -s "$tmp/r.rec" ] && [ "$(stat -c %s "$tmp/r.rec")" -gt "$1" ]; }

"$VIGIL" -b --record "$tmp/r.rec" -d 1 -qqq </dev/null >/dev/null 2>"$tmp/err" &
vpid=$!
poll 20 samples 0 || { bad "vigil did not record" "$(cat "$tmp/err")"; exit 1; }
# Steady: the largest figure over 5 samples after the first few.
steady=0
end=$(($(now_us) + 8000000))
while [ "$(now_us)" -lt "$end" ]; do
    r=$(rss)
    [ "${r:-0}" -gt "$steady" ] && steady=$r
    sleep 0.5
done
echo "# steady: VmRSS $steady KiB with $(ls /proc | grep -c '^[0-9]') processes"

mkfifo "$tmp/in"
"$FARM" "$procs" $((threads / procs)) <"$tmp/in" >"$tmp/farm" 2>&1 &
fpid=$!
exec 3>"$tmp/in"
farm_up() { grep -q '^ready' "$tmp/farm" 2>/dev/null || ! kill -0 "$fpid" 2>/dev/null; }
poll 60 farm_up
if ! grep -q '^ready' "$tmp/farm"; then
    echo "SKIP: thread_farm could not make $threads threads: $(head -2 "$tmp/farm")"
    exit 77
fi
# The peak: vigil sees it for at least 8 samples.
start=$(stat -c %s "$tmp/r.rec")
end=$(($(now_us) + 8000000))
while [ "$(now_us)" -lt "$end" ]; do sleep 0.5; done
peak=$(hwm)
during=$(rss)
exec 3>&-
wait "$fpid"
fpid=
echo "# peak of $threads threads: VmHWM $peak KiB, VmRSS $during KiB at its end"
[ "$during" -gt $((steady * 2)) ] || echo "# (the peak did not double vigil's memory: the check below proves little)"

t0=$(now_us)
back() { [ "$(rss)" -le $((steady * 2)) ]; }
if poll 60 back; then
    took=$((($(now_us) - t0) / 1000000))
    msg="VmRSS back to $(rss) KiB (steady $steady KiB, peak $peak KiB) ${took} s after the peak"
    if [ "$sanitized" = 1 ]; then echo "# sanitizer build, not judged: $msg"; else ok "$msg"; fi
else
    msg="VmRSS still $(rss) KiB 60 s after the peak (steady $steady KiB, peak $peak KiB)"
    if [ "$sanitized" = 1 ]; then echo "# sanitizer build, not judged: $msg"; else bad "$msg"; fi
fi
kill -0 "$vpid" 2>/dev/null && ok "vigil still running" || bad "vigil ended" "$(cat "$tmp/err")"
echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
