"""What the notebooks tell readers: findings as Markdown and tables in words, computed from the library.

The notebooks read as a publication (the house style): findings are rendered Markdown
(:mod:`analysis.prose`), not monospace prints; tables have headers and values in words (CDC's class
names, tiers and qualifiers spelled out, dates as "2 Sep 2025"), and every table that cites a ledger
row shows its source by originator and kind (:func:`analysis.sources.with_source`), weak pages marked.
Each function here turns one library result into what a notebook shows; the notebooks' cells only
call them, so every number is computed and every cell stays short.

Claims are named for readers by speaker and date (:func:`claim_label`); the ledger's row id stays in
its own column so a reader can find the row in the data.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from . import boats, cdc, compare, land, matching, prose, qualifiers, sensitivity, sources, verdicts

#: Where a compared CDC figure comes from, in table words.
TIER_SHORT = {
    matching.SNAPSHOT: "this project's CDC data",
    matching.QUOTED: "quoted from a later CDC release",
    matching.NO_TIER: "none",
}
#: The claimed figure's reading, in table words.
QUALIFIER_SHORT = {
    qualifiers.FLOOR: "floor (over N)",
    qualifiers.RANGE: "range (N to M)",
    qualifiers.POINT: "single figure",
    qualifiers.CEILING: "ceiling (up to N)",
    qualifiers.NONE: "no number",
}
BASIS_SHORT = {"reported": "dated from a page", "schedule": "assumed from CDC's schedule", "none": "no release"}
#: The seaborne-flow series' measures in words.
MEASURE_WORDS = {
    "claimed_flow_cut": "claimed cut in drugs arriving by sea",
    "seizure_weight": "drop in the weight of drugs seized",
    "vessel_movement": "drop in drug-vessel movements",
}


def _missing(value: object) -> bool:
    return compare._missing(value)


def when(value: object) -> str:
    """A ledger date in words (``2025-09-14`` -> ``14 Sep 2025``, ``2026-03`` -> ``Mar 2026``), or "undated"."""
    if _missing(value) or not str(value):
        return "undated"
    try:
        return prose.date(str(value)[:10] if isinstance(value, pd.Timestamp) else str(value))
    except ValueError:
        return prose.humanize_dates(str(value))


def claim_label(speaker: object, date: object) -> str:
    """A claim for readers: ``Donald Trump, 20 Jan 2025``."""
    return f"{speaker}, {when(date)}"


def class_words(indicator: object) -> str:
    return matching.CLASS_NAMES.get(str(indicator), str(indicator))


def ratio_span(low: object, high: object) -> str:
    """``2.73`` or ``2.73 to 3.27`` (ratios for readers), "—" without a figure."""
    if _missing(low):
        return "—"
    a, b = prose.ratio(low), prose.ratio(high if not _missing(high) else low)
    return a if a == b else f"{a} to {b}"


def number_span(low: object, high: object) -> str:
    if _missing(low):
        return "—"
    a, b = prose.number(low), prose.number(high if not _missing(high) else low)
    return a if a == b else f"{a} to {b}"


#: The ledger row id's column in the tables here (the claim itself is named by speaker and date).
ROW = "Ledger row"


def _with_source(frame: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    return sources.with_source(frame, claims, on="claim_id").rename(columns={"claim_id": ROW})


# ---------------------------------------------------------------------------------------------
# Notebook 02: the claims against CDC


def claims_table(comparison: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The claims of yearly deaths (not counter-figures) with the CDC figure each is matched with, in
    words, and each row's source."""
    rows = comparison[comparison["kind"] == "claim"]
    out = pd.DataFrame(
        {
            "claim_id": rows["claim_id"],
            "Claim": [claim_label(s, d) for s, d in zip(rows["speaker"], rows["date"], strict=True)],
            "Claimed (a year)": [
                number_span(lo, hi) for lo, hi in zip(rows["claimed_low"], rows["claimed_high"], strict=True)
            ],
            "Read as": [QUALIFIER_SHORT.get(q, q) for q in rows["qualifier"]],
            "CDC figure matched": [f if isinstance(f, str) and f else "none" for f in rows["cdc_figure"]],
            "From": [TIER_SHORT.get(t, t) for t in rows["tier"]],
            "Claim ÷ CDC": [ratio_span(lo, hi) for lo, hi in zip(rows["ratio_low"], rows["ratio_high"], strict=True)],
            "CDC's latest release that day": [
                f"{when(r)} ({BASIS_SHORT.get(b, b)})" if isinstance(r, str) and r else "none"
                for r, b in zip(rows["release_at_claim_date"], rows["release_basis"], strict=True)
            ],
            "source_url": rows["source_url"],
        }
    )
    return _with_source(out, claims).reset_index(drop=True)


def unmatched_lines(comparison: pd.DataFrame) -> list[tuple[str, str] | str]:
    """Why each claim without a CDC ratio has none, as Markdown sentences after one line that counts them."""
    rows = comparison[(comparison["kind"] == "claim") & comparison["ratio_low"].isna()]
    out: list[tuple[str, str] | str] = [
        f"{len(rows):,} of the {int((comparison['kind'] == 'claim').sum()):,} claims get no ratio, and say why:"
    ]
    for row in rows.itertuples(index=False):
        reason = row.no_comparison_reason or (
            "it gives no number" if row.qualifier == qualifiers.NONE else "no CDC figure"
        )
        out.append(
            prose.sentence(
                "**{who}**: {reason}.",
                who=claim_label(row.speaker, row.date),
                reason=prose.humanize_dates(reason).rstrip("."),
            )
        )
    return out


def matching_summary(comparison: pd.DataFrame, calendar: pd.DataFrame, latest: str) -> list[str]:
    """The counts of the claims comparison and what CDC's release calendar says, as sentences."""
    claims = comparison[comparison["kind"] == "claim"]
    rated = claims["ratio_low"].notna()
    counter = int((comparison["kind"] == "counter_figure").sum())
    return [
        f"The claims ledger holds {len(comparison):,} rows on overdose deaths per year: {len(claims):,} claims by "
        f"officials and {counter:,} counter-figures quoted by others. {int(rated.sum()):,} of the {len(claims):,} "
        "claims are set against a CDC figure; every other one says why not.",
        *[prose.humanize_dates(line) for line in matching.calendar_lines(calendar, latest)],
    ]


def sensitivity_grid(
    judged: pd.DataFrame, claims: pd.DataFrame, releases: pd.DataFrame, comparison: pd.DataFrame
) -> pd.DataFrame:
    """:func:`analysis.sensitivity.grid` with the claims named by speaker and date and the
    comparisons by their titles (whatever comparisons the registry holds)."""
    grid = sensitivity.grid(judged, claims, releases)
    titles = {item.key: item.title[:1].upper() + item.title[1:] for item in sensitivity.COMPARISONS}
    names = comparison.set_index("claim_id")
    grid.insert(1, "Claim", [claim_label(names.loc[c, "speaker"], names.loc[c, "date"]) for c in grid["claim_id"]])
    return grid.rename(columns={**titles, "verdict": "Verdict", "claim_id": ROW})


def robustness_items(judged: pd.DataFrame, comparison: pd.DataFrame) -> list[tuple[str, str] | str]:
    """How far the other comparisons move each verdict: one sentence for the claims whose verdict every
    comparison that may carry it gives, then each exception, named by speaker and date, with the
    comparisons that would give another verdict."""
    names = comparison.set_index("claim_id")
    titles = {item.key: item.title for item in sensitivity.COMPARISONS}
    steady, exceptions, none = 0, [], []
    for claim_id, part in judged.groupby("claim_id", sort=False):
        who = claim_label(names.loc[claim_id, "speaker"], names.loc[claim_id, "date"])
        heads = part[part["headline"]]
        if heads.empty:
            none.append(who)
            continue
        verdict = heads["verdict"].iloc[0]
        usable = part[part["eligible"] & part["ratio_low"].notna()]
        others = usable[usable["verdict"] != verdict]
        if others.empty:
            steady += 1
            continue
        text = (
            f"{verdict} in {len(usable) - len(others)} of the {len(usable)} comparisons that may carry the "
            "verdict; "
            + "; ".join(
                f"{titles.get(r.comparison, r.comparison)} ({prose.ratio(r.ratio_low)} times) would make it {r.verdict}"
                for r in others.itertuples()
            )
        )
        exceptions.append(prose.sentence("**{who}**: {text}.", who=who, text=text))
    total = judged["claim_id"].nunique()
    out: list[tuple[str, str] | str] = [
        f"For {steady:,} of the {total:,} claims with a number, every comparison that may carry the verdict gives the "
        "same verdict." + (" The exceptions:" if exceptions else "")
    ]
    out += exceptions
    if none:
        out.append(f"No comparison CDC had published by the day of the claim: {', '.join(none)}.")
    return out


def verdict_items(scored: pd.DataFrame) -> list[tuple[str, str]]:
    """Each claim's verdict sentence, named by speaker and date."""
    rows = scored[scored["kind"] == "claim"]
    return [
        prose.sentence(
            "**{who}** ({claim_id}). {sentence}",
            who=claim_label(r.speaker, r.date),
            claim_id=r.claim_id,
            sentence=r.verdict_sentence,
        )
        for r in rows.itertuples(index=False)
    ]


def verdict_counts(scored: pd.DataFrame, thresholds: verdicts.Thresholds) -> tuple[str, str]:
    rows = scored[scored["kind"] == "claim"]
    counts = "; ".join(f"{verdict}: {int((rows['verdict'] == verdict).sum()):,}" for verdict in verdicts.VERDICTS)
    return prose.sentence(
        "**The rule, with a tolerance of {pct}:** {rule} With this threshold, of the {n} claims: {counts}.",
        pct=thresholds.percent,
        rule=thresholds.rule_text(),
        n=f"{len(rows):,}",
        counts=counts,
    )


def kept_as_said(scored: pd.DataFrame, claims: pd.DataFrame, at_least: float = 100) -> list[tuple[str, str]]:
    """Claims whose headline ratio is ``at_least`` or more: the quote and the ledger's own check."""
    huge = scored[(scored["kind"] == "claim") & (scored["headline_ratio_low"] >= at_least)]
    ledger = claims.set_index("claim_id")
    out = []
    for row in huge.itertuples(index=False):
        out.append(
            prose.sentence(
                "**{who}** said {figure}: “{quote}” The ledger's own check: {check}",
                who=claim_label(row.speaker, row.date),
                figure=prose.number(row.claimed_low),
                quote=ledger.loc[row.claim_id, "quote"],
                check=prose.humanize_dates(str(ledger.loc[row.claim_id, "checked_against"])),
            )
        )
    return out


def counter_table(comparison: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The counter-figures (what other products and outlets quoted), with this release's value for the
    same period, in words, and each row's source."""
    rows = comparison[comparison["kind"] == "counter_figure"]
    out = pd.DataFrame(
        {
            "claim_id": rows["claim_id"],
            "Quoted by": [claim_label(s, d) for s, d in zip(rows["speaker"], rows["date"], strict=True)],
            "Figure": [number_span(lo, hi) for lo, hi in zip(rows["claimed_low"], rows["claimed_high"], strict=True)],
            "Period as quoted": [prose.humanize_dates(str(p)) if not _missing(p) else "—" for p in rows["period"]],
            "CDC class": [class_words(i) for i in rows["cdc_indicator"]],
            "This release, same period": [
                "—"
                if _missing(p)
                else (
                    f"{prose.period(p)}: not in this release"
                    if _missing(r) and _missing(q)
                    else f"{prose.period(p)}: {_count(r)} reported, {_count(q)} predicted"
                )
                for p, r, q in zip(rows["cdc_period_end"], rows["cdc_reported"], rows["cdc_predicted"], strict=True)
            ],
            "source_url": rows["source_url"],
        }
    )
    return _with_source(out, claims).reset_index(drop=True)


def _count(value: object) -> str:
    return "—" if _missing(value) else prose.number(value)


def route_items(facts: pd.DataFrame, routes=(boats.BY_SEA, boats.BY_LAND)) -> list[tuple[str, str]]:
    """The context facts on what moves by sea and by land, each with its source in words."""
    routed = boats.route_facts(facts)
    out = []
    for row in routed[routed["route"].isin(routes)].itertuples(index=False):
        period = f" ({prose.humanize_dates(row.period)})" if isinstance(row.period, str) and row.period else ""
        out.append(
            prose.sentence(
                "**{route}:** {what}{period}. Source: {source}.",
                route=row.route.capitalize(),
                what=prose.humanize_dates(row.what),
                period=period,
                source=prose.humanize_dates(sources.source_label(row.originator, row.source_kind)),
            )
        )
    return out


def lives_table(lives: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The lives-per-boat claims multiplied out as the conditional they are, against a year of deaths
    from all drugs, synthetic opioids and cocaine (classes overlap: never added), with each source."""
    out = pd.DataFrame(
        {
            "claim_id": lives["claim_id"],
            "Claim": [claim_label(s, d) for s, d in zip(lives["speaker"], lives["date"], strict=True)],
            "Lives per boat": [
                number_span(lo, hi) for lo, hi in zip(lives["per_boat_low"], lives["per_boat_high"], strict=True)
            ],
            "Boats destroyed by then": [_count(v) for v in lives["vessels_by_date"]],
            "Lives implied": [
                number_span(lo, hi)
                for lo, hi in zip(lives["lives_implied_low"], lives["lives_implied_high"], strict=True)
            ],
            "CDC period": ["—" if _missing(p) else prose.period(p) for p in lives["cdc_period_end"]],
            "From": [TIER_SHORT.get(t, t) for t in lives["tier"]],
            "All drugs": [_count(v) for v in lives["all_drugs_cdc"]],
            "Synthetic opioids": [_count(v) for v in lives["synthetic_opioids_cdc"]],
            "Cocaine": [_count(v) for v in lives["cocaine_cdc"]],
            "Times all drug deaths": [
                ratio_span(lo, hi)
                for lo, hi in zip(lives["ratio_all_drugs_low"], lives["ratio_all_drugs_high"], strict=True)
            ],
            "source_url": lives["source_url"],
        }
    )
    return _with_source(out, claims).reset_index(drop=True)


def flow_table(flow: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The stated cuts in drugs arriving by sea and the figures offered as evidence, in words."""
    out = pd.DataFrame(
        {
            "claim_id": flow["claim_id"],
            "Claim": [claim_label(s, d) for s, d in zip(flow["speaker"], flow["date"], strict=True)],
            "What it measures": [MEASURE_WORDS.get(m, m) for m in flow["measure"]],
            "Stated": [
                f"'{w}' (words, not a figure)"
                if isinstance(w, str) and w
                else ("no number" if _missing(p) else f"{p:.0f}%")
                for p, w in zip(flow["reduction_pct"], flow["stated_wording"], strict=True)
            ],
            "Repeats the occasion of": [r if isinstance(r, str) and r else "" for r in flow["repeat_of"]],
            "Note": [prose.humanize_dates(n) if isinstance(n, str) else "" for n in flow["note"]],
            "source_url": flow["source_url"],
        }
    )
    return _with_source(out, claims).reset_index(drop=True)


def flow_items(flow: pd.DataFrame) -> list[tuple[str, str]]:
    """What the seaborne-flow series says, and the other measures offered as evidence."""
    claimed = flow[(flow["measure"] == "claimed_flow_cut") & flow["reduction_pct"].notna()]
    worded = [f"“{w}”" for w in flow["stated_wording"] if isinstance(w, str) and w]
    undated = int(flow["date_value"].isna().sum())
    out = [
        prose.sentence(
            "{n} statements give a number, on {occasions} occasions: from {low} to {high}.{words}{undated}",
            n=f"{len(claimed):,}",
            occasions=f"{int((claimed['repeat_of'] == '').sum()):,}",
            low=f"{claimed['reduction_pct'].min():.0f}%",
            high=f"{claimed['reduction_pct'].max():.0f}%",
            words=f" Said in words only: {', '.join(worded)}." if worded else "",
            undated=f" {undated:,} statement{'s are' if undated != 1 else ' is'} undated." if undated else "",
        )
    ]
    for row in flow[flow["measure"] != "claimed_flow_cut"].itertuples(index=False):
        out.append(
            prose.sentence(
                "**{who}**: {pct} — {what}.",
                who=claim_label(row.speaker, row.date),
                pct=f"{row.reduction_pct:.0f}%",
                what=row.what_it_measures,
            )
        )
    return out


def campaign_line(latest: str, strikes: pd.DataFrame) -> str:
    """Whether CDC's latest period reaches the campaign's first strike."""
    first = strikes.sort_values("date", kind="stable").iloc[0]
    side = "before" if pd.Period(latest, "M") < pd.Period(first["date"], "M") else "after"
    return (
        f"CDC's latest period in this release, {prose.period(latest)}, ends {side} the month of the first boat "
        f"strike in the strike ledger ({when(first['date'])})."
    )


def headline_table(headline: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The front page's verdicts as a table: who, when, what was claimed, the verdict, the CDC figure and
    ratio it rests on, and the source of the (latest) statement."""
    out = pd.DataFrame(
        {
            "claim_id": headline["claim_id"],
            "Claim": [claim_label(s, d) for s, d in zip(headline["speaker"], headline["date"], strict=True)],
            "Claimed": headline["claimed"],
            "Verdict": headline["verdict"],
            "Comparison it rests on": [c if c else "—" for c in headline["comparison_label"]],
            "Claim ÷ CDC": [
                ratio_span(lo, hi) for lo, hi in zip(headline["ratio_low"], headline["ratio_high"], strict=True)
            ],
            "From": [TIER_SHORT.get(t, t) for t in headline["tier"]],
            "source_url": headline["source_url"],
        }
    )
    return _with_source(out, claims).reset_index(drop=True)


def findings_for_reader(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings table as readers read it: each finding's sentence, its topic, the data it comes from
    (named, not as file paths) and the rows, in words."""
    datasets = {
        "cdc_vsrr": "CDC provisional counts",
        "strikes": "strike ledger",
        "tallies": "published tallies",
        "claims": "claims ledger",
        "cdc_releases": "CDC release calendar",
        "cdc_revisions": "CDC's older releases",
    }

    def named(files: str) -> str:
        found = [word for key, word in datasets.items() if key in str(files)]
        return ", ".join(dict.fromkeys(found)) or str(files)

    from .charts import SHORT_LABELS

    keys = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SHORT_LABELS), key=len, reverse=True)) + r")\b")

    def rows_text(text: str) -> str:
        text = keys.sub(lambda found: SHORT_LABELS[found.group(1)], text)  # one pass: labels are not replaced again
        return prose.humanize_dates(text).replace("source_url", "source address")

    return pd.DataFrame(
        {
            "Topic": findings["topic"].str.capitalize(),
            "Finding": findings["sentence"],
            "Data": [named(f) for f in findings["data_file"]],
            "Rows": [rows_text(str(r)) for r in findings["rows"]],
        }
    )


def as_markdown(items: list[Any], bullets: bool = True) -> prose.Markdown:
    """Several sentences (:func:`analysis.prose.sentence` pairs or plain text) as one Markdown output."""
    return prose.markdown(*items, bullets=bullets)


def lead_and_list(items: list[Any]) -> prose.Markdown:
    """The first sentence as a paragraph, the others as a list under it."""
    lead, rest = prose.markdown(items[0]), prose.markdown(*items[1:], bullets=True)
    if not items[1:]:
        return lead
    return prose.Markdown(f"{lead.markdown_text}\n\n{rest.markdown_text}", f"{lead.plain_text}\n{rest.plain_text}")


# ---------------------------------------------------------------------------------------------
# Notebook 03: the strike ledger and the published tallies


def strike_totals(strikes: pd.DataFrame, theaters) -> list[str]:
    """The ledger's totals, overall and by theater, as sentences ("at least": the ledger misses strikes)."""
    from . import reconcile

    to_end = reconcile.to_end_text(strikes)
    silent = int(strikes["survivors"].isna().sum())
    lines = [
        f"The strike ledger holds {len(strikes):,} announced strikes, {reconcile.coverage_text(strikes)}: "
        f"{int(strikes['vessels'].sum()):,} vessels destroyed and at least {int(strikes['killed'].sum()):,} people "
        f"killed as announced {to_end}. {int(strikes['survivors'].sum()):,} survivors are reported "
        f"({silent:,} strike rows say nothing about survivors), {int(strikes['survivors_not_found'].sum()):,} of "
        "them never found.",
    ]
    for theater in theaters:
        part = strikes[strikes["theater"] == theater]
        name = "Theater not reported" if theater == "Unknown" else theater
        lines.append(
            f"{name}: {len(part):,} strikes, {int(part['vessels'].sum()):,} vessels, "
            f"{int(part['killed'].sum()):,} killed {to_end}."
        )
    return lines


def reading_counts(reconciliation: pd.DataFrame) -> list[str]:
    """How many tallies fall under each reading of the reconciliation."""
    from . import reconcile

    counts = reconciliation["reading"].value_counts()
    return [
        f"{int(counts.get(reading, 0)):,} {'tally' if int(counts.get(reading, 0)) == 1 else 'tallies'}: {reading}."
        for reading in reconcile.READINGS
    ]


def why_they_differ(strikes: pd.DataFrame, reconciliation: pd.DataFrame) -> list[str]:
    """What the data say about why the tallies and the ledger differ, computed."""
    from . import reconcile

    unfound = strikes[strikes["survivors_not_found"] > 0]
    presumed = reconciliation[reconciliation["reading"] == reconcile.MATCHES_PRESUMED]
    above = reconciliation[reconciliation["reading"] == reconcile.ABOVE]
    lines = [
        f"Survivors reported never found: {int(unfound['survivors_not_found'].sum()):,}, in {len(unfound):,} strikes ("
        + "; ".join(f"{when(r.date)}: {r.survivors_not_found}" for r in unfound.itertuples())
        + ")."
    ]
    if len(presumed):
        lines.append(
            f"{len(presumed):,} tallies match the ledger only once those survivors are counted as dead, "
            f"from {when(presumed['as_of'].min())} to {when(presumed['as_of'].max())}."
        )
    if len(above):
        lines.append(
            f"{len(above):,} tallies are above even that count, from {when(above['as_of'].min())}, by "
            + ", ".join(f"{r.difference_presumed:+d} ({when(r.as_of)})" for r in above.itertuples())
            + "."
        )
    lines += reconcile.upper_count_lines(reconciliation, strikes)
    counted = reconciliation.dropna(subset=["published_strikes"])
    if len(counted):
        lines.append(
            f"Where a tally also counts strikes, it differs from the ledger's count by "
            f"{counted['strikes_difference'].min():+d} to {counted['strikes_difference'].max():+d} "
            "(publishers count multi-boat days and convoys differently)."
        )
    return lines


# ---------------------------------------------------------------------------------------------
# Any table: values in words


def reader_frame(frame: pd.DataFrame, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """A library table made ready for readers, keeping its data column names (which
    :func:`analysis.tables.show_table` spells out): CDC's class names for indicator keys, release bases in
    words, ISO dates inside text in words, and, when ``claims`` is given and the table cites ledger rows
    (``claim_id`` and ``source_url``), each row's source by originator and kind."""
    from .charts import SHORT_LABELS

    out = frame.copy()
    for column in ("indicator", "cdc_indicator"):
        if column in out:
            out[column] = out[column].map(lambda key: SHORT_LABELS.get(key, key))
    for column in ("release_basis", "basis"):
        if column in out:
            out[column] = out[column].map(lambda key: BASIS_SHORT.get(key, key))
    for column in out.columns:
        if column != "source_url" and not pd.api.types.is_numeric_dtype(out[column].dtype):
            out[column] = out[column].map(lambda v: prose.humanize_dates(v) if isinstance(v, str) else v)
    if claims is not None and "claim_id" in out.columns:
        ledger = claims.set_index("claim_id")
        out.insert(
            list(out.columns).index("claim_id") + 1,
            "Claim",
            [
                claim_label(ledger.loc[c, "speaker"], ledger.loc[c, "date"]) if c in ledger.index else "—"
                for c in out["claim_id"]
            ],
        )
        out = _with_source(out, claims) if "source_url" in out.columns else out.rename(columns={"claim_id": ROW})
    return out


_CLAIM_ID = re.compile(r"\b(C\d{3}|CF\d{2})\b")
_LEADING_ZERO = re.compile(r"\b0(\d) ((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4})")


_ID_LIST = re.compile(r"(?:[;,]\s*)?\b(?:C\d{3}|CF\d{2})\b(?:,\s*(?:C\d{3}|CF\d{2})\b)*")


def words(lines, claims: pd.DataFrame | None = None, drop_ids: bool = False) -> list[str]:
    """Library sentences made ready for readers: arrows as words, ISO dates in words, and (with
    ``claims``) a ledger row id replaced by whom and when (``C092`` -> ``the claim by Donald Trump,
    26 Feb 2025``; a counter-figure: ``the figure quoted by ...``); ``drop_ids``: row ids that only
    cite the rows a figure comes from are left out instead (``(72,776 of 105,007; CF08, CF01)``)."""
    ledger = claims.set_index("claim_id") if claims is not None else None
    if drop_ids:
        lines = [_ID_LIST.sub("", str(line)) for line in lines]

    def name(found: re.Match) -> str:
        claim_id = found.group(1)
        if ledger is None or claim_id not in ledger.index:
            return claim_id
        row = ledger.loc[claim_id]
        kind = "the figure quoted by" if claim_id.startswith("CF") else "the claim by"
        return f"{kind} {claim_label(row['speaker'], row['date'])}"

    out = []
    for line in lines:
        text = _LEADING_ZERO.sub(r"\1 \2", prose.humanize_dates(str(line).replace(" -> ", " to ")))
        text = _CLAIM_ID.sub(name, text) if ledger is not None else text
        out.append(text[:1].upper() + text[1:])
    return out


# ---------------------------------------------------------------------------------------------
# Notebook 04: the synthesis


def milestone_table(events: pd.DataFrame, claims: pd.DataFrame, strikes: pd.DataFrame) -> pd.DataFrame:
    """The campaign's milestones, each with the ledger row that dates it and that row's source by
    originator and kind (or why no row dates it)."""
    ledgers = {"claims": claims.set_index("claim_id"), "strikes": strikes.set_index("strike_id")}
    source = []
    for row in events.itertuples(index=False):
        ledger = ledgers.get(row.source_ledger)
        if ledger is None or row.source_row not in ledger.index:
            source.append("no ledger row dates it")
            continue
        found = ledger.loc[row.source_row]
        source.append(sources.source_label(found["originator"], found["source_kind"]))
    return pd.DataFrame(
        {
            "Milestone": events["label"],
            "Date": [when(d) for d in events["date"]],
            ROW: [r or "—" for r in events["source_row"]],
            "source": source,
            "source_url": events["source_url"],
            "Note": [prose.humanize_dates(n) if isinstance(n, str) else "" for n in events["note"]],
        }
    )


def peak_items(national: pd.DataFrame, labels: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """For all drugs and synthetic opioids, predicted and reported: when deaths peaked, how many there
    were, and how far the latest month is from the peak (items for :func:`prose.findings`)."""
    items = []
    for key in ("all_drugs", "synthetic_opioids"):
        for measure in ("predicted", "reported"):
            t = compare.peak_and_decline(cdc.deaths(national, key, measure), key, measure)
            items.append(
                (
                    "**{name}, {measure}**: highest in {peak_period}, at {peak}; {latest} in {latest_period}, "
                    "{change} ({pct}), {months} months later.",
                    dict(
                        name=labels[key],
                        measure=measure,
                        peak_period=prose.period(t.peak_period),
                        peak=prose.number(t.peak_value),
                        latest=prose.number(t.latest_value),
                        latest_period=prose.period(t.latest_period),
                        change=f"{prose.number(abs(t.change))} {'fewer' if t.change < 0 else 'more'}",
                        pct=prose.percent(t.change_pct, signed=True),
                        months=t.months_since_peak,
                    ),
                )
            )
    return items


def pending_sentence(latest: pd.Series) -> tuple[str, str]:
    """The latest month's reported and predicted counts, the gap CDC expects to close, the share of
    records pending investigation and CDC's own footnote, as one sentence (:func:`prose.sentence`)."""
    gap = int(latest["predicted"]) - int(latest["reported"])
    return prose.sentence(
        "For {period}, CDC counts **{reported}** deaths reported and **{predicted}** predicted: it expects {gap} more "
        "deaths ({share}) to be reported for that period. {pending} of records are still pending investigation; "
        "CDC's footnote reads: {footnote}",
        period=prose.period(latest["period_end"]),
        reported=prose.number(latest["reported"]),
        predicted=prose.number(latest["predicted"]),
        gap=prose.number(gap),
        share=prose.percent(100 * gap / int(latest["reported"])),
        pending=prose.percent(latest["percent_pending_investigation"], decimals=2),
        footnote=latest["footnote"],
    )


#: The columns of the strike ledger, the tallies' reconciliation and the land operations as notebook 03 shows them.
STRIKE_COLUMNS = ["strike_id", "date", "announced_date", "theater", "vessels", "killed", "survivors",
                  "survivors_not_found", "announced_by", "source", "source_url"]  # fmt: skip
TALLY_COLUMNS = ["as_of", "publisher", "published_killed", "ledger_killed", "difference", "ledger_killed_presumed",
                 "difference_presumed", "reading", "source", "source_url"]  # fmt: skip
LAND_COLUMNS = ["operation_id", "date", "country", "place", "target", "killed", "us_role_class", "us_role",
                "source", "source_url"]  # fmt: skip


def strike_ledger(strikes: pd.DataFrame) -> pd.DataFrame:
    """Every strike in the ledger with its source, dates as ISO days."""
    return sources.ledger_view(strikes, STRIKE_COLUMNS, dates=("date", "announced_date"))


def tally_ledger(reconciliation: pd.DataFrame) -> pd.DataFrame:
    """Every published tally against the ledger with its source."""
    return sources.ledger_view(reconciliation, TALLY_COLUMNS, dates=("as_of",))


def land_ledger(land_ops: pd.DataFrame) -> pd.DataFrame:
    """Every land operation with its U.S. role class and source."""
    return sources.ledger_view(land.classified(land_ops), LAND_COLUMNS, dates=("date",))
