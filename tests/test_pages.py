"""Tests for analysis.pages: what the front and method pages say is computed from the data."""

from __future__ import annotations

import pytest

from analysis import compare, pages, prose
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def evidence():
    return pages.Evidence.load(project_paths())


def test_findings_are_the_findings_table_as_linked_sentences(evidence):
    entry = {"source_urls": ["https://data.cdc.gov/x"]}
    numbered = {"01": "01_a.html", "02": "02_b.html", "03": "03_c.html"}
    found = pages.findings(evidence, entry, numbered)
    table = compare.findings_table(
        evidence.national,
        evidence.comparison,
        evidence.lives,
        evidence.flow,
        evidence.strikes,
        evidence.reconciliation,
        "x",
    )
    continued = sum(1 for text in table["finding"] if text.startswith("... "))
    assert len(found) == len(table) - continued
    for item in found:
        assert item.sentence[0].isupper() and item.sentence.endswith(".")
        assert item.evidence and all(link.href in numbered.values() for link in item.evidence)
        assert "->" not in item.sentence
    assert found[0].sentence.startswith("All-drug overdose deaths peaked in the 12 months ending Aug 2023")
    assert "; and had fallen by the 12 months ending" in found[0].sentence
    assert pages.findings(evidence, entry, {})[0].evidence == []  # no page, no link


def test_what_the_data_cannot_show_is_computed(evidence):
    lines = pages.cannot_show(evidence)
    claimed = evidence.flow[evidence.flow["measure"] == "claimed_flow_cut"].dropna(
        subset=["reduction_pct", "date_value"]
    )
    assert f"{len(claimed)} dated statements" in lines[0]
    latest = evidence.national["period_end"].max()
    assert lines[1].startswith(f"Anything after {prose.period(latest)}")
    assert "cannot show any effect of the campaign" in lines[1]


def test_coverage_and_source_kinds_count_every_row(evidence):
    from analysis import manifest

    rows = pages.coverage(evidence, manifest.load())
    assert [row["rows"] for row in rows] == [
        prose.number(len(evidence.strikes)),
        prose.number(len(evidence.tallies)),
        prose.number(len(evidence.claims)),
    ]
    assert rows[0]["first"] == "2 Sep 2025"
    kinds = pages.source_kinds(evidence)
    totals = [sum(int(row["counts"][i].replace(",", "")) for row in kinds) for i in range(3)]
    assert totals == [len(evidence.strikes), len(evidence.tallies), len(evidence.claims)]
    assert any(row["weak"] for row in kinds) and not all(row["weak"] for row in kinds)


def test_vintage_line_and_counts_example(evidence):
    from analysis import manifest

    line = pages.vintage_line(manifest.load(), evidence)
    assert line.startswith("CDC provisional counts, release of Sep 2025, to the 12 months ending Apr 2025;")
    counts = pages.reported_vs_predicted(evidence)
    gap = int(counts["predicted"].replace(",", "")) - int(counts["reported"].replace(",", ""))
    assert counts["gap"] == prose.number(gap)
    assert pages.publication_lag_months() is None  # matched by CDC's release calendar, no assumed lag


def test_changelog_is_escaped_markdown_with_web_links_only():
    html_text = pages.markdown_html("- a <script>x</script> [page](https://example.org) [file](data/README.md)")
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert '<a href="https://example.org">page</a>' in html_text and "data/README.md" not in html_text
