#!/usr/bin/env bash
# Churn and soak of the real binary (issue: robustness).
#   churn: hundreds of short-lived processes and threads per second, plus a direct-I/O
#          writer, while vigil samples every 0.1 s: no crash, no negative or absurd rate, no
#          task shown twice in a sample, and each sample's Total equals the sum of its rows.
#   soak:  SOAK_SAMPLES samples (default 20000) at 0.01 s under the same churn: resident
#          memory and open descriptors stop growing after warm-up; both are printed over time.
# Usage: churn_soak.sh PATH/TO/vigil   (SOAK_SAMPLES=0 skips the soak)
set -u
VIGIL=$(readlink -f "${1:?usage: churn_soak.sh PATH/TO/vigil}")
SOAK_SAMPLES=${SOAK_SAMPLES:-20000}
TMP=$(mktemp -d /var/tmp/vigil-churn.XXXXXX)
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to check the output"; exit 77; }

# Churn: short-lived processes (fork + exec) and short-lived threads, 1-20 ms each.
( while :; do
      for _ in 1 2 3 4 5 6 7 8 9 10; do /bin/sleep 0.0$((RANDOM % 2))$((RANDOM % 9 + 1)) & done
      wait
  done ) &
pids+=($!)
python3 - <<'PY' &
import random, threading, time
def worker():
    time.sleep(random.uniform(0.001, 0.02))
end = time.time() + 3600
while time.time() < end:
    ts = [threading.Thread(target=worker) for _ in range(20)]
    for t in ts: t.start()
    for t in ts: t.join()
PY
pids+=($!)
# A writer doing real direct I/O, so rates are not all zero.
( while :; do dd if=/dev/zero of="$TMP/w" bs=64k count=64 oflag=direct status=none 2>/dev/null || exit; sleep 0.05; done ) &
pids+=($!)
# Until the load runs (the writer has written): a poll, not a fixed sleep. (The sleeps left in
# this script pace the load generators and the soak's memory readings; none decides a result.)
for _ in $(seq 1 200); do [ -s "$TMP/w" ] && break; sleep 0.05; done

# --- churn: 100 samples at 0.1 s, all rows, KiB/s, no column titles
"$VIGIL" -b -d 0.1 -n 100 -k -qq >"$TMP/churn.txt" 2>"$TMP/churn.err"
st=$?
if [ "$st" -eq 0 ]; then ok "100 samples at 0.1 s under churn: status 0"; else bad "churn run: status $st: $(head -3 "$TMP/churn.err")"; fi
python3 - "$TMP/churn.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
samples = re.split(r"^(?=Total DISK READ)", text, flags=re.M)[1:]
problems = []
absurd = 20 * 1024 * 1024  # K/s: 20 GiB/s, far above anything this machine can write
rows_seen = 0
for n, s in enumerate(samples, 1):
    lines = s.splitlines()
    m = re.match(r"Total DISK READ:\s+([\d.]+) K/s \| Total DISK WRITE:\s+([\d.]+) K/s", lines[0])
    if not m:
        problems.append(f"sample {n}: bad summary {lines[0]!r}"); continue
    tot_r, tot_w = float(m.group(1)), float(m.group(2))
    tids, sum_r, sum_w = set(), 0.0, 0.0
    for line in lines[2:]:
        f = line.split()
        if len(f) < 8: continue
        tid = f[0]
        if tid in tids: problems.append(f"sample {n}: TID {tid} shown twice")
        tids.add(tid)
        vals = []
        for i in (3, 5):
            if f[i] == "?": vals.append(None); continue
            v = float(f[i])
            if v < 0 or v > absurd: problems.append(f"sample {n}: TID {tid} absurd rate {v} K/s")
            vals.append(v)
        sum_r += vals[0] or 0; sum_w += vals[1] or 0
        rows_seen += 1
    # Each row is rounded to 0.01 K/s: the totals agree within that per row.
    slack = 0.01 * len(tids) + 0.02
    if abs(sum_r - tot_r) > slack or abs(sum_w - tot_w) > slack:
        problems.append(f"sample {n}: rows sum to {sum_r:.2f}/{sum_w:.2f} K/s, totals say {tot_r:.2f}/{tot_w:.2f}")
print(f"churn: {len(samples)} samples, {rows_seen} rows checked, {len(problems)} problems")
for p in problems[:10]: print("  " + p)
sys.exit(1 if problems or len(samples) != 100 else 0)
PY
if [ $? -eq 0 ]; then ok "no task twice, no negative or absurd rate, totals equal the sum of rows"; else bad "churn output checks"; fi

# --- PID reuse: the same churn in a PID namespace whose pid_max is 400 (Linux 6.14+ keeps
# pid_max per namespace), so PIDs come round again within a second. vigil runs inside and
# sees only the namespace's tasks: a reused PID must never carry the old task's counters
# into a rate, so no sample's task writes may exceed what the disks wrote.
reuse_ok=0
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
    echo "skip - PID reuse churn: needs root and unshare"
elif ! unshare --pid --fork --mount-proc sh -c 'echo 400 >/proc/sys/kernel/pid_max' 2>/dev/null; then
    echo "skip - PID reuse churn: this kernel has no per-namespace pid_max (Linux 6.14+)"
else
    reuse_ok=1
fi
if [ "$reuse_ok" -eq 1 ]; then
    unshare --pid --fork --mount-proc env VIGIL="$VIGIL" TMP="$TMP" bash -c '
        echo 400 >/proc/sys/kernel/pid_max
        ( n=0; while :; do
              for _ in 1 2 3 4 5 6 7 8 9 10; do /bin/sleep 0.0$((RANDOM % 2))$((RANDOM % 9 + 1)) & done
              wait; n=$((n + 10)); echo "$n" >"$TMP/forks"
          done ) &
        ( while :; do dd if=/dev/zero of="$TMP/w2" bs=64k count=64 oflag=direct status=none || exit; done ) &
        # Until both loads run.
        for _ in $(seq 1 200); do [ -s "$TMP/w2" ] && [ -s "$TMP/forks" ] && break; sleep 0.05; done
        "$VIGIL" -b -d 0.1 -n 100 --format json --show disks,tasks >"$TMP/reuse.json" 2>"$TMP/reuse.err"
        echo $? >"$TMP/reuse.status"
        # (this shell is the namespace'"'"'s init: when it exits, the kernel ends the rest)' >/dev/null 2>&1
    python3 - "$TMP/reuse.json" "$(cat "$TMP/reuse.status" 2>/dev/null)" "$(cat "$TMP/forks" 2>/dev/null)" <<'PY'
import json, sys
path, status, forks = sys.argv[1], sys.argv[2], sys.argv[3] or "0"
problems, samples, rows, max_tid = [], 0, 0, 0
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    s = json.loads(line)
    samples += 1
    tids = [t["tid"] for t in s["tasks"]]
    rows += len(tids)
    max_tid = max([max_tid] + tids)
    if len(tids) != len(set(tids)):
        problems.append(f"sample {n}: a TID shown twice")
    if n == 1:
        continue  # the first sample has no interval: no rates
    disk_w = sum(d["write_bytes_per_s"] or 0 for d in s["disks"])
    task_w = sum(t["write_bytes_per_s"] or 0 for t in s["tasks"])
    for t in s["tasks"]:
        for k in ("read_bytes_per_s", "write_bytes_per_s"):
            if t[k] is not None and t[k] < 0:
                problems.append(f"sample {n}: TID {t['tid']} negative {k}")
    # A request in flight at each end of the interval: 64 KiB each way.
    if task_w > disk_w * 1.02 + 2 * 65536 / s["interval_s"]:
        problems.append(f"sample {n}: tasks wrote {task_w:.0f} B/s, the disks {disk_w:.0f} B/s")
print(f"PID reuse: {samples} samples, {rows} rows, {forks} forks with pid_max 400 "
      f"(highest TID seen {max_tid}), {len(problems)} problems")
for p in problems[:10]: print("  " + p)
sys.exit(0 if status == "0" and samples == 100 and int(forks) > 800 and not problems else 1)
PY
    if [ $? -eq 0 ]; then
        ok "PID reuse (pid_max 400): no TID twice, no task wrote more than the disks did"
    else
        bad "PID reuse churn (status $(cat "$TMP/reuse.status" 2>/dev/null)): $(head -3 "$TMP/reuse.err")"
    fi
fi

# --- soak
if [ "$SOAK_SAMPLES" -gt 0 ]; then
    # Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) before
    # reuse, which reads as RSS growth for the first few hundred MiB of allocations. A small
    # quarantine keeps the use-after-free checks and lets a real leak show (the variable is
    # ignored by a build without the sanitizer).
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64" \
        "$VIGIL" -b -d 0.01 -n "$SOAK_SAMPLES" -P -qqq -o >/dev/null 2>"$TMP/soak.err" &
    vpid=$!
    echo "soak: $SOAK_SAMPLES samples at 0.01 s; time, resident memory, open descriptors:"
    t0=$(date +%s)
    : >"$TMP/soak.tsv"
    while kill -0 "$vpid" 2>/dev/null; do
        rss=$(awk '/^VmRSS/ {print $2}' /proc/$vpid/status 2>/dev/null)
        fds=$(ls /proc/$vpid/fd 2>/dev/null | wc -l)
        [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )) $rss $fds" >>"$TMP/soak.tsv"
        sleep 2
    done
    wait "$vpid"
    st=$?
    awk '{ printf "  %4ds  %6d KiB  %3d fds\n", $1, $2, $3 }' "$TMP/soak.tsv" | awk 'NR % 5 == 1'
    if [ "$st" -ne 0 ]; then
        bad "soak: status $st: $(head -3 "$TMP/soak.err")"
    elif python3 - "$TMP/soak.tsv" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
if len(rows) < 8: print("soak: too few readings"); sys.exit(1)
# Warm-up is the first quarter; the second quarter sets the level (vigil keeps a directory
# descriptor per live process, so the count follows the churn up and down); the second
# half must stay within it. A leak grows with the sample count, past any such band.
q = len(rows) // 4
level = rows[q:2 * q]
late = rows[2 * q:]
rss_level = max(r[1] for r in level)
fds_level = max(r[2] for r in level)
rss_late = max(r[1] for r in late)
fds_late = max(r[2] for r in late)
print(f"soak: after warm-up RSS up to {rss_level} KiB and {fds_level} fds; "
      f"second half up to {rss_late} KiB and {fds_late} fds")
ok = rss_late <= rss_level * 1.10 + 1024 and fds_late <= fds_level * 1.2 + 10
sys.exit(0 if ok else 1)
PY
    then
        ok "soak: memory and descriptors stop growing after warm-up"
    else
        bad "soak: growth after warm-up"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
