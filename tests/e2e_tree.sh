#!/usr/bin/env bash
# The process tree (--tree, issue 13 item 3) through the built binary, against a python3
# process with a thread and a `sleep` child:
#   - `vigil -b -P --tree -n 1` (and -n 2, with rates) prints the child within three lines
#     below its parent, indented deeper, behind a glyph (ASCII ones under LANG=C);
#   - JSON rows carry ppid and depth (the child one level below its parent, inside its
#     subtree); thread mode puts the thread and the child under the main thread; a parent
#     filtered out makes the child a root; CSV gains the fields only with --tree;
#   - a recording replays as the same tree (the ppid is recorded);
#   - in the view (tmux): T shows the tree, x collapses the selected row (+, the child
#     hidden), * expands it again, F5 leaves the tree.
# Every wait polls for its condition with a deadline.
# Usage: e2e_tree.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_tree.sh PATH/TO/vigil}")
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
TMP=$(mktemp -d)
S="vigil-tree-$$"
cleanup() {
    [ -n "${HAVE_TMUX:-}" ] && TMUX_TMPDIR=$TMP tmux kill-server 2>/dev/null
    [ -n "${parent:-}" ] && kill "$parent" 2>/dev/null
    [ -n "${child:-}" ] && kill "$child" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# The parent: python3 with a thread and a sleep child; the marker names this run's.
MARK="vigil-tree-marker-$$"
python3 -c "
import subprocess, threading, time  # $MARK
subprocess.Popen(['sleep', '300'])
threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
time.sleep(300)" &
parent=$!
find_child() {
    child=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null | awk '{ print $1 }')
    [ -n "$child" ] && [ "$(ls "/proc/$parent/task" 2>/dev/null | wc -l)" -ge 2 ]
}
if ! poll 10 find_child; then
    echo "FAIL - the python parent did not start its child and thread"
    exit 1
fi

# below TEXT_FILE: checks the child's line comes 1 to 3 lines after the parent's, its
# command indented deeper than the parent's, behind a glyph ($2: the glyph's pattern).
below() {
    python3 - "$1" "$parent" "$child" "$2" <<'EOF'
import re, sys
path, parent, child, glyph = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
def find(pid):
    for i, l in enumerate(lines):
        f = l.split()
        if f and f[0] == pid:
            return i
    return None
p, c = find(parent), find(child)
if p is None or c is None:
    sys.exit("parent or child not printed (parent line %s, child line %s)" % (p, c))
if not 1 <= c - p <= 3:
    sys.exit("the child is %d lines from its parent" % (c - p))
# Where each command's text starts: past the COMMAND title's column and the glyphs.
col = next((l.find("COMMAND") for l in lines if "COMMAND" in l), -1)
if col < 0:
    sys.exit("no COMMAND title")
def text_start(line):
    i = col
    while i < len(line) and line[i] in " \u2502\u251c\u2514\u2500|`-+":
        i += 1
    return i
pc = text_start(lines[p])
m = re.search(glyph + "sleep 300", lines[c])
if m is None:
    sys.exit("no glyph before the child's command: %r" % lines[c])
cc = m.end() - len("sleep 300")
if cc <= pc:
    sys.exit("the child's command (column %d) is not indented past its parent's (%d)" % (cc, pc))
print("parent line %d, child line %d: %s" % (p, c, lines[c][m.start():].strip()))
EOF
}

# --- text: the check of the issue, then with rates, then ASCII
for n in 1 2; do
    "$VIGIL" -b -P --tree -n "$n" -d 0.5 >"$TMP/text$n" 2>"$TMP/err"
    if got=$(below "$TMP/text$n" '[\u251c\u2514]\u2500 ' 2>&1); then
        ok "-b -P --tree -n $n: $got"
    else
        bad "-b -P --tree -n $n: $got" "$(cat "$TMP/err")"
    fi
done
LANG=C LC_ALL=C "$VIGIL" -b -P --tree -n 1 >"$TMP/ascii" 2>"$TMP/err"
if got=$(below "$TMP/ascii" '[|`]- ' 2>&1); then
    ok "LANG=C: ASCII glyphs: $got"
else
    bad "LANG=C glyphs: $got" "$(cat "$TMP/err")"
fi

# --- JSON: ppid and depth, -P, threads, and a filtered parent
check_json() {
    python3 - "$@" <<'EOF'
import json, sys
path, mode, parent, child = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
samples = [json.loads(l) for l in open(path)]
if not samples:
    sys.exit("no sample")
for s in samples:
    rows = s["tasks"]
    idx = {}
    for i, r in enumerate(rows):
        if "depth" not in r or "ppid" not in r:
            sys.exit("a row without depth or ppid: %r" % r)
        idx.setdefault(r.get("tid", r.get("pid")), i)
    if child not in idx:
        sys.exit("child not in the rows")
    c = rows[idx[child]]
    if c["ppid"] != parent:
        sys.exit("child ppid %r, want %d" % (c["ppid"], parent))
    if mode == "filtered":
        if c["depth"] != 0:
            sys.exit("the child of a parent filtered out has depth %r, want 0" % c["depth"])
        continue
    p = rows[idx[parent]]
    if c["depth"] != p["depth"] + 1:
        sys.exit("depths: parent %r, child %r" % (p["depth"], c["depth"]))
    # The child is inside its parent's subtree: after it, before the next row as shallow.
    for r in rows[idx[parent] + 1 : idx[child]]:
        if r["depth"] <= p["depth"]:
            sys.exit("the child is outside its parent's subtree")
    if mode == "threads":
        thread = [r for r in rows if r["pid"] == parent and r["tid"] != parent]
        if not thread or any(r["depth"] != p["depth"] + 1 for r in thread):
            sys.exit("the thread is not one level below the main thread: %r" % thread)
print("child ppid %d depth %d" % (c["ppid"], c["depth"]))
EOF
}
"$VIGIL" -P --tree --format json -n 2 -d 0.5 >"$TMP/p.json" 2>"$TMP/err"
if got=$(check_json "$TMP/p.json" processes "$parent" "$child" 2>&1); then
    ok "JSON -P --tree: $got"
else
    bad "JSON -P --tree: $got" "$(cat "$TMP/err")"
fi
"$VIGIL" --tree --format json -n 1 -p "$parent,$child" >"$TMP/t.json" 2>"$TMP/err"
if got=$(check_json "$TMP/t.json" threads "$parent" "$child" 2>&1); then
    ok "JSON --tree, threads: the thread and the child under the main thread: $got"
else
    bad "JSON --tree threads: $got" "$(cat "$TMP/err")"
fi
"$VIGIL" -P --tree --format json -n 1 -p "$child" >"$TMP/f.json" 2>"$TMP/err"
if got=$(check_json "$TMP/f.json" filtered "$parent" "$child" 2>&1); then
    ok "JSON: a parent filtered out makes the child a root: $got"
else
    bad "JSON filtered parent: $got" "$(cat "$TMP/err")"
fi
with=$("$VIGIL" -P --tree --format csv -n 1 -p "$parent" 2>/dev/null | head -1 | tr -d '\r')
without=$("$VIGIL" -P --format csv -n 1 -p "$parent" 2>/dev/null | head -1 | tr -d '\r')
if [ "$with" = "time,table,pid,ppid,depth,prio,user,read_bytes_per_s,write_bytes_per_s,swapin_pct,io_pct,command" ] &&
    [ "$without" = "time,table,pid,prio,user,read_bytes_per_s,write_bytes_per_s,swapin_pct,io_pct,command" ]; then
    ok "CSV gains ppid and depth with --tree only"
else
    bad "CSV header: with --tree '$with', without '$without'"
fi

# --- replay: the recording keeps the ppid
"$VIGIL" -b -P -n 2 -d 0.3 --record "$TMP/r.rec" >/dev/null 2>"$TMP/err"
"$VIGIL" -P --tree --format json --replay "$TMP/r.rec" >"$TMP/r.json" 2>>"$TMP/err"
if got=$(check_json "$TMP/r.json" processes "$parent" "$child" 2>&1); then
    ok "--replay --tree: the same tree: $got"
else
    bad "--replay --tree: $got" "$(cat "$TMP/err")"
fi

# --- the view in tmux: T, x, *, F5
if ! command -v tmux >/dev/null; then
    skip "tmux is not installed: the view's keys are not checked"
else
    HAVE_TMUX=1
    export TMUX_TMPDIR=$TMP  # a private tmux server
    shows_re() { screen | grep -qE -- "$1"; }
    hides_re() { ! screen | grep -qE -- "$1"; }
    tmux new-session -d -s "$S" -x 120 -y 30 \
        "TERM=xterm-256color LANG=C.UTF-8 $VIGIL -d 0.5 -P -p $parent,$child --columns pid,cpu,command; sleep 60"
    view_bad() { bad "$1" "$(screen)"; }
    if poll 10 shows_re "python3"; then ok "the view starts"; else view_bad "the view starts"; fi
    keys T
    if poll 5 shows_re "[├└]─ sleep 300" && poll 5 shows_re "\| tree"; then
        ok "T: the child under its parent, status says tree"
    else
        view_bad "T shows the tree"
    fi
    keys Up x
    if poll 5 shows_re "\+ [^ ]*python3" && poll 5 hides_re "sleep 300"; then
        ok "x collapses the selected parent: + and the child hidden"
    else
        view_bad "x collapses"
    fi
    keys '*'
    if poll 5 shows_re "[├└]─ sleep 300" && poll 5 hides_re "\+ [^ ]*python3"; then
        ok "* expands it again"
    else
        view_bad "* expands"
    fi
    keys F5
    if poll 5 hides_re "[├└]─ sleep 300" && poll 5 hides_re "\| tree" && poll 5 shows_re "sleep 300"; then
        ok "F5 leaves the tree"
    else
        view_bad "F5 leaves the tree"
    fi
    keys q
fi

echo "# $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
