"""Tests for analysis.revisions: revisions of CDC's provisional counts between the releases held.

The arithmetic is checked on rows of every release (the April 2018, mid-2019 and July 2019 national
snapshots against the September 2025 one), including the issue's example; the band and the ratio
range on small hand-made tables whose answer can be worked out on paper, then on the real ones.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import boats, cdc, compare, ledgers, matching, releases, revisions, verdicts
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def held():
    return revisions.load_held_releases()


@pytest.fixture(scope="module")
def pairs(held):
    return revisions.revision_pairs(held)


@pytest.fixture(scope="module")
def first(pairs):
    return revisions.first_published(pairs)


def _row(table, period, indicator, measure, release=None):
    rows = table[(table["period_end"] == period) & (table["indicator"] == indicator) & (table["measure"] == measure)]
    if release is not None:
        rows = rows[rows["release" if "release" in rows else "first_release"] == release]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- the releases held -------------------------------------------------------------------------


def test_four_releases_oldest_first_latest_last(held):
    assert list(held) == ["2018-04", "2019-06", "2019-07", "2025-09"]
    assert cdc.latest_period(held["2025-09"]) == "2025-04"


def test_latest_release_must_be_newer_than_the_older_ones(tmp_path):
    from helpers import copy_project

    paths = copy_project(tmp_path)
    entries = revisions.manifest.load(paths)
    entries["files"]["cdc_vsrr.csv"]["source_release"] = "2019-07"
    revisions.manifest.write(entries, paths)
    with pytest.raises(revisions.RevisionError, match=r"cdc_vsrr.csv: its release 2019-07 is not newer"):
        revisions.load_held_releases(paths)


def test_release_month_of_an_api_fetch_is_its_month():
    assert revisions.release_month({"source_release": "2026-01-14"}) == "2026-01"
    with pytest.raises(revisions.RevisionError, match="manifest entry 'x.csv', field source_release: 'soon'"):
        revisions.release_month({"file": "x.csv", "source_release": "soon"})


# --- the arithmetic on rows of each release ----------------------------------------------------


def test_the_issues_example_july_2019_release(first):
    """12 months ending Nov 2018: July 2019 release 66,986 reported / 69,096 predicted; Sept 2025: 68,102 / 68,873."""
    reported = _row(first, "2018-11", "all_drugs", "reported")
    predicted = _row(first, "2018-11", "all_drugs", "predicted")
    assert (reported["first_release"], reported["first_value"], reported["latest_value"]) == ("2019-07", 66986, 68102)
    assert (predicted["first_release"], predicted["first_value"], predicted["latest_value"]) == (
        "2019-07",
        69096,
        68873,
    )
    assert reported["revision"] == 68102 - 66986 == 1116
    assert reported["revision_percent"] == round(100 * 1116 / 66986, 3) == 1.666
    assert predicted["revision"] == -223 and predicted["revision_percent"] == -0.323
    assert reported["age_months"] == predicted["age_months"] == 8  # Nov 2018 -> Jul 2019
    assert reported["months_before_newest"] == 0 and reported["latest_release"] == "2025-09"
    assert bool(reported["provisional_at_release"])
    # errors against the latest reported count: reported short by 1,116, predicted over by 994
    assert (reported["error"], predicted["error"]) == (-1116, 69096 - 68102)
    assert predicted["error_percent"] == round(100 * 994 / 68102, 3)


def test_april_2018_release_reported_only(pairs, first):
    """12 months ending Sep 2017: 67,944 reported in the April 2018 release, 70,599 now (+3.9%)."""
    row = _row(first, "2017-09", "all_drugs", "reported")
    assert (row["first_release"], row["first_value"], row["latest_value"], row["revision"]) == (
        "2018-04",
        67944,
        70599,
        2655,
    )
    assert row["age_months"] == 7 and row["revision_percent"] == 3.908
    # the 2018 release gives no predicted values: no pair from it, nothing filled
    assert not ((pairs["release"] == "2018-04") & (pairs["measure"] == "predicted")).any()
    assert _row(first, "2017-09", "all_drugs", "predicted")["first_release"] == "2019-06"


def test_mid_2019_release_rows(pairs):
    reported = _row(pairs, "2018-09", "all_drugs", "reported", "2019-06")
    predicted = _row(pairs, "2018-09", "all_drugs", "predicted", "2019-06")
    assert (reported["value"], reported["latest_value"]) == (67152, 68421)
    assert (predicted["value"], predicted["latest_value"]) == (69894, 69178)
    assert reported["age_months"] == 9 and bool(reported["first"])
    later = _row(pairs, "2018-09", "all_drugs", "reported", "2019-07")
    assert later["value"] == 67657 and not later["first"] and later["age_months"] == 10


def test_classes_and_final_periods(first):
    cocaine = _row(first, "2018-11", "cocaine", "reported")
    assert (cocaine["first_value"], cocaine["latest_value"]) == (14630, 14898)
    synthetic = _row(first, "2018-11", "synthetic_opioids", "predicted")
    assert (synthetic["first_value"], synthetic["latest_value"]) == (32159, 31770)
    final = _row(first, "2016-12", "all_drugs", "reported")  # final data already in April 2018
    assert final["revision"] == 0 and not final["provisional_at_release"]


def test_pair_and_first_counts(pairs, first):
    reported = pairs[(pairs["indicator"] == "all_drugs") & (pairs["measure"] == "reported")]
    assert reported.groupby("release").size().to_dict() == {"2018-04": 33, "2019-06": 45, "2019-07": 47}
    assert len(first) == 3 * 2 * 47  # 2015-01 to 2018-11, three indicators, two measures
    assert not first.duplicated(["period_end", "indicator", "measure"]).any()
    assert list(first.columns) == revisions.REVISION_COLUMNS
    # every first value is the earliest release holding one
    earliest = pairs.groupby(["indicator", "measure", "period_end"])["release"].min().rename("earliest")
    joined = first.join(earliest, on=["indicator", "measure", "period_end"])
    assert (joined["first_release"] == joined["earliest"]).all()


def test_every_revision_is_latest_minus_first(first):
    assert (first["revision"] == first["latest_value"] - first["first_value"]).all()
    assert ((first["revision_percent"] - 100 * first["revision"] / first["first_value"]).abs() < 0.0005).all()


# --- the arithmetic on made-up releases: gaps, errors ------------------------------------------


def tidy(rows, footnote="Underreported due to incomplete data."):
    """A tidy table from (period, indicator, reported, predicted) rows."""
    frame = pd.DataFrame(rows, columns=["period_end", "indicator", "reported", "predicted"])
    frame["jurisdiction"] = "US"
    frame["footnote"] = footnote
    for column in ("reported", "predicted"):
        frame[column] = frame[column].astype("Int64")
    return frame


def test_gaps_give_no_pair_and_are_never_filled():
    old = tidy([("2018-01", "all_drugs", 100, None), ("2018-02", "all_drugs", 110, 120)])
    new = tidy([("2018-01", "all_drugs", 104, 105), ("2018-02", "all_drugs", None, 118)])
    pairs = revisions.revision_pairs({"2018-06": old, "2025-09": new})
    assert list(zip(pairs["period_end"], pairs["measure"], strict=True)) == [
        ("2018-02", "predicted"),
        ("2018-01", "reported"),
    ]
    predicted = pairs.iloc[0]
    assert predicted["revision"] == -2 and pd.isna(predicted["latest_reported"]) and pd.isna(predicted["error"])


def test_only_national_rows_are_compared():
    old = tidy([("2018-01", "all_drugs", 100, 101)])
    new = pd.concat(
        [tidy([("2018-01", "all_drugs", 104, 105)]), tidy([("2018-01", "all_drugs", 9, 9)]).assign(jurisdiction="NY")],
        ignore_index=True,
    )
    pairs = revisions.revision_pairs({"2018-06": old, "2025-09": new})
    assert pairs["latest_value"].tolist() == [105, 104]  # predicted, reported: the US rows, not New York's


def test_a_period_the_latest_release_lacks_is_left_out():
    old = tidy([("2018-01", "all_drugs", 100, 101), ("2018-02", "all_drugs", 110, 111)])
    new = tidy([("2018-02", "all_drugs", 112, 113)])
    pairs = revisions.revision_pairs({"2018-06": old, "2025-09": new})
    assert set(pairs["period_end"]) == {"2018-02"}


@pytest.mark.parametrize(
    "releases_given, message",
    [
        ({"2025-09": tidy([("2018-01", "all_drugs", 1, 1)])}, "need an older release and a latest one, got 1"),
        ({"2018-6": tidy([]), "2025-09": tidy([])}, "release '2018-6' is not a YYYY-MM month"),
        (
            {"2018-06": tidy([("2018-01", "all_drugs", 1, 1), ("2018-01", "all_drugs", 2, 2)]), "2025-09": tidy([])},
            "release 2018-06: period 2018-01, indicator all_drugs appears 2 times",
        ),
        (
            {"2018-06": tidy([("2018-07", "all_drugs", 1, 1)]), "2025-09": tidy([])},
            "release 2018-06: period 2018-07 ends in or after the release month",
        ),
        (
            {"2018-06": tidy([("2018-01", "all_drugs", 1, 1)]), "2025-09": tidy([("2018-02", "all_drugs", 1, 1)])},
            "no period is held by both",
        ),
    ],
)
def test_releases_that_cannot_be_compared_are_refused(releases_given, message):
    with pytest.raises(revisions.RevisionError, match=message):
        revisions.revision_pairs(releases_given)


def test_months_between():
    assert revisions.months_between("2018-11", "2019-07") == 8
    assert revisions.months_between("2024-12", pd.Timestamp("2025-05-14")) == 5
    assert revisions.months_between("2024-12", "2025-05-14") == 5


# --- summary, largest, anticipation ------------------------------------------------------------


def test_largest_revision_is_the_largest_provisional_one(first):
    top = revisions.largest_revision(first, "all_drugs", "reported")
    rows = first[
        (first["indicator"] == "all_drugs") & (first["measure"] == "reported") & first["provisional_at_release"]
    ]
    assert top.revision_percent == rows["revision_percent"].abs().max() == 3.908
    assert (top.period_end, top.release, top.age_months, top.figures) == ("2017-09", "2018-04", 7, len(rows))
    predicted = revisions.largest_revision(first, "all_drugs", "predicted")
    assert (predicted.period_end, predicted.release, predicted.revision) == ("2018-08", "2019-06", 69474 - 70455)
    with pytest.raises(revisions.RevisionError, match="no provisional predicted figure of heroin"):
        revisions.largest_revision(first, "heroin", "predicted")


def test_summary_counts_and_medians(first):
    table = revisions.summary(first)
    assert len(table) == 6
    row = table[(table["indicator"] == "all_drugs") & (table["measure"] == "reported")].iloc[0]
    provisional = first[
        (first["indicator"] == "all_drugs") & (first["measure"] == "reported") & first["provisional_at_release"]
    ]
    assert (row["periods"], row["provisional_periods"]) == (47, len(provisional))
    assert row["median_percent"] == round(provisional["revision_percent"].median(), 2)
    assert row["releases"] == "Apr 2018, Jun 2019, Jul 2019"


def test_anticipation_compares_both_measures_of_the_same_release(first):
    table = revisions.anticipation(first)
    row = table[(table["indicator"] == "all_drugs") & (table["ages"] == "all ages")].iloc[0]
    both = first[
        (first["indicator"] == "all_drugs") & first["provisional_at_release"] & (first["first_release"] != "2018-04")
    ]
    wide = both.pivot(index="period_end", columns="measure", values="error_percent")
    assert row["periods"] == len(wide)
    assert row["predicted_closer"] == int((wide["predicted"].abs() < wide["reported"].abs()).sum())
    young = table[(table["indicator"] == "all_drugs") & (table["ages"] == "up to 12 months")].iloc[0]
    older = table[(table["indicator"] == "all_drugs") & (table["ages"] == "over 12 months")].iloc[0]
    assert young["periods"] + older["periods"] == row["periods"]


def test_same_age_in_different_releases(pairs):
    table = revisions.pairs_at_same_age(pairs)
    nine = table[table["age_months"] == 9].set_index("release")["median_percent"].round(3).to_dict()
    assert nine == {"2018-04": 2.492, "2019-06": 1.890, "2019-07": 1.356}  # 2017-07, 2018-09, 2018-10


# --- the band ----------------------------------------------------------------------------------


def made_up_revisions(rows):
    """A first_published-shaped table from (period, age, first value, latest value, release) rows."""
    frame = pd.DataFrame(rows, columns=["period_end", "age_months", "first_value", "latest_value", "first_release"])
    frame["indicator"], frame["measure"] = "all_drugs", "predicted"
    frame["revision"] = frame["latest_value"] - frame["first_value"]
    frame["revision_percent"] = 100 * frame["revision"] / frame["first_value"]
    frame["provisional_at_release"] = True
    return frame


SMALL = made_up_revisions(
    [
        ("2018-01", 6, 1000, 1030, "2018-07"),  # +3%
        ("2018-02", 5, 1000, 980, "2018-07"),  # -2%
        ("2017-12", 7, 1000, 1010, "2018-07"),  # +1%
        ("2017-06", 13, 1000, 1005, "2018-07"),  # +0.5%
        ("2016-06", 25, 1000, 1000, "2018-07"),  # 0
    ]
)


def test_band_takes_figures_of_about_that_age():
    found = revisions.band(SMALL, "all_drugs", "predicted", 6, window=1, min_periods=1)
    assert (found.periods, found.ages, found.largest_percent) == (3, (5, 7), 3.0)
    assert (found.low_percent, found.high_percent) == (-2.0, 3.0)
    assert found.range(50_000) == pytest.approx((48_500, 51_500))
    assert not found.outside_sample


def test_band_widens_until_it_has_enough_periods():
    found = revisions.band(SMALL, "all_drugs", "predicted", 13, window=0, min_periods=2)
    # 13 alone has one period; the window grows to 6 months, which reaches age 7
    assert (found.periods, found.ages, found.largest_percent) == (2, (7, 13), 1.0)
    everything = revisions.band(SMALL, "all_drugs", "predicted", 13, window=0, min_periods=99)
    assert everything.periods == 5  # not enough anywhere: every figure, and it stops


def test_band_says_when_the_age_is_outside_the_sample():
    young = revisions.band(SMALL, "all_drugs", "predicted", 2, window=2, min_periods=1)
    assert young.outside_sample and young.ages == (5, 5)
    assert "a figure 2 months old is younger than any in the sample, so the bound may understate" in young.label()
    old = revisions.band(SMALL, "all_drugs", "predicted", 40, window=2, min_periods=1)
    assert old.outside_sample and "older than any in the sample" in old.label()


def test_band_label_names_periods_releases_and_what_it_is_not():
    found = revisions.band(SMALL, "all_drugs", "predicted", 6, window=1, min_periods=1)
    assert found.label() == (
        "empirical bound from 3 periods of the Jul 2018 release (figures 5 to 7 months old at release; "
        "revisions seen -2.0% to +3.0%), not a statistical interval"
    )
    assert found.text(50_000).startswith("revised by up to 3.0% either way: 48,500 to 51,500 (empirical bound")


def test_band_refuses_bad_requests():
    with pytest.raises(ValueError, match="age_months must be a whole number"):
        revisions.band(SMALL, "all_drugs", "predicted", 2.5)
    with pytest.raises(ValueError, match="window must be >= 0"):
        revisions.band(SMALL, "all_drugs", "predicted", 2, window=-1)
    with pytest.raises(revisions.RevisionError, match="no provisional reported figure of all_drugs"):
        revisions.band(SMALL, "all_drugs", "reported", 6)


def test_band_on_the_real_revisions(first):
    found = revisions.band(first, "all_drugs", "reported", 9)
    used = first[
        (first["indicator"] == "all_drugs") & (first["measure"] == "reported") & ((first["age_months"] - 9).abs() <= 2)
    ]
    assert found.periods == len(used) >= 5
    assert found.largest_percent == round(used["revision_percent"].abs().max(), 2)
    assert found.releases == ("2018-04", "2019-06", "2019-07")
    newest = revisions.band(first, "all_drugs", "predicted", 5)  # the Sept 2025 release's newest period
    assert newest.outside_sample and newest.ages[0] == 8


# --- the ratio range ---------------------------------------------------------------------------


def test_ratio_range_arithmetic():
    found = revisions.ratio_range(200_000, 300_000, 100_000, 6, SMALL, "all_drugs", window=1, min_periods=1)
    # largest revision seen at 5-7 months: 3%. CDC 97,000 to 103,000.
    assert (found.cdc_low, found.cdc_high) == pytest.approx((97_000, 103_000))
    assert (found.ratio_low, found.ratio_high) == (round(200_000 / 103_000, 3), round(300_000 / 97_000, 3))
    assert found.text().startswith(
        "even if this period were revised by the largest revision seen (3.0% either way, "
        "CDC 97,000 to 103,000), the ratio would be 1.94 to 3.09; empirical bound from 3 periods"
    )
    assert found.text().endswith("not a statistical interval")
    big = revisions.ratio_range(300_000_000, 300_000_000, 100_000, 6, SMALL, "all_drugs", window=1, min_periods=1)
    assert "the ratio would be 2,913 to 3,093;" in big.text()  # thousands separators from 100 on


# --- the band applied to a matched figure (one period, an average, a quoted figure) -------------

BASIS = revisions.BandBasis(SMALL.assign(latest_release="2019-12"), window=1, min_periods=1)


def test_figure_band_one_provisional_period():
    found = revisions.figure_band("all_drugs", [("2019-06", 100_000, True)], "2019-12", BASIS)
    # 6 months old at the 2019-12 release: the 5-7 month figures, largest revision 3%
    assert found.newest.age_months == 6 and found.percent == 3.0
    assert (found.low, found.high) == pytest.approx((97_000, 103_000))
    assert found.ratios(200_000, 300_000) == (round(200_000 / 103_000, 3), round(300_000 / 97_000, 3))
    same = revisions.ratio_range(200_000, 300_000, 100_000, 6, SMALL, "all_drugs", window=1, min_periods=1)
    assert found.text(200_000, 300_000) == same.text()


def test_figure_band_moves_only_the_provisional_years_of_an_average():
    parts = [("2017-12", 90_000, False), ("2018-12", 100_000, False), ("2019-06", 110_000, True)]
    found = revisions.figure_band("all_drugs", parts, "2019-12", BASIS)
    assert found.value == 100_000
    assert (found.low, found.high) == pytest.approx(
        ((90_000 + 100_000 + 110_000 * 0.97) / 3, (90_000 + 100_000 + 110_000 * 1.03) / 3)
    )
    assert [part.period_end for part in found.banded] == ["2019-06"]
    text = found.text(200_000, 200_000)
    assert text.startswith("even if 2019, the one year of this average still provisional, were revised")
    assert text.endswith("the final years (2017-2018) stay as published")


def test_figure_band_is_none_for_final_data_and_refuses_missing_values():
    assert revisions.figure_band("all_drugs", [("2017-12", 90_000, False)], "2019-12", BASIS) is None
    with pytest.raises(ValueError, match="the value is missing"):
        revisions.figure_band("all_drugs", [("2019-06", float("nan"), True)], "2019-12", BASIS)
    with pytest.raises(ValueError, match="measure must be one of"):
        revisions.figure_band("all_drugs", [("2019-06", 1, True)], "2019-12", BASIS, "final")
    with pytest.raises(revisions.RevisionError, match="one latest release"):
        revisions.BandBasis(SMALL)  # no latest_release column


def test_figure_band_of_unstated_measure_takes_the_larger_band(first):
    basis = revisions.BandBasis(first)
    either = revisions.figure_band("all_drugs", [("2025-08", 70_000, True)], "2026-01", basis, revisions.EITHER_MEASURE)
    bands = [revisions.band(first, "all_drugs", measure, 5) for measure in ("reported", "predicted")]
    assert either.newest.age_months == 5
    assert either.percent == max(item.largest_percent for item in bands) > min(item.largest_percent for item in bands)


def test_ratio_range_refuses_missing_figures():
    with pytest.raises(ValueError, match="cdc_value is missing"):
        revisions.ratio_range(1, 2, pd.NA, 6, SMALL, "all_drugs")
    with pytest.raises(ValueError, match="cdc_value must be a positive count"):
        revisions.ratio_range(1, 2, 0, 6, SMALL, "all_drugs")


def test_is_provisional_reads_cdcs_footnote(held):
    latest = held["2025-09"]
    assert revisions.is_provisional(latest, "all_drugs", "2024-12")
    assert not revisions.is_provisional(latest, "all_drugs", "2023-12")
    assert revisions.is_provisional(held["2018-04"], "all_drugs", "2017-01")  # 2018 layout: footnote text only
    with pytest.raises(KeyError, match="2030-01 is not in the release"):
        revisions.is_provisional(latest, "all_drugs", "2030-01")


def test_claims_band_on_every_rated_provisional_claim(claims, held, first):
    latest = held["2025-09"]
    comparison = matching.claims_vs_cdc(claims, latest, releases.load_releases(project_paths()))
    table = revisions.claims_band(comparison, latest, first, "2025-09")
    rated = comparison[comparison["ratio_low"].notna()]

    def provisional(row):
        if row.match_rule == "named_years":  # an average: banded when any year averaged is provisional
            first_year, last_year = (int(y) for y in row.cdc_years.split("-"))
            return any(
                revisions.is_provisional(latest, row.cdc_indicator, f"{y}-12") for y in range(first_year, last_year + 1)
            )
        return revisions.is_provisional(latest, row.cdc_indicator, row.cdc_period_end)

    expected = [row.claim_id for row in rated.itertuples() if provisional(row)]
    assert list(table["claim_id"]) == expected and len(table) > 0
    assert "C014" in set(rated["claim_id"]) and "C014" not in expected  # Dec 2023: final data, no band
    assert "C011" in expected  # 2020-2024 averaged: 2024 is still provisional
    assert (table["band_ratio_low"] <= table["ratio_low"]).all()
    assert (table["ratio_high"] <= table["band_ratio_high"]).all()
    single = table[table["cdc_years"] == ""]
    for row in single.itertuples():
        assert row.release == "2025-09" and row.tier == "snapshot"
        assert row.age_months == revisions.months_between(row.cdc_period_end, "2025-09")
        assert row.age_at_claim_months == revisions.months_between(row.cdc_period_end, row.date)
        expected_range = revisions.ratio_range(
            *comparison.loc[
                comparison["claim_id"] == row.claim_id, ["claimed_low", "claimed_high", "cdc_predicted"]
            ].iloc[0],
            row.age_months,
            first,
            row.cdc_indicator,
        )
        assert (row.band_ratio_low, row.band_ratio_high) == (expected_range.ratio_low, expected_range.ratio_high)
        assert row.band_note == expected_range.band.label()
    c011 = table.set_index("claim_id").loc["C011"]
    december = latest.set_index(["indicator", "period_end"]).loc["all_drugs", "predicted"]
    values = [float(december[f"{year}-12"]) for year in range(2020, 2025)]
    share = revisions.band(first, "all_drugs", "predicted", 9).largest_percent / 100  # 2024-12, 9 months old
    high = (sum(values[:-1]) + values[-1] * (1 + share)) / 5
    claimed = comparison.set_index("claim_id").loc["C011", "claimed_low"]
    assert c011["band_ratio_low"] == round(claimed / high, 3)


def test_claims_band_of_a_quoted_figure_needs_the_calendar(first):
    calendar = releases.load_releases(project_paths())
    row = {
        "claim_id": "X9",
        "date": "2026-02-01",
        "tier": "quoted release",
        "match_rule": "release_at_claim_date",
        "cdc_period_end": "2025-08",
        "cdc_years": "",
        "cdc_indicator": "all_drugs",
        "cdc_value": 73_000.0,
        "claimed_low": 300_000.0,
        "claimed_high": 300_000.0,
        "ratio_low": round(300_000 / 73_000, 3),
        "ratio_high": round(300_000 / 73_000, 3),
    }
    comparison = pd.DataFrame([row])
    with pytest.raises(revisions.RevisionError, match="claim X9: its figure is quoted from a release beyond"):
        revisions.claims_band(comparison, cdc.load_national(project_paths()), first, "2025-09")
    table = revisions.claims_band(comparison, cdc.load_national(project_paths()), first, "2025-09", calendar=calendar)
    got = table.iloc[0]
    assert (got["release"], got["age_months"], got["age_at_claim_months"]) == (
        "2026-01",
        5,
        6,
    )  # release of 14 Jan 2026
    assert got["band_measure"] == revisions.EITHER_MEASURE
    assert got["band_percent"] == max(
        revisions.band(first, "all_drugs", m, 5).largest_percent for m in ("reported", "predicted")
    )


# --- quoted releases and the finding -----------------------------------------------------------


def test_quoted_releases_from_the_claims_ledger(claims, held):
    comparison = matching.claims_vs_cdc(claims, held["2025-09"], releases.load_releases(project_paths()))
    calendar = releases.load_releases(project_paths())
    table = revisions.quoted_releases(comparison, calendar).set_index("claim_id")
    cf03 = table.loc["CF03"]  # 2024 predicted 80,391 in the May 2025 release; 81,711 now; 79,385 final (CF07)
    assert (cf03["quoted"], cf03["quoted_measure"], cf03["quoted_release"], cf03["age_months"]) == (
        80391,
        "predicted",
        "2025-05",
        5,
    )
    assert (cf03["latest_predicted"], cf03["final"], cf03["final_claim_id"]) == (81711, 79385, "CF07")
    assert cf03["predicted_vs_quoted_percent"] == round(100 * (81711 - 80391) / 80391, 2)
    assert table.loc["CF05", "predicted_vs_quoted_percent"] == 0  # quoted from the snapshot's own release
    assert table.loc["CF09", "quoted_release"] == ""  # undated: no release can be named
    assert "CF01" not in table.index and "CF06" not in table.index  # final data; a period past the snapshot
    ledger = ledgers.load_claims(project_paths().raw / "claims.csv")
    for claim_id in table.index:
        assert ledger.set_index("claim_id").loc[claim_id, "kind"] == "counter_figure"


def test_finding_row_numbers_come_from_the_table(first):
    finding, number, data_file, rows, source = revisions.finding_row(first, "https://example.org/cdc")
    reported = revisions.largest_revision(first, "all_drugs", "reported")
    predicted = revisions.largest_revision(first, "all_drugs", "predicted")
    assert number == f"reported {reported.revision_percent:+.1f}%, predicted {predicted.revision_percent:+.1f}%"
    assert "data/processed/cdc_revisions.csv" in data_file and "data/raw/cdc_vsrr_2018-04.csv" in data_file
    assert rows == "all_drugs reported 2017-09 (Apr 2018 release); all_drugs predicted 2018-08 (Jun 2019 release)"
    assert f"reported: {reported.figures} periods" in finding and source == "https://example.org/cdc"
    sentence = revisions.finding_sentence(first)
    assert sentence.startswith("Between the Apr 2018, Jun 2019 and Jul 2019 releases of CDC's data and its Sep 2025")
    assert (
        f"at most {reported.revision_percent:+.1f}% (reported counts, {reported.figures} periods) and "
        f"{predicted.revision_percent:+.1f}% (predicted, {predicted.figures} periods)"
    ) in sentence


# --- the band leaves out figures that were final at release -------------------------------------


def test_band_uses_only_figures_provisional_at_release(first):
    # 20 months old: in 2019 such figures already rested on final data (revision 0); today's can be provisional
    found = revisions.band(first, "all_drugs", "reported", 20)
    assert found.outside_sample and found.ages[1] == 17 and found.largest_percent > 0
    everything = revisions.band(first, "all_drugs", "reported", 20, provisional_only=False)
    assert everything.largest_percent == 0 and not everything.outside_sample
    with pytest.raises(revisions.RevisionError, match="no provisional reported figure"):
        revisions.band(SMALL.assign(provisional_at_release=False, measure="reported"), "all_drugs", "reported", 6)


def test_band_table_applies_the_band_to_a_releases_periods(held, first):
    latest = held["2025-09"]
    table = revisions.band_table(latest, first, "2025-09", ["2025-04", "2024-01"], ("all_drugs",), ("predicted",))
    newest, oldest = table.iloc[0], table.iloc[1]
    assert (newest["age (months)"], newest["value"]) == (5, 76516)
    found = revisions.band(first, "all_drugs", "predicted", 5)
    assert (newest["low"], newest["high"]) == tuple(round(v) for v in found.range(76516))
    assert newest["ages used"].endswith("(younger than any held)") and oldest["ages used"].endswith(
        "(older than any held)"
    )


def test_provisional_periods_of_the_snapshot(held):
    periods = revisions.provisional_periods(held["2025-09"])
    assert (periods[0], periods[-1], len(periods)) == ("2024-01", "2025-04", 16)


# --- what the notebook prints ------------------------------------------------------------------


def test_side_by_side_keeps_predicted_empty_where_the_release_gave_none(first):
    table = revisions.side_by_side(first)
    april = table[table["release"] == "Apr 2018"]
    assert len(april) == 9 and april["predicted first"].isna().all()
    last = table.iloc[-1]
    assert (last["period"], last["reported first"], last["predicted first"], last["predicted latest"]) == (
        "2018-11",
        66986,
        69096,
        68873,
    )


def test_answer_and_example_lines_quote_the_table(first, pairs):
    lines = revisions.answer_lines(first, pairs)
    top = revisions.largest_revision(first, "all_drugs", "reported")
    assert f"{len(pairs):,} period-release pairs" in lines[0] and f"of which {len(first):,}" in lines[0]
    assert top.text() in lines[1] and "67,944 -> 70,599" in lines[1]
    example = revisions.example_lines(first, "2018-11")
    assert example[0] == (
        "Reported: 66,986 in the Jul 2019 release (8 months after the period ended), 68,102 in the "
        "Sep 2025 release: +1,116 deaths (+1.7%)."
    )
    with pytest.raises(revisions.RevisionError, match="12 months ending Jan 2030: not in the revisions table"):
        revisions.example_lines(first, "2030-01")


def test_improvement_line_counts_ages_where_later_releases_moved_less(pairs):
    line = revisions.improvement_line(pairs)
    table = revisions.pairs_at_same_age(pairs)
    ages = sorted(set(table["age_months"]))
    assert f"of the {len(ages)} ages" in line
    # age 9: Apr 2018 2.49 > Jun 2019 1.89 > Jul 2019 1.36 shrinks; age 16: 0.145 < 0.156 does not
    assert line.startswith("At 8 of the 10 ages")


def test_method_shift_is_the_predicted_revision_of_final_periods(first):
    table = revisions.method_shift(first).set_index("indicator")
    final = first[
        (first["indicator"] == "cocaine") & (first["measure"] == "predicted") & ~first["provisional_at_release"]
    ]
    assert table.loc["cocaine", "periods"] == len(final) == 36
    assert table.loc["cocaine", "median revision %"] == round(final["revision_percent"].median(), 2)


def test_claims_band_lines_say_whether_any_ratio_crosses_one():
    row = {
        "claim_id": "X1",
        "release": "2025-09",
        "cdc_period_end": "2024-12",
        "cdc_indicator": "all_drugs",
        "age_months": 9,
        "cdc_predicted": 100,
        "ratio_low": 0.99,
        "ratio_high": 0.99,
        "band_measure": "predicted",
        "band_percent": 2.0,
        "band_ratio_low": 0.97,
        "band_ratio_high": 1.01,
        "band_periods": 5,
        "band_note": "",
    }
    crossing = pd.DataFrame([row])
    lines = revisions.claims_band_lines(crossing)
    assert lines[-1] == "Within their bands, the ratios of X1 would cross 1 (CDC's count)."
    assert "Nearest to 1 (CDC's count): X1, ratio 0.99 as published, 0.97 to 1.01" in lines[2]
    clear = pd.DataFrame([{**row, "band_ratio_high": 0.999}])
    assert revisions.claims_band_lines(clear)[-1].startswith("No claim's ratio crosses 1")
    assert revisions.claims_band_lines(crossing.iloc[:0]) == [
        "No rated claim is matched with a provisional period: the band changes no ratio."
    ]


def test_quoted_figure_against_the_band(claims, held, first):
    comparison = matching.claims_vs_cdc(claims, held["2025-09"], releases.load_releases(project_paths()))
    quoted = revisions.quoted_releases(comparison, releases.load_releases(project_paths()))
    table = revisions.quoted_against_band(quoted, first, "2025-09")
    assert list(table["claim_id"]) == ["CF03"]  # the only one naming its measure, not from the latest release
    row = table.iloc[0]
    found = revisions.band(first, "all_drugs", "predicted", 5)
    assert (row["moved_percent"], row["band_percent"]) == (
        round(100 * (81711 - 80391) / 80391, 2),
        found.largest_percent,
    )
    assert bool(row["within_band"]) == (abs(row["moved_percent"]) <= found.largest_percent)
    lines = revisions.quoted_band_lines(table, quoted)
    assert lines[0].startswith("CF03 (quoted): 12 months ending Dec 2024, predicted 80,391 in the May 2025 release")
    assert lines[-1].startswith("4 quoted figures do not say whether")


def test_final_product_gaps(claims, held):
    comparison = matching.claims_vs_cdc(claims, held["2025-09"], releases.load_releases(project_paths()))
    table = revisions.final_product_gaps(comparison).set_index("claim_id")
    assert table.loc["CF01", ["final", "latest_reported"]].tolist() == [105007, 106881]
    assert table.loc["CF01", "final_vs_latest_percent"] == round(100 * (105007 - 106881) / 106881, 2)
    assert set(table.index) == {"CF01", "CF07", "CF08"}


def test_source_text_names_every_release(held):
    text = revisions.source_text()
    assert "the Apr 2018, Jun 2019 and Jul 2019 releases (months approximate)" in text
    assert "Sep 2025 release (periods to Apr 2025)" in text and "xkb8-kh2a" in text


def test_for_reader_uses_cdcs_class_names(first):
    table = revisions.for_reader(revisions.summary(first))
    assert "Cocaine (T40.5)" in set(table["indicator"]) and "median %" in table.columns


def test_findings_table_gains_the_revision_row(claims, held, first):
    from analysis import reconcile

    paths = project_paths()
    national = held["2025-09"]
    strikes, tallies = (ledgers.load(name, paths) for name in ("strikes", "tallies"))
    args = (
        national,
        verdicts.scored_comparison(claims, national, releases.load_releases(project_paths())),
        boats.lives_per_boat(claims, strikes, national, releases.load_releases(project_paths())),
        compare.seaborne_flow_series(claims),
        strikes,
        reconcile.reconcile_tallies(strikes, tallies),
        "https://cdc.example/",
    )
    without = compare.findings_table(*args)
    with_row = compare.findings_table(*args, revisions_table=first)
    assert len(with_row) == len(without) + 1
    assert tuple(with_row.iloc[-1][compare.FINDINGS_COLUMNS[:5]]) == revisions.finding_row(
        first, "https://cdc.example/"
    )
    assert with_row.iloc[-1]["topic"] == "revisions"
    assert with_row.iloc[-1]["sentence"] == revisions.finding_sentence(first)
    assert with_row.iloc[-1]["data_file"].startswith("data/processed/cdc_revisions.csv")
