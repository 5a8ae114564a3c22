#!/usr/bin/env bash
# --listen through the built binary (issue 15): headless vigil serves /metrics in the
# Prometheus text format and OpenMetrics on request, gzip when asked, 404 and 405 where
# due; a dd writer's whole-process written bytes grow by what it wrote; SIGTERM ends it.
set -u
VIGIL=${1:?usage: e2e_metrics.sh path/to/vigil}
command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }
. "$(dirname "$0")/e2e_lib.sh"
tmp=$(mktemp -d)
vpid=
cleanup() { [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# Bad addresses: one line naming the value, status 2.
for arg in 0.0.0.0:99999 nohost:9 '::1:9' ''; do
    err=$("$VIGIL" --listen "$arg" -b -n 1 2>&1 >/dev/null); st=$?
    if [ "$st" -eq 2 ] && [ "$(echo "$err" | grep -c .)" -le 2 ] && echo "$err" | grep -q -- "--listen"; then
        ok "--listen '$arg': status 2, $(echo "$err" | head -1)"
    else
        bad "--listen '$arg': status $st, '$err'"
    fi
done

# Port 0: a free port, said on stderr. No terminal, no -b: headless.
serve "$tmp/err" "$VIGIL" --listen 127.0.0.1:0 -d 0.5
[ -n "$url" ] && ok "headless: $url" || { bad "no 'serving metrics at' line: $(cat "$tmp/err")"; exit 1; }

# fetch URL [HEADER...]: status, content type and body (un-gzipped) into $tmp/body.
fetch() {
    python3 - "$@" <<'PY' 2>/dev/null
import gzip, sys, urllib.request, urllib.error
url, headers = sys.argv[1], dict(h.split(": ", 1) for h in sys.argv[2:])
method = headers.pop("X-Method", "GET")
req = urllib.request.Request(url, headers=headers, method=method)
try:
    r = urllib.request.urlopen(req, timeout=5)
    status, body, ctype, enc = r.status, r.read(), r.headers.get("Content-Type"), r.headers.get("Content-Encoding")
except urllib.error.HTTPError as e:
    status, body, ctype, enc = e.code, e.read(), e.headers.get("Content-Type"), None
if enc == "gzip":
    body = gzip.decompress(body)
open(sys.argv[0] if False else "/dev/stdout", "w")
sys.stdout.write(f"{status} {ctype} {enc}\n")
sys.stdout.flush()
open(__import__("os").environ["BODY"], "wb").write(body)
PY
}
export BODY=$tmp/body
head=""
for _ in $(seq 100); do
    head=$(fetch "$url")
    [ "${head%% *}" = 200 ] && break
    sleep 0.1
done
if [ "${head%% *}" = 200 ] && echo "$head" | grep -q "text/plain; version=0.0.4"; then
    ok "GET /metrics: $head"
else
    bad "GET /metrics: $head"
fi
# Every family has HELP and TYPE before its samples; counters end in _total.
if python3 - "$tmp/body" <<'PY'; then
import re, sys
typed = {}
for line in open(sys.argv[1]):
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        typed[name] = kind
        continue
    if line.startswith("#") or not line.strip():
        continue
    name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
    assert name in typed, f"{name} has no TYPE"
    if typed[name] == "counter":
        assert name.endswith("_total"), name
    float(line.rsplit(" ", 1)[1])
need = ["vigil_cpu_seconds_total", "vigil_memory_bytes", "vigil_disk_read_bytes_total",
        "vigil_network_receive_bytes_total", "vigil_up",
        "vigil_scrapes_total"]
missing = [n for n in need if n not in typed]
assert not missing, missing
PY
    ok "the text parses: every sample typed, counters end in _total, the main families there"
else
    bad "the text does not parse as expected"
fi
# Prometheus' own linter on a scrape (names, units, HELP and TYPE).
if command -v promtool >/dev/null; then
    if lint=$(promtool check metrics <"$tmp/body" 2>&1); then
        ok "promtool check metrics: no problem ($(grep -c '^# TYPE' "$tmp/body") families)"
    else
        bad "promtool check metrics: $(echo "$lint" | head -5)"
    fi
else
    echo "skip - promtool is not installed (scripts/dev installs prometheus)"
fi
grep -q '^vigil_cpu_seconds_total{cpu="0",mode="idle"} ' "$tmp/body" && ok "per-CPU seconds by mode" ||
    bad "no vigil_cpu_seconds_total for cpu 0 idle"

h=$(fetch "$url" "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
if echo "$h" | grep -q "application/openmetrics-text" && [ "$(tail -1 "$tmp/body")" = "# EOF" ] &&
    grep -q '^# TYPE vigil_cpu_seconds counter' "$tmp/body"; then
    ok "OpenMetrics when asked: $h, ends with # EOF"
else
    bad "OpenMetrics: $h, last line '$(tail -1 "$tmp/body")'"
fi
h=$(fetch "$url" "Accept-Encoding: gzip")
[ "$(echo "$h" | awk '{print $NF}')" = gzip ] && grep -q '^vigil_up 1' "$tmp/body" &&
    ok "gzip when asked: $h" || bad "gzip: $h"
h=$(fetch "${url%/metrics}/nothing"); [ "${h%% *}" = 404 ] && ok "unknown path: 404" || bad "unknown path: $h"
h=$(fetch "$url" "X-Method: POST"); [ "${h%% *}" = 405 ] && ok "POST: 405" || bad "POST: $h"

# A writer: its written bytes (whole process, /proc/PID/io) grow by what it wrote.
if [ "$(id -u)" -eq 0 ]; then
    # 32 MiB with O_DIRECT, then quiet: it stays exported after its activity.
    python3 -c 'import os,sys,time
fd=os.open(sys.argv[1], os.O_WRONLY|os.O_CREAT|os.O_DIRECT)
import mmap; m=mmap.mmap(-1, 1<<20)
for _ in range(32): os.write(fd, m)
os.fsync(fd); time.sleep(30)' "$tmp/g" &
    wpid=$!
    got=
    for _ in $(seq 100); do
        fetch "$url" >/dev/null
        got=$(awk -v p="$wpid" 'index($0, "vigil_process_write_bytes_total{pid=\"" p "\"") == 1 { print $NF }' "$tmp/body")
        [ -n "$got" ] && [ "${got%.*}" -ge 33554432 ] && break
        sleep 0.2
    done
    kill "$wpid" 2>/dev/null
    if [ -n "$got" ] && [ "${got%.*}" -ge 33554432 ] && [ "${got%.*}" -lt 40000000 ]; then
        ok "a writer of 32 MiB: vigil_process_write_bytes_total $got"
    else
        bad "a writer of 32 MiB: vigil_process_write_bytes_total '${got}'"
    fi
else
    echo "skip - the writer check needs root (another process's /proc/PID/io)"
fi

kill -TERM "$vpid"
for _ in $(seq 50); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
wait "$vpid"; st=$?
vpid=
[ "$st" -eq $((128 + 15)) ] && ok "SIGTERM ends it (status $st)" || bad "SIGTERM: status $st"

# Beside the full-screen view, in tmux: it serves while the view runs, and q ends both.
if command -v tmux >/dev/null; then
    sock=vigil-metrics-$$
    port=$((20000 + RANDOM % 20000))
    tmux -L "$sock" new-session -d -x 120 -y 40 "$VIGIL --listen 127.0.0.1:$port -d 0.5; sleep 30"
    h=
    for _ in $(seq 100); do
        h=$(fetch "http://127.0.0.1:$port/metrics")
        [ "${h%% *}" = 200 ] && break
        sleep 0.1
    done
    screen=$(tmux -L "$sock" capture-pane -p)
    if [ "${h%% *}" = 200 ] && grep -q '^vigil_disk_read_bytes_total' "$tmp/body"; then
        ok "the view serves too (every section read: disks present)"
    else
        bad "the view with --listen: '$h'; screen: $(echo "$screen" | head -3)"
    fi
    tmux -L "$sock" send-keys q
    gone=0
    for _ in $(seq 50); do
        fetch "http://127.0.0.1:$port/metrics" | grep -q '^200' || { gone=1; break; }
        sleep 0.1
    done
    [ "$gone" -eq 1 ] && ok "q ends the view and the endpoint" || bad "still serving after q"
    tmux -L "$sock" kill-server 2>/dev/null
else
    echo "skip - the view check needs tmux"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
