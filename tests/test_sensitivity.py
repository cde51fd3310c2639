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
    assert grid.loc["C001", "revision_band"] == "2.69-3.31 (not used)"  # shown, never the headline
    assert grid.loc["C014", "revision_band"] == ""  # Dec 2023 rests on final data


# --- the revision band row ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def first():
    from analysis import revisions

    return revisions.revisions()


def test_the_revision_band_row_on_every_claim_it_applies_to(claims, national, table, first):
    """A band row for every quantified claim whose matched figure is still provisional, none otherwise."""
    from analysis import compare, revisions

    dates = claims.set_index("claim_id")["date_value"]
    bands = table[table["comparison"] == "revision_band"].set_index("claim_id")
    matched = table[table["comparison"] == "matched"].set_index("claim_id")
    applies = []
    for claim in sensitivity.scored_claims(claims, releases.load_releases(project_paths())):
        row = matched.loc[claim.claim_id]
        if pd.isna(row["cdc_value"]):
            continue  # no matched figure (C010): nothing to band
        periods = [f"{y}-12" for y in claim.match.years] or [claim.match.period_end]
        if any(revisions.is_provisional(national, claim.reading.indicator, p) for p in periods):
            applies.append(claim.claim_id)
    assert list(bands.index) == applies and len(applies) == 13
    assert "C014" not in bands.index and "C010" not in bands.index
    for claim_id, row in bands.iterrows():
        match = matched.loc[claim_id]
        newest = sensitivity.scored_claims(claims, releases.load_releases(project_paths()))
        claim = next(item for item in newest if item.claim_id == claim_id)
        period = claim.match.period_end
        assert not row["eligible"] and row["why_not"] == sensitivity.BAND_WHY_NOT, claim_id
        assert (row["cdc_value"], row["tier"], row["period"]) == (match["cdc_value"], "snapshot", match["period"])
        assert row["age_months"] == revisions.months_between(period, "2025-09"), claim_id  # the snapshot's release
        assert row["age_at_claim_months"] == revisions.months_between(period, dates[claim_id]), claim_id
        assert "empirical bound from 5 periods of the Jun 2019" in row["label"], claim_id
        assert "not a statistical interval" in row["label"] and row["label"].startswith("even if "), claim_id
        found = revisions.band(first, claim.reading.indicator, "predicted", int(row["age_months"]))
        assert row["band_percent"] == found.largest_percent and row["band_periods"] == found.periods, claim_id
        assert row["band_releases"] == ", ".join(revisions.release_label(r) for r in found.releases)
        if claim.match.years:
            continue  # the average (C011): its arithmetic is checked in test_revisions
        low, _ = compare.claimed_per_year(claim.value_low, claim.unit_base, period, claim_id)
        high, _ = compare.claimed_per_year(claim.value_high, claim.unit_base, period, claim_id)
        expected = revisions.ratio_range(
            low, high, match["cdc_value"], int(row["age_months"]), first, claim.reading.indicator
        )
        assert (row["ratio_low"], row["ratio_high"]) == (expected.ratio_low, expected.ratio_high), claim_id
        assert row["label"].startswith(expected.text()), claim_id
        assert row["ratio_low"] <= match["ratio_low"] and row["ratio_high"] >= match["ratio_high"], claim_id
    c001 = bands.loc["C001"]
    assert (c001["age_months"], c001["age_at_claim_months"], c001["ratio_low"], c001["ratio_high"]) == (
        13,
        5,
        2.694,
        3.311,
    )


def test_the_band_row_agrees_with_notebook_05s_claims_band(claims, national, calendar, table, first):
    from analysis import revisions

    comparison = matching.claims_vs_cdc(claims, national, calendar)
    nb05 = revisions.claims_band(comparison, national, first, "2025-09", calendar=calendar).set_index("claim_id")
    bands = table[table["comparison"] == "revision_band"].set_index("claim_id")
    assert list(nb05.index) == list(bands.index)
    for column_05, column in (
        ("band_ratio_low", "ratio_low"),
        ("band_ratio_high", "ratio_high"),
        ("band_percent", "band_percent"),
        ("band_periods", "band_periods"),
        ("age_months", "age_months"),
        ("age_at_claim_months", "age_at_claim_months"),
    ):
        assert nb05[column_05].tolist() == bands[column].tolist(), column


def test_a_quoted_figure_is_banded_at_the_release_it_was_read_from(claims, calendar, first):
    """A figure quoted from a release beyond the snapshot: aged at that release, with the larger band."""
    import dataclasses
    import datetime as dt

    from analysis import revisions

    context = sensitivity.context_for(claims, cdc.load_national(project_paths()), calendar)
    claim = next(item for item in sensitivity.scored_claims(claims, calendar) if item.claim_id == "C071")
    quoted = matching.CdcFigure(
        73_000.0, matching.QUOTED, "all_drugs", "quoted", "73,000 (quoted)", "x", dt.date(2026, 1, 14)
    )
    moved = dataclasses.replace(claim, match=dataclasses.replace(claim.match, period_end="2025-08"))
    found = sensitivity.band_of(moved, quoted, context)
    assert (found.release, found.newest.age_months) == ("2026-01", 5)
    assert found.percent == max(
        revisions.band(first, "all_drugs", m, 5).largest_percent for m in ("reported", "predicted")
    )


def test_the_age_is_counted_to_the_snapshots_recorded_release(claims, national, calendar, first):
    """The snapshot's release month is the manifest's (the revisions table's latest release), even where the
    release calendar would place the snapshot's latest period in another release (an accepted odd release)."""
    from analysis import revisions

    explicit = sensitivity.sensitivity_table(claims, national, calendar, band=revisions.BandBasis(first))
    pd.testing.assert_frame_equal(explicit, sensitivity.sensitivity_table(claims, national, calendar))
    other = revisions.BandBasis(first.assign(latest_release="2025-10"))
    moved = sensitivity.sensitivity_table(claims, national, calendar, band=other)
    c001 = moved[(moved["claim_id"] == "C001") & (moved["comparison"] == "revision_band")].iloc[0]
    assert c001["age_months"] == 14 and "(this project's snapshot, the Oct 2025 release)" in c001["label"]
    same = explicit[(explicit["claim_id"] == "C001") & (explicit["comparison"] == "revision_band")].iloc[0]
    assert "at the release it is read from (release of 10 Sep 2025)" in same["label"]


def test_band_lines_say_why_a_claim_has_no_band(table):
    lines = sensitivity.band_lines(table)
    assert lines[0].startswith("Revision band (shown, never used for the verdict)")
    assert "C014: the 12 months ending Dec 2023 rests on final data: no revision band." in lines
    assert "C010: no matched CDC figure: no revision band." in lines
    assert any(line.startswith("C001: even if this period were revised by the largest revision seen") for line in lines)
    assert len(lines) == 1 + len(QUANTIFIED)
