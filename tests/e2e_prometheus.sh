#!/usr/bin/env bash
# The Prometheus endpoint with the real engine (issue 15, item 5): Debian's prometheus on
# loopback scrapes a headless `vigil --listen` every second while fio writes 16 MiB/s with
# O_DIRECT to a file, and PromQL over the HTTP API must give
#   - rate(vigil_disk_written_bytes_total{device="DISK"}[10s]) within 3 % of 16 MiB/s, on
#     three queries in a row, DISK being the block device under the file's file system
#     (derived from the file's st_dev through /sys/dev/block, never spelled here);
#   - a per-process series of fio (vigil_process_write_bytes_total{comm="fio"}) at
#     16 MiB/s within 5 %, labelled with the cgroup fio runs in;
#   - the cgroup's write counter (io.stat's vigil_cgroup_io_written_bytes_total, or
#     vigil_cgroup_tasks_written_bytes_total without the io controller) at 16 MiB/s
#     within 5 %.
# The file is on a fresh ext4 on a loop device, so that no other writer of the machine
# moves the disk's figure; VIGIL_E2E_DIR=/var/tmp (a directory on a disk-backed file
# system) runs it on that file system's disk instead (vda on the issue's machine; it
# needs a disk nobody else writes to). vigil samples every 0.25 s: a scrape serves the
# last sample, so a sample period as long as the scrape's puts up to a period of jitter
# in a 10 s window (rate() divides by the scrapes' times, not the samples').
# Root only (a loop device, a cgroup, fio's /proc/PID/io); exits 77 (skipped) without
# root, prometheus, fio, curl or python3. Waits poll for their condition with a deadline.
# Usage: e2e_prometheus.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_prometheus.sh PATH/TO/vigil}")

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a loop device, a cgroup, fio's /proc/PID/io)"; exit 77; }
for c in prometheus fio curl python3; do
    command -v "$c" >/dev/null || { echo "SKIP: $c is not installed (scripts/dev installs it)"; exit 77; }
done

RATE=$((16 * 1024 * 1024))
tmp=$(mktemp -d /var/tmp/vigil-e2e-prom.XXXXXX)
vpid= ppid_= fio_pid= loopdev= mnt= cg= tmp_extra=
cleanup() {
    [ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null
    [ -n "$ppid_" ] && kill "$ppid_" 2>/dev/null
    [ -n "$vpid" ] && kill "$vpid" 2>/dev/null
    wait 2>/dev/null
    if [ -n "$cg" ]; then
        for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
    fi
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    [ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
    rm -rf "$tmp"
    [ -n "$tmp_extra" ] && rm -rf "$tmp_extra"
}
trap cleanup EXIT

# --- the file and its disk
if [ -n "${VIGIL_E2E_DIR:-}" ]; then
    dir=$(mktemp -d "$VIGIL_E2E_DIR/vigil-e2e-prom.XXXXXX") || exit 1
    tmp_extra=$dir
elif command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null &&
    truncate -s 400M "$tmp/disk.img" && loopdev=$(losetup --find --show "$tmp/disk.img" 2>/dev/null) &&
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$loopdev" && mkdir "$tmp/mnt" && mount "$loopdev" "$tmp/mnt"; then
    mnt=$tmp/mnt
    dir=$mnt
else
    echo "note: no loop device; the file is on the disk under $tmp"
    dir=$tmp
fi
file=$dir/fio.dat
# Written whole first: fio then overwrites allocated blocks, with no metadata to change.
dd if=/dev/zero of="$file" bs=1M count=256 oflag=direct status=none || { bad "cannot write $file"; exit 1; }
# The block device under the file system: the file's st_dev in /sys/dev/block (its disk
# when it is a partition), else the mount's source.
disk_of() {
    local sys src
    sys=$(readlink -f "/sys/dev/block/$(python3 -c 'import os, sys
st = os.stat(sys.argv[1]); print("%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev)))' "$1")" 2>/dev/null)
    if [ -z "$sys" ] || [ ! -e "$sys/dev" ]; then
        src=$(findmnt -n -o SOURCE -T "$1" 2>/dev/null)
        src=$(readlink -f "$src" 2>/dev/null)
        [ -b "$src" ] || return 1
        sys=$(readlink -f "/sys/class/block/${src##*/}")
    fi
    [ -e "$sys/partition" ] && sys=${sys%/*}
    echo "${sys##*/}"
}
DISK=$(disk_of "$file") || { bad "no block device under $file ($(findmnt -n -o SOURCE,FSTYPE -T "$file"))"; exit 1; }
grep -q " $DISK " /proc/diskstats || { bad "$DISK (under $file) is not in /proc/diskstats"; exit 1; }
echo "# the file $file is on $DISK"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- vigil, headless
serve "$tmp/vigil.err" "$VIGIL" --listen 127.0.0.1:0 -d 0.25 ||
    { bad "vigil did not say where it serves" "$(tail -30 "$tmp/vigil.err")"; exit 1; }
target=${url#http://}
target=${target%/metrics}
ok "headless vigil at $url"

# --- prometheus on loopback, its own storage, a 1 s scrape
PPORT=$(free_port)
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['$target']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
ppid_=$!
API=http://127.0.0.1:$PPORT
for _ in $(seq 600); do
    curl -sf --max-time 2 "$API/-/ready" >/dev/null 2>&1 && break
    kill -0 "$ppid_" 2>/dev/null || break
    sleep 0.1
done
curl -sf --max-time 2 "$API/-/ready" >/dev/null || { bad "prometheus not ready" "$(tail -30 "$tmp/prometheus.log")"; exit 1; }

# query PROMQL: one line per series, "VALUE {labels as JSON}"; nothing on error or no data.
query() {
    curl -s --max-time 5 --data-urlencode "query=$1" "$API/api/v1/query" | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
if r.get("status") != "success":
    print("error", r.get("error"), file=sys.stderr)
    sys.exit(0)
for s in r["data"]["result"]:
    print(s["value"][1], json.dumps(s["metric"], sort_keys=True))'
}
# within VALUE TARGET PCT: |VALUE - TARGET| <= PCT % of TARGET
within() { python3 -c 'import sys; v, t, p = map(float, sys.argv[1:]); sys.exit(0 if abs(v - t) <= t * p / 100 else 1)' "$@"; }
pct() { python3 -c 'import sys; v, t = map(float, sys.argv[1:]); print("%+.2f %%" % ((v - t) / t * 100))' "$@"; }

up=
for _ in $(seq 30); do
    up=$(query 'up{job="vigil"}' | awk '{ print $1 }')
    [ "$up" = 1 ] && break
    sleep 1
done
[ "$up" = 1 ] && ok "prometheus scrapes vigil: up 1" || { bad "up{job=\"vigil\"} is '$up'" "$(tail -30 "$tmp/prometheus.log")"; exit 1; }

# --- fio at 16 MiB/s with O_DIRECT, in a cgroup of its own when there is a v2 hierarchy
ROOT=$(cgroup2_root)
CGNAME=vigilprom-$$
enter=
if [ -n "$ROOT" ] && mkdir "$ROOT/$CGNAME"; then
    cg=$ROOT/$CGNAME
    enter="echo \$\$ > '$cg/cgroup.procs' && "
fi
sh -c "${enter}exec fio --name=vigilprom --filename='$file' --size=256M --rw=write --bs=64k \
    --direct=1 --ioengine=psync --rate=16m --time_based --runtime=300 --output=/dev/null" &
fio_pid=$!
# Wait (deadline 30 s) until fio's processes write at the rate, by their own counters.
fio_bytes() {
    local total=0 p b
    for p in $fio_pid $(pgrep -P "$fio_pid"); do
        b=$(awk '/^write_bytes/ { print $2 }' "/proc/$p/io" 2>/dev/null)
        total=$((total + ${b:-0}))
    done
    echo "$total"
}
# A second between the two reads, divided by the time it really took (a loaded machine
# stretches it).
steady=0 d=0
for _ in $(seq 30); do
    a=$(fio_bytes); t0=$(now_us); sleep 1; b=$(fio_bytes); t1=$(now_us)
    d=$(((b - a) * 1000000 / (t1 - t0)))
    if [ "$d" -gt $((RATE * 97 / 100)) ] && [ "$d" -lt $((RATE * 103 / 100)) ]; then steady=1; break; fi
done
[ "$steady" = 1 ] && ok "fio writes $d bytes/s by its /proc/PID/io" || { bad "fio did not reach 16 MiB/s (last second: $d bytes/s)"; exit 1; }
writer=$(pgrep -P "$fio_pid" | head -1)
[ -n "$writer" ] || writer=$fio_pid

# poll_rate NAME PROMQL PCT: up to 60 s, until three queries in a row (1 s apart) give a
# value within PCT % of 16 MiB/s; prints the figures.
poll_rate() {
    local name=$1 q=$2 p=$3 streak=0 v figures=""
    local deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ]; do
        v=$(query "$q" | sort -gr | head -1 | awk '{ print $1 }')
        if [ -n "$v" ] && within "$v" "$RATE" "$p"; then
            [ "$name" = disk ] && name="rate(vigil_disk_written_bytes_total{device=\"$DISK\"}[10s])"
            streak=$((streak + 1))
            figures="$figures $v ($(pct "$v" "$RATE"))"
            if [ "$streak" -ge 3 ]; then
                ok "$name within $p % of $RATE:$figures"
                return 0
            fi
        else
            streak=0
            figures=""
            last=${v:-none}
        fi
        sleep 1
    done
    bad "$name: not within $p % of $RATE three times in a row in 60 s (last: ${last:-none}$figures)"
    # Another writer on the disk shows in /proc/diskstats too: say how much.
    if [ "$name" = disk ]; then
        local a b
        a=$(awk -v d="$DISK" '$3 == d { print $10 }' /proc/diskstats); sleep 10
        b=$(awk -v d="$DISK" '$3 == d { print $10 }' /proc/diskstats)
        echo "# $DISK by /proc/diskstats over the next 10 s: $(((b - a) * 512 / 10)) bytes/s (fio: $RATE)"
    fi
    return 1
}
# Ten seconds of the rate first: a window that starts before fio did is not at the rate.
sleep 10
poll_rate disk \
    "rate(vigil_disk_written_bytes_total{device=\"$DISK\"}[10s])" 3
poll_rate "fio's rate(vigil_process_write_bytes_total[10s])" \
    "rate(vigil_process_write_bytes_total{comm=\"fio\",pid=\"$writer\"}[10s])" 5
series=$(query "vigil_process_write_bytes_total{comm=\"fio\",pid=\"$writer\"}")
if [ -n "$cg" ]; then
    if echo "$series" | grep -q "\"cgroup\": \"/$CGNAME\""; then
        ok "fio's series carries cgroup=\"/$CGNAME\""
    else
        bad "fio's series has not the cgroup label /$CGNAME" "$(echo "$series" | tail -30)"
    fi
    src=tasks
    [ -e "$cg/io.stat" ] && src=io.stat
    if [ "$src" = io.stat ]; then
        poll_rate "the cgroup's io.stat rate" \
            "sum(rate(vigil_cgroup_io_written_bytes_total{cgroup=\"/$CGNAME\"}[10s]))" 5
    else
        poll_rate "the cgroup's rate (tasks' sum, no io.stat)" \
            "rate(vigil_cgroup_tasks_written_bytes_total{cgroup=\"/$CGNAME\",name=\"$CGNAME\"}[10s])" 5
    fi
else
    echo "skip - no cgroup v2 hierarchy: the cgroup checks"
fi
# The figures Prometheus took: the number of series it holds of vigil.
n=$(query 'count({job="vigil"})' | awk '{ print $1 }')
echo "# prometheus holds ${n:-?} series of vigil; vigil's peak RSS $(awk '/VmHWM/ { print $2, $3 }' "/proc/$vpid/status")"

kill "$fio_pid" 2>/dev/null
wait "$fio_pid" 2>/dev/null
fio_pid=
kill -0 "$vpid" 2>/dev/null && ok "vigil still serving" || bad "vigil ended" "$(tail -30 "$tmp/vigil.err")"
echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
