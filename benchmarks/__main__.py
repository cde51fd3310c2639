"""``python -m benchmarks [--root DIR] [--repeats N] [--skip-tests]``: run every benchmark (``make bench``)."""

from __future__ import annotations

import argparse
import sys

from analysis.paths import project_paths


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmarks, print every figure with its target and write benchmarks/results.json.",
    )
    top.add_argument("--root", help="project root (default: this checkout or $OVERDOSE_PROJECT_ROOT)")
    top.add_argument("--repeats", type=int, default=5, help="runs per figure; the median is kept (default 5)")
    top.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from . import bench

    try:
        return bench.main(project_paths(args.root), repeats=args.repeats, skip_tests=args.skip_tests)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
