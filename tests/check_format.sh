#!/usr/bin/env bash
# Every C++ source is formatted as .clang-format says (clang-format --dry-run --Werror).
# Usage: check_format.sh SOURCE_ROOT. Skips (77) when clang-format is not installed.
# To fix what it reports: clang-format -i FILE (Debian 12's clang-format 14, as CI has).
set -u
root=${1:?usage: check_format.sh SOURCE_ROOT}
if ! command -v clang-format >/dev/null; then
    echo "SKIP: clang-format is not installed (apt-get install clang-format)"
    exit 77
fi
cd "$root" || exit 1
mapfile -t files < <(find src include tests bench -path tests/fixtures -prune -o \
    \( -name '*.cpp' -o -name '*.hpp' \) -print | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no sources found under $root"; exit 1; }
echo "$(clang-format --version)"
bad=0
for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
echo "${#files[@]} files checked, $bad not formatted"
[ "$bad" -eq 0 ]
