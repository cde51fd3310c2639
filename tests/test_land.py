"""Tests for analysis.land: the U.S.-role rule on every land-operations row, and the Mexico answer."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import land, ledgers
from analysis.paths import project_paths

RAW = project_paths().raw


@pytest.fixture(scope="module")
def operations():
    return ledgers.load_land_operations(RAW / "land_operations.csv")


def test_rule_on_every_row(operations):
    # strikes README, release 2026-12: Venezuela's dock strike (L01), the Caracas raid (L02) and the
    # "Nino Guerrero" airstrike (L05) are U.S. strikes; Ecuador (L04) and Mexico (L03) are U.S. support.
    out = land.classified(operations).set_index("operation_id")["us_role_class"].to_dict()
    assert out == {
        "L01": land.US_STRIKE,
        "L02": land.US_STRIKE,
        "L03": land.US_SUPPORT,
        "L04": land.US_SUPPORT,
        "L05": land.US_STRIKE,
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("U.S. airstrikes and special-operations raid", land.US_STRIKE),
        ("U.S. strike per Trump; White House and Pentagon gave no details", land.US_STRIKE),
        ("intelligence only (JITF-CC); no U.S. troops on the ground - not a U.S. strike", land.US_SUPPORT),
        ("U.S. joint force supported Ecuadorian operations", land.US_SUPPORT),
        ("U.S. Southern Command airstrike, described as joint", land.US_STRIKE),
    ],
)
def test_us_role_class(text, expected):
    assert land.us_role_class(text) == expected


@pytest.mark.parametrize("text", ["", "U.S. advisers present", None])
def test_unclear_role_is_refused(text):
    with pytest.raises(ValueError):
        land.us_role_class(text)


def test_no_us_strike_on_mexican_soil_to_the_ledgers_end(operations):
    assert land.strikes_on_soil(operations, "Mexico", "2026-06-22").empty
    text = land.answer(operations, "Mexico", "2026-06-22")
    assert text.startswith(
        "No: none of the 5 land operations on record to 22 Jun 2026 is a U.S. strike on Mexico's soil."
    )
    assert "22 Feb 2026, Tapalpa, Jalisco: U.S. support to another country's operation" in text


def test_answer_turns_yes_when_a_row_says_so(operations):
    extra = operations.iloc[[2]].assign(operation_id="L09", us_role="U.S. airstrike", date=pd.Timestamp("2026-03-01"))
    with_strike = pd.concat([operations, extra], ignore_index=True)
    assert land.strikes_on_soil(with_strike, "Mexico", "2026-06-22")["operation_id"].tolist() == ["L09"]
    assert land.answer(with_strike, "Mexico", "2026-06-22").startswith("Yes: 1 U.S. strike(s) on Mexico's soil")
    # after the date asked about, it is not on record
    assert land.strikes_on_soil(with_strike, "Mexico", "2026-02-28").empty


def test_venezuela_strikes_include_the_undated_dock_strike(operations):
    hits = land.strikes_on_soil(operations, "Venezuela", "2026-06-22")
    assert hits["operation_id"].tolist() == ["L01", "L02", "L05"]
    assert land.strikes_on_soil(operations, "Venezuela", "2026-01-02")["operation_id"].tolist() == ["L01"]
