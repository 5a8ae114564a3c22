#!/usr/bin/env bash
# The view's selection in a real terminal (tmux), issue 16 item 1: `k` must never offer to
# signal a task other than the one the user sees selected.
#   - the selection starts on the top row of the first sorted frame and stays on top: with
#     fio writing, sorted by DISK WRITE, k names fio's writer, not the first row of the
#     first frame (no rates yet, rows in id order: fio's parent);
#   - p takes the selection from a thread to its process (and back to the main thread),
#     not to the top row;
#   - a selected task that exits while k's prompt is open closes the prompt: nothing is
#     sent, to it or to the row that takes its place.
# Every wait polls for its condition with a deadline.
# Usage: e2e_selection.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_selection.sh PATH/TO/vigil}")
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
S="vigil-sel-$$"
E2E_BAD_SHOWS_SCREEN=1
cleanup() {
    tmux kill-server 2>/dev/null
    for p in ${fio_pid:-} ${threads_pid:-} ${victim:-} ${other:-}; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# start ARGS...: vigil in a fresh 160x40 session, then S names it. The old session is
# killed only after: killing the server's last session ends the server, and a session
# asked for while it goes down can be lost with it.
runs=0
start() {
    local args old=$S
    args=$(printf ' %q' "$@")  # quoted for tmux's shell: a pattern's [r] is no glob there
    runs=$((runs + 1))
    S="vigil-sel-$$-$runs"
    tmux new-session -d -s "$S" -x 160 -y 40 "TERM=xterm-256color $VIGIL -d 0.5$args; echo EXIT=\$?; sleep 60"
    tmux kill-session -t "=$old" 2>/dev/null  # = : that name exactly, not a prefix of S
}
# prompt_pid: the PID k's prompt names ("Send signal to PID ...").
prompt_pid() { screen | sed -n 's/.*Send signal to \([0-9][0-9]*\) .*/\1/p' | tail -1; }
# ask_kill: presses k and prints the PID its prompt names (empty if none came), then Esc.
ask_kill() {
    keys k
    wait_for "Send signal to" >/dev/null && prompt_pid
    keys Escape
    poll 5 eval '! shows "Send signal to"'
}

# 1. The first sorted frame's top row. fio's parent and its writer match the filter; the
# first frame has no rates, so the rows are in id order (the parent first). Once sorted by
# DISK WRITE the writer is on top, and the selection with it.
if command -v fio >/dev/null; then
    MARK="vigil-sel-writer-$$"
    PATTERN="vigil-sel-write[r]-$$"  # matches fio's command line, not vigil's own
    fio --name="$MARK" --directory="$TMP" --rw=write --bs=64k --direct=1 --rate=8m \
        --size=128m --time_based --runtime=60 --output=/dev/null >/dev/null 2>&1 &
    fio_pid=$!
    writer=
    find_writer() { writer=$(pgrep -P "$fio_pid" | head -1); [ -n "$writer" ]; }
    if poll 10 find_writer; then
        start --sort disk_write --filter "$PATTERN"
        # The top row is the writer's once a frame has rates (its DISK WRITE in M/s).
        writer_on_top() {
            screen | awk -v w="$writer" '/DISK WRITE>/ { getline; found = ($1 == w); exit } END { exit !found }'
        }
        if wait_for "DISK WRITE>" && poll 10 writer_on_top; then
            got=$(ask_kill)
            if [ "$got" = "$writer" ]; then
                ok "the selection is on the top row of the sorted frame: k names fio's writer $writer"
            else
                bad "k names '$got', not the writer $writer on top (fio's parent is $fio_pid)"
            fi
        else
            bad "fio's writer $writer never came on top sorted by DISK WRITE"
        fi
        if screen | grep -q "EXIT="; then bad "Esc on k's prompt quit vigil"; else ok "Esc cancels k's prompt and vigil goes on"; fi
    else
        bad "fio did not start its writer"
    fi
    kill "$fio_pid" 2>/dev/null
else
    skip "first-frame selection: fio is not installed"
fi

# (Each --filter below is a pattern that matches the task's command line but not vigil's,
# which holds the pattern itself: "write[r]" is not the text "writer".)

# 2. p: a thread's process. python3 with two threads that sleep, and a sleep named to sort
# first by COMMAND (so the top row is never the answer): four rows in threads mode, two in
# process mode. The selection is moved onto one of python's threads other than the main.
TMARK="vigil-sel-threads-$$"
python3 -c "
import threading, time  # $TMARK
for _ in range(2): threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
time.sleep(300)" &
threads_pid=$!
bash -c "exec -a +$TMARK sleep 300" &
other=$!
three() { [ "$(ls "/proc/$threads_pid/task" 2>/dev/null | wc -l)" -ge 3 ] && grep -qa "+$TMARK" "/proc/$other/cmdline"; }
if poll 10 three; then
    start --filter "vigil-sel-thread[s]-$$" --sort command
    if wait_for "| 4 rows" 10; then
        keys Down  # the user moves: the selection follows this task from now on
        sel=$(ask_kill)
        if [ "$sel" = "$threads_pid" ]; then keys Down; sel=$(ask_kill); fi
        if [ "$sel" = "$threads_pid" ]; then keys Down; sel=$(ask_kill); fi
        if [ -n "$sel" ] && [ "$sel" != "$threads_pid" ] && [ -d "/proc/$threads_pid/task/$sel" ]; then
            keys p
            if wait_for "| 2 rows" && wait_for "    PID "; then
                got=$(ask_kill)
                if [ "$got" = "$threads_pid" ]; then
                    ok "p takes the selection from thread $sel to its process $threads_pid"
                else
                    bad "after p, k names '$got', not the process $threads_pid of thread $sel"
                fi
                keys p
                if wait_for "| 4 rows" && wait_for "    TID "; then
                    got=$(ask_kill)
                    if [ "$got" = "$threads_pid" ]; then
                        ok "p back to threads selects the process's main thread $threads_pid"
                    else
                        bad "after p back, k names '$got', not the main thread $threads_pid"
                    fi
                else
                    bad "p back to threads"
                fi
            else
                bad "p did not show the process row"
            fi
        else
            bad "could not select a thread other than the main one (k named '$sel')"
        fi
    else
        bad "the filter did not show the three threads and the sleep"
    fi
else
    bad "python3 did not start its threads"
fi
kill "$threads_pid" "$other" 2>/dev/null

# 3. The selected task exits while k's prompt is open: the prompt closes and nothing is
# sent, not even to the task below it, which takes the row.
VMARK="vigil-sel-victim-$$"
bash -c "exec -a $VMARK-a sleep 300" &
victim=$!
bash -c "exec -a $VMARK-b sleep 300" &
other=$!
both() { grep -qa "$VMARK-a" "/proc/$victim/cmdline" && grep -qa "$VMARK-b" "/proc/$other/cmdline"; }
if poll 5 both; then
    start --filter "vigil-sel-victi[m]-$$" --sort command
    if wait_for "| 2 rows"; then
        keys k
        if wait_for "Send signal to $victim"; then
            kill -KILL "$victim"
            wait "$victim" 2>/dev/null
            if wait_for "task $victim left the list: the prompt is closed, nothing was done"; then
                ok "the selected task's exit closes k's prompt, with a notice"
            else
                bad "k's prompt stayed open after its task exited"
            fi
            # The task that took the top row is not selected in its place: k has no target.
            keys k
            if wait_for "| 1 row" && wait_for "no task selected" && kill -0 "$other" 2>/dev/null; then
                ok "the row that took its place is not selected: k says no task selected"
            else
                bad "after the exit, the selection moved to another task"
            fi
        else
            bad "k's prompt does not name the top row $victim ($VMARK-a sorts first)"
        fi
    else
        bad "the filter did not show the two sleeps"
    fi
else
    bad "the two sleeps did not start"
fi
keys q
if poll 5 shows "EXIT=0"; then ok "q quits with 0"; else bad "q"; fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
