"""Written verdicts by a published rule: one of four plain words, and one computed sentence.

The rule (:class:`Thresholds`, :func:`verdict_for`), applied the same way to every claim:

- **consistent with CDC**: a point claim ("300,000", "about 300,000") within the tolerance of
  CDC's figure (claimed ÷ CDC between 1 - tolerance and 1 + tolerance); a range ("200,000 to
  300,000") that reaches CDC's figure once widened by the tolerance; a floor ("over 200 a day")
  that CDC's figure meets, or misses by no more than the tolerance; a ceiling ("up to") that CDC's
  figure does not exceed by more than the tolerance.
- **overstates**: the claim's lowest figure is above CDC's by more than the tolerance.
- **understates**: the claim's highest figure is below CDC's by more than the tolerance (a floor
  cannot understate: "over N" is true of any larger number).
- **not checkable**: the claim gives no number ("tens of thousands"), CDC had published no figure
  it can be set against by the claim's date, or the figure is the wrong kind of quantity for a
  death count (lives said to be saved per boat, a percentage cut in drug flow).

Each claim is judged against every comparison of its sensitivity table
(:mod:`analysis.sensitivity`) that may carry the headline, and the **headline verdict is the one
most generous to the claim**: "consistent" if any comparison makes it so, otherwise the comparison
whose ratio is nearest the tolerance band. So an "overstates" verdict quotes the smallest ratio in
the table, and the table shows how far each other comparison moves it. Thresholds are parameters
(notebook 02's parameters cell) and every sentence is computed from the rows.

**The revision band never carries the headline.** Where the matched figure is still provisional,
the table also shows it moved either way by the largest revision seen for a provisional figure of
its age at the release it was read from (the ``revision_band`` row, an empirical bound from past
releases, not a statistical interval). That row shows how far the ratio could move; it is not a
figure CDC published, so it cannot by itself make a claim "consistent" (or change any verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import compare, matching, qualifiers, revisions, sensitivity

CONSISTENT = "consistent with CDC"
OVERSTATES = "overstates"
UNDERSTATES = "understates"
NOT_CHECKABLE = "not checkable"
#: The closed set of verdicts.
VERDICTS = (CONSISTENT, OVERSTATES, UNDERSTATES, NOT_CHECKABLE)


@dataclass(frozen=True)
class Thresholds:
    """The rule's one parameter: how close to CDC's figure a claim must be to be consistent with it."""

    tolerance: float = 0.10  # a claim within 10% of CDC's figure is consistent with it

    def __post_init__(self) -> None:
        if not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be at least 0 and below 1, got {self.tolerance!r}")

    @property
    def percent(self) -> str:
        return f"{self.tolerance * 100:g}%"

    def rule_text(self) -> str:
        """The published rule in words, with its threshold."""
        return (
            f"consistent with CDC: within {self.percent} of CDC's figure (a point or a range), or a floor "
            f"CDC's figure meets (or misses by no more than {self.percent}); overstates: the claim's lowest "
            f"figure is more than {self.percent} above CDC's; understates: its highest figure is more than "
            f"{self.percent} below; not checkable: no number, no CDC figure published by the claim's date, or "
            "not a count of deaths. The headline is the comparison most generous to the claim among those "
            "CDC had published by the claim's date. Where the matched figure is still provisional, the table also "
            "shows it revised either way by the largest revision seen for a provisional figure of its age at the "
            "release it was read from (an empirical bound from past releases, not a statistical interval): that "
            "row shows how far the ratio could move, never carries the verdict, and cannot by itself make a claim "
            "consistent with CDC."
        )


DEFAULT = Thresholds()


def verdict_for(qualifier: str, ratio_low: object, ratio_high: object, thresholds: Thresholds = DEFAULT) -> str:
    """The verdict of one comparison: claimed ÷ CDC for the claim's low and high figure."""
    if qualifier == qualifiers.NONE or compare._missing(ratio_low) or compare._missing(ratio_high):
        return NOT_CHECKABLE
    if qualifier not in qualifiers.QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(qualifiers.QUALIFIERS)}")
    low, high = float(ratio_low), float(ratio_high)
    top, bottom = 1 + thresholds.tolerance, 1 - thresholds.tolerance
    if qualifier == qualifiers.FLOOR:
        return OVERSTATES if low > top else CONSISTENT
    if qualifier == qualifiers.CEILING:
        return UNDERSTATES if high < bottom else CONSISTENT
    if low > top:
        return OVERSTATES
    if high < bottom:
        return UNDERSTATES
    return CONSISTENT


def distance(verdict: str, ratio_low: object, ratio_high: object, thresholds: Thresholds = DEFAULT) -> float:
    """How far a comparison's verdict is from "consistent" (0 when it is; inf when not checkable)."""
    if verdict == CONSISTENT:
        return 0.0
    if verdict == OVERSTATES:
        return float(ratio_low) - (1 + thresholds.tolerance)
    if verdict == UNDERSTATES:
        return (1 - thresholds.tolerance) - float(ratio_high)
    return float("inf")


def ratio_text(ratio: object) -> str:
    """A ratio for readers: two decimals, or a whole number with separators from 100 on."""
    value = float(ratio)
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


# ---------------------------------------------------------------------------------------------
# Judging the sensitivity table

JUDGED_COLUMNS = [*sensitivity.SENSITIVITY_COLUMNS, "qualifier", "verdict", "headline", "change_from_headline"]


def judge_table(table: pd.DataFrame, comparison: pd.DataFrame, thresholds: Thresholds = DEFAULT) -> pd.DataFrame:
    """The sensitivity table with each row's verdict, the headline row of each claim marked, and
    ``change_from_headline`` (this row's low-figure ratio minus the headline's, 3 decimals)."""
    qualifier_of = dict(zip(comparison["claim_id"], comparison["qualifier"], strict=True))
    out = table.copy()
    out["qualifier"] = [qualifier_of[claim_id] for claim_id in out["claim_id"]]
    out["verdict"] = [
        verdict_for(q, low, high, thresholds)
        for q, low, high in zip(out["qualifier"], out["ratio_low"], out["ratio_high"], strict=True)
    ]
    out["headline"] = False
    out["change_from_headline"] = pd.array([pd.NA] * len(out), dtype="Float64")
    for _, rows in out.groupby("claim_id", sort=False):
        eligible = rows[rows["eligible"] & rows["ratio_low"].notna()]
        if eligible.empty:
            continue
        gaps = [
            distance(v, low, high, thresholds)
            for v, low, high in zip(eligible["verdict"], eligible["ratio_low"], eligible["ratio_high"], strict=True)
        ]
        best = eligible.index[min(range(len(gaps)), key=lambda i: (gaps[i], i))]
        out.loc[best, "headline"] = True
        change = (rows["ratio_low"] - out.loc[best, "ratio_low"]).round(3)
        out.loc[rows.index, "change_from_headline"] = change
    return out[JUDGED_COLUMNS]


# ---------------------------------------------------------------------------------------------
# Sentences

_UNIT_WORDS = {
    "deaths_per_year": "deaths a year",
    "deaths_per_12_months": "deaths in 12 months",
    "deaths_per_day": "deaths a day",
}


def claimed_words(
    stated_low: object, stated_high: object, stated_unit: str, qualifier: str, words: str, quote_words: str = ""
) -> str:
    """The claim as said: ``over 200 deaths a day``, ``250,000 to 300,000 deaths a year``."""
    unit = _UNIT_WORDS.get(stated_unit, stated_unit.replace("_", " "))
    if qualifier == qualifiers.NONE or compare._missing(stated_low):
        return f"'{quote_words}'" if quote_words else "no number"
    low, high = float(stated_low), float(stated_high)
    figure = f"{low:,.0f}" if low == high else f"{low:,.0f} to {high:,.0f}"
    return f"{words + ' ' if words else ''}{figure} {unit}"


def _per_day(figure_value: float, row: pd.Series) -> str:
    if row["stated_unit"] != "deaths_per_day":
        return ""
    return f", about {figure_value / (float(row['claimed_low']) / float(row['stated_low'])):,.0f} a day"


def verdict_sentence(
    row: pd.Series,
    head: pd.Series | None,
    matched: pd.Series | None,
    thresholds: Thresholds = DEFAULT,
    quote_words: str = "",
) -> tuple[str, str]:
    """(verdict, sentence) for one claims_vs_cdc row, its headline and matched sensitivity rows."""
    claimed = claimed_words(
        row["stated_low"], row["stated_high"], row["stated_unit"], row["qualifier"], row["qualifier_words"], quote_words
    )
    date = matching.day_words(row["date"]) if len(str(row["date"])) == 10 else str(row["date"])
    if row["qualifier"] == qualifiers.NONE:
        context = (
            f"; CDC's count then was {matched['cdc_phrase']}" if matched is not None and matched["cdc_phrase"] else ""
        )
        return NOT_CHECKABLE, f"Not checkable: {claimed} gives no number{context}."
    if head is None:
        reason = matched["cdc_figure"] if matched is not None else "no CDC figure"
        return (
            NOT_CHECKABLE,
            f"Not checkable: CDC had published no figure for {claimed} to be set against by {date} ({reason}).",
        )
    verdict = head["verdict"]
    unpublished = ""
    if matched is not None and matched["tier"] == matching.NO_TIER and not matched["eligible"]:
        unpublished = f"CDC had not yet published {matched['period']} on {date}, and "
    if verdict == OVERSTATES:
        text = (
            f"Overstates: {unpublished}{claimed} is at least {ratio_text(head['ratio_low'])} times CDC's count in "
            f"every comparison CDC had published by {date}; the closest is {head['cdc_phrase']}."
        )
    elif verdict == UNDERSTATES:
        text = (
            f"Understates: {unpublished}{claimed} is at most {ratio_text(head['ratio_high'])} times CDC's count "
            f"in every comparison CDC had published by {date}; the closest is {head['cdc_phrase']}."
        )
    elif row["qualifier"] == qualifiers.FLOOR and float(head["ratio_low"]) <= 1:
        text = (
            f"Consistent with CDC: {unpublished}{claimed} is a floor CDC's count meets: "
            f"{head['cdc_phrase']}{_per_day(float(head['cdc_value']), row)}."
        )
    elif row["qualifier"] == qualifiers.RANGE:
        text = (
            f"Consistent with CDC: {unpublished}{head['cdc_phrase']} lies within {claimed}, allowing "
            f"{thresholds.percent}."
        )
    else:
        text = (
            f"Consistent with CDC: {unpublished}{claimed} is {ratio_text(head['ratio_low'])} times, within "
            f"{thresholds.percent} of, {head['cdc_phrase']}."
        )
    return verdict, text


# ---------------------------------------------------------------------------------------------
# The scored comparison: data/processed/claims_vs_cdc.csv

VERDICT_COLUMNS = [
    "verdict",
    "verdict_sentence",
    "headline_comparison",
    "headline_ratio_low",
    "headline_ratio_high",
    "smallest_ratio",
    "largest_ratio",
    "tolerance",
]


def score(
    comparison: pd.DataFrame,
    judged: pd.DataFrame,
    claims: pd.DataFrame,
    releases: pd.DataFrame,
    thresholds: Thresholds = DEFAULT,
) -> pd.DataFrame:
    """``comparison`` (:func:`analysis.matching.claims_vs_cdc`) with :data:`VERDICT_COLUMNS` and the
    sensitivity ratios (:func:`analysis.sensitivity.wide_ratios`). Counter-figures get no verdict."""
    rows = {claim_id: part for claim_id, part in judged.groupby("claim_id", sort=False)}
    quotes = claims.set_index("claim_id")
    out = []
    for row in comparison.itertuples(index=False):
        row = pd.Series(row._asdict())
        record = dict.fromkeys(VERDICT_COLUMNS, pd.NA)
        record.update(verdict="", verdict_sentence="", headline_comparison="", tolerance=thresholds.tolerance)
        if row["kind"] == "claim":
            part = rows.get(row["claim_id"])
            head = matched = None
            if part is not None:
                heads = part[part["headline"]]
                head = heads.iloc[0] if len(heads) else None
                matched = part[part["comparison"] == "matched"].iloc[0]
                eligible = part[part["eligible"] & part["ratio_low"].notna()]
                if len(eligible):
                    record.update(
                        smallest_ratio=eligible["ratio_low"].min(), largest_ratio=eligible["ratio_high"].max()
                    )
            elif row["tier"] != matching.NO_TIER:
                matched = pd.Series(
                    {
                        "cdc_phrase": _phrase_of(row),
                        "cdc_figure": row["cdc_figure"],
                        "tier": row["tier"],
                        "eligible": True,
                        "period": "",
                    }
                )
            words = (
                qualifiers.read_qualifier(
                    quotes.loc[row["claim_id"], "quote"],
                    pd.NA,
                    pd.NA,
                    row["claim_id"],
                    quotes.loc[row["claim_id"], "unit_qualifier"],
                ).as_written
                if row["qualifier"] == qualifiers.NONE
                else ""
            )
            verdict, sentence = verdict_sentence(row, head, matched, thresholds, words)
            record.update(verdict=verdict, verdict_sentence=sentence)
            if head is not None:
                record.update(
                    headline_comparison=head["comparison"],
                    headline_ratio_low=head["ratio_low"],
                    headline_ratio_high=head["ratio_high"],
                )
        out.append(record)
    verdicts = pd.DataFrame(out, columns=VERDICT_COLUMNS)
    for column in ("headline_ratio_low", "headline_ratio_high", "smallest_ratio", "largest_ratio", "tolerance"):
        verdicts[column] = verdicts[column].astype("Float64")
    wide = sensitivity.wide_ratios(judged, claims, releases, comparison["claim_id"])
    return pd.concat([comparison.reset_index(drop=True), verdicts, wide.drop(columns="claim_id")], axis=1)


def _phrase_of(row: pd.Series) -> str:
    """The matched figure in a sentence for an unquantified claim (no sensitivity rows)."""
    return str(row["cdc_figure"])


def scored_comparison(
    claims: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    releases: pd.DataFrame,
    thresholds: Thresholds = DEFAULT,
    band: revisions.BandBasis | None = None,
) -> pd.DataFrame:
    """:func:`score` from the loaded inputs: what ``data/processed/claims_vs_cdc.csv`` holds (``band``:
    what the revision band rests on, see :func:`analysis.sensitivity.context_for`)."""
    comparison = matching.claims_vs_cdc(claims, cdc_tidy, releases)
    judged = judge_table(sensitivity.sensitivity_table(claims, cdc_tidy, releases, band=band), comparison, thresholds)
    return score(comparison, judged, claims, releases, thresholds)


# ---------------------------------------------------------------------------------------------
# The front page: one row per scored claim or claim group

HEADLINE_COLUMNS = [
    "claim_id",
    "claim_ids",
    "scope",
    "topic",
    "date",
    "speaker",
    "quote",
    "claimed",
    "qualifier",
    "verdict",
    "verdict_sentence",
    "cdc_figure",
    "cdc_value",
    "comparison",
    "comparison_label",
    "ratio_low",
    "ratio_high",
    "smallest_ratio",
    "largest_ratio",
    "tier",
    "tolerance",
    "rule",
    "source_url",
]
#: Comparison key -> its title in words (for readers).
_TITLES = {item.key: item.title for item in sensitivity.COMPARISONS}
SCOPE_CLAIM = "claim"
SCOPE_GROUP = "group"


def _per_year_rows(
    scored: pd.DataFrame, judged: pd.DataFrame, claims: pd.DataFrame, thresholds: Thresholds
) -> list[dict]:
    quotes = claims.set_index("claim_id")
    heads = judged[judged["headline"]].set_index("claim_id")
    rows = []
    for row in scored[scored["kind"] == "claim"].itertuples(index=False):
        head = heads.loc[row.claim_id] if row.claim_id in heads.index else None
        words = (
            qualifiers.read_qualifier(
                quotes.loc[row.claim_id, "quote"],
                pd.NA,
                pd.NA,
                row.claim_id,
                quotes.loc[row.claim_id, "unit_qualifier"],
            ).as_written
            if row.qualifier == qualifiers.NONE
            else ""
        )
        rows.append(
            {
                "claim_id": row.claim_id,
                "claim_ids": row.claim_id,
                "scope": SCOPE_CLAIM,
                "topic": row.topic,
                "date": row.date,
                "speaker": row.speaker,
                "quote": quotes.loc[row.claim_id, "quote"],
                "claimed": claimed_words(
                    row.stated_low, row.stated_high, row.stated_unit, row.qualifier, row.qualifier_words, words
                ),
                "qualifier": row.qualifier,
                "verdict": row.verdict,
                "verdict_sentence": row.verdict_sentence,
                "cdc_figure": head["cdc_phrase"] if head is not None else row.cdc_figure,
                "cdc_value": head["cdc_value"] if head is not None else row.cdc_value,
                "comparison": row.headline_comparison,
                "comparison_label": _TITLES.get(row.headline_comparison, ""),
                "ratio_low": row.headline_ratio_low,
                "ratio_high": row.headline_ratio_high,
                "smallest_ratio": row.smallest_ratio,
                "largest_ratio": row.largest_ratio,
                "tier": head["tier"] if head is not None else row.tier,
                "tolerance": thresholds.tolerance,
                "rule": thresholds.rule_text(),
                "source_url": row.source_url,
            }
        )
    return rows


def per_boat_group(lives: pd.DataFrame, claims: pd.DataFrame, thresholds: Thresholds = DEFAULT) -> dict | None:
    """The lives-per-boat claims as one row: not checkable (dose arithmetic), with the conditional of the
    latest dated claim."""
    from . import boats

    dated = lives[lives["lives_implied_high"].notna()]
    if dated.empty:
        return None
    last = dated.iloc[-1]
    quote = claims.set_index("claim_id").loc[last["claim_id"], "quote"]
    per = f"{last['qualifier_words'] + ' ' if last['qualifier_words'] else ''}{float(last['per_boat_low']):,.0f}"
    sentence = f"Not checkable: {boats.DOSE_CLAUSE}; {last['conditional'][0].lower()}{last['conditional'][1:]}"
    return {
        "claim_id": last["claim_id"],
        "claim_ids": ", ".join(lives["claim_id"]),
        "scope": SCOPE_GROUP,
        "topic": compare.PER_BOAT_TOPIC,
        "date": last["date"],
        "speaker": ", ".join(dict.fromkeys(lives["speaker"])),
        "quote": quote,
        "claimed": f"{per} lives saved per boat destroyed ({len(lives)} statements)",
        "qualifier": last["qualifier"],
        "verdict": NOT_CHECKABLE,
        "verdict_sentence": sentence,
        "cdc_figure": last["cdc_source"],
        "cdc_value": last["all_drugs_cdc"],
        "comparison": "lives_per_boat_conditional",
        "comparison_label": "lives per boat x boats destroyed, as a conditional (dose arithmetic)",
        "ratio_low": last["ratio_all_drugs_low"],
        "ratio_high": last["ratio_all_drugs_high"],
        "smallest_ratio": pd.NA,
        "largest_ratio": pd.NA,
        "tier": last["tier"],
        "tolerance": thresholds.tolerance,
        "rule": thresholds.rule_text(),
        "source_url": last["source_url"],
    }


def flow_group(flow: pd.DataFrame, claims: pd.DataFrame, thresholds: Thresholds = DEFAULT) -> dict | None:
    """The seaborne-flow claims as one row: not checkable (no public measure of flow)."""
    claimed = flow[(flow["measure"] == "claimed_flow_cut") & flow["date_value"].notna()]
    numbers = claimed[claimed["reduction_pct"].notna()].sort_values("date_value", kind="stable")
    if numbers.empty:
        return None
    last = numbers.iloc[-1]
    occasions = int((claimed["repeat_of"] == "").sum())
    worded = [w for w in claimed["stated_wording"] if w]
    unquantified = int((claimed["reduction_pct"].isna() & (claimed["stated_wording"] == "")).sum())
    extra = "".join(
        [f", once '{w}'" for w in worded]
        + (
            [", and once gave no number" if unquantified == 1 else f", and {unquantified} gave no number"]
            if unquantified
            else []
        )
    )
    seizures = flow[flow["measure"] == "seizure_weight"]
    evidence = ""
    if len(seizures):
        first = seizures.iloc[0]
        evidence = (
            f"; the evidence the White House offered, a {float(first['reduction_pct']):.0f}% "
            f"{first['what_it_measures'].split(':')[0]}, measures seizures, not flow"
        )
    sentence = (
        f"Not checkable: no public data measure the drugs moving by sea; {len(claimed)} dated statements on "
        f"{occasions} occasions, {matching.day_words(claimed['date_value'].min())} to "
        f"{matching.day_words(claimed['date_value'].max())}, put the cut at "
        f"{numbers['reduction_pct'].min():.0f}% to {numbers['reduction_pct'].max():.0f}%{extra}{evidence}."
    )
    quote = claims.set_index("claim_id").loc[last["claim_id"], "quote"]
    return {
        "claim_id": last["claim_id"],
        "claim_ids": ", ".join(flow.loc[flow["measure"] == "claimed_flow_cut", "claim_id"]),
        "scope": SCOPE_GROUP,
        "topic": compare.FLOW_TOPIC,
        "date": last["date"],
        "speaker": ", ".join(dict.fromkeys(claimed["speaker"])),
        "quote": quote,
        "claimed": (
            f"a cut of {numbers['reduction_pct'].min():.0f}% to {numbers['reduction_pct'].max():.0f}% "
            "in drugs arriving by sea"
        ),
        "qualifier": qualifiers.RANGE,
        "verdict": NOT_CHECKABLE,
        "verdict_sentence": sentence,
        "cdc_figure": "",
        "cdc_value": pd.NA,
        "comparison": "",
        "comparison_label": "",
        "ratio_low": pd.NA,
        "ratio_high": pd.NA,
        "smallest_ratio": pd.NA,
        "largest_ratio": pd.NA,
        "tier": matching.NO_TIER,
        "tolerance": thresholds.tolerance,
        "rule": thresholds.rule_text(),
        "source_url": last["source_url"],
    }


def headline_verdicts(
    claims: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    releases: pd.DataFrame,
    strikes: pd.DataFrame,
    thresholds: Thresholds = DEFAULT,
    band: revisions.BandBasis | None = None,
) -> pd.DataFrame:
    """The verdicts for the report's front page: one row per scored per-year claim (ledger order),
    then one row for the lives-per-boat claims and one for the seaborne-flow claims.

    Inputs are the loaded ledgers (:func:`analysis.ledgers.load`), the tidy CDC table and the
    release calendar (:func:`analysis.releases.load_releases`). Columns :data:`HEADLINE_COLUMNS`:
    ``verdict`` is one of :data:`VERDICTS`; ``verdict_sentence`` one computed sentence with the
    claimed number and the CDC figure it is set against; ``cdc_figure`` that figure with its
    product, period and release; ``comparison`` the sensitivity comparison it comes from
    (:mod:`analysis.sensitivity`); ``tolerance`` and ``rule`` the thresholds used.
    """
    from . import boats

    comparison = matching.claims_vs_cdc(claims, cdc_tidy, releases)
    judged = judge_table(sensitivity.sensitivity_table(claims, cdc_tidy, releases, band=band), comparison, thresholds)
    scored = score(comparison, judged, claims, releases, thresholds)
    rows = _per_year_rows(scored, judged, claims, thresholds)
    for group in (
        per_boat_group(boats.lives_per_boat(claims, strikes, cdc_tidy, releases), claims, thresholds),
        flow_group(compare.seaborne_flow_series(claims), claims, thresholds),
    ):
        if group is not None:
            rows.append(group)
    out = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    for column in ("cdc_value", "ratio_low", "ratio_high", "smallest_ratio", "largest_ratio", "tolerance"):
        out[column] = out[column].astype("Float64")
    return out


def verdict_lines(scored: pd.DataFrame, thresholds: Thresholds = DEFAULT) -> list[str]:
    """The rule with its threshold, then one line per claim: its id, date, speaker and verdict sentence."""
    lines = [f"The rule (tolerance {thresholds.percent}): {thresholds.rule_text()}"]
    for row in scored[scored["kind"] == "claim"].itertuples(index=False):
        when = matching.day_words(row.date) if len(row.date) == 10 else row.date
        lines.append(f"{row.claim_id} ({when}, {row.speaker}): {row.verdict_sentence}")
    return lines


def robustness_lines(judged: pd.DataFrame) -> list[str]:
    """Per claim: in how many of its usable comparisons the verdict is the headline's, and where not,
    which comparison gives which verdict (the table's "how far the others move it", in words); then
    the revision band, claim by claim (:func:`analysis.sensitivity.band_lines`)."""
    lines = []
    for claim_id, part in judged.groupby("claim_id", sort=False):
        heads = part[part["headline"]]
        if heads.empty:
            lines.append(f"{claim_id}: no comparison CDC had published by the claim's date")
            continue
        verdict = heads["verdict"].iloc[0]
        usable = part[part["eligible"] & part["ratio_low"].notna()]
        others = usable[usable["verdict"] != verdict]
        text = (
            f"{claim_id}: {verdict} in {len(usable) - len(others)} of {len(usable)} comparisons usable for the verdict"
        )
        if len(others):
            titles = {item.key: item.title for item in sensitivity.COMPARISONS}
            text += "; " + ", ".join(
                f"{titles.get(row.comparison, row.comparison)} {ratio_text(row.ratio_low)}: {row.verdict}"
                for row in others.itertuples()
            )
        lines.append(text)
    return lines + sensitivity.band_lines(judged)
