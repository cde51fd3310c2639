"""Tests for analysis.boats: lives per boat as a conditional against three classes, and the route facts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import boats, cdc, compare, ledgers, releases
from analysis.paths import project_paths


@pytest.fixture(scope="module")
def real(claims, strikes):
    paths = project_paths()
    return boats.lives_per_boat(claims, strikes, cdc.load_national(paths), releases.load_releases(paths))


def test_every_per_boat_claim_is_multiplied_out(claims, real):
    assert list(real["claim_id"]) == list(claims.loc[claims["topic"] == "lives_saved_per_boat", "claim_id"])
    assert list(real.columns) == boats.LIVES_PER_BOAT_COLUMNS
    assert (real["lives_implied_low"] == real["per_boat_low"] * real["vessels_by_date"]).all()
    assert real["conditional"].str.startswith("If each boat destroyed saved ").all()
    assert real["conditional"].str.contains(" would have saved ").all()


def test_cdc_period_is_the_one_out_on_the_claims_date_with_cocaine(real):
    rows = real.set_index("claim_id")
    c024 = rows.loc["C024"]  # 3 Jan 2026: still the snapshot's Apr 2025 (no release Oct-Dec 2025)
    assert (c024["cdc_period_end"], c024["tier"], c024["release_at_claim_date"]) == (
        "2025-04",
        "snapshot",
        "2025-09-10",
    )
    assert (c024["all_drugs_cdc"], c024["synthetic_opioids_cdc"], c024["cocaine_cdc"]) == (76516, 43809, 20667)
    c025 = rows.loc["C025"]  # 29 Jan 2026: the release of 14 Jan 2026, beyond the snapshot: figures quoted from it
    assert (c025["cdc_period_end"], c025["tier"]) == ("2025-08", "quoted release")
    assert (c025["all_drugs_cdc"], c025["synthetic_opioids_cdc"], c025["cocaine_cdc"]) == (73000, 45000, 20000)
    assert c025["ratio_cocaine_high"] == round(925000 / 20000, 3)
    assert c025["conditional"] == (
        "If each boat destroyed saved 25,000 lives, the 37 boats the strike ledger shows destroyed by 29 Jan 2026 "
        "would have saved 925,000: 12.67 times an estimated 73,000 all drug overdose deaths, 20.56 times over 45,000 "
        "deaths involving synthetic opioids other than methadone (T40.4) and 46.25 times nearly 20,000 deaths "
        "involving cocaine (T40.5) in the 12 months ending Aug 2025 (CDC provisional as reported by AP, release of "
        "14 Jan 2026; CDC provisional as reported by drugfree.org news digest, release of 14 Jan 2026)."
    )
    c016 = rows.loc["C016"]  # a range keeps its range; "more than" keeps its words
    assert "saved 25,000 to 50,000 lives" in c016["conditional"] and "1.31 to 2.61 times" in c016["conditional"]
    assert rows.loc["C015", "conditional"].startswith("If each boat destroyed saved more than 25,000 lives")


def _claim(claim_id, date, low, high=None, quote="we save 25,000 lives"):
    base, qualifier = ledgers.split_unit("lives_per_boat")
    return {
        "claim_id": claim_id,
        "date": date or pd.NA,
        "date_value": pd.Timestamp(date) if date else pd.NaT,
        "date_precision": "day" if date else "none",
        "speaker": "S",
        "topic": "lives_saved_per_boat",
        "quote": quote,
        "value_low": low,
        "value_high": low if high is None else high,
        "unit": "lives_per_boat",
        "unit_base": base,
        "unit_qualifier": qualifier,
        "quantified": True,
        "period": pd.NA,
        "kind": "claim",
        "source_url": "https://example.org/",
        "originator": "x",
        "role": "r",
    }


def test_counts_vessels_by_announcement_and_undated_claims_get_no_count(claims, strikes):
    paths = project_paths()
    frame = pd.concat(
        [
            claims[claims["topic"] != "lives_saved_per_boat"],
            pd.DataFrame([_claim("C1", "2025-10-17", 25000.0), _claim("C2", None, 25000.0)]),
        ],
        ignore_index=True,
    )
    out = boats.lives_per_boat(frame, strikes, cdc.load_national(paths), releases.load_releases(paths)).set_index(
        "claim_id"
    )
    # S006 (16 Oct) was announced on 18 Oct: by 17 Oct five strikes, five vessels, had been announced
    assert (out.loc["C1", "strikes_by_date"], out.loc["C1", "vessels_by_date"]) == (5, 5)
    assert pd.isna(out.loc["C2", "vessels_by_date"]) and "no date" in out.loc["C2", "note"]
    with pytest.raises(compare.MatchError, match="C3, field unit"):
        bad = _claim("C3", "2025-10-17", 25000.0)
        bad["unit_base"] = "lives"
        boats.lives_per_boat(
            pd.concat([frame, pd.DataFrame([bad])], ignore_index=True),
            strikes,
            cdc.load_national(paths),
            releases.load_releases(paths),
        )


# Every context fact (release 2026-12) -> its route
ROUTES = {
    "F01": "by land",
    "F02": "by land",
    "F03": "by land",
    "F04": "by land",
    "F05": "by land",
    "F06": "by land",
    "F07": "by sea",
    "F08": "supply and source",
    "F09": "by land",
    "F10": "by sea",
    "F11": "dose arithmetic",
    "F12": "by sea",
    "F13": "by sea",
    "F14": "dose arithmetic",
    "F15": "by sea",
    "F16": "by sea",
    "F17": "supply and source",
    "F18": "supply and source",
    "F19": "evidence offered for the flow claim",
    "F20": "evidence offered for the flow claim",
    "F21": "evidence offered for the flow claim",
    "F22": "evidence offered for the flow claim",
    "F23": "deaths",
}


def test_every_context_fact_has_a_route():
    facts = ledgers.load_context_facts(project_paths().raw / "context_facts.csv")
    table = boats.route_facts(facts)
    assert dict(zip(table["fact_id"], table["route"], strict=True)) == ROUTES
    assert list(dict.fromkeys(table["route"])) == [route for route in boats.ROUTES if route in ROUTES.values()]
    lines = boats.route_lines(facts)
    assert lines[0].startswith("By sea (6 facts): 8 percent of cocaine departing South America by sea")
    assert lines[1].startswith("By land (7 facts): 93 percent of fentanyl seizures at legal crossing points")
    assert lines[2].startswith("Dose arithmetic (2 facts): 57,000,000")
    with pytest.raises(ValueError, match="context fact F99, field topic: 'mystery'"):
        boats.route_of("mystery", "tons", "F99")
