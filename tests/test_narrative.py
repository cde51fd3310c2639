"""Tests for analysis.narrative: what the notebooks show readers, tables in words with their sources."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import (
    boats,
    cdc,
    compare,
    ledgers,
    matching,
    narrative,
    releases,
    revisions,
    sensitivity,
    sources,
    verdicts,
)
from analysis.paths import project_paths

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ISO = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


@pytest.fixture(scope="module")
def data():
    paths = project_paths()
    national, calendar = cdc.load_national(paths), releases.load_releases(paths)
    claims, strikes = ledgers.load("claims", paths), ledgers.load("strikes", paths)
    comparison = matching.claims_vs_cdc(claims, national, calendar)
    judged = verdicts.judge_table(sensitivity.sensitivity_table(claims, national, calendar), comparison)
    return {
        "national": national,
        "calendar": calendar,
        "claims": claims,
        "strikes": strikes,
        "comparison": comparison,
        "judged": judged,
        "scored": verdicts.score(comparison, judged, claims, calendar),
        "lives": boats.lives_per_boat(claims, strikes, national, calendar),
        "flow": compare.seaborne_flow_series(claims),
        "facts": ledgers.load("context_facts", paths),
    }


def _source_shown_for_every_row(table: pd.DataFrame, claims: pd.DataFrame) -> None:
    ledger = claims.set_index("claim_id")
    for row_id, source in zip(table[narrative.ROW], table["source"], strict=True):
        row = ledger.loc[row_id]
        assert source == sources.source_label(row["originator"], row["source_kind"]), row_id
        assert source.startswith(sources.WEAK_MARK) == sources.is_weak(row["source_kind"])
    assert list(table.columns).index("source") == list(table.columns).index("source_url") - 1


def _words_only(table: pd.DataFrame, skip=("source_url", "source", "Note", "Period as quoted")) -> None:
    for column in table.columns:
        if column in skip:
            continue
        assert not SNAKE.search(str(column)) or column == "source_url", column
        for value in table[column].astype(str):
            assert not SNAKE.search(value), (column, value)


@pytest.mark.parametrize("name", ["claims", "counter", "lives", "flow"])
def test_tables_citing_ledger_rows_show_originator_and_kind(data, name):
    table = {
        "claims": lambda: narrative.claims_table(data["comparison"], data["claims"]),
        "counter": lambda: narrative.counter_table(data["comparison"], data["claims"]),
        "lives": lambda: narrative.lives_table(data["lives"], data["claims"]),
        "flow": lambda: narrative.flow_table(data["flow"], data["claims"]),
    }[name]()
    assert len(table) > 0
    _source_shown_for_every_row(table, data["claims"])
    _words_only(table)


def test_claims_table_names_each_claim_and_its_cdc_figure(data):
    table = narrative.claims_table(data["comparison"], data["claims"])
    claims = data["comparison"][data["comparison"]["kind"] == "claim"]
    assert len(table) == len(claims)
    first = table.iloc[0]
    assert first["Claim"] == "Donald Trump, 20 Jan 2025"
    assert first["Claimed (a year)"] == "250,000 to 300,000" and first["Read as"] == "range (N to M)"
    assert first["Claim ÷ CDC"] == "2.73 to 3.27"
    assert first["CDC's latest release that day"] == "8 Jan 2025 (assumed from CDC's schedule)"
    assert set(table["From"]) <= set(narrative.TIER_SHORT.values())
    unrated = table[table["Claim ÷ CDC"] == "—"]
    lines = narrative.unmatched_lines(data["comparison"])
    assert lines[0] == f"{len(unrated)} of the {len(table)} claims get no ratio, and say why:"
    assert len(lines) == len(unrated) + 1


def test_sensitivity_grid_and_robustness_in_words(data):
    grid = narrative.sensitivity_grid(data["judged"], data["claims"], data["calendar"], data["comparison"])
    titles = [item.title[:1].upper() + item.title[1:] for item in sensitivity.COMPARISONS]
    assert list(grid.columns) == [narrative.ROW, "Claim", *titles, "Verdict"]
    items = narrative.robustness_items(data["judged"], data["comparison"])
    total = data["judged"]["claim_id"].nunique()
    assert items[0].startswith("For ") and f"of the {total} claims with a number" in items[0]
    steady = int(items[0].split()[1])
    assert steady + len(items) - 1 == total  # every claim either agrees throughout or is listed
    assert all("C0" not in (item[1] if isinstance(item, tuple) else item) for item in items)


def test_verdict_items_carry_each_computed_sentence(data):
    items = narrative.verdict_items(data["scored"])
    rows = data["scored"][data["scored"]["kind"] == "claim"]
    assert len(items) == len(rows)
    for (_, plain), sentence in zip(items, rows["verdict_sentence"], strict=True):
        assert plain.endswith(sentence)
    counts = narrative.verdict_counts(data["scored"], verdicts.Thresholds(tolerance=0.2))[1]
    assert "tolerance of 20%" in counts and verdicts.Thresholds(tolerance=0.2).rule_text() in counts


def test_route_items_name_every_fact_by_sea_or_land_with_its_source(data):
    items = narrative.route_items(data["facts"])
    routed = boats.route_facts(data["facts"])
    chosen = routed[routed["route"].isin((boats.BY_SEA, boats.BY_LAND))]
    assert len(items) == len(chosen)
    for (_, plain), row in zip(items, chosen.itertuples(), strict=True):
        assert plain.startswith(f"{row.route.capitalize()}:")
        assert "Source: " in plain and sources.kind_words(row.source_kind) in plain
        assert not ISO.search(plain), plain


def test_words_names_rows_and_spells_out_arrows_and_dates(data):
    claims = data["claims"]
    out = narrative.words(
        ["Largest band (C092, 12 months ending Sep 2024): 67,944 -> 70,599 on 02 Sep 2025.", "from 2025-09-02"], claims
    )
    assert out[0] == (
        "Largest band (the claim by Donald Trump, 26 Feb 2025, 12 months ending Sep 2024): 67,944 to "
        "70,599 on 2 Sep 2025."
    )
    assert out[1] == "From 2 Sep 2025"
    assert narrative.words(["a (72,776 of 105,007; CF08, CF01): b"], drop_ids=True) == ["A (72,776 of 105,007): b"]


def test_reader_frame_spells_out_classes_bases_and_dates(data):
    quoted = revisions.quoted_releases(data["comparison"], data["calendar"])
    shown = narrative.reader_frame(quoted, data["claims"])
    assert "cdc_indicator" in shown and not shown["cdc_indicator"].isin(["all_drugs", "synthetic_opioids"]).any()
    assert not shown["release_basis"].isin(["reported", "schedule"]).any()
    assert "Claim" in shown and narrative.ROW in shown
    _source_shown_for_every_row(shown, data["claims"])


def test_findings_for_reader_names_the_data_not_the_files(data):
    findings = compare.findings_table(
        data["national"],
        data["scored"],
        data["lives"],
        data["flow"],
        data["strikes"],
        pd.DataFrame(
            {
                "as_of": pd.to_datetime(["2025-10-15"]),
                "difference": [0],
                "difference_presumed": [0],
                "published_killed": [27],
                "publisher": ["x"],
            }
        ),
        "x",
    )
    shown = narrative.findings_for_reader(findings)
    assert list(shown.columns) == ["Topic", "Finding", "Data", "Rows"]
    assert not shown["Data"].str.contains("/").any()
    assert not shown["Rows"].str.contains("all_drugs|synthetic_opioids").any()
    assert "Synthetic opioids other than methadone (T40.4), Jul 2023 and Apr 2025" in shown["Rows"].tolist()


def test_ledger_view_writes_dates_as_days_adds_the_source_and_keeps_the_columns_asked():
    frame = pd.DataFrame(
        {
            "row_id": ["A1", "A2"],
            "date": pd.to_datetime(["2025-09-02", "2025-10-14"]),
            "originator": ["U.S. Southern Command", "Reuters"],
            "source_kind": ["primary", "wire"],
            "source_url": ["https://example.org/a", "https://example.org/b"],
        }
    )
    shown = sources.ledger_view(frame, ["row_id", "date", "source", "source_url"], dates=("date",))
    assert list(shown.columns) == ["row_id", "date", "source", "source_url"]
    assert shown["date"].to_list() == ["2025-09-02", "2025-10-14"]
    assert shown["source"].to_list() == sources.labels(frame).to_list()
    assert frame["date"].dtype.kind == "M"  # the ledger itself is left as it was


def test_pending_sentence_states_the_gap_and_share_cdc_expects(data):
    latest = pd.Series(
        {
            "period_end": "2025-04",
            "reported": 70_000,
            "predicted": 73_500,
            "percent_pending_investigation": 0.123,
            "footnote": "Counts are provisional.",
        }
    )
    text = narrative.pending_sentence(latest)[0]
    assert "**70,000** deaths reported and **73,500** predicted" in text
    assert "expects 3,500 more deaths (5\\.0%)" in text  # 5.0% of the reported count, escaped for Markdown
    assert text.endswith("Counts are provisional\\.")  # escaped for Markdown


def test_peak_items_cover_both_classes_and_measures_from_the_cdc_data(data):
    national = cdc.load_national(project_paths())
    items = narrative.peak_items(national, {"all_drugs": "All drugs", "synthetic_opioids": "Synthetic opioids"})
    assert [(v["name"], v["measure"]) for _, v in items] == [
        ("All drugs", "predicted"),
        ("All drugs", "reported"),
        ("Synthetic opioids", "predicted"),
        ("Synthetic opioids", "reported"),
    ]
    peak = compare.peak_and_decline(cdc.deaths(national, "all_drugs", "predicted"), "all_drugs", "predicted")
    assert items[0][1]["peak"] == f"{peak.peak_value:,.0f}"
