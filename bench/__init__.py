"""Benchmarks, run by ``python -m bench`` (``make bench``).

Each module here with a ``main(argv: list[str]) -> int`` function is one benchmark.
Figures are ratios against the bare library measured in the same run, not absolutes.
"""
