"""Older CDC releases ("vintages") of the VSRR export: national-row snapshots and their loader.

Three whole older releases of the CDC dataset (2018-2019, every jurisdiction) sit beside the
project in ``shared/data/cdc/vintages/``. The project ships only their **national rows**
(``State == "US"``) in ``data/raw/``, one snapshot per release, so the revision study runs from a
fresh clone. :func:`extract_national_rows` makes such a snapshot reproducibly (the CLI step is
``python -m analysis extract-national SOURCE TARGET``); :func:`load_vintage` reads one through the
same CDC loader as the current snapshot (:func:`analysis.cdc.read_cdc_csv`, both schemas).

Extraction rule: the header line and every record whose first field is ``US`` are copied byte
for byte, in the file's order, line endings included. A UTF-8 byte-order mark at the start of the
source is kept (so the snapshot begins with the same bytes as its source); the loaders read the
file with or without it. Nothing is parsed, reformatted or re-quoted.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import atomic, cdc, manifest
from .paths import Paths, project_paths

BOM = b"\xef\xbb\xbf"
NATIONAL = "US"


@dataclass(frozen=True)
class Vintage:
    """One older release shipped as a national-row snapshot."""

    release: str  # YYYY-MM, approximate month of the release (vintages README)
    file: str  # name in data/raw/
    source_file: str  # whole file in shared/data/cdc/vintages/
    latest_period: str  # YYYY-MM, its latest 12 month-ending period
    schema: str  # what the header looks like
    repository: str  # the public repository the whole file was read from


VINTAGES: dict[str, Vintage] = {
    item.release: item
    for item in (
        Vintage(
            "2018-04",
            "cdc_vsrr_2018-04.csv",
            "vsrr_all_2018-04.csv",
            "2017-09",
            "export, 2018 layout: 10 columns (State, State Name, Year, Month, Period, Indicator, Data Value, "
            "Percent Complete, Percent Pending Investigation, Footnote); no Predicted Value, no Footnote Symbol; "
            "UTF-8 BOM",
            "https://github.com/BuzzFeedNews/2018-05-fentanyl-and-cocaine-overdose-deaths "
            "(data/vssr/VSRR_Provisional_Drug_Overdose_Death_Counts.csv, "
            "commit 360ddfd2806239d383defcd22b5e57aec264ea67)",
        ),
        Vintage(
            "2019-06",
            "cdc_vsrr_2019-06.csv",
            "vsrr_all_2019-06.csv",
            "2018-09",
            "export, today's 12 columns in today's order; UTF-8 BOM",
            "https://github.com/info201a-s19/project-kathylamb "
            "(data/VSRR_Provisional_Drug_Overdose_Death_Counts.csv, commit 19ad5a4746f67b08bcad03bd2adcca2538ca2789; "
            "a 2019 course project)",
        ),
        Vintage(
            "2019-07",
            "cdc_vsrr_2019-07.csv",
            "vsrr_all_2019-07.csv",
            "2018-11",
            "export, today's 12 columns; no BOM; counts written without thousands separators",
            "a 2019 course project's public repository (shared/data/cdc/vintages/README.md names it only as "
            "'two 2019 course projects'; the exact repository was not identified)",
        ),
    )
}


class ExtractError(ValueError):
    """The source is not a CSV whose first column is ``State``, or has no national rows."""


def _records(data: bytes) -> list[bytes]:
    """Split CSV bytes into whole records (line endings kept); a quoted newline stays inside its record."""
    records: list[bytes] = []
    pending = b""
    for line in data.splitlines(keepends=True):
        pending += line
        if pending.count(b'"') % 2 == 0:
            records.append(pending)
            pending = b""
    if pending:
        records.append(pending)  # an unterminated quote: kept, the CDC loader will name it
    return records


def _first_field(record: bytes, source: str, number: int) -> str:
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{source}: record {number} is not UTF-8 text ({exc})") from None
    fields = next(csv.reader(io.StringIO(text, newline="")), [])
    return fields[0].strip() if fields else ""


def national_rows(data: bytes, *, source: str = "<bytes>") -> bytes:
    """The header and the national records (``State == "US"``) of CDC export bytes, byte for byte."""
    records = _records(data)
    if not records:
        raise ExtractError(f"{source}: empty file, no header")
    header = records[0]
    if _first_field(header.removeprefix(BOM), source, 1) != "State":
        raise ExtractError(f"{source}, line 1: the first column is not 'State' (not a CDC VSRR export)")
    kept = [header]
    for number, record in enumerate(records[1:], start=2):
        if record.strip() and _first_field(record, source, number) == NATIONAL:
            kept.append(record)
    if len(kept) == 1:
        raise ExtractError(f"{source}: no rows with State == {NATIONAL!r}")
    return b"".join(kept)


def extract_national_rows(source: str | os.PathLike, target: str | os.PathLike) -> int:
    """Write the national rows of CDC export ``source`` to ``target`` (atomically); returns the row count.

    The result is validated with the CDC loader before it is put in place, so a file the analysis
    could not read is never written.
    """
    source, target = Path(source), Path(target)
    data = national_rows(source.read_bytes(), source=str(source))
    table = cdc.read_cdc_text(data, source=f"national rows of {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(target, data)
    return len(table)


def vintage(release: str) -> Vintage:
    """The :class:`Vintage` of ``release`` (``YYYY-MM``), with a helpful error for an unknown one."""
    try:
        return VINTAGES[release]
    except KeyError:
        raise ValueError(f"no older CDC release {release!r} in data/raw/; known: {', '.join(VINTAGES)}") from None


def load_vintage(release: str, paths: Paths | None = None) -> pd.DataFrame:
    """The national rows of an older CDC release as the tidy table, after the manifest checksum check.

    ``release`` is a key of :data:`VINTAGES` (``"2018-04"``, ``"2019-06"``, ``"2019-07"``). The 2018
    release has no ``Predicted Value`` column: its ``predicted`` is ``<NA>`` throughout, as CDC gave none.
    """
    paths = paths or project_paths()
    item = vintage(release)
    path = manifest.verified_path(item.file, paths)
    table = cdc.read_cdc_csv(path, source=f"data/raw/{item.file}")
    cdc.check_not_after(table, manifest.entry(item.file, paths), source=f"data/raw/{item.file}")
    return cdc.sort_tidy(table)
