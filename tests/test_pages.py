"""Tests for analysis.pages: what the front and method pages say is computed from the data."""

from __future__ import annotations

import pytest

from analysis import compare, pages, prose
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def evidence():
    return pages.Evidence.load(project_paths())


def test_findings_are_the_findings_tables_sentences_linked_to_their_evidence(evidence):
    entry = {"source_urls": ["https://data.cdc.gov/x"]}
    numbered = {"01": "01_a.html", "02": "02_b.html", "03": "03_c.html", "05": "05_e.html"}
    table = compare.findings_table(
        evidence.national,
        evidence.comparison,
        evidence.lives,
        evidence.flow,
        evidence.strikes,
        evidence.reconciliation,
        "x",
        evidence.revisions,
    )
    assert set(table["topic"]) <= set(compare.FINDING_TOPICS)
    every = pages.findings(evidence, entry, numbered, topics=None)
    continued = sum(1 for text in table["finding"] if text.startswith("... "))
    assert len(every) == len(table) - continued
    for item in every:
        assert (item.sentence[0].isupper() or item.sentence[0].isdigit()) and item.sentence.endswith(".")
        assert item.evidence and all(link.href in numbered.values() for link in item.evidence)
        for code_speak in ("->", " x ", " / ", "data/raw", "_"):
            assert code_speak not in item.sentence, (code_speak, item.sentence)
    # The front page's default: the findings the verdicts do not already say, in the table's order.
    others = pages.findings(evidence, entry, numbered)
    shown = table[table["topic"].isin(compare.OTHER_FINDING_TOPICS) & ~table["finding"].str.startswith("... ")]
    assert len(others) == len(shown)
    assert all(item.sentence.startswith(text) for item, text in zip(others, shown["sentence"], strict=True))
    assert others[0].sentence.startswith("Overdose deaths peaked at 112,966 in the 12 months ending Aug 2023")
    assert "they had fallen 32.3%, to 76,516" in others[0].sentence  # the "... and had fallen" row joins it
    assert not any("boat destroyed saved" in item.sentence for item in others)  # that one is a verdict
    assert any(
        item.evidence == [pages.Link("05_e.html", "notebook 05"), pages.Link("01_a.html", "notebook 01")]
        for item in others
    )  # the revisions finding links to notebook 05 first
    assert pages.findings(evidence, entry, {})[0].evidence == []  # no page, no link


def test_verdict_rule_is_the_thresholds_rule_text(evidence):
    from analysis import sensitivity, verdicts

    rule = pages.verdict_rule(evidence)
    assert rule["tolerance"] == "10%"
    assert [item["verdict"] for item in rule["clauses"]] == list(verdicts.VERDICTS)
    text = evidence.thresholds.rule_text()
    for item in rule["clauses"]:
        assert f"{item['verdict']}: {item['definition'].rstrip('.')}" in text
    assert rule["headline"] and rule["headline"] in text
    assert all(c.title in rule["comparisons"] for c in sensitivity.COMPARISONS if c.key != "matched")
    counts = evidence.headline["verdict"].value_counts()
    for verdict, number in counts.items():
        assert f"{verdict} {number}" in rule["counts"]
    wider = pages.Evidence(**{**evidence.__dict__, "thresholds": verdicts.Thresholds(tolerance=0.25)})
    assert (
        pages.verdict_rule(wider)["tolerance"] == "25%"
        and "25%" in pages.verdict_rule(wider)["clauses"][0]["definition"]
    )


def test_release_calendar_marks_assumed_rows_and_the_months_without_a_release(evidence):
    calendar = pages.release_calendar(evidence)
    frame = evidence.calendar
    assert len(calendar["rows"]) == len(frame)
    assert calendar["assumed"] == int((frame["basis"] == "schedule").sum())
    gaps = [row for row in calendar["rows"] if row["basis"] == "no release"]
    assert [row["month"] for row in gaps] == ["Oct 2025", "Nov 2025", "Dec 2025"]
    assert all(row["released"] == "no release" and row["period"] == "—" for row in gaps)
    assert sum(row["basis"] == "assumed from CDC's regular schedule" for row in calendar["rows"]) == calendar["assumed"]
    assert [row["month"] for row in calendar["special"]] == [
        prose.month(month) for month in frame.loc[frame["basis"] != "schedule", "release_month"]
    ]
    sep = next(row for row in calendar["rows"] if row["month"] == "Sep 2025")
    assert sep["released"] == "10 Sep 2025" and sep["period"] == "the 12 months ending Apr 2025"
    assert calendar["lines"][0].startswith("CDC's release calendar, Jan 2024 to Nov 2026")


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
