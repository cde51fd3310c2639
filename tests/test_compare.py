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


def claim(
    claim_id,
    date,
    value_low,
    value_high=None,
    *,
    period="",
    unit="deaths_per_year",
    quote="",
    topic="overdose_deaths_per_year",
    speaker="Speaker",
):
    base, qualifier = ledgers.split_unit(unit)
    if date and len(date) == 7:
        precision, value = "month", pd.Timestamp(date + "-01")
    elif date:
        precision, value = "day", pd.Timestamp(date)
    else:
        precision, value = "none", pd.NaT
    return {
        "claim_id": claim_id,
        "date": date or pd.NA,
        "date_precision": precision,
        "date_value": value,
        "speaker": speaker,
        "topic": topic,
        "quote": quote,
        "value_low": value_low,
        "value_high": value_low if value_high is None else value_high,
        "unit": unit,
        "unit_base": base,
        "unit_qualifier": qualifier,
        "quantified": ledgers.is_quantified(qualifier),
        "period": period or pd.NA,
        "kind": "counter_figure" if claim_id.startswith("CF") else "claim",
        "source_url": f"https://example.org/{claim_id}",
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
    (
        "12 months ending Apr 2025 (provisional); prior 12 months up to 101,363",
        "2026-01-01",
        "2025-04",
        "named_12_months",
    ),
    (
        "12 months ending Aug 2025 (provisional); opioids ~47,000, fentanyl >45,000",
        "2026-01-01",
        "2025-08",
        "named_12_months",
    ),
    ("2024 (final)", "2026-02-01", "2024-12", "named_year"),
    ("12 months ending Dec 2025 (provisional, reported count)", "2026-05-01", "2025-12", "named_12_months"),
    (
        "2025 (preliminary); third straight annual drop; 'about the same as the tally in 2019'",
        "2026-05-13",
        "2025-12",
        "named_year",
    ),
    ("2024 (provisional)", None, "2024-12", "named_year"),
    # release 2026-12: CF08's corrected period and the breakdown rows CF17-CF19
    ("2023 (final data; synthetic opioids other than methadone, T40.4)", None, "2023-12", "named_year"),
    (
        '12 months ending Aug 2025 (provisional; "estimated"); indicator: fentanyl',
        "2026-01-01",
        "2025-08",
        "named_12_months",
    ),
    (
        '12 months ending Aug 2025 (provisional; "estimated"; stated as "nearly"); indicator: psychostimulants',
        "2026-01-01",
        "2025-08",
        "named_12_months",
    ),
    (
        '12 months ending Aug 2025 (provisional; "estimated"; stated as "nearly"); indicator: cocaine',
        "2026-01-01",
        "2025-08",
        "named_12_months",
    ),
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


@pytest.mark.parametrize("period_end, days", [("2024-12", 366), ("2023-12", 365), ("2025-01", 366), ("2025-03", 365)])
def test_window_days(period_end, days):
    assert compare.window_days(period_end) == days


# ------------------------------------------------------------------------------------------------
# Fentanyl rule


@pytest.mark.parametrize(
    "qualifier, period, quote, expected",
    [
        (
            "synthetic opioids",
            "2024 (provisional); 2023 = 76,282",
            "Synthetic opioids (primarily fentanyl): ...",
            "synthetic_opioids",
        ),
        ("fentanyl-involved", "2023", "In 2023, around 72,776 people ... involved fentanyl", "synthetic_opioids"),
        (None, "per year (fentanyl)", "200,000 to 300,000 people die every year", "synthetic_opioids"),
        (None, "2023", "Fentanyl ... estimated to claim 74,702 lives in 2023", "synthetic_opioids"),
        (
            None,
            "12 months ending Sep 2024 (provisional); synthetic opioids 55,126",
            "The 86,882 deaths include ... 55,126 involving synthetic opioids (fentanyl)",
            "all_drugs",
        ),
        (
            None,
            "12 months ending Aug 2025; opioids ~47,000, fentanyl >45,000",
            "An estimated 73,000 people died",
            "all_drugs",
        ),
        (None, "per year", "They're killing 300,000 people a year.", "all_drugs"),
        ("unquantified: 'tens of thousands'", "per year", "tens of thousands of Americans", "all_drugs"),
        # a note naming the row's own class without a figure of its own (CF08, release 2026-12)
        (
            None,
            "2023 (final data; synthetic opioids other than methadone, T40.4)",
            "synthetic opioids other than methadone (primarily fentanyl) ... 72,776 in 2023",
            "synthetic_opioids",
        ),
        # "indicator: <class>" in the note names the class outright (CF17-CF19)
        (
            None,
            '12 months ending Aug 2025 (provisional; "estimated"); indicator: fentanyl',
            "47,000 overdose deaths involving opioids (over 45,000 of which involved fentanyl)",
            "synthetic_opioids",
        ),
        (
            None,
            "12 months ending Aug 2025; indicator: psychostimulants",
            "nearly 28,000 involving psychostimulants",
            "psychostimulants",
        ),
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


def test_counter_figure_classes_of_the_ledger_are_the_ones_its_readme_lists():
    # README "Synthetic opioids / fentanyl": CF04 and CF08 are synthetic-opioid figures, CF17 the "fentanyl >45,000"
    # line of the Aug 2025 breakdown; CF18/CF19 name their own classes; every other counter-figure is all drugs.
    # (Claims are classed by their quote: analysis.matching.claim_class, tests/test_matching.py.)
    claims = ledgers.load("claims", project_paths())
    counter = claims[(claims["topic"] == "overdose_deaths_per_year") & (claims["kind"] == "counter_figure")]
    classes = {
        row.claim_id: compare.cdc_indicator_for(row.unit_qualifier, row.period, row.quote)[0]
        for row in counter.itertuples()
    }
    assert {k for k, v in classes.items() if v == "synthetic_opioids"} == {"CF04", "CF08", "CF17"}
    assert (classes["CF18"], classes["CF19"]) == ("psychostimulants", "cocaine")
    others = set(classes) - {"CF04", "CF08", "CF17", "CF18", "CF19"}
    assert {k for k, v in classes.items() if v == "all_drugs"} == others


# ------------------------------------------------------------------------------------------------
# Seaborne flow


def test_seaborne_flow_series_measures():
    topic = "seaborne_flow_reduction_pct"
    frame = claims_frame(
        claim(
            "C1",
            "2025-10-23",
            5,
            unit="percent_of_year_earlier_level_remaining (implies >=95% reduction)",
            topic=topic,
            quote="like, 5% ... less than 5%",
        ),
        claim("C2", "2025-11-17", 85, unit="percent_reduction", topic=topic, quote="Down like 85%."),
        claim("C3", "2026-02-26", 98, unit="percent_drop_in_pounds_seized (CBP AMO)", topic=topic, quote="a 98% drop"),
        claim(
            "C4",
            "2026-03",
            20,
            unit="percent_reduction_in_drug_vessel_movement (Caribbean)",
            topic=topic,
            quote="a 20 per cent reduction",
        ),
        claim("C5", "2026-02-24", None, unit="percent_reduction (unquantified: 'practically stopped')", topic=topic),
        claim("C6", None, 97, unit="percent_reduction", topic=topic, quote="cut by 97%"),
    )
    out = compare.seaborne_flow_series(frame).set_index("claim_id")
    assert out.loc["C1", "reduction_pct"] == 95 and "at least" in out.loc["C1", "note"]
    assert out.loc["C2", "measure"] == "claimed_flow_cut"
    assert out.loc["C3", "measure"] == "seizure_weight" and "not flow" in out.loc["C3", "what_it_measures"]
    assert out.loc["C4", "measure"] == "vessel_movement"
    assert pd.isna(out.loc["C5", "reduction_pct"])
    assert pd.isna(out.loc["C6", "date_value"]) and "no date" in out.loc["C6", "note"]
    with pytest.raises(Exception, match="C7, field quote"):  # a quote that does not carry its figure is refused
        compare.seaborne_flow_series(
            claims_frame(claim("C7", "2025-11-17", 85, unit="percent_reduction", topic=topic, quote="down a lot"))
        )


def test_almost_100_is_kept_as_wording_and_repeats_of_one_occasion_are_marked():
    topic = "seaborne_flow_reduction_pct"
    frame = claims_frame(
        claim("C1", "2026-01-20", 97, unit="percent_reduction", topic=topic, quote="dropped by 97%"),
        claim(
            "C2",
            "2026-01-20",
            100,
            unit="percent_reduction (stated 'almost 100%')",
            topic=topic,
            quote="We've taken out almost 100 percent of the drugs",
        ),
        claim("C3", "2026-01-21", 97, unit="percent_reduction", topic=topic, quote="97%"),
        claim(
            "C4",
            "2026-03",
            20,
            unit="percent_reduction_in_drug_vessel_movement (Caribbean)",
            topic=topic,
            quote="a 20 per cent",
        ),
        claim(
            "C5",
            "2026-03",
            25,
            unit="percent_reduction_in_drug_vessel_movement (Pacific)",
            topic=topic,
            quote="a 25 per cent",
        ),
        claim("C6", "2025-11-27", 85, unit="percent_reduction", topic=topic, quote="It's about 85% stopped"),
    )
    out = compare.seaborne_flow_series(frame).set_index("claim_id")
    assert pd.isna(out.loc["C2", "reduction_pct"]) and out.loc["C2", "stated_wording"] == "almost 100%"
    assert out.loc["C2", "repeat_of"] == "C1" and out.loc["C1", "repeat_of"] == "" and out.loc["C3", "repeat_of"] == ""
    assert (out.loc["C4", "repeat_of"], out.loc["C5", "repeat_of"]) == ("", "")  # two regional figures, not repeats
    assert out.loc["C6", "reduction_pct"] == 85 and out.loc["C6", "stated_wording"] == ""  # "about" is a figure


def test_real_flow_series_wording_and_repeats():
    claims = ledgers.load("claims", project_paths())
    out = compare.seaborne_flow_series(claims).set_index("claim_id")
    assert list(out.index[out["stated_wording"] != ""]) == ["C038"]
    assert dict(out.loc[out["repeat_of"] != "", "repeat_of"]) == {"C038": "C037", "C040": "C039"}
    claimed = out[(out["measure"] == "claimed_flow_cut") & out["reduction_pct"].notna()]
    assert (claimed["reduction_pct"].min(), claimed["reduction_pct"].max()) == (85, 97)


def test_seaborne_flow_refuses_unknown_unit():
    frame = claims_frame(
        claim("C1", "2025-10-23", 5, unit="percent_of_cargo_lost_to_interdiction", topic="seaborne_flow_reduction_pct")
    )
    with pytest.raises(compare.MatchError, match="C1"):
        compare.seaborne_flow_series(frame)


# ------------------------------------------------------------------------------------------------
# The real ledger end to end (read-only)


def test_peak_and_decline():
    series = pd.Series([100, 120, 90, 60], index=["2023-01", "2023-02", "2023-03", "2023-04"])
    result = compare.peak_and_decline(series, "all_drugs", "predicted")
    assert (result.peak_period, result.peak_value, result.latest_period, result.latest_value) == (
        "2023-02",
        120,
        "2023-04",
        60,
    )
    assert (result.change, result.change_pct, result.months_since_peak) == (-60, -50.0, 2)


def test_peak_and_decline_refuses_a_gap_at_the_end():
    series = pd.Series([100, pd.NA], index=["2023-01", "2023-02"], dtype="Int64")
    with pytest.raises(ValueError, match="2023-02 has no value"):
        compare.peak_and_decline(series, "all_drugs", "predicted")


def test_findings_table_numbers_come_from_the_data():
    from analysis import boats, cdc, reconcile, releases, verdicts

    paths = project_paths()
    national = cdc.load_national(paths)
    calendar = releases.load_releases(paths)
    claims, strikes, tallies = (ledgers.load(name, paths) for name in ("claims", "strikes", "tallies"))
    comparison = verdicts.scored_comparison(claims, national, calendar)
    reconciliation = reconcile.reconcile_tallies(strikes, tallies)
    out = compare.findings_table(
        national,
        comparison,
        boats.lives_per_boat(claims, strikes, national, calendar),
        compare.seaborne_flow_series(claims),
        strikes,
        reconciliation,
        "https://cdc.example/",
    )
    assert list(out.columns) == compare.FINDINGS_COLUMNS
    peak = int(cdc.deaths(national, "all_drugs").max())
    assert out.iloc[0]["number"] == f"{peak:,}"
    deaths = out[out["finding"].str.startswith("Deaths in the strike ledger")].iloc[0]
    assert (
        deaths["number"]
        == f"{int(strikes['killed'].sum())} / {int(strikes['killed'].sum() + strikes['survivors_not_found'].sum())}"
    )
    assert out["data_file"].str.len().gt(0).all() and out["source"].str.len().gt(0).all()
    # cumulative strike figures say where the ledger ends (computed, release 2026-12: 22 Jun 2026), and "at least"
    assert deaths["finding"] == (
        "Deaths in the strike ledger to 22 Jun 2026, at least: announced / with survivors never found"
    )
    assert out["finding"].str.startswith("Published tallies to 22 Jun 2026 matching").sum() == 1
    # the overdose-deaths-per-strike-death comparison is gone (two unrelated quantities)
    assert not out["finding"].str.contains("per strike death").any()
    # the reconciliation finding: every tally from 12 Apr 2026 above the upper count (computed by reconcile)
    upper = out[out["finding"] == reconcile.upper_count_headline(reconciliation)].iloc[0]
    assert upper["number"] == "+3 to +8 above the upper count; +15 to +22 above deaths as announced"
    assert upper["finding"].startswith("From 12 Apr 2026 every published tally is above the ledger's upper count")
    # verdict counts come from the scored comparison
    over = comparison[(comparison["kind"] == "claim") & (comparison["verdict"] == "overstates")]
    row = out[out["finding"].str.startswith("Per-year claims that overstate")].iloc[0]
    assert f"({len(over)} of 15 with a number; tolerance 10%)" in row["finding"]
    smallest = over.loc[over["headline_ratio_low"] < 100, "headline_ratio_low"].min()
    assert row["number"].startswith(f"at least {smallest:.1f}")
    lives = out[out["finding"].str.startswith("If each boat destroyed saved")].iloc[0]
    assert lives["finding"] == (
        "If each boat destroyed saved 25,000 lives, the 37 boats destroyed by 2026-01-29 would have saved"
    )
    assert lives["number"].startswith("925,000 (12.7 x all overdose deaths in the 12 months ending 2025-08")
    # every row also says its finding as a plain sentence, with the same numbers, for the front page
    assert list(out["topic"]) == [
        "overdose deaths",
        "overdose deaths",
        "overdose deaths",
        "overdose deaths",
        "claims",
        "claims",
        "lives per boat",
        "seaborne flow",
        "seaborne flow",
        "strikes",
        "tallies",
        "tallies",
    ]
    assert out["sentence"].str.endswith(".").all()
    assert f"peaked at {peak:,}" in out.iloc[0]["sentence"]
    assert deaths["sentence"].startswith(
        f"The strike ledger counts at least {int(strikes['killed'].sum()):,} people killed"
    )
    assert "to 22 Jun 2026" in deaths["sentence"]
    assert f"{len(over)} of the 15 claims of yearly overdose deaths with a number overstate" in row["sentence"]
    assert f"by at least {smallest:.1f} to" in row["sentence"]
    assert "(one, 300,000,000 deaths a year, by 2,656 times)" in row["sentence"]
    assert upper["sentence"].startswith(
        "From 12 Apr 2026 every published tally is higher than even the ledger's "
        "upper count, by 3 to 8 deaths (15 to 22 above"
    )
    assert lives["sentence"].startswith(
        "If each boat destroyed saved 25,000 lives, the 37 boats destroyed by 29 Jan "
        "2026 would have saved 925,000, 12.7 times"
    )
    for code_speak in ("->", " x ", " / ", "data/raw", "2025-08", "_"):
        assert not out["sentence"].str.contains(code_speak, regex=False).any(), code_speak


def test_campaign_timing_lines_before_and_after_the_strike():
    import pandas as pd

    from analysis import compare

    series = pd.Series([100, 120, 110, 90], index=["2025-01", "2025-02", "2025-03", "2025-04"], name="all_drugs")
    lines = compare.campaign_timing_lines(series, pd.Timestamp("2025-09-02"))
    assert lines[0] == (
        "Peak: 120 (12 months ending 2025-02). Last period in this release before the first "
        "strike: 2025-04, 90 (-25.0%)."
    )
    assert lines[1] == "The peak came 7 months before the first strike (02 Sep 2025)."
    assert "cannot show any effect of the campaign" in lines[2]
    later = compare.campaign_timing_lines(series, pd.Timestamp("2025-03-10"))
    assert later[1] == "The peak came 1 month before the first strike (10 Mar 2025)."
    assert (
        later[2] == "This release has 2 periods ending in or after the month of the first strike (2025-03 to 2025-04)."
    )
