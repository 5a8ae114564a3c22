#!/usr/bin/env bash
# Container and pod names from the runtimes' state, through the built binary (issue 14):
# `vigil -b --sys-root DIR/sys --show cgroups` on the fixture tree
# tests/fixtures/cgroups/containers reads the runtimes' state from DIR (var/lib/docker,
# var/lib/containers/storage, var/log/containers, var/log/pods) and names each container
# and pod; a copy of the tree without its state gives the short ids. No privileges needed.
# Usage: e2e_cgroup_names.sh PATH/TO/vigil
set -u
VIGIL=$(readlink -f "${1:?usage: e2e_cgroup_names.sh PATH/TO/vigil}")
FIX=$(cd "$(dirname "$0")/fixtures/cgroups/containers" && pwd)
. "$(dirname "$0")/e2e_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

names() {  # JSON lines on stdin -> "path<TAB>name" of the last sample's groups
    python3 -c '
import json, sys
last = None
for line in sys.stdin:
    line = line.strip()
    if line:
        last = json.loads(line)
for g in (last or {}).get("cgroups", []):
    print(g["path"] + "\t" + g["name"])'
}

if "$VIGIL" -b -n 2 -d 0.05 --sys-root "$FIX/sys" --show cgroups --format json \
    >"$TMP/out.json" 2>"$TMP/err"; then
    names <"$TMP/out.json" >"$TMP/names"
    want() {
        if grep -q -- "$1	$2\$" "$TMP/names"; then ok "$3: $2"; else bad "$3: want '$2'" "$(cat "$TMP/names")"; fi
    }
    want ".*/docker-1\{64\}\.scope" "docker web (111111111111)" "Docker config.v2.json"
    want "/docker/2\{64\}" "docker 222222222222" "Docker without state: the short id"
    want ".*/libpod-3\{64\}\.scope" "podman db (333333333333)" "Podman containers.json"
    want ".*/cri-containerd-4\{64\}\.scope" "containerd prod/api-7d9f/server (444444444444)" \
        "Kubernetes container (kubelet logs)"
    want ".*pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9\.slice" \
        "pod prod/api-7d9f (0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)" "Kubernetes pod (kubelet pods)"
    want ".*pod9f8e7d6c_5b4a_3928_1706_f5e4d3c2b1a0\.slice" \
        "pod 9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0" "pod without a kubelet directory: its UID"
else
    bad "vigil --sys-root $FIX/sys exited with $?" "$(cat "$TMP/err")"
fi

# The same tree without the state beside it: short ids and UIDs only.
cp -r "$FIX/sys" "$TMP/sys"
if "$VIGIL" -b -n 1 --sys-root "$TMP/sys" --show cgroups --format json >"$TMP/bare.json" \
    2>"$TMP/err"; then
    names <"$TMP/bare.json" >"$TMP/bare"
    if grep -q "	docker 111111111111\$" "$TMP/bare" && ! grep -q "(" "$TMP/bare"; then
        ok "no state directory: short ids"
    else
        bad "no state directory" "$(cat "$TMP/bare")"
    fi
else
    bad "vigil --sys-root $TMP/sys exited with $?" "$(cat "$TMP/err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
