"""The command line: ``python -m analysis fetch | build | report | all | notebooks | verify | bench``.

Each command is a thin call into the module that does the work.
"""

from __future__ import annotations

import argparse
import sys

from .paths import project_paths


def _fetch(args: argparse.Namespace) -> int:
    from . import refresh

    jurisdictions = None if args.all else (args.jurisdiction or ["US"])
    result = refresh.refresh(
        project_paths(args.root),
        base_url=args.base_url,
        jurisdictions=jurisdictions,
        force=args.force,
    )
    print(result.message)
    if result.updated and not args.no_build:
        return _build(args)
    return 0


def _build(args: argparse.Namespace) -> int:
    from . import build

    build.build(project_paths(args.root), quiet=False)
    return 0


def _progress(line: str) -> None:
    """Progress of long work: one line to stderr (never into a committed output)."""
    print(line, file=sys.stderr, flush=True)


def _report(args: argparse.Namespace) -> int:
    from . import report

    paths = project_paths(args.root)
    _progress(f"report: executing {len(report.find_notebooks(paths))} notebooks, {args.workers} at a time")
    index = report.build_report(paths, with_code=args.with_code, workers=args.workers, progress=_progress)
    print(f"wrote {index.relative_to(paths.root)}; open {index}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    import time

    import nbformat

    from . import report

    paths = project_paths(args.root)
    found = report.find_notebooks(paths)
    for number, path in enumerate(found, start=1):
        _progress(f"[{number}/{len(found)}] {path.name}: running")
        started = time.perf_counter()
        executed, timing = report.execute_notebook(path, paths)
        nbformat.write(executed, path)
        print(f"executed {path.relative_to(paths.root)} in place ({time.perf_counter() - started:.1f} s)")
    return 0


def _all(args: argparse.Namespace) -> int:
    return _build(args) or _report(args)


def _verify(args: argparse.Namespace) -> int:
    from . import manifest

    for name in manifest.verify_all(project_paths(args.root)):
        print(f"ok  data/raw/{name}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(project_paths(args.root), repeats=args.repeats, skip_tests=args.skip_tests)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    top.add_argument("--root", help="project root (default: this checkout or $OVERDOSE_PROJECT_ROOT)")
    commands = top.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser("fetch", help="pull CDC's newest release into data/raw/ (needs internet), then build")
    fetch.add_argument("--jurisdiction", action="append", help="CDC state code; repeat for several (default: US)")
    fetch.add_argument("--all", action="store_true", help="every jurisdiction")
    fetch.add_argument("--force", action="store_true", help="download even if CDC has not updated")
    fetch.add_argument("--base-url", default="https://data.cdc.gov", help="Socrata host (tests use a local server)")
    fetch.add_argument("--no-build", action="store_true", help="do not rebuild data/processed/ afterwards")
    fetch.set_defaults(run=_fetch)

    build = commands.add_parser("build", help="write data/processed/ from data/raw/")
    build.set_defaults(run=_build)

    for name, run, text in (
        ("report", _report, "execute every notebook and write reports/"),
        ("all", _all, "build, then report: the main job"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--with-code", action="store_true", help="analyst pages that show the code")
        sub.add_argument("--workers", type=int, default=2, help="notebooks executed at once")
        sub.set_defaults(run=run)

    notebooks = commands.add_parser("notebooks", help="re-execute the notebooks in place (commit their outputs)")
    notebooks.set_defaults(run=_notebooks)

    verify = commands.add_parser("verify", help="check data/raw/ against its manifest checksums")
    verify.set_defaults(run=_verify)

    bench = commands.add_parser("bench", help="run the benchmarks and write benchmarks/results.json")
    bench.add_argument("--repeats", type=int, default=5)
    bench.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    bench.set_defaults(run=_bench)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, RuntimeError, OSError) as exc:
        # Library errors name the file, row and field; show that, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
