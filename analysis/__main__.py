"""The command line: ``python -m analysis fetch | build | report | all | notebooks | verify | bench``.

Each command is a thin call into the module that does the work. Commands that read or write
``data/`` or ``reports/`` run under the project lock (:mod:`analysis.lock`; ``--wait`` seconds
for another command to finish); errors are printed as one message, with the app token scrubbed,
never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager

from .paths import ROOT_ENV, project_paths


def _paths(args: argparse.Namespace):
    """The project's paths; a root (``--root`` or ``$OVERDOSE_PROJECT_ROOT``) that is not a project
    is an error naming where it came from."""
    paths = project_paths(args.root)
    if not paths.raw.is_dir():
        origin = "--root" if args.root else (f"${ROOT_ENV}" if os.environ.get(ROOT_ENV) else "this checkout")
        raise ValueError(f"{origin} gives {paths.root}, which holds no data/raw/ folder: not a project root")
    return paths


@contextmanager
def _locked(args: argparse.Namespace, command: str):
    from . import lock

    with lock.project_lock(_paths(args), command, wait=args.wait):
        yield


def _fetch(args: argparse.Namespace) -> int:
    from . import refresh

    jurisdictions = None if args.all else (args.jurisdiction or ["US"])
    with _locked(args, "fetch"):
        result = refresh.refresh(
            _paths(args),
            base_url=args.base_url,
            jurisdictions=jurisdictions,
            force=args.force,
            accept=args.accept,
        )
        print(result.message)
        if result.updated and not args.no_build:
            return _build(args)
    return 0


def _build(args: argparse.Namespace) -> int:
    from . import build

    with _locked(args, "build"):
        build.build(_paths(args), quiet=False)
    return 0


def _report(args: argparse.Namespace) -> int:
    from . import report

    with _locked(args, "report"):
        index = report.build_report(_paths(args), with_code=args.with_code, workers=args.workers)
    print(f"wrote {index.relative_to(_paths(args).root)}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    import nbformat

    from . import atomic, report

    paths = _paths(args)
    with _locked(args, "notebooks"):
        for path in report.find_notebooks(paths):
            executed, timing = report.execute_notebook(path, paths)
            text = nbformat.writes(executed)
            atomic.write_text(path, text if text.endswith("\n") else text + "\n")  # all or nothing
            print(f"executed {path.relative_to(paths.root)} in place")
    return 0


def _all(args: argparse.Namespace) -> int:
    with _locked(args, "all"):
        return _build(args) or _report(args)


def _verify(args: argparse.Namespace) -> int:
    from . import manifest

    paths = _paths(args)
    with _locked(args, "verify"):  # taking the lock finishes or undoes an interrupted update first
        files = manifest.load(paths)["files"]
        for name in manifest.verify_all(paths):
            item = files[name]
            print(f"ok  data/raw/{name}  sha256 {item['sha256'][:12]}  rows {item['rows']:,}  release {item['source_release']}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(project_paths(args.root), repeats=args.repeats, skip_tests=args.skip_tests)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    top.add_argument("--root", help="project root (default: this checkout or $OVERDOSE_PROJECT_ROOT)")
    top.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                     help="how long to wait for another command holding the project lock (default 300)")
    commands = top.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser("fetch", help="pull CDC's newest release into data/raw/ (needs internet), then build")
    fetch.add_argument("--jurisdiction", action="append", help="CDC state code; repeat for several (default: US)")
    fetch.add_argument("--all", action="store_true", help="every jurisdiction")
    fetch.add_argument("--force", action="store_true", help="download even if CDC has not updated")
    fetch.add_argument("--base-url", default="https://data.cdc.gov", help="Socrata host (tests use a local server)")
    fetch.add_argument("--no-build", action="store_true", help="do not rebuild data/processed/ afterwards")
    fetch.add_argument("--accept", action="store_true",
                       help="install the release even if the update gate finds it worse than the snapshot")
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
        from .socrata import scrub

        token = (os.environ.get("CDC_APP_TOKEN") or "").strip() or None
        print(scrub(f"error: {exc}", token), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
