#!/usr/bin/env bash
# vigil's resources under hostile input (issue 11): a proc root holding a FIFO and
# /dev/zero, a process with a 1 MB command line and 100 threads, and 1 200 processes under
# an open file limit of 256. Each run is bounded in time by timeout(1), so a hang fails
# the test instead of stalling it.
# Usage: e2e_resources.sh PATH/TO/vigil
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_resources.sh PATH/TO/vigil}")
HERE=$(cd "$(dirname "$0")" && pwd)
FIX="$HERE/fixtures/proc"
TMP=$(mktemp -d)
pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok   - $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | head -20; }
skip() { skip=$((skip + 1)); echo "skip - $1"; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- a proc root holding a FIFO and /dev/zero: bounded time, every task shown, the refusal said
tree=$TMP/proc-hostile
cp -r "$FIX/t0" "$tree"
rm "$tree/100/cmdline" "$tree/300/cmdline" "$tree/300/task/300/io" "$tree/vmstat"
mkfifo "$tree/100/cmdline" "$tree/300/task/300/io"
ln -s /dev/zero "$tree/300/cmdline"
ln -s /dev/zero "$tree/vmstat"
timeout 20 "$VIGIL" -b -n 1 -d 0.05 --proc-root "$tree" >"$TMP/out" 2>"$TMP/err" </dev/null
st=$?
if [ "$st" -eq 0 ] && grep -qE '^ +100 .* \[my \(weird\) app\]$' "$TMP/out" \
    && grep -qE '^ +300 .* \[evil' "$TMP/out" && grep -qE '^ +101 ' "$TMP/out" \
    && grep -qF "$tree/" "$TMP/err" && grep -qF 'not a regular file' "$TMP/err"; then
    ok "--proc-root with a FIFO and /dev/zero: done in bounded time, tasks shown, refusal said"
else
    bad "--proc-root with a FIFO and /dev/zero (status $st; 124: it hung)" "$(cat "$TMP/err" "$TMP/out")"
fi

# --- a 1 MB command line in a process of 100 threads: one bounded cell per row
# python3 runs vigil and reports its peak resident memory (ru_maxrss of the child) and the
# largest sample of its output; MAX_ARG_STRLEN is 128 KiB, so the megabyte is 10 arguments.
if ! command -v python3 >/dev/null; then
    skip "1 MB command line: python3 is not installed"
else
    arg=$(head -c 100000 /dev/zero | tr '\0' x)
    # One line, so the command line holds nothing the escape lengthens: its first 4096 bytes
    # are what each row shows.
    python3 -c 'import threading, time; [threading.Thread(target=time.sleep, args=(120,), daemon=True).start() for _ in range(99)]; time.sleep(120)' \
        "$arg" "$arg" "$arg" "$arg" "$arg" "$arg" "$arg" "$arg" "$arg" "$arg" &
    big=$!
    pids+=("$big")
    for _ in $(seq 1 100); do
        [ "$(awk '/^Threads:/ { print $2 }' "/proc/$big/status" 2>/dev/null)" = 100 ] && break
        sleep 0.1
    done
    cmdline_bytes=$(wc -c <"/proc/$big/cmdline")
    python3 - "$VIGIL" "$TMP/big.out" "$TMP/big.err" "$big" "$cmdline_bytes" >"$TMP/big.report" <<'PY'
import re, resource, subprocess, sys
vigil, out, err, pid, length = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
with open(out, "wb") as o, open(err, "wb") as e:
    st = subprocess.run([vigil, "-b", "-n", "2", "-d", "0.5"], stdout=o, stderr=e,
                        stdin=subprocess.DEVNULL, timeout=120).returncode
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
text = open(out, "rb").read()
samples = re.split(rb"^(?=Total DISK READ)", text, flags=re.M)[1:]
largest = max((len(s) for s in samples), default=0)
# The process's rows (its 100 threads): the command line cut to 4096 bytes of escaped
# text, then the marker with the bytes not shown (the last NUL is no part of the text).
rows = [l for l in text.splitlines() if b"xxxxxxxxxx" in l]
want = ("...[+%d bytes]" % (length - 1 - 4096)).encode()
marked = sum(1 for l in rows if l.endswith(want))
longest_row = max((len(l) for l in rows), default=0)
print(st, rss_kib, len(samples), largest, len(rows), marked, longest_row)
PY
    read -r st rss_kib nsamples largest nrows marked longest_row <"$TMP/big.report"
    figures="peak RSS $((rss_kib / 1024)) MiB, largest sample $((largest / 1024)) KiB, $nrows rows of the process, longest $longest_row bytes, $marked with the marker"
    if [ "$st" -eq 0 ] && [ "$nsamples" -eq 2 ] && [ "$rss_kib" -lt $((128 * 1024)) ] \
        && [ "$largest" -lt $((16 * 1024 * 1024)) ] && [ "$nrows" -ge 100 ] && [ "$marked" -eq "$nrows" ]; then
        ok "1 MB command line, 100 threads: $figures"
    else
        bad "1 MB command line, 100 threads (status $st): $figures" "$(head -c 300 "$TMP/big.err")"
    fi
    # A recording keeps the count of bytes not read: the replay prints the same marker.
    timeout 60 "$VIGIL" -b -n 2 -d 0.3 -p "$big" --record "$TMP/big.vgl" >"$TMP/live.txt" 2>/dev/null </dev/null
    timeout 60 "$VIGIL" -b -p "$big" --replay "$TMP/big.vgl" >"$TMP/replay.txt" 2>/dev/null </dev/null
    if grep -qF "...[+$((cmdline_bytes - 1 - 4096)) bytes]" "$TMP/replay.txt" && cmp -s "$TMP/live.txt" "$TMP/replay.txt"; then
        ok "1 MB command line: -b --replay prints what the live run printed, marker included"
    else
        bad "1 MB command line: the replay differs from the live run" "$(diff "$TMP/live.txt" "$TMP/replay.txt" | cut -c1-200 | head -8)"
    fi
    kill "$big" 2>/dev/null
fi

# --- 1 200 processes under an open file limit of 256 (soft and hard: it cannot be raised)
# vigil keeps a descriptor per process while it can; past the limit it must open and close
# instead, never take "too many open files" for "the process is gone".
sleepers=()
for i in $(seq 1 1200); do
    bash -c 'exec -a vigil-fd-sleeper sleep 600' &
    sleepers+=($!)
done
pids+=("${sleepers[@]}")
for _ in $(seq 1 100); do
    # Every one has exec'd (its command line is the sleeper's, not bash's).
    n=0
    for p in "${sleepers[@]}"; do
        grep -q '^vigil-fd-sleeper' "/proc/$p/cmdline" 2>/dev/null && n=$((n + 1))
    done
    [ "$n" -eq 1200 ] && break
    sleep 0.1
done
( ulimit -n 256 && exec timeout 60 "$VIGIL" -b -P -n 2 -d 0.5 ) >"$TMP/fd.out" 2>"$TMP/fd.err" </dev/null
st=$?
printf '%s\n' "${sleepers[@]}" >"$TMP/sleepers"
# The last sample's rows that are sleepers, by PID, with their command line.
listed=$(awk '/^Total DISK READ/ { s++ } s == 2 && $NF == "600" && $(NF-1) == "vigil-fd-sleeper" { print $1 }' "$TMP/fd.out" \
    | sort -u | comm -12 - <(sort -u "$TMP/sleepers") | wc -l)
if [ "$st" -eq 0 ] && [ "$listed" -eq 1200 ] && [ "$(grep -c 'file descriptors' "$TMP/fd.err")" -eq 1 ]; then
    ok "ulimit -n 256, 1 200 processes: all listed with their command line, the degradation said once"
else
    bad "ulimit -n 256, 1 200 processes: status $st, $listed of 1200 sleepers listed with their command line" "$(cat "$TMP/fd.err")"
fi
kill "${sleepers[@]}" 2>/dev/null

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
