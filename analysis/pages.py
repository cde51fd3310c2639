"""What the report's own pages say, computed; their layout is in Jinja2 templates.

Layout lives in ``analysis/templates/`` (autoescaping on: every text from data, notebooks or the
manifest is escaped by the template engine, never by hand; :func:`render`). This module computes
what the pages say, from the same library calls the notebooks make, so no figure is typed:

* the front page (:func:`analysis.report.render_front_page`): :func:`findings` (the findings that
  exist today, :func:`analysis.compare.findings_table`, as sentences each linked to its evidence),
  :func:`cannot_show`, :func:`vintage_line`; ``verdicts`` is the template's slot for the claims'
  verdicts (issue 10): while it is empty the section is left out;
* the method page (:func:`analysis.report.render_method_page`): :func:`publication_lag_months`,
  :func:`reported_vs_predicted`, :func:`source_kinds`, :func:`coverage`, :func:`vintage_table`; its
  "How a claim is rated" section is marked for the verdict rule (``verdict_rule`` in the template);
* the changelog page: :func:`changelog_html` (``CHANGELOG.md`` as escaped Markdown).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import mistune
import pandas as pd

from . import boats, cdc, compare, ledgers, matching, prose, reconcile, releases, revisions, sources, verdicts
from .paths import Paths
from .tables import is_web_address, link_label

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The raw file whose vintage heads every page.
CDC_FILE = "cdc_vsrr.csv"

#: Which notebook (by its number) holds the evidence of a finding, by the first data file it names.
EVIDENCE_NOTEBOOKS = (
    ("cdc_revisions", "05"),
    ("claims_vs_cdc", "02"),
    ("claims.csv", "02"),
    ("tallies.csv", "03"),
    ("strikes.csv", "03"),
    ("cdc_vsrr.csv", "01"),
)

#: The lead chart of the front page (a chart's key is the name of its function in analysis.charts).
LEAD_CHART = "claims_against_cdc"


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass
class Finding:
    """One finding as the front page says it: a sentence and where its evidence is."""

    sentence: str
    evidence: list[Link] = field(default_factory=list)


def environment() -> jinja2.Environment:
    """The report's template engine: autoescaping, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """``templates/<template>`` rendered with ``context``."""
    return environment().get_template(template).render(**context)


# ------------------------------------------------------------------------------------------
# What the pages say, computed


@dataclass
class Evidence:
    """The data the front, method and evidence pages compute from (loaded once per build)."""

    national: pd.DataFrame
    claims: pd.DataFrame
    strikes: pd.DataFrame
    tallies: pd.DataFrame
    comparison: pd.DataFrame
    lives: pd.DataFrame
    flow: pd.DataFrame
    reconciliation: pd.DataFrame
    calendar: pd.DataFrame | None = None  # CDC's release calendar (the claims are matched by it)
    headline: pd.DataFrame | None = None  # verdicts.headline_verdicts: the front page's verdicts
    judged: pd.DataFrame | None = None  # verdicts.judge_table: every claim's sensitivity rows, judged
    facts: pd.DataFrame | None = None  # the context facts (what moves by sea and by land)
    revisions: pd.DataFrame | None = None  # revisions.first_published (notebook 05): the revision finding
    thresholds: verdicts.Thresholds = field(default_factory=verdicts.Thresholds)

    @classmethod
    def load(cls, paths: Paths, thresholds: verdicts.Thresholds | None = None) -> Evidence:
        from . import sensitivity

        thresholds = thresholds or verdicts.Thresholds()
        national = cdc.load_national(paths)
        claims, strikes, tallies = (ledgers.load(name, paths) for name in ("claims", "strikes", "tallies"))
        calendar = releases.load_releases(paths)
        matched = matching.claims_vs_cdc(claims, national, calendar)
        band = revisions.band_basis(paths, latest=national)  # what the revision band comparison rests on
        judged = verdicts.judge_table(
            sensitivity.sensitivity_table(claims, national, calendar, band=band), matched, thresholds
        )
        facts = ledgers.load("context_facts", paths) if (paths.raw / "context_facts.csv").is_file() else None
        return cls(
            national=national,
            claims=claims,
            strikes=strikes,
            tallies=tallies,
            comparison=verdicts.score(matched, judged, claims, calendar, thresholds),
            lives=boats.lives_per_boat(claims, strikes, national, calendar),
            flow=compare.seaborne_flow_series(claims),
            reconciliation=reconcile.reconcile_tallies(strikes, tallies),
            calendar=calendar,
            headline=verdicts.headline_verdicts(claims, national, calendar, strikes, thresholds, band=band),
            judged=judged,
            facts=facts,
            revisions=band.table,
            thresholds=thresholds,
        )

    def claim_inputs(self):
        """What :mod:`analysis.claim_pages` computes the evidence pages from."""
        from . import claim_pages

        return claim_pages.ClaimInputs(
            headline=self.headline,
            judged=self.judged,
            comparison=self.comparison,
            claims=self.claims,
            lives=self.lives,
            flow=self.flow,
            facts=self.facts,
            thresholds=self.thresholds,
        )


def publication_lag_months() -> int | None:
    """CDC's publication lag the matching rules assume (a default of :func:`matching.claims_vs_cdc`),
    or None if the matching takes none (it matches by CDC's release calendar since issue 10; the
    method page then does not state a lag)."""
    parameter = inspect.signature(matching.claims_vs_cdc).parameters.get("publication_lag_months")
    if parameter is None or not isinstance(parameter.default, int):
        return None
    return parameter.default


def findings(
    evidence: Evidence,
    cdc_entry: dict[str, Any],
    pages: dict[str, str],
    topics: tuple[str, ...] | None = compare.OTHER_FINDING_TOPICS,
) -> list[Finding]:
    """:func:`compare.findings_table`'s plain sentences (its ``sentence`` column), each linked to the
    notebook pages holding its evidence. ``topics``: the findings shown (default: those the verdicts
    do not already say, :data:`analysis.compare.OTHER_FINDING_TOPICS`; None: all). A row continuing the
    one before it ("... and had fallen") joins that finding."""
    table = compare.findings_table(
        evidence.national,
        evidence.comparison,
        evidence.lives,
        evidence.flow,
        evidence.strikes,
        evidence.reconciliation,
        (cdc_entry.get("source_urls") or [""])[0],
        evidence.revisions,
    )
    out: list[Finding] = []
    previous_topic = None
    for row in table.itertuples(index=False):
        chosen = topics is None or row.topic in topics
        links = []
        for data_file in str(row.data_file).split(";"):
            for needle, number in EVIDENCE_NOTEBOOKS:
                if needle in data_file and number in pages:
                    link = Link(pages[number], f"notebook {number}")
                    if link not in links:
                        links.append(link)
                    break
        if str(row.finding).startswith("... ") and out and previous_topic == row.topic:
            if chosen:
                out[-1].sentence = f"{out[-1].sentence} {row.sentence}"
                out[-1].evidence += [link for link in links if link not in out[-1].evidence]
            continue
        previous_topic = row.topic
        if chosen:
            out.append(Finding(str(row.sentence), links))
    return out


def cannot_show(evidence: Evidence) -> list[str]:
    """What these data cannot show, computed: the sea-flow claim, the months past CDC's release."""
    lines = []
    claimed = evidence.flow[(evidence.flow["measure"] == "claimed_flow_cut")].dropna(
        subset=["reduction_pct", "date_value"]
    )
    if len(claimed):
        values = claimed["reduction_pct"].astype(float)
        other = evidence.flow[evidence.flow["measure"] != "claimed_flow_cut"]
        lines.append(
            f"Whether less cocaine or fentanyl now arrives by sea. {len(claimed)} dated statements put the cut at "
            f"{values.min():.0f}% to {values.max():.0f}%; no public data measures that flow, and the "
            f"{len(other)} figures offered as evidence measure other things (seizures, vessel trips)."
        )
    latest = cdc.latest_period(evidence.national)
    first = evidence.strikes["date"].min()
    after = evidence.comparison[
        (evidence.comparison["cdc_period_end"] > latest) & (evidence.comparison["tier"] == matching.NO_TIER)
    ]
    if pd.Period(latest, "M") < pd.Period(first, "M"):
        timing = (
            f"It ends before the first boat strike ({prose.date(first)}), so it cannot show any effect "
            "of the campaign on overdose deaths."
        )
    else:
        timing = f"It covers {(pd.Period(latest, 'M') - pd.Period(first, 'M')).n + 1} months from the first strike on."
    lines.append(
        f"Anything after {prose.period(latest)}: that is the last period in this CDC release. {timing} "
        f"{len(after)} of the {len(evidence.comparison)} statements about deaths per year refer to later periods "
        "and get no CDC figure here."
    )
    return lines


def _range(series: pd.Series) -> tuple[str, str]:
    dates = series.dropna()
    return prose.date(dates.min()), prose.date(dates.max())


def coverage(evidence: Evidence, manifest_data: dict[str, Any]) -> list[dict[str, str]]:
    """Each ledger: release, rows, first and last date (as the method page's table shows them)."""
    files = manifest_data["files"]
    out = []
    for name, frame, column, what in (
        ("strikes.csv", evidence.strikes, "date", "strikes on boats, one row per announced strike"),
        ("tallies.csv", evidence.tallies, "as_of", "published running tallies of the campaign"),
        ("claims.csv", evidence.claims, "date_value", "the administration's numeric claims and counter-figures"),
    ):
        first, last = _range(frame[column])
        entry = files.get(name, {})
        out.append(
            {
                "ledger": what,
                "release": prose.release(entry["source_release"]) if entry.get("source_release") else "not recorded",
                "rows": prose.number(len(frame)),
                "first": first,
                "last": last,
                "pages": prose.number(entry["distinct_row_sources"]) if entry.get("distinct_row_sources") else "—",
            }
        )
    return out


def source_kinds(evidence: Evidence) -> list[dict[str, Any]]:
    """Rows of each ledger per source kind (in words, weak kinds marked), in the vocabulary's order;
    empty when the ledgers do not grade their sources (no ``source_kind`` column)."""
    frames = {"strikes": evidence.strikes, "tallies": evidence.tallies, "claims": evidence.claims}
    graded = {name: frame for name, frame in frames.items() if "source_kind" in frame.columns}
    if not graded:
        return []
    present = set().union(*(set(frame["source_kind"].dropna()) for frame in graded.values()))
    order = [kind for kind in ledgers.SOURCE_KINDS if kind in present] + sorted(present - set(ledgers.SOURCE_KINDS))
    out = []
    for kind in order:
        counts = {name: int((frame["source_kind"] == kind).sum()) for name, frame in graded.items()}
        out.append(
            {
                "kind": sources.kind_words(kind) if kind in ledgers.SOURCE_KINDS else kind,
                "weak": sources.is_weak(kind) if kind in ledgers.SOURCE_KINDS else False,
                "counts": [prose.number(counts.get(name, 0)) if name in graded else "—" for name in frames],
            }
        )
    return out


def vintage_line(manifest_data: dict[str, Any], evidence: Evidence) -> str:
    """The data's vintage in one line (checksums are on the method page)."""
    files = manifest_data["files"]
    cdc_entry = files.get(CDC_FILE, {})
    strikes_first, strikes_last = _range(evidence.strikes["date"])
    claims_last = _range(evidence.claims["date_value"])[1]
    release = prose.release(cdc_entry["source_release"]) if cdc_entry.get("source_release") else "release not recorded"
    return (
        f"CDC provisional counts, release of {release}, to {prose.period(cdc.latest_period(evidence.national))}; "
        f"strike ledger {strikes_first} to {strikes_last}; claims to {claims_last}."
    )


_RULE_CLAUSE = re.compile("; (?=(?:" + "|".join(re.escape(v) for v in verdicts.VERDICTS) + "): )")


def verdict_rule(evidence: Evidence) -> dict[str, Any]:
    """The method page's "How a claim is rated", from :meth:`analysis.verdicts.Thresholds.rule_text`
    (one item per verdict, in the rule's words), the threshold, the comparisons of the sensitivity
    registry and the verdicts' counts: computed, never typed."""
    from . import sensitivity

    text = evidence.thresholds.rule_text()
    clauses, _, headline = text.partition(". The headline ")
    items = []
    for clause in _RULE_CLAUSE.split(clauses):
        verdict, sep, definition = clause.partition(": ")
        if not sep or verdict not in verdicts.VERDICTS:
            raise ValueError(f"the verdict rule's text has a clause that names no verdict: {clause!r}")
        items.append({"verdict": verdict, "definition": definition.rstrip(".") + "."})
    missing = [v for v in verdicts.VERDICTS if v not in {item["verdict"] for item in items}]
    if missing:
        raise ValueError(f"the verdict rule's text does not define {missing}")
    titles = [item.title for item in sensitivity.COMPARISONS if item.key != "matched"]
    counts = []
    if evidence.headline is not None:
        for verdict in verdicts.VERDICTS:
            number = int((evidence.headline["verdict"] == verdict).sum())
            if number:
                counts.append(f"{verdict} {number:,}")
    return {
        "tolerance": evidence.thresholds.percent,
        "clauses": items,
        "headline": ("The headline " + headline) if headline else "",
        "comparisons": "the matched one; " + "; ".join(titles),
        "counts": (
            "; ".join(counts) + " (the claims of lives per boat and of cuts in seaborne drugs each "
            "counted once, as a group)."
        )
        if counts
        else "",
    }


_BASIS_WORDS = {
    "reported": "a page reporting the release",
    "schedule": "assumed from CDC's regular schedule",
    "none": "no release",
}


def release_calendar(evidence: Evidence) -> dict[str, Any] | None:
    """CDC's release calendar for the method page: the calendar's summary lines, every month (which
    period was out, and whether the date is reported, assumed from the schedule, or no release), and
    apart the months known from a page or with no release."""
    calendar = evidence.calendar
    if calendar is None or calendar.empty:
        return None
    rows, special = [], []
    for row in calendar.itertuples(index=False):
        released = prose.date(row.release_date) if not pd.isna(row.release_date) else "no release"
        period = prose.period(row.latest_period) if isinstance(row.latest_period, str) and row.latest_period else "—"
        url = row.source_url if isinstance(row.source_url, str) else ""
        item = {
            "month": prose.month(row.release_month),
            "released": released,
            "period": period,
            "basis": _BASIS_WORDS.get(row.basis, row.basis),
            "href": url if is_web_address(url) else "",
            "host": link_label(url) if is_web_address(url) else "",
            "note": prose.humanize_dates(row.note) if row.basis != "schedule" and isinstance(row.note, str) else "",
        }
        rows.append(item)
        if row.basis != "schedule":
            special.append(item)
    return {
        "lines": matching.calendar_lines(calendar, cdc.latest_period(evidence.national)),
        "rows": rows,
        "special": special,
        "assumed": int((calendar["basis"] == "schedule").sum()),
    }


def reported_vs_predicted(evidence: Evidence) -> dict[str, str]:
    """The latest period's reported and predicted all-drug counts, for the method page's example."""
    latest = cdc.latest_period(evidence.national)
    reported = cdc.value_at(evidence.national, "all_drugs", latest, "reported")
    predicted = cdc.value_at(evidence.national, "all_drugs", latest, "predicted")
    return {
        "period": prose.period(latest),
        "reported": prose.number(reported),
        "predicted": prose.number(predicted),
        "gap": prose.number(int(predicted) - int(reported)),
        "gap_pct": prose.percent(100 * (int(predicted) - int(reported)) / int(reported)),
    }


def vintage_table(manifest_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest, one row per raw file, for the method page (links only to web addresses)."""
    rows = []
    for name in sorted(manifest_data["files"]):
        item = manifest_data["files"][name]
        rows.append(
            {
                "file": name,
                "title": prose.reader_text(item.get("title", "")),
                "release": prose.release(item["source_release"]) if item.get("source_release") else "",
                "latest_period": prose.release(item["latest_period"]) if item.get("latest_period") else "—",
                "retrieved": prose.release(item["retrieved"]) if item.get("retrieved") else "",
                "rows": prose.number(item["rows"]) if isinstance(item.get("rows"), int) else str(item.get("rows", "")),
                "sha256": str(item.get("sha256", "")),
                "sources": [Link(url, link_label(url)) for url in item.get("source_urls") or [] if is_web_address(url)],
                "per_row": not item.get("source_urls"),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------
# Changelog


class _Renderer(mistune.HTMLRenderer):
    """Markdown to HTML with raw HTML escaped and only web addresses as links."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        if is_web_address(url):
            return super().link(text, url, title)
        return text


def markdown_html(text: str) -> str:
    """Escaped Markdown as HTML (raw HTML in the text shows as text)."""
    return mistune.create_markdown(renderer=_Renderer(escape=True))(text)


def changelog_html(paths: Paths) -> str | None:
    """``CHANGELOG.md`` as HTML without its first heading, or None if the project has none."""
    path = paths.root / "CHANGELOG.md"
    if not path.is_file():
        return None
    text = re.sub(r"\A\s*# [^\n]*\n", "", path.read_text(encoding="utf-8"))
    return markdown_html(text)
