#!/usr/bin/env python3
"""The layer rules of docs/ARCHITECTURE.md, checked over the sources.

The build already refuses an include that climbs a layer (each layer compiles against an
include root holding only the layers below it). This test states the same rules in one
place and also checks what the build cannot see:

  - every #include "vigil/LAYER/..." in src/LAYER and include/vigil/LAYER names a layer
    that LAYER may use;
  - no source includes another directory's private headers ("src/..." or "../...");
  - only src/ui/curses includes curses, only the taskstats client includes libnl;
  - no /proc or /sys path is spelled outside the collect layer.

Usage: check_layers.py SOURCE_ROOT. Prints every violation with its file and line and
exits 1 if there is any.
"""

import pathlib
import re
import sys

SEES = {
    "core": {"core"},
    "sample": {"core", "sample"},
    "collect": {"core", "sample", "collect"},
    "record": {"core", "sample", "record"},
    "model": {"core", "sample", "model"},
    "ui": {"core", "sample", "model", "ui"},
    "app": {"core", "sample", "collect", "record", "model", "ui", "app"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
CURSES = re.compile(r"^(n?curses(w)?/)?(n?curses|term|panel|menu|form)\.h$")
KERNEL_PATH = re.compile(r'"/(proc|sys)(/|")')


def layer_of(root: pathlib.Path, path: pathlib.Path) -> str | None:
    rel = path.relative_to(root).parts
    if len(rel) >= 2 and rel[0] == "src" and rel[1] in SEES:
        return rel[1]
    if len(rel) >= 3 and rel[0] == "include" and rel[1] == "vigil" and rel[2] in SEES:
        return rel[2]
    return None


def check(root: pathlib.Path) -> list[str]:
    problems = []
    files = sorted(p for d in ("src", "include") for p in (root / d).rglob("*")
                   if p.suffix in (".cpp", ".hpp", ".h"))
    if not files:
        return [f"{root}: no sources found"]
    for path in files:
        layer = layer_of(root, path)
        rel = path.relative_to(root)
        if layer is None:
            problems.append(f"{rel}: not in a layer (src/LAYER or include/vigil/LAYER)")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            where = f"{rel}:{n}"
            m = INCLUDE.match(line)
            if m:
                quote, name = m.groups()
                if name.startswith("vigil/"):  # "vigil/..." or <vigil/...>
                    parts = name.split("/")
                    target = parts[1] if len(parts) > 2 else None
                    if target not in SEES:
                        problems.append(f"{where}: {name} is not in a layer")
                    elif target not in SEES[layer]:
                        problems.append(
                            f"{where}: {layer} includes {name}; {layer} may use "
                            f"{', '.join(sorted(SEES[layer]))}")
                elif quote == '"' and (name.startswith("src/") or name.startswith("../")):
                    problems.append(f"{where}: includes {name}: private headers are "
                                    "included from their own directory only")
                elif quote == "<" and CURSES.match(name) and rel.parts[:3] != ("src", "ui", "curses"):
                    problems.append(f"{where}: includes <{name}>: only src/ui/curses uses curses")
                elif quote == "<" and name.startswith(("netlink/", "linux/genetlink")) and \
                        rel.parts[:3] != ("src", "collect", "netlink"):
                    problems.append(f"{where}: includes <{name}>: only the taskstats client uses libnl")
                continue
            if layer != "collect" and KERNEL_PATH.search(line) and not line.lstrip().startswith("//"):
                problems.append(f"{where}: spells a /proc or /sys path outside collect")
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check_layers.py SOURCE_ROOT", file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layer violation(s)")
        return 1
    print("layers: every include stays within its layer's rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
