"""`make health` measures what issue 16 sets targets for, on the files it is given."""

from __future__ import annotations

from pathlib import Path

from tools.health import measure, report


def _branchy(name: str, branches: int) -> str:
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
    return f"def {name}(x):\n{body}    return -1\n"


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_function_above_complexity_15_is_named_and_a_simple_one_is_not(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/mod.py", _branchy("tangled", 16) + "\n" + _branchy("plain", 2))

    health = measure(tmp_path, ["pkg"])

    assert [(b.name, b.complexity) for b in health.too_complex] == [("tangled", 17)]
    assert "17  pkg/mod.py:1 tangled" in report(health)


def test_the_average_counts_each_method_once(tmp_path: Path) -> None:
    source = (
        "class C:\n    def a(self, x):\n        if x:\n            return 1\n        return 0\n"
    )
    _write(tmp_path, "pkg/c.py", source)

    health = measure(tmp_path, ["pkg"])

    # as `radon cc -a`: the class (3) and its one method (2), not the method twice
    assert sorted(b.name for b in health.blocks) == ["C", "C.a"]
    assert health.average_complexity == 2.5


def test_functions_over_50_lines_are_listed_with_their_length(tmp_path: Path) -> None:
    long_body = "".join(f"    y{i} = {i}\n" for i in range(55))
    _write(tmp_path, "pkg/long.py", f"def long():\n{long_body}    return 0\n")

    health = measure(tmp_path, ["pkg"])

    assert [(b.name, b.lines) for b in health.too_long] == [("long", 57)]


def test_share_of_lines_in_files_over_300_lines(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/big.py", "x = 1\n" * 301)
    _write(tmp_path, "pkg/small.py", "x = 1\n" * 99)
    _write(tmp_path, "pkg/edge.py", "x = 1\n" * 300)  # exactly 300 is not over

    health = measure(tmp_path, ["pkg"])

    assert health.total_lines == 700
    assert health.long_file_share == 301 / 700
    assert not health.targets_met


def test_the_figures_for_one_folder_leave_out_the_others(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/web/page.py", _branchy("page", 3))
    _write(tmp_path, "pkg/webhooks.py", _branchy("hook", 9))  # shares the prefix, not the folder
    _write(tmp_path, "pkg/core.py", _branchy("core", 1))

    health = measure(tmp_path, ["pkg"]).only(["pkg/web"])

    assert [(b.name, b.complexity) for b in health.blocks] == [("page", 4)]
    assert health.file_lines == {"pkg/web/page.py": 8}
