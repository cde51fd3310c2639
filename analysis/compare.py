"""The shared reading of claims and CDC series: named periods, classes, units, the flow series, trends.

The claims comparison itself is split by job: :mod:`analysis.matching` (which CDC figure, by the
release calendar; ``data/processed/claims_vs_cdc.csv``), :mod:`analysis.qualifiers` (floor, range,
point), :mod:`analysis.sensitivity` (how far other fair comparisons move a ratio),
:mod:`analysis.verdicts` (the published rule) and :mod:`analysis.boats` (lives per boat). This
module holds what they share:

* :func:`named_period` — the period a claim's ``period`` text names. A calendar year ("2023",
  "2024 ('last year')", "'this year' (2025)") means the 12 months ending December of that year;
  "last year" / "this year" without a number are read against the claim's date; "12 months ending
  <Month> <YYYY>" is that 12 month-ending period. Only the text before the first ``;`` names the
  period; what follows is the ledger's note (it may name other years or figures).
* :func:`cdc_indicator_for` — the class a counter-figure's ledger note names.
* :func:`claimed_per_year` — a per-day figure multiplied by the days in the matched 12-month window
  (366 for 2024); ``conversion`` records it. Claims are never "cleaned": C003's 300 million is kept.
* :func:`seaborne_flow_series` — the "seaborne drug flow cut by 85 ... 97%" series, with what each
  figure actually measures, stated wording kept and repeats of one occasion marked.
* :func:`peak_and_decline`, :func:`campaign_timing_lines`, :func:`findings_table` — trends and findings.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass

import pandas as pd

from .ledgers import line_of

OVERDOSE_TOPIC = "overdose_deaths_per_year"
PER_BOAT_TOPIC = "lives_saved_per_boat"
FLOW_TOPIC = "seaborne_flow_reduction_pct"

ALL_DRUGS = "all_drugs"
SYNTHETIC_OPIOIDS = "synthetic_opioids"

#: Base units an overdose-deaths claim may have, and how each becomes "deaths per year".
PER_YEAR_UNITS = ("deaths_per_year", "deaths_per_12_months")
PER_DAY_UNITS = ("deaths_per_day",)

RATIO_DECIMALS = 3

_FENTANYL = re.compile(r"fentanyl|fentanilo|synthetic opioid", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[0-9]{2}|20[0-9]{2})\b")
_TWELVE_MONTHS = re.compile(r"12[ -]months? ending (?:in )?([A-Za-z]{3,9})\.? ([0-9]{4})", re.IGNORECASE)
_LAST_YEAR = re.compile(r"\blast year\b", re.IGNORECASE)
_THIS_YEAR = re.compile(r"\bthis year\b", re.IGNORECASE)

_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NUMBERS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTH_NUMBERS["sept"] = 9


class MatchError(ValueError):
    """A claim's fields cannot be read by the matching rules; the message names the file and line
    (when the claims came from :func:`analysis.ledgers.load_claims`), the claim and the field."""


_CLAIM_IN_MESSAGE = re.compile(r"^claim (\S+?),")


def _located(function):
    """Prefix a :class:`MatchError` about a claim with its ledger file and line."""

    @functools.wraps(function)
    def wrapper(claims: pd.DataFrame, *args, **kwargs):
        try:
            return function(claims, *args, **kwargs)
        except MatchError as exc:
            text = str(exc)
            found = _CLAIM_IN_MESSAGE.match(text)
            where = line_of(claims, "claim_id", found.group(1)) if found else str(claims.attrs.get("file", ""))
            if where:
                raise MatchError(f"{where}: {text}") from None
            raise

    return wrapper


# ---------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class PeriodMatch:
    """The CDC period a claim is compared with, by which rule, and why."""

    period_end: str | None  # "YYYY-MM", or None when nothing can be matched
    rule: str  # "named_year" | "named_12_months" | "published_at_claim_date" | "unmatched"
    explanation: str


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _month_label(period_end: str) -> str:
    year, month = period_end.split("-")
    return f"{calendar.month_abbr[int(month)]} {year}"


def named_period(period_text: object, claim_date: object = None, claim_id: str = "?") -> PeriodMatch | None:
    """The period a claim's ``period`` text names, or None when it names none.

    Only the text before the first ``;`` is read. Raises :class:`MatchError` when it names two
    different years, an unknown month, or a year that contradicts its own "last year" / "this year"
    given the claim's date.
    """
    if _missing(period_text) or not str(period_text).strip():
        return None
    main = str(period_text).split(";", 1)[0]
    where = f"claim {claim_id}, field period, value {str(period_text)!r}"
    twelve = _TWELVE_MONTHS.search(main)
    if twelve:
        month = _MONTH_NUMBERS.get(twelve.group(1).lower())
        if month is None:
            raise MatchError(f"{where}: unknown month name {twelve.group(1)!r}")
        period_end = f"{int(twelve.group(2)):04d}-{month:02d}"
        return PeriodMatch(period_end, "named_12_months", f"names the 12 months ending {_month_label(period_end)}")
    years = sorted(set(_YEAR.findall(main)))
    if len(years) > 1:
        raise MatchError(f"{where}: names more than one year ({', '.join(years)}) before any ';'")
    claim_year = None if _missing(claim_date) else pd.Timestamp(claim_date).year
    relative = None
    if _LAST_YEAR.search(main):
        relative = ("last year", None if claim_year is None else claim_year - 1)
    elif _THIS_YEAR.search(main):
        relative = ("this year", claim_year)
    if years:
        year = int(years[0])
        if relative is not None and relative[1] is not None and relative[1] != year:
            raise MatchError(f"{where}: says {relative[0]!r} but names {year}; the claim's date gives {relative[1]}")
        return PeriodMatch(f"{year:04d}-12", "named_year", f"names calendar year {year} (12 months ending Dec {year})")
    if relative is not None:
        if relative[1] is None:
            return PeriodMatch(None, "unmatched", f"says {relative[0]!r} but the claim has no date")
        year = relative[1]
        return PeriodMatch(
            f"{year:04d}-12", "named_year", f"says {relative[0]!r}: calendar year {year} from the claim's date"
        )
    return None


def window_days(period_end: str) -> int:
    """Days in the 12 months ending ``period_end`` (366 when the window holds 29 February)."""
    end = pd.Period(period_end, freq="M")
    start = end - 11
    return int((end.end_time.normalize() - start.start_time).days) + 1


# ---------------------------------------------------------------------------------------------
# Indicator and units


#: ``indicator: <class>`` in a claims period note -> CDC indicator key.
NAMED_INDICATORS = {"fentanyl": SYNTHETIC_OPIOIDS, "psychostimulants": "psychostimulants", "cocaine": "cocaine"}
_NAMED_INDICATOR = re.compile(r"\bindicator:\s*([\w-]+)")
#: A count written in a note (``55,126``, ``>45,000``, ``~47,000``, ``12000``); ``T40.4`` is not one.
_ITEMISED_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+|\d{4,}")


def cdc_indicator_for(unit_qualifier: object, period_text: object, quote: object) -> tuple[str, str]:
    """(CDC indicator key, reason): ``synthetic_opioids`` for a claim about fentanyl, else ``all_drugs``.

    A claim is about fentanyl when "fentanyl" or "synthetic opioid(s)" appears in
    (a) its unit qualifier (``deaths_per_year (synthetic opioids)``, ``(fentanyl-involved)``), or
    (b) the main part of its period text, before any ``;`` (``per year (fentanyl)``), or
    (c) its quote — unless the period's note after ``;`` itemises a separate fentanyl/synthetic-opioid
        figure, which shows the row's own value is the all-drug total ("The 86,882 deaths include
        ... 55,126 involving synthetic opioids" is an all-drug figure). A note that names the class
        without a figure of its own (``2023 (final data; synthetic opioids other than methadone,
        T40.4)``) describes the row's own value: synthetic opioids.
    Before all of these, a period note ``indicator: <class>`` (release 2026-12: ``fentanyl``,
    ``psychostimulants``, ``cocaine``) names the row's class outright (:data:`NAMED_INDICATORS`).
    """
    qualifier = "" if _missing(unit_qualifier) else str(unit_qualifier)
    period = "" if _missing(period_text) else str(period_text)
    text = "" if _missing(quote) else str(quote)
    main, _, itemised = period.partition(";")
    named = _NAMED_INDICATOR.search(itemised)
    if named:
        key = NAMED_INDICATORS.get(named.group(1).lower())
        if key is None:
            raise MatchError(f"period note names indicator {named.group(1)!r}; known: {', '.join(NAMED_INDICATORS)}")
        return key, f"period note names the indicator ({named.group(1)})"
    if _FENTANYL.search(qualifier):
        return SYNTHETIC_OPIOIDS, "unit qualifier names fentanyl/synthetic opioids"
    if _FENTANYL.search(main):
        return SYNTHETIC_OPIOIDS, "period names fentanyl/synthetic opioids"
    if _FENTANYL.search(text):
        if _FENTANYL.search(itemised) and _ITEMISED_FIGURE.search(itemised):
            return ALL_DRUGS, "quote names fentanyl, but the period note itemises it separately: all-drug figure"
        return SYNTHETIC_OPIOIDS, "quote names fentanyl/synthetic opioids"
    return ALL_DRUGS, "no mention of fentanyl or synthetic opioids"


def claimed_per_year(
    value: object, unit_base: str, period_end: str | None, claim_id: str = "?"
) -> tuple[float | None, str]:
    """(deaths per year, conversion text) for one stated figure; None for a blank figure."""
    if unit_base in PER_YEAR_UNITS:
        return (None if _missing(value) else float(value)), ""
    if unit_base in PER_DAY_UNITS:
        days = window_days(period_end) if period_end else 365
        source = f"days in the 12 months ending {_month_label(period_end)}" if period_end else "no period matched"
        conversion = f"per day x {days} ({source})"
        return (None if _missing(value) else float(value) * days), conversion
    raise MatchError(
        f"claim {claim_id}, field unit: base unit {unit_base!r} is not a deaths-per-year, per-12-months or per-day unit"
    )


# ---------------------------------------------------------------------------------------------
# CDC lookups


def _cdc_lookup(cdc_tidy: pd.DataFrame) -> dict[tuple[str, str], tuple[object, object]]:
    keys = {ALL_DRUGS, SYNTHETIC_OPIOIDS, *NAMED_INDICATORS.values()}
    rows = cdc_tidy[(cdc_tidy["jurisdiction"] == "US") & cdc_tidy["indicator"].isin(sorted(keys))]
    return {
        (str(indicator), str(period)): (reported, predicted)
        for indicator, period, reported, predicted in zip(
            rows["indicator"], rows["period_end"], rows["reported"], rows["predicted"], strict=True
        )
    }


def _ratio(claimed: float | None, cdc: object) -> object:
    if claimed is None or _missing(cdc) or int(cdc) == 0:
        return pd.NA
    return round(claimed / int(cdc), RATIO_DECIMALS)


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


# ---------------------------------------------------------------------------------------------
# Seaborne flow

#: unit base -> (measure key, what the figure measures)
FLOW_MEASURES = {
    "percent_reduction": ("claimed_flow_cut", "claimed cut in drugs arriving by sea"),
    "percent_of_year_earlier_level_remaining": (
        "claimed_flow_cut",
        "claimed cut in drugs arriving by sea, stated as the share of a year earlier remaining",
    ),
    "percent_drop_in_pounds_seized": (
        "seizure_weight",
        "drop in pounds of drugs seized (CBP Air and Marine Operations): seizures, not flow",
    ),
    "percent_reduction_in_drug_vessel_movement": (
        "vessel_movement",
        "drop in the movement of drug vessels (Pentagon): vessel trips, not drug volume",
    ),
}

FLOW_COLUMNS = [
    "claim_id",
    "date",
    "date_value",
    "speaker",
    "measure",
    "reduction_pct",
    "stated_value",
    "stated_wording",
    "repeat_of",
    "what_it_measures",
    "note",
    "source_url",
]
#: Words before a figure that make it a bound just under it ("almost 100%"): plotted as wording, not a point.
BOUND_WORDS = ("almost", "nearly")


@_located
def seaborne_flow_series(claims: pd.DataFrame) -> pd.DataFrame:
    """The seaborne-flow claims as one series: date, claimed reduction (percent), what it measures.

    ``reduction_pct`` is the stated percentage reduction; a figure stated as the share remaining
    ("5% of what they were a year ago") becomes 100 - share, and ``note`` says it is a lower bound
    when the quote says "less than". A figure said with "almost" or "nearly" (:data:`BOUND_WORDS`;
    "almost 100 percent") is a bound, not a value: ``reduction_pct`` stays empty and
    ``stated_wording`` keeps the words ("almost 100%"), so a chart shows the wording, never a point
    at 100. ``repeat_of`` names, for a claimed cut, the first claimed-cut row of the same occasion
    (same date and speaker): the ledger keeps one row per report, and a repeat is not a new statement
    (figures that measure something else, such as the Pentagon's two regional vessel counts, are
    separate figures, never repeats). Unquantified and undated rows are kept, with no value or no date. Rows whose unit
    is
    not in :data:`FLOW_MEASURES` raise :class:`MatchError`.
    """
    from . import qualifiers

    rows = []
    occasions: dict[tuple, str] = {}
    for claim in claims[claims["topic"] == FLOW_TOPIC].itertuples(index=False):
        if claim.unit_base not in FLOW_MEASURES:
            raise MatchError(f"claim {claim.claim_id}, field unit: no flow measure known for {claim.unit_base!r}")
        measure, meaning = FLOW_MEASURES[claim.unit_base]
        value = claim.value_low
        notes = []
        wording = ""
        if _missing(value):
            reduction = pd.NA
            notes.append(_text(claim.unit_qualifier) or "unquantified")
        elif claim.unit_base == "percent_of_year_earlier_level_remaining":
            reduction = 100.0 - float(value)
            notes.append(f"stated as {float(value):g}% remaining: a cut of {reduction:g}%")
            if "less than" in _text(claim.quote).lower():
                notes.append("'less than' in the quote: the cut is at least this")
        else:
            qualifier = qualifiers.read_qualifier(claim.quote, value, claim.value_high, claim.claim_id)
            if qualifier.words in BOUND_WORDS:
                reduction = pd.NA
                wording = f"{qualifier.words} {float(value):g}%"
                notes.append(f"stated as '{wording}': a bound, not a figure")
            else:
                reduction = float(value)
        if not _missing(claim.unit_qualifier) and not _missing(value) and not wording:
            notes.append(str(claim.unit_qualifier))
        repeat = ""
        if _missing(claim.date_value):
            notes.append("no date")
        elif measure == "claimed_flow_cut":
            key = (pd.Timestamp(claim.date_value), claim.speaker, measure)
            repeat = occasions.setdefault(key, claim.claim_id)
            if repeat == claim.claim_id:
                repeat = ""
            else:
                notes.append(f"same occasion as {repeat} (same day and speaker)")
        rows.append(
            {
                "claim_id": claim.claim_id,
                "date": _text(claim.date),
                "date_value": claim.date_value,
                "speaker": claim.speaker,
                "measure": measure,
                "reduction_pct": reduction,
                "stated_value": value,
                "stated_wording": wording,
                "repeat_of": repeat,
                "what_it_measures": meaning,
                "note": "; ".join(notes),
                "source_url": claim.source_url,
            }
        )
    out = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    out["reduction_pct"] = out["reduction_pct"].astype("Float64")
    out["stated_value"] = out["stated_value"].astype("Float64")
    out["date_value"] = pd.to_datetime(out["date_value"])
    return out


# ---------------------------------------------------------------------------------------------
# Peak and decline of a CDC series (for titles and prose; computed, never typed)


@dataclass(frozen=True)
class PeakDecline:
    """The peak of a 12 month-ending series and the change from it to the latest period."""

    indicator: str
    measure: str
    peak_period: str
    peak_value: int
    latest_period: str
    latest_value: int
    change: int  # latest - peak (negative = fall)
    change_pct: float  # 100 * change / peak, rounded to 1 decimal
    months_since_peak: int


def peak_and_decline(series: pd.Series, indicator: str, measure: str) -> PeakDecline:
    """Peak and change to the latest value of a Series indexed by ``period_end`` (missing values skipped
    for the peak, but the latest period must have a value: a gap is not bridged)."""
    clean = series.dropna()
    if clean.empty:
        raise ValueError(f"{indicator} {measure}: no values")
    latest_period = str(series.index.max())
    if pd.isna(series.loc[latest_period]):
        raise ValueError(f"{indicator} {measure}: the latest period {latest_period} has no value")
    peak_period = str(clean.idxmax())
    peak, latest = int(clean.max()), int(series.loc[latest_period])
    months = (pd.Period(latest_period, "M") - pd.Period(peak_period, "M")).n
    return PeakDecline(
        indicator,
        measure,
        peak_period,
        peak,
        latest_period,
        latest,
        latest - peak,
        round(100 * (latest - peak) / peak, 1),
        months,
    )


def campaign_timing_lines(series: pd.Series, first_strike: pd.Timestamp, measure: str = "predicted") -> list[str]:
    """Sentences placing a 12 month-ending series' peak against the first strike (notebook 04).

    Says how far the series had fallen by the last period before the strike's month, how many
    months the peak came before (or after) the strike, and whether the release holds any period
    ending in or after the strike's month: without one it cannot show any effect of the campaign.
    """
    trend = peak_and_decline(series, str(series.name or "series"), measure)
    strike_month = first_strike.strftime("%Y-%m")
    before = series[series.index < strike_month].dropna()
    lines = [f"Peak: {trend.peak_value:,} (12 months ending {trend.peak_period})."]
    if before.empty:
        lines.append("This release has no period before the first strike.")
    else:
        last = int(before.iloc[-1])
        lines[0] += (
            f" Last period in this release before the first strike: {before.index.max()}, {last:,} "
            f"({100 * (last - trend.peak_value) / trend.peak_value:+.1f}%)."
        )
    lead = (first_strike.to_period("M") - pd.Period(trend.peak_period, "M")).n
    months = f"{abs(lead)} month{'' if abs(lead) == 1 else 's'}"
    lines.append(
        f"The peak came {months} {'before' if lead >= 0 else 'after'} the first strike ({first_strike:%d %b %Y})."
    )
    after = series[series.index >= strike_month]
    if after.empty:
        lines.append(
            f"This release has no period after {trend.latest_period}, before the first strike, so it "
            "cannot show any effect of the campaign."
        )
    else:
        lines.append(
            f"This release has {len(after)} periods ending in or after the month of the first strike "
            f"({after.index.min()} to {after.index.max()})."
        )
    return lines


# ---------------------------------------------------------------------------------------------
# Findings table (notebook 04): every number traced to its file, rows and source

FINDINGS_COLUMNS = ["finding", "number", "data_file", "rows", "source", "topic", "sentence"]

#: What each finding is about (the ``topic`` column): the front page shows the claims' findings as
#: verdicts and the others (:data:`OTHER_FINDING_TOPICS`) as sentences.
FINDING_TOPICS = ("overdose deaths", "claims", "lives per boat", "seaborne flow", "strikes", "tallies", "revisions")
OTHER_FINDING_TOPICS = ("overdose deaths", "strikes", "tallies", "revisions")


def _month(period_end: str) -> str:
    return pd.Period(str(period_end), "M").strftime("%b %Y")


def _day(value) -> str:
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def _span(low: int, high: int) -> str:
    return f"{low:,}" if low == high else f"{low:,} to {high:,}"


def _count(number: int, one: str, many: str) -> str:
    """``2 claims are`` / ``1 claim is`` (``one`` / ``many``: the words after the number)."""
    return f"{number:,} {one if number == 1 else many}"


def _ids(values) -> str:
    values = list(values)
    return ", ".join(values) if len(values) <= 6 else f"{values[0]} ... {values[-1]} ({len(values)} rows)"


def findings_table(
    cdc_tidy: pd.DataFrame,
    comparison: pd.DataFrame,
    lives: pd.DataFrame,
    flow: pd.DataFrame,
    strikes: pd.DataFrame,
    reconciliation: pd.DataFrame,
    cdc_source_url: str,
    revisions_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The synthesis' findings, each with its number (computed here), data file, rows and source.

    ``comparison`` is the scored comparison (:func:`analysis.verdicts.scored_comparison`), ``lives``
    :func:`analysis.boats.lives_per_boat` output, ``flow`` :func:`seaborne_flow_series` output.
    ``revisions_table`` (:func:`analysis.revisions.first_published`, ``cdc_revisions.csv``) adds the
    revision finding: how far a provisional count moved from the earliest release held to the latest.
    """
    from . import cdc, reconcile

    cdc_file = "data/raw/cdc_vsrr.csv"
    overdose = peak_and_decline(cdc.deaths(cdc_tidy, ALL_DRUGS), ALL_DRUGS, "predicted")
    synthetic = peak_and_decline(cdc.deaths(cdc_tidy, SYNTHETIC_OPIOIDS), SYNTHETIC_OPIOIDS, "predicted")
    first = strikes.sort_values(["date", "strike_id"], kind="stable").iloc[0]
    lead = (pd.Period(first["date"], "M") - pd.Period(overdose.peak_period, "M")).n
    scored = comparison[(comparison["kind"] == "claim") & (comparison["verdict"] != "")]
    numeric = scored[scored["qualifier"] != "none"]
    over = numeric[numeric["verdict"] == "overstates"]
    extreme = over[over["headline_ratio_low"] >= 100]
    usual = over[over["headline_ratio_low"] < 100]
    outliers = "".join(
        f"; {row.claim_id}, kept as said: {row.headline_ratio_low:,.0f} times" for row in extreme.itertuples()
    )
    consistent = numeric[numeric["verdict"] == "consistent with CDC"]
    unchecked = scored[scored["verdict"] == "not checkable"]
    last_boat = lives.dropna(subset=["lives_implied_high"]).iloc[-1]
    claimed = flow[flow["measure"] == "claimed_flow_cut"].dropna(subset=["reduction_pct", "date_value"])
    claimed = claimed.sort_values("date_value", kind="stable")
    seizure = flow[flow["measure"] == "seizure_weight"]
    exact = reconciliation[(reconciliation["difference"] == 0) | (reconciliation["difference_presumed"] == 0)]
    killed, presumed = int(strikes["killed"].sum()), int(strikes["killed"].sum() + strikes["survivors_not_found"].sum())
    to_end = reconcile.to_end_text(strikes)
    excess = reconcile.above_upper_count(reconciliation)
    per_boat = (
        f"{last_boat['per_boat_low']:,.0f}"
        if last_boat["per_boat_low"] == last_boat["per_boat_high"]
        else (f"{last_boat['per_boat_low']:,.0f} to {last_boat['per_boat_high']:,.0f}")
    )
    tolerance = f"{float(scored['tolerance'].iloc[0]) * 100:g}%" if len(scored) else ""

    def times(value: float) -> str:
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    said = "; ".join(f"{row.claimed_low:,.0f} deaths a year" for row in extreme.itertuples())
    rows = [
        (
            f"All-drug overdose deaths peaked in the 12 months ending {overdose.peak_period} (predicted)",
            f"{overdose.peak_value:,}",
            cdc_file,
            f"all_drugs, {overdose.peak_period}",
            cdc_source_url,
            "overdose deaths",
            f"Overdose deaths peaked at {overdose.peak_value:,} in the 12 months ending {_month(overdose.peak_period)} "
            "(CDC's predicted count).",
        ),
        (
            f"... and had fallen by the 12 months ending {overdose.latest_period} (predicted)",
            f"{overdose.change_pct}% (to {overdose.latest_value:,})",
            cdc_file,
            f"all_drugs, {overdose.peak_period} and {overdose.latest_period}",
            cdc_source_url,
            "overdose deaths",
            f"By the 12 months ending {_month(overdose.latest_period)}, the latest period CDC's release holds, they "
            "had "
            f"fallen {abs(overdose.change_pct):.1f}%, to {overdose.latest_value:,}.",
        ),
        (
            "Deaths involving synthetic opioids other than methadone (T40.4), peak to latest (predicted)",
            f"{synthetic.peak_value:,} -> {synthetic.latest_value:,} ({synthetic.change_pct}%)",
            cdc_file,
            f"synthetic_opioids, {synthetic.peak_period} and {synthetic.latest_period}",
            cdc_source_url,
            "overdose deaths",
            "Deaths involving synthetic opioids other than methadone, the class reporting calls fentanyl deaths, fell "
            f"{abs(synthetic.change_pct):.1f}%, from {synthetic.peak_value:,} (12 months ending "
            f"{_month(synthetic.peak_period)}) to {synthetic.latest_value:,}.",
        ),
        (
            "Months from the overdose peak to the first boat strike",
            f"{lead}",
            f"{cdc_file}; data/raw/strikes.csv",
            f"all_drugs {overdose.peak_period}; {first['strike_id']}",
            first["source_url"],
            "overdose deaths",
            f"The peak came {lead} months before the first boat strike, on {_day(first['date'])}: the fall began "
            "before "
            "the campaign, and this CDC release ends before it."
            if pd.Period(overdose.latest_period, "M") < pd.Period(first["date"], "M")
            else f"The peak came {lead} months before the first boat strike, on {_day(first['date'])}.",
        ),
        (
            f"Per-year claims that overstate CDC's count by the published rule ({len(over)} of {len(numeric)} with a "
            f"number; tolerance {tolerance}), even against the CDC figure most generous to each",
            (
                f"at least {usual['headline_ratio_low'].min():.1f} to {usual['headline_ratio_low'].max():.1f} times"
                if len(usual)
                else "none"
            )
            + outliers,
            "data/processed/claims_vs_cdc.csv",
            _ids(over["claim_id"]),
            "source_url of each claims.csv row; CDC as above",
            "claims",
            f"{len(over)} of the {len(numeric)} claims of yearly overdose deaths with a number overstate CDC's count"
            + (
                f", by at least {usual['headline_ratio_low'].min():.1f} to {usual['headline_ratio_low'].max():.1f} "
                "times "
                "even against the CDC figure most generous to each"
                if len(usual)
                else ""
            )
            + (
                f" (one, {said}, by {times(extreme['headline_ratio_low'].min())} times)"
                if len(extreme) == 1
                else f" ({len(extreme)} by 100 times or more)"
                if len(extreme)
                else ""
            )
            + ".",
        ),
        (
            f"Per-year claims consistent with CDC ({len(consistent)}) and not checkable ({len(unchecked)})",
            f"{_ids(consistent['claim_id']) or 'none'} / {_ids(unchecked['claim_id']) or 'none'}",
            "data/processed/claims_vs_cdc.csv",
            "verdict column",
            "source_url of each claims.csv row",
            "claims",
            f"{_count(len(consistent), 'claim is', 'claims are')} consistent with CDC's count; "
            f"{_count(len(unchecked), 'gives', 'give')} no number or no figure CDC had published that day to check.",
        ),
        (
            f"If each boat destroyed saved {per_boat} lives, the {int(last_boat['vessels_by_date'])} boats destroyed "
            "by "
            f"{last_boat['date']} would have saved",
            f"{last_boat['lives_implied_high']:,.0f} ({last_boat['ratio_all_drugs_high']:.1f} x all overdose deaths "
            f"in the 12 months ending {last_boat['cdc_period_end']}; dose arithmetic, not a death count)",
            "data/raw/claims.csv; data/raw/strikes.csv; data/raw/cdc_releases.csv; " + cdc_file,
            f"{last_boat['claim_id']}; {int(last_boat['vessels_by_date'])} vessels announced by then; "
            f"{last_boat['tier']}",
            last_boat["source_url"],
            "lives per boat",
            f"If each boat destroyed saved {per_boat} lives, the {int(last_boat['vessels_by_date'])} boats destroyed "
            "by "
            f"{_day(last_boat['date'])} would have saved {last_boat['lives_implied_high']:,.0f}, "
            f"{last_boat['ratio_all_drugs_high']:.1f} times a year of overdose deaths (the 12 months ending "
            f"{_month(last_boat['cdc_period_end'])}): dose arithmetic, which death counts cannot test.",
        ),
        (
            "Claimed cut in seaborne drug flow, lowest and latest figure",
            f"{claimed['reduction_pct'].min():.0f}% to {claimed['reduction_pct'].iloc[-1]:.0f}%",
            "data/raw/claims.csv",
            _ids(claimed["claim_id"]),
            "source_url of each row",
            "seaborne flow",
            f"Officials put the cut in drugs arriving by sea at {claimed['reduction_pct'].min():.0f}% to "
            f"{claimed['reduction_pct'].max():.0f}% ({len(claimed)} dated statements); no public data measure that "
            "flow.",
        ),
        (
            "Evidence offered for the flow claim measures seizures, not flow",
            ", ".join(f"{value:.0f}%" for value in seizure["reduction_pct"]),
            "data/raw/claims.csv",
            _ids(seizure["claim_id"]),
            _ids(seizure["source_url"]),
            "seaborne flow",
            "The evidence the White House offered, a fall of "
            + " and ".join(f"{value:.0f}%" for value in seizure["reduction_pct"])
            + " in the weight of drugs seized, measures seizures, not flow.",
        ),
        (
            f"Deaths in the strike ledger {to_end}, at least: announced / with survivors never found",
            f"{killed} / {presumed}",
            "data/raw/strikes.csv",
            _ids(strikes["strike_id"]),
            "source_url of each row",
            "strikes",
            f"The strike ledger counts at least {killed:,} people killed in {len(strikes):,} announced strikes on "
            "boats "
            f"{to_end}, as the U.S. government announced them; {presumed:,} counting survivors reported never found.",
        ),
        (
            f"Published tallies {to_end} matching the ledger exactly (announced or presumed count)",
            f"{len(exact)} of {len(reconciliation)}",
            "data/raw/tallies.csv; data/raw/strikes.csv",
            "all tallies rows",
            "source_url of each tally",
            "tallies",
            f"{len(exact)} of the {len(reconciliation)} running tallies published by news outlets and officials "
            f"{to_end} "
            "match the ledger exactly, with or without the survivors never found.",
        ),
        (
            reconcile.upper_count_headline(reconciliation),
            "none"
            if excess is None
            else (
                f"+{excess.presumed_min} to +{excess.presumed_max} above the upper count; "
                f"+{excess.announced_min} to +{excess.announced_max} above deaths as announced"
            ),
            "data/raw/tallies.csv; data/raw/strikes.csv",
            "" if excess is None else f"{excess.tallies} tallies from {excess.first:%Y-%m-%d}",
            "source_url of each tally",
            "tallies",
            "The newest published tally is not above the ledger's count including survivors never found."
            if excess is None
            else f"From {_day(excess.first)} every published tally is higher than even the ledger's upper count, by "
            f"{_span(excess.presumed_min, excess.presumed_max)} deaths "
            f"({_span(excess.announced_min, excess.announced_max)} above the deaths as announced): the ledger misses "
            "strikes or survivors' deaths, so its totals are "
            "'at least' figures.",
        ),
    ]
    if revisions_table is not None:
        from . import revisions

        rows.append(
            (
                *revisions.finding_row(revisions_table, cdc_source_url),
                "revisions",
                revisions.finding_sentence(revisions_table),
            )
        )
    return pd.DataFrame(rows, columns=FINDINGS_COLUMNS)
