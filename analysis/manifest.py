"""Provenance of the raw snapshots: read, write and verify ``data/raw/MANIFEST.json``.

Every file in ``data/raw/`` has an entry: where it came from (addresses), how it was obtained,
the source's own release or update time, when it entered the project, its row count and sha256.
Nothing downstream reads a raw file without :func:`verified_path`, so a file that no longer
matches its manifest is refused instead of silently analysed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from . import atomic
from .paths import Paths, project_paths

MANIFEST_FORMAT = 1

#: Fields every entry must carry.
REQUIRED_FIELDS = (
    "file",
    "title",
    "method",
    "source_urls",
    "source_release",
    "retrieved",
    "rows",
    "sha256",
)

#: How a raw file was obtained.
METHODS = ("cdc_export", "socrata_api", "compiled")


class ManifestError(RuntimeError):
    """The manifest is missing, malformed, or does not describe a file."""


class ChecksumMismatch(ManifestError):
    """A raw file's bytes no longer match the sha256 its manifest entry records."""


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_csv_records(path: str | os.PathLike) -> int:
    """Number of CSV records after the header (quoted newlines count as one record). A byte that
    is not UTF-8 does not stop the count: the loaders report it, by line and column."""
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return sum(1 for _ in reader)


def load(paths: Paths | None = None) -> dict[str, Any]:
    """The whole manifest as a dict ``{"format": 1, "files": {name: entry}}``.

    Refused while an interrupted replacement of files in ``data/raw/`` awaits recovery
    (:func:`analysis.atomic.refuse_if_pending`): the folder may then hold an old and a new file.
    """
    paths = paths or project_paths()
    try:
        atomic.refuse_if_pending(paths.raw)
    except atomic.AtomicError as exc:
        raise ManifestError(str(exc)) from None
    try:
        text = paths.manifest.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{paths.manifest}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except FileNotFoundError:
        raise ManifestError(
            f"{paths.manifest}: no manifest. data/raw/ must ship MANIFEST.json; "
            "restore it with `git checkout -- data/raw/MANIFEST.json`."
        ) from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{paths.manifest}: not valid JSON ({exc})") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise ManifestError(
            f"{paths.manifest}: expected {{'format': {MANIFEST_FORMAT}, 'files': {{...}}}}, got {_shape(manifest)}"
        )
    for name, item in manifest["files"].items():
        if not isinstance(item, dict):
            raise ManifestError(f"{paths.manifest}: entry {name!r} is {_shape(item)}, not an object")
        missing = [field for field in REQUIRED_FIELDS if field not in item]
        if missing:
            raise ManifestError(f"{paths.manifest}: entry {name!r} lacks {', '.join(missing)}")
        if item["method"] not in METHODS:
            raise ManifestError(
                f"{paths.manifest}: entry {name!r} has method {item['method']!r}, expected one of {', '.join(METHODS)}"
            )
        rows = item["rows"]
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise ManifestError(f"{paths.manifest}: entry {name!r}, field rows: {rows!r} is not a row count")
        if not (isinstance(item["sha256"], str) and len(item["sha256"]) == 64):
            raise ManifestError(f"{paths.manifest}: entry {name!r}, field sha256: {item['sha256']!r} is not a sha256")
    return manifest


def _shape(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"


def entry(name: str, paths: Paths | None = None) -> dict[str, Any]:
    """The manifest entry of raw file ``name`` (e.g. ``"cdc_vsrr.csv"``)."""
    paths = paths or project_paths()
    files = load(paths)["files"]
    if name not in files:
        raise ManifestError(f"{paths.manifest}: no entry for {name!r} (entries: {', '.join(sorted(files))})")
    return files[name]


def verified_path(name: str, paths: Paths | None = None) -> Path:
    """Path of raw file ``name`` after checking it exists and matches its manifest checksum."""
    paths = paths or project_paths()
    item = entry(name, paths)
    path = paths.raw / name
    if not path.exists():
        raise ManifestError(
            f"{path}: listed in the manifest but missing; restore it with `git checkout -- data/raw/{name}`."
        )
    actual = sha256_of(path)
    if actual != item["sha256"]:
        raise ChecksumMismatch(
            f"{path}: sha256 {actual} does not match the manifest's {item['sha256']}. "
            "Raw snapshots are immutable: if the file was edited by mistake, restore it with "
            f"`git checkout -- data/raw/{name}`; "
            + (
                "to take a newer CDC release use `python -m analysis fetch`"
                if item.get("method") in ("cdc_export", "socrata_api")
                else f"to register a new release of this file use "
                f"`python -m analysis snapshot data/raw/{name} --release YYYY-MM --note ...`"
            )
            + ", which replaces file and manifest entry together."
        )
    if path.suffix == ".csv":
        try:
            rows = count_csv_records(path)
        except csv.Error as exc:
            raise ManifestError(f"{path}: cannot count its rows ({exc})") from None
        if rows != item["rows"]:
            raise ManifestError(
                f"{path}: {rows:,} rows, but the manifest records {item['rows']:,} for it (its sha256 matches, "
                "so the manifest entry was edited by hand); restore both with "
                f"`git checkout -- data/raw/{name} data/raw/MANIFEST.json`"
            )
    return path


def verify_all(paths: Paths | None = None) -> list[str]:
    """Verify every entry; returns the names checked. Raises on the first mismatch."""
    paths = paths or project_paths()
    names = sorted(load(paths)["files"])
    for name in names:
        verified_path(name, paths)
    return names


def source_lines(names: list[str] | tuple[str, ...], paths: Paths | None = None) -> list[str]:
    """The "Sources" block every notebook ends with: title, publisher, release, addresses, checksum."""
    paths = paths or project_paths()
    lines = []
    for name in names:
        item = entry(name, paths)
        addresses = ", ".join(item["source_urls"]) or "compiled; each row cites its page (source_url)"
        lines += [
            f"{name}: {item['title']}",
            f"  publisher: {item.get('publisher', '')}",
            f"  release: {item['source_release']}; retrieved {item['retrieved']}; rows {item['rows']}",
            f"  address: {addresses}",
            f"  sha256 (data/raw/MANIFEST.json): {item['sha256']}",
        ]
    return lines


def dumps(manifest: dict[str, Any]) -> str:
    """Deterministic JSON text of a manifest (sorted keys, two-space indent, final newline)."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(manifest: dict[str, Any], paths: Paths | None = None) -> None:
    """Write the manifest atomically (:func:`analysis.atomic.write_text`: temporary file, then rename)."""
    paths = paths or project_paths()
    atomic.write_text(paths.manifest, dumps(manifest))


def replace_snapshot(name: str, staged: Path, new_entry: dict[str, Any], paths: Paths | None = None) -> None:
    """Replace raw file ``name`` with the validated file ``staged`` and its manifest entry, together.

    ``staged`` must live in ``data/raw/`` (same file system). The sha256 and row count are computed
    here from ``staged``, not trusted from the caller. File and manifest are swapped as a pair by
    :func:`analysis.atomic.replace_together`: a failure leaves both byte-identical, and a crash
    at any point leaves the old pair or the new pair (``python -m analysis verify`` finishes an
    interrupted swap and shows which pair is in place). Both keep their file modes.
    """
    paths = paths or project_paths()
    staged = Path(staged)
    manifest = load(paths)
    item = dict(new_entry)
    item["file"] = name
    item["sha256"] = sha256_of(staged)
    item["rows"] = count_csv_records(staged)
    missing = [field for field in REQUIRED_FIELDS if field not in item]
    if missing:
        raise ManifestError(f"new manifest entry for {name!r} lacks {', '.join(missing)}")
    manifest["files"][name] = item
    staged_manifest = atomic.stage_bytes(paths.manifest, dumps(manifest).encode("utf-8"))
    try:
        atomic.replace_together({paths.raw / name: staged, paths.manifest: staged_manifest})
    finally:
        staged_manifest.unlink(missing_ok=True)
