"""Tests for analysis.seed_figures: the often-quoted 2023 figures by product, and the campaign counts."""

from __future__ import annotations

import pytest

from analysis import cdc, releases, seed_figures
from analysis.paths import project_paths


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024 (provisional); 2023 = 76,282", 76282),
        ("2023: 76,282 deaths; 2024: 48,422 deaths", 76282),
        ("80,391 overdose deaths occurred nationwide in 2024, down from 110,037 in 2023", 110037),
        ("2023 (final)", None),
        (None, None),
    ],
)
def test_figure_in_text(text, expected):
    assert seed_figures.figure_in_text(text, 2023) == expected


def test_the_2023_figures_by_product(claims):
    paths = project_paths()
    products = seed_figures.products_2023(claims, cdc.load_national(paths), releases.load_releases(paths))
    got = [(row.indicator, int(row.value), row.row) for row in products.itertuples()]
    assert got == [
        ("synthetic_opioids", 72776, "CF08"),
        ("synthetic_opioids", 74091, "snapshot"),
        ("synthetic_opioids", 74702, "C014"),
        ("synthetic_opioids", 75219, "snapshot"),
        ("synthetic_opioids", 76282, "CF04"),
        ("all_drugs", 105007, "CF01"),
        ("all_drugs", 106881, "snapshot"),
        ("all_drugs", 108550, "snapshot"),
        ("all_drugs", 110037, "CF03"),
    ]
    product = dict(zip(products["row"] + products["value"].astype(int).astype(str), products["product"], strict=True))
    assert product["CF0872776"].startswith("NCHS final data")
    assert product["CF0476282"] == "CDC provisional, release of 14 May 2025"
    assert product["snapshot75219"] == "CDC provisional, predicted, release of 10 Sep 2025 (this project's snapshot)"
    assert "product and release not named" in product["C01474702"]
    assert seed_figures.mixing_line(products).startswith(
        "Deaths involving synthetic opioids other than methadone were 69% of all drug overdose deaths in final data "
        "(72,776 of 105,007; CF08, CF01)"
    )


def test_campaign_counts_by_1_jan_2026_from_the_ledger(strikes):
    strike_row, killed_row = seed_figures.strike_figures(strikes, "2026-01-01", 30, 115)
    assert strike_row["reading"] == "holds: the ledger has 33 strike rows (36 vessels) dated on or before 1 Jan 2026"
    assert killed_row["reading"] == (
        "holds only with survivors never found: 114 deaths as announced, 123 with the 9 survivors reported never found"
    )
    assert seed_figures.strike_figures(strikes, "2026-01-01", 40, 130)[0]["reading"].startswith("does not hold")
    assert seed_figures.strike_figures(strikes, "2026-01-01", 30, 100)[1]["reading"].startswith("holds: 114")
