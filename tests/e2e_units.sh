#!/usr/bin/env bash
# The service units (contrib/systemd) as installed and as they would run:
#   - `meson install --destdir` puts vigil-exporter.service and vigil-record.service in the
#     configured unit directory, their ExecStart naming the installed vigil;
#   - `systemd-analyze verify` finds nothing to say about them, and `systemd-analyze
#     security --offline` rates their exposure at most 3.0 ("OK");
#   - each unit's own command line runs: the exporter's serves /metrics, the recorder's
#     records with rotation and removes old rotated files (the interval, the size limit
#     and the directory shortened for the test);
#   - as root, the units' credentials are tried with setpriv (systemd is not needed): as
#     nobody with the AmbientCapabilities= of vigil-exporter.service, vigil serves the
#     written bytes of a root process (CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH let it read
#     /proc/PID/io), and with CAP_NET_ADMIN alone, or without either of the two, it cannot;
#     with vigil-record.service's it records the root process's I/O through taskstats.
# The sandboxing itself (ProtectSystem=, DynamicUser=, ...) needs systemd as PID 1: not tried.
# Usage: e2e_units.sh PATH/TO/vigil BUILD_ROOT UNITDIR PREFIX SBINDIR MANDIR
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_units.sh VIGIL BUILD_ROOT UNITDIR PREFIX SBINDIR MANDIR}")
BUILD=${2:?}
UNITDIR=${3:?}
PREFIX=${4:?}
SBINDIR=${5:?}
MANDIR=${6:?}
command -v meson >/dev/null || { echo "SKIP: meson is not in PATH"; exit 77; }
for c in curl python3; do
    command -v "$c" >/dev/null || { echo "SKIP: $c is not installed (scripts/dev installs it)"; exit 77; }
done
TMP=$(mktemp -d)
chmod 755 "$TMP"
pids=()
wdir=
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
    [ -n "$wdir" ] && rm -rf "$wdir"
}
trap cleanup EXIT
abs() { case $1 in /*) echo "$1" ;; *) echo "$PREFIX/$1" ;; esac; }
BIN=$(abs "$SBINDIR")/vigil
MAN=$(abs "$MANDIR")

# --- 1. meson install --destdir
DEST=$TMP/dest
if out=$(meson install -C "$BUILD" --no-rebuild --destdir "$DEST" 2>&1); then
    ok "meson install --destdir"
else
    bad "meson install --destdir" "$out"
    exit 1
fi
units=(vigil-exporter.service vigil-record.service)
for u in "${units[@]}"; do
    f=$DEST$UNITDIR/$u
    if [ -f "$f" ] && grep -qx "ExecStart=$BIN .*" "$f" && ! grep -q '@[A-Z]*@' "$f" && [ -x "$DEST$BIN" ]; then
        ok "$u installed in $UNITDIR, ExecStart=$BIN"
    else
        bad "$u in $DEST$UNITDIR: $(ls "$DEST$UNITDIR" 2>&1), $(grep ExecStart= "$f" 2>&1)"
    fi
done

# --- 2. systemd-analyze verify and security
mkdir "$TMP/units"
for u in "${units[@]}"; do
    # The unit as installed, its binary where the destdir holds it.
    sed "s|^ExecStart=$BIN|ExecStart=$DEST$BIN|" "$DEST$UNITDIR/$u" >"$TMP/units/$u"
done
if ! command -v systemd-analyze >/dev/null; then
    skip "systemd-analyze is not installed"
else
    # Documentation=man:vigil(8) is looked up: the installed page.
    if out=$(cd "$TMP/units" && MANPATH=$DEST$MAN systemd-analyze verify "${units[@]/#/./}" 2>&1) && [ -z "$out" ]; then
        ok "systemd-analyze verify: nothing to say"
    else
        bad "systemd-analyze verify" "$out"
    fi
    for u in "${units[@]}"; do
        out=$(cd "$TMP/units" && systemd-analyze security --offline=yes "./$u" 2>&1)
        level=$(echo "$out" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
        if [ -z "$level" ]; then
            skip "systemd-analyze security --offline: $(echo "$out" | tail -1)"
        elif awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }'; then
            ok "systemd-analyze security $u: exposure $level (at most 3.0)"
        else
            bad "systemd-analyze security $u: exposure $level" "$(echo "$out" | grep '✗')"
        fi
    done
fi

# exec_start UNIT: the unit's ExecStart words after the binary, one per line.
exec_start() { sed -n "s|^ExecStart=$BIN ||p" "$DEST$UNITDIR/$1" | tr ' ' '\n' | grep .; }

# --- 3. the exporter's command line, on a free port (headless: no terminal, no -b)
mapfile -t eargs < <(exec_start vigil-exporter.service)
if [ "${#eargs[@]}" -eq 0 ]; then
    bad "no ExecStart arguments in vigil-exporter.service"
else
    # Its own --listen address, then the test's (the last one given counts): a free port.
    serve "$TMP/exp.err" "$VIGIL" "${eargs[@]}" --listen 127.0.0.1:0 -n 3
    pids+=("$vpid")
    # Until the first sample is published (503 before it), 10 s at most.
    if [ -n "$url" ] && poll 10 eval 'curl -sf "$url" | grep -q "^vigil_up 1"'; then
        ok "vigil-exporter.service's command line (${eargs[*]}) serves $url"
    else
        bad "exporter command line: $(cat "$TMP/exp.err")"
    fi
    kill "$vpid" 2>/dev/null
fi

# --- 4. the recorder's command line: rotation and retention (10 s and 256M shortened)
mapfile -t rargs < <(exec_start vigil-record.service | sed -e "s|^/var/log/vigil/|$TMP/log/|" \
    -e 's/^256M$/4K/')
want_keep=$(printf '%s\n' "${rargs[@]}" | grep -A1 -x -- --record-keep | tail -1)
mkdir "$TMP/log"
rec=$TMP/log/vigil.rec
# An unrelated file with a near name, and a rotated recording of an earlier run that is
# older than --record-keep-for (it goes at the start).
echo keep >"$TMP/log/vigil.rec.old"
"$VIGIL" -b -n 2 -d 0.1 --record "$TMP/log/vigil.rec.20200101-000000" >/dev/null 2>&1
touch -d '2020-01-02' "$TMP/log/vigil.rec.20200101-000000"
args=()
for ((i = 0; i < ${#rargs[@]}; i++)); do
    [ "${rargs[i]}" = -d ] && { i=$((i + 1)); continue; }
    args+=("${rargs[i]}")
done
"$VIGIL" "${args[@]}" -d 0.05 -n 60 </dev/null >"$TMP/rec.out" 2>"$TMP/rec.err"
st=$?
rotated=$(ls "$TMP/log" | grep -cE '^vigil\.rec\.[0-9]{8}-[0-9]{6}(-[0-9]+)?$')
if [ "$st" -eq 0 ] && [ -f "$rec" ] && [ -f "$TMP/log/vigil.rec.old" ] && [ "$rotated" -eq "$want_keep" ] &&
    [ ! -e "$TMP/log/vigil.rec.20200101-000000" ] && ! grep -v "delay accounting is off" "$TMP/rec.err" | grep -q .; then
    ok "vigil-record.service's command line: 60 samples at 4K a file leave the live file and $rotated rotated ones (--record-keep $want_keep), the old run's gone, vigil.rec.old kept"
else
    bad "recorder command line: status $st, $rotated rotated (want $want_keep), $(ls "$TMP/log" | tr '\n' ' ')" "$(cat "$TMP/rec.err")"
fi
n=0
for f in "$TMP"/log/vigil.rec.2*; do
    "$VIGIL" -b --replay "$f" --format json >/dev/null 2>&1 && n=$((n + 1))
done
if [ "$n" -eq "$rotated" ] && "$VIGIL" -b --replay "$rec" --format json >/dev/null 2>&1; then
    ok "every file kept replays"
else
    bad "$n of $rotated rotated files replay"
fi

# --- 5. the units' credentials, with setpriv instead of systemd
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1 ||
    ! getent group nogroup >/dev/null; then
    skip "the units' credentials need root, setpriv and the nobody user"
else
    cp "$VIGIL" "$TMP/vigil"
    chmod 755 "$TMP/vigil"
    # A root process that writes to storage all along: 1 MiB every 0.1 s, synced.
    wdir=$(mktemp -d /var/tmp/vigil-units.XXXXXX)
    python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
block = os.urandom(1 << 20)
while True:
    os.pwrite(fd, block, 0)
    os.fsync(fd)
    time.sleep(0.1)
' "$wdir/w" &
    writer=$!
    pids+=("$writer")
    # as CAPS: sets cmd to vigil as nobody with these capabilities inheritable and ambient,
    # as DynamicUser= with AmbientCapabilities= gives them. An array, not a function, so
    # that "${cmd[@]}" ... & is the process that becomes vigil (and $! is vigil's PID).
    as() {
        cmd=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="$1"
             --ambient-caps="$1" --bounding-set="$1" "$TMP/vigil")
    }
    # written CAPS: the writer's vigil_process_write_bytes_total as nobody with CAPS
    # (empty if vigil serves none).
    written() {
        rm -f "$TMP/cred.err"
        as "$1"
        serve "$TMP/cred.err" "${cmd[@]}" --listen 127.0.0.1:0 -d 0.2
        pids+=("$vpid")
        val=
        # Until the writer has a series with bytes in it, 5 s at most.
        poll 5 written_seen
        kill "$vpid" 2>/dev/null
        wait "$vpid" 2>/dev/null
    }
    # written_seen: sets val to the writer's series (empty without one); 0 when it has bytes.
    written_seen() {
        val=$(curl -sf "$url" | sed -n "s/^vigil_process_write_bytes_total{pid=\"$writer\",[^}]*} \([0-9.e+]*\)$/\1/p")
        [ -n "$val" ] && [ "$val" != 0 ]
    }
    # caps_of UNIT: its AmbientCapabilities= as setpriv takes them (+net_admin,+sys_ptrace).
    caps_of() {
        sed -n 's/^AmbientCapabilities=\(.\)/\1/p' "$DEST$UNITDIR/$1" | tr ' ' '\n' | grep . |
            sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd,
    }
    ecaps=$(caps_of vigil-exporter.service)
    written "$ecaps"
    if [ -n "$val" ] && [ "$val" != 0 ] && ! grep -qi taskstats "$TMP/cred.err"; then
        ok "as nobody with vigil-exporter.service's $ecaps: a root writer's written bytes ($val), taskstats in use"
    else
        bad "exporter credentials $ecaps: written '$val'" "$(cat "$TMP/cred.err")"
    fi
    # Each capability beyond CAP_NET_ADMIN is needed: without it, no series.
    for c in $(echo "$ecaps" | tr , ' '); do
        [ "$c" = +net_admin ] && continue
        less=$(echo "$ecaps" | tr , '\n' | grep -vx -- "$c" | paste -sd,)
        written "$less"
        if [ -z "$val" ]; then
            ok "with $less (no ${c#+}) the root writer has no written-bytes series: ${c#+} is needed"
        else
            bad "without ${c#+} the root writer still has a series ($val): is the capability needed?"
        fi
    done
    # The recorder's credentials: CAP_NET_ADMIN alone records the root writer's I/O.
    mkdir "$TMP/nlog" && chown nobody:nogroup "$TMP/nlog"
    rcaps=$(caps_of vigil-record.service)
    as "$rcaps"
    "${cmd[@]}" -b -o -qqq -P -n 8 -d 0.25 --record "$TMP/nlog/r.vgl" </dev/null >/dev/null 2>"$TMP/nrec.err"
    st=$?
    w=$("$VIGIL" -b -P -p "$writer" --format json --replay "$TMP/nlog/r.vgl" 2>/dev/null |
        python3 -c 'import json, sys; print(sum(t.get("write_bytes_per_s") or 0 for l in sys.stdin for t in json.loads(l)["tasks"]))' 2>/dev/null)
    if [ "$st" -eq 0 ] && ! grep -qi taskstats "$TMP/nrec.err" &&
        awk -v w="${w:-0}" 'BEGIN { exit !(w > 0) }'; then
        ok "as nobody with vigil-record.service's $rcaps: the recording holds the root writer's writes (sum of rates $w B/s)"
    else
        bad "recorder credentials: status $st, writes '$w'" "$(cat "$TMP/nrec.err")"
    fi
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
fi

echo "# $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
