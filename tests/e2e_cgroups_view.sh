#!/usr/bin/env bash
# The view's cgroup pane and cgroup filters (issue 14) in a real terminal (tmux), against a
# cgroup 0vigilview-PID made in the v2 hierarchy with a writer (python3 under a name of
# its own) inside it:
#   - G opens the pane, which shows the group's row;
#   - -> sorts the pane by NAME (the tree's levels A to Z: the group, whose name starts
#     with 0, comes early among the root's children); Home, Down to its row, Enter: the task
#     table has the focus again, the status line names the group, and every task row is the
#     writer's;
#   - Esc clears that filter (more rows again, the status line no longer names it);
#   - \ then the group's name: the same rows, the status line names the pattern; Esc
#     clears it.
# Root only (mkdir in the hierarchy, moving a process): exits 77 (skipped) otherwise, or
# without a cgroup2 mount, tmux or python3. Every wait polls the screen with a deadline; no
# fixed sleep decides a result.
# Usage: e2e_cgroups_view.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_cgroups_view.sh PATH/TO/vigil}")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mkdir in the cgroup hierarchy)"; exit 77; }
ROOT=$(cgroup2_root) || { echo "SKIP: no cgroup2 hierarchy mounted"; exit 77; }
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

S="vigil-cgview-$$"
TMP=$(mktemp -d /var/tmp/vigil-e2e-cgview.XXXXXX)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
NAME=0vigilview-$$
CG=$ROOT/$NAME
MARK=vigilview-writer-$$
E2E_BAD_SHOWS_SCREEN=1
writer=
cleanup() {
    tmux kill-server 2>/dev/null
    [ -n "$writer" ] && kill "$writer" 2>/dev/null
    wait 2>/dev/null
    for _ in $(seq 1 50); do  # the group can be removed once its processes are gone
        [ -d "$CG" ] || break
        rmdir "$CG" 2>/dev/null && break
        sleep 0.1
    done
    [ -d "$CG" ] && echo "warning: could not remove $CG"
    rm -rf "$TMP"
}
trap cleanup EXIT

shows_not() { ! screen | grep -qF -- "$1"; }
# The task rows on screen: the lines between the task table's column titles (the line
# with COMMAND) and the hint line at the bottom, blank ones aside.
task_rows() {
    screen | awk '/COMMAND/ { on = 1; next } on { print }' | sed '$d' | grep -v '^ *$'
}
# Every task row (its first field, the TID) is a thread of the group (its cgroup.threads),
# and one of them is the writer, by its name.
only_writer() {
    local rows tid
    rows=$(task_rows)
    [ -n "$rows" ] && echo "$rows" | grep -qF -- "$MARK" || return 1
    for tid in $(echo "$rows" | awk '{ print $1 }'); do
        grep -qx -- "$tid" "$CG/cgroup.threads" || return 1
    done
}
# Some task row is not the group's.
others_too() {
    local tid
    for tid in $(task_rows | awk '{ print $1 }'); do
        grep -qx -- "$tid" "$CG/cgroup.threads" || return 0
    done
    return 1
}

mkdir "$CG" || { echo "FAIL - cannot mkdir $CG"; exit 1; }
# The shell moves itself into the group, then becomes the writer under its own name (the
# interpreter itself: a wrapper script in PATH, pyenv's say, would drop the name).
PY=$(python3 -c 'import sys; print(sys.executable)')
bash -c "echo \$\$ > '$CG/cgroup.procs' && exec -a $MARK '$PY' -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
block = b\"x\" * 65536
while True:
    os.pwrite(fd, block, 0)
    os.fsync(fd)
    time.sleep(0.05)
' '$TMP/f'" &
writer=$!
poll 10 grep -q . "$CG/cgroup.procs" || { echo "FAIL - the writer is not in $CG"; exit 1; }

tmux new-session -d -s "$S" -x 220 -y 60 "TERM=xterm-256color $VIGIL -d 0.5; echo EXIT=\$?; sleep 60"
poll 10 shows "COMMAND" || bad "the view did not start"

# --- G: the pane, with the group's row
keys G
if poll 10 shows "Cgroups" && poll 10 shows " /$NAME"; then
    ok "G opens the cgroup pane with the row of /$NAME"
else
    bad "G: no row of /$NAME"
fi
if shows "Enter its tasks"; then ok "the pane's hint names Enter"; else bad "pane hint"; fi

# --- sorted by NAME; Home; Down to the group's row; Enter
keys Right
poll 5 shows "NAME<" || poll 5 shows "NAME>" || bad "-> did not sort the pane by NAME"
keys Home
# Its row's distance below the first row (the line after the pane's column titles).
offset() {
    screen | awk -v path=" /$NAME" '
        /^NAME[<>]/ { head = NR }
        head && index($0, path) && substr($0, length($0) - length(path) + 1) == path {
            print NR - head - 1; exit }'
}
has_offset() { [ -n "$(offset)" ]; }
n=
poll 5 has_offset && n=$(offset)
if [ -z "$n" ]; then
    bad "the row of /$NAME is not on the screen"
else
    for ((i = 0; i < n; i++)); do keys Down; done
    keys Enter
    if poll 10 shows "tasks of cgroup /$NAME"; then
        ok "Enter on its row ($n below the root): the status line names /$NAME"
    else
        bad "Enter: the status line does not name /$NAME"
    fi
    if poll 10 only_writer; then
        ok "the task table shows only the writer's tasks: $(task_rows | wc -l) row(s)"
    else
        bad "rows of other tasks after Enter on /$NAME"
    fi
    if shows_not "Enter its tasks"; then ok "the focus is back on the task table"; else bad "focus"; fi
fi

# --- Esc clears it
keys Escape
if poll 10 shows_not "tasks of cgroup" && poll 10 others_too; then
    ok "Esc clears the cgroup's filter: other tasks again"
else
    bad "Esc did not clear the cgroup's filter"
fi

# --- \ PATTERN: the prompt's filter, as --cgroup
keys -l '\'
if poll 5 shows "Cgroup path"; then ok "\\ asks for a cgroup pattern"; else bad "\\ prompt"; fi
keys -l "$NAME"
keys Enter
if poll 10 shows "cgroup: $NAME" && poll 10 only_writer; then
    ok "\\ $NAME: only the writer's tasks, the pattern in the status line"
else
    bad "\\ $NAME"
fi
keys Escape
if poll 10 shows_not "cgroup: $NAME" && poll 10 others_too; then
    ok "Esc clears the cgroup pattern"
else
    bad "Esc after \\"
fi
# (tmux's own command line, with "echo EXIT=", may be a task row: only a line of its own counts)
if ! screen | grep -q "^EXIT="; then ok "Esc never quits"; else bad "vigil exited"; fi
keys q
if poll 10 shows "EXIT=0"; then ok "q quits with status 0"; else bad "q"; fi

echo "passed $pass, failed $fail"
[ "$fail" -eq 0 ]
