"""What the boats carry and what kills: "each boat destroyed saves 25,000 lives" as a conditional.

"Every boat we knock out, we save 25,000 American lives" (and "enough drugs to kill 25,000") is
dose arithmetic: how many lethal doses a cargo could make. Death counts cannot test it. What they
can do is put the arithmetic beside what CDC counts, worded as the conditional it is
(:func:`lives_per_boat`): *if* each boat destroyed saved 25,000 lives, the N boats the strike
ledger shows destroyed by the claim's date *would have* saved N x 25,000, against a year of all
drug overdose deaths, of deaths involving synthetic opioids (T40.4) and of deaths involving
cocaine (T40.5), the drug that moves by sea. CDC counts a death under every drug involved, so a
cocaine death that also involves fentanyl is in both of those counts: the three are never added.

The CDC period is the one CDC had out on the claim's date (:mod:`analysis.matching`, release
calendar): the snapshot's figure, or beyond it the figure quoted from that release (tier
``quoted release``), never silently mixed.

:func:`route_facts` sorts the context facts (``data/raw/context_facts.csv``) into what moves by
sea, what by land, and the dose arithmetic, by one rule on each fact's topic and unit.
"""

from __future__ import annotations

import re

import pandas as pd

from . import compare, matching, qualifiers
from .matching import ALL_DRUGS, SYNTHETIC_OPIOIDS

COCAINE = "cocaine"
#: The classes the lives-per-boat arithmetic is set against, in display order.
PER_BOAT_CLASSES = (ALL_DRUGS, SYNTHETIC_OPIOIDS, COCAINE)
_SHORT = {ALL_DRUGS: "all drugs", SYNTHETIC_OPIOIDS: "synthetic", COCAINE: "cocaine"}

#: How CDC counts overlapping classes, as every lives-per-boat table and chart says it.
OVERLAP_NOTE = (
    "CDC counts a death under every drug involved, so a cocaine death that also involves fentanyl "
    "is in both the cocaine and the synthetic-opioid counts: the classes overlap and are never added."
)
DOSE_CLAUSE = (
    "'enough drugs to kill 25,000' is dose arithmetic (how many lethal doses a cargo could make), "
    "which death counts cannot test"
)
DOSE_NOTE = "'E" + DOSE_CLAUSE[2:] + "."


def vessels_announced_by(strikes: pd.DataFrame, when: object) -> tuple[int, int]:
    """(strike rows, vessels) of the strike ledger announced on or before ``when``.

    The ledger's ``announced_date`` is used: a speaker can only count strikes already made public.
    """
    announced = pd.to_datetime(strikes["announced_date"], format="%Y-%m-%d")
    mask = announced <= pd.Timestamp(when)
    vessels = strikes.loc[mask, "vessels"]
    if vessels.isna().any():
        raise compare.MatchError("strike ledger: a row announced by the claim's date has a blank vessels count")
    return int(mask.sum()), int(vessels.sum())


LIVES_PER_BOAT_COLUMNS = [
    "claim_id",
    "date",
    "speaker",
    "per_boat_low",
    "per_boat_high",
    "qualifier",
    "qualifier_words",
    "strikes_by_date",
    "vessels_by_date",
    "lives_implied_low",
    "lives_implied_high",
    "cdc_period_end",
    "tier",
    "release_at_claim_date",
    "release_basis",
    *[f"{key}_cdc" for key in PER_BOAT_CLASSES],
    *[f"ratio_{_SHORT[key].replace(' ', '_')}_{end}" for key in PER_BOAT_CLASSES for end in ("low", "high")],
    "cdc_source",
    "conditional",
    "note",
    "source_url",
]


def _ratio(value: float | None, cdc: float | None) -> object:
    if value is None or cdc is None or cdc == 0:
        return pd.NA
    return round(value / cdc, compare.RATIO_DECIMALS)


def _span(low: float, high: float, ratio: bool = False) -> str:
    def one(value: float) -> str:
        return f"{value:.2f}" if ratio and value < 100 else f"{value:,.0f}"

    return one(low) if one(low) == one(high) else f"{one(low)} to {one(high)}"


def conditional_sentence(
    per_low: float, per_high: float, words: str, vessels: int, day: object, figures: dict, implied: tuple[float, float]
) -> str:
    """ "If each boat destroyed saved 25,000 lives, the 37 boats the strike ledger shows destroyed by
    29 Jan 2026 would have saved 925,000: 12.67 times an estimated 73,000 all drug overdose deaths,
    ... in the 12 months ending Aug 2025 (...)" (figures: class -> :class:`analysis.matching.CdcFigure`)."""
    per = f"{words + ' ' if words else ''}{_span(per_low, per_high)}"
    lives = f"{words + ' ' if words else ''}{_span(*implied)}"
    parts, periods, sources = [], [], []
    for key in PER_BOAT_CLASSES:
        figure = figures[key]
        if figure.value is None:
            parts.append(f"no CDC figure for {matching.CLASS_DEATHS[key]} ({figure.reason})")
            continue
        ratios = _span(implied[0] / figure.value, implied[1] / figure.value, ratio=True)
        parts.append(f"{ratios} times {figure.stated} {matching.CLASS_DEATHS[key]}")
        periods.append(figure.period_words)
        sources.append(figure.source_words)
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    tail = ""
    if periods:
        tail = f" in {' and '.join(dict.fromkeys(periods))} ({'; '.join(dict.fromkeys(sources))})"
    boats = "boat" if vessels == 1 else "boats"
    return (
        f"If each boat destroyed saved {per} lives, the {vessels} {boats} the strike ledger shows destroyed by "
        f"{matching.day_words(day)} would have saved {lives}: {listed}{tail}."
    )


@compare._located
def lives_per_boat(
    claims: pd.DataFrame, strikes: pd.DataFrame, cdc_tidy: pd.DataFrame, releases: pd.DataFrame
) -> pd.DataFrame:
    """Every ``lives_saved_per_boat`` claim multiplied out, against three CDC classes.

    Lives implied = claimed lives per boat x vessels the strike ledger shows announced destroyed by
    the claim's date. CDC figures (``<class>_cdc``): the latest period CDC had published at the
    claim's date, all drug overdose deaths, synthetic opioids (T40.4) and cocaine (T40.5); the
    snapshot's predicted value, or the figure quoted from a later release (``tier``). ``ratio_*`` =
    lives implied ÷ that figure; ``conditional`` says it as the conditional it is. A claim with no
    date gets no vessel count and no ratio. Columns :data:`LIVES_PER_BOAT_COLUMNS`, in ledger order.
    """
    context = matching.Context.build(claims, cdc_tidy, releases)
    rows = []
    for claim in claims[claims["topic"] == compare.PER_BOAT_TOPIC].itertuples(index=False):
        if claim.unit_base != "lives_per_boat":
            raise compare.MatchError(
                f"claim {claim.claim_id}, field unit: expected lives_per_boat, got {claim.unit_base!r}"
            )
        qualifier = qualifiers.read_qualifier(claim.quote, claim.value_low, claim.value_high, claim.claim_id)
        row = dict.fromkeys(LIVES_PER_BOAT_COLUMNS, pd.NA)
        row.update(
            claim_id=claim.claim_id,
            date=compare._text(claim.date),
            speaker=claim.speaker,
            per_boat_low=claim.value_low,
            per_boat_high=claim.value_high,
            qualifier=qualifier.kind,
            qualifier_words=qualifier.words,
            source_url=claim.source_url,
            cdc_source="",
            conditional="",
            tier=matching.NO_TIER,
            release_at_claim_date="",
            release_basis="",
            cdc_period_end="",
        )
        release = matching.release_at(releases, claim.date_value)
        if compare._missing(claim.date_value) or release is None:
            row["note"] = "no date (or none in the release calendar): vessels destroyed by then cannot be counted"
            rows.append(row)
            continue
        strikes_by, vessels_by = vessels_announced_by(strikes, claim.date_value)
        figures = {key: context.period_figure(key, release.period) for key in PER_BOAT_CLASSES}
        low = float(claim.value_low) * vessels_by
        high = float(claim.value_high) * vessels_by
        tiers = sorted({figure.tier for figure in figures.values()})
        row.update(
            strikes_by_date=strikes_by,
            vessels_by_date=vessels_by,
            lives_implied_low=low,
            lives_implied_high=high,
            cdc_period_end=release.period,
            tier=" and ".join(tiers),
            release_at_claim_date=release.release_date.isoformat(),
            release_basis=release.basis,
            cdc_source="; ".join(figure.text or figure.reason for figure in figures.values()),
            conditional=conditional_sentence(
                float(claim.value_low),
                float(claim.value_high),
                qualifier.words,
                vessels_by,
                claim.date_value,
                figures,
                (low, high),
            ),
            note=(
                f"strikes announced by {compare._text(claim.date)}; CDC: the 12 months ending "
                f"{matching.month_words(release.period)}, the latest period of the {matching.release_words(release)}"
            ),
        )
        for key, figure in figures.items():
            row[f"{key}_cdc"] = figure.value
            row[f"ratio_{_SHORT[key].replace(' ', '_')}_low"] = _ratio(low, figure.value)
            row[f"ratio_{_SHORT[key].replace(' ', '_')}_high"] = _ratio(high, figure.value)
        rows.append(row)
    out = pd.DataFrame(rows, columns=LIVES_PER_BOAT_COLUMNS)
    floats = [
        "per_boat_low",
        "per_boat_high",
        "lives_implied_low",
        "lives_implied_high",
        *[f"{key}_cdc" for key in PER_BOAT_CLASSES],
        *[c for c in LIVES_PER_BOAT_COLUMNS if c.startswith("ratio_")],
    ]
    for column in floats:
        out[column] = out[column].astype("Float64")
    for column in ("strikes_by_date", "vessels_by_date"):
        out[column] = out[column].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------------
# What moves by sea and by land (context facts)

BY_SEA = "by sea"
BY_LAND = "by land"
DOSE_ARITHMETIC = "dose arithmetic"
SUPPLY = "supply and source"
FLOW_EVIDENCE = "evidence offered for the flow claim"
DEATHS = "deaths"
ROUTES = (BY_SEA, BY_LAND, DOSE_ARITHMETIC, SUPPLY, FLOW_EVIDENCE, DEATHS)

#: Context-fact topic -> route (release 2026-12). A topic not listed here is refused.
ROUTE_OF_TOPIC = {
    "cocaine_route_sea": BY_SEA,
    "coast_guard_cocaine": BY_SEA,
    "fentanyl_route_ports_of_entry": BY_LAND,
    "cbp_fentanyl_seizures": BY_LAND,
    "drug_route_overland": BY_LAND,
    "fentanyl_source": SUPPLY,
    "unodc_cocaine": SUPPLY,
    "official_response_97pct": FLOW_EVIDENCE,
    "dea_ndta_2025": DEATHS,
}
_DOSE = re.compile(r"lethal[- ]doses?|lethal-dose", re.IGNORECASE)

ROUTE_FACT_COLUMNS = ["fact_id", "route", "topic", "what", "period", "originator", "source_kind", "quote", "source_url"]


def route_of(topic: str, unit: str, fact_id: str = "?") -> str:
    """The route of one fact: dose arithmetic when its unit speaks of lethal doses, else by topic."""
    if _DOSE.search(unit or ""):
        return DOSE_ARITHMETIC
    if topic not in ROUTE_OF_TOPIC:
        raise ValueError(
            f"context fact {fact_id}, field topic: {topic!r} has no route; known: {', '.join(ROUTE_OF_TOPIC)}"
        )
    return ROUTE_OF_TOPIC[topic]


def _what(figure: object, unit: str, quote: str) -> str:
    """A fact's figure and unit, or, for a fact with no figure, its quote."""
    if compare._missing(figure):
        return f'"{quote}"'
    return f"{float(figure):,.0f} {unit}"


def route_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """The context facts sorted by route (:data:`ROUTES` order, then file order)."""
    rows = []
    for fact in facts.itertuples(index=False):
        rows.append(
            {
                "fact_id": fact.fact_id,
                "route": route_of(fact.topic, fact.unit, fact.fact_id),
                "topic": fact.topic,
                "what": _what(fact.figure, fact.unit, fact.quote),
                "period": compare._text(fact.period),
                "originator": fact.originator,
                "source_kind": fact.source_kind,
                "quote": fact.quote,
                "source_url": fact.source_url,
            }
        )
    out = pd.DataFrame(rows, columns=ROUTE_FACT_COLUMNS)
    out["_order"] = out["route"].map({route: i for i, route in enumerate(ROUTES)})
    return out.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def route_lines(facts: pd.DataFrame, routes=(BY_SEA, BY_LAND, DOSE_ARITHMETIC)) -> list[str]:
    """One line per route: how many facts, and each fact's figure and period, from the file."""
    table = route_facts(facts)
    lines = []
    for route in routes:
        part = table[table["route"] == route]
        items = "; ".join(f"{row.what} ({row.period}; {row.fact_id})" for row in part.itertuples())
        lines.append(f"{route[0].upper()}{route[1:]} ({len(part)} facts): {items}.")
    return lines
