"""Tests for analysis.sensitivity: the comparisons of every quantified per-year claim, and the registry."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cdc, matching, releases, sensitivity
from analysis.paths import project_paths

QUANTIFIED = [
    "C001",
    "C014",
    "C092",
    "C002",
    "C003",
    "C004",
    "C094",
    "C005",
    "C006",
    "C008",
    "C009",
    "C010",
    "C011",
    "C012",
    "C071",
]


@pytest.fixture(scope="module")
def national():
    return cdc.load_national(project_paths())


@pytest.fixture(scope="module")
def calendar():
    return releases.load_releases(project_paths())


@pytest.fixture(scope="module")
def table(claims, national, calendar):
    return sensitivity.sensitivity_table(claims, national, calendar)


def test_every_quantified_per_year_claim_has_its_matched_row_first(table):
    assert list(dict.fromkeys(table["claim_id"])) == QUANTIFIED
    firsts = table.groupby("claim_id", sort=False)["comparison"].first()
    assert (firsts == "matched").all()
    assert set(table["comparison"]) <= {item.key for item in sensitivity.COMPARISONS}
    assert list(table.columns) == sensitivity.SENSITIVITY_COLUMNS


def test_no_eligible_row_was_published_after_the_claim(claims, table):
    dates = claims.set_index("claim_id")["date_value"]
    eligible = table[table["eligible"]]
    assert (eligible["published"] != "").all()
    assert all(pd.Timestamp(row.published) <= dates[row.claim_id] for row in eligible.itertuples())
    later = table[table["why_not"].str.startswith("published after the claim")]
    assert set(later["comparison"]) == {"final", "later_release"}


def test_every_claim_is_set_against_both_classes_predicted_and_reported(table):
    for claim_id, part in table.groupby("claim_id"):
        if claim_id == "C010":  # its named period was not published: no matched-period rows
            continue
        assert set(part["indicator"]) >= {"all_drugs", "synthetic_opioids"}, claim_id
        assert "reported" in set(part["comparison"]), claim_id
    # a synthetic-opioid row may carry the verdict only where the claim can be read as about fentanyl
    synthetic = table[(table["indicator"] == "synthetic_opioids") & table["eligible"]]
    assert set(synthetic["claim_id"]) == {"C014", "C092", "C012"}


def test_the_peak_and_the_multi_year_and_final_rows(table):
    peak = table[table["comparison"] == "peak"].set_index("claim_id")
    assert set(peak.index) == set(QUANTIFIED)
    assert peak.loc["C001", "period"] == "the 12 months ending Aug 2023" and peak.loc["C001", "cdc_value"] == 112966
    assert peak.loc["C014", "period"] == "the 12 months ending Jul 2023"  # synthetic opioids peaked a month earlier
    multi = table[table["comparison"] == "multi_year_average"]
    assert list(multi["claim_id"]) == ["C011"] and multi.iloc[0]["period"] == "calendar years 2019-2024 (average of 6)"
    matched = table[(table["claim_id"] == "C011") & (table["comparison"] == "matched")].iloc[0]
    assert matched["cdc_value"] == round((93526 + 109099 + 110942 + 108550 + 81711) / 5, 1)
    final = table[table["comparison"] == "final"].set_index("claim_id")
    assert (
        final.loc["C014", "cdc_value"] == 72776 and final.loc["C014", "why_not"] == "publication date not in the ledger"
    )
    assert set(final.index) == {"C014", "C002", "C003", "C004", "C094", "C005", "C008", "C009"}
    assert (final.drop(index="C014")["cdc_value"] == 79385).all()  # CF07, Feb 2026: after every 2024 claim
    later = table[table["comparison"] == "later_release"]
    assert list(later["claim_id"]) == ["C010"] and later.iloc[0]["cdc_value"] == 70000


def test_final_figures_are_cf01_cf07_cf08(claims):
    finals = {
        item.claim_id: (item.indicator, item.period_end, item.value) for item in sensitivity.final_figures(claims)
    }
    assert finals == {
        "CF01": ("all_drugs", "2023-12", 105007),
        "CF07": ("all_drugs", "2024-12", 79385),
        "CF08": ("synthetic_opioids", "2023-12", 72776),
    }


def test_per_day_claim_is_multiplied_by_the_days_of_each_rows_window(table):
    c004 = table[table["claim_id"] == "C004"].set_index("comparison")
    assert c004.loc["matched", "claimed_low"] == 200 * 366  # 2024
    assert c004.loc["peak", "claimed_low"] == 200 * 365  # Sep 2022 - Aug 2023


def test_wide_ratios_columns(claims, calendar, table):
    wide = sensitivity.wide_ratios(table, claims, calendar, ["C001", "C014", "CF01"]).set_index("claim_id")
    assert list(wide.columns) == sensitivity.ratio_columns()
    assert wide.loc["C001", "ratio_low_vs_all_drugs"] == 2.726  # the matched one, repeated
    assert wide.loc["C001", "ratio_low_vs_peak"] == round(250000 / 112966, 3)
    assert wide.loc["CF01"].isna().all()


def test_one_more_comparison_is_one_registry_entry(claims, national, calendar):
    def doubled(claim, context):
        figure = context.figure(claim.match, claim.reading.indicator)
        if figure.value is None:
            return None
        bigger = matching.CdcFigure(
            figure.value * 2, figure.tier, figure.indicator, "test", "twice", figure.period_words, figure.published
        )
        return sensitivity.Alternative(bigger, "twice the matched figure", True)

    def banded(claim, context):  # a figure known as a range, e.g. "if revised by 10% either way"
        figure = context.figure(claim.match, claim.reading.indicator)
        if figure.value is None:
            return None
        ranged = matching.CdcFigure(
            figure.value,
            figure.tier,
            figure.indicator,
            "test",
            "band",
            figure.period_words,
            figure.published,
            value_range=(figure.value * 0.9, figure.value * 1.1),
        )
        return sensitivity.Alternative(ranged, "within 10%", True)

    registry = sensitivity.with_comparison(sensitivity.Comparison("twice", "twice the figure", doubled))
    registry = sensitivity.with_comparison(sensitivity.Comparison("band", "a band", banded), registry)
    table = sensitivity.sensitivity_table(claims, national, calendar, registry)
    rows = table[table["comparison"] == "twice"]
    assert len(rows) == 14 and "ratio_low_vs_twice" in sensitivity.ratio_columns(registry)
    band = table[(table["comparison"] == "band") & (table["claim_id"] == "C002")].iloc[0]
    assert (band["ratio_low"], band["ratio_high"]) == (
        round(300000 / (81711 * 1.1), 3),
        round(350000 / (81711 * 0.9), 3),
    )
    assert sensitivity.COMPARISONS[-1].key == "revision_band"  # the registry itself is unchanged


def test_grid(claims, calendar, table):
    from analysis import verdicts

    judged = verdicts.judge_table(table, matching.claims_vs_cdc(claims, cdc.load_national(project_paths()), calendar))
    grid = sensitivity.grid(judged, claims, calendar).set_index("claim_id")
    assert grid.loc["C001", "matched"] == "2.73-3.27" and grid.loc["C001", "peak"] == "2.21-2.66*"
    assert grid.loc["C001", "all_drugs"] == sensitivity.SAME_MARK
    assert grid.loc["C002", "final"] == "3.78-4.41 (not used)"
    assert grid.loc["C010", "matched"] == "" and grid.loc["C010", "all_drugs"] == ""
