#!/usr/bin/env bash
# End-to-end tests of batch mode: the built binary, run as a user would.
# Usage: e2e_batch.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=${1:?usage: e2e_batch.sh PATH/TO/vigil}
HERE=$(cd "$(dirname "$0")" && pwd)
FIX="$HERE/fixtures/proc"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# run NAME EXPECTED_STATUS ARGS...: captures stdout/stderr in $TMP/out, $TMP/err.
run() {
    local expect=$1; shift
    "$VIGIL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    status=$?
    [ "$status" -eq "$expect" ]
}

# --- help and version
if run 0 --help && grep -q '^Usage: vigil' "$TMP/out" && [ ! -s "$TMP/err" ]; then ok "--help"; else bad "--help (status $status)"; fi
if run 0 --version && grep -qE '^vigil [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"; then ok "--version"; else bad "--version"; fi

# --- bad input: status 2, nothing on stdout, a first stderr line naming the value
check_bad() {
    local name=$1 needle=$2; shift 2
    # The error is one line naming the value (warnings may come first), then a hint.
    if run 2 "$@" && [ ! -s "$TMP/out" ] && grep -F -- "$needle" "$TMP/err" | grep -q '^vigil: ' \
        && ! grep -v '^vigil: \|^Try ' "$TMP/err" | grep -q .; then
        ok "bad input: $name"
    else
        bad "bad input: $name (status $status, stderr: $(cat "$TMP/err"))"
    fi
}
check_bad "unknown option" "'--frobnicate'" -b --frobnicate
check_bad "-d abc" "'abc'" -b -d abc
check_bad "-d -1" "'-1'" -b -d -1
check_bad "-n 0" "'0'" -b -n 0
check_bad "unknown user" "no_such_user_vigil" -b -u no_such_user_vigil
check_bad "PID that does not exist" "none of the PIDs" -b -n 1 -p 2999999
check_bad "proc root that does not exist" "/nonexistent/proc" -b -n 1 --proc-root /nonexistent/proc

# --- a missing PID among others: warn and keep running
if run 0 -b -n 1 -d 0.1 -p "$$,2999998" && grep -q 'PID 2999998' "$TMP/err" && grep -q 'COMMAND' "$TMP/out"; then
    ok "-p with one missing PID warns and runs"
else
    bad "-p with one missing PID (status $status)"
fi

# --- samples, timing, -q
start=$(date +%s.%N)
if run 0 -b -n 3 -d 0.2; then
    end=$(date +%s.%N)
    n=$(grep -c '^Total DISK READ' "$TMP/out")
    took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    if [ "$n" -eq 3 ] && awk -v t="$took" 'BEGIN { exit !(t >= 0.55 && t < 3) }'; then
        ok "-n 3 -d 0.2 prints 3 samples in ${took}s"
    else
        bad "-n 3 -d 0.2: $n samples in ${took}s"
    fi
else
    bad "-n 3 -d 0.2 (status $status)"
fi
if run 0 -b -n 2 -d 0.1 -q && [ "$(grep -c 'COMMAND' "$TMP/out")" -eq 1 ]; then ok "-q: column names once"; else bad "-q"; fi
if run 0 -b -n 2 -d 0.1 -qqq && ! grep -q 'COMMAND\|Total DISK' "$TMP/out"; then ok "-qqq: rows only"; else bad "-qqq"; fi
if run 0 -b -n 1 -d 0.1 -t && grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2} Total DISK READ' "$TMP/out" \
    && grep -qE '^    TIME +TID' "$TMP/out"; then ok "-t time stamps"; else bad "-t"; fi

# --- a command line the process rewrites itself (setproctitle(); perl's $0, whose name,
# cut to 15 bytes, stays "vigil-e2e-title") shows within the staleness bound: at most one
# refresh or 2 s old. At -d 0.25 that is 8 samples; 12 allows for a late one.
perl -e '$0 = "vigil-e2e-title-before"; $SIG{USR1} = sub { $0 = "vigil-e2e-title-after" };
         sleep 1 while 1' &
title_pid=$!
if poll 5 grep -q before "/proc/$title_pid/cmdline"; then
    "$VIGIL" -b -P -p "$title_pid" -d 0.25 -n 32 -qqq >"$TMP/title" 2>"$TMP/err" &
    title_vigil=$!
    # Past the first two reads (the second names the process), so the bound is what waits.
    three_before() { [ "$(grep -c before "$TMP/title" 2>/dev/null)" -ge 3 ] 2>/dev/null; }
    poll 5 three_before
    kill -USR1 "$title_pid"
    shown_before=$(wc -l <"$TMP/title")
    wait "$title_vigil"
    first_after=$(grep -n 'title-after' "$TMP/title" | head -1 | cut -d: -f1)
    if [ -n "$first_after" ] && [ $((first_after - shown_before)) -le 12 ] \
        && ! tail -n +"$first_after" "$TMP/title" | grep -q before; then
        ok "a rewritten command line shows within the bound ($((first_after - shown_before)) samples at -d 0.25)"
    else
        bad "rewritten command line: signalled after line $shown_before, first 'after' at '${first_after}'" "$(cat "$TMP/title")"
    fi
else
    bad "perl did not set its command line"
fi
kill "$title_pid" 2>/dev/null
wait "$title_pid" 2>/dev/null

# --- a closed pipe ends vigil quietly with status 0
"$VIGIL" -b -d 0.05 2>"$TMP/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
# Notices (privileges, delay accounting) may appear; an error about the pipe may not.
if [ "$st" -eq 0 ] && ! grep -qiE 'pipe|error|write' "$TMP/err"; then ok "vigil -b | head -1 ends quietly"; else bad "closed pipe: status $st, stderr: $(cat "$TMP/err")"; fi

# --- a full disk is an error
"$VIGIL" -b -n 1 -d 0.1 >/dev/full 2>"$TMP/err"
st=$?
if [ "$st" -eq 1 ] && grep -q 'No space left on device' "$TMP/err"; then ok "output to /dev/full fails clearly"; else bad "/dev/full: status $st"; fi

# --- diagnostics never end a run: stderr on /dev/full (fmt::print threw: status 1, no output)
"$VIGIL" -b -n 2 -d 0.1 >"$TMP/out" 2>/dev/full
st=$?
if [ "$st" -eq 0 ] && [ "$(grep -c '^Total DISK READ' "$TMP/out")" -eq 2 ]; then
    ok "2>/dev/full: status 0 and both samples printed"
else
    bad "2>/dev/full: status $st, $(grep -c '^Total DISK READ' "$TMP/out") samples"
fi
"$VIGIL" --bogus 2>/dev/full
st=$?
if [ "$st" -eq 2 ]; then ok "2>/dev/full: a usage error keeps status 2"; else bad "2>/dev/full --bogus: status $st"; fi

# --- option errors name the option as typed, never a raw byte of its id
check_bad "--record without a value" "option '--record' needs a value" -b --record
check_bad "--replay without a value" "option '--replay' needs a value" -b --replay
check_bad "--repl (abbreviated) without a value" "option '--repl' needs a value" -b --repl
check_bad "--batch=1" "option '--batch' takes no value" --batch=1
check_bad "-n without a value in a cluster" "option '-n' needs a value" -bn
check_bad "an ambiguous --re" "ambiguous option '--re'" -b --re x
if run 2 -b --record && ! LC_ALL=C grep -q $'[\x80-\xff]' "$TMP/err"; then ok "option errors are plain text"; else bad "option error bytes: $(od -c "$TMP/err" | head -3)"; fi

# --- strict numbers and dates, one line naming the value
check_bad "-d 0x10 (hexadecimal)" "'0x10'" -b -n 1 -d 0x10
check_bad "-d ' 1' (white space)" "' 1'" -b -n 1 -d ' 1'
check_bad "-d 1e1 (exponent)" "'1e1'" -b -n 1 -d 1e1
check_bad "--record-rotate 0x10s" "'0x10s'" -b -n 1 --record "$TMP/x.vgl" --record-rotate 0x10s
check_bad "--from 2024-02-30" "'2024-02-30'" -b --replay "$TMP/none" --from 2024-02-30
check_bad "--to 2023-02-29" "'2023-02-29'" -b --replay "$TMP/none" --to 2023-02-29
if run 0 -b -n 1 -d .05; then ok "-d .05 still works"; else bad "-d .05 (status $status)"; fi

# --- spoofable text: a value quoted in a message is escaped (ESC, bidi controls, backslash)
arg=$(printf -- '--x\\e[2J\033[2J\342\200\256')      # a backslash-e, an ESC, U+202E
want=$(printf -- "'--x\\\\\\\\e[2J\\\\e[2J\\\\u{202e}'")  # each escaped
if run 2 "$arg" && grep -qF -- "$want" "$TMP/err" && ! grep -q $'\e\|\xe2\x80\xae' "$TMP/err"; then
    ok "a quoted argument is escaped: backslash, ESC and U+202E"
else
    bad "escaping in messages: $(od -c "$TMP/err" | head -3) (want $want)"
fi

# --- exit statuses (vigil(8), EXIT STATUS): a directory or a device as --record is a usage error
mkdir -p "$TMP/dir"
if run 2 -b -n 1 --record "$TMP/dir" && grep -qi 'is a directory' "$TMP/err"; then ok "--record DIR: status 2"; else bad "--record DIR: status $status"; fi
if run 2 -b -n 1 --record /dev/null; then ok "--record /dev/null: status 2"; else bad "--record /dev/null: status $status"; fi

# --- CSV: one table per file
if run 0 -b -n 2 -d 0.1 --format csv && python3 - "$TMP/out" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][:2] == ["time", "table"], rows[0]
assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
assert {r[1] for r in rows[1:]} == {"tasks"}, {r[1] for r in rows[1:]}
assert sum(1 for r in rows if r[0] == "time") == 1, "more than one header"
PY
then ok "--format csv: the task table alone, one header"; else bad "--format csv: not one table"; fi
# Debian's python3, where python3-pandas puts it (a python3 earlier in PATH may lack it).
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    if /usr/bin/python3 -c 'import pandas, sys; d = pandas.read_csv(sys.argv[1]); assert len(d) > 0 and set(d["table"]) == {"tasks"}' "$TMP/out"; then
        ok "pandas.read_csv reads the default CSV"
    else
        bad "pandas.read_csv fails on the default CSV"
    fi
else
    skip "pandas.read_csv: python3-pandas is not installed"
fi
if run 0 -b -n 1 -d 0.1 --format csv --show cpu && [ "$(cut -d, -f2 "$TMP/out" | sort -u | tr -d '\r' | tr '\n' ' ')" = "cpu table " ]; then
    ok "--format csv --show cpu: the cpu table alone"
else
    bad "--format csv --show cpu: $(cut -d, -f2 "$TMP/out" | sort -u | tr '\n' ' ')"
fi
check_bad "CSV of several tables on stdout" "--csv-dir DIR" -b --format csv --show cpu,mem
check_bad "CSV of sensors on stdout (three tables)" "--csv-dir DIR" -b --format csv --show sensors
check_bad "--csv-dir with --format json" "--csv-dir" -b --csv-dir "$TMP" --format json
mkdir -p "$TMP/csv"
if run 0 -n 2 -d 0.1 --show all --csv-dir "$TMP/csv" && [ ! -s "$TMP/out" ] && python3 - "$TMP/csv" <<'PY'
import csv, os, sys
d = sys.argv[1]
names = sorted(os.listdir(d))
for want in ("tasks.csv", "tasks_summary.csv", "cpu.csv", "cpu_summary.csv", "mem.csv", "disks.csv"):
    assert want in names, (want, names)
for n in names:
    rows = list(csv.reader(open(os.path.join(d, n), newline="")))
    assert rows and rows[0][:2] == ["time", "table"], n
    assert all(len(r) == len(rows[0]) for r in rows), n
    assert {r[1] for r in rows[1:]} == {n[:-4]}, n
PY
then ok "--csv-dir: one file per table, each one table"; else bad "--csv-dir (status $status): $(ls "$TMP/csv")"; fi
if run 2 -n 1 -d 0.1 --csv-dir "$TMP/csv" && grep -q 'csv exists' "$TMP/err"; then ok "--csv-dir never overwrites"; else bad "--csv-dir over existing files: status $status"; fi
if run 2 -n 1 --csv-dir "$TMP/no-such-dir"; then ok "--csv-dir DIR that does not exist: status 2"; else bad "--csv-dir missing: status $status"; fi

# --- fixture root: the fake machine's tasks, unknown values shown as '?'
if run 0 -b -n 1 -d 0.05 --proc-root "$FIX/t0"; then
    if grep -qE '^ +101 \? +[^ ]+ +0\.00 B/s +0\.00 B/s +\? +\? /usr/bin/app --name my \(weird\) app$' "$TMP/out" && grep -q '\[kthreadd\]' "$TMP/out" \
        && grep -qF 'evil line1\nline2 \e[31mred \xff\xfe' "$TMP/out"; then
        ok "--proc-root fixture: rows, '?' priority, escaped command line"
    else
        bad "--proc-root fixture output"; cat "$TMP/out"
    fi
else
    bad "--proc-root fixture (status $status): $(cat "$TMP/err")"
fi

# --- iotop's check: a rate-limited direct writer shows its rate within 2 %
if ! command -v fio >/dev/null; then
    skip "fio rate check: fio is not installed"
else
    dir=$(mktemp -d /var/tmp/vigil-e2e.XXXXXX)
    fio_rate_run "$dir" vigil-e2e "$VIGIL" -b -P -o -k -n 4 -d 2
    status=$?
    rm -rf "$dir"
    if [ "$status" -eq 2 ]; then
        skip "fio rate check: fio failed here (no O_DIRECT?)"
    else
        if [ "$status" -eq 0 ]; then
            ok "fio --rate=20m: DISK WRITE ${rates[*]} K/s (within 2 % of 20480 after the first)"
        else
            bad "fio --rate=20m: DISK WRITE ${rates[*]:-none} K/s"; cat "$TMP/out"
        fi
    fi
fi

# --- delay accounting: a task created while it was off shows '?', never a false 0 %
ctl=/proc/sys/kernel/task_delayacct
if ! command -v fio >/dev/null; then
    skip "delay accounting check: fio is not installed"
elif [ "$(id -u)" -ne 0 ] || ! [ -w "$ctl" ]; then
    skip "delay accounting check: needs root to switch kernel.task_delayacct"
else
    saved=$(cat "$ctl")
    dir=$(mktemp -d /var/tmp/vigil-e2e.XXXXXX)
    echo 0 >"$ctl"
    fio --name=before --directory="$dir" --rw=write --bs=64k --direct=1 --rate=5m --size=64m \
        --time_based --runtime=6 --output=/dev/null >/dev/null 2>&1 &
    a=$!
    # The "before" job's worker (a child of fio's main process) must exist before
    # accounting goes on. Its file is not enough: fio's main process can lay it out before
    # it forks the worker, and on a loaded machine the worker came after the switch.
    poll 10 test -s "$dir/before.0.0"
    poll 10 pgrep -P "$a" >/dev/null
    echo 1 >"$ctl"
    fio --name=after --directory="$dir" --rw=write --bs=64k --direct=1 --rate=5m --size=64m \
        --time_based --runtime=5 --output=/dev/null >/dev/null 2>&1 &
    b=$!
    poll 10 test -s "$dir/after.0.0"
    "$VIGIL" -b -P -o -n 2 -d 1 -qqq >"$TMP/out" 2>"$TMP/err"
    wait "$a" "$b"
    echo "$saved" >"$ctl"
    rm -rf "$dir"
    # Fields: PID PRIO USER READ unit WRITE unit, then "? ?" or "N % N %", then COMMAND.
    before_io=$(awk '/--name=before/ { print ($8 == "?" && $9 == "?") ? "?" : $8 "/" $10 }' "$TMP/out" | sort -u | tr '\n' ' ')
    after_io=$(awk '/--name=after/ && $9 == "%" && $11 == "%" { n++ } END { print n + 0 }' "$TMP/out")
    if [ "$before_io" = "? " ] && [ "$after_io" -ge 1 ]; then
        ok "delay accounting: a task from before it was on shows '?', a newer one a percentage"
    else
        bad "delay accounting: before='$before_io' after_rows=$after_io"; cat "$TMP/out"
    fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
