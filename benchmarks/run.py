"""Run every benchmark: ``python benchmarks/run.py [-k SUBSTRING] [--check]``.

Each line prints the measured time, the reference measured in the same run, their ratio,
and the target where an issue sets one. ``--check`` exits non-zero when a target is missed.
Benchmarks live in ``benchmarks/bench_*.py``; see ``benchmarks/_harness.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import REGISTRY  # noqa: E402


def load_modules() -> None:
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


def fmt_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:8.2f} s "
    if s >= 1e-3:
        return f"{s * 1e3:8.2f} ms"
    return f"{s * 1e6:8.1f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="pattern", help="only benchmarks whose name contains this")
    parser.add_argument("--check", action="store_true", help="exit 1 if any target is missed")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    load_modules()
    selected = [b for b in REGISTRY if not args.pattern or args.pattern in b.name]
    print(f"{'benchmark':52} {'measured':>11} {'reference':>11} {'ratio':>8}  target  reference is")
    missed = 0
    for bench in selected:
        result = bench.func()
        target, ok = "", True
        if bench.max_ratio is not None:
            ok = result.ratio <= bench.max_ratio
            target = f"<={bench.max_ratio:g}x"
        if bench.max_seconds is not None:
            ok = ok and result.measured <= bench.max_seconds
            target = (target + " " if target else "") + f"<={bench.max_seconds * 1e3:g}ms"
        missed += not ok
        flag = "" if ok else "  MISSED"
        print(
            f"{bench.name:52} {fmt_seconds(result.measured)} {fmt_seconds(result.reference)} "
            f"{result.ratio:7.2f}x  {target:7} {result.reference_name}{flag}"
            + (f"  ({result.note})" if result.note else "")
        )
        sys.stdout.flush()
    print(f"{len(selected)} benchmarks, {missed} target(s) missed")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
