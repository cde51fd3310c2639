"""Which CDC figure a claim is set against: CDC's release calendar, the matched period, the tier.

A fact-checker compares a claim with what CDC had published on the day it was made. The release
calendar (``data/raw/cdc_releases.csv``, :mod:`analysis.releases`) says which 12 month-ending
period that was: CDC publishes on the second Wednesday of the month, five months after the period
ends, and published nothing from October to December 2025.

Rules (each a function below, tested on every claims-ledger row it applies to)
------------------------------------------------------------------------------
1. **Period** (:func:`match_claim`). A claim whose ``period`` names a calendar year or a
   12 month-ending period keeps it (:func:`analysis.compare.named_period`). A claim naming several
   years ("over the last 5-6 years") is compared with the **average** of the last N calendar years
   CDC had published at the claim's date (the first N the text gives; a longer window it also gives
   is a sensitivity row). Any other claim is compared with the **latest period of the latest release
   dated on or before the claim's date**. A ``schedule`` release is an assumption and the
   explanation says so; a month-only date counts from the first of the month.
2. **Published by the claim's date**. A named period CDC had not yet published at the claim's date
   (a "this year (2025)" said in December 2025) gets no comparison: the row says so, and the later
   figure is shown only as a labelled sensitivity row (:mod:`analysis.sensitivity`).
3. **Tier** (:func:`matched_figure`): ``snapshot`` when the matched period is in the project's CDC
   snapshot; ``quoted release`` when it lies beyond the snapshot and a counter-figure quotes that
   release (:func:`quoted_figures`: CF06, CF15-CF19); ``none`` otherwise, with the reason. The two are
   never mixed silently: every figure carries its tier and its text names product and release.
4. **Drug class** (:func:`claim_class`): a claim whose quote (or unit) names fentanyl or synthetic
   opioids is compared with synthetic opioids other than methadone (T40.4); any other claim with all
   drug overdose deaths, and where the ledger's ``period`` field suggests fentanyl, both classes are
   shown. Counter-figures keep the class their ledger note names (:func:`analysis.compare.cdc_indicator_for`).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import pandas as pd

from . import compare, qualifiers
from .releases import Published, latest_published

SNAPSHOT = "snapshot"
QUOTED = "quoted release"
NO_TIER = "none"
#: Where a compared CDC figure comes from (the ``tier`` column).
TIERS = (SNAPSHOT, QUOTED, NO_TIER)

NAMED_YEAR = "named_year"
NAMED_12_MONTHS = "named_12_months"
NAMED_YEARS = "named_years"
RELEASE_AT_CLAIM_DATE = "release_at_claim_date"
UNMATCHED = "unmatched"
RULES = (NAMED_YEAR, NAMED_12_MONTHS, NAMED_YEARS, RELEASE_AT_CLAIM_DATE, UNMATCHED)

ALL_DRUGS = compare.ALL_DRUGS
SYNTHETIC_OPIOIDS = compare.SYNTHETIC_OPIOIDS
#: CDC's own names of the classes a claim can be set against.
CLASS_NAMES = {
    ALL_DRUGS: "all drug overdose deaths",
    SYNTHETIC_OPIOIDS: "synthetic opioids other than methadone (T40.4)",
    "cocaine": "cocaine (T40.5)",
    "psychostimulants": "psychostimulants with abuse potential (T43.6)",
}
#: The same classes as deaths, for sentences ("81,711 all drug overdose deaths in ...").
CLASS_DEATHS = {
    ALL_DRUGS: "all drug overdose deaths",
    SYNTHETIC_OPIOIDS: "deaths involving synthetic opioids other than methadone (T40.4)",
    "cocaine": "deaths involving cocaine (T40.5)",
    "psychostimulants": "deaths involving psychostimulants with abuse potential (T43.6)",
}

_SEVERAL_YEARS = re.compile(r"\blast\s+(\d+)(?:\s*(?:-|–|to|or)\s*(\d+))?\s+years\b", re.IGNORECASE)
_FENTANYL = compare._FENTANYL


class MatchError(compare.MatchError):
    """A claim cannot be matched by these rules; the message names the claim and field."""


def _missing(value: object) -> bool:
    return compare._missing(value)


def month_words(period_end: str) -> str:
    """``2025-04`` -> ``Apr 2025``."""
    return pd.Period(period_end, "M").strftime("%b %Y")


def day_words(day: object) -> str:
    """A date as readers see it: ``14 Jan 2026``."""
    day = pd.Timestamp(day)
    return f"{day.day} {day:%b %Y}"


def release_words(release: Published | None) -> str:
    """``release of 10 Sep 2025``, and ``release of 8 Jan 2025, assumed from CDC's regular schedule``
    for a schedule row (its date and period are an assumption); ``this project's snapshot`` for a
    snapshot whose release the calendar does not list."""
    if release is None:
        return "this project's snapshot"
    text = f"release of {day_words(release.release_date)}"
    return text + ", assumed from CDC's regular schedule" if release.assumed else text


# ---------------------------------------------------------------------------------------------
# The calendar


def first_published(releases: pd.DataFrame, period_end: str) -> Published | None:
    """The first release whose latest period is ``period_end`` or later, or None when the calendar
    has none (the period is beyond it). A period older than the calendar's first row was published
    on or before that row's release, which is what this returns for it."""
    published = releases[(releases["basis"] != "none") & (releases["latest_period"] >= period_end)]
    if published.empty:
        return None
    row = published.iloc[0]
    return Published(
        period=str(row["latest_period"]),
        release_month=str(row["release_month"]),
        release_date=row["release_date"].date(),
        basis=str(row["basis"]),
    )


def release_at(releases: pd.DataFrame, day: object) -> Published | None:
    """What CDC had out on ``day`` (None for a missing day or a day before the calendar)."""
    if _missing(day):
        return None
    return latest_published(releases, day)


def snapshot_release(releases: pd.DataFrame, snapshot_latest: str) -> Published | None:
    """The calendar's release that carried the snapshot's latest period (release 2025-09), or None when
    the calendar lists none (a newer snapshot than the calendar knows: figures then say "this
    project's snapshot")."""
    release = first_published(releases, snapshot_latest)
    if release is None or release.period != snapshot_latest:
        return None
    return release


def snapshot_latest_period(cdc_tidy: pd.DataFrame) -> str:
    """The snapshot's latest 12 month-ending period for all drug overdose deaths."""
    periods = cdc_tidy.loc[cdc_tidy["indicator"] == ALL_DRUGS, "period_end"]
    if periods.empty:
        raise MatchError("the CDC table has no all-drug rows")
    return str(periods.max())


# ---------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Match:
    """The CDC period a claim is set against, by which rule, and what CDC had out that day."""

    period_end: str | None  # YYYY-MM; for named_years the December of the last year averaged
    rule: str  # one of RULES
    explanation: str
    release: Published | None = None  # the latest release on or before the claim's date
    published_by_claim_date: bool | None = None  # None: the claim has no date
    years: tuple[int, ...] = ()  # named_years: the calendar years averaged
    other_years: tuple[int, ...] = ()  # named_years: a longer window the text also gives

    @property
    def years_text(self) -> str:
        return f"{self.years[0]}-{self.years[-1]}" if self.years else ""


def several_years(period_text: object) -> tuple[int, ...]:
    """The year counts of "over the last 5-6 years" (``(5, 6)``), or ``()``. Only the text before the
    first ``;`` is read."""
    if _missing(period_text):
        return ()
    found = _SEVERAL_YEARS.search(str(period_text).split(";", 1)[0])
    if not found:
        return ()
    counts = [int(found.group(1))] + ([int(found.group(2))] if found.group(2) else [])
    return tuple(sorted(set(counts)))


def _last_full_year(release: Published) -> int:
    period = pd.Period(release.period, "M")
    return period.year if period.month == 12 else period.year - 1


def match_claim(
    period_text: object,
    claim_date: object,
    releases: pd.DataFrame,
    claim_id: str = "?",
    date_precision: str | None = "day",
    check_published: bool = True,
) -> Match:
    """Rules 1 and 2 of the module docstring for one claims-ledger row.

    ``check_published=False`` (counter-figures: reference points, matched to their own period)
    leaves ``published_by_claim_date`` unset for a named period.
    """
    release = release_at(releases, claim_date)
    month_only = "; a month-only date counts from the first of the month" if date_precision == "month" else ""
    counts = several_years(period_text)
    if counts:
        if release is None:
            return Match(None, UNMATCHED, "names several years but has no date to count them back from")
        last = _last_full_year(release)
        years = tuple(range(last - counts[0] + 1, last + 1))
        other = tuple(range(last - counts[-1] + 1, last + 1)) if counts[-1] != counts[0] else ()
        explanation = (
            f"names the last {counts[0]}"
            + (f" or {counts[-1]}" if other else "")
            + f" years: the average of calendar years {years[0]}-{years[-1]}, the last {counts[0]} "
            f"CDC had published by the claim's date ({release_words(release)}){month_only}"
        )
        return Match(f"{last}-12", NAMED_YEARS, explanation, release, True, years, other)
    named = compare.named_period(period_text, claim_date, claim_id)
    if named is not None:
        if named.period_end is None:
            return Match(None, UNMATCHED, named.explanation, release)
        first = first_published(releases, named.period_end)
        if _missing(claim_date) or not check_published:
            published = None
        else:
            published = first is not None and pd.Timestamp(first.release_date) <= pd.Timestamp(claim_date)
        explanation = named.explanation
        if published is False:
            when = f"first published in the {release_words(first)}" if first else "not yet in the release calendar"
            explanation += (
                f"; CDC had not published it by the claim's date ({when}): no comparison with it, "
                "and nothing else is substituted"
            )
        return Match(named.period_end, named.rule, explanation, release, published)
    if release is None:
        reason = (
            "no period named and no date"
            if _missing(claim_date)
            else "no period named and no release on or before the claim's date in the calendar"
        )
        return Match(None, UNMATCHED, reason)
    explanation = (
        f"no period named: the latest period of the latest CDC release on or before the claim's date, "
        f"the 12 months ending {month_words(release.period)} ({release_words(release)}){month_only}"
    )
    return Match(release.period, RELEASE_AT_CLAIM_DATE, explanation, release, True)


# ---------------------------------------------------------------------------------------------
# Drug class


@dataclass(frozen=True)
class ClassReading:
    """The CDC class a row is set against, why, and whether both classes must be shown."""

    indicator: str
    reason: str
    period_suggests_fentanyl: bool = False
    names_fentanyl: bool = False

    @property
    def fentanyl_reading(self) -> bool:
        """True when the claim can be read as about fentanyl (its words or the ledger's period field)."""
        return self.names_fentanyl or self.period_suggests_fentanyl


def claim_class(kind: str, unit_qualifier: object, period_text: object, quote: object) -> ClassReading:
    """Rule 4 of the module docstring."""
    if kind == "counter_figure":
        indicator, reason = compare.cdc_indicator_for(unit_qualifier, period_text, quote)
        return ClassReading(indicator, reason, names_fentanyl=indicator == SYNTHETIC_OPIOIDS)
    main = "" if _missing(period_text) else str(period_text).split(";", 1)[0]
    suggests = bool(_FENTANYL.search(main))
    qualifier = "" if _missing(unit_qualifier) else str(unit_qualifier)
    if _FENTANYL.search("" if _missing(quote) else str(quote)) or _FENTANYL.search(qualifier):
        return ClassReading(SYNTHETIC_OPIOIDS, "the quote names fentanyl or synthetic opioids", suggests, True)
    reason = "the quote does not name fentanyl or synthetic opioids: all drug overdose deaths"
    if suggests:
        reason += "; the ledger's period field suggests fentanyl, so synthetic opioids are shown too"
    return ClassReading(ALL_DRUGS, reason, suggests, False)


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class CdcFigure:
    """One CDC figure a claim is set against, with where it comes from in words."""

    value: float | None
    tier: str  # one of TIERS
    indicator: str
    measure: str  # "predicted", "reported", "average of predicted", "final", "quoted"
    text: str  # the figure with its product, period and release ("81,711 (CDC provisional ...)")
    period_words: str  # "the 12 months ending Dec 2024", "calendar years 2020-2024 (average)"
    published: _dt.date | None = None  # when CDC first published it (None: not known)
    source_id: str = ""  # the counter-figure row quoted, if any
    qualifier_words: str = ""  # "over", "about", ... for a quoted figure
    reason: str = ""  # why there is none
    phrase: str = ""  # the figure in a sentence: "81,711 all drug overdose deaths in the 12 months ending ..."
    published_text: str = ""  # how ``published`` is known, in words, when only a month is ("Feb 2026")
    source_words: str = ""  # product and release: "CDC provisional, predicted, release of 10 Sep 2025"
    #: A figure known only as a range (for example "if revised by the largest revision seen"): the
    #: claim's low figure is divided by the top of the range, its high figure by the bottom.
    value_range: tuple[float, float] | None = None

    @property
    def stated(self) -> str:
        """The value as the source states it: ``81,711``, ``over 45,000``, ``an estimated 73,000``."""
        if self.value is None:
            return ""
        return f"{self.qualifier_words} {self.value:,.0f}".strip()


def no_figure(indicator: str, reason: str, period_words: str = "") -> CdcFigure:
    return CdcFigure(None, NO_TIER, indicator, "", "", period_words, reason=reason)


def cdc_lookup(cdc_tidy: pd.DataFrame) -> dict[tuple[str, str], tuple[object, object]]:
    """{(indicator, period_end): (reported, predicted)} of the snapshot's US rows."""
    return compare._cdc_lookup(cdc_tidy)


def snapshot_figure(
    lookup: dict, indicator: str, period_end: str, measure: str, release: Published, first: Published | None = None
) -> CdcFigure:
    """The snapshot's reported or predicted count for one period (tier ``none`` when absent)."""
    words = f"the 12 months ending {month_words(period_end)}"
    if (indicator, period_end) not in lookup:
        return no_figure(indicator, f"{words} is not in the project's CDC snapshot", words)
    reported, predicted = lookup[(indicator, period_end)]
    value = predicted if measure == "predicted" else reported
    if _missing(value):
        return no_figure(indicator, f"CDC leaves the {measure} value for {words} empty", words)
    text = (
        f"{int(value):,} (CDC provisional count, {measure}; {CLASS_NAMES.get(indicator, indicator)}; {words}; "
        f"as in the {release_words(release)})"
    )
    published = first.release_date if first is not None else None
    source = f"CDC provisional, {measure}, {release_words(release)}"
    phrase = f"{int(value):,} {CLASS_DEATHS.get(indicator, indicator)} in {words} ({source})"
    return CdcFigure(
        float(value), SNAPSHOT, indicator, measure, text, words, published, phrase=phrase, source_words=source
    )


def average_figure(
    lookup: dict, indicator: str, years: tuple[int, ...], measure: str, release: Published, releases: pd.DataFrame
) -> CdcFigure:
    """The average of the December values of ``years`` (a multi-year claim); none if any is missing."""
    words = f"calendar years {years[0]}-{years[-1]} (average of {len(years)})"
    values = []
    for year in years:
        pair = lookup.get((indicator, f"{year}-12"))
        value = None if pair is None else (pair[1] if measure == "predicted" else pair[0])
        if _missing(value):
            return no_figure(indicator, f"{year} is not in the project's CDC snapshot ({measure})", words)
        values.append(int(value))
    mean = sum(values) / len(values)
    first = first_published(releases, f"{years[-1]}-12")
    text = (
        f"{mean:,.0f} a year (average of CDC's {measure} counts for {CLASS_NAMES.get(indicator, indicator)}, "
        f"calendar years {years[0]}-{years[-1]}: {', '.join(f'{v:,}' for v in values)}; as in the "
        f"{release_words(release)})"
    )
    source = f"CDC provisional, {measure}, {release_words(release)}"
    phrase = (
        f"an average of {mean:,.0f} {CLASS_DEATHS.get(indicator, indicator)} a year in calendar years "
        f"{years[0]}-{years[-1]} ({source})"
    )
    return CdcFigure(
        mean,
        SNAPSHOT,
        indicator,
        f"average of {measure}",
        text,
        words,
        first.release_date if first else None,
        phrase=phrase,
        source_words=source,
    )


# ---------------------------------------------------------------------------------------------
# Figures quoted from releases beyond the snapshot


@dataclass(frozen=True)
class QuotedFigure:
    """A counter-figure that quotes a CDC release beyond the snapshot (CF06, CF15-CF19)."""

    claim_id: str
    indicator: str
    period_end: str
    value: float
    qualifier: qualifiers.Qualifier
    release: Published
    reporter: str  # who reported it ("AP", "drugfree.org news digest")
    reported_count: bool  # the ledger labels it a reported (not predicted) count

    def figure(self) -> CdcFigure:
        words = f"the 12 months ending {month_words(self.period_end)}"
        measure = "reported count" if self.reported_count else "predicted or reported not stated"
        stated = f"{self.qualifier.words} {self.value:,.0f}" if self.qualifier.words else f"{self.value:,.0f}"
        text = (
            f"{stated} (CDC provisional, as reported by {self.reporter}, {measure}; "
            f"{CLASS_NAMES.get(self.indicator, self.indicator)}; {words}; {release_words(self.release)})"
        )
        source = f"CDC provisional as reported by {self.reporter}, {release_words(self.release)}"
        phrase = f"{stated} {CLASS_DEATHS.get(self.indicator, self.indicator)} in {words} ({source})"
        return CdcFigure(
            self.value,
            QUOTED,
            self.indicator,
            "quoted",
            text,
            words,
            self.release.release_date,
            self.claim_id,
            self.qualifier.words,
            phrase=phrase,
            source_words=source,
        )


def short_reporter(originator: object) -> str:
    """The originator's name without its copy note: ``AP (Mike Stobbe), copy read at ...`` -> ``AP``."""
    text = "" if _missing(originator) else str(originator)
    return re.split(r"\s*[,(]", text, maxsplit=1)[0].strip() or "an unnamed source"


def quoted_figures(claims: pd.DataFrame, releases: pd.DataFrame, snapshot_latest: str) -> list[QuotedFigure]:
    """Counter-figures that quote a CDC release beyond the snapshot, by one rule.

    A counter-figure row of the overdose topic whose period names a 12 month-ending period or a
    calendar year after ``snapshot_latest``, whose period is not final data, and which the release
    calendar shows published (the first release carrying that period). Raises :class:`MatchError`
    when such a row is dated before the month of that release (it cannot quote it).
    """
    out = []
    rows = claims[(claims["topic"] == compare.OVERDOSE_TOPIC) & (claims["kind"] == "counter_figure")]
    for row in rows.itertuples(index=False):
        named = compare.named_period(row.period, row.date_value, row.claim_id)
        if named is None or named.period_end is None or named.period_end <= snapshot_latest:
            continue
        if "final" in str(row.period).split(";", 1)[0].lower():
            continue
        release = first_published(releases, named.period_end)
        if release is None or release.period != named.period_end:
            continue
        if not _missing(row.date_value) and pd.Timestamp(row.date_value).to_period("M") < pd.Period(
            release.release_month, "M"
        ):
            raise MatchError(
                f"claim {row.claim_id}, field date: {row.date} is before the release that first published "
                f"the 12 months ending {month_words(named.period_end)} ({release_words(release)})"
            )
        indicator, _ = compare.cdc_indicator_for(row.unit_qualifier, row.period, row.quote)
        qualifier = qualifiers.read_qualifier(row.quote, row.value_low, row.value_high, row.claim_id)
        reported = bool(re.search(r"\breported\b", str(row.period)))
        out.append(
            QuotedFigure(
                row.claim_id,
                indicator,
                named.period_end,
                float(row.value_low),
                qualifier,
                release,
                short_reporter(row.originator),
                reported,
            )
        )
    return out


def quoted_for(quoted: list[QuotedFigure], indicator: str, period_end: str, exclude: str = "") -> QuotedFigure | None:
    """The quoted figure for one class and period: one not labelled a reported count first (as the
    snapshot comparisons use CDC's predicted value), else the first; ``exclude`` leaves out a row."""
    found = [
        item
        for item in quoted
        if item.indicator == indicator and item.period_end == period_end and item.claim_id != exclude
    ]
    if not found:
        return None
    return sorted(found, key=lambda item: item.reported_count)[0]


def figure_for(
    lookup: dict,
    quoted: list[QuotedFigure],
    indicator: str,
    period_end: str,
    measure: str,
    snapshot: Published | None,
    releases: pd.DataFrame,
    snapshot_latest: str,
    exclude: str = "",
) -> CdcFigure:
    """Tier 1-2-3 of the module docstring for one class and period: the snapshot's figure, else a
    figure quoted from the release that published the period, else none with the reason."""
    first = first_published(releases, period_end)
    if period_end <= snapshot_latest:
        return snapshot_figure(lookup, indicator, period_end, measure, snapshot, first)
    words = f"the 12 months ending {month_words(period_end)}"
    item = quoted_for(quoted, indicator, period_end, exclude)
    if item is not None:
        return item.figure()
    return no_figure(
        indicator,
        f"{words} is beyond the project's CDC snapshot (latest {month_words(snapshot_latest)}) "
        f"and no figure quoted from that release is in the claims ledger for "
        f"{CLASS_NAMES.get(indicator, indicator)}",
        words,
    )


def matched_figure(
    match: Match,
    indicator: str,
    lookup: dict,
    quoted: list[QuotedFigure],
    snapshot: Published | None,
    releases: pd.DataFrame,
    snapshot_latest: str,
    measure: str = "predicted",
    exclude: str = "",
) -> CdcFigure:
    """The CDC figure of a claim's matched comparison (rules 2 and 3)."""
    if match.period_end is None:
        return no_figure(indicator, match.explanation)
    if match.published_by_claim_date is False:
        return no_figure(
            indicator,
            "CDC had not published the period the claim names by the claim's date",
            f"the 12 months ending {month_words(match.period_end)}",
        )
    if match.rule == NAMED_YEARS:
        return average_figure(lookup, indicator, match.years, measure, snapshot, releases)
    return figure_for(
        lookup, quoted, indicator, match.period_end, measure, snapshot, releases, snapshot_latest, exclude
    )


# ---------------------------------------------------------------------------------------------
# Claims vs CDC: the matched comparison of every overdose-deaths-per-year row

#: The first columns of ``data/processed/claims_vs_cdc.csv``, in order.
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
#: Explanatory columns written after them (then :mod:`analysis.verdicts` adds the verdict and sensitivity columns).
CLAIMS_VS_CDC_EXTRA_COLUMNS = [
    "kind",
    "tier",
    "qualifier",
    "qualifier_words",
    "cdc_years",
    "cdc_value",
    "cdc_figure",
    "release_at_claim_date",
    "release_basis",
    "stated_low",
    "stated_high",
    "stated_unit",
    "conversion",
    "period",
    "match_rule",
    "indicator_reason",
    "period_suggests_fentanyl",
    "no_comparison_reason",
    "note",
    "source_url",
]


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _ratio(claimed: float | None, cdc: float | None) -> object:
    if claimed is None or cdc is None or cdc == 0:
        return pd.NA
    return round(claimed / cdc, compare.RATIO_DECIMALS)


@dataclass(frozen=True)
class Context:
    """Everything the matching needs beside the claim, computed once."""

    lookup: dict
    releases: pd.DataFrame
    quoted: list
    snapshot: Published | None
    snapshot_latest: str

    @classmethod
    def build(cls, claims: pd.DataFrame, cdc_tidy: pd.DataFrame, releases: pd.DataFrame) -> Context:
        latest = snapshot_latest_period(cdc_tidy)
        return cls(
            cdc_lookup(cdc_tidy),
            releases,
            quoted_figures(claims, releases, latest),
            snapshot_release(releases, latest),
            latest,
        )

    def figure(self, match: Match, indicator: str, measure: str = "predicted", exclude: str = "") -> CdcFigure:
        return matched_figure(
            match,
            indicator,
            self.lookup,
            self.quoted,
            self.snapshot,
            self.releases,
            self.snapshot_latest,
            measure,
            exclude,
        )

    def period_figure(
        self, indicator: str, period_end: str, measure: str = "predicted", exclude: str = ""
    ) -> CdcFigure:
        return figure_for(
            self.lookup,
            self.quoted,
            indicator,
            period_end,
            measure,
            self.snapshot,
            self.releases,
            self.snapshot_latest,
            exclude,
        )


@compare._located
def claims_vs_cdc(claims: pd.DataFrame, cdc_tidy: pd.DataFrame, releases: pd.DataFrame) -> pd.DataFrame:
    """Every overdose-deaths-per-year row of the claims ledger against its matched CDC figure.

    ``claims`` is :func:`analysis.ledgers.load_claims` output, ``cdc_tidy`` the tidy CDC table,
    ``releases`` :func:`analysis.releases.load_releases` output. One row per ledger row, in ledger
    order; columns :data:`CLAIMS_VS_CDC_COLUMNS` then :data:`CLAIMS_VS_CDC_EXTRA_COLUMNS`.
    ``ratio_low`` / ``ratio_high`` are the claimed low / high figure (per year) divided by
    ``cdc_value``: the snapshot's predicted count (or the average of several years' predicted
    counts), or the figure quoted from a later release; claims only, never counter-figures.
    """
    context = Context.build(claims, cdc_tidy, releases)
    rows = []
    for claim in claims[claims["topic"] == compare.OVERDOSE_TOPIC].itertuples(index=False):
        counter = claim.kind == "counter_figure"
        match = match_claim(
            claim.period, claim.date_value, releases, claim.claim_id, claim.date_precision, check_published=not counter
        )
        reading = claim_class(claim.kind, claim.unit_qualifier, claim.period, claim.quote)
        qualifier = qualifiers.read_qualifier(
            claim.quote, claim.value_low, claim.value_high, claim.claim_id, claim.unit_qualifier
        )
        low, conversion = compare.claimed_per_year(claim.value_low, claim.unit_base, match.period_end, claim.claim_id)
        high, _ = compare.claimed_per_year(claim.value_high, claim.unit_base, match.period_end, claim.claim_id)
        figure = context.figure(match, reading.indicator, exclude=claim.claim_id)
        notes = [match.explanation, reading.reason]
        if figure.tier == NO_TIER and figure.reason and figure.reason != match.explanation:
            notes.append(f"no CDC figure: {figure.reason}")
        elif figure.tier == QUOTED:
            notes.append(f"beyond the snapshot: the figure quoted from that release ({figure.source_id})")
        reported = predicted = pd.NA
        if figure.tier == SNAPSHOT and match.rule != NAMED_YEARS:
            reported, predicted = context.lookup[(reading.indicator, match.period_end)]
        if counter:
            notes.append("counter-figure: a reference point, not a claim; never given a ratio")
        if not claim.quantified:
            notes.append(f"{_text(claim.unit_qualifier) or 'unquantified'}: listed without a ratio")
        scored = not counter and claim.quantified
        reason = ""
        if not claim.quantified:
            reason = f"no number ({_text(claim.unit_qualifier) or 'unquantified'})"
        elif figure.tier == NO_TIER:
            reason = (
                match.explanation if match.published_by_claim_date is False else (figure.reason or match.explanation)
            )
        release = match.release
        rows.append(
            {
                "claim_id": claim.claim_id,
                "date": _text(claim.date),
                "speaker": claim.speaker,
                "topic": claim.topic,
                "claimed_low": pd.NA if low is None else low,
                "claimed_high": pd.NA if high is None else high,
                "cdc_period_end": match.period_end or "",
                "cdc_indicator": reading.indicator,
                "cdc_reported": reported,
                "cdc_predicted": predicted,
                "ratio_low": _ratio(low, figure.value) if scored else pd.NA,
                "ratio_high": _ratio(high, figure.value) if scored else pd.NA,
                "kind": claim.kind,
                "tier": figure.tier,
                "qualifier": qualifier.kind,
                "qualifier_words": qualifier.words,
                "cdc_years": match.years_text,
                "cdc_value": pd.NA if figure.value is None else round(figure.value, 1),
                "cdc_figure": figure.phrase,
                "release_at_claim_date": "" if release is None else release.release_date.isoformat(),
                "release_basis": "" if release is None else release.basis,
                "stated_low": claim.value_low,
                "stated_high": claim.value_high,
                "stated_unit": claim.unit_base,
                "conversion": conversion,
                "period": _text(claim.period),
                "match_rule": match.rule,
                "indicator_reason": reading.reason,
                "period_suggests_fentanyl": reading.period_suggests_fentanyl,
                "no_comparison_reason": reason,
                "note": "; ".join(notes),
                "source_url": claim.source_url,
            }
        )
    out = pd.DataFrame(rows, columns=CLAIMS_VS_CDC_COLUMNS + CLAIMS_VS_CDC_EXTRA_COLUMNS)
    for column in ("claimed_low", "claimed_high", "stated_low", "stated_high", "ratio_low", "ratio_high", "cdc_value"):
        out[column] = out[column].astype("Float64")
    for column in ("cdc_reported", "cdc_predicted"):
        out[column] = out[column].astype("Int64")
    out["period_suggests_fentanyl"] = out["period_suggests_fentanyl"].astype("bool")
    return out


# ---------------------------------------------------------------------------------------------
# Lines for the notebooks (computed, never typed)


def calendar_lines(releases: pd.DataFrame, snapshot_latest: str) -> list[str]:
    """What the release calendar says, and the stretch during which the snapshot's period was CDC's newest."""
    counts = releases["basis"].value_counts()
    gaps = [month_words(month) for month in releases.loc[releases["basis"] == "none", "release_month"]]
    first, last = releases["release_month"].iloc[0], releases["release_month"].iloc[-1]
    lines = [
        f"CDC's release calendar, {month_words(first)} to {month_words(last)}: {int(counts.get('reported', 0))} "
        f"releases dated from pages, {int(counts.get('schedule', 0))} assumed from CDC's regular schedule (second "
        "Wednesday of the month, latest period five months earlier), and no release in " + ", ".join(gaps) + "."
    ]
    snapshot = snapshot_release(releases, snapshot_latest)
    if snapshot is None:
        return lines
    later = releases[(releases["basis"] != "none") & (releases["release_date"] > pd.Timestamp(snapshot.release_date))]
    if len(later):
        until = later["release_date"].iloc[0] - pd.Timedelta(days=1)
        lines.append(
            f"From {day_words(snapshot.release_date)} to {day_words(until)} the newest period CDC had out was "
            f"the 12 months ending {month_words(snapshot_latest)}, the last period of this project's snapshot."
        )
    return lines


def comparison_lines(comparison: pd.DataFrame) -> list[str]:
    """One line per claim (not counter-figure): its comparison and tier, or the stated reason it has none."""
    lines = []
    for row in comparison[comparison["kind"] == "claim"].itertuples(index=False):
        when = day_words(row.date) if len(row.date) == 10 else row.date
        if row.no_comparison_reason:
            lines.append(f"{row.claim_id} ({when}): no comparison: {row.no_comparison_reason}.")
            continue
        ratio = (
            f"{row.ratio_low:,.2f}"
            if row.ratio_low == row.ratio_high
            else f"{row.ratio_low:,.2f} to {row.ratio_high:,.2f}"
        )
        assumed = "; release date and period assumed from the schedule" if row.release_basis == "schedule" else ""
        lines.append(
            f"{row.claim_id} ({when}): {row.claimed_low:,.0f}"
            + ("" if row.claimed_low == row.claimed_high else f" to {row.claimed_high:,.0f}")
            + f" a year against {row.cdc_figure}: {ratio} times [{row.tier}{assumed}]"
        )
    return lines
