"""Tests for analysis.milestones: sources read from the ledgers, dates checked, missing sources marked."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import ledgers, milestones
from analysis.paths import project_paths


def small_ledgers():
    claims = pd.DataFrame(
        {
            "claim_id": ["C1", "C2"],
            "date": ["2025-12-15", "2026-01"],
            "source_url": ["https://a.example/1", "https://a.example/2"],
        }
    )
    strikes = pd.DataFrame(
        {"strike_id": ["S1"], "date": [pd.Timestamp("2025-09-02")], "source_url": ["https://s.example/1"]}
    )
    return claims, strikes


def test_sources_are_read_from_the_cited_rows():
    claims, strikes = small_ledgers()
    items = (
        milestones.Milestone("a", "A", "2025-09-02", "strikes", "S1", "n"),
        milestones.Milestone("b", "B", "2025-12-15", "claims", "C1", "n"),
        milestones.Milestone("c", "C", "2025-02", None, None, "no row"),
    )
    out = milestones.milestones(claims, strikes, items).set_index("key")
    assert out.loc["a", "source_url"] == "https://s.example/1" and out.loc["a", "source_status"] == milestones.SOURCED
    assert out.loc["b", "source_url"] == "https://a.example/1"
    assert out.loc["c", "source_url"] == "" and out.loc["c", "source_status"] == milestones.MISSING
    assert out.loc["c", "date_precision"] == "month" and out.loc["c", "date_value"] == pd.Timestamp("2025-02-01")
    assert list(out.reset_index().columns) == milestones.MILESTONE_COLUMNS


def test_date_disagreeing_with_its_row_is_refused():
    claims, strikes = small_ledgers()
    bad = (milestones.Milestone("b", "B", "2025-12-16", "claims", "C1", "n"),)
    with pytest.raises(milestones.MilestoneError, match="C1 is dated 2025-12-15"):
        milestones.milestones(claims, strikes, bad)


def test_absent_row_is_refused():
    claims, strikes = small_ledgers()
    with pytest.raises(milestones.MilestoneError, match="S9"):
        milestones.milestones(claims, strikes, (milestones.Milestone("x", "X", "2025-09-02", "strikes", "S9", "n"),))


def test_real_milestones_against_the_real_ledgers():
    paths = project_paths()
    out = milestones.milestones(ledgers.load("claims", paths), ledgers.load("strikes", paths)).set_index("key")
    assert out.loc["first_strike", "date"] == "2025-09-02" and out.loc["first_strike", "source_row"] == "S001"
    assert out.loc["fentanyl_wmd", "source_row"] == "C068"
    assert out.loc["land_strike_statement", "source_row"] == "C071"
    assert out.loc["venezuela_raid", "date"] == "2026-01-03"
    # no ledger row dates the February 2025 FTO designations: no address is made up for it
    assert out.loc["fto_designations", "source_status"] == milestones.MISSING
    assert out.loc["fto_designations", "source_url"] == ""
    assert (out["source_url"] != "").sum() == 4
