"""Code health figures for the source packages: `make health`.

Prints the average cyclomatic complexity (radon, over every function, method and
class), the functions above complexity 15, the functions longer than 50 lines, and the
share of source lines that sit in files longer than 300 lines — each with the target
issue 16 set for it. Exits 0 either way (the figures inform, they do not gate), unless
`--check` is given: then it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

SOURCE_PACKAGES = ("domain", "application", "infrastructure", "interfaces", "demo")

MAX_COMPLEXITY = 15
MAX_FUNCTION_LINES = 50
MAX_FILE_LINES = 300
TARGET_AVERAGE_COMPLEXITY = 2.2
TARGET_LONG_FILE_SHARE = 0.20


@dataclass(frozen=True)
class Block:
    """One function, method or class as radon sees it."""

    path: str
    name: str
    line: int
    complexity: int
    lines: int
    is_function: bool


@dataclass(frozen=True)
class Health:
    blocks: tuple[Block, ...]
    file_lines: dict[str, int]

    @property
    def average_complexity(self) -> float:
        if not self.blocks:
            return 0.0
        return sum(b.complexity for b in self.blocks) / len(self.blocks)

    @property
    def too_complex(self) -> list[Block]:
        return sorted(
            (b for b in self.blocks if b.is_function and b.complexity > MAX_COMPLEXITY),
            key=lambda b: -b.complexity,
        )

    @property
    def too_long(self) -> list[Block]:
        return sorted(
            (b for b in self.blocks if b.is_function and b.lines > MAX_FUNCTION_LINES),
            key=lambda b: -b.lines,
        )

    @property
    def total_lines(self) -> int:
        return sum(self.file_lines.values())

    @property
    def long_file_share(self) -> float:
        total = self.total_lines
        if not total:
            return 0.0
        long = sum(n for n in self.file_lines.values() if n > MAX_FILE_LINES)
        return long / total

    def only(self, prefixes: Sequence[str]) -> Health:
        """The figures for the files under any of `prefixes`."""

        def kept(path: str) -> bool:
            return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)

        return Health(
            blocks=tuple(b for b in self.blocks if kept(b.path)),
            file_lines={p: n for p, n in self.file_lines.items() if kept(p)},
        )

    @property
    def targets_met(self) -> bool:
        return (
            self.average_complexity <= TARGET_AVERAGE_COMPLEXITY
            and not self.too_complex
            and self.long_file_share < TARGET_LONG_FILE_SHARE
        )


def _blocks(path: str, source: str) -> Iterable[Block]:
    # cc_visit lists functions, classes and methods once each (as `radon cc -a` counts them)
    return (_block(path, block) for block in cc_visit(source))


def _block(path: str, block: Function | Class) -> Block:
    return Block(
        path=path,
        name=block.fullname,
        line=block.lineno,
        complexity=block.complexity,
        lines=block.endline - block.lineno + 1,
        is_function=isinstance(block, Function),
    )


def measure(root: Path, packages: Sequence[str] = SOURCE_PACKAGES) -> Health:
    """The figures for the Python files under `root`/<package> for each package."""
    blocks: list[Block] = []
    file_lines: dict[str, int] = {}
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            relative = file.relative_to(root).as_posix()
            source = file.read_text(encoding="utf-8")
            file_lines[relative] = len(source.splitlines())
            blocks.extend(_blocks(relative, source))
    return Health(blocks=tuple(blocks), file_lines=file_lines)


def report(health: Health) -> str:
    """The figures as text, one per line, with their targets."""
    lines = [
        f"average cyclomatic complexity: {health.average_complexity:.2f} over "
        f"{len(health.blocks)} functions, methods and classes "
        f"(target <= {TARGET_AVERAGE_COMPLEXITY})",
        f"functions above complexity {MAX_COMPLEXITY}: {len(health.too_complex)} (target 0)",
    ]
    lines += [f"  {b.complexity:3d}  {b.path}:{b.line} {b.name}" for b in health.too_complex]
    lines.append(f"functions over {MAX_FUNCTION_LINES} lines: {len(health.too_long)}")
    lines += [f"  {b.lines:3d}  {b.path}:{b.line} {b.name}" for b in health.too_long]
    long_files = {p: n for p, n in health.file_lines.items() if n > MAX_FILE_LINES}
    lines.append(
        f"source lines in files over {MAX_FILE_LINES} lines: {health.long_file_share:.1%} "
        f"of {health.total_lines} in {len(long_files)} of {len(health.file_lines)} files "
        f"(target < {TARGET_LONG_FILE_SHARE:.0%})"
    )
    lines += [f"  {n:4d}  {p}" for p, n in sorted(long_files.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def by_file(health: Health) -> str:
    """Each file's average complexity and its excess over the target, worst first."""
    per_file: dict[str, list[int]] = {}
    for block in health.blocks:
        per_file.setdefault(block.path, []).append(block.complexity)
    rows = sorted(
        (
            (sum(c) - TARGET_AVERAGE_COMPLEXITY * len(c), sum(c) / len(c), len(c), p)
            for p, c in per_file.items()
        ),
        reverse=True,
    )
    return "\n".join(
        f"{excess:6.1f} over  avg {avg:.2f}  {n:3d} blocks  {path}" for excess, avg, n, path in rows
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--under",
        nargs="+",
        metavar="PATH",
        help="only the files under these paths (relative to the root), with each file's figures",
    )
    args = parser.parse_args(argv)
    health = measure(args.root)
    if args.under:
        health = health.only(args.under)
        print(by_file(health))
    print(report(health))
    return 1 if args.check and not health.targets_met else 0


if __name__ == "__main__":
    sys.exit(main())
