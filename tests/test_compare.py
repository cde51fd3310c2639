"""Tests for analysis.compare: period matching, fentanyl rule, per-day conversion, lives per boat, flow."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import compare, ledgers
from analysis.paths import project_paths


# ------------------------------------------------------------------------------------------------
# Small frames shaped like the loaders' output


def cdc_frame(values: dict[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    """Tidy CDC rows: {(indicator, period_end): (reported, predicted)}."""
    rows = [
        {"jurisdiction": "US", "period_end": period, "indicator": indicator, "reported": rep, "predicted": pred}
        for (indicator, period), (rep, pred) in values.items()
    ]
    out = pd.DataFrame(rows)
    out["reported"] = out["reported"].astype("Int64")
    out["predicted"] = out["predicted"].astype("Int64")
    return out


def claim(claim_id, date, value_low, value_high=None, *, period="", unit="deaths_per_year", quote="",
          topic="overdose_deaths_per_year", speaker="Speaker"):
    base, qualifier = ledgers.split_unit(unit)
    if date and len(date) == 7:
        precision, value = "month", pd.Timestamp(date + "-01")
    elif date:
        precision, value = "day", pd.Timestamp(date)
    else:
        precision, value = "none", pd.NaT
    return {
        "claim_id": claim_id, "date": date or pd.NA, "date_precision": precision, "date_value": value,
        "speaker": speaker, "topic": topic, "quote": quote, "value_low": value_low,
        "value_high": value_low if value_high is None else value_high, "unit": unit, "unit_base": base,
        "unit_qualifier": qualifier, "quantified": ledgers.is_quantified(qualifier), "period": period or pd.NA,
        "kind": "counter_figure" if claim_id.startswith("CF") else "claim", "source_url": f"https://example.org/{claim_id}",
    }


def claims_frame(*rows) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    out["value_low"] = out["value_low"].astype("Float64")
    out["value_high"] = out["value_high"].astype("Float64")
    out["date_value"] = pd.to_datetime(out["date_value"])
    return out


CDC = cdc_frame(
    {
        ("all_drugs", "2023-12"): (106881, 108550),
        ("synthetic_opioids", "2023-12"): (74091, 75219),
        ("all_drugs", "2024-08"): (90199, 91694),
        ("synthetic_opioids", "2024-08"): (60000, 61000),
        ("all_drugs", "2024-12"): (80856, 81711),
        ("synthetic_opioids", "2024-12"): (48661, 49241),
        ("all_drugs", "2025-04"): (73690, 76516),
        ("synthetic_opioids", "2025-04"): (42233, 43809),
    }
)


# ------------------------------------------------------------------------------------------------
# Period matching


PERIOD_CASES = [
        # every period string of the ledger's overdose rows
        ("per year (vs '100' reported for 15 years)", "2025-01-20", None, None),
        ("2023", "2025-02-02", "2023-12", "named_year"),
        ("2024 ('last year')", "2025-09-05", "2024-12", "named_year"),
        ("2024", "2025-09-15", "2024-12", "named_year"),
        ("per year", "2025-10-23", None, None),
        ("2024 ('last year'); stated as 'over 200,000'", "2025-12-02", "2024-12", "named_year"),
        ("'this year' (2025)", "2025-12-06", "2025-12", "named_year"),
        ("per year over last 5-6 years", "2025-12-15", None, None),
        ("per year (fentanyl)", "2025-12-15", None, None),
        ("per year ('every single year')", "2026-01-08", None, None),
        ("2023 (final)", "2024-12-19", "2023-12", "named_year"),
        ("12 months ending Sep 2024 (provisional); synthetic opioids 55,126", "2025-03-06", "2024-09", "named_12_months"),
        ("2024 (provisional, predicted)", "2025-05-14", "2024-12", "named_year"),
        ("2024 (provisional); 2023 = 76,282", "2025-05-14", "2024-12", "named_year"),
        ("12 months ending Apr 2025 (provisional); prior 12 months up to 101,363", "2026-01-01", "2025-04", "named_12_months"),
        ("12 months ending Aug 2025 (provisional); opioids ~47,000, fentanyl >45,000", "2026-01-01", "2025-08", "named_12_months"),
        ("2024 (final)", "2026-02-01", "2024-12", "named_year"),
        ("12 months ending Dec 2025 (provisional, reported count)", "2026-05-01", "2025-12", "named_12_months"),
        ("2025 (preliminary); third straight annual drop; 'about the same as the tally in 2019'", "2026-05-13", "2025-12", "named_year"),
        ("2024 (provisional)", None, "2024-12", "named_year"),
        # release 2026-12: CF08's corrected period and the breakdown rows CF17-CF19
        ("2023 (final data; synthetic opioids other than methadone, T40.4)", None, "2023-12", "named_year"),
        ('12 months ending Aug 2025 (provisional; "estimated"); indicator: fentanyl', "2026-01-01", "2025-08", "named_12_months"),
        ('12 months ending Aug 2025 (provisional; "estimated"; stated as "nearly"); indicator: psychostimulants', "2026-01-01", "2025-08", "named_12_months"),
        ('12 months ending Aug 2025 (provisional; "estimated"; stated as "nearly"); indicator: cocaine', "2026-01-01", "2025-08", "named_12_months"),
        # relative wording without a number is read against the claim's date
        ("'last year'", "2025-09-05", "2024-12", "named_year"),
        ("this year", "2025-03-01", "2025-12", "named_year"),
        ("12 months ending September 2024", "2025-03-01", "2024-09", "named_12_months"),
]


@pytest.mark.parametrize("period, date, expected, rule", PERIOD_CASES)
def test_named_period_reads_every_ledger_period_text(period, date, expected, rule):
    match = compare.named_period(period, None if date is None else pd.Timestamp(date), "T")
    if expected is None:
        assert match is None
    else:
        assert (match.period_end, match.rule) == (expected, rule)


def test_every_overdose_period_text_in_the_ledger_is_covered_by_the_test_table():
    claims = ledgers.load("claims", project_paths())
    texts = set(claims.loc[claims["topic"] == "overdose_deaths_per_year", "period"].dropna())
    table = {case[0] for case in PERIOD_CASES}
    assert texts <= table, sorted(texts - table)


def test_named_period_refuses_two_years_and_contradictions():
    with pytest.raises(compare.MatchError, match="C9.*more than one year"):
        compare.named_period("2023 or 2024", pd.Timestamp("2025-01-01"), "C9")
    with pytest.raises(compare.MatchError, match="last year.*2024"):
        compare.named_period("2023 ('last year')", pd.Timestamp("2025-06-01"), "C9")
    with pytest.raises(compare.MatchError, match="unknown month"):
        compare.named_period("12 months ending Foo 2024", None, "C9")


def test_relative_year_without_a_date_is_unmatched():
    match = compare.named_period("last year", None, "C9")
    assert match.period_end is None and match.rule == "unmatched"


@pytest.mark.parametrize(
    "date, lag, expected",
    [
        ("2025-01-20", 4, "2024-08"),  # WaPo set C001 against the 12 months ending Aug 2024
        ("2025-01-31", 4, "2024-08"),
        ("2025-02-01", 4, "2024-09"),
        ("2025-09-01", 4, "2025-04"),  # the Sept 2025 release ends in April 2025
        ("2025-09-01", 0, "2025-08"),
        ("2026-01-08", 4, "2025-08"),
    ],
)
def test_latest_published_period(date, lag, expected):
    assert compare.latest_published_period(pd.Timestamp(date), lag) == expected


def test_latest_published_period_refuses_negative_lag():
    with pytest.raises(ValueError):
        compare.latest_published_period(pd.Timestamp("2025-01-01"), -1)


def test_match_period_without_name_or_date_is_unmatched():
    match = compare.match_period("per year", pd.NaT, "none")
    assert match.period_end is None and match.rule == "unmatched"


def test_match_period_month_only_date_uses_first_of_month():
    match = compare.match_period("per year", pd.Timestamp("2026-01-01"), "month", 4)
    assert match.period_end == "2025-08"
    assert "first of the month" in match.explanation


@pytest.mark.parametrize(
    "period_end, days", [("2024-12", 366), ("2023-12", 365), ("2025-01", 366), ("2025-03", 365)]
)
def test_window_days(period_end, days):
    assert compare.window_days(period_end) == days


# ------------------------------------------------------------------------------------------------
# Fentanyl rule


@pytest.mark.parametrize(
    "qualifier, period, quote, expected",
    [
        ("synthetic opioids", "2024 (provisional); 2023 = 76,282", "Synthetic opioids (primarily fentanyl): ...", "synthetic_opioids"),
        ("fentanyl-involved", "2023", "In 2023, around 72,776 people ... involved fentanyl", "synthetic_opioids"),
        (None, "per year (fentanyl)", "200,000 to 300,000 people die every year", "synthetic_opioids"),
        (None, "2023", "Fentanyl ... estimated to claim 74,702 lives in 2023", "synthetic_opioids"),
        (None, "12 months ending Sep 2024 (provisional); synthetic opioids 55,126",
         "The 86,882 deaths include ... 55,126 involving synthetic opioids (fentanyl)", "all_drugs"),
        (None, "12 months ending Aug 2025; opioids ~47,000, fentanyl >45,000", "An estimated 73,000 people died", "all_drugs"),
        (None, "per year", "They're killing 300,000 people a year.", "all_drugs"),
        ("unquantified: 'tens of thousands'", "per year", "tens of thousands of Americans", "all_drugs"),
        # a note naming the row's own class without a figure of its own (CF08, release 2026-12)
        (None, "2023 (final data; synthetic opioids other than methadone, T40.4)",
         "synthetic opioids other than methadone (primarily fentanyl) ... 72,776 in 2023", "synthetic_opioids"),
        # "indicator: <class>" in the note names the class outright (CF17-CF19)
        (None, '12 months ending Aug 2025 (provisional; "estimated"); indicator: fentanyl',
         "47,000 overdose deaths involving opioids (over 45,000 of which involved fentanyl)", "synthetic_opioids"),
        (None, "12 months ending Aug 2025; indicator: psychostimulants", "nearly 28,000 involving psychostimulants", "psychostimulants"),
        (None, "12 months ending Aug 2025; indicator: cocaine", "and nearly 20,000 involving cocaine", "cocaine"),
    ],
)
def test_cdc_indicator_for(qualifier, period, quote, expected):
    indicator, reason = compare.cdc_indicator_for(qualifier, period, quote)
    assert indicator == expected
    assert reason


def test_unknown_named_indicator_is_refused():
    with pytest.raises(compare.MatchError, match="names indicator 'heroin2'"):
        compare.cdc_indicator_for(None, "12 months ending Aug 2025; indicator: heroin2", "x")


def test_fentanyl_rows_of_the_ledger_are_the_ones_its_readme_lists():
    # README "Synthetic opioids / fentanyl": C014 (74,702), CF04, CF08; C012 and (release 2026-12)
    # C092 are "per year (fentanyl)"; CF17 is the "fentanyl >45,000" line of the Aug 2025 breakdown.
    claims = ledgers.load("claims", project_paths())
    overdose = claims[claims["topic"] == "overdose_deaths_per_year"]
    fentanyl = {
        row.claim_id
        for row in overdose.itertuples()
        if compare.cdc_indicator_for(row.unit_qualifier, row.period, row.quote)[0] == "synthetic_opioids"
    }
    assert fentanyl == {"C012", "C014", "C092", "CF04", "CF08", "CF17"}


# ------------------------------------------------------------------------------------------------
# claims_vs_cdc


def test_claims_vs_cdc_columns_and_order():
    out = compare.claims_vs_cdc(claims_frame(claim("C1", "2025-09-05", 300000, period="2024")), CDC)
    assert list(out.columns[:12]) == compare.CLAIMS_VS_CDC_COLUMNS
    assert list(out.columns[12:]) == compare.CLAIMS_VS_CDC_EXTRA_COLUMNS


def test_named_year_claim_uses_december_and_predicted_ratio():
    out = compare.claims_vs_cdc(
        claims_frame(claim("C1", "2025-09-05", 300000, 350000, period="2024 ('last year')")), CDC
    ).iloc[0]
    assert out["cdc_period_end"] == "2024-12"
    assert (out["cdc_reported"], out["cdc_predicted"]) == (80856, 81711)
    assert out["ratio_low"] == round(300000 / 81711, 3)
    assert out["ratio_high"] == round(350000 / 81711, 3)


def test_unnamed_claim_uses_latest_published_period():
    out = compare.claims_vs_cdc(claims_frame(claim("C1", "2025-01-20", 250000, 300000, period="per year")), CDC).iloc[0]
    assert out["cdc_period_end"] == "2024-08"
    assert out["match_rule"] == "published_at_claim_date"
    assert out["ratio_low"] == round(250000 / 91694, 3)


def test_lag_parameter_moves_the_matched_period():
    frame = claims_frame(claim("C1", "2025-05-20", 250000, period="per year"))
    assert compare.claims_vs_cdc(frame, CDC, publication_lag_months=8).iloc[0]["cdc_period_end"] == "2024-08"
    assert compare.claims_vs_cdc(frame, CDC, publication_lag_months=4).iloc[0]["cdc_period_end"] == "2024-12"


def test_named_period_missing_from_release_gets_no_figure_and_says_so():
    out = compare.claims_vs_cdc(claims_frame(claim("C1", "2025-12-06", 300000, period="'this year' (2025)")), CDC).iloc[0]
    assert out["cdc_period_end"] == "2025-12"
    assert pd.isna(out["cdc_predicted"]) and pd.isna(out["cdc_reported"])
    assert pd.isna(out["ratio_low"]) and pd.isna(out["ratio_high"])
    assert "not in this CDC release (latest period: 2025-04)" in out["note"]


def test_claim_date_period_past_release_does_not_fall_back():
    out = compare.claims_vs_cdc(claims_frame(claim("C1", "2026-01-08", 250000, 300000, period="per year")), CDC).iloc[0]
    assert out["cdc_period_end"] == "2025-08"
    assert pd.isna(out["cdc_predicted"]) and pd.isna(out["ratio_low"])
    assert "not in this CDC release" in out["note"]


def test_fentanyl_claim_compared_with_synthetic_opioids():
    out = compare.claims_vs_cdc(
        claims_frame(claim("C1", "2025-02-02", 74702, period="2023", quote="Fentanyl ... 74,702 lives")), CDC
    ).iloc[0]
    assert out["cdc_indicator"] == "synthetic_opioids"
    assert out["cdc_predicted"] == 75219
    assert out["ratio_low"] == round(74702 / 75219, 3)


def test_per_day_claim_converted_with_days_of_the_window():
    out = compare.claims_vs_cdc(
        claims_frame(claim("C1", "2025-09-15", 200, period="2024", unit="deaths_per_day")), CDC
    ).iloc[0]
    assert out["claimed_low"] == 200 * 366
    assert out["stated_low"] == 200 and out["stated_unit"] == "deaths_per_day"
    assert "366" in out["conversion"]
    assert out["ratio_low"] == round(200 * 366 / 81711, 3)


def test_unquantified_claim_listed_without_ratio():
    row = claim("C1", "2025-09-05", None, None, period="2024", unit="deaths_per_year (unquantified: 'tens of thousands')")
    out = compare.claims_vs_cdc(claims_frame(row), CDC).iloc[0]
    assert pd.isna(out["claimed_low"]) and pd.isna(out["ratio_low"]) and pd.isna(out["ratio_high"])
    assert out["cdc_predicted"] == 81711
    assert "without a ratio" in out["note"]


def test_counter_figure_matched_but_never_given_a_ratio():
    out = compare.claims_vs_cdc(claims_frame(claim("CF01", "2024-12-19", 105007, period="2023 (final)")), CDC).iloc[0]
    assert out["kind"] == "counter_figure"
    assert out["cdc_predicted"] == 108550
    assert pd.isna(out["ratio_low"]) and pd.isna(out["ratio_high"])
    assert "counter-figure" in out["note"]


def test_blank_date_counter_figure_with_named_year_is_matched():
    out = compare.claims_vs_cdc(claims_frame(claim("CF09", None, 79383, period="2024 (provisional)")), CDC).iloc[0]
    assert out["date"] == "" and out["cdc_period_end"] == "2024-12"


def test_blank_date_claim_without_period_is_unmatched():
    out = compare.claims_vs_cdc(claims_frame(claim("C1", None, 300000, period="per year")), CDC).iloc[0]
    assert out["cdc_period_end"] == "" and out["match_rule"] == "unmatched"
    assert pd.isna(out["ratio_low"])


def test_absurd_claim_is_not_cleaned():
    out = compare.claims_vs_cdc(claims_frame(claim("C3", "2025-09-14", 300000000, period="2024 ('last year')")), CDC)
    assert out.iloc[0]["ratio_low"] == round(300000000 / 81711, 3)


def test_other_topics_are_left_out_and_unknown_units_refused():
    frame = claims_frame(
        claim("C1", "2025-09-05", 300000, period="2024"),
        claim("C2", "2025-09-05", 25000, unit="lives_per_boat", topic="lives_saved_per_boat"),
    )
    assert list(compare.claims_vs_cdc(frame, CDC)["claim_id"]) == ["C1"]
    with pytest.raises(compare.MatchError, match="C5.*lives"):
        compare.claims_vs_cdc(claims_frame(claim("C5", "2025-09-05", 3, unit="lives")), CDC)


def test_against_latest_period_only_for_claim_date_rows_past_the_release():
    frame = claims_frame(
        claim("C1", "2026-01-08", 250000, 300000, period="per year"),
        claim("C2", "2025-12-06", 300000, period="'this year' (2025)"),
        claim("C3", "2025-01-20", 250000, period="per year"),
        claim("CF1", "2026-01-08", 70000, period="per year"),
    )
    out = compare.against_latest_period(compare.claims_vs_cdc(frame, CDC), CDC)
    assert list(out["claim_id"]) == ["C1"]
    row = out.iloc[0]
    assert (row["matched_period_end"], row["latest_period_end"], row["latest_predicted"]) == ("2025-08", "2025-04", 76516)
    assert row["ratio_high_vs_latest"] == round(300000 / 76516, 3)


# ------------------------------------------------------------------------------------------------
# Lives per boat


def strikes_frame(rows):
    out = pd.DataFrame(rows, columns=["strike_id", "date", "announced_date", "vessels"])
    out["date"] = pd.to_datetime(out["date"])
    out["announced_date"] = pd.to_datetime(out["announced_date"])
    out["vessels"] = out["vessels"].astype("Int64")
    return out


STRIKES = strikes_frame(
    [
        ("S1", "2025-09-02", "2025-09-02", 1),
        ("S2", "2025-09-15", "2025-09-15", 1),
        ("S3", "2025-10-01", "2025-10-03", 3),  # announced two days later
    ]
)


def test_lives_per_boat_arithmetic():
    frame = claims_frame(
        claim("C1", "2025-09-23", 25000, unit="lives_per_boat", topic="lives_saved_per_boat"),
        claim("C2", "2025-10-03", 25000, 50000, unit="lives_per_boat", topic="lives_saved_per_boat"),
    )
    out = compare.lives_per_boat(frame, STRIKES, CDC).set_index("claim_id")
    assert out.loc["C1", "vessels_by_date"] == 2 and out.loc["C1", "strikes_by_date"] == 2
    assert out.loc["C1", "lives_implied_low"] == 50000
    assert out.loc["C2", "vessels_by_date"] == 5
    assert (out.loc["C2", "lives_implied_low"], out.loc["C2", "lives_implied_high"]) == (125000, 250000)
    assert out.loc["C2", "ratio_all_drugs_high"] == round(250000 / 76516, 3)
    assert out.loc["C2", "ratio_synthetic_low"] == round(125000 / 43809, 3)


def test_lives_per_boat_counts_by_announcement_not_strike_date():
    frame = claims_frame(claim("C1", "2025-10-02", 25000, unit="lives_per_boat", topic="lives_saved_per_boat"))
    assert compare.lives_per_boat(frame, STRIKES, CDC).iloc[0]["vessels_by_date"] == 2


def test_lives_per_boat_period_capped_at_release_and_flagged():
    frame = claims_frame(
        claim("C1", "2025-01-20", 25000, unit="lives_per_boat", topic="lives_saved_per_boat"),
        claim("C2", "2026-01-03", 25000, unit="lives_per_boat", topic="lives_saved_per_boat"),
    )
    out = compare.lives_per_boat(frame, STRIKES, CDC).set_index("claim_id")
    assert out.loc["C1", "cdc_period_end"] == "2024-08" and "latest in this release" not in out.loc["C1", "note"]
    assert out.loc["C2", "cdc_period_end"] == "2025-04" and "latest in this release" in out.loc["C2", "note"]


def test_lives_per_boat_undated_claim_has_no_count():
    frame = claims_frame(claim("C1", None, 25000, unit="lives_per_boat", topic="lives_saved_per_boat"))
    row = compare.lives_per_boat(frame, STRIKES, CDC).iloc[0]
    assert pd.isna(row["vessels_by_date"]) and pd.isna(row["lives_implied_low"]) and "no date" in row["note"]


# ------------------------------------------------------------------------------------------------
# Seaborne flow


def test_seaborne_flow_series_measures():
    topic = "seaborne_flow_reduction_pct"
    frame = claims_frame(
        claim("C1", "2025-10-23", 5, unit="percent_of_year_earlier_level_remaining (implies >=95% reduction)",
              topic=topic, quote="like, 5% ... less than 5%"),
        claim("C2", "2025-11-17", 85, unit="percent_reduction", topic=topic),
        claim("C3", "2026-02-26", 98, unit="percent_drop_in_pounds_seized (CBP AMO)", topic=topic),
        claim("C4", "2026-03", 20, unit="percent_reduction_in_drug_vessel_movement (Caribbean)", topic=topic),
        claim("C5", "2026-02-24", None, unit="percent_reduction (unquantified: 'practically stopped')", topic=topic),
        claim("C6", None, 97, unit="percent_reduction", topic=topic),
    )
    out = compare.seaborne_flow_series(frame).set_index("claim_id")
    assert out.loc["C1", "reduction_pct"] == 95 and "at least" in out.loc["C1", "note"]
    assert out.loc["C2", "measure"] == "claimed_flow_cut"
    assert out.loc["C3", "measure"] == "seizure_weight" and "not flow" in out.loc["C3", "what_it_measures"]
    assert out.loc["C4", "measure"] == "vessel_movement"
    assert pd.isna(out.loc["C5", "reduction_pct"])
    assert pd.isna(out.loc["C6", "date_value"]) and "no date" in out.loc["C6", "note"]


def test_seaborne_flow_refuses_unknown_unit():
    frame = claims_frame(claim("C1", "2025-10-23", 5, unit="percent_of_cargo_lost_to_interdiction",
                               topic="seaborne_flow_reduction_pct"))
    with pytest.raises(compare.MatchError, match="C1"):
        compare.seaborne_flow_series(frame)


# ------------------------------------------------------------------------------------------------
# The real ledger end to end (read-only)


def test_real_ledger_rows_all_handled():
    from analysis import cdc

    paths = project_paths()
    claims = ledgers.load("claims", paths)
    out = compare.claims_vs_cdc(claims, cdc.load_national(paths))
    assert len(out) == int((claims["topic"] == "overdose_deaths_per_year").sum())
    assert out.loc[out["kind"] == "counter_figure", "ratio_low"].isna().all()
    row = out.set_index("claim_id").loc["CF05"]  # AP's "up to 76,516" is CDC's predicted value
    assert (row["cdc_period_end"], row["cdc_predicted"]) == ("2025-04", 76516)


def test_peak_and_decline():
    series = pd.Series([100, 120, 90, 60], index=["2023-01", "2023-02", "2023-03", "2023-04"])
    result = compare.peak_and_decline(series, "all_drugs", "predicted")
    assert (result.peak_period, result.peak_value, result.latest_period, result.latest_value) == ("2023-02", 120, "2023-04", 60)
    assert (result.change, result.change_pct, result.months_since_peak) == (-60, -50.0, 2)


def test_peak_and_decline_refuses_a_gap_at_the_end():
    series = pd.Series([100, pd.NA], index=["2023-01", "2023-02"], dtype="Int64")
    with pytest.raises(ValueError, match="2023-02 has no value"):
        compare.peak_and_decline(series, "all_drugs", "predicted")


def test_findings_table_numbers_come_from_the_data():
    from analysis import cdc, reconcile

    paths = project_paths()
    national = cdc.load_national(paths)
    claims, strikes, tallies = (ledgers.load(name, paths) for name in ("claims", "strikes", "tallies"))
    comparison = compare.claims_vs_cdc(claims, national)
    out = compare.findings_table(
        national, comparison, compare.lives_per_boat(claims, strikes, national), compare.seaborne_flow_series(claims),
        strikes, reconcile.reconcile_tallies(strikes, tallies), "https://cdc.example/",
    )
    assert list(out.columns) == compare.FINDINGS_COLUMNS
    peak = int(cdc.deaths(national, "all_drugs").max())
    assert out.iloc[0]["number"] == f"{peak:,}"
    deaths = out[out["finding"].str.startswith("Deaths in the strike ledger")].iloc[0]
    assert deaths["number"] == f"{int(strikes['killed'].sum())} / {int(strikes['killed'].sum() + strikes['survivors_not_found'].sum())}"
    assert out["data_file"].str.len().gt(0).all() and out["source"].str.len().gt(0).all()
    # cumulative strike figures say where the ledger ends (computed, release 2026-12: 22 Jun 2026)
    assert deaths["finding"] == "Deaths in the strike ledger to 22 Jun 2026: announced / with survivors never found"
    assert out["finding"].str.startswith("Published tallies to 22 Jun 2026 matching").sum() == 1


def test_campaign_timing_lines_before_and_after_the_strike():
    import pandas as pd

    from analysis import compare

    series = pd.Series([100, 120, 110, 90], index=["2025-01", "2025-02", "2025-03", "2025-04"], name="all_drugs")
    lines = compare.campaign_timing_lines(series, pd.Timestamp("2025-09-02"))
    assert lines[0] == ("Peak: 120 (12 months ending 2025-02). Last period in this release before the first "
                        "strike: 2025-04, 90 (-25.0%).")
    assert lines[1] == "The peak came 7 months before the first strike (02 Sep 2025)."
    assert "cannot show any effect of the campaign" in lines[2]
    later = compare.campaign_timing_lines(series, pd.Timestamp("2025-03-10"))
    assert later[1] == "The peak came 1 month before the first strike (10 Mar 2025)."
    assert later[2] == "This release has 2 periods ending in or after the month of the first strike (2025-03 to 2025-04)."
