"""Register a new release of a raw file in one command: validate it whole, then swap file and manifest entry.

``python -m analysis snapshot data/raw/strikes.csv --release 2027-01 --note "two strikes added"``
(optionally ``--from PATH``, a copy from elsewhere to put in place):

1. The release (``YYYY-MM``) and the note are checked; the file must already have a manifest entry
   (a brand-new kind of file needs its entry written once, with its title and publisher).
2. The new file (``--from`` PATH, or the file already at ``data/raw/<name>``) is read in full by
   **the same loader the analysis uses** (:data:`LOADERS`): the ledgers', the release calendar's or
   the CDC loader. Any problem stops here with the loader's message (file, line, field, value),
   and ``data/raw/`` and ``MANIFEST.json`` are left byte-identical.
3. Otherwise a copy is staged beside the snapshot and :func:`analysis.manifest.replace_snapshot`
   swaps file and manifest entry together (sha256 and rows computed from the staged file;
   ``source_release`` = the release; ``retrieved`` = today or ``--date``; ``distinct_row_sources``
   recomputed where the entry has it); if that fails, both are restored.
4. The CHANGELOG line is printed and, unless ``--no-changelog``, added under today's heading of
   ``CHANGELOG.md``.

Use it for the compiled ledgers and the release calendar (and for the older CDC snapshots); CDC's
current release comes in through ``python -m analysis fetch``, which also records CDC's update time.
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import atomic, cdc, ledgers, manifest, releases
from .paths import Paths, project_paths

_RELEASE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def _cdc_loader(path: Path):
    return cdc.read_cdc_csv(path)


#: Raw file name -> the loader that validates it (the one the analysis reads it with).
LOADERS: dict[str, Callable[[Path], object]] = {
    "strikes.csv": ledgers.load_strikes,
    "tallies.csv": ledgers.load_tallies,
    "claims.csv": ledgers.load_claims,
    "context_facts.csv": ledgers.load_context_facts,
    "land_operations.csv": ledgers.load_land_operations,
    releases.RAW_FILE: releases.read_releases,
    "cdc_vsrr_2018-04.csv": _cdc_loader,
    "cdc_vsrr_2019-06.csv": _cdc_loader,
    "cdc_vsrr_2019-07.csv": _cdc_loader,
}
#: Files registered another way.
FETCHED = {cdc.RAW_FILE: "CDC's current release comes in through `python -m analysis fetch`"}


class SnapshotError(ValueError):
    """The command cannot register this file (bad arguments, unknown file, no manifest entry)."""


@dataclass(frozen=True)
class Result:
    name: str
    release: str
    rows: int
    previous_rows: int | None
    sha256: str
    changed: bool
    changelog_line: str
    changelog_written: bool


def _distinct_sources(path: Path, column: str) -> int:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return len({row[column] for row in csv.DictReader(handle) if row.get(column)})


def changelog_line(name: str, release: str, rows: int, previous_rows: int | None, sha256: str, note: str) -> str:
    """The CHANGELOG line for one registered release."""
    was = "" if previous_rows is None else f", was {previous_rows:,}"
    return f"- `{name}`: release {release} ({rows:,} rows{was}; sha256 {sha256[:12]}): {note.strip()}"


def add_to_changelog(path: Path, line: str, day: str) -> None:
    """Add ``line`` under the ``## <day>`` heading of the changelog (created at the top if absent)."""
    text = path.read_text(encoding="utf-8")
    heading = f"## {day}"
    lines = text.splitlines(keepends=True)
    if heading + "\n" in lines:
        index = lines.index(heading + "\n") + 1
        while index < len(lines) and lines[index].strip() and not lines[index].startswith("## "):
            index += 1  # after the heading's last line
        lines.insert(index, line + "\n")
    else:
        first = next((i for i, text_line in enumerate(lines) if text_line.startswith("## ")), len(lines))
        lines[first:first] = [heading + "\n", line + "\n", "\n"]
    atomic.write_text(path, "".join(lines))


def register(
    target: str | os.PathLike,
    release: str,
    note: str,
    *,
    source: str | os.PathLike | None = None,
    day: str | None = None,
    changelog: bool = True,
    paths: Paths | None = None,
) -> Result:
    """Validate and register a new release of raw file ``target`` (see the module docstring)."""
    paths = paths or project_paths()
    target = Path(target)
    name = target.name
    if not target.is_absolute():
        candidates = [(Path.cwd() / target).resolve(), (paths.root / target).resolve()]
        target = next((c for c in candidates if c.parent == paths.raw.resolve()), candidates[0])
    if target.parent != paths.raw.resolve():
        raise SnapshotError(f"{target}: a snapshot lives in {paths.raw}; give data/raw/<file>")
    if not _RELEASE.fullmatch(release or ""):
        raise SnapshotError(f"--release {release!r}: expected YYYY-MM (the source's release month)")
    if not note or not note.strip():
        raise SnapshotError("--note is empty: say what changed in this release and why")
    day = day or _dt.date.today().isoformat()
    try:
        _dt.date.fromisoformat(day)
    except ValueError:
        raise SnapshotError(f"--date {day!r}: expected YYYY-MM-DD") from None
    if name in FETCHED:
        raise SnapshotError(f"{name}: {FETCHED[name]}, not `snapshot`")
    if name not in LOADERS:
        raise SnapshotError(f"{name}: no loader to validate it; known files: {', '.join(sorted(LOADERS))}")
    entry = manifest.entry(name, paths)  # raises ManifestError naming the manifest if absent
    new_file = Path(source) if source is not None else paths.raw / name
    if not new_file.exists():
        raise SnapshotError(f"{new_file}: no such file")

    LOADERS[name](new_file)  # the whole file, the analysis' own rules; raises naming file/line/field

    staged = atomic.temp_path(paths.raw / name, "staged")
    try:
        shutil.copyfile(new_file, staged)
        sha = manifest.sha256_of(staged)
        rows = manifest.count_csv_records(staged)
        previous_rows = entry.get("rows")
        changed = not (
            sha == entry["sha256"]
            and entry["source_release"] == release
            and (paths.raw / name).exists()
            and manifest.sha256_of(paths.raw / name) == sha
        )
        line = changelog_line(name, release, rows, previous_rows, sha, note)
        if not changed:
            return Result(name, release, rows, previous_rows, sha, False, line, False)
        new_entry = dict(entry)
        new_entry.update(source_release=release, retrieved=day)
        if "distinct_row_sources" in entry and entry.get("row_source_column"):
            new_entry["distinct_row_sources"] = _distinct_sources(staged, entry["row_source_column"])
        manifest.replace_snapshot(name, staged, new_entry, paths)
    finally:
        staged.unlink(missing_ok=True)
    written = False
    changelog_path = paths.root / "CHANGELOG.md"
    if changelog and changelog_path.exists():
        add_to_changelog(changelog_path, line, day)
        written = True
    return Result(name, release, rows, previous_rows, sha, True, line, written)
