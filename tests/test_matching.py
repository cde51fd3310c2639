"""Tests for analysis.matching: release-calendar matching, tiers, the drug class, on every ledger row."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cdc, matching, releases
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def national():
    return cdc.load_national(project_paths())


@pytest.fixture(scope="module")
def calendar():
    return releases.load_releases(project_paths())


@pytest.fixture(scope="module")
def comparison(claims, national, calendar):
    return matching.claims_vs_cdc(claims, national, calendar)


# Every overdose-deaths-per-year row of the claims ledger (release 2026-12):
# claim_id -> (matched period, rule, tier, basis of the release CDC had out on the claim's date)
EXPECTED = {
    "C001": ("2024-08", "release_at_claim_date", "snapshot", "schedule"),  # release of 8 Jan 2025 (assumed)
    "C014": ("2023-12", "named_year", "snapshot", "schedule"),
    "C092": ("2024-09", "release_at_claim_date", "snapshot", "schedule"),  # release of 12 Feb 2025 (assumed)
    "C002": ("2024-12", "named_year", "snapshot", "schedule"),
    "C003": ("2024-12", "named_year", "snapshot", "reported"),
    "C004": ("2024-12", "named_year", "snapshot", "reported"),
    "C094": ("2024-12", "named_year", "snapshot", "reported"),
    "C005": ("2024-12", "named_year", "snapshot", "reported"),
    "C006": ("2025-04", "release_at_claim_date", "snapshot", "reported"),  # the shutdown: Apr 2025 until 13 Jan 2026
    "C007": ("2025-04", "release_at_claim_date", "snapshot", "reported"),
    "C008": ("2024-12", "named_year", "snapshot", "reported"),
    "C009": ("2024-12", "named_year", "snapshot", "reported"),
    "C010": ("2025-12", "named_year", "none", "reported"),  # 'this year' (2025) said on 6 Dec 2025: not yet published
    "C011": ("2024-12", "named_years", "snapshot", "reported"),  # average of 2020-2024
    "C012": ("2025-04", "release_at_claim_date", "snapshot", "reported"),
    "C013": ("2025-04", "release_at_claim_date", "snapshot", "reported"),
    "C070": ("2025-04", "release_at_claim_date", "snapshot", "reported"),
    "C071": ("2025-04", "release_at_claim_date", "snapshot", "reported"),
    "CF01": ("2023-12", "named_year", "snapshot", "schedule"),
    "CF02": ("2024-09", "named_12_months", "snapshot", "schedule"),
    "CF03": ("2024-12", "named_year", "snapshot", "reported"),
    "CF04": ("2024-12", "named_year", "snapshot", "reported"),
    "CF05": ("2025-04", "named_12_months", "snapshot", "reported"),
    "CF17": ("2025-08", "named_12_months", "none", "reported"),  # itself the quoted figure: no other
    "CF18": ("2025-08", "named_12_months", "none", "reported"),
    "CF19": ("2025-08", "named_12_months", "none", "reported"),
    "CF06": ("2025-08", "named_12_months", "none", "reported"),
    "CF07": ("2024-12", "named_year", "snapshot", "reported"),
    "CF15": ("2025-12", "named_12_months", "quoted release", "schedule"),  # CF16 from the same release
    "CF16": ("2025-12", "named_year", "quoted release", "reported"),  # CF15
    "CF08": ("2023-12", "named_year", "snapshot", ""),  # undated
    "CF09": ("2024-12", "named_year", "snapshot", ""),
}


def test_every_overdose_row_is_matched_by_the_rules(claims, comparison):
    assert set(comparison["claim_id"]) == set(claims.loc[claims["topic"] == "overdose_deaths_per_year", "claim_id"])
    got = {
        row.claim_id: (row.cdc_period_end, row.match_rule, row.tier, row.release_basis)
        for row in comparison.itertuples()
    }
    assert got == EXPECTED
    assert comparison.set_index("claim_id").loc["C011", "cdc_years"] == "2020-2024"


def test_no_comparison_uses_a_period_cdc_had_not_published_at_the_claims_date(comparison):
    raw = pd.read_csv(project_paths().raw / "cdc_releases.csv", dtype=str)
    published = raw[raw["basis"] != "none"]
    rated = comparison[comparison["ratio_low"].notna()]
    assert len(rated) == 14
    for row in rated.itertuples():
        first = published[published["latest_period"] >= row.cdc_period_end].iloc[0]
        assert pd.Timestamp(first["release_date"]) <= pd.Timestamp(row.date), row.claim_id
        if row.tier == "snapshot":
            assert row.cdc_period_end <= "2025-04"


def test_every_quantified_claim_has_a_comparison_or_a_stated_reason(comparison):
    claims = comparison[comparison["kind"] == "claim"]
    with_ratio = claims["ratio_low"].notna()
    assert (with_ratio != (claims["no_comparison_reason"] != "")).all()
    reasons = claims.set_index("claim_id").loc[~with_ratio.values, "no_comparison_reason"]
    assert reasons["C010"].startswith("names calendar year 2025") and "had not published it" in reasons["C010"]
    assert set(reasons.index) == {"C007", "C010", "C013", "C070"}
    assert all(reasons[c].startswith("no number") for c in ("C007", "C013", "C070"))


def test_counter_figures_never_get_a_ratio_and_schedule_releases_say_so(comparison):
    assert comparison.loc[comparison["kind"] == "counter_figure", "ratio_low"].isna().all()
    c001 = comparison.set_index("claim_id").loc["C001"]
    assert "release of 8 Jan 2025, assumed from CDC's regular schedule" in c001["note"]
    assert c001["cdc_figure"] == (
        "91,694 all drug overdose deaths in the 12 months ending Aug 2024 (CDC provisional, "
        "predicted, release of 10 Sep 2025)"
    )


# ------------------------------------------------------------------------------------------------
# The drug class


def test_claim_class_on_every_overdose_claim(claims):
    rows = claims[(claims["topic"] == "overdose_deaths_per_year") & (claims["kind"] == "claim")]
    readings = {
        row.claim_id: matching.claim_class(row.kind, row.unit_qualifier, row.period, row.quote)
        for row in rows.itertuples()
    }
    # only C014 ("Fentanyl ... 74,702") and C092 ("to fentanyl") name it; C012's quote does not, though its period does
    assert {k for k, r in readings.items() if r.indicator == "synthetic_opioids"} == {"C014", "C092"}
    assert {k for k, r in readings.items() if r.period_suggests_fentanyl} == {"C012", "C092"}
    assert readings["C012"].indicator == "all_drugs" and readings["C012"].fentanyl_reading
    assert "synthetic opioids are shown too" in readings["C012"].reason


# ------------------------------------------------------------------------------------------------
# The calendar and the tiers


def test_several_years():
    assert matching.several_years("per year over last 5-6 years") == (5, 6)
    assert matching.several_years("over the last 5 years") == (5,)
    assert matching.several_years("per year (vs '100' reported for 15 years)") == ()
    assert matching.several_years(None) == ()


def test_release_at_a_day_uses_the_calendar_and_its_gap(calendar):
    # from the snapshot's release (10 Sep 2025) to the day before the next (14 Jan 2026): Apr 2025
    for day in ("2025-09-10", "2025-10-15", "2025-12-31", "2026-01-13"):
        assert matching.release_at(calendar, day).period == "2025-04"
    assert matching.release_at(calendar, "2025-09-09").period == "2025-03"
    assert matching.release_at(calendar, "2026-01-14").period == "2025-08"
    assert matching.release_at(calendar, pd.NaT) is None


def test_first_published(calendar):
    assert matching.first_published(calendar, "2025-12").release_date.isoformat() == "2026-05-13"
    assert matching.first_published(calendar, "2025-05").release_date.isoformat() == "2026-01-14"  # skipped by the gap
    assert (
        matching.first_published(calendar, "2020-12").release_month == "2024-01"
    )  # before the calendar: its first row
    assert matching.first_published(calendar, "2027-01") is None


def test_month_only_date_counts_from_the_first_of_the_month(calendar):
    match = matching.match_claim("per year", pd.Timestamp("2026-01-01"), calendar, "C9", "month")
    assert match.period_end == "2025-04" and "month-only date" in match.explanation


def test_quoted_figures_are_the_rows_quoting_releases_beyond_the_snapshot(claims, calendar):
    quoted = matching.quoted_figures(claims, calendar, "2025-04")
    assert sorted(item.claim_id for item in quoted) == ["CF06", "CF15", "CF16", "CF17", "CF18", "CF19"]
    by_id = {item.claim_id: item for item in quoted}
    assert by_id["CF06"].release.release_date.isoformat() == "2026-01-14" and by_id["CF06"].reporter == "AP"
    assert by_id["CF15"].reported_count and not by_id["CF16"].reported_count
    # for Dec 2025 all drugs the figure not labelled "reported" is chosen
    assert matching.quoted_for(quoted, "all_drugs", "2025-12").claim_id == "CF16"
    assert matching.quoted_for(quoted, "synthetic_opioids", "2025-08").qualifier.words == "over"


def _with_claim(claims, claim_id, date, period, quote):
    row = claims[claims["claim_id"] == "C006"].copy()
    row["claim_id"], row["date"], row["date_value"], row["period"], row["quote"] = (
        claim_id,
        date,
        pd.Timestamp(date),
        period,
        quote,
    )
    return pd.concat([claims, row], ignore_index=True)


def test_a_period_beyond_the_snapshot_uses_the_figure_quoted_from_that_release(claims, national, calendar):
    frame = _with_claim(claims, "C901", "2026-02-01", "per year", "They're killing 300,000 people a year.")
    frame = _with_claim(frame, "C902", "2026-02-01", "per year", "300,000 people a year to fentanyl")
    out = matching.claims_vs_cdc(frame, national, calendar).set_index("claim_id")
    row = out.loc["C901"]
    assert (row["cdc_period_end"], row["tier"], row["cdc_value"]) == ("2025-08", "quoted release", 73000)
    assert row["cdc_figure"] == (
        "an estimated 73,000 all drug overdose deaths in the 12 months ending Aug 2025 "
        "(CDC provisional as reported by AP, release of 14 Jan 2026)"
    )
    assert pd.isna(row["cdc_predicted"]) and row["ratio_low"] == round(300000 / 73000, 3)
    assert (out.loc["C902", "tier"], out.loc["C902", "cdc_value"]) == ("quoted release", 45000)  # CF17, "over 45,000"


def test_beyond_the_snapshot_without_a_quoted_figure_is_tier_none_with_the_reason(claims, national, calendar):
    frame = _with_claim(claims, "C903", "2026-03-15", "per year", "They're killing 300,000 people a year.")
    row = matching.claims_vs_cdc(frame, national, calendar).set_index("claim_id").loc["C903"]
    assert (row["cdc_period_end"], row["tier"], row["release_basis"]) == ("2025-10", "none", "schedule")
    assert pd.isna(row["ratio_low"]) and "beyond the project's CDC snapshot" in row["no_comparison_reason"]
    assert "assumed from CDC's regular schedule" in row["note"]


def test_a_counter_figure_dated_before_the_release_it_quotes_is_refused(claims, calendar):
    frame = claims.copy()
    frame.loc[frame["claim_id"] == "CF06", "date_value"] = pd.Timestamp("2025-12-20")
    frame.loc[frame["claim_id"] == "CF06", "date"] = "2025-12-20"
    with pytest.raises(matching.MatchError, match="claim CF06, field date: 2025-12-20 is before the release"):
        matching.quoted_figures(frame, calendar, "2025-04")


def test_calendar_lines(calendar):
    lines = matching.calendar_lines(calendar, "2025-04")
    assert lines[0] == (
        "CDC's release calendar, Jan 2024 to Nov 2026: 4 releases dated from pages, 28 assumed from "
        "CDC's regular schedule (second Wednesday of the month, latest period five months earlier), and "
        "no release in Oct 2025, Nov 2025, Dec 2025."
    )
    assert lines[1] == (
        "From 10 Sep 2025 to 13 Jan 2026 the newest period CDC had out was the 12 months ending "
        "Apr 2025, the last period of this project's snapshot."
    )


def test_columns(comparison):
    assert list(comparison.columns) == matching.CLAIMS_VS_CDC_COLUMNS + matching.CLAIMS_VS_CDC_EXTRA_COLUMNS
    assert set(comparison["tier"]) <= set(matching.TIERS)
    assert set(comparison["match_rule"]) <= set(matching.RULES)
