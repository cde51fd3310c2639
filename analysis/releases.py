"""CDC's release calendar: which 12 month-ending period had been published on a given day.

``data/raw/cdc_releases.csv`` (from ``shared/data/cdc/releases.csv``) has one row per calendar month:
``release_month, release_date, latest_period, basis, evidence, source_url, note``.

- ``basis = reported``: a page gives the release (``evidence`` names the claims-ledger rows, or
  ``snapshot``); ``schedule``: no page was found and the row assumes CDC's regular schedule (second
  Wednesday, latest period five months earlier), so anything computed from it is an assumption and
  says so; ``none``: no release that month (the late-2025 federal shutdown).
- A ``none`` month has no date and no period; every other month has both, the date falls in its
  month and the period ends before it. Months run one after another with none missing, and the
  latest period never goes backwards.

:func:`load_releases` reads and validates the file (errors name file, line, field and value, as the
ledgers' do). :func:`latest_published` is the pure question the claims comparison asks:
"on this day, which period was the newest CDC had published?".
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import bounds, manifest
from .ledgers import (
    Column,
    LedgerError,
    Problem,
    Schema,
    _enum,
    _frame,
    _parse_day,
    _parse_text,
    _parse_url,
    _validate,
)
from .paths import Paths

RAW_FILE = "cdc_releases.csv"
COLUMNS = ("release_month", "release_date", "latest_period", "basis", "evidence", "source_url", "note")
BASES = ("reported", "schedule", "none")


def _parse_month(text: str) -> tuple[object, str | None]:
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return None, "not a month in YYYY-MM form"
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        return None, "not a valid month (YYYY-MM with month 01-12)"
    return (year, month), None


def _month_text(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _next_month(month: tuple[int, int]) -> tuple[int, int]:
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def _basis_fields(row: dict, report) -> None:
    basis, text = row["basis"], row.text
    if basis is None:
        return
    for name in ("release_date", "latest_period"):
        if basis == "none" and text[name] != "":
            report(name, text[name], "must be blank: basis is none (no release that month)")
        if basis != "none" and text[name] == "":
            report(name, text[name], f"is blank but basis is {basis} (a release needs a date and a period)")


def _date_in_month(row: dict, report) -> None:
    month, day, period = row["release_month"], row["release_date"], row["latest_period"]
    if month is None:
        return
    if day is not None and (day.year, day.month) != month:
        report("release_date", row.text["release_date"], f"is not in its release month {_month_text(month)}")
    if period is not None and period >= month:
        report("latest_period", row.text["latest_period"], f"is not before its release month {_month_text(month)}")


def _months_and_periods_in_order(file: str, rows: list) -> list[Problem]:
    """Months run consecutively; the latest period never goes backwards."""
    problems = []
    previous_month = None
    previous_period = None  # (period, its row)
    for row in rows:
        month = row["release_month"]
        if month is not None:
            if previous_month is not None and month != _next_month(previous_month):
                problems.append(
                    Problem(
                        file,
                        row.line,
                        "release_month",
                        row.text["release_month"],
                        f"does not follow {_month_text(previous_month)} (one row per month, in order, none missing)",
                    )
                )
            previous_month = month
        period = row["latest_period"]
        if period is not None:
            if previous_period is not None and period < previous_period[0]:
                earlier = previous_period[1]
                problems.append(
                    Problem(
                        file,
                        row.line,
                        "latest_period",
                        row.text["latest_period"],
                        f"goes backwards: release {earlier.text['release_month']} (line {earlier.line}) "
                        f"had already published {earlier.text['latest_period']}",
                    )
                )
            else:
                previous_period = (period, row)
    return problems


SCHEMA = Schema(
    ledger="cdc_releases",
    columns=(
        Column("release_month", _parse_month, True, "claim_date"),
        Column("release_date", _parse_day, False, "date"),
        Column("latest_period", _parse_month, False, "claim_date"),
        Column("basis", _enum(BASES), True, "str"),
        Column("evidence", _parse_text, False, "str"),
        Column("source_url", _parse_url, False, "str"),
        Column("note", _parse_text, False, "str"),
    ),
    id_column="release_month",
    row_rules=(_basis_fields, _date_in_month),
    file_rules=(_months_and_periods_in_order,),
)


def read_releases(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """The validated release calendar from ``path``.

    Columns: ``release_month`` and ``latest_period`` as ``YYYY-MM`` text (missing for a ``none``
    month), ``release_date`` as ``datetime64`` (NaT for a ``none`` month), ``basis``, ``evidence``,
    ``source_url``, ``note`` as text. Raises :class:`analysis.ledgers.LedgerError` naming every bad field.
    No release may be dated after ``not_after`` (default: today; :func:`load_releases` passes the
    file's release or retrieval date).
    """
    return _frame(SCHEMA, _validate(SCHEMA, Path(path), not_after))


def load_releases(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`read_releases` of ``data/raw/cdc_releases.csv``, after its manifest checksum check."""
    path = manifest.verified_path(RAW_FILE, paths)
    return read_releases(path, not_after=bounds.not_after(manifest.entry(RAW_FILE, paths)))


@dataclass(frozen=True)
class Published:
    """What CDC had published on a day: the newest period and the release that carried it."""

    period: str  # YYYY-MM, the latest 12 month-ending period
    release_month: str  # YYYY-MM
    release_date: _dt.date
    basis: str  # "reported" or "schedule" (a schedule row is an assumption)

    @property
    def assumed(self) -> bool:
        """True when the release's date and period come from the regular schedule, not a page."""
        return self.basis == "schedule"


def latest_published(releases: pd.DataFrame, day) -> Published | None:
    """The latest 12 month-ending period published on or before ``day``, or None before the calendar.

    ``releases`` is :func:`load_releases` output; ``day`` a date, Timestamp or ``YYYY-MM-DD`` text.
    A release counts from its own date (a claim made on a release day could cite it). Months with
    no release (``basis = none``) publish nothing, so the previous release stays the latest. Raises
    ValueError for a day after the calendar's last month, which the calendar cannot answer.
    """
    day = pd.Timestamp(day).normalize()
    published = releases[releases["basis"] != "none"]
    last_month = pd.Period(releases["release_month"].iloc[-1], freq="M")
    if day.to_period("M") > last_month:
        raise ValueError(
            f"{day.date().isoformat()} is after the release calendar's last month ({last_month}); "
            "add the newer months to the calendar first"
        )
    on_or_before = published[published["release_date"] <= day]
    if on_or_before.empty:
        return None
    row = on_or_before.iloc[-1]
    return Published(
        period=str(row["latest_period"]),
        release_month=str(row["release_month"]),
        release_date=row["release_date"].date(),
        basis=str(row["basis"]),
    )


__all__ = [
    "BASES",
    "COLUMNS",
    "LedgerError",
    "Published",
    "RAW_FILE",
    "latest_published",
    "load_releases",
    "read_releases",
]
