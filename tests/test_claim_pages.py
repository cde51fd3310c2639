"""Tests for analysis.claim_pages: the front page's verdicts and one evidence page per verdict."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import claim_pages, pages, qualifiers, sources, verdicts
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def evidence():
    return pages.Evidence.load(project_paths())


def test_every_headline_row_has_one_page(evidence):
    headline = evidence.headline
    names = [claim_pages.page_name(row) for _, row in headline.iterrows()]
    assert len(set(names)) == len(headline)
    per_year = headline[headline["scope"] == verdicts.SCOPE_CLAIM]
    assert [f"claim-{claim_id}.html" for claim_id in per_year["claim_id"]] == names[: len(per_year)]
    assert set(names[len(per_year) :]) == set(claim_pages.GROUP_PAGES.values())
    with pytest.raises(ValueError, match="cannot name a page"):
        claim_pages.page_name({"scope": verdicts.SCOPE_CLAIM, "claim_id": "../x"})
    with pytest.raises(ValueError, match="no evidence page"):
        claim_pages.page_name({"scope": verdicts.SCOPE_GROUP, "topic": "other"})


def test_verdict_groups_count_every_row_in_the_published_order(evidence):
    headline = evidence.headline
    groups = claim_pages.verdict_groups(headline)
    assert [group.verdict for group in groups] == [
        verdict for verdict in claim_pages.VERDICT_ORDER if (headline["verdict"] == verdict).any()
    ]
    assert sum(group.count for group in groups) == len(headline)
    for group in groups:
        rows = headline[headline["verdict"] == group.verdict]
        assert group.count == len(rows) == len(group.items)
        assert group.heading.startswith(f"{len(rows)} claim")
        assert [item.claim_id for item in group.items] == list(rows["claim_id"])
        for item, (_, row) in zip(group.items, rows.iterrows(), strict=True):
            assert item.sentence == row["verdict_sentence"]
            assert item.text == claim_pages.shown_sentence(row["verdict_sentence"])
            assert item.href == claim_pages.page_name(row)
            assert item.lead + item.rest == item.text
    over = next(group for group in groups if group.verdict == verdicts.OVERSTATES)
    first = over.items[0]
    assert (first.who, first.when, first.lead) == ("Donald Trump", "20 Jan 2025", "250,000 to 300,000 deaths a year")
    assert first.text.startswith("250,000 to 300,000 deaths a year is at least 2.21 times CDC's count")
    unknown = headline.copy()
    unknown.loc[0, "verdict"] = "mostly true"
    with pytest.raises(ValueError, match="unknown verdict"):
        claim_pages.verdict_groups(unknown)


def test_shown_sentence_drops_only_a_leading_verdict_word():
    assert claim_pages.shown_sentence("Overstates: 300,000 deaths a year is ...") == "300,000 deaths a year is ..."
    assert claim_pages.shown_sentence("Consistent with CDC: over 200 a day ...") == "Over 200 a day ..."
    assert claim_pages.shown_sentence("Not checkable: 'tens of thousands' ...") == "'tens of thousands' ..."
    assert claim_pages.shown_sentence("Note: something") == "Note: something"


def test_summary_line_counts_the_verdicts(evidence):
    line = claim_pages.summary_line(evidence.headline)
    per_year = evidence.headline[evidence.headline["scope"] == verdicts.SCOPE_CLAIM]
    over = int((per_year["verdict"] == verdicts.OVERSTATES).sum())
    consistent = int((per_year["verdict"] == verdicts.CONSISTENT).sum())
    assert line.startswith(
        f"Of the {len(per_year)} statements of yearly overdose deaths checked, {over} overstate "
        f"CDC's count, {consistent} are consistent with it and 3 give no number."
    )
    assert "lives saved per boat destroyed (13 statements)" in line and "cannot be checked" in line


@pytest.mark.parametrize(
    "qualifier, verdict, low, high, expected",
    [
        (
            qualifiers.RANGE,
            verdicts.OVERSTATES,
            2.213,
            2.656,
            "lowest figure is 2.21 times the CDC figure most generous to it, more than 1.10 times (10% above)",
        ),
        (qualifiers.FLOOR, verdicts.OVERSTATES, 1.77, 1.77, "The claim's floor is 1.77 times"),
        (qualifiers.POINT, verdicts.UNDERSTATES, 0.5, 0.5, "highest figure is 0.50 times"),
        (qualifiers.FLOOR, verdicts.CONSISTENT, 0.896, 0.896, "a floor and CDC's figure meets it"),
        (qualifiers.FLOOR, verdicts.CONSISTENT, 1.05, 1.05, "misses by no more than 10% (1.05 times)"),
        (
            qualifiers.POINT,
            verdicts.CONSISTENT,
            0.99,
            0.99,
            "0.99 times CDC's figure, within 10% of it (between 0.90 and 1.10 times)",
        ),
        (qualifiers.RANGE, verdicts.CONSISTENT, 0.95, 1.2, "The range, 0.95 to 1.20 times CDC's figure"),
        (qualifiers.NONE, verdicts.NOT_CHECKABLE, pd.NA, pd.NA, "gives no number"),
        (qualifiers.POINT, verdicts.NOT_CHECKABLE, pd.NA, pd.NA, "CDC had published no figure"),
    ],
)
def test_rule_applied_names_the_clause_and_the_ratio(qualifier, verdict, low, high, expected):
    assert expected in claim_pages.rule_applied(qualifier, verdict, low, high, verdicts.Thresholds())


def test_rule_applied_follows_the_threshold():
    text = claim_pages.rule_applied(qualifiers.RANGE, verdicts.OVERSTATES, 2.2, 2.6, verdicts.Thresholds(0.25))
    assert "more than 1.25 times (25% above)" in text


def test_claim_page_holds_the_quote_source_figure_and_every_comparison(evidence):
    inputs = evidence.claim_inputs()
    row = evidence.headline[evidence.headline["claim_id"] == "C001"].iloc[0]
    page = claim_pages.claim_page(row, inputs)
    ledger = evidence.claims.set_index("claim_id").loc["C001"]
    statement = page["statements"][0]
    assert statement["quote"] == ledger["quote"] and statement["venue"] == ledger["venue"]
    assert statement["date"] == "20 Jan 2025" and statement["role"] == "President"
    assert statement["source"]["weak"] is sources.is_weak(ledger["source_kind"]) is True
    label = sources.source_label(ledger["originator"], ledger["source_kind"])
    assert statement["source"]["label"] == label.removeprefix("WEAK: ")
    assert statement["source"]["href"] == ledger["source_url"]
    judged = evidence.judged[evidence.judged["claim_id"] == "C001"]
    assert [item["key"] for item in page["sensitivity"]] == list(judged["comparison"])
    assert [item["headline"] for item in page["sensitivity"]] == list(judged["headline"])
    assert page["cdc"]["figure"] == row["cdc_figure"]
    assert page["cdc"]["tier"] == "this project's copy of CDC's data"
    assert "8 Jan 2025" in page["cdc"]["release"] and "assumed from CDC's regular schedule" in page["cdc"]["release"]
    assert page["rule"] == evidence.thresholds.rule_text()
    assert page["applied"].startswith("The claim's lowest figure is 2.21 times")
    assert not page["sentence"].startswith("Overstates")


def test_a_comparison_added_to_the_registry_shows_on_the_page(evidence):
    """Whatever rows the sensitivity table has are rendered (e.g. one added to the registry later)."""
    judged = evidence.judged
    extra = judged[judged["claim_id"] == "C001"].iloc[[0]].copy()
    extra["comparison"], extra["label"], extra["headline"] = "a_later_comparison", "even if revised", False
    extra["cdc_phrase"], extra["ratio_low"], extra["ratio_high"] = "90,000 to 93,000 (band)", 2.69, 3.31
    rows = claim_pages.sensitivity_rows(pd.concat([judged, extra], ignore_index=True), "C001")
    assert rows[-1]["title"] == "a later comparison" and rows[-1]["figure"] == "90,000 to 93,000 (band)"
    assert rows[-1]["ratio"] == "2.69 to 3.31"
    inputs = evidence.claim_inputs()
    inputs = claim_pages.ClaimInputs(**{**inputs.__dict__, "judged": pd.concat([judged, extra], ignore_index=True)})
    html_text = pages.render(
        "claim.html.j2",
        site=_site(),
        claim=claim_pages.claim_page(evidence.headline[evidence.headline["claim_id"] == "C001"].iloc[0], inputs),
    )
    assert "A later comparison" in html_text and "90,000 to 93,000 (band)" in html_text
    assert "Matched period revised by the largest revision seen" in html_text  # the registry's band row (main)


def _site():
    return {
        "nav": [],
        "prev": None,
        "next": None,
        "built_on": "2026-01-02",
        "built_on_text": "2 Jan 2026",
        "date_basis": "date set for this build",
        "edition": "Reviewer edition",
        "vintage": "v",
        "page_title": "t",
    }


def test_group_pages_list_every_statement_with_its_source(evidence):
    inputs = evidence.claim_inputs()
    for _, row in evidence.headline[evidence.headline["scope"] == verdicts.SCOPE_GROUP].iterrows():
        page = claim_pages.group_page(row, inputs)
        ids = [part.strip() for part in row["claim_ids"].split(",")]
        assert set(ids) <= {statement["claim_id"] for statement in page["statements"]}
        assert all(statement["source"]["label"] for statement in page["statements"])
        assert page["verdict"] == verdicts.NOT_CHECKABLE and "not checkable" in page["applied"]
    boats_row = evidence.headline[evidence.headline["topic"] == "lives_saved_per_boat"].iloc[0]
    page = claim_pages.group_page(boats_row, inputs)
    assert any(fact["route"] == "by sea" for fact in page["facts"])
    assert any(fact["route"] == "by land" for fact in page["facts"])
    last = page["statements"][-1]["figure"]
    assert "37 boats destroyed by then" in last and "925,000 lives implied" in last


def test_evidence_pages_escape_text_from_the_ledger(evidence):
    inputs = evidence.claim_inputs()
    claims = evidence.claims.copy()
    claims.loc[claims["claim_id"] == "C001", "quote"] = '<script>alert(1)</script> "quoted" & <b>bold</b>'
    inputs = claim_pages.ClaimInputs(**{**inputs.__dict__, "claims": claims})
    context = claim_pages.claim_page(evidence.headline[evidence.headline["claim_id"] == "C001"].iloc[0], inputs)
    html_text = pages.render("claim.html.j2", site=_site(), claim=context)
    assert "<script>" not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "<b>bold</b>" not in html_text
