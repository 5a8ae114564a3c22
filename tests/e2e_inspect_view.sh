#!/usr/bin/env bash
# The view's process inspector (Enter on a task row, issue 13) in a real terminal (tmux),
# against a python3 process started in a known directory under `ulimit -n 777`, with an
# environment variable, an open file and two sleeping threads besides its main one: filtered
# to with f, Enter opens the pane, which must show the cwd, and (found with its / search)
# 777 as the NOFILE soft limit, the open file, the variable's value, and its Threads section
# as the task table's rows: the column titles and one row per thread (3); CPU% gets a number
# after a refresh; the process's exit is
# said in the pane; Esc returns to the table with vigil still running; q quits. In a replay,
# Enter only says the inspector needs a live process.
# Every wait polls the screen with a deadline; no fixed sleep decides a result.
# Usage: e2e_inspect_view.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
VIGIL=$(readlink -f "${1:?usage: e2e_inspect_view.sh PATH/TO/vigil}")
S="vigil-inspect-$$"
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
E2E_BAD_SHOWS_SCREEN=1
E2E_WAIT=10  # wait_for's deadline
pid=
cleanup() {
    tmux kill-server 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# wait_re REGEX [SECONDS]: polls the screen until REGEX (extended) shows.
wait_re() {
    local re=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 10; i++)); do
        screen | grep -qE -- "$re" && return 0
        sleep 0.1
    done
    return 1
}
# search TEXT: the pane's / search.
search() {
    keys /
    keys -l "$1"
    keys Enter
}

WORK="$TMP/pane work dir"
FILE="pane-opened-$$.txt"
VALUE="pane-value-$$"
mkdir "$WORK"
echo data >"$TMP/$FILE"
(
    cd "$WORK" || exit 1
    ulimit -n 777 || exit 1
    exec env VIGIL_PANE_TEST="$VALUE" python3 -c '
import os, sys, threading, time
f = open(sys.argv[1])
for _ in range(2):
    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
with open(sys.argv[2] + ".tmp", "w") as r:
    r.write("ready")
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
sys.stdin.read()
' "$TMP/$FILE" "$TMP/ready"
) < <(sleep 120 2>/dev/null) &
pid=$!
deadline=$((SECONDS + 20))
while [ ! -s "$TMP/ready" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
if [ ! -s "$TMP/ready" ]; then
    echo "FAIL - the python process did not get ready within 20 s"
    echo "0 passed, 1 failed"
    exit 1
fi

tmux new-session -d -s "$S" -x 160 -y 45 \
    "cd '$TMP' && TERM=xterm-256color '$VIGIL' -d 0.5 --columns io; echo EXIT=\$?; sleep 60"
if wait_for "COMMAND"; then ok "the view starts"; else bad "start"; fi

# Only the python process (its one thread), with f.
keys f
keys -l "$pid"
keys Enter
if wait_re "^ *$pid .*python3"; then ok "f $pid: the python process's row"; else bad "filter to $pid"; fi

keys Enter
if wait_for "Inspector: process $pid python3"; then ok "Enter opens the inspector on $pid"; else bad "Enter"; fi
if wait_for "== Identity ==" && wait_for "$WORK"; then ok "the pane shows the cwd"; else bad "cwd"; fi
if wait_re "CPU% +[0-9.]+ % \(user [0-9.]+ %, system [0-9.]+ %\)"; then
    ok "CPU% and its split after a refresh"
else
    bad "CPU% rate"
fi
search "read rate"
if wait_re "read rate +[0-9.]+ [BKMGT]?/s"; then ok "/ finds the read rate, a number after a refresh"; else bad "read rate"; fi
search "Max open files"
if wait_re "Max open files +777 "; then ok "/ finds the limits: NOFILE soft limit 777"; else bad "777"; fi
search "$FILE"
if wait_for "$TMP/$FILE"; then ok "/ finds the open file in the open-files list"; else bad "open file"; fi
search "VIGIL_PANE_TEST"
if wait_for "VIGIL_PANE_TEST=$VALUE"; then ok "/ finds the variable and its value"; else bad "environment"; fi
# The Threads section: the task table's column titles (--columns io: DISK READ), and a row
# for each of the three threads, by TID, with the command line.
tids=$(ls "/proc/$pid/task")
search "DISK READ"
thread_rows() { screen | grep -cE "^ +[0-9]+ .*python3 -c"; }
rows_ok() {
    local tid
    [ "$(thread_rows)" -eq 3 ] || return 1
    screen | grep -qE "^ +TID +PRIO +USER +DISK READ" || return 1
    for tid in $tids; do screen | grep -qE "^ +$tid .*python3 -c" || return 1; done
}
poll_rows() {
    local i
    for ((i = 0; i < 100; i++)); do rows_ok && return 0; sleep 0.1; done
    return 1
}
if [ "$(echo $tids | wc -w)" -eq 3 ] && poll_rows; then
    ok "Threads: the table's column titles and a row for each of the 3 threads"
else
    bad "thread rows (tids: $tids, rows: $(thread_rows))"
fi
# PgUp to the top (not Home: tmux may send a sequence this terminal type does not name),
# then Tab: the CPU section's title on the first content line (under the title bar and the
# status line).
third_line() { screen | sed -n 3p | grep -qF "$1"; }
poll_third() {
    local i
    for ((i = 0; i < 100; i++)); do third_line "$1" && return 0; sleep 0.1; done
    return 1
}
for _ in 1 2 3 4 5 6 7 8 9 10; do keys PPage; done
if poll_third "== Identity =="; then ok "PgUp: the top"; else bad "PgUp"; fi
keys Tab
if poll_third "== CPU =="; then ok "Tab: the next section's title on top"; else bad "Tab"; fi

# The process exits: the pane says so and keeps what it showed.
kill "$pid"
wait "$pid" 2>/dev/null
pid=
if wait_re "process [0-9]+ exited: the last state read is shown" && wait_for "== CPU =="; then
    ok "the process exited: said, the last state kept"
else
    bad "exit"
fi

keys Escape
if wait_for "COMMAND" && ! screen | grep -qF "Inspector:"; then
    ok "Esc returns to the table"
else
    bad "Esc"
fi
if ! screen | grep -qF "EXIT="; then ok "Esc did not quit"; else bad "Esc quit vigil"; fi
keys q
if wait_for "EXIT=0"; then ok "q quits with status 0"; else bad "q"; fi

# A replay has no live process: Enter says so on the notice line, and nothing else.
tmux kill-session -t "$S" 2>/dev/null
if "$VIGIL" -b -n 2 -d 0.2 -P --record "$TMP/r.vgl" >/dev/null 2>&1; then
    tmux new-session -d -s "$S" -x 160 -y 45 \
        "TERM=xterm-256color '$VIGIL' --replay '$TMP/r.vgl'; echo EXIT=\$?; sleep 60"
    if wait_for "COMMAND"; then
        keys Enter
        if wait_for "the inspector needs a live process" && ! screen | grep -qF "Inspector:"; then
            ok "replay: Enter says the inspector needs a live process"
        else
            bad "replay Enter"
        fi
        keys q
        if wait_for "EXIT="; then ok "replay: q quits"; else bad "replay q"; fi
    else
        bad "replay view start"
    fi
else
    bad "recording for the replay check"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
