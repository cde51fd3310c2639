"""Tests for analysis.prose: the house number and date formats, and escaped Markdown findings."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import prose


def test_numbers_ratios_and_percentages():
    assert prose.number(76516) == "76,516"
    assert prose.number(300000000.0) == "300,000,000"
    assert prose.number(2.726, decimals=1) == "2.7"
    assert [prose.ratio(v) for v in (0.993, 2.726, 36.71, 3671.476)] == ["0.99", "2.73", "36.7", "3,671"]
    assert prose.percent(-32.3) == "-32.3%" and prose.percent(3.8, signed=True) == "+3.8%"
    for function in (prose.number, prose.ratio, prose.percent):
        with pytest.raises(ValueError, match="missing"):
            function(float("nan"))


def test_dates_months_and_periods():
    assert prose.date("2025-09-02") == "2 Sep 2025"
    assert prose.date(pd.Timestamp("2026-01-05")) == "5 Jan 2026"
    assert prose.date(dt.date(2025, 12, 31)) == "31 Dec 2025"
    assert prose.date("2025-09") == "Sep 2025"
    assert prose.month("2025-04") == "Apr 2025"
    assert prose.period("2025-04") == "the 12 months ending Apr 2025"
    with pytest.raises(ValueError):
        prose.month("2025-13")
    with pytest.raises(ValueError):
        prose.date("yesterday")
    assert prose.humanize_dates("peaked in 2023-08; strike on 2025-09-02; rows S001-S060; 2025-13") == (
        "peaked in Aug 2023; strike on 2 Sep 2025; rows S001-S060; 2025-13"
    )


def test_markdown_findings_escape_every_value():
    line = prose.sentence(
        "**{who}** said {figure} ({when})",
        who="A <b>*speaker*</b>",
        figure="300,000,000",
        when=prose.date("2025-09-14"),
    )
    shown = prose.markdown(line, bullets=True)
    assert shown._repr_markdown_() == r"- **A &lt;b&gt;\*speaker\*&lt;/b&gt;** said 300,000,000 (14 Sep 2025)"
    assert repr(shown) == "- A <b>*speaker*</b> said 300,000,000 (14 Sep 2025)"
    with pytest.raises(KeyError, match="figure"):
        prose.sentence("{figure}")
    plain = prose.markdown("a [link](javascript:x) <script>")
    assert "<script>" not in plain._repr_markdown_() and r"\[link\]" in plain._repr_markdown_()


def test_markdown_is_rendered_without_markup_from_data():
    import mistune

    shown = prose.findings([("{quote}", {"quote": "<img src=x onerror=alert(1)> [x](javascript:alert(2))"})])
    html_text = mistune.html(shown._repr_markdown_())
    assert "<img" not in html_text and "<a " not in html_text and "&lt;img" in html_text


def test_links_only_for_web_addresses():
    assert prose.link("CDC (data)", "https://data.cdc.gov/a(b)") == r"[CDC \(data\)](https://data.cdc.gov/a%28b%29)"
    assert prose.link("x", "javascript:alert(1)") == "x"


def test_sources_name_release_rows_and_links():
    shown = prose.sources(["cdc_vsrr.csv"])
    text = shown._repr_markdown_()
    assert "release of Sep 2025, retrieved 23 Nov 2026; 1,488 rows" in text
    assert "(https://data.cdc.gov/NCHS/VSRR-Provisional-Drug-Overdose-Death-Counts/xkb8-kh2a)" in text
    assert "sha256" not in text.lower()
    assert "**VSRR Provisional Drug Overdose Death Counts, national rows**" in text  # not "(State == US)"


def test_sources_name_no_file_a_reader_cannot_open():
    shown = prose.sources(["claims.csv", "cdc_releases.csv", "strikes.csv"])
    text = repr(shown)
    assert "shared/data" not in text and "README" not in text and "==" not in text
    assert "Compiled for this project from archived public news pages and fact-checks;" in text
    assert "2024-01" not in text and "Jan 2024 to Nov 2026" in text
    assert "each row cites its page" in text


def test_reader_text_leaves_out_paths_and_code_filters():
    assert prose.reader_text("Compiled (see shared/data/cdc/README.md, section releases.csv)") == "Compiled"
    assert prose.reader_text("national rows (State == US), release 2019-06") == "national rows, release Jun 2019"
    assert prose.reader_text("a ledger (2 Sep 2025 to 22 Jun 2026)") == "a ledger (2 Sep 2025 to 22 Jun 2026)"


def test_release_text_from_a_month_a_day_or_a_timestamp():
    assert prose.release("2025-09") == "Sep 2025"
    assert prose.release("2025-10-15") == "15 Oct 2025"
    assert prose.release("2026-12-02T06:46:29Z") == "2 Dec 2026"
    assert prose.release("spring release") == "spring release"
