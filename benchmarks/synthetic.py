"""A SYNTHETIC all-jurisdiction CDC export, for timing the loader only. Never used for analysis.

CDC's full release of ``xkb8-kh2a`` holds every jurisdiction; the project commits only the national
rows. To time the loader on a file of the full release's size, :func:`write_synthetic_export` makes
one from the national snapshot: 54 jurisdictions x 12 indicators x 124 months (80,352 rows) in CDC's
export schema, written exactly as CDC writes it (same header, counts with thousands separators and
quoted, the same empty fields, ``\\n`` line endings, no byte-order mark).

What is real and what is not:

* the ``US`` rows are the national snapshot's rows, value for value;
* every other jurisdiction's values are **made up**: the national value scaled by a random share of
  the nation and varied a few percent per row, from a fixed seed (same seed, same bytes). They are
  not CDC's state counts and must never be read as such;
* the jurisdiction codes and names are the 53 found in CDC's all-jurisdiction exports (50 states,
  DC, New York City as ``YC``, the nation as ``US``) plus ``ZZ``, an invented 54th so that the file has
  the size the benchmark issue asks for.

The file name starts with ``SYNTHETIC_`` and the generator refuses to write inside the project's
``data/`` folder, so the file cannot be mistaken for a snapshot.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis import cdc
from analysis.paths import Paths, project_paths

#: The generator's seed: fixed, so the synthetic file is the same on every run and machine.
SEED = 20250917

#: The file's name: it says what it is.
FILE_NAME = "SYNTHETIC_cdc_vsrr_all_jurisdictions_FOR_TIMING_ONLY.csv"

#: CDC's export header, in CDC's order.
EXPORT_HEADER = tuple(cdc.EXPORT_TO_API)

#: (code, name) of the jurisdictions, in code order (the order of CDC's export).
#: 53 are CDC's own; ``ZZ`` is invented (see the module docstring).
# fmt: off
JURISDICTIONS: tuple[tuple[str, str], ...] = (
    ("AK", "Alaska"), ("AL", "Alabama"), ("AR", "Arkansas"), ("AZ", "Arizona"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DC", "District of Columbia"),
    ("DE", "Delaware"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("IA", "Iowa"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("KS", "Kansas"), ("KY", "Kentucky"),
    ("LA", "Louisiana"), ("MA", "Massachusetts"), ("MD", "Maryland"), ("ME", "Maine"),
    ("MI", "Michigan"), ("MN", "Minnesota"), ("MO", "Missouri"), ("MS", "Mississippi"),
    ("MT", "Montana"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("NE", "Nebraska"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NV", "Nevada"),
    ("NY", "New York"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("US", "United States"),
    ("UT", "Utah"), ("VA", "Virginia"), ("VT", "Vermont"), ("WA", "Washington"),
    ("WI", "Wisconsin"), ("WV", "West Virginia"), ("WY", "Wyoming"), ("YC", "New York City"),
    ("ZZ", "Synthetic jurisdiction (benchmark only)"),
)
# fmt: on

_COUNT_FIELDS = ("Data Value", "Predicted Value")
_PERCENT_LABELS = set(cdc.PERCENT_LABELS)


class SyntheticDataError(ValueError):
    """The synthetic file cannot be made (bad source, or a target inside ``data/``)."""


@dataclass(frozen=True)
class SyntheticFile:
    """What :func:`write_synthetic_export` wrote."""

    path: Path
    rows: int
    jurisdictions: int
    source_rows: int
    seed: int
    size_bytes: int


def national_rows(path: str | os.PathLike) -> list[dict[str, str]]:
    """The national snapshot's rows as export-schema dicts (strings exactly as in the file).

    A snapshot in the API schema (written by ``fetch``) is converted: field names to the export's,
    counts written with thousands separators as CDC's export does.
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        rows = list(reader)
    if header == EXPORT_HEADER:
        return rows
    api_to_export = {api: export for export, api in cdc.EXPORT_TO_API.items()}
    if set(header) <= set(api_to_export) and set(cdc.REQUIRED_FIELDS) <= set(header):
        converted = []
        for row in rows:
            out = {name: "" for name in EXPORT_HEADER}
            for field, value in row.items():
                out[api_to_export[field]] = value
            if out["Indicator"] not in _PERCENT_LABELS:
                for name in _COUNT_FIELDS:
                    if out[name]:
                        out[name] = f"{int(float(out[name])):,}"
            converted.append(out)
        return converted
    raise SyntheticDataError(f"{path}, line 1: not a CDC export or API header: {', '.join(header)}")


def _count(text: str, factor: float) -> str:
    if not text:
        return ""
    return f"{round(float(text.replace(',', '')) * factor):,}"


def _varied_row(row: dict[str, str], code: str, name: str, share: float, rng: random.Random) -> list[str]:
    """One made-up row: the national row's values scaled by ``share`` and varied a few percent."""
    out = dict(row)
    out["State"], out["State Name"] = code, name
    if row["Indicator"] in _PERCENT_LABELS:
        value = float(row["Data Value"]) + rng.uniform(-6.0, 6.0)
        out["Data Value"] = f"{min(100.0, max(0.0, value)):.10g}"
    else:
        factor = share * rng.uniform(0.97, 1.03)
        for field in _COUNT_FIELDS:
            out[field] = _count(row[field], factor)
    pending = float(row["Percent Pending Investigation"]) * rng.uniform(0.5, 2.0)
    out["Percent Pending Investigation"] = f"{min(100.0, pending):.9g}"
    return [out[field] for field in EXPORT_HEADER]


def synthetic_rows(
    national: list[dict[str, str]],
    *,
    jurisdictions: tuple[tuple[str, str], ...] = JURISDICTIONS,
    seed: int = SEED,
) -> Iterator[list[str]]:
    """Rows of the synthetic file, jurisdiction by jurisdiction, each in the national file's order.

    ``US`` rows are the national rows unchanged; the others are made up (see the module docstring).
    """
    if not national:
        raise SyntheticDataError("the national snapshot has no rows to vary")
    rng = random.Random(seed)
    for code, name in jurisdictions:
        if code == "US":
            for row in national:
                yield [row[field] for field in EXPORT_HEADER]
            continue
        share = rng.uniform(0.002, 0.12)
        for row in national:
            yield _varied_row(row, code, name, share, rng)


def _refuse_project_data(target: Path, paths: Paths) -> None:
    data = (paths.root / "data").resolve()
    resolved = target.resolve()
    if resolved == data or data in resolved.parents:
        raise SyntheticDataError(
            f"{target}: the synthetic file is for timing only and must not be written inside {data}"
        )


def write_synthetic_export(
    target_dir: str | os.PathLike,
    *,
    paths: Paths | None = None,
    source: str | os.PathLike | None = None,
    jurisdictions: tuple[tuple[str, str], ...] = JURISDICTIONS,
    seed: int = SEED,
) -> SyntheticFile:
    """Write the synthetic export into ``target_dir`` (never the project's ``data/``).

    ``source``: the national snapshot to vary (default: the project's ``data/raw/cdc_vsrr.csv``).
    """
    paths = paths or project_paths()
    target_dir = Path(target_dir)
    _refuse_project_data(target_dir, paths)
    source_path = Path(source) if source is not None else paths.raw / cdc.RAW_FILE
    national = national_rows(source_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / FILE_NAME
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_HEADER)
        for row in synthetic_rows(national, jurisdictions=jurisdictions, seed=seed):
            writer.writerow(row)
            rows += 1
    return SyntheticFile(
        path=path,
        rows=rows,
        jurisdictions=len(jurisdictions),
        source_rows=len(national),
        seed=seed,
        size_bytes=path.stat().st_size,
    )
