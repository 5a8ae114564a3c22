#!/usr/bin/env bash
# The cgroups section through the built binary against a real cgroup (issue 14):
#   - a cgroup vigiltest-PID made in the v2 hierarchy, fio writing 16 MiB/s with O_DIRECT
#     inside it: `vigil -b --show cgroups,tasks --format json -n 4 -d 2` gives the group's
#     write_bytes_per_s within 3 % of 16 MiB/s on every sample after the first, says where
#     the figure comes from (io_source), and fio's task rows carry `cgroup` naming it;
#   - --cgroup keeps only the tasks of the groups whose path matches;
#   - the text table marks a figure summed from the tasks.
# Root only (mkdir in the hierarchy, moving a process): exits 77 (skipped) otherwise, or
# without a cgroup2 mount or fio. Waits poll for their condition with a deadline.
# Usage: e2e_cgroups.sh PATH/TO/vigil
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_cgroups.sh PATH/TO/vigil}")
. "$(dirname "$0")/e2e_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mkdir in the cgroup hierarchy)"; exit 77; }
ROOT=$(cgroup2_root) || { echo "SKIP: no cgroup2 hierarchy mounted"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio is not installed (scripts/dev installs it)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

NAME=vigiltest-$$
CG=$ROOT/$NAME
# O_DIRECT needs a disk-backed file system: not tmpfs.
TMP=$(mktemp -d /var/tmp/vigil-e2e-cgroups.XXXXXX)
fio_pid=
cleanup() {
    [ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null
    wait 2>/dev/null
    # The group can be removed once its processes are gone.
    for _ in $(seq 1 50); do
        [ -d "$CG" ] || break
        rmdir "$CG" 2>/dev/null && break
        sleep 0.1
    done
    [ -d "$CG" ] && echo "warning: could not remove $CG"
    rm -rf "$TMP"
}
trap cleanup EXIT
mkdir "$CG" || { echo "FAIL - cannot mkdir $CG"; exit 1; }

RATE=$((16 * 1024 * 1024))
fallocate -l 512M "$TMP/f" 2>/dev/null || dd if=/dev/zero of="$TMP/f" bs=1M count=512 status=none
# The shell moves itself into the group, then becomes fio: fio and its job inherit it.
sh -c "echo \$\$ > '$CG/cgroup.procs' && exec fio --name=vigiltest --filename='$TMP/f' \
    --size=512M --rw=write --bs=64k --direct=1 --ioengine=psync --rate=16m \
    --time_based --runtime=60 --output=/dev/null" &
fio_pid=$!

# Wait (deadline 30 s) until a process of the group has written for a second at the rate.
writer_bytes() {
    local total=0 p b
    for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do
        b=$(awk '/^write_bytes/ { print $2 }' "/proc/$p/io" 2>/dev/null)
        total=$((total + ${b:-0}))
    done
    echo "$total"
}
steady=0
for _ in $(seq 1 30); do
    a=$(writer_bytes); sleep 1; b=$(writer_bytes)
    d=$((b - a))
    if [ "$d" -gt $((RATE * 9 / 10)) ] && [ "$d" -lt $((RATE * 11 / 10)) ]; then steady=1; break; fi
done
[ "$steady" = 1 ] || { bad "fio did not reach 16 MiB/s in $CG (last second: $d bytes)"; exit 1; }

# --- the group's write rate, and the task rows' cgroup
"$VIGIL" -b --show cgroups,tasks --format json -n 4 -d 2 >"$TMP/out.json" 2>"$TMP/err"
st=$?
if [ "$st" -ne 0 ]; then
    bad "vigil exited with $st" "$(cat "$TMP/err")"
else
    res=$(python3 - "$TMP/out.json" "/$NAME" "$RATE" <<'PY'
import json, sys
path, want = sys.argv[2], float(sys.argv[3])
samples = [json.loads(l) for l in open(sys.argv[1])]
errors = []
if len(samples) != 4:
    errors.append("%d samples, not 4" % len(samples))
for i, s in enumerate(samples):
    rows = [g for g in s.get("cgroups", []) if g["path"] == path]
    if len(rows) != 1:
        errors.append("sample %d: %d rows for %s" % (i + 1, len(rows), path))
        continue
    g = rows[0]
    if i == 0:
        continue
    w = g["write_bytes_per_s"]
    if w is None or abs(w - want) > 0.03 * want:
        errors.append("sample %d: write_bytes_per_s %s, want %.0f +- 3%%" % (i + 1, w, want))
    if g["io_source"] not in ("io.stat", "tasks"):
        errors.append("sample %d: io_source %r" % (i + 1, g["io_source"]))
    if g["name"] != path[1:]:
        errors.append("sample %d: name %r" % (i + 1, g["name"]))
    mine = [t for t in s["tasks"] if t.get("cgroup") == path]
    if not any("fio" in (t.get("command") or "") for t in mine):
        errors.append("sample %d: no fio task row with cgroup %s" % (i + 1, path))
    others = [t for t in s["tasks"] if "cgroup" not in t]
    if others:
        errors.append("sample %d: task rows without the cgroup field" % (i + 1))
print("\n".join(errors) if errors else "rates " + " ".join(
    "%.0f" % [g for g in s["cgroups"] if g["path"] == path][0]["write_bytes_per_s"]
    for s in samples[1:]) + " source " + samples[-1]["cgroups"][0]["io_source"])
sys.exit(1 if errors else 0)
PY
)
    if [ $? -eq 0 ]; then ok "cgroup $NAME at 16 MiB/s: $res"; else bad "cgroup $NAME" "$res"; fi
fi

# --- --cgroup keeps the group's tasks only
out=$("$VIGIL" -b -P --format json -n 2 -d 1 --cgroup "$NAME" --columns pid,cgroup,command 2>"$TMP/err")
if echo "$out" | python3 -c '
import json, sys
path = sys.argv[1]
s = [json.loads(l) for l in sys.stdin][-1]
rows = s["tasks"]
sys.exit(0 if rows and all(r["cgroup"] == path for r in rows) and
         any("fio" in r["command"] for r in rows) else 1)' "/$NAME"; then
    ok "--cgroup $NAME: only its tasks"
else
    bad "--cgroup $NAME" "$out$(cat "$TMP/err")"
fi
out=$("$VIGIL" -b -P --format json -n 1 --cgroup "no-such-group-$$" 2>"$TMP/err")
if echo "$out" | python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.stdin.readline())["tasks"] == [] else 1)'; then
    ok "--cgroup with no match: no task rows"
else
    bad "--cgroup no-such-group" "$out"
fi

# --- text: the IO column says where the figure comes from
out=$("$VIGIL" -b --show cgroups -n 2 -d 1 2>"$TMP/err")
line=$(echo "$out" | grep " /$NAME\$" | tail -1)
if echo "$line" | grep -Eq ' (tasks|io\.stat) '; then
    ok "text row: $(echo $line)"
else
    bad "text: no IO source on the row of /$NAME" "$out"
fi

echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
