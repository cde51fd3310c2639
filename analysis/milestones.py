"""The campaign's milestones as data, each tied to the ledger row that dates it (or marked missing).

A milestone's source is a row of the claims ledger (``claim_id``) or of the strike ledger
(``strike_id``); its address is read from that row, never typed here, and its date is checked
against the row's own date. Where no ledger row supports a milestone's date, ``source_status`` is
``"missing"``, ``source_url`` is blank, and ``note`` says what the ledgers do hold. No address is
invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MILESTONE_COLUMNS = [
    "key",
    "label",
    "date",
    "date_precision",
    "date_value",
    "source_ledger",
    "source_row",
    "source_status",
    "source_url",
    "note",
]

SOURCED = "ledger row"
MISSING = "missing"


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    date: str  # "YYYY-MM-DD" or "YYYY-MM"
    source_ledger: str | None  # "claims", "strikes" or None
    source_row: str | None  # claim_id / strike_id
    note: str


#: The milestones of the campaign (issue 4), in date order.
MILESTONES = (
    Milestone(
        "fto_designations",
        "Cartels designated foreign terrorist organizations",
        "2025-02",
        None,
        None,
        "No ledger row dates the designations themselves. C001 (2025-01-20) is the President's remark "
        "at the signing of the executive order that ordered them; it dates the order, not the designations.",
    ),
    Milestone(
        "first_strike",
        "First boat strike",
        "2025-09-02",
        "strikes",
        "S001",
        "First strike of the campaign (Caribbean, 11 killed as announced).",
    ),
    Milestone(
        "fentanyl_wmd",
        "Fentanyl designated a weapon of mass destruction",
        "2025-12-15",
        "claims",
        "C068",
        "Executive order designating illicit fentanyl and core precursors as weapons of mass destruction.",
    ),
    Milestone(
        "venezuela_raid",
        "Venezuela raid (Maduro captured)",
        "2026-01-03",
        "claims",
        "C024",
        "Dated by the President's Mar-a-Lago news conference on the capture, held the same day.",
    ),
    Milestone(
        "land_strike_statement",
        "'Start now hitting land' statement",
        "2026-01-08",
        "claims",
        "C071",
        "Fox News interview with Sean Hannity; C072, from the same interview, carries the words "
        "'we are going to start now hitting land'.",
    ),
)


class MilestoneError(ValueError):
    """A milestone's ledger row is missing or its date disagrees with the milestone's."""


def _row(ledger: pd.DataFrame, id_column: str, row_id: str, ledger_name: str) -> pd.Series:
    found = ledger[ledger[id_column] == row_id]
    if len(found) != 1:
        raise MilestoneError(f"{ledger_name} ledger: {len(found)} rows with {id_column} {row_id!r}, expected 1")
    return found.iloc[0]


def _row_date(row: pd.Series) -> str:
    value = row["date"]
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return "" if pd.isna(value) else str(value)


def milestones(claims: pd.DataFrame, strikes: pd.DataFrame, items: tuple[Milestone, ...] = MILESTONES) -> pd.DataFrame:
    """The milestones as a DataFrame (:data:`MILESTONE_COLUMNS`), sources read from the ledgers.

    Raises :class:`MilestoneError` when a cited row is absent or its date differs from the milestone's.
    """
    rows = []
    for item in items:
        precision = "day" if len(item.date) == 10 else "month"
        url, status = "", MISSING
        if item.source_ledger is not None:
            ledger, id_column = (claims, "claim_id") if item.source_ledger == "claims" else (strikes, "strike_id")
            row = _row(ledger, id_column, item.source_row, item.source_ledger)
            if _row_date(row) != item.date:
                raise MilestoneError(
                    f"milestone {item.key}: dated {item.date}, but {item.source_ledger} row {item.source_row} "
                    f"is dated {_row_date(row) or '(blank)'}"
                )
            url, status = str(row["source_url"]), SOURCED
        rows.append(
            {
                "key": item.key,
                "label": item.label,
                "date": item.date,
                "date_precision": precision,
                "date_value": pd.Timestamp(item.date if precision == "day" else item.date + "-01"),
                "source_ledger": item.source_ledger or "",
                "source_row": item.source_row or "",
                "source_status": status,
                "source_url": url,
                "note": item.note,
            }
        )
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
