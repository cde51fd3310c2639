"""The command line: ``python -m analysis fetch | build | report | all | notebooks | verify | refresh |
release-day | extract-national | snapshot``.

Each command is a thin call into the module that does the work. The benchmarks are not part of the
library: ``python -m benchmarks`` (``make bench``) runs them. Commands that read or write ``data/``
or ``reports/`` run under the project lock (:mod:`analysis.lock`; ``--wait`` seconds for another
command to finish); errors are printed as one message, with the app token scrubbed, never as a
traceback.
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


def _progress(line: str) -> None:
    """Progress of long work: one line to stderr (never into a committed output)."""
    print(line, file=sys.stderr, flush=True)


def _report(args: argparse.Namespace) -> int:
    from . import report

    paths = _paths(args)
    _progress(f"report: executing {len(report.find_notebooks(paths))} notebooks, {args.workers} at a time")
    with _locked(args, "report"):
        index = report.build_report(paths, with_code=args.with_code, workers=args.workers, progress=_progress)
    print(f"wrote {index.relative_to(paths.root)}; open {index}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from . import new_release

    with _locked(args, "notebooks"):
        new_release.execute_notebooks_in_place(_paths(args))
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
            print(
                f"ok  data/raw/{name}  sha256 {item['sha256'][:12]}  rows {item['rows']:,}  "
                f"release {item['source_release']}"
            )
    return 0


def _extract_national(args: argparse.Namespace) -> int:
    from . import vintages

    rows = vintages.extract_national_rows(args.source, args.target)
    print(f"wrote {args.target}: header + {rows:,} national rows (State == US), copied byte for byte")
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from . import snapshot

    with _locked(args, "snapshot"):
        result = snapshot.register(
            args.file,
            args.release,
            args.note,
            source=args.source,
            day=args.date,
            changelog=not args.no_changelog,
            paths=_paths(args),
        )
    if not result.changed:
        print(f"{result.name}: unchanged (same bytes, release {result.release}); nothing written")
        return 0
    print(f"registered data/raw/{result.name}: release {result.release}, {result.rows:,} rows, sha256 {result.sha256}")
    where = "added to CHANGELOG.md" if result.changelog_written else "add it to CHANGELOG.md"
    print(f"CHANGELOG line ({where}):")
    print(result.changelog_line)
    print("Then: python -m analysis build, make notebooks, and commit data/raw/ with the re-executed notebooks.")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    import shlex

    from . import new_release

    options = {}
    if args.test_command is not None:
        options["test_command"] = shlex.split(args.test_command)
    outcome = new_release.run(
        _paths(args),
        base_url=args.base_url,
        jurisdictions=None if args.all else (args.jurisdiction or ["US"]),
        force=args.force,
        workers=args.workers,
        summary_file=args.summary_file,
        accept=args.accept,
        **options,
    )
    return outcome.exit_code


def _release_day(args: argparse.Namespace) -> int:
    import datetime as dt

    from . import schedule

    day = dt.date.fromisoformat(args.date) if args.date else schedule.today_utc()
    answer = schedule.is_day_after_release_day(day)
    release = schedule.release_day(day.year, day.month)
    print("yes" if answer else "no")
    print(
        f"{day.isoformat()}: {'the day after' if answer else 'not the day after'} CDC's usual release day "
        f"(second Wednesday; this month's: {release.isoformat()})",
        file=sys.stderr,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    top.add_argument("--root", help="project root (default: this checkout or $OVERDOSE_PROJECT_ROOT)")
    top.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for another command holding the project lock (default 300)",
    )
    commands = top.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser("fetch", help="pull CDC's newest release into data/raw/ (needs internet), then build")
    fetch.add_argument("--jurisdiction", action="append", help="CDC state code; repeat for several (default: US)")
    fetch.add_argument("--all", action="store_true", help="every jurisdiction")
    fetch.add_argument("--force", action="store_true", help="download even if CDC has not updated")
    fetch.add_argument("--base-url", default="https://data.cdc.gov", help="Socrata host (tests use a local server)")
    fetch.add_argument("--no-build", action="store_true", help="do not rebuild data/processed/ afterwards")
    fetch.add_argument(
        "--accept",
        action="store_true",
        help="install the release even if the update gate finds it worse than the snapshot",
    )
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

    refresh = commands.add_parser(
        "refresh",
        help="a new CDC release end to end: fetch and, only if CDC published something new, rebuild, "
        "re-execute the notebooks, test, report and print what changed (needs internet)",
    )
    refresh.add_argument("--jurisdiction", action="append", help="CDC state code; repeat for several (default: US)")
    refresh.add_argument("--all", action="store_true", help="every jurisdiction")
    refresh.add_argument("--force", action="store_true", help="download even if CDC has not updated")
    refresh.add_argument("--base-url", help="Socrata host (default: data.cdc.gov; tests use a local server)")
    refresh.add_argument("--summary-file", help="also write the change summary (Markdown) here")
    refresh.add_argument("--test-command", help="the test step (default: the README's, as `make test`)")
    refresh.add_argument("--workers", type=int, default=2, help="notebooks executed at once")
    refresh.add_argument(
        "--accept",
        action="store_true",
        help="install the release even if the update gate finds it worse than the snapshot",
    )
    refresh.set_defaults(run=_refresh)

    day = commands.add_parser("release-day", help="print yes if today (UTC) is the day after CDC's usual release day")
    day.add_argument("--date", help="ask about this date (YYYY-MM-DD) instead of today")
    day.set_defaults(run=_release_day)

    extract = commands.add_parser(
        "extract-national",
        help="copy the header and the State == US rows of a whole CDC export, byte for byte",
        description="Copy the header and every record whose State is US from a whole CDC VSRR export "
        "(any release, either layout) to TARGET, byte for byte, in the file's order; a byte-order mark "
        "at the start is kept. The result is checked with the CDC loader before it is written. Used to "
        "make the data/raw/cdc_vsrr_YYYY-MM.csv snapshots of the older releases.",
    )
    extract.add_argument("source", help="whole export, e.g. ../shared/data/cdc/vintages/vsrr_all_2018-04.csv")
    extract.add_argument("target", help="e.g. data/raw/cdc_vsrr_2018-04.csv")
    extract.set_defaults(run=_extract_national)

    snap = commands.add_parser(
        "snapshot",
        help="register a new release of a ledger or the release calendar: validate, then swap file and manifest entry",
        description="Register a new release of a raw file the manifest already describes (the ledgers, "
        "the release calendar, the older CDC snapshots). The new file -- --from PATH, or the file already "
        "at data/raw/<file> -- is validated whole with the loader the analysis uses; any problem is reported "
        "with file, line, field and value, and data/raw/ and MANIFEST.json are left byte-identical. "
        "Otherwise file and manifest entry (sha256, rows, release, retrieval date) are replaced together, "
        "atomically, and the CHANGELOG line is printed and added under today's date. CDC's current release "
        "comes in with `fetch` instead.",
    )
    snap.add_argument("file", help="the snapshot, e.g. data/raw/strikes.csv")
    snap.add_argument("--release", required=True, help="the source's release, YYYY-MM (e.g. 2027-01)")
    snap.add_argument("--note", required=True, help="what changed in this release and why (goes to the CHANGELOG)")
    snap.add_argument("--from", dest="source", help="copy this file into place (default: the file already there)")
    snap.add_argument("--date", help="retrieval date, YYYY-MM-DD (default: today)")
    snap.add_argument("--no-changelog", action="store_true", help="only print the CHANGELOG line")
    snap.set_defaults(run=_snapshot)

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
