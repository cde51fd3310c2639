"""The update gate: a CDC release replaces the snapshot only if it is not worse than it.

:func:`analysis.refresh.refresh` calls this after the release has passed every format check
and before anything is swapped. The candidate is refused when, against the current snapshot:

1. it is **older**: CDC's ``rowsUpdatedAt`` is earlier than the snapshot's (or than the start of
   the snapshot's release month, for a snapshot that records only the month), or its latest
   12 month-ending period is earlier;
2. it **covers less**: a jurisdiction, an indicator or a period of the snapshot is missing, or
   any (jurisdiction, indicator, period) row of the snapshot is;
3. it **lost values**: a reported count, a predicted value or a percentage the snapshot has is
   blank in the candidate (e.g. every ``data_value`` blank, or a release of the 2018 schema,
   which has no predicted values);
4. it **revises too far**: a count of a period both hold moves by more than
   :data:`analysis.bounds.REVISION_TOLERANCE` of the snapshot's value and more than
   :data:`analysis.bounds.REVISION_SLACK` deaths.

Counts themselves are bounded earlier, by the loader every release passes through
(:func:`analysis.cdc.read_cdc_text`: no negative count, none above
:data:`analysis.bounds.CDC_DEATHS_CEILING`). The refusal names every regression found, with
examples, and names ``--accept``, which installs the release anyway when an analyst knows the
change is deliberate (a period CDC withdrew, a narrower download asked for on purpose).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import bounds, cdc
from .socrata import FetchError

ACCEPT_HINT = (
    "If the change is deliberate, install it anyway with `python -m analysis fetch --accept` "
    "(refresh(..., accept=True) from Python)."
)

#: Examples shown per regression.
EXAMPLES = 3


class UpdateRefused(FetchError):
    """The fetched release is worse than the snapshot; ``regressions`` lists each way it is."""

    def __init__(self, message: str, regressions: list[str]):
        super().__init__(message)
        self.regressions = list(regressions)


def _utc(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _release_start(text: object) -> dt.date | None:
    end = bounds.release_end(text)
    if end is None:
        return None
    text = str(text).strip()
    if len(text) == 7:  # YYYY-MM
        return end.replace(day=1)
    if len(text) == 4:
        return end.replace(month=1, day=1)
    return end


def release_regressions(current: Mapping[str, Any], rows_updated_at: int) -> list[str]:
    """How the candidate's release time alone shows it older than the snapshot (rule 1)."""
    known = current.get("rows_updated_at")
    if isinstance(known, int) and not isinstance(known, bool):
        if rows_updated_at < known:
            return [
                f"it is older: CDC's rowsUpdatedAt {rows_updated_at} ({_utc(rows_updated_at)}) is before the "
                f"snapshot's {known} ({_utc(known)})"
            ]
        return []
    start = _release_start(current.get("source_release"))
    candidate = dt.datetime.fromtimestamp(rows_updated_at, dt.UTC).date()
    if start is not None and candidate < start:
        return [
            f"it is older: CDC's rowsUpdatedAt {rows_updated_at} ({_utc(rows_updated_at)}) is before the "
            f"snapshot's release, {current.get('source_release')}"
        ]
    return []


def _key_text(row) -> str:
    return f"{row.jurisdiction}, {row.indicator_label}, 12 months ending {row.period_end}"


def _span(periods: list[str]) -> str:
    if len(periods) <= 4:
        return ", ".join(periods)
    return f"{periods[0]} to {periods[-1]} ({len(periods)} periods)"


def table_regressions(current: pd.DataFrame, candidate: pd.DataFrame) -> list[str]:
    """Rules 1 (latest period) to 4, comparing two tidy tables; one line per regression."""
    found: list[str] = []
    old_latest, new_latest = cdc.latest_period(current), cdc.latest_period(candidate)
    if new_latest < old_latest:
        found.append(
            f"it is older: its latest period is the 12 months ending {new_latest}, the snapshot's {old_latest}"
        )
    for column, what in (
        ("jurisdiction", "jurisdiction(s)"),
        ("indicator_label", "indicator(s)"),
        ("period_end", "period(s)"),
    ):
        lost = sorted(set(current[column].astype(str)) - set(candidate[column].astype(str)))
        if lost:
            shown = _span(lost) if column == "period_end" else ", ".join(lost[:6]) + (" …" if len(lost) > 6 else "")
            found.append(f"it covers less: {len(lost)} {what} of the snapshot missing: {shown}")
    merged = current.merge(candidate, on=cdc.KEY_COLUMNS, how="left", suffixes=("", "_new"), indicator=True)
    absent = merged[merged["_merge"] == "left_only"]
    if len(absent):
        explained = (
            ~absent["jurisdiction"].isin(candidate["jurisdiction"])
            | ~absent["indicator"].isin(candidate["indicator"])
            | ~absent["period_end"].isin(candidate["period_end"])
        )
        rest = absent[~explained]
        if len(rest):
            examples = "; ".join(_key_text(r) for r in rest.head(EXAMPLES).itertuples())
            found.append(f"it covers less: {len(rest):,} row(s) of the snapshot missing, e.g. {examples}")
    shared = merged[merged["_merge"] == "both"]
    for measure, what in (
        ("reported", "reported counts"),
        ("predicted", "predicted values"),
        ("reported_percent", "percentages"),
    ):
        lost = shared[shared[measure].notna().to_numpy() & shared[f"{measure}_new"].isna().to_numpy()]
        if len(lost):
            examples = "; ".join(_key_text(r) for r in lost.head(EXAMPLES).itertuples())
            found.append(
                f"it lost values: {len(lost):,} of the snapshot's {int(shared[measure].notna().sum()):,} "
                f"{what} are blank in it, e.g. {examples}"
            )
    for measure in ("reported", "predicted"):
        both = shared[shared[measure].notna().to_numpy() & shared[f"{measure}_new"].notna().to_numpy()]
        if not len(both):
            continue
        old = both[measure].to_numpy(dtype="float64")
        new = both[f"{measure}_new"].to_numpy(dtype="float64")
        allowed = np.maximum(bounds.REVISION_SLACK, bounds.REVISION_TOLERANCE * np.abs(old))
        change = np.abs(new - old)
        bad = change > allowed
        if bad.any():
            worst = both[bad].assign(_change=change[bad]).sort_values("_change", ascending=False, kind="stable")
            examples = "; ".join(
                f"{_key_text(r)}: {int(getattr(r, measure)):,} -> {int(getattr(r, measure + '_new')):,}"
                for r in worst.head(EXAMPLES).itertuples()
            )
            found.append(
                f"it revises too far: {int(bad.sum()):,} {measure} value(s) of periods both hold move by more than "
                f"{bounds.REVISION_TOLERANCE:.0%} (and more than {bounds.REVISION_SLACK} deaths), e.g. {examples}"
            )
    return found


def check_release(
    current: Mapping[str, Any],
    rows_updated_at: int,
    *,
    accept: bool = False,
    target: str = f"data/raw/{cdc.RAW_FILE}",
) -> list[str]:
    """Rule 1 from the metadata alone, before any row is downloaded (raises :class:`UpdateRefused`)."""
    found = release_regressions(current, rows_updated_at)
    if found and not accept:
        raise UpdateRefused(refusal(found, rows_updated_at, target), found)
    return found


def check_update(
    current: Mapping[str, Any],
    current_table: pd.DataFrame | None,
    candidate: pd.DataFrame,
    rows_updated_at: int,
    *,
    accept: bool = False,
    target: str = f"data/raw/{cdc.RAW_FILE}",
) -> list[str]:
    """Every regression of ``candidate`` against the snapshot (entry ``current``, table
    ``current_table``; ``None`` when the snapshot cannot be read, so only its manifest entry is
    compared). Raises :class:`UpdateRefused` if there is one and ``accept`` is false; returns
    the list (empty, or the regressions accepted)."""
    found = release_regressions(current, rows_updated_at)
    if current_table is not None:
        found += table_regressions(current_table, candidate)
    else:
        known = current.get("latest_period")
        latest = cdc.latest_period(candidate)
        if isinstance(known, str) and latest < known:
            found.append(f"it is older: its latest period is the 12 months ending {latest}, the snapshot's {known}")
    if found and not accept:
        raise UpdateRefused(refusal(found, rows_updated_at, target), found)
    return found


def refusal(found: list[str], rows_updated_at: int, target: str) -> str:
    """The refusal message: what regressed, that nothing changed, and how to override."""
    lines = "\n".join(f"  - {line}" for line in found)
    return (
        f"CDC's release of {_utc(rows_updated_at)} (rowsUpdatedAt {rows_updated_at}) was not installed: "
        f"it is worse than the snapshot in {target}:\n{lines}\n"
        f"The snapshot and manifest are unchanged. {ACCEPT_HINT}"
    )
