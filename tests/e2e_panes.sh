#!/usr/bin/env bash
# End-to-end test of the view's device panes in a real terminal (tmux), issue 16 item 5:
# several panes open at once, stacked above the task table; Tab moves the focus (the focused
# title marked "* "), the arrows sort the focused table only; d closes the disks pane again;
# at 80x24 with every pane open the task table keeps its rows; the panes' rates read in the
# task table's units (raw kB/s with -k).
# Usage: e2e_panes.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=${1:?usage: e2e_panes.sh PATH/TO/vigil}
if ! command -v tmux >/dev/null; then
    echo "SKIP: tmux is not installed"
    exit 77
fi
S="vigil-e2e-panes-$$"
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
E2E_BAD_SHOWS_SCREEN=1
cleanup() {
    tmux kill-server 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# Every wait polls for its condition with a deadline (poll, wait_for: e2e_lib.sh).
matches() { screen | grep -qE -- "$1"; }
wait_match() { poll "${2:-5}" matches "$1"; }
wait_gone() { poll "${2:-5}" sh -c "! tmux capture-pane -p -t '$S' | grep -qF -- '$1'"; }
# The task rows: the lines under the task table's column titles ("  TID  PRIO ...").
task_rows() { screen | awk '/^ +[TP]ID / { on = 1; next } on && /^ +[0-9]+ / { n++ } END { print n + 0 }'; }
# The line holding a pane's column titles (its first column's title), e.g. header IFACE.
header() { screen | grep -E -- "^$1[<> ]" | head -1; }

# --columns io: iotop's eight at any width, sorted by IO (the task table's marker "IO>").
tmux new-session -d -s "$S" -x 160 -y 50 "TERM=xterm-256color $VIGIL -d 0.5 --columns io; echo EXIT=\$?; sleep 60"
if ! wait_for "Total DISK READ" 10; then
    bad "vigil did not start"
    echo "$pass passed, $fail failed"
    exit 1
fi

# d, n, m: three panes at once, with the task table under them.
keys d n m
three_shown() {
    matches '^DEVICE ' && matches '^IFACE ' && matches '^FILESYSTEM ' && matches '^ +TID ' &&
        [ "$(task_rows)" -ge 5 ]
}
if poll 5 three_shown; then
    ok "d n m at 160x50: disks, network and file systems together, with $(task_rows) task rows"
else
    bad "three panes with the task table at 160x50"
fi
# The last opened (file systems) has the focus: its title alone is marked.
if wait_match '^\* Filesystems' && [ "$(screen | grep -c '^\* ')" -eq 1 ]; then
    ok "the focused pane's title is marked (* Filesystems), and only it"
else
    bad "focus marker on the file systems pane"
fi
# Rates in the task table's units: the disks pane says bytes, its cells carry their unit.
# (A pane opened shows '?' until its second sample.)
disk_rate_scaled() {
    screen | awk '/^DEVICE / { on = 1; next } on { print; exit }' | grep -qE '[0-9]\.[0-9]{2} [BKMGT]/s'
}
if matches '^DEVICE .*rbytes/s' && ! matches '^DEVICE .*rkB/s' && poll 5 disk_rate_scaled; then
    ok "the disks pane's rates are auto-scaled (rbytes/s, 'N.NN K/s')"
else
    bad "disks pane units"
fi

# Tab: the focus moves down the stack (network), -> sorts that pane, not the tasks.
keys Tab
if wait_match '^\* Network'; then ok "Tab moves the focus to the network pane"; else bad "Tab focus"; fi
tasks_before=$(header ' +TID')
keys Right
if wait_match '^IFACE[<>]'; then
    ok "-> sorts the focused pane (IFACE marked)"
else
    bad "-> on the network pane"
fi
keys Right
if wait_match '^IFACE +STATE[<>]' && ! matches '^IFACE[<>]'; then
    ok "-> again: the network pane's marker moves to STATE"
else
    bad "network sort marker did not move"
fi
if [ "$(header ' +TID')" = "$tasks_before" ] && matches ' IO> ' && ! matches '^DEVICE[<>]' &&
    ! matches '^FILESYSTEM[<>]'; then
    ok "the task table and the other panes keep their sort"
else
    bad "another table's sort changed: tasks [$(header ' +TID')] was [$tasks_before]"
fi

# Tab to the tasks: -> sorts them again.
keys Tab
if wait_match '^\* Threads'; then ok "Tab after the last pane focuses the task table"; else bad "Tab to tasks"; fi
keys Right
if wait_match ' COMMAND<' && matches '^IFACE +STATE[<>]'; then
    ok "-> with the tasks focused sorts the task table"
else
    bad "task sort with the tasks focused"
fi

# d again: the disks pane closes, the others stay.
keys d
if wait_gone "DEVICE" && matches '^IFACE ' && matches '^FILESYSTEM '; then
    ok "d again closes the disks pane; network and file systems stay"
else
    bad "d toggle"
fi

# 80x24 with every pane open: the task table keeps its rows; what does not fit is named.
keys d s G
tmux resize-window -t "$S" -x 80 -y 24
small_ok() { [ "$(task_rows)" -ge 5 ] && [ "$(screen | wc -l)" -le 24 ]; }
if poll 5 small_ok; then
    ok "80x24 with five panes open: the task table keeps $(task_rows) rows"
else
    bad "task rows at 80x24 with every pane open: $(task_rows)"
fi
if wait_match 'no room for '; then
    ok "the status line names the panes left out: $(screen | grep -oE 'no room for [a-z, ]+' | head -1)"
else
    bad "no 'no room for' on the status line"
fi
# The focused pane (cgroups, opened last) is never the one left out.
if matches '^\* Cgroups'; then ok "the focused pane stays on screen"; else bad "focused pane left out"; fi
# Only disks and cgroups open: the disks pane still shows aqu-sz and %util at 80 columns.
keys n m s
if wait_gone "IFACE" && wait_match '^DEVICE .*aqu-sz +%util'; then
    ok "at 80x24 the disks pane, beside another, shows aqu-sz and %util"
else
    bad "disks pane columns at 80x24"
fi
keys q
if poll 5 shows "EXIT=0"; then ok "q quits"; else bad "q"; fi

# -k: the panes' rates are iostat's raw kB/s, under its titles.
old=$S
S="vigil-e2e-panes-$$-k"
tmux new-session -d -s "$S" -x 160 -y 50 "TERM=xterm-256color $VIGIL -k -d 0.5 --columns io; sleep 60"
tmux kill-session -t "$old" 2>/dev/null
if wait_for "Total DISK READ" 10; then
    keys d n
    disk_rate_raw() {
        screen | awk '/^DEVICE / { on = 1; next } on { print; exit }' | grep -E '[0-9]\.[0-9]{2}' | grep -qvE '[BKMGT]/s'
    }
    if wait_match '^DEVICE .*rkB/s' && wait_match '^IFACE .*rxkB/s' && poll 5 disk_rate_raw; then
        ok "-k: the panes show raw rkB/s and rxkB/s"
    else
        bad "-k pane units"
    fi
else
    bad "vigil -k did not start"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
