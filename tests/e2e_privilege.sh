#!/usr/bin/env bash
# vigil's privilege model (vigil(8), SECURITY) through the real path: a copy of the built
# binary given cap_net_admin+ep, run as nobody.
#   - while it sleeps between samples, no thread of it has CAP_NET_ADMIN effective (it is
#     permitted, raised only around taskstats requests), and it still gets taskstats;
#   - --replay and --proc-root drop it from the permitted set too;
#   - with a capability (or as root) it ignores TERMINFO: a terminal type defined only
#     there cannot be used, while the same copy without the capability uses it.
# Every wait polls with a deadline; no fixed sleep decides a result.
# Skips (77) when not root, when setcap, setpriv, tmux or tic are missing, when there is no
# nobody user, or when the temporary directory's file system keeps or honours no file
# capabilities.
# Usage: e2e_privilege.sh PATH/TO/vigil
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_privilege.sh PATH/TO/vigil}")
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok   - $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | head -20; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (to set file capabilities and become nobody)"; exit 77; }
for tool in setcap getcap setpriv tmux tic infocmp; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null || { echo "SKIP: no nobody user or nogroup group"; exit 77; }

TMP=$(mktemp -d)
chmod 755 "$TMP"
export TMUX_TMPDIR=$TMP
S=privilege
started=()
cleanup() {
    tmux kill-server 2>/dev/null
    for p in "${started[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
# An array, not a function: "${as_nobody[@]}" CMD & is then the process that becomes CMD.
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

# The file system must keep the capability and the kernel honour it there (not nosuid): a
# copy of cat with it must start with it.
cp /bin/cat "$TMP/cat"
if ! setcap cap_net_admin+ep "$TMP/cat" 2>/dev/null \
    || ! "${as_nobody[@]}" "$TMP/cat" /proc/self/status 2>/dev/null | grep -q '^CapPrm:.*1000$'; then
    echo "SKIP: file capabilities are not kept or honoured under $TMP"
    exit 77
fi
cp "$VIGIL" "$TMP/vigil"
cp "$VIGIL" "$TMP/vigil-plain"  # the same binary without the capability
chmod 755 "$TMP/vigil" "$TMP/vigil-plain"
setcap cap_net_admin+ep "$TMP/vigil"

# waits until pid runs the copy at $2 (setpriv has exec'd it); false after 10 s.
wait_exec() {
    local pid=$1 bin=$2 i
    for ((i = 0; i < 100; i++)); do
        [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ] && return 0
        sleep 0.1
    done
    return 1
}
# The effective sets of every thread of pid, joined: "0000000000000000" each when none.
cap_eff_all() {
    local t
    for t in /proc/"$1"/task/*; do awk '/^CapEff:/ { print $2 }' "$t/status" 2>/dev/null; done | sort -u | tr '\n' ' '
}
cap_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# --- live batch as nobody: CAP_NET_ADMIN permitted, not effective while it sleeps
"${as_nobody[@]}" "$TMP/vigil" -b -P -n 4 -d 1 >"$TMP/live.out" 2>"$TMP/live.err" </dev/null &
pid=$!
started+=("$pid")
seen=0 raised=0 prm= eff=
if wait_exec "$pid" "$TMP/vigil"; then
    # Until the run ends (at most ~5 s): every look while it sleeps between samples.
    for ((i = 0; i < 300 && seen < 5; i++)); do
        if grep -q nanosleep "/proc/$pid/wchan" 2>/dev/null; then
            eff=$(cap_eff_all "$pid")
            prm=$(cap_of "$pid" CapPrm)
            # Still asleep after the look: what was read is the sleeping process's.
            if grep -q nanosleep "/proc/$pid/wchan" 2>/dev/null; then
                seen=$((seen + 1))
                [ "$eff" = "0000000000000000 " ] || raised=$((raised + 1))
            fi
        fi
        sleep 0.02
    done
fi
wait "$pid"
st=$?
if [ "$st" -eq 0 ] && [ "$seen" -ge 1 ] && [ "$raised" -eq 0 ] && [ "$prm" = 0000000000001000 ]; then
    ok "cap_net_admin+ep as nobody: CapEff 0 in every thread while asleep ($seen looks), CapPrm $prm"
else
    bad "cap_net_admin+ep as nobody: status $st, $seen looks asleep, $raised with a capability effective (CapEff '$eff'), CapPrm '$prm'" "$(cat "$TMP/live.err")"
fi
# taskstats still answered: no fallback notice, and root's processes (whose /proc io nobody
# cannot read) have I/O figures, not '?'.
root_rows=$(awk '$3 == "root" && $4 != "?" && $1 ~ /^[0-9]+$/' "$TMP/live.out" | wc -l)
if ! grep -q 'CAP_NET_ADMIN' "$TMP/live.err" && [ "$root_rows" -ge 1 ]; then
    ok "cap_net_admin+ep as nobody: taskstats answers ($root_rows rows of root's processes with figures)"
else
    bad "cap_net_admin+ep as nobody: no taskstats ($root_rows rows of root's processes with figures)" "$(cat "$TMP/live.err")"
fi

# --- cap_net_admin+p (what the man page advises): raised from the permitted set when needed
cp "$VIGIL" "$TMP/vigil-p"
chmod 755 "$TMP/vigil-p"
setcap cap_net_admin+p "$TMP/vigil-p"
"${as_nobody[@]}" "$TMP/vigil-p" -b -P -n 2 -d 0.5 >"$TMP/p.out" 2>"$TMP/p.err" </dev/null
st=$?
root_rows=$(awk '$3 == "root" && $4 != "?" && $1 ~ /^[0-9]+$/' "$TMP/p.out" | wc -l)
if [ "$st" -eq 0 ] && ! grep -q 'CAP_NET_ADMIN' "$TMP/p.err" && [ "$root_rows" -ge 1 ]; then
    ok "cap_net_admin+p as nobody: taskstats answers ($root_rows rows of root's processes with figures)"
else
    bad "cap_net_admin+p as nobody: status $st, $root_rows rows of root's processes with figures" "$(cat "$TMP/p.err")"
fi

# --- --proc-root: no taskstats, so the capability leaves the permitted set
"${as_nobody[@]}" "$TMP/vigil" -b -n 3 -d 1 --proc-root "$HERE/fixtures/proc/t0" >/dev/null 2>"$TMP/root.err" </dev/null &
pid=$!
started+=("$pid")
prm=unread
if wait_exec "$pid" "$TMP/vigil"; then
    for ((i = 0; i < 100; i++)); do
        if grep -q nanosleep "/proc/$pid/wchan" 2>/dev/null; then
            prm=$(cap_of "$pid" CapPrm)
            break
        fi
        sleep 0.05
    done
fi
wait "$pid"
st=$?
if [ "$st" -eq 0 ] && [ "$prm" = 0000000000000000 ]; then
    ok "--proc-root: CapPrm 0 (no taskstats, no capability)"
else
    bad "--proc-root: status $st, CapPrm '$prm'" "$(cat "$TMP/root.err")"
fi

# --- --replay: every capability gone before a sample is decoded; the view stays open
"$VIGIL" -b -n 2 -d 0.2 --record "$TMP/r.vgl" >/dev/null 2>&1 </dev/null
chmod 644 "$TMP/r.vgl"
tmux new-session -d -s "$S" -x 120 -y 30 \
    "exec setpriv --reuid=nobody --regid=nogroup --clear-groups '$TMP/vigil' --replay '$TMP/r.vgl' 2>'$TMP/replay.err'"
pid=$(tmux display -p -t "$S" '#{pane_pid}')
prm=unread eff=unread
if wait_exec "$pid" "$TMP/vigil"; then
    for ((i = 0; i < 100; i++)); do
        # The view is up (paused on the first sample): the file is open and read.
        if tmux capture-pane -p -t "$S" | grep -q 'replay'; then
            prm=$(cap_of "$pid" CapPrm)
            eff=$(cap_of "$pid" CapEff)
            break
        fi
        sleep 0.1
    done
fi
tmux send-keys -t "$S" q
if [ "$prm" = 0000000000000000 ] && [ "$eff" = 0000000000000000 ]; then
    ok "--replay as nobody with cap_net_admin+ep: CapPrm and CapEff 0 in the view"
else
    bad "--replay: CapPrm '$prm', CapEff '$eff'" "$(cat "$TMP/replay.err"; tmux capture-pane -p -t "$S" 2>/dev/null | head -5)"
fi
tmux kill-server 2>/dev/null

# --- TERMINFO: a terminal type defined only there. The copy without the capability uses it
# (so the entry works); with the capability, and as root, vigil reads only the system's.
infocmp -x xterm | sed '0,/^xterm[^|]*|/s//vigiltest|/' >"$TMP/vigiltest.src"
mkdir -p "$TMP/ti"
tic -x -o "$TMP/ti" "$TMP/vigiltest.src" && chmod -R a+rX "$TMP/ti"
# run_view NAME COMMAND...: the view in tmux with TERM=vigiltest and TERMINFO set; prints
# "view" when it drew its summary, else its error (after it ended, or 10 s).
run_view() {
    local name=$1 i; shift
    rm -f "$TMP/$name.err"
    tmux new-session -d -s "$name" -x 120 -y 30 \
        "TERM=vigiltest TERMINFO='$TMP/ti' $* -d 5 2>'$TMP/$name.err'; echo exit \$? >>'$TMP/$name.err'"
    for ((i = 0; i < 100; i++)); do
        if tmux capture-pane -p -t "$name" 2>/dev/null | grep -q '^CPU'; then
            tmux send-keys -t "$name" q
            echo view
            return
        fi
        grep -q '^exit' "$TMP/$name.err" 2>/dev/null && break
        sleep 0.1
    done
    tr '\n' ' ' <"$TMP/$name.err" 2>/dev/null
}
plain=$(run_view plain setpriv --reuid=nobody --regid=nogroup --clear-groups "'$TMP/vigil-plain'")
capped=$(run_view capped setpriv --reuid=nobody --regid=nogroup --clear-groups "'$TMP/vigil'")
asroot=$(run_view asroot "'$TMP/vigil-plain'")
tmux kill-server 2>/dev/null
if [ "$plain" = view ] && echo "$capped" | grep -q "cannot use terminal type 'vigiltest'.*TERMINFO ignored" \
    && echo "$asroot" | grep -q "cannot use terminal type 'vigiltest'"; then
    ok "TERMINFO: used without privileges, ignored with cap_net_admin and as root"
else
    bad "TERMINFO: without privileges '$plain', with cap_net_admin '$capped', as root '$asroot'"
fi

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
