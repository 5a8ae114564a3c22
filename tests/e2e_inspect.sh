#!/usr/bin/env bash
# The process inspector (vigil --inspect PID) through the built binary against a real process
# (issue 13): a python3 process started in a new directory under `ulimit -n 777`, with an
# environment variable, an open file, 64 MiB resident and a TCP socket listening on
# 127.0.0.1. --format json must name the cwd, the open file, the variable's value, 777 as
# the NOFILE soft limit and the socket with its port, and give pss_bytes within 5 % of the
# Pss of /proc/PID/smaps_rollup; the text output has every section title; an absent PID is
# one line on stderr and status 1, a malformed one a usage error (status 2).
# Waits poll for their condition with a deadline.
# Usage: e2e_inspect.sh PATH/TO/vigil
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_inspect.sh PATH/TO/vigil}")
TMP=$(mktemp -d)
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | head -20; }
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

mkdir "$TMP/work dir"
echo data > "$TMP/opened file.txt"
# The process writes its port to $TMP/ready once everything is in place, then waits for
# stdin to close (the test's end).
(
    cd "$TMP/work dir" || exit 1
    ulimit -n 777 || exit 1
    exec env VIGIL_INSPECT_MARKER='marker value 42' python3 -c '
import socket, sys, os
f = open(sys.argv[1])
b = bytearray(64 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
with open(sys.argv[2] + ".tmp", "w") as r:
    r.write(str(s.getsockname()[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
sys.stdin.read()
' "$TMP/opened file.txt" "$TMP/ready"
# The sleep that holds python's stdin must not hold the test's stderr (a pipe meson waits
# on): it outlives the test.
) < <(sleep 120 2>/dev/null) &
pid=$!
deadline=$((SECONDS + 20))
while [ ! -s "$TMP/ready" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
if [ ! -s "$TMP/ready" ]; then
    bad "the python process did not get ready within 20 s"
    echo "0 passed, 1 failed"
    exit 1
fi
port=$(cat "$TMP/ready")
# $pid is the subshell that exec'd python3 (exec env ... python3 keeps the PID).
[ "$(cat /proc/$pid/comm)" = python3 ] || { bad "PID $pid is $(cat /proc/$pid/comm), not python3"; }

# --- JSON
if "$VIGIL" --inspect "$pid" --format json >"$TMP/out.json" 2>"$TMP/err"; then
    ok "--inspect $pid --format json: status 0"
else
    bad "--inspect $pid --format json: status $?" "$(cat "$TMP/err")"
fi
pss_kib=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")
python3 - "$TMP/out.json" "$TMP/work dir" "$TMP/opened file.txt" "$port" "$pss_kib" "$pid" <<'PY' >"$TMP/checks"
import json, sys
path, cwd, opened, port, pss_kib, pid = sys.argv[1:7]
with open(path) as f:
    lines = f.read().splitlines()
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
check(len(lines) == 1, "one JSON object on one line")
j = json.loads(lines[0])
check(j["pid"] == int(pid), f"pid {j['pid']}")
check(j["cwd"] == cwd, f"cwd {j['cwd']!r}")
targets = [f["target"] for f in j["fds"]]
check(opened in targets, f"the open file is among the fds ({len(targets)} fds)")
check(j["environ"].get("VIGIL_INSPECT_MARKER") == "marker value 42",
      f"environ VIGIL_INSPECT_MARKER = {j['environ'].get('VIGIL_INSPECT_MARKER')!r}")
nofile = j["limits"]["nofile"]
check(nofile["soft"] == 777, f"NOFILE soft limit {nofile['soft']}")
check(nofile["current"] == len(j["fds"]) and nofile["current"] >= 4,
      f"NOFILE current {nofile['current']} (open fds)")
listening = [f for f in j["fds"] if f["type"] == "socket" and f.get("state") == "LISTEN"
             and f.get("local") == f"127.0.0.1:{port}" and f.get("protocol") == "tcp"]
check(len(listening) == 1, f"the listening socket 127.0.0.1:{port} (tcp, LISTEN)")
pss = j["pss_bytes"]
want = int(pss_kib) * 1024
check(pss is not None and abs(pss - want) <= 0.05 * want,
      f"pss_bytes {pss} within 5 % of smaps_rollup's {want}")
check(j["rss_bytes"] >= 64 << 20, f"rss_bytes {j['rss_bytes']} >= 64 MiB")
check(j["uss_bytes"] is not None and j["uss_bytes"] <= j["rss_bytes"], f"uss_bytes {j['uss_bytes']}")
check(j["ppid_chain"] and j["ppid_chain"][-1]["pid"] == 1,
      "ppid_chain: " + " < ".join(str(e["pid"]) for e in j["ppid_chain"]))
check("python" in j["cmdline"], f"cmdline {j['cmdline'][:40]!r}...")
check(j["threads"] and j["threads"][0]["tid"] == int(pid), "threads start with the main thread")
for name, s in j["sections"].items():
    check(s["status"] in ("ok", "partial", "unavailable") and
          (s["status"] == "ok") == (not s["errors"]), f"section {name}: {s['status']}")
PY
while read -r verdict what; do
    if [ "$verdict" = ok ]; then ok "json: $what"; else bad "json: $what"; fi
done <"$TMP/checks"

# --- text, also with -b given
if "$VIGIL" -b --inspect "$pid" >"$TMP/out.txt" 2>"$TMP/err"; then
    ok "-b --inspect $pid: status 0"
else
    bad "-b --inspect $pid: status $?" "$(cat "$TMP/err")"
fi
for title in Identity CPU Memory I/O Limits "Open files" Environment Threads; do
    if grep -qxF "== $title ==" "$TMP/out.txt"; then ok "text: section '$title'"; else bad "text: no section '$title'"; fi
done
if grep -q "VIGIL_INSPECT_MARKER=marker value 42" "$TMP/out.txt" &&
    grep -qE "Max open files +777 " "$TMP/out.txt" &&
    grep -q "tcp LISTEN 127.0.0.1:$port" "$TMP/out.txt"; then
    ok "text: the variable, the limit and the socket"
else
    bad "text: the variable, the limit or the socket missing" "$(head -c 3000 "$TMP/out.txt")"
fi

# --- another user's process: what /proc withholds is said, with the reason
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$VIGIL" --inspect "$pid" --format json \
        >"$TMP/nobody.json" 2>"$TMP/err"
    st=$?
    verdict=$(python3 - "$TMP/nobody.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
env, files = j["sections"]["environment"], j["sections"]["files"]
ok = (env["status"] == "unavailable" and env["errors"][0]["reason"] == "denied"
      and files["status"] == "unavailable" and files["errors"][0]["reason"] == "denied"
      and j["environ"] == {} and j["fds"] == [] and j["pss_bytes"] is None
      and j["limits"]["nofile"]["soft"] == 777 and j["limits"]["nofile"]["current"] is None)
print("ok" if ok else "bad " + json.dumps(j["sections"])[:600])
PY
)
    if [ $st -eq 0 ] && [ "$verdict" = ok ]; then
        ok "as nobody: environ and fds denied, said so; limits still read"
    else
        bad "as nobody: status $st, $verdict" "$(cat "$TMP/err")"
    fi
else
    echo "skip - as nobody (needs root and setpriv)"
fi

# --- an absent PID: one line naming it, status 1; a malformed PID: usage error, status 2
absent=999999999
"$VIGIL" --inspect $absent >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "$absent" "$TMP/err" && [ ! -s "$TMP/out" ]; then
    ok "--inspect $absent: status 1, '$(cat "$TMP/err")'"
else
    bad "--inspect $absent: status $st (want 1 and one line naming it)" "$(cat "$TMP/err")"
fi
"$VIGIL" --inspect 12ab >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -eq 2 ] && grep -q "invalid --inspect '12ab'" "$TMP/err"; then
    ok "--inspect 12ab: status 2, '$(head -1 "$TMP/err")'"
else
    bad "--inspect 12ab: status $st (want 2)" "$(cat "$TMP/err")"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
