"""Claims against CDC: which CDC figure a claim is compared with, and the arithmetic of the claims.

Three comparisons, each a function returning a DataFrame:

* :func:`claims_vs_cdc` — every row of the claims ledger whose topic is overdose deaths per year,
  set against the CDC 12 month-ending count of the matching period (``data/processed/claims_vs_cdc.csv``);
* :func:`lives_per_boat` — the "each boat destroyed saves 25,000 lives" claims multiplied out by
  the vessels the strike ledger shows destroyed by the claim's date, against annual overdose deaths;
* :func:`seaborne_flow_series` — the "seaborne drug flow cut by 85 ... 97%" series, with what each
  figure actually measures.

Matching rules (:func:`match_period`, :func:`cdc_indicator_for`, :func:`claimed_per_year`)
-----------------------------------------------------------------------------------------
1. A claim whose ``period`` names a calendar year ("2023", "2024 ('last year')", "'this year' (2025)")
   is compared with the 12 months ending December of that year. "last year" / "this year" without
   a number are read against the claim's date. A period naming "12 months ending <Month> <YYYY>" is
   compared with that 12 month-ending period. Only the text before the first ``;`` names the
   period; what follows is the ledger's note (it may name other years or figures).
2. Otherwise the claim is compared with the latest 12 month-ending period CDC had published at the
   claim's date: a period ending in month *P* counts as published from the first day of month
   *P + lag + 1* (``publication_lag_months``, default 4: CDC publishes about 4 months after a period
   ends; the 12 months ending April 2025 appeared in September 2025). A month-only claim date is
   taken as the first of that month (the earliest it can be).
3. When the matched period is not in the CDC data (a named 2025 against a release that ends in
   April 2025, or a claim-date period past the release's end), the row says so in ``note`` and has
   no CDC figure and no ratio. Nothing falls back to another period.
4. A claim about fentanyl is compared with synthetic opioids (T40.4, broader than fentanyl alone);
   any other with all drugs. See :func:`cdc_indicator_for` for how "about fentanyl" is decided.
5. A per-day figure is multiplied by the number of days in the matched 12-month window (366 for
   2024) to give a per-year figure; ``conversion`` records it.
6. An unquantified claim ("hundreds of thousands") is listed without a ratio. Counter-figures
   (``CF`` rows) are reference points, not claims: they are matched to CDC but never get a ratio.
7. Ratios are claimed ÷ CDC *predicted* (``ratio_low`` from the low figure, ``ratio_high`` from the
   high one), rounded to 3 decimals. Absurd claims are not cleaned: C003's 300 million is kept.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass

import pandas as pd

from .ledgers import line_of

#: The required columns of ``data/processed/claims_vs_cdc.csv``, in order.
CLAIMS_VS_CDC_COLUMNS = [
    "claim_id",
    "date",
    "speaker",
    "topic",
    "claimed_low",
    "claimed_high",
    "cdc_period_end",
    "cdc_indicator",
    "cdc_reported",
    "cdc_predicted",
    "ratio_low",
    "ratio_high",
]
#: Explanatory columns written after the required ones.
CLAIMS_VS_CDC_EXTRA_COLUMNS = [
    "kind",
    "stated_low",
    "stated_high",
    "stated_unit",
    "conversion",
    "period",
    "match_rule",
    "indicator_reason",
    "note",
    "source_url",
]

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
_TWELVE_MONTHS = re.compile(
    r"12[ -]months? ending (?:in )?([A-Za-z]{3,9})\.? ([0-9]{4})", re.IGNORECASE
)
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
            raise MatchError(
                f"{where}: says {relative[0]!r} but names {year}; the claim's date gives {relative[1]}"
            )
        return PeriodMatch(f"{year:04d}-12", "named_year", f"names calendar year {year} (12 months ending Dec {year})")
    if relative is not None:
        if relative[1] is None:
            return PeriodMatch(None, "unmatched", f"says {relative[0]!r} but the claim has no date")
        year = relative[1]
        return PeriodMatch(
            f"{year:04d}-12", "named_year", f"says {relative[0]!r}: calendar year {year} from the claim's date"
        )
    return None


def latest_published_period(claim_date: object, publication_lag_months: int = 4) -> str:
    """The latest 12 month-ending period CDC had published at ``claim_date`` (``YYYY-MM``).

    A period ending in month P counts as published from the first day of month P + lag + 1.
    """
    if publication_lag_months < 0:
        raise ValueError(f"publication_lag_months must be >= 0, got {publication_lag_months}")
    month = pd.Timestamp(claim_date).to_period("M")
    return str(month - (publication_lag_months + 1))


def match_period(
    period_text: object,
    claim_date: object,
    date_precision: str | None = "day",
    publication_lag_months: int = 4,
    claim_id: str = "?",
) -> PeriodMatch:
    """The CDC period a claim is compared with (rules 1 and 2 of the module docstring)."""
    named = named_period(period_text, claim_date, claim_id)
    if named is not None:
        return named
    if _missing(claim_date):
        return PeriodMatch(None, "unmatched", "no named period and no date: cannot be matched to a CDC period")
    period_end = latest_published_period(claim_date, publication_lag_months)
    how = f"latest 12 month-ending period published at the claim's date ({publication_lag_months}-month lag)"
    if date_precision == "month":
        how += "; month-only date taken as the first of the month"
    return PeriodMatch(period_end, "published_at_claim_date", how)


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
            raise MatchError(
                f"period note names indicator {named.group(1)!r}; known: {', '.join(NAMED_INDICATORS)}"
            )
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
        f"claim {claim_id}, field unit: base unit {unit_base!r} is not a deaths-per-year, "
        f"per-12-months or per-day unit"
    )


# ---------------------------------------------------------------------------------------------
# Claims vs CDC


def _cdc_lookup(cdc_tidy: pd.DataFrame) -> dict[tuple[str, str], tuple[object, object]]:
    keys = {ALL_DRUGS, SYNTHETIC_OPIOIDS, *NAMED_INDICATORS.values()}
    rows = cdc_tidy[(cdc_tidy["jurisdiction"] == "US") & cdc_tidy["indicator"].isin(sorted(keys))]
    return {
        (str(indicator), str(period)): (reported, predicted)
        for indicator, period, reported, predicted in zip(
            rows["indicator"], rows["period_end"], rows["reported"], rows["predicted"]
        )
    }


def _ratio(claimed: float | None, cdc: object) -> object:
    if claimed is None or _missing(cdc) or int(cdc) == 0:
        return pd.NA
    return round(claimed / int(cdc), RATIO_DECIMALS)


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


@_located
def claims_vs_cdc(claims: pd.DataFrame, cdc_tidy: pd.DataFrame, publication_lag_months: int = 4) -> pd.DataFrame:
    """Every overdose-deaths-per-year row of the claims ledger against CDC's matching figure.

    ``claims`` is :func:`analysis.ledgers.load_claims` output (needs ``claim_id, date, date_value,
    date_precision, speaker, topic, quote, value_low, value_high, unit_base, unit_qualifier,
    quantified, period, kind, source_url``); ``cdc_tidy`` the tidy CDC table. Returns the columns
    :data:`CLAIMS_VS_CDC_COLUMNS` then :data:`CLAIMS_VS_CDC_EXTRA_COLUMNS`, one row per ledger row,
    in ledger order.
    """
    lookup = _cdc_lookup(cdc_tidy)
    periods = cdc_tidy.loc[cdc_tidy["indicator"] == ALL_DRUGS, "period_end"]
    latest = str(periods.max()) if len(periods) else "none"
    rows = []
    for claim in claims[claims["topic"] == OVERDOSE_TOPIC].itertuples(index=False):
        match = match_period(
            claim.period, claim.date_value, claim.date_precision, publication_lag_months, claim.claim_id
        )
        indicator, reason = cdc_indicator_for(claim.unit_qualifier, claim.period, claim.quote)
        low, conversion = claimed_per_year(claim.value_low, claim.unit_base, match.period_end, claim.claim_id)
        high, _ = claimed_per_year(claim.value_high, claim.unit_base, match.period_end, claim.claim_id)
        notes = [match.explanation]
        reported = predicted = pd.NA
        if match.period_end is not None:
            if (indicator, match.period_end) in lookup:
                reported, predicted = lookup[(indicator, match.period_end)]
            else:
                notes.append(
                    f"12 months ending {_month_label(match.period_end)} is not in this CDC release "
                    f"(latest period: {latest}): no CDC figure, no ratio"
                )
        counter = claim.kind == "counter_figure"
        if counter:
            notes.append("counter-figure: a reference point, not a claim; never given a ratio")
        if not claim.quantified:
            notes.append(f"{_text(claim.unit_qualifier) or 'unquantified'}: listed without a ratio")
        no_ratio = counter or not claim.quantified
        rows.append(
            {
                "claim_id": claim.claim_id,
                "date": _text(claim.date),
                "speaker": claim.speaker,
                "topic": claim.topic,
                "claimed_low": pd.NA if low is None else low,
                "claimed_high": pd.NA if high is None else high,
                "cdc_period_end": match.period_end or "",
                "cdc_indicator": indicator,
                "cdc_reported": reported,
                "cdc_predicted": predicted,
                "ratio_low": pd.NA if no_ratio else _ratio(low, predicted),
                "ratio_high": pd.NA if no_ratio else _ratio(high, predicted),
                "kind": claim.kind,
                "stated_low": claim.value_low,
                "stated_high": claim.value_high,
                "stated_unit": claim.unit_base,
                "conversion": conversion,
                "period": _text(claim.period),
                "match_rule": match.rule,
                "indicator_reason": reason,
                "note": "; ".join(notes),
                "source_url": claim.source_url,
            }
        )
    out = pd.DataFrame(rows, columns=CLAIMS_VS_CDC_COLUMNS + CLAIMS_VS_CDC_EXTRA_COLUMNS)
    for column in ("claimed_low", "claimed_high", "stated_low", "stated_high", "ratio_low", "ratio_high"):
        out[column] = out[column].astype("Float64")
    for column in ("cdc_reported", "cdc_predicted"):
        out[column] = out[column].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------------
# Lives per boat

LIVES_PER_BOAT_COLUMNS = [
    "claim_id",
    "date",
    "speaker",
    "per_boat_low",
    "per_boat_high",
    "strikes_by_date",
    "vessels_by_date",
    "lives_implied_low",
    "lives_implied_high",
    "cdc_period_end",
    "all_drugs_predicted",
    "synthetic_opioids_predicted",
    "ratio_all_drugs_low",
    "ratio_all_drugs_high",
    "ratio_synthetic_low",
    "ratio_synthetic_high",
    "note",
    "source_url",
]


def vessels_announced_by(strikes: pd.DataFrame, when: object) -> tuple[int, int]:
    """(strike rows, vessels) of the strike ledger announced on or before ``when``.

    The ledger's ``announced_date`` is used: a speaker can only count strikes already made public.
    """
    announced = pd.to_datetime(strikes["announced_date"], format="%Y-%m-%d")
    mask = announced <= pd.Timestamp(when)
    vessels = strikes.loc[mask, "vessels"]
    if vessels.isna().any():
        raise MatchError("strike ledger: a row announced by the claim's date has a blank vessels count")
    return int(mask.sum()), int(vessels.sum())


@_located
def lives_per_boat(
    claims: pd.DataFrame,
    strikes: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    publication_lag_months: int = 4,
) -> pd.DataFrame:
    """The "each boat saves 25,000 lives" claims, multiplied out, against annual overdose deaths.

    For each ``lives_saved_per_boat`` claim: lives implied = claimed lives per boat x vessels the
    strike ledger shows announced destroyed by the claim's date; set against CDC's predicted
    12 month-ending deaths (all drugs, and synthetic opioids) for the latest period published at
    the claim's date. This is a comparison of scale, so when that period lies past the end of the
    CDC release, the release's latest period is used and ``note`` says so. A claim with no date gets
    no vessel count and no ratio.
    """
    lookup = _cdc_lookup(cdc_tidy)
    periods = cdc_tidy.loc[cdc_tidy["indicator"] == ALL_DRUGS, "period_end"]
    latest = str(periods.max())
    rows = []
    for claim in claims[claims["topic"] == PER_BOAT_TOPIC].itertuples(index=False):
        if claim.unit_base != "lives_per_boat":
            raise MatchError(f"claim {claim.claim_id}, field unit: expected lives_per_boat, got {claim.unit_base!r}")
        row = {column: pd.NA for column in LIVES_PER_BOAT_COLUMNS}
        row.update(claim_id=claim.claim_id, date=_text(claim.date), speaker=claim.speaker,
                   per_boat_low=claim.value_low, per_boat_high=claim.value_high, source_url=claim.source_url)
        if _missing(claim.date_value):
            row["note"] = "no date: vessels destroyed by the claim's date cannot be counted"
            rows.append(row)
            continue
        strikes_by, vessels_by = vessels_announced_by(strikes, claim.date_value)
        wanted = latest_published_period(claim.date_value, publication_lag_months)
        period = min(wanted, latest)
        note = f"strikes announced by {_text(claim.date)}; CDC 12 months ending {_month_label(period)}"
        if wanted > latest:
            note += f" (latest in this release; 12 months ending {_month_label(wanted)} was published by the claim's date)"
        all_drugs = lookup[(ALL_DRUGS, period)][1]
        synthetic = lookup[(SYNTHETIC_OPIOIDS, period)][1]
        low = None if _missing(claim.value_low) else float(claim.value_low) * vessels_by
        high = None if _missing(claim.value_high) else float(claim.value_high) * vessels_by
        row.update(
            strikes_by_date=strikes_by, vessels_by_date=vessels_by,
            lives_implied_low=low, lives_implied_high=high, cdc_period_end=period,
            all_drugs_predicted=all_drugs, synthetic_opioids_predicted=synthetic,
            ratio_all_drugs_low=_ratio(low, all_drugs), ratio_all_drugs_high=_ratio(high, all_drugs),
            ratio_synthetic_low=_ratio(low, synthetic), ratio_synthetic_high=_ratio(high, synthetic),
            note=note,
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=LIVES_PER_BOAT_COLUMNS)
    for column in ("per_boat_low", "per_boat_high", "lives_implied_low", "lives_implied_high",
                   "ratio_all_drugs_low", "ratio_all_drugs_high", "ratio_synthetic_low", "ratio_synthetic_high"):
        out[column] = out[column].astype("Float64")
    for column in ("strikes_by_date", "vessels_by_date", "all_drugs_predicted", "synthetic_opioids_predicted"):
        out[column] = out[column].astype("Int64")
    return out


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
    "claim_id", "date", "date_value", "speaker", "measure", "reduction_pct", "stated_value",
    "what_it_measures", "note", "source_url",
]


@_located
def seaborne_flow_series(claims: pd.DataFrame) -> pd.DataFrame:
    """The seaborne-flow claims as one series: date, claimed reduction (percent), what it measures.

    ``reduction_pct`` is the stated percentage reduction; a figure stated as the share remaining
    ("5% of what they were a year ago") becomes 100 - share, and ``note`` says it is a lower bound
    when the quote says "less than". Unquantified rows and undated rows are kept, with no value or
    no date. Rows whose unit is not in :data:`FLOW_MEASURES` raise :class:`MatchError`.
    """
    rows = []
    for claim in claims[claims["topic"] == FLOW_TOPIC].itertuples(index=False):
        if claim.unit_base not in FLOW_MEASURES:
            raise MatchError(f"claim {claim.claim_id}, field unit: no flow measure known for {claim.unit_base!r}")
        measure, meaning = FLOW_MEASURES[claim.unit_base]
        value = claim.value_low
        notes = []
        if _missing(value):
            reduction = pd.NA
            notes.append(_text(claim.unit_qualifier) or "unquantified")
        elif claim.unit_base == "percent_of_year_earlier_level_remaining":
            reduction = 100.0 - float(value)
            notes.append(f"stated as {float(value):g}% remaining: a cut of {reduction:g}%")
            if "less than" in _text(claim.quote).lower():
                notes.append("'less than' in the quote: the cut is at least this")
        else:
            reduction = float(value)
        if not _missing(claim.unit_qualifier) and not _missing(value):
            notes.append(str(claim.unit_qualifier))
        if _missing(claim.date_value):
            notes.append("no date")
        rows.append(
            {
                "claim_id": claim.claim_id, "date": _text(claim.date), "date_value": claim.date_value,
                "speaker": claim.speaker, "measure": measure, "reduction_pct": reduction,
                "stated_value": value, "what_it_measures": meaning, "note": "; ".join(notes),
                "source_url": claim.source_url,
            }
        )
    out = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    out["reduction_pct"] = out["reduction_pct"].astype("Float64")
    out["stated_value"] = out["stated_value"].astype("Float64")
    out["date_value"] = pd.to_datetime(out["date_value"])
    return out


# ---------------------------------------------------------------------------------------------
# A labelled secondary comparison for claims whose period is past the release

AGAINST_LATEST_COLUMNS = [
    "claim_id", "date", "claimed_low", "claimed_high", "cdc_indicator", "matched_period_end",
    "latest_period_end", "latest_predicted", "ratio_low_vs_latest", "ratio_high_vs_latest",
]


def against_latest_period(comparison: pd.DataFrame, cdc_tidy: pd.DataFrame) -> pd.DataFrame:
    """Claims left without a CDC figure because their claim-date period is past the release's end,
    set against the release's latest 12 month-ending period instead.

    This is a second, clearly labelled comparison, never written into :func:`claims_vs_cdc`'s ratio
    columns. Only quantified claims (not counter-figures) matched by the claim-date rule qualify; a
    claim naming a year that is not in the release (2025) is not compared with another period.
    Since a later period can only be published later, the latest period in the release is the
    newest figure the data holds for what the speaker could have known.
    """
    lookup = _cdc_lookup(cdc_tidy)
    latest = str(cdc_tidy.loc[cdc_tidy["indicator"] == ALL_DRUGS, "period_end"].max())
    wanted = comparison[
        (comparison["kind"] == "claim")
        & (comparison["match_rule"] == "published_at_claim_date")
        & comparison["cdc_predicted"].isna()
        & comparison["claimed_low"].notna()
        & (comparison["cdc_period_end"] > latest)
    ]
    rows = []
    for row in wanted.itertuples(index=False):
        predicted = lookup[(row.cdc_indicator, latest)][1]
        rows.append(
            {
                "claim_id": row.claim_id, "date": row.date, "claimed_low": row.claimed_low,
                "claimed_high": row.claimed_high, "cdc_indicator": row.cdc_indicator,
                "matched_period_end": row.cdc_period_end, "latest_period_end": latest,
                "latest_predicted": predicted,
                "ratio_low_vs_latest": _ratio(float(row.claimed_low), predicted),
                "ratio_high_vs_latest": _ratio(float(row.claimed_high), predicted),
            }
        )
    out = pd.DataFrame(rows, columns=AGAINST_LATEST_COLUMNS)
    for column in ("claimed_low", "claimed_high", "ratio_low_vs_latest", "ratio_high_vs_latest"):
        out[column] = out[column].astype("Float64")
    out["latest_predicted"] = out["latest_predicted"].astype("Int64")
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
        indicator, measure, peak_period, peak, latest_period, latest, latest - peak,
        round(100 * (latest - peak) / peak, 1), months,
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
        lines[0] += (f" Last period in this release before the first strike: {before.index.max()}, {last:,} "
                     f"({100 * (last - trend.peak_value) / trend.peak_value:+.1f}%).")
    lead = (first_strike.to_period("M") - pd.Period(trend.peak_period, "M")).n
    months = f"{abs(lead)} month{'' if abs(lead) == 1 else 's'}"
    lines.append(f"The peak came {months} {'before' if lead >= 0 else 'after'} the first strike "
                 f"({first_strike:%d %b %Y}).")
    after = series[series.index >= strike_month]
    if after.empty:
        lines.append(f"This release has no period after {trend.latest_period}, before the first strike, so it "
                     "cannot show any effect of the campaign.")
    else:
        lines.append(f"This release has {len(after)} periods ending in or after the month of the first strike "
                     f"({after.index.min()} to {after.index.max()}).")
    return lines


# ---------------------------------------------------------------------------------------------
# Findings table (notebook 04): every number traced to its file, rows and source

FINDINGS_COLUMNS = ["finding", "number", "data_file", "rows", "source"]


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

    ``revisions_table`` (:func:`analysis.revisions.first_published`, ``cdc_revisions.csv``) adds the
    revision finding: how far a provisional count moved from the earliest release held to the latest.
    """
    from . import cdc, reconcile

    cdc_file = "data/raw/cdc_vsrr.csv"
    overdose = peak_and_decline(cdc.deaths(cdc_tidy, ALL_DRUGS), ALL_DRUGS, "predicted")
    synthetic = peak_and_decline(cdc.deaths(cdc_tidy, SYNTHETIC_OPIOIDS), SYNTHETIC_OPIOIDS, "predicted")
    first = strikes.sort_values(["date", "strike_id"], kind="stable").iloc[0]
    lead = (pd.Period(first["date"], "M") - pd.Period(overdose.peak_period, "M")).n
    rated = comparison[comparison["ratio_low"].notna()]
    big = rated[rated["ratio_low"] > 1.5]
    extreme = big[big["ratio_low"] >= 100]
    usual = big[big["ratio_low"] < 100]
    outliers = "".join(f"; {row.claim_id}: {row.ratio_low:,.0f} times" for row in extreme.itertuples())
    last_boat = lives.dropna(subset=["lives_implied_high"]).iloc[-1]
    claimed = flow[flow["measure"] == "claimed_flow_cut"].dropna(subset=["reduction_pct", "date_value"])
    claimed = claimed.sort_values("date_value", kind="stable")
    seizure = flow[flow["measure"] == "seizure_weight"]
    exact = reconciliation[(reconciliation["difference"] == 0) | (reconciliation["difference_presumed"] == 0)]
    killed, presumed = int(strikes["killed"].sum()), int(strikes["killed"].sum() + strikes["survivors_not_found"].sum())
    to_end = reconcile.to_end_text(strikes)
    rows = [
        (f"All-drug overdose deaths peaked in the 12 months ending {overdose.peak_period} (predicted)",
         f"{overdose.peak_value:,}", cdc_file, f"all_drugs, {overdose.peak_period}", cdc_source_url),
        (f"... and had fallen by the 12 months ending {overdose.latest_period} (predicted)",
         f"{overdose.change_pct}% (to {overdose.latest_value:,})", cdc_file,
         f"all_drugs, {overdose.peak_period} and {overdose.latest_period}", cdc_source_url),
        ("Synthetic-opioid (T40.4) deaths, peak to latest (predicted)",
         f"{synthetic.peak_value:,} -> {synthetic.latest_value:,} ({synthetic.change_pct}%)", cdc_file,
         f"synthetic_opioids, {synthetic.peak_period} and {synthetic.latest_period}", cdc_source_url),
        ("Months from the overdose peak to the first boat strike", f"{lead}",
         f"{cdc_file}; data/raw/strikes.csv", f"all_drugs {overdose.peak_period}; {first['strike_id']}", first["source_url"]),
        (f"Claims set against CDC that overstate its count by more than half ({len(big)} of {len(rated)})",
         f"{usual['ratio_low'].min():.1f} to {usual['ratio_high'].max():.1f} times{outliers}", "data/processed/claims_vs_cdc.csv",
         _ids(big["claim_id"]), "source_url of each claims.csv row; CDC as above"),
        (f"Lives implied by '25,000 per boat' x vessels destroyed, by {last_boat['date']}",
         f"{last_boat['lives_implied_high']:,.0f} ({last_boat['ratio_all_drugs_high']:.0f} x a year's overdose deaths)",
         "data/raw/claims.csv; data/raw/strikes.csv; " + cdc_file,
         f"{last_boat['claim_id']}; {int(last_boat['vessels_by_date'])} vessels announced by then; all_drugs {last_boat['cdc_period_end']}",
         last_boat["source_url"]),
        ("Claimed cut in seaborne drug flow, lowest and latest figure",
         f"{claimed['reduction_pct'].min():.0f}% to {claimed['reduction_pct'].iloc[-1]:.0f}%", "data/raw/claims.csv",
         _ids(claimed["claim_id"]), "source_url of each row"),
        ("Evidence offered for the flow claim measures seizures, not flow",
         ", ".join(f"{value:.0f}%" for value in seizure["reduction_pct"]), "data/raw/claims.csv",
         _ids(seizure["claim_id"]), _ids(seizure["source_url"])),
        (f"Deaths in the strike ledger {to_end}: announced / with survivors never found", f"{killed} / {presumed}",
         "data/raw/strikes.csv", _ids(strikes["strike_id"]), "source_url of each row"),
        (f"Published tallies {to_end} matching the ledger exactly (announced or presumed count)",
         f"{len(exact)} of {len(reconciliation)}", "data/raw/tallies.csv; data/raw/strikes.csv",
         "all tallies rows", "source_url of each tally"),
        (f"Overdose deaths in 12 months ending {overdose.latest_period} per strike death (presumed)",
         f"{overdose.latest_value / presumed:,.0f}", f"{cdc_file}; data/raw/strikes.csv",
         f"all_drugs {overdose.latest_period}; all strike rows", cdc_source_url),
    ]
    if revisions_table is not None:
        from . import revisions

        rows.append(revisions.finding_row(revisions_table, cdc_source_url))
    return pd.DataFrame(rows, columns=FINDINGS_COLUMNS)
