#!/usr/bin/env bash
# contrib/prometheus through Prometheus' own checker: the scrape config and the alerting
# rules pass `promtool check config` / `check rules`, the rules' unit tests
# (vigil-alerts.test.yml) pass `promtool test rules`, a rule made stricter fails them (so
# they can fail), and every vigil_* metric the rules name is in what the built vigil serves.
# Skips (77) when promtool is not installed (Debian: apt-get install prometheus).
# Usage: e2e_prometheus_contrib.sh PATH/TO/vigil SOURCE_ROOT
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_prometheus_contrib.sh PATH/TO/vigil SOURCE_ROOT}")
SRC=${2:?usage: e2e_prometheus_contrib.sh PATH/TO/vigil SOURCE_ROOT}
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (apt-get install prometheus)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
. "$(dirname "$0")/e2e_lib.sh"
TMP=$(mktemp -d)
vpid=
cleanup() { [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
cp "$SRC"/contrib/prometheus/* "$TMP/"
cd "$TMP" || exit 1

if out=$(promtool check config prometheus.yml 2>&1); then ok "promtool check config prometheus.yml"; else bad "check config" "$out"; fi
if out=$(promtool check rules vigil-alerts.yml 2>&1); then
    ok "promtool check rules: $(echo "$out" | grep -o '[0-9]* rules found')"
else
    bad "check rules" "$out"
fi
if out=$(promtool test rules vigil-alerts.test.yml 2>&1); then ok "promtool test rules: every alert fires where it should"; else bad "test rules" "$out"; fi
# Every alert of the rules has a test.
for a in $(sed -n 's/^ *- alert: *//p' vigil-alerts.yml); do
    if grep -q "alertname: $a\$" vigil-alerts.test.yml; then ok "alert $a is tested"; else bad "alert $a has no test in vigil-alerts.test.yml"; fi
done
# The tests can fail: each threshold made stricter makes them fail.
for change in 's/> 0.9$/> 0.99/' 's/50 \* 1024 \* 1024/70 * 1024 * 1024/' 's/resource="io"}\[5m\]) > 0.25/resource="io"}[5m]) > 0.5/' \
    's/for: 2m/for: 4m/'; do
    sed "$change" vigil-alerts.yml >stricter.yml
    sed 's/vigil-alerts.yml/stricter.yml/' vigil-alerts.test.yml >stricter.test.yml
    if cmp -s vigil-alerts.yml stricter.yml; then
        bad "the change $change did not apply"
    elif promtool test rules stricter.test.yml >/dev/null 2>&1; then
        bad "rules changed by $change still pass the tests"
    else
        ok "rules changed by $change fail the tests"
    fi
done

# The metric names the rules use are the ones vigil serves (a renamed family would leave an
# alert that can never fire).
serve "$TMP/err" "$VIGIL" --listen 127.0.0.1:0 -d 0.3
have_all() {
    curl -sf "$url" >"$TMP/metrics" || return 1
    local m
    for m in $(grep -o 'vigil_[a-z_]*' vigil-alerts.yml | sort -u); do
        grep -q "^$m[{ ]" "$TMP/metrics" || return 1
    done
}
if [ -z "$url" ]; then
    bad "headless vigil did not say where it serves" "$(cat "$TMP/err")"
else
    # Until a sample with processes in it is published (polled, 10 s at most).
    poll 10 have_all
    for m in $(grep -o 'vigil_[a-z_]*' vigil-alerts.yml | sort -u); do
        if grep -q "^$m[{ ]" "$TMP/metrics"; then ok "vigil serves $m"; else bad "vigil does not serve $m, which vigil-alerts.yml uses"; fi
    done
    if promtool check metrics <"$TMP/metrics" >"$TMP/lint" 2>&1; then ok "promtool check metrics on vigil's output"; else bad "promtool check metrics" "$(cat "$TMP/lint")"; fi
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
