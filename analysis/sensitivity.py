"""A sensitivity table for every quantified per-year claim: how far other fair comparisons move it.

A critic from either side can pick a different CDC figure: reported instead of predicted, the peak
year instead of the latest, final data instead of provisional, all drugs instead of synthetic
opioids. This module sets each claim against all of them, one row per claim and comparison
(:func:`sensitivity_table`), so the verdict (:mod:`analysis.verdicts`) can take the one most
generous to the claim and show how far the others move it.

The comparisons are a registry, :data:`COMPARISONS`, in display order; each entry turns one
claim into zero or one :class:`Alternative` (a CDC figure, and whether it may carry the headline).
Adding a comparison (for example "even if revised by the largest revision seen") is one more
:class:`Comparison` appended to the list: the long table gains its rows, :func:`wide_ratios` its
two columns ``ratio_low_vs_<key>`` / ``ratio_high_vs_<key>``, and the verdict considers it. A
comparison whose CDC figure is a range gives it as ``CdcFigure.value_range`` (the claim's low
figure is then set against the top of the range, its high figure against the bottom).

The ``revision_band`` comparison is the matched figure, where it is still provisional (younger than
final data), moved either way by the largest revision seen for a provisional figure of its age
(:func:`analysis.revisions.figure_band`): the age at the release the figure was read from (the
snapshot's release, or the release a quoted figure comes from), with the age on the claim's date given
for the record. It is an empirical bound from the periods and releases it names, not a statistical
interval; it shows how far the ratio could move and never carries the headline (it is not a figure
CDC published). A figure resting on final data gets no band row.

Which comparisons may carry the headline (``eligible``): only figures for periods CDC had
published by the claim's date (a later figure, such as final data published afterwards or the
year the claim names published months later, is shown and labelled, never used for the verdict);
and only a class the claim can be read as: all drug overdose deaths always (a wider class is
generous to a claim about fentanyl), synthetic opioids only when the quote names fentanyl or the
ledger's period field suggests it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from . import compare, matching, qualifiers, revisions
from .matching import ALL_DRUGS, SYNTHETIC_OPIOIDS, CdcFigure, Context, Match


@dataclass(frozen=True)
class Claim:
    """One quantified per-year claim, as the comparisons need it."""

    claim_id: str
    date: pd.Timestamp | None
    value_low: float
    value_high: float
    unit_base: str
    match: Match
    reading: matching.ClassReading
    qualifier: qualifiers.Qualifier


@dataclass(frozen=True)
class Alternative:
    """One CDC figure a claim is set against in the sensitivity table."""

    figure: CdcFigure
    label: str  # plain words: what this comparison is
    eligible: bool  # may carry the headline verdict
    why_not: str = ""  # why not, when not eligible
    details: dict = field(default_factory=dict)  # values of BAND_DETAIL_COLUMNS (the revision band row)


@dataclass(frozen=True)
class Comparison:
    """A registered comparison: ``key`` names its columns, ``alternative`` builds its row (or None).

    ``same_as_matched(claim)`` True means the comparison is the matched one for that claim (the
    claim's own class, or its own period): the long table leaves the row out and the wide columns
    repeat the matched ratios.
    """

    key: str
    title: str  # column heading in words
    alternative: Callable[[Claim, Context], Alternative | None]
    same_as_matched: Callable[[Claim], bool] = lambda claim: False


def _published_by(figure: CdcFigure, claim: Claim) -> bool | None:
    if figure.published is None or claim.date is None:
        return None
    return pd.Timestamp(figure.published) <= claim.date


def _judge(figure: CdcFigure, claim: Claim, label: str, class_ok: bool = True) -> Alternative:
    """Eligibility by the module docstring's two rules."""
    if figure.tier == matching.NO_TIER:
        return Alternative(figure, label, False, figure.reason)
    published = _published_by(figure, claim)
    if published is False:
        when = figure.published_text or matching.day_words(figure.published)
        return Alternative(figure, label, False, f"published after the claim ({when})")
    if published is None:
        return Alternative(figure, label, False, "publication date not in the ledger")
    if not class_ok:
        return Alternative(figure, label, False, "a narrower class than the claim names")
    return Alternative(figure, label, True)


def _class_ok(claim: Claim, indicator: str) -> bool:
    return indicator == ALL_DRUGS or indicator == claim.reading.indicator or claim.reading.fentanyl_reading


def _class_words(indicator: str) -> str:
    return matching.CLASS_NAMES.get(indicator, indicator)


# ---------------------------------------------------------------------------------------------
# The comparisons


def _matched(claim: Claim, context: Context) -> Alternative:
    figure = context.figure(claim.match, claim.reading.indicator)
    return _judge(
        figure,
        claim,
        f"the matched comparison: {figure.period_words or 'no period'}, "
        f"{_class_words(claim.reading.indicator)}, predicted",
    )


def _matched_period_usable(claim: Claim) -> bool:
    return claim.match.period_end is not None and claim.match.published_by_claim_date is not False


def _reported(claim: Claim, context: Context) -> Alternative | None:
    if not _matched_period_usable(claim):
        return None
    figure = context.figure(claim.match, claim.reading.indicator, measure="reported")
    if figure.tier == matching.QUOTED:
        return None  # a quoted figure has no reported/predicted pair
    return _judge(figure, claim, f"reported instead of predicted: {figure.period_words or 'no period'}")


def _class(indicator: str) -> Callable[[Claim, Context], Alternative]:
    def build(claim: Claim, context: Context) -> Alternative | None:
        if not _matched_period_usable(claim):
            return None
        figure = context.figure(claim.match, indicator)
        return _judge(
            figure,
            claim,
            f"{_class_words(indicator)}: {figure.period_words or 'no period'}",
            _class_ok(claim, indicator),
        )

    return build


def _latest_published(claim: Claim, context: Context) -> Alternative | None:
    release = claim.match.release
    if release is None:
        return None
    figure = context.period_figure(claim.reading.indicator, release.period)
    return _judge(figure, claim, f"the latest period CDC had published by the claim's date: {figure.period_words}")


def _peak(claim: Claim, context: Context) -> Alternative | None:
    release = claim.match.release
    if release is None:
        return None
    limit = min(release.period, context.snapshot_latest)
    candidates = [
        (predicted, period)
        for (indicator, period), (_, predicted) in context.lookup.items()
        if indicator == claim.reading.indicator and period <= limit and not compare._missing(predicted)
    ]
    if not candidates:
        return None
    _, period = max(candidates)
    figure = context.period_figure(claim.reading.indicator, period)
    return _judge(figure, claim, f"the highest 12 months CDC had published by the claim's date: {figure.period_words}")


def _multi_year(claim: Claim, context: Context) -> Alternative | None:
    if not claim.match.other_years:
        return None
    figure = matching.average_figure(
        context.lookup,
        claim.reading.indicator,
        claim.match.other_years,
        "predicted",
        context.snapshot,
        context.releases,
    )
    return _judge(figure, claim, f"the longer window the claim also gives: {figure.period_words}")


@dataclass(frozen=True)
class FinalFigure:
    """A counter-figure from NCHS final data (CF01, CF07, CF08)."""

    claim_id: str
    indicator: str
    period_end: str
    value: float
    published: _dt.date | None  # a month-only date counts as the month's last day (out by then at the latest)
    published_text: str  # "19 Dec 2024", "Feb 2026", or ""
    publisher: str

    def figure(self) -> CdcFigure:
        year = self.period_end[:4]
        when = self.published_text or "publication date not in the ledger"
        class_words = matching.CLASS_DEATHS.get(self.indicator, self.indicator)
        text = (
            f"{self.value:,.0f} (NCHS final data, as published by {self.publisher}; {_class_words(self.indicator)}; "
            f"calendar year {year}; {self.claim_id}, {when})"
        )
        phrase = f"{self.value:,.0f} {class_words} in {year} (NCHS final data, {self.publisher}, {when})"
        return CdcFigure(
            self.value,
            matching.QUOTED,
            self.indicator,
            "final",
            text,
            f"calendar year {year}",
            self.published,
            self.claim_id,
            phrase=phrase,
            published_text=self.published_text,
        )


def final_figures(claims: pd.DataFrame) -> list[FinalFigure]:
    """Counter-figures of the overdose topic whose period says final data, by one rule: the text
    before the first ``;`` of ``period`` contains "final" and names a calendar year."""
    out = []
    rows = claims[(claims["topic"] == compare.OVERDOSE_TOPIC) & (claims["kind"] == "counter_figure")]
    for row in rows.itertuples(index=False):
        main = str(row.period).split(";", 1)[0] if not compare._missing(row.period) else ""
        if "final" not in main.lower():
            continue
        named = compare.named_period(row.period, row.date_value, row.claim_id)
        if named is None or named.rule != "named_year":
            continue
        indicator, _ = compare.cdc_indicator_for(row.unit_qualifier, row.period, row.quote)
        # a month-only date counts from the last day of its month here: the figure was out by then at the latest
        published, words = None, ""
        if not compare._missing(row.date_value):
            day = pd.Timestamp(row.date_value)
            if row.date_precision == "month":
                published, words = (day + pd.offsets.MonthEnd(0)).date(), f"{day:%b %Y}"
            else:
                published, words = day.date(), matching.day_words(day)
        out.append(
            FinalFigure(
                row.claim_id, indicator, named.period_end, float(row.value_low), published, words, str(row.speaker)
            )
        )
    return out


def _final(claim: Claim, context: Context) -> Alternative | None:
    finals = getattr(context, "finals", None) or []
    if claim.match.rule != "named_year" or claim.match.period_end is None:
        return None
    for item in finals:
        if item.indicator == claim.reading.indicator and item.period_end == claim.match.period_end:
            figure = item.figure()
            return _judge(figure, claim, f"final data instead of provisional: {figure.period_words}")
    return None


def _later(claim: Claim, context: Context) -> Alternative | None:
    if claim.match.published_by_claim_date is not False or claim.match.period_end is None:
        return None
    figure = context.period_figure(claim.reading.indicator, claim.match.period_end)
    return _judge(figure, claim, f"the period the claim names, as CDC published it later: {figure.period_words}")


BAND_WHY_NOT = (
    "a what-if bound from past revisions, not a figure CDC published: shows how far the ratio could move, "
    "never carries the verdict"
)


def band_of(claim: Claim, figure: CdcFigure, context: Context) -> revisions.FigureBand | None:
    """The revision band of a claim's matched figure (None when it rests on final data).

    A snapshot figure is aged at the snapshot's release (``context.band.latest_release``: the release
    month its manifest entry records, which the revisions table sets every figure against) and banded
    with predicted revisions, like with like; an average over several years moves only its provisional
    years. A figure quoted from a release beyond the snapshot is provisional, aged at that release, and
    banded with the larger of the reported and predicted revisions (the page does not say which it is).
    """
    basis = getattr(context, "band", None)
    if basis is None or figure.value is None or claim.match.period_end is None:
        return None
    indicator = claim.reading.indicator
    if figure.tier == matching.QUOTED:
        release = pd.Timestamp(figure.published).strftime("%Y-%m")
        return revisions.figure_band(
            indicator, [(claim.match.period_end, figure.value, True)], release, basis, revisions.EITHER_MEASURE
        )
    periods = (
        [f"{year}-12" for year in claim.match.years]
        if claim.match.rule == matching.NAMED_YEARS
        else [claim.match.period_end]
    )
    provisional = getattr(context, "provisional", frozenset())
    parts = [(period, context.lookup[(indicator, period)][1], (indicator, period) in provisional) for period in periods]
    return revisions.figure_band(indicator, parts, basis.latest_release, basis, "predicted")


def _release_read_from(figure: CdcFigure, context: Context) -> str:
    """The release a figure was read from, in words. For the snapshot, the manifest's release month (the
    revisions table's latest release) is the record; the calendar's date is named when it agrees."""
    if figure.tier == matching.QUOTED:
        return f"release of {matching.day_words(figure.published)}"
    month = context.band.latest_release
    if context.snapshot is not None and context.snapshot.release_month == month:
        return matching.release_words(context.snapshot)
    return f"this project's snapshot, the {revisions.release_label(month)} release"


def _revision_band(claim: Claim, context: Context) -> Alternative | None:
    if not _matched_period_usable(claim):
        return None
    figure = context.figure(claim.match, claim.reading.indicator)
    found = band_of(claim, figure, context)
    if found is None:
        return None
    newest = found.newest
    low, _ = compare.claimed_per_year(claim.value_low, claim.unit_base, claim.match.period_end, claim.claim_id)
    high, _ = compare.claimed_per_year(claim.value_high, claim.unit_base, claim.match.period_end, claim.claim_id)
    at_claim = None if claim.date is None else revisions.months_between(newest.period_end, claim.date)
    ages = (
        f"the figure for the {revisions.period_text(newest.period_end)} was {newest.age_months} months old at the "
        f"release it is read from ({_release_read_from(figure, context)})"
    )
    if at_claim is not None:
        ages += f" and {at_claim} months old on the claim's date"
    banded = matching.CdcFigure(
        figure.value,
        figure.tier,
        figure.indicator,
        figure.measure,
        f"{found.low:,.0f} to {found.high:,.0f}: {figure.text}, revised either way by the largest revision seen "
        f"({found.label()})",
        figure.period_words,
        figure.published,
        figure.source_id,
        figure.qualifier_words,
        phrase=f"{figure.phrase}, revised to {found.low:,.0f}-{found.high:,.0f} by the largest revision seen",
        published_text=figure.published_text,
        source_words=figure.source_words,
        value_range=(found.low, found.high),
    )
    details = {
        "band_percent": found.percent,
        "band_periods": newest.band.periods,
        "band_releases": ", ".join(revisions.release_label(r) for r in newest.band.releases),
        "age_months": newest.age_months,
        "age_at_claim_months": pd.NA if at_claim is None else at_claim,
    }
    return Alternative(banded, f"{found.text(low, high)}; {ages}", False, BAND_WHY_NOT, details)


#: The comparisons, in display order. ``matched`` must stay first.
COMPARISONS: list[Comparison] = [
    Comparison("matched", "matched period and class (predicted)", _matched),
    Comparison("reported", "reported instead of predicted", _reported),
    Comparison(
        "all_drugs", "all drug overdose deaths", _class(ALL_DRUGS), lambda claim: claim.reading.indicator == ALL_DRUGS
    ),
    Comparison(
        "synthetic_opioids",
        "synthetic opioids (T40.4)",
        _class(SYNTHETIC_OPIOIDS),
        lambda claim: claim.reading.indicator == SYNTHETIC_OPIOIDS,
    ),
    Comparison(
        "latest_published",
        "latest period published at the claim's date",
        _latest_published,
        lambda claim: claim.match.rule == matching.RELEASE_AT_CLAIM_DATE,
    ),
    Comparison("peak", "highest 12 months published (the 2022-23 peak)", _peak),
    Comparison("multi_year_average", "longer multi-year window", _multi_year),
    Comparison("final", "final data", _final),
    Comparison("later_release", "named period, published after the claim", _later),
    Comparison("revision_band", "matched period revised by the largest revision seen", _revision_band),
]


# ---------------------------------------------------------------------------------------------
# The table

#: Columns filled on ``revision_band`` rows only (empty elsewhere).
BAND_DETAIL_COLUMNS = [
    "band_percent",
    "band_periods",
    "band_releases",
    "age_months",
    "age_at_claim_months",
]
SENSITIVITY_COLUMNS = [
    "claim_id",
    "comparison",
    "label",
    "indicator",
    "period",
    "measure",
    "tier",
    "cdc_value",
    "cdc_figure",
    "cdc_phrase",
    "published",
    "eligible",
    "why_not",
    "claimed_low",
    "claimed_high",
    "ratio_low",
    "ratio_high",
    *BAND_DETAIL_COLUMNS,
]


@dataclass(frozen=True)
class SensitivityContext(Context):
    """:class:`analysis.matching.Context` plus the final-data counter-figures, the revision band's
    basis and the (indicator, period) pairs the snapshot marks provisional."""

    finals: tuple = ()
    band: revisions.BandBasis | None = None
    provisional: frozenset = frozenset()


def context_for(
    claims: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    releases: pd.DataFrame,
    band: revisions.BandBasis | None = None,
) -> SensitivityContext:
    """The comparisons' context. ``band`` is what the revision band rests on
    (:func:`analysis.revisions.band_basis`); by default it is computed from the CDC releases in the
    project's ``data/raw/``, with ``cdc_tidy`` as the latest one."""
    base = Context.build(claims, cdc_tidy, releases)
    band = band if band is not None else revisions.band_basis(latest=cdc_tidy)
    rows = cdc_tidy[cdc_tidy["jurisdiction"] == "US"] if "jurisdiction" in cdc_tidy else cdc_tidy
    provisional = frozenset(
        (str(indicator), str(period))
        for indicator, period, note in zip(rows["indicator"], rows["period_end"], rows["footnote"], strict=True)
        if revisions._provisional(note)
    )
    return SensitivityContext(
        base.lookup,
        base.releases,
        base.quoted,
        base.snapshot,
        base.snapshot_latest,
        tuple(final_figures(claims)),
        band,
        provisional,
    )


def scored_claims(claims: pd.DataFrame, releases: pd.DataFrame) -> list[Claim]:
    """The quantified per-year claims (not counter-figures), in ledger order."""
    out = []
    rows = claims[(claims["topic"] == compare.OVERDOSE_TOPIC) & (claims["kind"] == "claim") & claims["quantified"]]
    for row in rows.itertuples(index=False):
        match = matching.match_claim(row.period, row.date_value, releases, row.claim_id, row.date_precision)
        reading = matching.claim_class(row.kind, row.unit_qualifier, row.period, row.quote)
        qualifier = qualifiers.read_qualifier(
            row.quote, row.value_low, row.value_high, row.claim_id, row.unit_qualifier
        )
        date = None if compare._missing(row.date_value) else pd.Timestamp(row.date_value)
        out.append(
            Claim(
                row.claim_id,
                date,
                float(row.value_low),
                float(row.value_high),
                row.unit_base,
                match,
                reading,
                qualifier,
            )
        )
    return out


def _period_end_of(figure: CdcFigure, claim: Claim) -> str | None:
    """The 12-month window a per-day claim is multiplied out over for this figure."""
    words = figure.period_words
    if words.startswith("the 12 months ending "):
        return pd.Period(words.removeprefix("the 12 months ending "), "M").strftime("%Y-%m")
    return claim.match.period_end


def _row(claim: Claim, comparison: Comparison, alternative: Alternative) -> dict:
    figure = alternative.figure
    period_end = _period_end_of(figure, claim)
    low, _ = compare.claimed_per_year(claim.value_low, claim.unit_base, period_end, claim.claim_id)
    high, _ = compare.claimed_per_year(claim.value_high, claim.unit_base, period_end, claim.claim_id)
    has = figure.value is not None
    bottom, top = figure.value_range if figure.value_range else (figure.value, figure.value)
    return {
        "claim_id": claim.claim_id,
        "comparison": comparison.key,
        "label": alternative.label,
        "indicator": figure.indicator,
        "period": figure.period_words,
        "measure": figure.measure,
        "tier": figure.tier,
        "cdc_value": round(figure.value, 1) if has else pd.NA,
        "cdc_figure": figure.text or figure.reason,
        "cdc_phrase": figure.phrase,
        "published": figure.published.isoformat() if figure.published else "",
        "eligible": alternative.eligible,
        "why_not": alternative.why_not,
        "claimed_low": low,
        "claimed_high": high,
        "ratio_low": round(low / top, compare.RATIO_DECIMALS) if has else pd.NA,
        "ratio_high": round(high / bottom, compare.RATIO_DECIMALS) if has else pd.NA,
        **{column: alternative.details.get(column, pd.NA) for column in BAND_DETAIL_COLUMNS},
    }


@compare._located
def sensitivity_table(
    claims: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    releases: pd.DataFrame,
    comparisons: list[Comparison] | None = None,
    band: revisions.BandBasis | None = None,
) -> pd.DataFrame:
    """One row per quantified per-year claim and comparison of :data:`COMPARISONS` that applies.

    Columns :data:`SENSITIVITY_COLUMNS`; claims in ledger order, comparisons in registry order.
    ``claimed_low`` / ``claimed_high`` are per year (a per-day claim multiplied by the days of that
    row's 12 months); ``ratio_*`` = claimed ÷ ``cdc_value`` (3 decimals), empty without a figure (for a
    figure known as a range, the low claim over the top of the range, the high claim over its bottom).
    The :data:`BAND_DETAIL_COLUMNS` are filled on ``revision_band`` rows only: the band in percent
    (either way), the periods and releases it rests on, the figure's age at the release it was read
    from and its age on the claim's date. ``band``: see :func:`context_for`.
    """
    context = context_for(claims, cdc_tidy, releases, band)
    rows = []
    for claim in scored_claims(claims, releases):
        for comparison in comparisons or COMPARISONS:
            if comparison.same_as_matched(claim):
                continue
            alternative = comparison.alternative(claim, context)
            if alternative is not None:
                rows.append(_row(claim, comparison, alternative))
    out = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    for column in ("cdc_value", "claimed_low", "claimed_high", "ratio_low", "ratio_high", "band_percent"):
        out[column] = out[column].astype("Float64")
    for column in ("band_periods", "age_months", "age_at_claim_months"):
        out[column] = out[column].astype("Int64")
    out["band_releases"] = out["band_releases"].fillna("").astype(str)
    out["eligible"] = out["eligible"].astype("bool")
    return out


def band_lines(table: pd.DataFrame) -> list[str]:
    """The revision band in words, claim by claim (from :func:`sensitivity_table` or the judged table):
    the band row's sentence where the matched figure is provisional, else why there is none."""
    lines = [
        "Revision band (shown, never used for the verdict): the matched CDC figure moved either way by the "
        "largest revision seen for a provisional figure of its age at the release it was read from; an "
        "empirical bound from the older releases held, not a statistical interval."
    ]
    for claim_id, part in table.groupby("claim_id", sort=False):
        found = part[part["comparison"] == "revision_band"]
        matched = part[part["comparison"] == "matched"]
        if len(found):
            lines.append(f"{claim_id}: {found.iloc[0]['label']}.")
        elif len(matched) and not compare._missing(matched.iloc[0]["cdc_value"]):
            lines.append(f"{claim_id}: {matched.iloc[0]['period']} rests on final data: no revision band.")
        else:
            lines.append(f"{claim_id}: no matched CDC figure: no revision band.")
    return lines


def ratio_columns(comparisons: list[Comparison] | None = None) -> list[str]:
    """``ratio_low_vs_<key>``, ``ratio_high_vs_<key>`` for every comparison but ``matched`` (whose
    ratios are ``ratio_low`` / ``ratio_high``)."""
    return [
        f"ratio_{end}_vs_{item.key}"
        for item in (comparisons or COMPARISONS)
        if item.key != "matched"
        for end in ("low", "high")
    ]


def wide_ratios(
    table: pd.DataFrame,
    claims: pd.DataFrame,
    releases: pd.DataFrame,
    claim_ids,
    comparisons: list[Comparison] | None = None,
) -> pd.DataFrame:
    """The table's ratios as columns (:func:`ratio_columns`), one row per ``claim_ids`` entry, in that
    order: empty where a comparison does not apply, the matched ratios where it is the matched one."""
    registry = comparisons or COMPARISONS
    columns = ratio_columns(registry)
    out = pd.DataFrame(index=pd.Index(list(claim_ids), name="claim_id"), columns=columns, dtype="Float64")
    ratios = {(row.claim_id, row.comparison): (row.ratio_low, row.ratio_high) for row in table.itertuples(index=False)}
    for claim in scored_claims(claims, releases):
        if claim.claim_id not in out.index:
            continue
        for comparison in registry:
            if comparison.key == "matched":
                continue
            key = "matched" if comparison.same_as_matched(claim) else comparison.key
            if (claim.claim_id, key) in ratios:
                low, high = ratios[(claim.claim_id, key)]
                out.loc[claim.claim_id, f"ratio_low_vs_{comparison.key}"] = low
                out.loc[claim.claim_id, f"ratio_high_vs_{comparison.key}"] = high
    return out.astype("Float64").reset_index()


HEADLINE_MARK = "*"
NOT_USED_MARK = "(not used)"
SAME_MARK = "= matched"


def grid(
    judged: pd.DataFrame, claims: pd.DataFrame, releases: pd.DataFrame, comparisons: list[Comparison] | None = None
) -> pd.DataFrame:
    """The judged table (:func:`analysis.verdicts.judge_table`) as one row per claim and one column per
    comparison, each cell the ratio (low to high figure) as text: :data:`HEADLINE_MARK` after the
    headline, :data:`NOT_USED_MARK` after a figure that may not carry it (published after the claim,
    publication date unknown, or a narrower class than the claim), :data:`SAME_MARK` where the
    comparison is the matched one, empty where none applies."""
    registry = comparisons or COMPARISONS
    by_id = {claim.claim_id: claim for claim in scored_claims(claims, releases)}
    rows = []
    for claim_id, part in judged.groupby("claim_id", sort=False):
        cells = {"claim_id": claim_id}
        for comparison in registry:
            found = part[part["comparison"] == comparison.key]
            text = ""
            matched = part[part["comparison"] == "matched"]
            matched_has = len(matched) and not compare._missing(matched["ratio_low"].iloc[0])
            if comparison.key != "matched" and claim_id in by_id and comparison.same_as_matched(by_id[claim_id]):
                text = SAME_MARK if matched_has else ""
            elif len(found) and not compare._missing(found["ratio_low"].iloc[0]):
                row = found.iloc[0]
                low, high = float(row["ratio_low"]), float(row["ratio_high"])
                text = (
                    _ratio_text(low)
                    if _ratio_text(low) == _ratio_text(high)
                    else f"{_ratio_text(low)}-{_ratio_text(high)}"
                )
                text += (
                    HEADLINE_MARK if row.get("headline", False) else ("" if row["eligible"] else f" {NOT_USED_MARK}")
                )
            cells[comparison.key] = text
        heads = part[part["headline"]] if "headline" in part else part.iloc[0:0]
        cells["verdict"] = heads["verdict"].iloc[0] if len(heads) else "not checkable"
        rows.append(cells)
    return pd.DataFrame(rows, columns=["claim_id", *[c.key for c in registry], "verdict"])


def _ratio_text(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def with_comparison(comparison: Comparison, comparisons: list[Comparison] | None = None) -> list[Comparison]:
    """A copy of the registry with one more comparison (for a study that adds its own row)."""
    return [*(comparisons or COMPARISONS), comparison]


__all__ = [
    "Alternative",
    "COMPARISONS",
    "Claim",
    "Comparison",
    "FinalFigure",
    "BAND_DETAIL_COLUMNS",
    "BAND_WHY_NOT",
    "SENSITIVITY_COLUMNS",
    "band_lines",
    "band_of",
    "context_for",
    "final_figures",
    "grid",
    "ratio_columns",
    "scored_claims",
    "sensitivity_table",
    "wide_ratios",
    "with_comparison",
]
