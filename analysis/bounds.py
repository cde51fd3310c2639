"""Plausible bounds: the ceilings every loader and the update gate apply, stated once.

A number that passes its format check can still be impossible: a count of
99,999,999,999,999,999,999 deaths, a strike dated 2099, a release "updated" in 1969. Each rule
here is a plain bound with its reason; the loaders (:mod:`analysis.cdc`, :mod:`analysis.ledgers`,
:mod:`analysis.manifest`) and the update gate (:mod:`analysis.gate`) call them, so a value beyond
a bound is refused with a message naming the file, the line, the field and the bound, instead of
overflowing, wrapping round or being analysed.

The ceilings are generous on purpose: they catch garbage (a typo, an overflow, a hostile
server), not surprising facts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

# -- counts -----------------------------------------------------------------------------------

#: Deaths in 12 months, any CDC indicator, any jurisdiction. U.S. deaths from all causes peaked
#: at about 3.5 million in the 12 months of 2021 (NCHS); the ceiling is almost three times that.
CDC_DEATHS_CEILING = 10_000_000

#: Whole-number ledger fields: (ledger, column) -> ceiling. One strike row is one announced
#: event (the largest so far hit 3 vessels and killed 11); a published tally counts the whole
#: campaign (hundreds so far).
LEDGER_COUNT_CEILINGS: dict[tuple[str, str], int] = {
    ("strikes", "vessels"): 100,
    ("strikes", "killed"): 1_000,
    ("strikes", "survivors"): 1_000,
    ("strikes", "survivors_not_found"): 1_000,
    ("tallies", "strikes"): 10_000,
    ("tallies", "killed"): 100_000,
    ("tallies", "survivors"): 100_000,
}
#: Any other whole-number ledger field (e.g. the dead of one operation on land).
LEDGER_COUNT_CEILING = 100_000

#: Decimal ledger figures (claimed values, context figures). Claims are reported as said, however
#: absurd ("300 million deaths a year" is in the ledger), so the ceiling is only what no count of
#: people, lives, deaths, vessels or percent can reach: more than the world's population.
LEDGER_FIGURE_CEILING = 10_000_000_000

# -- times ------------------------------------------------------------------------------------

#: CDC's ``rowsUpdatedAt`` (epoch seconds) must fall between this floor (2010-01-01 UTC, before
#: the VSRR dataset existed) and the moment it was read, plus :data:`CLOCK_SKEW_S`.
EPOCH_FLOOR = 1_262_304_000
CLOCK_SKEW_S = 86_400

# -- revisions --------------------------------------------------------------------------------

#: How far a new CDC release may revise a count the snapshot already has (same jurisdiction,
#: indicator and 12 month-ending period) before the update is refused as suspect: by at most
#: this share of the snapshot's value, or by :data:`REVISION_SLACK` deaths, whichever is larger.
#: Real revisions in CDC's own older releases (shared/data/cdc/vintages, 2018-04 to 2019-07, all
#: jurisdictions) range from -15% to +43%; national counts moved by less than 5%.
REVISION_TOLERANCE = 0.5
REVISION_SLACK = 100


def count_rule(value: int | float, ceiling: int) -> str | None:
    """The rule ``value`` breaks as a count (negative, not finite, above ``ceiling``), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if value < 0:
        return "a count cannot be negative"
    if value > ceiling:
        return f"above the ceiling of {ceiling:,} (analysis.bounds)"
    return None


def ledger_count_ceiling(ledger: str, column: str) -> int:
    """The ceiling of whole-number field ``column`` of ledger ``ledger``."""
    return LEDGER_COUNT_CEILINGS.get((ledger, column), LEDGER_COUNT_CEILING)


def ledger_value_rule(ledger: str, column: str, value: Any, not_after: dt.date | None) -> str | None:
    """The bound a parsed ledger value breaks, or None.

    Whole numbers: :func:`ledger_count_ceiling`; decimals: :data:`LEDGER_FIGURE_CEILING`;
    dates: not after ``not_after`` (the file's release or retrieval date, see :func:`not_after`).
    Any other value (text, ids, addresses) has no bound here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return count_rule(value, ledger_count_ceiling(ledger, column))
    if isinstance(value, float):
        return count_rule(value, LEDGER_FIGURE_CEILING)
    if isinstance(value, dt.date) and not_after is not None and value > not_after:
        return f"is after {not_after.isoformat()}, the file's release or retrieval date"
    return None


# -- dates of a release -----------------------------------------------------------------------

_YEAR = re.compile(r"^([0-9]{4})$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})")


def release_end(text: object) -> dt.date | None:
    """The last day a release or retrieval stamp can stand for: ``2025-09`` -> 2025-09-30,
    ``2026-11-23`` or ``2026-11-23T09:30:00Z`` -> 2026-11-23, ``2026`` -> 2026-12-31; None when the
    text is none of these."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        if match := _DAY.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if match := _YEAR.match(text):
            return dt.date(int(match[1]), 12, 31)
    except ValueError:
        return None
    return None


def not_after(entry: Mapping[str, Any]) -> dt.date | None:
    """The latest date a row of a raw file may carry: the earlier of the last day of its release
    (``source_release``) and the day it was retrieved (``retrieved``); None if neither is known."""
    dates = [d for d in (release_end(entry.get("source_release")), release_end(entry.get("retrieved"))) if d]
    return min(dates) if dates else None


def month_end(period_end: str) -> dt.date:
    """Last day of a ``YYYY-MM`` period."""
    year, month = int(period_end[:4]), int(period_end[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def periods_after(period_ends, limit: dt.date) -> list[str]:
    """The distinct ``YYYY-MM`` periods that end after ``limit`` (a release cannot hold them)."""
    return sorted({p for p in map(str, period_ends) if month_end(p) > limit})


def epoch_rule(value: object, now_epoch: float) -> str | None:
    """The bound an epoch-seconds stamp (CDC's ``rowsUpdatedAt``) breaks, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "not an integer number of seconds since 1970-01-01 UTC"
    if value < EPOCH_FLOOR:
        return f"before 2010-01-01 (epoch {EPOCH_FLOOR}), earlier than the dataset exists"
    if value > now_epoch + CLOCK_SKEW_S:
        return "in the future (later than the time it was read, plus one day)"
    return None


def epoch_date(value: int) -> str:
    """``YYYY-MM-DD`` (UTC) of an epoch that passed :func:`epoch_rule`."""
    return dt.datetime.fromtimestamp(value, dt.UTC).date().isoformat()
