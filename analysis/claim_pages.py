"""The evidence behind each verdict: the front page's verdict list, and one page per scored claim.

The verdicts are :func:`analysis.verdicts.headline_verdicts` (one row per scored claim of yearly
overdose deaths, then one row for the lives-per-boat claims and one for the seaborne-flow claims).
This module turns them into what the report shows, computed, never typed:

* :func:`verdict_groups`: the front page's list, grouped by verdict with counts, each item the row's
  ``verdict_sentence`` (its number and the CDC figure it is set against) with a link to its page;
  :func:`summary_line` says the counts in one sentence.
* :func:`claim_page` / :func:`group_page`: the context of one evidence page (template
  ``claim.html.j2``): the quote, speaker, date and occasion; the source (originator and kind in
  words, weak pages marked, the address); the CDC figure and the release it comes from (tier); every
  row of the claim's sensitivity table (whatever comparisons the registry holds); and the rule that
  gave the verdict, with the clause that applied (:func:`rule_applied`).

Page names are ``claim-<id>.html`` for a claim and ``claim-lives-per-boat.html`` /
``claim-seaborne-flow.html`` for the two groups (:func:`page_name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import boats, compare, matching, prose, qualifiers, sensitivity, sources, verdicts
from .tables import is_web_address, link_label

PAGE_PREFIX = "claim-"
#: The group rows' pages, by the row's topic.
GROUP_PAGES = {
    compare.PER_BOAT_TOPIC: "claim-lives-per-boat.html",
    compare.FLOW_TOPIC: "claim-seaborne-flow.html",
}

#: The order of the front page's groups, and each group's heading (for one and for several rows).
VERDICT_ORDER = (verdicts.OVERSTATES, verdicts.UNDERSTATES, verdicts.CONSISTENT, verdicts.NOT_CHECKABLE)
HEADINGS = {
    verdicts.OVERSTATES: ("overstates CDC's count", "overstate CDC's count"),
    verdicts.UNDERSTATES: ("understates CDC's count", "understate CDC's count"),
    verdicts.CONSISTENT: ("is consistent with CDC's count", "are consistent with CDC's count"),
    verdicts.NOT_CHECKABLE: (
        "cannot be checked against a count of deaths",
        "cannot be checked against a count of deaths",
    ),
}

#: Each tier in words (where the CDC figure comes from).
TIER_WORDS = {
    matching.SNAPSHOT: "this project's copy of CDC's data",
    matching.QUOTED: "a figure quoted from that CDC release by a news report (the release is later than this "
    "project's copy of CDC's data)",
    matching.NO_TIER: "no CDC figure",
}

#: Each qualifier in words (how the claimed figure is read).
QUALIFIER_WORDS = {
    qualifiers.FLOOR: 'a floor ("over N"): true of any larger number',
    qualifiers.RANGE: 'a range ("N to M")',
    qualifiers.POINT: 'a single figure ("N" or "about N")',
    qualifiers.CEILING: 'a ceiling ("up to N")',
    qualifiers.NONE: "no number",
}

_TITLES = {item.key: item.title for item in sensitivity.COMPARISONS}


def page_name(row: Any) -> str:
    """The evidence page of a headline row (``claim-C001.html``, or a group's page)."""
    if row["scope"] == verdicts.SCOPE_GROUP:
        if row["topic"] not in GROUP_PAGES:
            raise ValueError(f"no evidence page for the group of topic {row['topic']!r}")
        return GROUP_PAGES[row["topic"]]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", str(row["claim_id"])):
        raise ValueError(f"claim id {row['claim_id']!r} cannot name a page")
    return f"{PAGE_PREFIX}{row['claim_id']}.html"


def _when(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if not text:
        return "undated"
    try:
        return prose.date(text)
    except ValueError:
        return prose.humanize_dates(text)


def shown_sentence(sentence: str) -> str:
    """A verdict sentence as the front page shows it under its group's heading: without the leading
    verdict word ("Overstates: 250,000 ..." -> "250,000 ..."), first letter capitalised."""
    head, sep, rest = str(sentence).partition(": ")
    if not sep or head.lower() not in {verdict.lower() for verdict in verdicts.VERDICTS}:
        return str(sentence)
    return rest[:1].upper() + rest[1:]


# ---------------------------------------------------------------------------------------------
# The front page's verdicts


@dataclass
class VerdictItem:
    """One verdict as the front page lists it."""

    claim_id: str
    href: str
    who: str
    when: str
    claimed: str
    verdict: str
    sentence: str  # the headline row's verdict_sentence, whole
    text: str  # the sentence as shown under the group heading (:func:`shown_sentence`)
    link_label: str  # the evidence link's accessible name

    @property
    def lead(self) -> str:
        """The start of :attr:`text` that states the claimed figure (shown in bold), or ""."""
        return self.text[: len(self.claimed)] if self.text.lower().startswith(self.claimed.lower()) else ""

    @property
    def rest(self) -> str:
        return self.text[len(self.lead) :]


@dataclass
class VerdictGroup:
    verdict: str
    heading: str
    count: int
    items: list[VerdictItem] = field(default_factory=list)


def verdict_items(headline: pd.DataFrame) -> list[VerdictItem]:
    """Every headline row as a :class:`VerdictItem`, in the rows' order."""
    out = []
    for _, row in headline.iterrows():
        group = row["scope"] == verdicts.SCOPE_GROUP
        who = str(row["speaker"])
        when = f"{_statement_count(row)} statements, to {_when(row['date'])}" if group else _when(row["date"])
        out.append(
            VerdictItem(
                claim_id=str(row["claim_id"]),
                href=page_name(row),
                who=who,
                when=when,
                claimed=str(row["claimed"]),
                verdict=str(row["verdict"]),
                sentence=str(row["verdict_sentence"]),
                text=shown_sentence(row["verdict_sentence"]),
                link_label=f"The evidence: {who}, {when}",
            )
        )
    return out


def _statement_count(row: Any) -> int:
    return len([part for part in str(row["claim_ids"]).split(",") if part.strip()])


def verdict_groups(headline: pd.DataFrame) -> list[VerdictGroup]:
    """The verdicts grouped by verdict (:data:`VERDICT_ORDER`), empty groups left out."""
    items = verdict_items(headline)
    groups = []
    for verdict in VERDICT_ORDER:
        chosen = [item for item in items if item.verdict == verdict]
        if not chosen:
            continue
        one, many = HEADINGS[verdict]
        noun = "claim" if len(chosen) == 1 else "claims"
        groups.append(
            VerdictGroup(verdict, f"{len(chosen):,} {noun} {one if len(chosen) == 1 else many}", len(chosen), chosen)
        )
    unknown = sorted({item.verdict for item in items} - set(VERDICT_ORDER))
    if unknown:
        raise ValueError(f"unknown verdict(s) {unknown}; expected one of {', '.join(VERDICT_ORDER)}")
    return groups


def summary_line(headline: pd.DataFrame) -> str:
    """The verdicts' counts in one sentence, with what the not-checkable ones are."""
    per_year = headline[headline["scope"] == verdicts.SCOPE_CLAIM]
    groups = headline[headline["scope"] == verdicts.SCOPE_GROUP]
    counts = {verdict: int((per_year["verdict"] == verdict).sum()) for verdict in verdicts.VERDICTS}
    parts = []
    if counts[verdicts.OVERSTATES]:
        parts.append(f"{counts[verdicts.OVERSTATES]:,} overstate CDC's count")
    if counts[verdicts.UNDERSTATES]:
        parts.append(f"{counts[verdicts.UNDERSTATES]:,} understate it")
    if counts[verdicts.CONSISTENT]:
        parts.append(
            f"{counts[verdicts.CONSISTENT]:,} {'is' if counts[verdicts.CONSISTENT] == 1 else 'are'} consistent with it"
        )
    unchecked = per_year[per_year["verdict"] == verdicts.NOT_CHECKABLE]
    no_number = int((unchecked["qualifier"] == qualifiers.NONE).sum())
    no_figure = len(unchecked) - no_number
    if no_number:
        parts.append(f"{no_number:,} give{'s' if no_number == 1 else ''} no number")
    if no_figure:
        parts.append(f"{no_figure:,} had no CDC figure published by {'its' if no_figure == 1 else 'their'} date")
    text = (
        f"Of the {len(per_year):,} statements of yearly overdose deaths checked, " + _join(parts) + "."
        if len(per_year)
        else ""
    )
    if len(groups):
        topics = [_group_words(row) for _, row in groups.iterrows()]
        checkable = groups["verdict"] != verdicts.NOT_CHECKABLE
        text += f" The claims of {_join(topics)}, taken together, " + (
            "cannot be checked against a count of deaths." if not checkable.any() else "are rated on their pages."
        )
    return text.strip()


def _group_words(row: Any) -> str:
    words = {
        compare.PER_BOAT_TOPIC: "lives saved per boat destroyed",
        compare.FLOW_TOPIC: "cuts in drugs arriving by sea",
    }
    return f"{words.get(row['topic'], str(row['topic']).replace('_', ' '))} ({_statement_count(row):,} statements)"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------------------------------------
# One claim's evidence page


def source_of(row: Any) -> dict[str, Any]:
    """A ledger row's source as the page shows it: originator and kind in words, weak marked, address."""
    label = sources.source_label(row["originator"], row["source_kind"])
    url = str(row["source_url"]) if not compare._missing(row["source_url"]) else ""
    return {
        "label": prose.humanize_dates(label.removeprefix(f"{sources.WEAK_MARK} ")),
        "weak": sources.is_weak(row["source_kind"]),
        "kind": sources.kind_words(row["source_kind"]),
        "href": url if is_web_address(url) else "",
        "host": link_label(url) if is_web_address(url) else url,
    }


def ratio_words(low: object, high: object) -> str:
    """``2.21`` or ``2.21 to 2.66`` (ratios for readers); "—" without a figure."""
    if compare._missing(low):
        return "—"
    low_text = prose.ratio(low)
    high_text = prose.ratio(high) if not compare._missing(high) else low_text
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def rule_applied(
    qualifier: str, verdict: str, ratio_low: object, ratio_high: object, thresholds: verdicts.Thresholds
) -> str:
    """The clause of the rule that gave the verdict, with the headline comparison's ratios."""
    pct = thresholds.percent
    top, bottom = 1 + thresholds.tolerance, 1 - thresholds.tolerance
    if qualifier == qualifiers.NONE:
        return "The claim gives no number, so no count can be set against it: not checkable."
    if compare._missing(ratio_low):
        return "CDC had published no figure this claim can be set against by the day it was made: not checkable."
    low, high = prose.ratio(ratio_low), prose.ratio(ratio_high)
    if verdict == verdicts.OVERSTATES:
        figure = "floor" if qualifier == qualifiers.FLOOR else "lowest figure"
        return (
            f"The claim's {figure} is {low} times the CDC figure most generous to it, more than {prose.ratio(top)} "
            f"times ({pct} above): it overstates."
        )
    if verdict == verdicts.UNDERSTATES:
        return (
            f"The claim's highest figure is {high} times the CDC figure most generous to it, less than "
            f"{prose.ratio(bottom)} times ({pct} below): it understates."
        )
    if verdict == verdicts.CONSISTENT:
        if qualifier == qualifiers.FLOOR:
            if float(ratio_low) <= 1:
                return (
                    f"The claim is a floor and CDC's figure meets it (the floor is {low} times CDC's figure): "
                    "consistent with CDC."
                )
            return (
                f"The claim is a floor that CDC's figure misses by no more than {pct} ({low} times): "
                "consistent with CDC."
            )
        if qualifier == qualifiers.RANGE:
            return (
                f"The range, {low} to {high} times CDC's figure, reaches it once widened by {pct}: consistent with CDC."
            )
        if qualifier == qualifiers.CEILING:
            return f"CDC's figure does not exceed the ceiling by more than {pct}: consistent with CDC."
        return (
            f"The claim is {low} times CDC's figure, within {pct} of it (between {prose.ratio(bottom)} and "
            f"{prose.ratio(top)} times): consistent with CDC."
        )
    return "Not checkable."


def _figure_text(row: Any) -> str:
    phrase = row.get("cdc_phrase", "") if hasattr(row, "get") else ""
    if isinstance(phrase, str) and phrase:
        return phrase
    figure = row["cdc_figure"]
    return str(figure) if isinstance(figure, str) and figure else "no figure"


def sensitivity_rows(judged: pd.DataFrame, claim_id: str) -> list[dict[str, Any]]:
    """Every row of one claim's judged sensitivity table (whatever comparisons the registry holds), for
    the page: what it is, the CDC figure, when it was published, the ratio, its verdict, whether it may
    carry the headline (and why not), the headline marked."""
    rows = []
    for _, row in judged[judged["claim_id"] == claim_id].iterrows():
        has = not compare._missing(row["ratio_low"])
        published = str(row["published"]) if isinstance(row["published"], str) and row["published"] else ""
        rows.append(
            {
                "key": str(row["comparison"]),
                "title": _TITLES.get(row["comparison"], str(row["comparison"]).replace("_", " ")),
                "label": prose.humanize_dates(str(row["label"])),
                "figure": prose.humanize_dates(_figure_text(row)),
                "published": _when(published) if published else "—",
                "ratio": ratio_words(row["ratio_low"], row["ratio_high"]),
                "verdict": str(row["verdict"]) if has else verdicts.NOT_CHECKABLE,
                "used": bool(row["eligible"]) and has,
                "why_not": prose.humanize_dates(str(row["why_not"]))
                if not row["eligible"]
                else ("" if has else "no figure"),
                "headline": bool(row["headline"]),
            }
        )
    return rows


def _release_words(row: Any) -> str:
    """The CDC release out on the claim's date, in words."""
    released = row.get("release_at_claim_date", "")
    if compare._missing(released) or not str(released):
        return "No CDC release is on record before the claim's date."
    basis = row.get("release_basis", "")
    assumed = " (its date assumed from CDC's regular schedule, not read on a page)" if basis == "schedule" else ""
    return f"The latest CDC release on the claim's date was that of {_when(str(released)[:10])}{assumed}."


@dataclass(frozen=True)
class ClaimInputs:
    """What the evidence pages are computed from (loaded once per build)."""

    headline: pd.DataFrame
    judged: pd.DataFrame
    comparison: pd.DataFrame  # the scored comparison (verdicts.scored_comparison)
    claims: pd.DataFrame
    lives: pd.DataFrame
    flow: pd.DataFrame
    facts: pd.DataFrame | None
    thresholds: verdicts.Thresholds


def claim_page(row: pd.Series, inputs: ClaimInputs) -> dict[str, Any]:
    """The context of one per-year claim's evidence page (``row``: a headline row of scope ``claim``)."""
    ledger = inputs.claims.set_index("claim_id").loc[row["claim_id"]]
    matched = inputs.comparison[inputs.comparison["claim_id"] == row["claim_id"]].iloc[0]
    tier = str(row["tier"]) if isinstance(row["tier"], str) else matching.NO_TIER
    how = [prose.humanize_dates(str(matched["note"]))] if isinstance(matched["note"], str) and matched["note"] else []
    return {
        "kind": "claim",
        "claim_id": str(row["claim_id"]),
        "title": f"{row['speaker']}, {_when(row['date'])}: {row['claimed']}",
        "verdict": str(row["verdict"]),
        "sentence": shown_sentence(row["verdict_sentence"]),
        "statements": [
            {
                "claim_id": str(row["claim_id"]),
                "quote": str(ledger["quote"]),
                "speaker": str(ledger["speaker"]),
                "role": "" if compare._missing(ledger["role"]) else str(ledger["role"]),
                "date": _when(ledger["date"]),
                "venue": "" if compare._missing(ledger["venue"]) else prose.humanize_dates(str(ledger["venue"])),
                "source": source_of(ledger),
                "checked": ""
                if compare._missing(ledger["checked_against"])
                else prose.humanize_dates(str(ledger["checked_against"])),
                "figure": "",
            }
        ],
        "claimed": str(row["claimed"]),
        "qualifier": QUALIFIER_WORDS.get(row["qualifier"], str(row["qualifier"])),
        "cdc": {
            "figure": prose.humanize_dates(str(row["cdc_figure"])) if row["cdc_figure"] else "no CDC figure",
            "comparison": str(row["comparison_label"]),
            "tier": TIER_WORDS.get(tier, tier),
            "release": _release_words(matched),
            "how": how,
        },
        "sensitivity": sensitivity_rows(inputs.judged, row["claim_id"]),
        "rule": inputs.thresholds.rule_text(),
        "tolerance": inputs.thresholds.percent,
        "applied": rule_applied(
            row["qualifier"], row["verdict"], row["ratio_low"], row["ratio_high"], inputs.thresholds
        ),
        "facts": [],
        "notes": [],
    }


def _statement(claim_id: str, inputs: ClaimInputs, figure: str) -> dict[str, Any]:
    ledger = inputs.claims.set_index("claim_id").loc[claim_id]
    return {
        "claim_id": claim_id,
        "quote": str(ledger["quote"]),
        "speaker": str(ledger["speaker"]),
        "role": "" if compare._missing(ledger["role"]) else str(ledger["role"]),
        "date": _when(ledger["date"]),
        "venue": "" if compare._missing(ledger["venue"]) else prose.humanize_dates(str(ledger["venue"])),
        "source": source_of(ledger),
        "checked": "",
        "figure": figure,
    }


def _fact(row: Any) -> dict[str, Any]:
    return {
        "route": row["route"],
        "what": prose.humanize_dates(str(row["what"])),
        "period": prose.humanize_dates(str(row["period"])) if isinstance(row["period"], str) else "",
        "source": source_of(row),
    }


def group_page(row: pd.Series, inputs: ClaimInputs) -> dict[str, Any]:
    """The context of a group's evidence page (lives per boat, or the seaborne-flow claims)."""
    statements: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    notes: list[str] = []
    if row["topic"] == compare.PER_BOAT_TOPIC:
        for item in inputs.lives.itertuples(index=False):
            per = ratio_or_number(item.per_boat_low, item.per_boat_high)
            if compare._missing(item.lives_implied_high):
                figure = f"{per} lives per boat; undated, so no count of boats destroyed by then"
            else:
                figure = (
                    f"{per} lives per boat; {int(item.vessels_by_date):,} boats destroyed by then in the strike "
                    f"ledger, so {ratio_or_number(item.lives_implied_low, item.lives_implied_high)} lives "
                    f"implied: {ratio_words(item.ratio_all_drugs_low, item.ratio_all_drugs_high)} times a year "
                    f"of all drug overdose deaths ({prose.period(item.cdc_period_end)})"
                )
            statements.append(_statement(item.claim_id, inputs, figure))
        if inputs.facts is not None:
            routed = boats.route_facts(inputs.facts)
            facts = [_fact(fact) for _, fact in routed[routed["route"].isin((boats.BY_SEA, boats.BY_LAND))].iterrows()]
        notes = [boats.DOSE_NOTE, boats.OVERLAP_NOTE]
        applied = (
            "The claims count lives said to be saved, not deaths: how many lethal doses a cargo could make "
            "cannot be set against a count of deaths, so the rule rates them not checkable. The page shows "
            "the arithmetic as the conditional it is."
        )
    elif row["topic"] == compare.FLOW_TOPIC:
        for item in inputs.flow.itertuples(index=False):
            if item.measure == "claimed_flow_cut":
                if isinstance(item.stated_wording, str) and item.stated_wording:
                    figure = f"said as '{item.stated_wording}' (kept as words, not a figure)"
                elif compare._missing(item.reduction_pct):
                    figure = "no number"
                else:
                    figure = f"a cut of {item.reduction_pct:.0f}%"
                if isinstance(item.repeat_of, str) and item.repeat_of:
                    figure += f"; a second report of the occasion of {item.repeat_of}"
            else:
                figure = f"{item.reduction_pct:.0f}%: {item.what_it_measures}"
            statements.append(_statement(item.claim_id, inputs, prose.humanize_dates(figure)))
        notes = [
            "No public dataset measures the volume of drugs moving by sea, so the claimed percentages cannot "
            "be checked against a flow series; CDC's counts measure deaths, not supply. A fall in the weight "
            "of drugs seized can mean less traffic, less interdiction or traffic that moved elsewhere; a fall "
            "in drug-vessel movements counts trips, not volume."
        ]
        applied = (
            "A cut in the drugs arriving by sea is not a count of deaths, and no public data measure that "
            "flow: the rule rates these claims not checkable."
        )
    else:
        raise ValueError(f"no evidence page for the group of topic {row['topic']!r}")
    return {
        "kind": "group",
        "claim_id": str(row["claim_id"]),
        "title": f"{str(row['claimed'])[0].upper()}{str(row['claimed'])[1:]}",
        "verdict": str(row["verdict"]),
        "sentence": shown_sentence(prose.humanize_dates(str(row["verdict_sentence"]))),
        "statements": statements,
        "claimed": str(row["claimed"]),
        "qualifier": "",
        "cdc": {
            "figure": _capital(prose.humanize_dates(str(row["cdc_figure"]))) if row["cdc_figure"] else "no CDC figure",
            "comparison": str(row["comparison_label"]),
            "tier": TIER_WORDS.get(str(row["tier"]), str(row["tier"])),
            "release": "",
            "how": [],
        },
        "sensitivity": [],
        "rule": inputs.thresholds.rule_text(),
        "tolerance": inputs.thresholds.percent,
        "applied": applied,
        "facts": facts,
        "notes": notes,
    }


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def ratio_or_number(low: object, high: object) -> str:
    """``25,000`` or ``25,000 to 50,000``."""
    low_text, high_text = prose.number(low), prose.number(high)
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def pages_for(inputs: ClaimInputs) -> list[tuple[str, dict[str, Any]]]:
    """(page name, context) for every headline row, in the rows' order."""
    out = []
    for _, row in inputs.headline.iterrows():
        context = group_page(row, inputs) if row["scope"] == verdicts.SCOPE_GROUP else claim_page(row, inputs)
        out.append((page_name(row), context))
    names = [name for name, _ in out]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two verdicts would share an evidence page: {duplicates}")
    return out
