#!/usr/bin/env bash
# End-to-end tests of --source (issue 17 item 3): a bad value is a one-line error; as root,
# with a vigil built with the BPF source on a kernel that loads it, `-b --source=bpf` shows a
# rate-limited direct writer at its rate (iotop's 2 % check, as e2e_batch does with
# taskstats) and a dd writer by name, with no fallback notice. Skips (with the reason) what
# cannot run here: not root, no BPF source (built without it, or the kernel refuses it).
# Usage: e2e_bpf.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=${1:?usage: e2e_bpf.sh PATH/TO/vigil}
TMP=$(mktemp -d)
dir=""
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
    [ -n "$dir" ] && rm -rf "$dir"
}
trap cleanup EXIT

"$VIGIL" -b -n 1 --source=frob >"$TMP/out" 2>"$TMP/err" </dev/null
status=$?
if [ "$status" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^vigil: invalid --source 'frob'" "$TMP/err"; then
    ok "--source=frob: a one-line error naming the value, status 2"
else
    bad "--source=frob: status $status" "$(cat "$TMP/err")"
fi
if "$VIGIL" --help | grep -q -- '--source=SOURCE'; then ok "--help lists --source"; else bad "--help lacks --source"; fi

if [ "$(id -u)" -ne 0 ]; then
    skip "--source=bpf: needs root"
    echo "$pass passed, $fail failed, $skip skipped"
    exit 0
fi
"$VIGIL" -b -n 1 --source=bpf >"$TMP/out" 2>"$TMP/err" </dev/null
if grep -q "BPF source\|without the BPF source" "$TMP/err"; then
    # Falls back with one line: the rest needs the BPF source itself.
    if [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "using taskstats instead" "$TMP/err"; then
        ok "--source=bpf where it cannot load: one notice, then taskstats"
    else
        bad "--source=bpf fallback notice" "$(cat "$TMP/err")"
    fi
    skip "--source=bpf: $(head -1 "$TMP/err")"
    echo "$pass passed, $fail failed, $skip skipped"
    exit 0
fi

# Whether the run in $TMP/err fell back to taskstats (other notices, such as delay
# accounting being off, may be there).
fell_back() { grep -q "BPF source\|taskstats instead" "$TMP/err"; }
dir=$(mktemp -d /var/tmp/vigil-e2e-bpf.XXXXXX)
# --- a rate-limited direct writer shows its rate within 2 % (after the first sample)
if ! command -v fio >/dev/null; then
    skip "fio rate check: fio is not installed"
else
    fio_rate_run "$dir" vigil-bpf "$VIGIL" -b -o -k -n 4 -d 2 --source=bpf
    status=$?
    rm -f "$dir"/vigil-bpf.*
    if [ "$status" -eq 2 ]; then
        skip "fio rate check: fio failed here (no O_DIRECT?)"
    else
        if [ "$status" -eq 0 ] && ! fell_back; then
            ok "--source=bpf, fio --rate=20m: DISK WRITE ${rates[*]} K/s (within 2 % of 20480)"
        else
            bad "--source=bpf, fio --rate=20m: DISK WRITE ${rates[*]:-none} K/s" "$(cat "$TMP/err" "$TMP/out")"
        fi
    fi
fi

# --- a dd writer (O_DIRECT, unthrottled) is named with a write rate, in -P mode too
dd if=/dev/zero of="$dir/dd.bin" bs=1M count=100000 oflag=direct status=none 2>/dev/null &
dd_pid=$!
poll 10 test -s "$dir/dd.bin"
"$VIGIL" -b -o -n 3 -d 0.5 --source=bpf -p "$dd_pid" >"$TMP/out" 2>"$TMP/err"
"$VIGIL" -b -o -P -n 3 -d 0.5 --source=bpf -p "$dd_pid" >"$TMP/outP" 2>>"$TMP/err"
kill "$dd_pid" 2>/dev/null
wait "$dd_pid" 2>/dev/null
# A dd row after the first sample with DISK WRITE above 1 M/s (1024 K/s with -k; here the
# unit is printed: M/s or more, or K/s above 1024).
fast() {
    awk -v pid="$dd_pid" '
        /^Total DISK READ/ { s++ }
        s > 1 && $1 == pid && /dd/ {
            n = 0
            for (i = 1; i <= NF; i++) if ($i ~ /\/s$/ && ++n == 2) {
                v = $(i-1) + 0; u = $i
                if (u == "G/s" || u == "M/s" && v >= 1 || u == "K/s" && v >= 1024) found = 1
            }
        }
        END { exit !found }' "$1"
}
if fast "$TMP/out" && fast "$TMP/outP" && ! fell_back; then
    ok "--source=bpf: the dd writer shows with its write rate (threads and -P)"
else
    bad "--source=bpf: dd writer ($dd_pid) not shown writing" "$(cat "$TMP/err" "$TMP/out" "$TMP/outP")"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
