#!/usr/bin/env bash
# End-to-end tests of formats, recording and replay with the built binary: live -b runs
# replayed byte for byte in text, CSV and JSON; CSV and JSON checked by Python's parsers
# over hostile command lines; recording from the view (tmux); signals and kill -9 during a
# recording; the replay view's time keys; damaged and newer files; /dev/full and closed pipes.
# Usage: e2e_record.sh PATH/TO/vigil
set -u
VIGIL=${1:?usage: e2e_record.sh PATH/TO/vigil}
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
S="vigil-rec-$$"
pids=()
cleanup() {
    command -v tmux >/dev/null && tmux kill-server 2>/dev/null
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok - $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $1"; }
skip() { skip=$((skip + 1)); echo "skip - $1"; }
have_python=1
command -v python3 >/dev/null || have_python=0

# poll SECONDS CMD...: runs CMD every 50 ms until it succeeds (0) or SECONDS have passed (1).
# Every wait in this script polls for its condition: no fixed sleep decides a result.
poll() {
    local end
    end=$(awk -v s="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", now + s }')
    shift
    while :; do
        "$@" && return 0
        awk -v end="$end" -v now="$(date +%s.%N)" 'BEGIN { exit !(now >= end) }' && return 1
        sleep 0.05
    done
}
# has_samples FILE N: whether a replay of FILE (possibly still being written) prints N.
has_samples() {
    [ "$("$VIGIL" -b --replay "$1" --format json 2>/dev/null | wc -l)" -ge "$2" ]
}

# samples FILE: sets n to how many samples -b --replay prints (JSON lines), rstatus to
# its exit status; stderr in $TMP/rep.err.
samples() {
    "$VIGIL" -b --replay "$1" --format json >"$TMP/rep.out" 2>"$TMP/rep.err"
    rstatus=$?
    n=$(wc -l <"$TMP/rep.out")
}

# --- 1. live -b with --record, replayed: the same bytes in every format
for fmt in text csv json; do
    f="$TMP/live-$fmt.vgl"
    "$VIGIL" -b -n 4 -d 0.3 -P --format "$fmt" --record "$f" >"$TMP/live.$fmt" 2>/dev/null
    st=$?
    "$VIGIL" -b -P --format "$fmt" --replay "$f" >"$TMP/replay.$fmt" 2>"$TMP/err"
    rs=$?
    if [ "$st" -eq 0 ] && [ "$rs" -eq 0 ] && [ -s "$TMP/live.$fmt" ] && cmp -s "$TMP/live.$fmt" "$TMP/replay.$fmt"; then
        ok "-b --record then -b --replay: identical $fmt output ($(wc -c <"$TMP/live.$fmt") bytes)"
    else
        bad "$fmt round trip (live $st, replay $rs): $(diff "$TMP/live.$fmt" "$TMP/replay.$fmt" | head -5)"
    fi
done
# The memory and PRI columns (record format 3), sorted by RES: what is fetched is recorded,
# so the replay prints the same values in the same order.
mcols=pid,priority,virt,rss,shared,mem,swap,state,command
"$VIGIL" -b -n 3 -d 0.3 -P --columns "$mcols" --sort rss --format json --record "$TMP/mem.vgl" >"$TMP/mem.live" 2>/dev/null
st=$?
"$VIGIL" -b -P --columns "$mcols" --sort rss --format json --replay "$TMP/mem.vgl" >"$TMP/mem.replay" 2>"$TMP/err"
rs=$?
if [ "$st" -eq 0 ] && [ "$rs" -eq 0 ] && grep -q '"rss_bytes":[1-9]' "$TMP/mem.live" &&
    cmp -s "$TMP/mem.live" "$TMP/mem.replay"; then
    ok "memory and PRI columns sorted by rss: the replay prints what the live run printed"
else
    bad "memory columns round trip (live $st, replay $rs): $(diff "$TMP/mem.live" "$TMP/mem.replay" | head -3 | cut -c1-200)"
fi
# In a locale that is not UTF-8 the text output escapes non-ASCII bytes; the replay, run in
# the same locale, prints the same.
bash -c "exec -a 'é-vigil-record-$$' sleep 30" &
latin=$!
poll 10 grep -qa "vigil-record" "/proc/$latin/cmdline"
LC_ALL=C "$VIGIL" -b -n 3 -d 0.3 -P -p "$latin" --record "$TMP/c.vgl" >"$TMP/c.live" 2>/dev/null
LC_ALL=C "$VIGIL" -b -P -p "$latin" --replay "$TMP/c.vgl" >"$TMP/c.replay" 2>/dev/null
kill "$latin" 2>/dev/null
if grep -qF '\xc3\xa9-vigil-record' "$TMP/c.live" && cmp -s "$TMP/c.live" "$TMP/c.replay"; then
    ok "LC_ALL=C: live and replayed text escape the same non-ASCII bytes"
else
    bad "LC_ALL=C round trip: $(diff "$TMP/c.live" "$TMP/c.replay" | head -4)"
fi
# Rotation: each file replays alone, and the files replayed in turn print what the live
# run printed (a new file starts with the last sample of the one before).
mkdir "$TMP/rot"
"$VIGIL" -b -n 20 -d 0.1 --format json --record "$TMP/rot/r.vgl" --record-max-size 4K >"$TMP/rot.live" 2>/dev/null
files=$(ls "$TMP/rot" | wc -l)
for f in $(ls "$TMP"/rot/r.vgl.* 2>/dev/null | sort -V) "$TMP/rot/r.vgl"; do
    "$VIGIL" -b --replay "$f" --format json 2>>"$TMP/rot.err"
done >"$TMP/rot.replay"
# A file that holds a single sample (the first one can: a key sample past 4K) has nothing
# to show, and says so; nothing else may be said.
if [ "$files" -ge 2 ] && ! grep -v 'no sample to show' "$TMP/rot.err" | grep -q . && [ -s "$TMP/rot.live" ] && cmp -s "$TMP/rot.live" "$TMP/rot.replay"; then
    ok "--record-max-size: $files files; replayed in turn, the live JSON byte for byte"
else
    bad "rotation: $files files, $(head -c 300 "$TMP/rot.err")"
fi

# Retention: --record-keep N leaves the N newest rotated files after many rotations, and
# --record-keep-for removes a rotated file last written longer ago (here one of 2020), at
# the start as after each rotation; the live file and unrelated files stay.
mkdir "$TMP/keep"
"$VIGIL" -b -n 2 -d 0.1 --record "$TMP/keep/k.vgl.20200101-000000" >/dev/null 2>&1
touch -d 2020-01-02 "$TMP/keep/k.vgl.20200101-000000"
echo unrelated >"$TMP/keep/k.vgl.20200101-000000.bak"
echo unrelated >"$TMP/keep/k.vgl.20200101-000001"  # the name, not a recording
"$VIGIL" -b -n 40 -d 0.05 --format json --record "$TMP/keep/k.vgl" --record-max-size 4K \
    --record-keep 3 --record-keep-for 1d >"$TMP/keep.live" 2>"$TMP/keep.err"
st=$?
# Rotated names: the three kept and the one that is not a recording.
kept=$(ls "$TMP/keep" | grep -cE '^k\.vgl\.[0-9]{8}-[0-9]{6}(-[0-9]+)?$')
if [ "$st" -eq 0 ] && ! grep -v 'delay accounting is off' "$TMP/keep.err" | grep -q . && [ "$kept" -eq 4 ] && [ -f "$TMP/keep/k.vgl" ] &&
    [ ! -e "$TMP/keep/k.vgl.20200101-000000" ] && [ -f "$TMP/keep/k.vgl.20200101-000000.bak" ] &&
    [ -f "$TMP/keep/k.vgl.20200101-000001" ]; then
    ok "--record-keep 3 --record-keep-for 1d: 3 rotated recordings left after 40 samples at 4K, the 2020 one gone, unrelated files kept"
else
    bad "retention: status $st, $(ls "$TMP/keep" | tr '\n' ' ')$(cat "$TMP/keep.err")"
fi
# The newest were kept: replayed in turn with the live file, they print the end of what the
# live run printed, byte for byte.
for f in $(ls "$TMP"/keep/k.vgl.* | grep -E '\.[0-9]{8}-[0-9]{6}(-[0-9]+)?$' | sort -V) "$TMP/keep/k.vgl"; do
    "$VIGIL" -b --replay "$f" --format json 2>/dev/null
done >"$TMP/keep.replay"
lines=$(wc -l <"$TMP/keep.replay")
if [ "$lines" -ge 4 ] && [ "$lines" -lt "$(wc -l <"$TMP/keep.live")" ] &&
    cmp -s "$TMP/keep.replay" <(tail -n "$lines" "$TMP/keep.live"); then
    ok "the rotated files kept are the newest: with the live file they replay the last $lines samples printed"
else
    bad "retention kept the wrong files: $lines lines replayed"
fi
for bad_args in "--record-keep 0" "--record-keep x" "--record-keep-for 0" "--record-keep-for soon"; do
    "$VIGIL" -b -n 1 --record "$TMP/keep/k.vgl" --record-rotate 1h $bad_args >/dev/null 2>"$TMP/err"
    st=$?
    if [ "$st" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -le 2 ] && grep -q "invalid ${bad_args% *} '${bad_args#* }'" "$TMP/err"; then
        ok "$bad_args: status 2, $(head -1 "$TMP/err")"
    else
        bad "$bad_args: status $st, $(cat "$TMP/err")"
    fi
done
"$VIGIL" -b -n 1 --record "$TMP/keep/k.vgl" --record-keep 2 >/dev/null 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q "needs --record FILE with --record-rotate or --record-max-size" "$TMP/err"; then
    ok "--record-keep without rotation: status 2, refused"
else
    bad "--record-keep without rotation: status $st, $(cat "$TMP/err")"
fi

# The recording keeps every section, so a replay can show what the live run did not print.
if "$VIGIL" -b --replay "$TMP/live-json.vgl" --show all --format json >"$TMP/all.json" 2>"$TMP/err" &&
    [ "$(wc -l <"$TMP/all.json")" -eq 4 ] && grep -q '"disks":' "$TMP/all.json"; then
    ok "replay --show all of a tasks-only run has every section"
else
    bad "replay --show all: $(head -c 300 "$TMP/err")"
fi
n=$("$VIGIL" -b --replay "$TMP/live-json.vgl" --to +0.5 --format json 2>/dev/null | wc -l)
if [ "$n" -ge 1 ] && [ "$n" -lt 4 ]; then ok "--to +0.5 replays the first samples only ($n of 4)"; else bad "--to: $n lines"; fi
"$VIGIL" -b --replay "$TMP/live-json.vgl" --from nonsense >/dev/null 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q "nonsense" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -le 2 ]; then
    ok "--from nonsense: status 2, names the value"
else
    bad "--from nonsense: status $st, $(cat "$TMP/err")"
fi
# Nothing to replay is never a silent success (vigil(8), EXIT STATUS).
# nothing NAME STATUS NEEDLE ARGS...: -b --replay ARGS exits STATUS, prints nothing, and
# stderr says NEEDLE in one line.
nothing() {
    local name=$1 want=$2 needle=$3; shift 3
    "$VIGIL" -b "$@" >"$TMP/out" 2>"$TMP/err"
    local st=$?
    if [ "$st" -eq "$want" ] && [ ! -s "$TMP/out" ] && grep -qF -- "$needle" "$TMP/err" &&
        [ "$(wc -l <"$TMP/err")" -le 2 ]; then
        ok "$name: status $st, $(head -1 "$TMP/err" | cut -c1-100)"
    else
        bad "$name: status $st, stdout $(wc -c <"$TMP/out") bytes, $(cat "$TMP/err")"
    fi
}
f="$TMP/live-json.vgl"
nothing "--from +3s --to +1s" 2 "is after --to +1s" --replay "$f" --from +3s --to +1s
nothing "--from past the end" 1 "no sample at or after --from +1h" --replay "$f" --from +1h
nothing "--to before the start" 1 "no sample at or before --to 2001-01-01" --replay "$f" --to 2001-01-01
# A header and a session frame, no sample: a recorder stopped before its first one.
"$VIGIL" -b -n 1 -d 0.1 --record "$TMP/one.vgl" >/dev/null 2>&1
if [ "$have_python" -eq 1 ]; then
    # The first sample alone: cut before the third frame (the session, then two samples).
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); m = b"\x88VGF"; i = d.find(m, d.find(m, d.find(m) + 1) + 1); assert i > 0; sys.stdout.buffer.write(d[:i])' \
        "$TMP/one.vgl" >"$TMP/one-sample.vgl"
    nothing "a recording of one sample (it has no sample before it)" 1 "no sample to show" --replay "$TMP/one-sample.vgl"
    # The file header and the session frame, cut before the second frame (the sample).
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); i = d.find(b"\x88VGF", d.find(b"\x88VGF") + 1); assert i > 0; sys.stdout.buffer.write(d[:i])' \
        "$TMP/one.vgl" >"$TMP/hdr-only.vgl"
    nothing "a header-only recording" 1 "holds no sample" --replay "$TMP/hdr-only.vgl"
    nothing "a header-only recording, --format csv" 1 "holds no sample" --replay "$TMP/hdr-only.vgl" --format csv
fi
# CSV of several tables: a file per table, live and replayed alike.
mkdir -p "$TMP/csv-live" "$TMP/csv-replay"
"$VIGIL" -b -n 3 -d 0.2 --show all --csv-dir "$TMP/csv-live" --record "$TMP/csv.vgl" >/dev/null 2>&1
st=$?
"$VIGIL" -b --show all --csv-dir "$TMP/csv-replay" --replay "$TMP/csv.vgl" >/dev/null 2>&1
rs=$?
if [ "$st" -eq 0 ] && [ "$rs" -eq 0 ] && [ -s "$TMP/csv-live/tasks.csv" ] && [ -s "$TMP/csv-live/cpu.csv" ] &&
    diff -r "$TMP/csv-live" "$TMP/csv-replay" >/dev/null; then
    ok "--csv-dir: live and replayed, the same $(ls "$TMP/csv-live" | wc -l) files byte for byte"
else
    bad "--csv-dir round trip (live $st, replay $rs): $(diff -r "$TMP/csv-live" "$TMP/csv-replay" | head -3)"
fi

# --- 2. hostile command lines through real parsers
if [ "$have_python" -eq 1 ]; then
    # argv with quotes, commas, newlines, CR, tabs, an escape sequence, a backslash-n that
    # is not a newline, and invalid UTF-8.
    python3 -c 'import time; time.sleep(120)' 'say "hi", then' $'two\nlines\r\n' $'tab\there' \
        $'\e[31mred\e[0m' 'back\slash\n' $'bad \xff\xfe utf8' ',,,' &
    hp=$!
    pids+=("$hp")
    bash -c $'exec -a "hostile,\\"exec\\"\n\xc3(" sleep 120' &
    hp2=$!
    pids+=("$hp2")
    # Until both have exec'd into their hostile command lines.
    poll 10 eval 'grep -qa "say" "/proc/$hp/cmdline" && grep -qa "hostile" "/proc/$hp2/cmdline"'
    "$VIGIL" -b -n 2 -d 0.3 --format json >"$TMP/h.json" 2>/dev/null
    "$VIGIL" -b -n 2 -d 0.3 --format csv >"$TMP/h.csv" 2>/dev/null
    head -1 "$TMP/h.json" | python3 -m json.tool >/dev/null 2>"$TMP/err" && jt=0 || jt=1
    cat >"$TMP/check.py" <<'PY'
import csv, io, json, sys

def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode(); i += 1; continue
        n = s[i + 1]
        if n == "\\": out += b"\\"
        elif n == "n": out += b"\n"
        elif n == "t": out += b"\t"
        elif n == "e": out += b"\x1b"
        elif n == "x": out.append(int(s[i + 2:i + 4], 16)); i += 2
        else: raise ValueError("unknown escape \\" + n)
        i += 2
    return bytes(out)

def raw_cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().rstrip(b"\0").replace(b"\0", b" ")

kind, path, pids = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
found = {}
data = open(path, "rb").read()
if kind == "json":
    lines = data.split(b"\n")
    assert lines[-1] == b"", "output does not end with a newline"
    for line in lines[:-1]:
        obj = json.loads(line.decode("utf-8"))  # strict UTF-8, strict JSON
        assert obj["schema_version"] == 1 and isinstance(obj["interval_s"], float)
        for t in obj["tasks"]:
            if t["tid"] in pids:
                found[t["tid"]] = t["command"]
else:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    hdr = [r for r in rows if r[:2] == ["time", "table"] and "tid" in r]
    assert len(hdr) == 1, "one header row for the tasks table"
    hdr = hdr[0]
    for r in rows:
        if r[1] != "tasks" or r[0] == "time":
            continue
        assert len(r) == len(hdr), f"row has {len(r)} fields, header {len(hdr)}"
        rec = dict(zip(hdr, r))
        if int(rec["tid"]) in pids:
            found[int(rec["tid"])] = rec["command"]
for p in pids:
    assert p in found, f"pid {p} not in the {kind} output"
    want = raw_cmdline(p)
    got = unescape(found[p])
    assert got == want, f"{kind}: {got!r} != {want!r}"
print(f"{kind}: {len(pids)} hostile command lines decode to their raw bytes")
PY
    if [ "$jt" -eq 0 ]; then ok "python3 -m json.tool accepts a JSON line"; else bad "json.tool: $(cat "$TMP/err")"; fi
    for k in json csv; do
        if out=$(python3 "$TMP/check.py" "$k" "$TMP/h.$k" "$hp" "$hp2" 2>&1); then
            ok "$out"
        else
            bad "$k hostile: $out"
        fi
    done
    kill "$hp" "$hp2" 2>/dev/null
else
    skip "python3 is not installed: JSON and CSV parser checks"
fi

# --- 3. signals during a -b recording leave a complete, replayable file
for sig in INT TERM HUP; do
    f="$TMP/sig-$sig.vgl"
    "$VIGIL" -b -d 0.2 --record "$f" >/dev/null 2>&1 &
    p=$!
    poll 20 has_samples "$f" 3
    kill -"$sig" "$p"
    wait "$p" 2>/dev/null
    st=$?
    samples "$f"
    want=$((128 + $(kill -l "$sig")))
    if [ "$st" -eq "$want" ] && [ "$rstatus" -eq 0 ] && [ "$n" -ge 3 ] && [ ! -s "$TMP/rep.err" ]; then
        ok "SIG$sig during -b --record: status $st, $n samples replay, no damage"
    else
        bad "SIG$sig: status $st (want $want), replay status $rstatus, $n samples, $(cat "$TMP/rep.err")"
    fi
done
# A reader that never reads: the write to stdout waits, and SIGTERM must not wait with it.
f="$TMP/slow.vgl"
"$VIGIL" -b -d 0.02 --show all --record "$f" > >(sleep 60) 2>/dev/null &
p=$!
# --show all prints some 40 KiB a sample here: the 64 KiB pipe is full during the second,
# which is printed only after the third sample is recorded (the first is the baseline), so
# vigil then waits in write() for a reader that never comes.
poll 20 has_samples "$f" 2
kill -TERM "$p"
if poll 3 eval '! kill -0 "$p" 2>/dev/null'; then
    wait "$p" 2>/dev/null
    st=$?
    samples "$f"
    if [ "$st" -eq 143 ] && [ "$rstatus" -eq 0 ] && [ "$n" -ge 2 ]; then
        ok "SIGTERM while stdout's reader stalls: ends within 3 s, status 143, $n samples replay"
    else
        bad "SIGTERM with a stalled reader: status $st, replay status $rstatus, $n samples"
    fi
else
    bad "SIGTERM with a stalled reader: vigil still runs 3 s later"
    kill -9 "$p" 2>/dev/null
fi
# kill -9 loses at most the sample being written: the rest replays.
f="$TMP/kill9.vgl"
"$VIGIL" -b -d 0.1 --record "$f" >/dev/null 2>&1 &
p=$!
poll 20 has_samples "$f" 6
kill -9 "$p"
wait "$p" 2>/dev/null
samples "$f"
if { [ "$rstatus" -eq 0 ] || { [ "$rstatus" -eq 3 ] && grep -q "ends inside a frame" "$TMP/rep.err"; }; } && [ "$n" -ge 5 ]; then
    ok "kill -9 during -b --record: $n samples replay (status $rstatus)"
else
    bad "kill -9: replay status $rstatus, $n samples, $(cat "$TMP/rep.err")"
fi

# --- 4. damage: truncated, corrupted, a newer format
f="$TMP/live-json.vgl"
size=$(stat -c %s "$f")
head -c $((size - 1)) "$f" >"$TMP/trunc.vgl"  # inside the last frame, however small
samples "$TMP/trunc.vgl"
if [ "$rstatus" -eq 3 ] && [ "$n" -eq 3 ] && [ "$(wc -l <"$TMP/rep.err")" -eq 1 ] &&
    grep -qE "^vigil: .*trunc.vgl: byte [0-9]+, after sample [0-9]+ .*ends inside a frame" "$TMP/rep.err"; then
    ok "truncated file: 3 intact samples, status 3, one line: $(cut -c1-90 "$TMP/rep.err")..."
else
    bad "truncated: status $rstatus, $n samples, $(cat "$TMP/rep.err")"
fi
cp "$f" "$TMP/corrupt.vgl"
printf '\x55\xaa\x55\xaa' | dd of="$TMP/corrupt.vgl" bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
samples "$TMP/corrupt.vgl"
if [ "$rstatus" -eq 3 ] && [ "$n" -eq 3 ] && grep -q "checksum mismatch" "$TMP/rep.err"; then
    ok "corrupted last sample: 3 intact samples, status 3, says checksum mismatch"
else
    bad "corrupted: status $rstatus, $n samples, $(cat "$TMP/rep.err")"
fi
cp "$f" "$TMP/newer.vgl"
printf '\x09' | dd of="$TMP/newer.vgl" bs=1 seek=8 conv=notrunc 2>/dev/null
samples "$TMP/newer.vgl"
if [ "$rstatus" -eq 2 ] && [ "$n" -eq 0 ] && grep -q "newer vigil (record format 9" "$TMP/rep.err"; then
    ok "newer format: status 2, $(cat "$TMP/rep.err")"
else
    bad "newer format: status $rstatus, $(cat "$TMP/rep.err")"
fi
echo "not a recording" >"$TMP/text.vgl"
"$VIGIL" -b --record "$TMP/text.vgl" -n 1 >/dev/null 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q "not a vigil recording" "$TMP/err" && [ "$(cat "$TMP/text.vgl")" = "not a recording" ]; then
    ok "--record into a file that is not a recording: refused, status 2, file untouched"
else
    bad "--record into a text file: status $st, $(cat "$TMP/err")"
fi

# --- 5. output errors: /dev/full, a closed pipe
if [ -w /dev/full ]; then
    "$VIGIL" -b -n 2 -d 0.2 --format json >/dev/full 2>"$TMP/err"
    st=$?
    if [ "$st" -eq 1 ] && grep -q "cannot write output: No space left on device" "$TMP/err"; then
        ok "--format json > /dev/full: status 1, says so"
    else
        bad "/dev/full: status $st, $(cat "$TMP/err")"
    fi
    "$VIGIL" -b --replay "$TMP/live-json.vgl" --format csv >/dev/full 2>"$TMP/err"
    st=$?
    if [ "$st" -eq 1 ] && grep -q "No space left on device" "$TMP/err"; then
        ok "--replay --format csv > /dev/full: status 1, says so"
    else
        bad "replay /dev/full: status $st, $(cat "$TMP/err")"
    fi
else
    skip "/dev/full is not writable"
fi
"$VIGIL" -b -d 0.1 --format json 2>"$TMP/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
if [ "$st" -eq 0 ] && ! grep -qi "error\|cannot\|broken" "$TMP/err"; then
    ok "--format json | head -1: status 0, quiet"
else
    bad "closed pipe: status $st, $(cat "$TMP/err")"
fi
"$VIGIL" -b --replay "$TMP/live-json.vgl" --format csv 2>"$TMP/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
if [ "$st" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "--replay | head -1: status 0, quiet"; else bad "replay closed pipe: status $st"; fi

# --- 6. the view: recording from it, and replaying with the time keys (tmux)
if ! command -v tmux >/dev/null; then
    skip "tmux is not installed: the view's recording and replay"
else
    screen() { tmux capture-pane -p -t "$S"; }
    keys() { tmux send-keys -t "$S" "$@"; }
    wait_for() {
        local text=$1 limit=${2:-5} i
        for ((i = 0; i < limit * 10; i++)); do
            screen | grep -qF -- "$text" && return 0
            sleep 0.1
        done
        return 1
    }
    header() { screen | grep -m1 '^replay '; }
    # wait_header REGEX: polls until the replay header matches (5 s).
    wait_header() {
        local i
        for ((i = 0; i < 50; i++)); do
            header | grep -qE -- "$1" && return 0
            sleep 0.1
        done
        return 1
    }
    # A session that outlives the others, so killing one never stops the server while
    # the next one starts.
    tmux new-session -d -s "$S-keep" "sleep 600"
    f="$TMP/view.vgl"
    tmux new-session -d -s "$S" -x 120 -y 40 "TERM=xterm-256color $VIGIL -d 0.2 --record $f; echo EXIT=\$?; sleep 60"
    wait_for "COMMAND" && poll 20 has_samples "$f" 5
    # The status line shows the recording: REC, the file's name and its size, which grows.
    rec() { screen | grep -oE 'REC view\.vgl [0-9.]+ [BKMG]' | head -1; }
    r1=$(rec)
    if [ -n "$r1" ] && poll 10 eval '[ -n "$(rec)" ] && [ "$(rec)" != "$r1" ]'; then
        ok "the recording view shows REC with the file's size, growing ($r1 -> $(rec))"
    else
        bad "no REC indicator, or its size does not grow: '$r1' / $(screen | grep -m1 threads)"
    fi
    keys q
    if wait_for "EXIT=0"; then
        samples "$f"
        if [ "$rstatus" -eq 0 ] && [ "$n" -ge 4 ]; then ok "the view records: $n samples replay"; else bad "view recording: status $rstatus, $n samples"; fi
    else
        bad "the view with --record did not exit 0"
    fi
    tmux kill-session -t "$S"
    f="$TMP/view-term.vgl"
    tmux new-session -d -s "$S" -x 120 -y 40 "TERM=xterm-256color $VIGIL -d 0.2 --record $f; echo EXIT=\$?; sleep 60"
    wait_for "COMMAND" && poll 20 has_samples "$f" 3
    # The view is the only child of the pane's shell.
    shell=$(tmux display-message -p -t "$S" '#{pane_pid}')
    vp=$(ps -o pid= --ppid "$shell" | tr -d ' ' | head -1)
    [ -n "$vp" ] && kill -TERM "$vp"
    # Killed by SIGTERM: 128 + 15, as batch mode (vigil(8), EXIT STATUS).
    wait_for "EXIT=" >/dev/null
    samples "$f"
    if screen | grep -q "EXIT=143" && [ "$rstatus" -eq 0 ] && [ "$n" -ge 3 ]; then
        ok "SIGTERM to the recording view: status 143, $n samples replay"
    else
        bad "view SIGTERM: $(screen | grep EXIT=), replay status $rstatus, $n samples"
    fi
    tmux kill-session -t "$S"

    # A recording of 30 samples 0.2 s apart to move around in.
    f="$TMP/nav.vgl"
    "$VIGIL" -b -n 30 -d 0.2 --record "$f" -qqq >/dev/null 2>&1
    tmux new-session -d -s "$S" -x 120 -y 40 "TERM=xterm-256color $VIGIL --replay $f; echo EXIT=\$?; sleep 60"
    if wait_for "(1/30)" && header | grep -qE '^replay [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \(1/30\) .*PAUSED'; then
        ok "replay view opens paused on sample 1/30, its time in the header"
    else
        bad "replay view start: $(header)"
    fi
    if wait_for "every 0.2 s"; then ok "replay plays at the recorded interval (0.2 s)"; else bad "replay interval: $(header)"; fi
    # - plays faster: the status line keeps the recorded interval and shows the speed apart.
    keys -l -- "-"
    if wait_for "every 0.2 s, played at 2x" && ! header | grep -q "every 0.1 s"; then
        ok "- plays at 2x: the status line says so beside the recorded 0.2 s"
    else
        bad "- in a replay: $(header)"
    fi
    keys +
    if wait_header '\| every 0\.2 s \|'; then ok "+ back to the recorded pace: the speed is not shown"; else bad "+ in a replay: $(header)"; fi
    # --from and --to narrow the view's replay as they narrow -b --replay's.
    S2="$S-span"
    tmux new-session -d -s "$S2" -x 120 -y 40 "TERM=xterm-256color $VIGIL --replay $f --from +2 --to +3; sleep 60"
    span=""
    for ((i = 0; i < 50; i++)); do
        span=$(tmux capture-pane -p -t "$S2" | grep -m1 -oE '^replay .* \(1/[0-9]+\)' | grep -oE '1/[0-9]+')
        [ -n "$span" ] && break
        sleep 0.1
    done
    want=$("$VIGIL" -b --replay "$f" --from +2 --to +3 --format json 2>/dev/null | wc -l)
    if [ -n "$span" ] && [ "${span#1/}" -eq "$want" ] && [ "$want" -lt 29 ]; then
        ok "--from +2 --to +3 in the replay view: $span samples, as -b --replay prints"
    else
        bad "replay view span: '$span', -b --replay prints $want"
    fi
    tmux kill-session -t "$S2"
    keys .
    keys .
    if wait_for "(3/30)"; then ok ". steps forward one sample"; else bad ". step: $(header)"; fi
    keys ,
    if wait_for "(2/30)"; then ok ", steps back one sample"; else bad ", step: $(header)"; fi
    keys ]
    if wait_for "(30/30)" && wait_for "after the recording, which ends at"; then ok "] jumps a minute forward (to the end of a 6 s recording, and says so)"; else bad "]: $(header)"; fi
    keys [
    if wait_for "(1/30)" && wait_for "before the recording, which starts at"; then ok "[ jumps a minute back (to the start, and says so)"; else bad "[: $(header)"; fi
    keys g
    if wait_for "Go to time"; then
        keys -l "+2"
        keys Enter
        # Samples are 0.2 s apart: 2 s on is about sample 11.
        if wait_header '\((9|10|11|12|13)/30\)'; then ok "g +2 jumps two seconds on: $(header | grep -oE '\([0-9]+/30\)')"; else bad "g: $(header)"; fi
    else
        bad "g prompt"
    fi
    # A time of day an hour before the recording's start: before it (not the next day,
    # after it): its first sample, and the notice line says so.
    shown=$(header | grep -oE '^replay [0-9-]+ [0-9:]+' | cut -d' ' -f3)
    keys g
    wait_for "Go to time" >/dev/null
    keys -l "$(date -d "$shown 1 hour ago" +%H:%M)"
    keys Enter
    if wait_header '\(1/30\)' && wait_for "before the recording, which starts at"; then
        ok "g to a time of day before the recording: its first sample, and says so"
    else
        bad "g before the recording: $(header) / $(screen | grep -E 'recording, which' | head -1)"
    fi
    keys g
    wait_for "Go to time" >/dev/null
    keys -l "+5m"
    keys Enter
    if wait_header '\(30/30\)' && wait_for "after the recording, which ends at"; then
        ok "g +5m past the end: its last sample, and says so"
    else
        bad "g +5m: $(header) / $(screen | grep -E 'recording, which' | head -1)"
    fi
    keys g
    wait_for "Go to time" >/dev/null
    keys -l -- "-3s"
    keys Enter
    wait_header '\((13|14|15|16|17|18)/30\)' || bad "g -3s: $(header)"
    t1=$(header | grep -oE '\([0-9]+/30\)')
    keys Space
    poll 5 eval '[ "$(header | grep -oE "\([0-9]+/30\)")" != "$t1" ]'
    t2=$(header | grep -oE '\([0-9]+/30\)')
    if [ "$t1" != "$t2" ] && ! header | grep -q PAUSED; then ok "Space plays ($t1 -> $t2)"; else bad "Space play: $t1 $t2 $(header)"; fi
    keys Space
    if wait_for "PAUSED"; then ok "Space pauses again"; else bad "Space pause: $(header)"; fi
    keys h
    # The reference is longer than 40 lines: read it a page at a time to its end.
    helptext=
    if wait_for "vigil keys"; then
        for _ in 1 2 3 4 5; do
            helptext+=$(screen)
            screen | grep -q "the end" && break
            page=$(screen | grep -o "keys [0-9]*-[0-9]* of [0-9]*")
            keys PgDn
            poll 5 eval '[ "$(screen | grep -o "keys [0-9]*-[0-9]* of [0-9]*")" != "$page" ]'
        done
    fi
    if echo "$helptext" | grep -q "replay: previous / next sample" && echo "$helptext" | grep -q "replay: go to a time"; then
        ok "h lists the replay keys"
    else
        bad "help lacks the replay keys"
    fi
    keys x
    keys k
    if wait_for "ionice, renice and signals act on live tasks only"; then ok "k in a replay says it acts on live tasks only"; else bad "k in replay"; fi
    keys q
    if wait_for "EXIT=0"; then ok "q leaves the replay with status 0"; else bad "replay exit: $(screen | tail -3)"; fi
    tmux kill-session -t "$S"
    # A damaged recording in the view: status 3 and the message after the screen is restored.
    tmux new-session -d -s "$S" -x 120 -y 40 "TERM=xterm-256color $VIGIL --replay $TMP/trunc.vgl; echo EXIT=\$?; sleep 60"
    wait_for "(1/" && keys q
    if wait_for "EXIT=3" && screen | grep -q "ends inside a frame"; then ok "replay view of a truncated file: status 3, says where"; else bad "view damage: $(screen | tail -4)"; fi
    tmux kill-session -t "$S"
fi

echo "# $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
