"""Strike arithmetic: running totals of the strike ledger and its reconciliation with published tallies.

Input frames are those of :mod:`analysis.ledgers` (``load_strikes`` / ``load_tallies``).

Two clocks
----------
- :func:`strikes_cumulative` and :func:`by_month_theater` follow the strike's own ``date`` (when
  it happened).
- :func:`ledger_totals_at` and :func:`reconcile_tallies` count a strike from its
  ``announced_date``: a published tally can only include what had been made public.

Coverage
--------
The ledger covers the strike dates from its first row to its last (:func:`coverage`; release
2026-12: 2 Sep 2025 to 22 Jun 2026). A tally published after that end cannot be checked against
it: :func:`reconcile_tallies` leaves such tallies out and :func:`after_ledger_end` returns them,
to be shown as "after the ledger's end", never reconciled.

Measures
--------
- ``killed``: deaths as announced by the U.S. government (sum of the ledger's ``killed``).
- ``survivors_not_found``: survivors *reported* as never found (presumed dead). A row whose
  never-found field is blank adds nothing, because the measure counts reports of never-found
  survivors; such rows are not treated as 0 anywhere else.
- ``killed_presumed`` = ``killed`` + ``survivors_not_found`` (the README's ``+presumed``). A
  survivor is credited on the row's announcement date, earlier than most outlets count them.
- Survivors (a blank ``survivors`` field means "not reported either way"; a gap stays a gap):
  ``survivors`` is the total and is ``<NA>`` as soon as any row it covers is blank, because a sum
  that includes an unknown is unknown; ``survivors_reported`` is the sum over rows that report a
  figure (a floor, not a total) and ``survivors_unreported_rows`` counts the blank rows, so the
  reader sees both what is known and how much is not. ``survivors_fate_unreported`` counts
  survivors whose later fate no page reports (survivors given, never-found field blank): they
  are in neither ``survivors_not_found`` nor ``killed_presumed``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .ledgers import THEATERS

# --------------------------------------------------------------------------------------------
# Readings of a tally against the ledger (fixed vocabulary; see explain_difference)
# --------------------------------------------------------------------------------------------

MATCHES_ANNOUNCED = "matches announced deaths"
MATCHES_PRESUMED = "matches once never-found survivors are counted"
BETWEEN = (
    "between announced and presumed: publisher counts some but not all never-found survivors, or counts differently"
)
ABOVE = "publisher above ledger: strikes missing from the ledger or survivors counted as dead"
BELOW = "publisher below ledger (tally predates a strike or counts differently)"
READINGS = (MATCHES_ANNOUNCED, MATCHES_PRESUMED, BETWEEN, ABOVE, BELOW)

ALL_THEATERS = "All theaters"

RECONCILIATION_COLUMNS = (
    "as_of",
    "publisher",
    "published_strikes",
    "ledger_strikes",
    "strikes_difference",
    "published_killed",
    "ledger_killed",
    "difference",
    "ledger_killed_presumed",
    "difference_presumed",
    "ledger_vessels",
    "source_url",
    "originator",
    "source_kind",
    "reading",
)


#: The survivor measures of a group of rows, in the order every output shows them.
SURVIVOR_MEASURES = (
    "survivors",
    "survivors_reported",
    "survivors_unreported_rows",
    "survivors_not_found",
    "survivors_fate_unreported",
)


def _survivor_columns(rows: pd.DataFrame) -> dict[str, object]:
    """Survivor measures of a group of ledger rows (see the module docstring)."""
    survivors = rows["survivors"]
    unreported = int(survivors.isna().sum())
    reported = int(survivors.sum(skipna=True))
    fate_unknown = survivors.notna() & rows["survivors_not_found"].isna()
    return {
        "survivors": pd.NA if unreported else reported,
        "survivors_reported": reported,
        "survivors_unreported_rows": unreported,
        "survivors_not_found": int(rows["survivors_not_found"].sum(skipna=True)),
        "survivors_fate_unreported": int(survivors[fate_unknown].sum()),
    }


# --------------------------------------------------------------------------------------------
# Running totals by strike date
# --------------------------------------------------------------------------------------------


def strikes_cumulative(strikes: pd.DataFrame) -> pd.DataFrame:
    """Running totals of the ledger by strike ``date``: one row per date that has a strike.

    Columns (all cumulative up to and including ``date``; nullable Int64):
    ``strikes`` (ledger rows), ``vessels``, ``killed`` (announced), ``survivors`` (<NA> from the
    first date on which a row's survivors are unreported: the total is unknown from then on),
    ``survivors_reported`` (sum of the figures that were reported), ``survivors_unreported_rows``
    (rows so far with no survivor figure), ``survivors_not_found`` (reported never found),
    ``survivors_fate_unreported`` (survivors whose fate is not reported) and ``killed_presumed``
    (killed + survivors_not_found).
    """
    daily = strikes.groupby("date", sort=True).agg(
        strikes=("strike_id", "size"),
        vessels=("vessels", "sum"),
        killed=("killed", "sum"),
        survivors_reported=("survivors", lambda s: s.sum(skipna=True)),
        survivors_unreported_rows=("survivors", lambda s: s.isna().sum()),
        survivors_not_found=("survivors_not_found", lambda s: s.sum(skipna=True)),
    )
    fate_unknown = strikes["survivors"].notna() & strikes["survivors_not_found"].isna()
    daily["survivors_fate_unreported"] = strikes["survivors"].where(fate_unknown, 0).groupby(strikes["date"]).sum()
    running = daily.cumsum().astype("Int64")
    running["survivors"] = running["survivors_reported"].where(running["survivors_unreported_rows"] == 0, pd.NA)
    running["killed_presumed"] = running["killed"] + running["survivors_not_found"]
    running = running.reset_index()
    return running[["date", "strikes", "vessels", "killed", *SURVIVOR_MEASURES, "killed_presumed"]]


# --------------------------------------------------------------------------------------------
# Totals as they could have been known on a date (by announcement)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerTotals:
    """What the ledger held on ``as_of``, counting rows with ``announced_date`` <= ``as_of``."""

    as_of: pd.Timestamp
    rows: int
    vessels: int
    killed: int
    survivors_not_found: int
    killed_presumed: int
    survivors: object  # int, or pd.NA when any counted row's survivors are unreported
    survivors_reported: int
    survivors_unreported_rows: int
    survivors_fate_unreported: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def ledger_totals_at(strikes: pd.DataFrame, as_of) -> LedgerTotals:
    """Ledger totals over rows announced on or before ``as_of`` (a date string or Timestamp).

    ``killed`` is the announced sum; ``killed_presumed`` adds survivors reported never found;
    ``survivors`` is <NA> if any counted row leaves survivors blank (see the module docstring).
    """
    as_of = pd.Timestamp(as_of)
    counted = strikes[strikes["announced_date"] <= as_of]
    killed = int(counted["killed"].sum())
    survivors = _survivor_columns(counted)
    return LedgerTotals(
        as_of=as_of,
        rows=len(counted),
        vessels=int(counted["vessels"].sum()),
        killed=killed,
        killed_presumed=killed + survivors["survivors_not_found"],
        **survivors,
    )


# --------------------------------------------------------------------------------------------
# Reconciliation with published tallies
# --------------------------------------------------------------------------------------------


def coverage(strikes: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first, last) strike ``date`` of the ledger: the period its totals cover."""
    if strikes.empty:
        raise ValueError("an empty strike ledger covers no period")
    return strikes["date"].min(), strikes["date"].max()


def day_text(day) -> str:
    """A date as readers see it: ``2 Sep 2025`` (no leading zero)."""
    day = pd.Timestamp(day)
    return f"{day.day} {day:%b %Y}"


def coverage_text(strikes: pd.DataFrame) -> str:
    """The ledger's coverage in words, ``2 Sep 2025 to 22 Jun 2026``, computed from its rows."""
    first, last = coverage(strikes)
    return f"{day_text(first)} to {day_text(last)}"


def to_end_text(strikes: pd.DataFrame) -> str:
    """What every cumulative figure of the ledger says: ``to 22 Jun 2026`` (its last strike date)."""
    return f"to {day_text(coverage(strikes)[1])}"


def after_ledger_end(strikes: pd.DataFrame, tallies: pd.DataFrame) -> pd.DataFrame:
    """The tallies published (``as_of``) after the ledger's last strike date, in file order.

    They are never reconciled: the ledger cannot say what happened after its end.
    """
    _, end = coverage(strikes)
    return tallies[tallies["as_of"] > end].reset_index(drop=True)


def explain_difference(difference, difference_presumed) -> str:
    """Classify one tally from its two differences alone (published minus ledger).

    ``difference`` = published killed - ledger announced; ``difference_presumed`` = published
    killed - ledger announced-plus-never-found (so ``difference_presumed <= difference``).
    Rules, first match wins:

    1. ``difference == 0`` -> :data:`MATCHES_ANNOUNCED`.
    2. ``difference_presumed == 0`` -> :data:`MATCHES_PRESUMED`.
    3. ``difference > 0 > difference_presumed`` -> :data:`BETWEEN` (the figure lies strictly
       between the ledger's two measures).
    4. ``difference_presumed > 0`` -> :data:`ABOVE` (above even the presumed measure: only deaths
       the ledger does not hold, i.e. strikes it lacks or survivors whose fate it does not record
       as death, can close the gap).
    5. ``difference < 0`` -> :data:`BELOW` (below the announced sum: the tally leaves out deaths
       the ledger had announced by then).

    Nothing else is inferred: which strike is missing, or which survivor a publisher counted,
    is for the reader (the strikes README discusses each case).
    """
    if pd.isna(difference) or pd.isna(difference_presumed):
        raise ValueError("explain_difference needs both differences; a blank tally cannot be read")
    if difference_presumed > difference:
        raise ValueError(f"difference_presumed ({difference_presumed}) cannot exceed difference ({difference})")
    if difference == 0:
        return MATCHES_ANNOUNCED
    if difference_presumed == 0:
        return MATCHES_PRESUMED
    if difference > 0 > difference_presumed:
        return BETWEEN
    if difference_presumed > 0:
        return ABOVE
    return BELOW


def reconcile_tallies(strikes: pd.DataFrame, tallies: pd.DataFrame) -> pd.DataFrame:
    """Each published tally beside the ledger's totals on its ``as_of`` date (by announcement).

    One row per tally up to the ledger's end (:func:`coverage`), in the tallies file's order;
    tallies after the end are left out (see :func:`after_ledger_end`). Columns (counts nullable Int64):
    ``as_of``, ``publisher``, ``published_strikes`` (<NA> where the publisher gave none),
    ``ledger_strikes`` (ledger rows announced by ``as_of``), ``strikes_difference`` (published -
    ledger; <NA> when not published), ``published_killed``, ``ledger_killed`` (announced),
    ``difference`` (published - ledger announced), ``ledger_killed_presumed`` (announced + reported
    never-found survivors), ``difference_presumed`` (published - presumed), ``ledger_vessels``,
    ``source_url``, ``originator``, ``source_kind`` (the tally's page) and ``reading``
    (:func:`explain_difference`).
    """
    records = []
    _, end = coverage(strikes)
    for tally in tallies[tallies["as_of"] <= end].itertuples(index=False):
        totals = ledger_totals_at(strikes, tally.as_of)
        difference = tally.killed - totals.killed
        difference_presumed = tally.killed - totals.killed_presumed
        records.append(
            {
                "as_of": tally.as_of,
                "publisher": tally.publisher,
                "published_strikes": tally.strikes,
                "ledger_strikes": totals.rows,
                "strikes_difference": (pd.NA if pd.isna(tally.strikes) else tally.strikes - totals.rows),
                "published_killed": tally.killed,
                "ledger_killed": totals.killed,
                "difference": difference,
                "ledger_killed_presumed": totals.killed_presumed,
                "difference_presumed": difference_presumed,
                "ledger_vessels": totals.vessels,
                "source_url": tally.source_url,
                "originator": tally.originator,
                "source_kind": tally.source_kind,
                "reading": explain_difference(difference, difference_presumed),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(RECONCILIATION_COLUMNS))
    for column in RECONCILIATION_COLUMNS:
        if column in ("as_of",):
            frame[column] = pd.to_datetime(frame[column])
        elif column in ("publisher", "source_url", "originator", "source_kind", "reading"):
            frame[column] = frame[column].astype("str")
        else:
            frame[column] = frame[column].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------------
# Month x theater
# --------------------------------------------------------------------------------------------


def by_month_theater(strikes: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows, vessels, deaths and survivors by month (of the strike ``date``) and theater.

    One row per (month, theater) that has at least one strike, theaters in the order
    Caribbean, Eastern Pacific, Unknown, followed by a row with theater ``"All theaters"`` for
    every month from the first to the last (a month with no ledger row shows 0 strikes: the
    ledger holds none, which is not proof that none happened). Do not add the ``All theaters``
    rows to the others: they are their sum.

    Columns: ``month`` ("YYYY-MM"), ``theater``, ``strikes`` (rows), ``vessels``, ``killed``
    (announced), ``survivors`` (<NA> if any row of the group has no survivor figure),
    ``survivors_reported``, ``survivors_unreported_rows``, ``survivors_not_found``,
    ``survivors_fate_unreported``.
    """
    month = strikes["date"].dt.strftime("%Y-%m")
    months = pd.period_range(month.min(), month.max(), freq="M").strftime("%Y-%m").tolist() if len(strikes) else []

    def summarise(group: pd.DataFrame) -> dict[str, object]:
        return {
            "strikes": len(group),
            "vessels": int(group["vessels"].sum()),
            "killed": int(group["killed"].sum()),
            **_survivor_columns(group),
        }

    records = []
    for this_month in months:
        in_month = strikes[month == this_month]
        for theater in THEATERS:
            group = in_month[in_month["theater"] == theater]
            if len(group):
                records.append({"month": this_month, "theater": theater, **summarise(group)})
        records.append({"month": this_month, "theater": ALL_THEATERS, **summarise(in_month)})
    columns = ["month", "theater", "strikes", "vessels", "killed", *SURVIVOR_MEASURES]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns[:2]:
        frame[column] = frame[column].astype("str")
    for column in columns[2:]:
        frame[column] = frame[column].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------------
# Tallies above the ledger's upper count: the ledger's totals are "at least" figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpperCountExcess:
    """The final run of published tallies above the ledger's upper count (announced + never found)."""

    first: pd.Timestamp  # as_of of the run's first tally
    last: pd.Timestamp
    tallies: int
    presumed_min: int  # published - upper count, smallest and largest in the run
    presumed_max: int
    announced_min: int  # published - deaths as announced
    announced_max: int
    widest_publisher: str  # the tally furthest above deaths as announced
    widest_as_of: pd.Timestamp


def above_upper_count(reconciliation: pd.DataFrame) -> UpperCountExcess | None:
    """The last run of tallies, in ``as_of`` order, whose ``difference_presumed`` is above 0 (every
    tally from the run's first to the newest); None when the newest tally is not above it."""
    ordered = reconciliation.sort_values("as_of", kind="stable").reset_index(drop=True)
    above = (ordered["difference_presumed"] > 0).tolist()
    if not above or not above[-1]:
        return None
    start = len(above)
    while start > 0 and above[start - 1]:
        start -= 1
    run = ordered.iloc[start:]
    widest = run.loc[run["difference"].astype(int).idxmax()]
    return UpperCountExcess(
        first=run["as_of"].iloc[0],
        last=run["as_of"].iloc[-1],
        tallies=len(run),
        presumed_min=int(run["difference_presumed"].min()),
        presumed_max=int(run["difference_presumed"].max()),
        announced_min=int(run["difference"].min()),
        announced_max=int(run["difference"].max()),
        widest_publisher=str(widest["publisher"]).split(" (")[0],
        widest_as_of=widest["as_of"],
    )


def survivors_unreported(strikes: pd.DataFrame) -> tuple[int, pd.Timestamp | None]:
    """(strike rows whose survivor count is not reported, the first such strike date)."""
    blank = strikes[strikes["survivors"].isna()]
    return len(blank), (blank["date"].min() if len(blank) else None)


def upper_count_headline(reconciliation: pd.DataFrame) -> str:
    """The reconciliation's headline, computed: from when every tally exceeds the ledger's upper count."""
    excess = above_upper_count(reconciliation)
    if excess is None:
        return (
            "The newest published tally is not above the ledger's upper count (deaths as announced plus "
            "survivors never found)"
        )
    gap = (
        f"{excess.presumed_min}"
        if excess.presumed_min == excess.presumed_max
        else f"{excess.presumed_min} to {excess.presumed_max}"
    )
    return (
        f"From {day_text(excess.first)} every published tally is above the ledger's upper count (by {gap} deaths): "
        "the ledger misses strikes (or survivors' deaths), so its totals are 'at least' figures"
    )


def upper_count_lines(reconciliation: pd.DataFrame, strikes: pd.DataFrame) -> list[str]:
    """What the run above the upper count shows, and what it cannot show (unreported survivors)."""
    excess = above_upper_count(reconciliation)
    if excess is None:
        return ["The newest published tally is not above the ledger's upper count."]
    rows, since = survivors_unreported(strikes)
    lines = [
        f"The last {excess.tallies} tallies, {day_text(excess.first)} to {day_text(excess.last)}, are all above the "
        f"ledger's upper count (deaths as announced plus survivors reported never found) by {excess.presumed_min} to "
        f"{excess.presumed_max} deaths, and {excess.announced_min} to {excess.announced_max} above its deaths as "
        f"announced (widest: {excess.widest_publisher}, {day_text(excess.widest_as_of)}).",
        "Only deaths the ledger does not hold can close a gap above its upper count: strikes it misses, or "
        "survivors whose fate it does not record.",
    ]
    if rows:
        lines.append(
            f"From {day_text(since)}, {rows} of its strike rows report no survivor count at all, so there "
            "the two cannot be told apart."
        )
    lines.append("So every total of the ledger is an 'at least' figure.")
    return lines
