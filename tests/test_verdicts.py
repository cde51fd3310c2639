"""Tests for analysis.verdicts: the published rule, the most generous headline, computed sentences, the front page."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cdc, ledgers, matching, releases, sensitivity, verdicts
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def inputs(claims):
    paths = project_paths()
    return (
        claims,
        cdc.load_national(paths),
        releases.load_releases(paths),
        ledgers.load_strikes(paths.raw / "strikes.csv"),
    )


@pytest.fixture(scope="module")
def scored(inputs):
    claims, national, calendar, _ = inputs
    return verdicts.scored_comparison(claims, national, calendar).set_index("claim_id")


@pytest.mark.parametrize(
    "qualifier, low, high, expected",
    [
        ("point", 1.0, 1.0, "consistent with CDC"),
        ("point", 1.10, 1.10, "consistent with CDC"),  # the tolerance is inclusive
        ("point", 1.11, 1.11, "overstates"),
        ("point", 0.90, 0.90, "consistent with CDC"),
        ("point", 0.89, 0.89, "understates"),
        ("floor", 0.5, 0.5, "consistent with CDC"),  # "over N" with CDC far above N: a floor CDC meets
        ("floor", 1.05, 1.05, "consistent with CDC"),
        ("floor", 1.2, 1.2, "overstates"),
        ("ceiling", 0.95, 0.95, "consistent with CDC"),
        ("ceiling", 0.5, 0.5, "understates"),
        ("ceiling", 3.0, 3.0, "consistent with CDC"),  # "up to N" with CDC below N
        ("range", 0.8, 1.2, "consistent with CDC"),
        ("range", 1.05, 2.0, "consistent with CDC"),  # the low end within the tolerance
        ("range", 1.2, 2.0, "overstates"),
        ("range", 0.5, 0.85, "understates"),
        ("none", None, None, "not checkable"),
        ("point", None, None, "not checkable"),
    ],
)
def test_verdict_for(qualifier, low, high, expected):
    assert verdicts.verdict_for(qualifier, low, high) == expected


def test_tolerance_is_a_parameter():
    assert verdicts.verdict_for("point", 0.95, 0.95, verdicts.Thresholds(0.0)) == "understates"
    assert verdicts.verdict_for("point", 1.3, 1.3, verdicts.Thresholds(0.5)) == "consistent with CDC"
    with pytest.raises(ValueError, match="tolerance"):
        verdicts.Thresholds(1.5)
    assert "within 10% of CDC's figure" in verdicts.Thresholds().rule_text()
    assert "within 25% of CDC's figure" in verdicts.Thresholds(0.25).rule_text()
    with pytest.raises(ValueError, match="unknown qualifier"):
        verdicts.verdict_for("roughly", 1, 1)


def test_the_headline_is_the_most_generous_usable_comparison():
    table = pd.DataFrame(
        {
            "claim_id": ["C1"] * 4,
            "comparison": ["matched", "reported", "peak", "final"],
            "eligible": [True, True, True, False],
            "ratio_low": pd.array([3.6, 3.7, 2.6, 1.0], dtype="Float64"),
            "ratio_high": pd.array([3.6, 3.7, 2.6, 1.0], dtype="Float64"),
            **{
                column: ""
                for column in sensitivity.SENSITIVITY_COLUMNS
                if column not in ("claim_id", "comparison", "eligible", "ratio_low", "ratio_high")
            },
        }
    )
    comparison = pd.DataFrame({"claim_id": ["C1"], "qualifier": ["point"]})
    judged = verdicts.judge_table(table, comparison).set_index("comparison")
    assert judged["headline"].tolist() == [False, False, True, False]  # final (1.0) is not usable: published later
    assert judged.loc["matched", "change_from_headline"] == 1.0


def test_every_claim_gets_one_of_the_four_words_and_counter_figures_none(scored):
    claims = scored[scored["kind"] == "claim"]
    assert set(claims["verdict"]) <= set(verdicts.VERDICTS)
    assert (scored.loc[scored["kind"] == "counter_figure", "verdict"] == "").all()
    got = claims["verdict"].to_dict()
    assert {k for k, v in got.items() if v == "consistent with CDC"} == {"C004", "C014"}
    assert {k for k, v in got.items() if v == "not checkable"} == {"C007", "C013", "C070"}
    assert {k for k, v in got.items() if v == "overstates"} == set(claims.index) - {
        "C004",
        "C014",
        "C007",
        "C013",
        "C070",
    }


def test_c004_over_200_a_day_is_a_floor_cdc_meets(scored):
    row = scored.loc["C004"]
    assert (row["qualifier"], row["verdict"], row["headline_comparison"]) == ("floor", "consistent with CDC", "matched")
    assert row["verdict_sentence"] == (
        "Consistent with CDC: over 200 deaths a day is a floor CDC's count meets: 81,711 "
        "all drug overdose deaths in the 12 months ending Dec 2024 (CDC provisional, "
        "predicted, release of 10 Sep 2025), about 223 a day."
    )


def test_overstates_quotes_the_smallest_ratio_of_the_usable_comparisons(scored):
    for claim_id, row in scored[scored["verdict"] == "overstates"].iterrows():
        assert row["headline_ratio_low"] == row["smallest_ratio"], claim_id
        assert verdicts.ratio_text(row["smallest_ratio"]) in row["verdict_sentence"], claim_id
    c010 = scored.loc["C010"]
    assert c010["verdict_sentence"].startswith(
        "Overstates: CDC had not yet published the 12 months ending Dec 2025 on "
        "6 Dec 2025, and 300,000 deaths a year is at least 2.66 times"
    )


def test_every_sentence_names_the_claimed_number_and_the_cdc_figure(scored, inputs):
    claims = inputs[0].set_index("claim_id")
    for claim_id, row in scored[scored["kind"] == "claim"].iterrows():
        sentence = row["verdict_sentence"]
        assert sentence.startswith(row["verdict"][0].upper() + row["verdict"][1:].split(" ")[0]), claim_id
        if row["qualifier"] == "none":
            assert claims.loc[claim_id, "unit"].split("'")[1] in sentence
        else:
            assert f"{float(row['stated_low']):,.0f}" in sentence, claim_id
        assert "CDC provisional" in sentence, claim_id  # the figure set against it names its product and release


def test_headline_verdicts_contract(inputs):
    claims, national, calendar, strikes = inputs
    front = verdicts.headline_verdicts(claims, national, calendar, strikes)
    assert list(front.columns) == verdicts.HEADLINE_COLUMNS
    per_year = front[front["scope"] == "claim"]
    assert len(per_year) == 18 and list(per_year["claim_id"]) == list(
        claims.loc[(claims["topic"] == "overdose_deaths_per_year") & (claims["kind"] == "claim"), "claim_id"]
    )
    groups = front[front["scope"] == "group"].set_index("topic")
    assert list(groups.index) == ["lives_saved_per_boat", "seaborne_flow_reduction_pct"]
    assert (groups["verdict"] == "not checkable").all()
    assert groups.loc["lives_saved_per_boat", "verdict_sentence"].startswith(
        "Not checkable: 'enough drugs to kill 25,000' is dose arithmetic"
    )
    assert (
        "the 37 boats the strike ledger shows destroyed by 29 Jan 2026 would have saved 925,000"
        in groups.loc["lives_saved_per_boat", "verdict_sentence"]
    )
    assert (
        "put the cut at 85% to 97%, once 'almost 100%'" in groups.loc["seaborne_flow_reduction_pct", "verdict_sentence"]
    )
    assert set(front["verdict"]) <= set(verdicts.VERDICTS)
    assert (front["tolerance"] == 0.10).all() and front["rule"].str.contains("within 10%").all()
    c001 = front.set_index("claim_id").loc["C001"]
    assert c001["cdc_figure"].startswith("112,966 all drug overdose deaths in the 12 months ending Aug 2023")
    assert c001["comparison_label"] == "highest 12 months published (the 2022-23 peak)"
    assert (c001["comparison"], c001["tier"], c001["claimed"]) == (
        "peak",
        "snapshot",
        "250,000 to 300,000 deaths a year",
    )
    looser = verdicts.headline_verdicts(claims, national, calendar, strikes, verdicts.Thresholds(0.0))
    strict = looser.set_index("claim_id").loc["C014"]  # no tolerance: 0.993 of CDC's figure is below it
    assert (strict["verdict"], strict["comparison"]) == ("understates", "matched")
    assert (looser["tolerance"] == 0.0).all()


def test_verdict_and_robustness_lines(scored, inputs):
    claims, national, calendar, _ = inputs
    comparison = matching.claims_vs_cdc(claims, national, calendar)
    judged = verdicts.judge_table(sensitivity.sensitivity_table(claims, national, calendar), comparison)
    lines = verdicts.robustness_lines(judged)
    assert (
        "C014: consistent with CDC in 3 of 5 comparisons usable for the verdict; all drug overdose deaths 0.69: "
        "understates, latest period published at the claim's date 1.27: overstates" in lines
    )
    text = verdicts.verdict_lines(scored.reset_index())
    assert text[0].startswith("The rule (tolerance 10%): consistent with CDC") and len(text) == 19


def test_the_revision_band_never_carries_the_verdict(inputs):
    """The published rule: the band row shows how far the ratio could move, and changes no verdict."""
    claims, national, calendar, _ = inputs
    rule = verdicts.Thresholds().rule_text()
    assert "revised either way by the largest revision seen" in rule
    assert "at the release it was read from" in rule and "not a statistical interval" in rule
    assert "never carries the verdict, and cannot by itself make a claim consistent with CDC" in rule
    comparison = matching.claims_vs_cdc(claims, national, calendar)
    table = sensitivity.sensitivity_table(claims, national, calendar)
    for tolerance in (0.0, 0.10, 0.5):
        thresholds = verdicts.Thresholds(tolerance)
        judged = verdicts.judge_table(table, comparison, thresholds)
        bands = judged[judged["comparison"] == "revision_band"]
        assert len(bands) == 13 and not bands["headline"].any() and not bands["eligible"].any()
        without = verdicts.judge_table(table[table["comparison"] != "revision_band"], comparison, thresholds)
        heads = judged[judged["headline"]].set_index("claim_id")[["comparison", "verdict"]]
        assert heads.equals(without[without["headline"]].set_index("claim_id")[["comparison", "verdict"]])
    # a band that would reach CDC's figure does not make the claim consistent
    two = pd.DataFrame(
        {
            **{column: "" for column in sensitivity.SENSITIVITY_COLUMNS},
            "claim_id": ["C1", "C1"],
            "comparison": ["matched", "revision_band"],
            "eligible": [True, False],
            "why_not": ["", sensitivity.BAND_WHY_NOT],
            "ratio_low": pd.array([1.12, 1.08], dtype="Float64"),
            "ratio_high": pd.array([1.12, 1.16], dtype="Float64"),
        }
    )
    judged = verdicts.judge_table(two, pd.DataFrame({"claim_id": ["C1"], "qualifier": ["point"]})).set_index(
        "comparison"
    )
    assert judged.loc["revision_band", "verdict"] == "consistent with CDC"  # its own reading, shown
    assert (judged.loc["matched", "headline"], judged.loc["matched", "verdict"]) == (True, "overstates")


def test_robustness_lines_end_with_the_revision_band(inputs):
    claims, national, calendar, _ = inputs
    comparison = matching.claims_vs_cdc(claims, national, calendar)
    judged = verdicts.judge_table(sensitivity.sensitivity_table(claims, national, calendar), comparison)
    lines = verdicts.robustness_lines(judged)
    assert lines[-len(sensitivity.band_lines(judged)) :] == sensitivity.band_lines(judged)
    c004 = next(line for line in lines if line.startswith("C004: even if"))
    assert "the ratio would be 0.88 to 0.91" in c004 and "9 months old on the claim's date" in c004
