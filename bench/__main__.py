"""``python -m bench``: run every benchmark on its defaults; ``python -m bench NAME [OPTIONS]``: one.

A benchmark is a module of this package with ``main(argv: list[str]) -> int``; options
belong to one benchmark, so they are only accepted after its name.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

Main = Callable[[list[str]], int]


def benchmarks() -> dict[str, Main]:
    found: dict[str, Main] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"bench.{module.name}")
        entry = getattr(loaded, "main", None)
        if callable(entry):
            found[module.name] = entry
    return found


def _run_one(entry: Main, argv: list[str]) -> int:
    try:
        return entry(argv)
    except SystemExit as e:  # argparse errors and explicit exits end one benchmark, not all
        return e.code if isinstance(e.code, int) else 1


def run(argv: list[str]) -> int:
    available = benchmarks()
    if not argv:
        status = 0
        for name, entry in sorted(available.items()):
            print(f"=== {name}", flush=True)
            status = max(status, _run_one(entry, []))
        return status
    if argv[0] in ("-h", "--help"):
        print((__doc__ or "").strip())
        print("available:", ", ".join(sorted(available)))
        return 0
    name, rest = argv[0], argv[1:]
    if name not in available:
        print(
            f"no benchmark {name!r} (options go after a name); available: {', '.join(sorted(available))}"
        )
        return 2
    return _run_one(available[name], rest)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
