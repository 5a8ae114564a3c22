#!/usr/bin/env bash
# End-to-end test of the full-screen view in a real terminal (tmux): keys, filter, help,
# resize, the too-small message, mouse-free navigation, and a clean exit.
# Usage: e2e_tmux.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=${1:?usage: e2e_tmux.sh PATH/TO/vigil}
if ! command -v tmux >/dev/null; then
    echo "SKIP: tmux is not installed"
    exit 77
fi
S="vigil-e2e-$$"
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
E2E_BAD_SHOWS_SCREEN=1
cleanup() {
    tmux kill-server 2>/dev/null
    [ -n "${saved_delayacct:-}" ] && echo "$saved_delayacct" >/proc/sys/kernel/task_delayacct
    [ -n "${marker_pid:-}" ] && kill "$marker_pid" 2>/dev/null
    [ -n "${fio_pid:-}" ] && kill "$fio_pid" 2>/dev/null
    rm -rf "$TMP" "${fio_dir:-/nonexistent}"
}
trap cleanup EXIT

# Every wait in this script polls for its condition (poll, wait_for: e2e_lib.sh): no fixed
# sleep decides a result.
# wait_gone TEXT [SECONDS]: polls until TEXT no longer shows.
wait_gone() {
    local text=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 10; i++)); do
        screen | grep -qF -- "$text" || return 0
        sleep 0.1
    done
    return 1
}

# A task with a name nobody else has, for the filter.
# A name of this run's own, so another run's marker (a test beside this one) cannot match.
MARK="vigil-e2e-marker-$$"
bash -c "exec -a $MARK sleep 300" &
marker_pid=$!

# --columns io: iotop's eight at any width (without it, a terminal wide enough shows the top
# set: checked further down).
tmux new-session -d -s "$S" -x 120 -y 40 "TERM=xterm-256color $VIGIL -d 0.5 --columns io; echo EXIT=\$?; sleep 60"

if wait_for "Total DISK READ" && wait_for "COMMAND"; then ok "starts with the summary and column titles"; else bad "start"; fi
if screen | grep -qE ' IO> COMMAND'; then ok "sorted by IO, marked IO>"; else bad "default sort marker"; fi
# The Tasks line of the summary: processes by state, with numbers (not '?') once sampled.
if wait_for "Tasks " && screen | grep -qE '^Tasks [0-9]+ total, [0-9]+ running, [0-9]+ sleeping, [0-9]+ uninterruptible, [0-9]+ stopped, [0-9]+ zombie'; then
    ok "the summary shows the Tasks line with every process state"
else
    bad "Tasks line"
fi

keys Right
if wait_for "COMMAND<"; then ok "-> moves the sort marker to COMMAND"; else bad "-> sort"; fi
keys r
if wait_for "COMMAND>"; then ok "r flips the direction"; else bad "r reverse"; fi

keys /
wait_for "Filter" || bad "/ prompt"
keys -l "e2e-marker-$$"  # a part of the name: the status line repeats the filter
keys Enter
if wait_for "filter: e2e-marker-$$" && wait_for "| 1 row"; then
    rows=$(screen | grep -c -- "$MARK")
    if [ "$rows" -eq 1 ]; then ok "/ narrows the table to the matching task"; else bad "/ filter rows: $rows"; fi
else
    bad "/ filter"
fi
keys Escape
if wait_gone "filter:" && wait_for "processes | every"; then ok "Esc clears the filter"; else bad "Esc clear"; fi

# The prompt edits as a line (Ctrl-U, history on Up) and filters as you type; Esc puts the
# filter back as it was (none here).
keys /
wait_for "Filter" || bad "/ prompt again"
keys -l "e2e-marker-$$"
if wait_for "| 1 row" && shows "Filter ("; then ok "/ filters as you type, before Enter"; else bad "filter as you type"; fi
keys C-u
if wait_gone "| 1 row" && shows "Filter ("; then ok "Ctrl-U empties the prompt, and the filter with it"; else bad "Ctrl-U in the prompt"; fi
keys Up
if wait_for "| 1 row" && shows "e2e-marker-$$"; then ok "Up recalls the last filter from the prompt's history"; else bad "prompt history"; fi
keys Escape
if wait_gone "Filter (" && wait_for "processes | every" && ! shows "filter:"; then
    ok "Esc leaves the prompt with the filter as it was before it"
else
    bad "Esc from the filter prompt"
fi

# { } scroll a long command line sideways: its end, 170 columns in, comes into view.
LONG="vigil-e2e-long-$$"
bash -c "exec -a '$LONG $(printf 'x%.0s' $(seq 150)) LONGEND-$$' sleep 300" &
long_pid=$!
poll 5 grep -qa "LONGEND-$$" "/proc/$long_pid/cmdline"
keys /
keys -l "$LONG"
keys Enter
scrolled() { screen | grep -qE 'COMMAND[<>]? \+[0-9]+'; }
if wait_for "| 1 row" && ! shows "LONGEND-$$"; then
    for ((i = 0; i < 30; i++)); do
        keys "}"
        poll 1 shows "LONGEND-$$" && break
    done
    if shows "LONGEND-$$" && scrolled; then
        ok "} scrolls COMMAND until a long command line's end shows ($(screen | grep -oE 'COMMAND[<>]? \+[0-9]+'))"
    else
        bad "} scroll: the end of the long command line never showed"
    fi
    for ((i = 0; i < 40; i++)); do keys "{"; done
    if poll 5 eval '! scrolled' && poll 5 eval '! shows "LONGEND-$$"'; then
        ok "{ scrolls it back to the start"
    else
        bad "{ scroll back"
    fi
else
    bad "the long command line's row (or its end already showing)"
fi
kill "$long_pid" 2>/dev/null
keys Escape
wait_gone "filter:" || bad "Esc after the long command line"

keys p
if wait_for "    PID PRIO"; then ok "p switches to processes (PID column)"; else bad "p"; fi
keys p
if wait_for "    TID PRIO"; then ok "p switches back to threads"; else bad "p back"; fi

keys h
if wait_for "vigil keys"; then ok "h shows the help screen"; else bad "h help"; fi
keys x
if wait_for "Total DISK READ"; then ok "any key leaves help"; else bad "leave help"; fi

# The machine overview: summary bars, panes by key, per-core bars.
if wait_for "CPU  [" && wait_for "MEM  [" && wait_for "PSI"; then ok "the summary shows CPU, memory and pressure"; else bad "summary"; fi
keys d
if wait_for "DEVICE" && screen | grep -qE '^DEVICE +r/s +rbytes/s' && screen | grep -qE '^ +TID PRIO'; then
    ok "d shows the disks pane beside the tasks"
else
    bad "d disks pane"
fi
keys Right
if wait_for "DEVICE<" 3 || wait_for "DEVICE>" 1; then ok "-> sorts the focused pane"; else bad "pane sort"; fi
# Each key opens its pane beside the others (tests/e2e_panes.sh checks the stack and focus).
keys m
if wait_for "MOUNTED ON"; then ok "m shows file systems"; else bad "m fs pane"; fi
keys n
if wait_for "IFACE"; then ok "n shows network interfaces"; else bad "n net pane"; fi
keys s
if wait_for "Temperatures"; then ok "s shows sensors"; else bad "s sensors pane"; fi
keys t
if wait_gone "Temperatures" && wait_gone "IFACE" && wait_gone "DEVICE"; then ok "t closes every pane"; else bad "t back to tasks"; fi
keys 1
if wait_for "cpu0"; then ok "1 shows a bar per CPU"; else bad "1 per-core"; fi
keys 1
if wait_gone "cpu0 "; then ok "1 again hides them"; else bad "1 per-core off"; fi

tmux resize-window -t "$S" -x 60 -y 15
fits_60x15() {
    screen | grep -qF "Total DISK READ" &&
        [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 60 ] &&
        [ "$(screen | wc -l)" -le 15 ]
}
if poll 5 fits_60x15; then
    ok "resize to 60x15 redraws at the new size"
else
    bad "resize 60x15"
fi
# 80x24: the disks pane keeps the columns iostat users look at (aqu-sz, %util) and says
# which it leaves out.
tmux resize-window -t "$S" -x 80 -y 24
keys d
if wait_for "Disks (hidden at this width:" && wait_for "aqu-sz  %util"; then
    ok "at 80x24 the disks pane shows aqu-sz and %util, naming the columns it hides"
else
    bad "disks pane at 80x24"
fi
keys t
wait_gone "Disks" || bad "t back to tasks from the disks pane"
# A short screen: the summary gives up its last lines (Tasks, then PSI ...) before the
# task table has fewer than 5 rows; the CPU line stays.
tmux resize-window -t "$S" -x 80 -y 13
task_rows() { screen | awk '/^ +[TP]ID / { on = 1; next } on && /^ +[0-9]+ / { n++ } END { print n + 0 }'; }
short_ok() { shows "CPU  [" && ! shows "Tasks " && [ "$(task_rows)" -ge 5 ]; }
if poll 5 short_ok; then
    ok "at 80x13 the summary collapses (no Tasks line) and the table keeps $(task_rows) rows"
else
    bad "summary collapse at 80x13: $(task_rows) rows"
fi
tmux resize-window -t "$S" -x 80 -y 24
if wait_for "Tasks "; then ok "taller again, the whole summary is back"; else bad "summary back at 80x24"; fi
tmux resize-window -t "$S" -x 20 -y 5
if wait_for "too small"; then ok "20x5 shows the too-small message"; else bad "too small"; fi
tmux resize-window -t "$S" -x 120 -y 40
if wait_for "Total DISK READ"; then ok "back to 120x40"; else bad "resize back"; fi

# A writer started beside it shows within two refreshes, on top when sorted by DISK WRITE.
if command -v fio >/dev/null; then
    fio_dir=$(mktemp -d /var/tmp/vigil-tmux.XXXXXX)
    fio --name=vigil-tmux-writer --directory="$fio_dir" --rw=write --bs=64k --direct=1 --rate=10m \
        --size=256m --time_based --runtime=20 --output=/dev/null >/dev/null 2>&1 &
    fio_pid=$!
    keys Left Left Left   # COMMAND -> IO -> SWAPIN -> DISK WRITE
    if wait_for "DISK WRITE>" 3; then
        # The selection stays on the task that was on top when the sort changed, and the
        # view scrolls after it when that task drops down the list (a flush that stopped).
        # r twice orders the same way again from the top (Home is not used: tmux may send a
        # sequence this terminal type does not name). Poll until the
        # writer shows there (a capture can also catch a frame half drawn), for up to 5 s.
        # On a busy machine another task can write more than fio's 10 MB/s (a test run
        # beside this one): fio's row must be among the first three, at M/s, and every row
        # above it must write at least M/s too.
        on_top() {
            screen | awk '/DISK WRITE>/ { rows = 1; next }
                rows && rows <= 3 { if ($7 != "M/s" && $7 != "G/s") exit 1
                                    if (/fio/) { print; found = 1; exit } rows++ }
                END { exit !found }'
        }
        for ((i = 0; i < 25; i++)); do
            keys r r
            wait_for "DISK WRITE>" 1
            first=$(on_top) && break
            sleep 0.1
        done
        if first=$(on_top); then
            ok "a direct writer is on top when sorted by DISK WRITE: $(echo "$first" | awk '{print $1, $6, $7}')"
        else
            bad "writer on top: the first rows are: $(screen | awk '/DISK WRITE>/ { getline; print; getline; print; exit }')"
        fi
    else
        bad "sort by DISK WRITE"
    fi
else
    echo "skip - writer check: fio is not installed"
fi

# Actions on the selected task: ionice, then a signal after the prompt, then ESRCH reported.
VICTIM="vigil-e2e-victim-$$"
bash -c "exec -a $VICTIM sleep 300" &
victim=$!
poll 5 grep -qa "$VICTIM" "/proc/$victim/cmdline"
keys /
keys -l "$VICTIM"
keys Enter
if wait_for "| 1 row"; then
    keys Space  # pause: the row stays on screen after its task is gone
    wait_for "PAUSED" || bad "Space pauses"
    keys i
    keys -l "idle"
    keys Enter
    if wait_for "ionice idle set for $victim" && [ "$(ionice -p "$victim" 2>/dev/null)" = "idle" ]; then
        ok "i sets the I/O class of the selected task (ionice -p says idle)"
    else
        bad "i ionice: $(ionice -p "$victim" 2>&1)"
    fi
    keys k
    if wait_for "Send signal to $victim"; then
        keys Enter
        if wait_for "signal 15 sent to $victim" && ! kill -0 "$victim" 2>/dev/null; then
            ok "k + Enter sends TERM to the selected task only after the prompt"
        else
            bad "k kill"
        fi
    else
        bad "k prompt"
    fi
    wait "$victim" 2>/dev/null
    keys k
    keys Enter
    if wait_for "ESRCH"; then ok "a signal to a task that is gone reports ESRCH"; else bad "ESRCH notice"; fi
    keys Space
    wait_gone "PAUSED" || bad "Space resumes"
else
    bad "filter to the victim"
fi
keys Escape

# Esc at the top level never quits (as in htop and iotop-c), twice in a row either.
keys Escape Escape
if wait_for "processes | every" && ! poll 1 sh -c "tmux capture-pane -p -t '$S' | grep -q EXIT="; then
    ok "Esc at the top level leaves vigil running"
else
    bad "Esc quit vigil"
fi

# The column chooser (C): CPU% is the first column not shown after iotop's eight; Space adds
# it before COMMAND, Enter applies, and the header shows it. Esc cancels without a change.
header() { screen | grep -E '^ +[TP]ID ' | head -1; }
keys C
if wait_for "Space shows/hides" && wait_for "[ ]    CPU%"; then
    keys Down Down Down Down Down Down Down Down Space
    if wait_for "[x]  8 CPU%"; then
        keys Escape
        if wait_gone "Space shows/hides" && ! header | grep -qF "CPU%"; then
            ok "Esc cancels the column chooser without a change"
        else
            bad "chooser Esc: $(header)"
        fi
    else
        bad "chooser Space adds CPU%"
    fi
    keys C
    wait_for "Space shows/hides" || bad "C again"
    keys Down Down Down Down Down Down Down Down Space Enter
    has_cpu() { header | grep -qE 'CPU%[<>]? +COMMAND'; }
    if poll 5 has_cpu; then ok "the chooser adds CPU% and the header shows it: $(header | tr -s ' ')"; else bad "chooser add: $(header)"; fi
else
    bad "C opens the column chooser"
fi
# F2 opens it too (htop's Setup key); F10 applies: PRIO (line 2) hidden.
keys F2
if wait_for "Space shows/hides"; then
    keys Down Space F10
    no_prio() { ! header | grep -qF PRIO && header | grep -qF USER; }
    if poll 5 no_prio; then ok "F2 + Space + F10 hides PRIO: $(header | tr -s ' ')"; else bad "F2/F10: $(header)"; fi
else
    bad "F2 opens the column chooser"
fi
# The sets: 3 top's columns, 2 iotop's eight.
keys 3
top_set() { header | grep -qE 'TID +USER' && header | grep -qF 'TIME+' && header | grep -qF ' NI'; }
if poll 5 top_set; then ok "3 shows the top set: $(header | tr -s ' ')"; else bad "3 top set: $(header)"; fi
keys 2
io_set() { header | grep -qE 'TID PRIO USER +DISK READ[<>]? +DISK WRITE[<>]? +SWAPIN[<>]? +IO'; }
if poll 5 io_set; then ok "2 shows iotop's eight again"; else bad "2 io set: $(header)"; fi

# Renice (N): a sleep of this run's own, to 5; /proc/PID/stat's nice field (19) says so, and
# NI on the row shows it. Then bad input, and ESRCH for a task that is gone.
NICED="vigil-e2e-niced-$$"
bash -c "exec -a $NICED sleep 300" &
niced=$!
poll 5 grep -qa "$NICED" "/proc/$niced/cmdline"
stat_nice() { awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$1/stat"; }
keys 3 /
keys -l "$NICED"
keys Enter
if wait_for "| 1 row"; then
    keys N
    if wait_for "renice $niced $NICED 300 - nice value (-20..19"; then
        keys -l "5"
        keys Enter
        nice_is_5() { [ "$(stat_nice "$niced")" = 5 ]; }
        # NI: the row's cell under the title (both right-aligned), on the next frame.
        # The row by its TID: with top's wider set its COMMAND can be cut off at 120 columns.
        row_ni() {
            screen | awk -v tid="$niced" '
                / NI / && !pos { pos = index($0, " NI ") + 3 }
                pos && $1 == tid { print substr($0, pos - 3, 3) + 0; exit }'
        }
        ni_shows_5() { [ "$(row_ni)" = 5 ]; }
        if wait_for "renice 5 set for $niced" && poll 5 nice_is_5; then
            ok "N renices the selected task to 5 (/proc/$niced/stat nice: $(stat_nice "$niced"))"
        else
            bad "N renice: stat nice $(stat_nice "$niced")"
        fi
        if poll 5 ni_shows_5; then ok "NI shows the new nice value"; else bad "NI after renice: '$(row_ni)'"; fi
        # S, which taskstats does not give: fetched for the rows shown once a key shows it.
        row_s() {
            screen | awk -v tid="$niced" '
                / S / && / NI / && !pos { pos = index($0, " S ") + 1 }
                pos && $1 == tid { print substr($0, pos, 1); exit }'
        }
        s_is_sleeping() { [ "$(row_s)" = S ]; }
        if poll 5 s_is_sleeping; then ok "S shows the sleeping task's state (S) after 3"; else bad "S column: '$(row_s)'"; fi
    else
        bad "N prompt names the task"
    fi
    keys N
    keys -l "x"
    keys Enter
    if wait_for "not a nice value: 'x'"; then ok "a bad nice value is named on the notice line"; else bad "bad nice value"; fi
    keys Space  # paused: the row stays after its task is gone
    wait_for "PAUSED" || bad "Space pauses"
    kill "$niced"
    wait "$niced" 2>/dev/null
    keys N
    keys -l "0"
    keys Enter
    if wait_for "no such task (ESRCH)"; then ok "a renice of a task that is gone reports ESRCH"; else bad "renice ESRCH"; fi
    keys Space
    wait_gone "PAUSED" || bad "Space resumes"
else
    bad "filter to the reniced task"
fi
keys Escape 2

# q on the help screen leaves it, as in htop and less; q in the view then quits.
keys h
if wait_for "vigil keys"; then
    keys q
    if wait_gone "vigil keys" && wait_for "COMMAND" && ! screen | grep -q "EXIT="; then
        ok "q on the help screen returns to the view"
    else
        bad "q on the help screen: $(screen | tail -2)"
    fi
else
    bad "h help screen"
fi

keys q
if wait_for "EXIT=0"; then ok "q exits with status 0"; else bad "q exit"; fi
if [ "$(tmux display -p -t "$S" '#{alternate_on}')" = "0" ]; then ok "the terminal is restored (normal screen)"; else bad "terminal not restored"; fi

# Without --columns the view shows the top set when the terminal has room for it (sorted by
# CPU%), and iotop's eight on a narrower one; a resize switches.
old=$S
S="vigil-e2e-$$-width"
tmux new-session -d -s "$S" -x 200 -y 40 "TERM=xterm-256color $VIGIL -d 0.5; sleep 60"
tmux kill-session -t "$old" 2>/dev/null
if wait_for "Total DISK READ" && poll 5 top_set && wait_for "CPU%>"; then
    ok "200 columns: the top set, sorted by CPU%"
else
    bad "wide default: $(header)"
fi
tmux resize-window -t "$S" -x 100 -y 40
# With delay accounting off, SWAPIN and IO are '?' for every task: the view hides them
# (sorting by DISK WRITE) and says so once. Switched off and on here when root can.
ctl=/proc/sys/kernel/task_delayacct
io_set_without_delays() { header | grep -qE 'TID PRIO USER +DISK READ[<>]? +DISK WRITE[<>]? +COMMAND'; }
if [ "$(cat "$ctl" 2>/dev/null)" = 0 ]; then
    if poll 5 io_set_without_delays && wait_for "DISK WRITE>"; then
        ok "100 columns, delay accounting off: iotop's eight without SWAPIN and IO, sorted by DISK WRITE"
    else
        bad "narrow default, delay accounting off: $(header)"
    fi
else
    if poll 5 io_set && wait_for " IO>"; then ok "100 columns: iotop's eight, sorted by IO"; else bad "narrow default: $(header)"; fi
fi
if [ "$(id -u)" = 0 ] && [ -w "$ctl" ]; then
    saved_delayacct=$(cat "$ctl")
    echo 0 >"$ctl"
    if poll 5 io_set_without_delays && wait_for "SWAPIN, IO hidden: unknown for every task" && wait_for "DISK WRITE>"; then
        ok "delay accounting switched off: SWAPIN and IO hidden, said once, sorted by DISK WRITE"
    else
        bad "delay accounting off: $(header)"
    fi
    keys o o  # any key clears the notice (o twice: the same rows)
    if wait_gone "SWAPIN, IO hidden"; then ok "a key dismisses the notice"; else bad "the notice stays"; fi
    echo 1 >"$ctl"
    if poll 5 io_set && wait_for " IO>" && wait_for "delay accounting is on: SWAPIN, IO back"; then
        ok "delay accounting switched on: SWAPIN and IO back, sorted by IO again"
    else
        bad "delay accounting on: $(header)"
    fi
    # Ctrl-T (iotop-c's key) switches it from the view: off, then on again.
    keys C-t
    if poll 5 grep -qx 0 "$ctl" && poll 5 io_set_without_delays; then
        ok "Ctrl-T turns delay accounting off (kernel.task_delayacct=0) and the columns go"
    else
        bad "Ctrl-T off: sysctl $(cat "$ctl"), $(header)"
    fi
    keys C-t
    if poll 5 grep -qx 1 "$ctl" && poll 5 io_set; then
        ok "Ctrl-T turns it on again (kernel.task_delayacct=1) and SWAPIN and IO come back"
    else
        bad "Ctrl-T on: sysctl $(cat "$ctl"), $(header)"
    fi
    echo "$saved_delayacct" >"$ctl"
else
    skip "switching delay accounting in the view: needs root"
fi

# EPERM: vigil as nobody cannot renice PID 1 (only as root can this test drop privileges).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$VIGIL"; then
    old=$S
    S="vigil-e2e-$$-nobody"
    tmux new-session -d -s "$S" -x 120 -y 40 \
        "TERM=xterm-256color setpriv --reuid=nobody --regid=nogroup --clear-groups $VIGIL -d 0.5 --columns io -P -p 1; sleep 60"
    tmux kill-session -t "$old" 2>/dev/null
    if wait_for "| 1 row"; then
        keys N
        keys -l -- "-20"
        keys Enter
        if wait_for "not permitted (EPERM" && [ "$(stat_nice 1)" != -20 ]; then
            ok "a renice of PID 1 by nobody reports EPERM"
        else
            bad "renice EPERM"
        fi
        # (nobody has no taskstats either, so Ctrl-T says that first)
        keys C-t
        if wait_for "no taskstats here" || wait_for "needs root"; then
            ok "Ctrl-T as nobody says why it cannot switch delay accounting"
        else
            bad "Ctrl-T as nobody: $(screen | tail -3)"
        fi
    else
        bad "vigil as nobody -p 1"
    fi
else
    echo "skip - renice EPERM: needs root to run vigil as nobody (setpriv), and $VIGIL readable by nobody"
fi

# The view's device panes honour the options that shape a table as batch mode does
# (--partitions, --all-devices): the same devices in the disks pane as in -b --show disks,
# on the fixture machine (idle never-used disks, partitions, loop and zram devices) and on
# this one.
pane_devices() {
    screen | awk '/^DEVICE / { on = 1; next } on && (/^ *$/ || /^ +[TP]ID / || /^(\* )?(Threads|Processes)/) { exit } on { print $1 }' | sort
}
batch_devices() {
    "$VIGIL" -b -n 1 -d 0.1 --show disks "$@" 2>/dev/null | awk '/^DEVICE / { on = 1; next } on { print $1 }' | sort
}
FIX=$(cd "$(dirname "$0")" && pwd)/fixtures/machine/t1
n=0
for args in "--proc-root $FIX/proc --sys-root $FIX/sys" \
            "--proc-root $FIX/proc --sys-root $FIX/sys --partitions" \
            "--proc-root $FIX/proc --sys-root $FIX/sys --all-devices --partitions" \
            "--all-devices" ""; do
    # The new session first, then the old one goes: a server left without sessions exits,
    # and a session started while it does would find no server.
    old=$S
    S="vigil-e2e-$$-pane-$((n += 1))"
    tmux new-session -d -s "$S" -x 160 -y 60 "TERM=xterm-256color $VIGIL -d 0.3 $args; sleep 60"
    tmux kill-session -t "$old" 2>/dev/null
    label=${args//$FIX/FIXTURE}
    if ! wait_for "Total DISK READ"; then bad "start with '$label'"; continue; fi
    keys d
    want=$(batch_devices $args)
    same_devices() { [ -n "$want" ] && [ "$(pane_devices)" = "$want" ]; }
    if wait_for "DEVICE" && poll 5 same_devices; then
        ok "disks pane with '${label:-no options}' lists what -b --show disks does: $(echo $want)"
    else
        bad "disks pane with '$label': pane [$(echo $(pane_devices))], batch [$(echo $want)]"
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
