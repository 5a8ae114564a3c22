#!/usr/bin/env bash
# Following a recording while it is written (issue 16 item 8, --follow and F):
#   - `vigil -b --record F -d 0.2` runs; `vigil --replay F -b --follow` prints the samples
#     written after it started, byte for byte what a replay of the finished file prints for
#     them, and ends by itself (status 0) when the writer ends;
#   - with --record-max-size the writer rotates; the follower goes on in the new file and
#     prints each sample once;
#   - --follow's usage errors;
#   - the view (tmux): --follow shows FOLLOW and new samples as they come; Space leaves
#     follow mode visibly, F takes it up again, ',' leaves it.
# Every wait polls for its condition with a deadline; no fixed sleep decides a result.
# Usage: e2e_follow.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_follow.sh PATH/TO/vigil}")
TMP=$(mktemp -d)
export TMUX_TMPDIR=$TMP  # a private tmux server: never touch the user's sessions
S="vigil-follow-$$"
cleanup() {
    command -v tmux >/dev/null && tmux kill-server 2>/dev/null
    for p in ${writer:-} ${follower:-}; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# lines FILE: its line count (0 when it does not exist).
lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
# replayed FILE N: whether a replay of FILE (still being written) prints N samples.
replayed() { [ "$("$VIGIL" -b --replay "$1" --format json 2>/dev/null | wc -l)" -ge "$2" ]; }
ended() { ! kill -0 "$1" 2>/dev/null; }

# --- 1. -b --follow prints what is written after it started, and ends with the writer
F=$TMP/live.vgl
"$VIGIL" -b --record "$F" -d 0.2 --format json >/dev/null 2>"$TMP/writer.err" &
writer=$!
if ! poll 20 replayed "$F" 2; then
    bad "the writer did not record two samples in 20 s" "$(cat "$TMP/writer.err")"
fi
before=$("$VIGIL" -b --replay "$F" --format json 2>/dev/null | wc -l)
"$VIGIL" --replay "$F" -b --follow --format json >"$TMP/follow.json" 2>"$TMP/follow.err" &
follower=$!
# Ten samples past the last one written when it started (0.2 s apart: about 2 s).
if poll 30 at_least "$TMP/follow.json" 11; then
    ok "-b --follow printed $(lines "$TMP/follow.json") samples as they were written"
else
    bad "-b --follow printed $(lines "$TMP/follow.json") samples in 30 s" "$(cat "$TMP/follow.err")"
fi
kill -TERM "$writer"
wait "$writer"
wst=$?
writer=
if poll 10 ended "$follower"; then
    wait "$follower"
    fst=$?
    if [ "$fst" -eq 0 ] && grep -q 'the writer closed the recording; following ends' "$TMP/follow.err"; then
        ok "the follower ended by itself when the writer closed the file (status 0, said why)"
    else
        bad "the follower ended with status $fst" "$(cat "$TMP/follow.err")"
    fi
else
    bad "the follower still runs 10 s after the writer ended (writer status $wst)" "$(cat "$TMP/follow.err")"
    kill "$follower"
fi
follower=
"$VIGIL" -b --replay "$F" --format json >"$TMP/whole.json" 2>"$TMP/whole.err"
# The follower starts at the last sample written when it started: what it printed is the
# end of the whole replay, byte for byte, and none of what was written before it started
# but that last sample.
n=$(lines "$TMP/follow.json")
total=$(lines "$TMP/whole.json")
if [ "$n" -ge 11 ] && [ "$n" -le $((total - before + 1)) ] &&
    cmp -s "$TMP/follow.json" <(tail -n "$n" "$TMP/whole.json"); then
    ok "what it printed is the replay's last $n of $total samples (at least $before were written before it started), byte for byte"
else
    bad "followed output differs from the replay's end ($n lines, $total in all, $before before)" \
        "$(diff "$TMP/follow.json" <(tail -n "$n" "$TMP/whole.json") | head -4 | cut -c1-200)"
fi
if [ ! -s "$TMP/whole.err" ]; then
    ok "the followed recording replays without damage"
else
    bad "the followed recording replays with complaints" "$(cat "$TMP/whole.err")"
fi

# --- 2. a rotating writer: the follower goes on in the new file, each sample once
R=$TMP/rot.vgl
"$VIGIL" -b --record "$R" --record-max-size 16K -d 0.2 --format json >/dev/null 2>"$TMP/rwriter.err" &
writer=$!
# (A file that rotates at every sample shows one: its first is the last of the one before.)
poll 20 replayed "$R" 1 || bad "the rotating writer did not record a sample in 20 s"
"$VIGIL" --replay "$R" -b --follow --format json >"$TMP/rfollow.json" 2>"$TMP/rfollow.err" &
follower=$!
rotations() { grep -c 'following the new file' "$TMP/rfollow.err"; }
has_rotated() { [ "$(rotations)" -ge "$1" ]; }
if poll 60 has_rotated 2; then
    ok "the follower went on through $(rotations) rotations"
else
    bad "the follower saw $(rotations) rotations in 60 s" "$(cat "$TMP/rfollow.err"; ls "$TMP")"
fi
kill -TERM "$writer"
wait "$writer"
writer=
poll 10 ended "$follower" || kill "$follower"
wait "$follower"
rst=$?
follower=
# The files in turn (the rotated ones by name, then the live one) replay every sample once.
for f in $(ls "$R".* | sort -V); do "$VIGIL" -b --replay "$f" --format json 2>/dev/null; done >"$TMP/rwhole.json"
"$VIGIL" -b --replay "$R" --format json >>"$TMP/rwhole.json" 2>/dev/null
n=$(lines "$TMP/rfollow.json")
if [ "$rst" -eq 0 ] && [ "$n" -ge 3 ] && cmp -s "$TMP/rfollow.json" <(tail -n "$n" "$TMP/rwhole.json"); then
    ok "across the rotations it printed $n samples, each once, as the files replay in turn"
else
    bad "rotated follow (status $rst, $n lines) differs from the files replayed in turn" \
        "$(diff "$TMP/rfollow.json" <(tail -n "$n" "$TMP/rwhole.json") | head -4 | cut -c1-200; cat "$TMP/rfollow.err")"
fi

# --- 3. usage errors
"$VIGIL" -b --follow >/dev/null 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q -- '--follow needs --replay FILE' "$TMP/err"; then
    ok "--follow without --replay: usage error (2) naming what it needs"
else
    bad "--follow without --replay: status $st" "$(cat "$TMP/err")"
fi
"$VIGIL" -b --replay "$F" --follow --to +1m >/dev/null 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q -- '--follow .* cannot be combined with --to' "$TMP/err"; then
    ok "--follow with --to: usage error (2)"
else
    bad "--follow with --to: status $st" "$(cat "$TMP/err")"
fi

# --- 4. the view follows: FOLLOW in the status line; Space leaves it, F takes it up again
if ! command -v tmux >/dev/null; then
    skip "the view's follow mode: tmux is not installed"
else
    E2E_BAD_SHOWS_SCREEN=1
    V=$TMP/view.vgl
    "$VIGIL" -b --record "$V" -d 0.2 --format json >/dev/null 2>"$TMP/vwriter.err" &
    writer=$!
    poll 20 replayed "$V" 2 || bad "the view's writer did not record two samples in 20 s"
    tmux new-session -d -s "$S" -x 160 -y 40 "TERM=xterm-256color $VIGIL --replay $V --follow; echo EXIT=\$?; sleep 60"
    # The position (n/N) of the sample shown.
    position() { screen | sed -n 's/.*replay [0-9-]* [0-9:]* (\([0-9]*\)\/\([0-9]*\)).*/\1 \2/p' | head -1; }
    first_pos=
    grown() { local p; p=$(position); [ -n "$p" ] && [ "${p%% *}" -gt "${first_pos%% *}" ] && [ "${p%% *}" = "${p##* }" ]; }
    if wait_for "FOLLOW" 10; then
        first_pos=$(position)
        if poll 10 grown; then
            ok "the view shows FOLLOW and moves to each new sample (at ${first_pos%% *}, then $(position | cut -d' ' -f1), the last)"
        else
            bad "the view's position stayed at $first_pos while following"
        fi
    else
        bad "the view with --follow does not show FOLLOW"
    fi
    keys Space
    not_following() { shows "PAUSED" && ! shows "FOLLOW"; }
    if poll 5 not_following && shows "not following"; then
        ok "Space leaves follow mode visibly (PAUSED, no FOLLOW, a notice)"
    else
        bad "Space did not leave follow mode visibly"
    fi
    paused_at=$(position)
    keys F
    following_again() { shows "FOLLOW" && [ "$(position)" != "$paused_at" ]; }
    if poll 10 following_again; then
        ok "F follows again, to the newest sample ($paused_at, then $(position))"
    else
        bad "F did not follow again (at $(position), paused at $paused_at)"
    fi
    keys ,
    if poll 5 not_following; then
        ok "',' (a step back) leaves follow mode"
    else
        bad "',' did not leave follow mode"
    fi
    keys q
    wait_for "EXIT=0" 5 && ok "q ends the followed view with status 0" || bad "q did not end the view"
    kill -TERM "$writer"
    wait "$writer"
    writer=
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
