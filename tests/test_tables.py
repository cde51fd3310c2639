"""Tests for analysis.tables: escaped HTML, real links, deterministic text."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from analysis.tables import MISSING, Table, format_value, is_web_address, show_table


class _Collector(HTMLParser):
    """Parses a fragment the way a browser would: tags seen, text per cell, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs))
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def parse(fragment: str) -> _Collector:
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector


@pytest.fixture
def ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strike_id": ["S001", "S002", "S003"],
            "killed": pd.array([11, None, 3], dtype="Int64"),
            "notes": ['<script>alert(1)</script> said "no"', "a & b", ""],
            "source_url": [
                "https://example.org/a?x=1&y=<b>",
                "javascript:alert(1)",
                "http://example.com/page",
            ],
        }
    )


def test_cells_from_data_are_text_not_markup(ledger):
    fragment = show_table(ledger)._repr_html_()
    parsed = parse(fragment)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert '<script>alert(1)</script> said "no"' in parsed.cells
    assert "a & b" in parsed.cells
    assert "<script>" not in fragment


def test_only_http_addresses_in_link_columns_become_links(ledger):
    parsed = parse(show_table(ledger).to_html())
    hrefs = [link["href"] for link in parsed.links]
    assert hrefs == ["https://example.org/a?x=1&y=<b>", "http://example.com/page"]
    for link in parsed.links:
        assert "noopener" in link["rel"].split()
    # The javascript: value is shown, as text.
    assert "javascript:alert(1)" in parsed.cells


def test_other_columns_are_never_linked():
    df = pd.DataFrame({"note": ["https://example.org/"], "source_url": ["https://example.net/"]})
    parsed = parse(show_table(df).to_html())
    assert [link["href"] for link in parsed.links] == ["https://example.net/"]
    parsed = parse(show_table(df, link_columns=["note", "source_url"]).to_html())
    assert [link["href"] for link in parsed.links] == ["https://example.org/", "https://example.net/"]
    parsed = parse(show_table(df, link_columns=()).to_html())
    assert parsed.links == []


def test_named_link_column_must_exist(ledger):
    with pytest.raises(KeyError, match="url"):
        show_table(ledger, link_columns=("url",))
    # The default silently applies only where a source_url column exists.
    assert parse(show_table(ledger[["strike_id"]]).to_html()).links == []


def test_column_names_and_index_are_escaped():
    df = pd.DataFrame({"<i>col</i>": [1]}, index=pd.Index(["<b>row</b>"], name="<u>idx</u>"))
    fragment = show_table(df).to_html()
    parsed = parse(fragment)
    assert {"i", "b", "u"}.isdisjoint(parsed.tags)
    assert parsed.cells[:3] == ["<u>idx</u>", "<i>col</i>", "<b>row</b>"]


def test_missing_values_are_marked_not_filled(ledger):
    table = show_table(ledger)
    parsed = parse(table.to_html())
    assert parsed.cells.count(MISSING) == 1
    assert 'class="num missing"' in table.to_html()  # killed is a numeric column
    # An empty string is not a gap, and a literal dash in the data is not marked missing.
    df = pd.DataFrame({"x": [MISSING, None]}, dtype=object)
    assert show_table(df).to_html().count('class="missing"') == 1


def test_text_form_is_deterministic_and_aligned(ledger):
    text = repr(show_table(ledger, words=False))
    assert text == repr(show_table(ledger.copy(), words=False))
    assert "0x" not in text and "object at" not in text
    lines = text.splitlines()
    assert lines[0].split() == ["strike_id", "killed", "notes", "source_url"]
    # index | strike_id (width 9, left) | killed (width 6, right, numeric) | notes ...
    assert lines[1].startswith("0  S001           11  <script>alert(1)</script>")
    assert lines[2].startswith(f"1  S002       {MISSING.rjust(6)}  a & b")
    assert str(show_table(ledger, words=False)) == text
    assert repr(show_table(ledger)).splitlines()[0].split() == ["Strike", "Killed", "Notes", "Page", "read"]


def test_max_rows_says_what_is_not_shown(ledger):
    table = show_table(ledger, max_rows=2, index=False)
    assert table.hidden_rows == 1
    text = table.to_text()
    assert "S003" not in text
    assert text.splitlines()[-1] == "First 2 of 3 rows shown (1 more not shown)."
    assert "First 2 of 3 rows shown" in table.to_html()
    assert "not shown" not in show_table(ledger, max_rows=3).to_text()
    with pytest.raises(ValueError):
        show_table(ledger, max_rows=-1)


def test_formatters_and_value_text():
    df = pd.DataFrame({"deaths": [105007, 80391]})
    text = show_table(df, formatters={"deaths": "{:,}".format}, index=False).to_text()
    assert text.splitlines() == [" Deaths", "105,007", " 80,391"]
    assert format_value(np.int64(2025)) == "2025"
    assert format_value(np.float64(0.1)) == "0.1"
    assert format_value(float("nan")) == MISSING
    assert format_value(pd.NA) == MISSING
    assert format_value(True) == "True"
    with pytest.raises(KeyError):
        show_table(df, formatters={"nope": str})


def test_empty_table_and_type_check():
    assert "(no rows)" in show_table(pd.DataFrame({"a": []})).to_text()
    with pytest.raises(TypeError):
        show_table([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://example.org/x", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("https:///nohost", False),
        (" https://example.org", False),
        ("ftp://example.org", False),
        ("", False),
    ],
)
def test_is_web_address(value, expected):
    assert is_web_address(value) is expected


def test_ipython_displays_html_and_plain_text(ledger):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(show_table(ledger))
    assert set(data) == {"text/plain", "text/html", "text/csv"}
    assert data["text/plain"] == show_table(ledger).to_text()
    assert data["text/csv"] == ledger.to_csv(lineterminator="\n")  # the whole frame, data names, unrounded
    assert isinstance(show_table(ledger), Table)


def test_numeric_cells_are_marked_for_right_alignment():
    df = pd.DataFrame({"year": [2025], "label": ["2025"], "share": [0.5]})
    fragment = show_table(df, index=False).to_html()
    assert '<td class="num">2025</td>' in fragment
    assert "<td>2025</td>" in fragment
    assert '<td class="num">0.5</td>' in fragment


def test_whole_number_float_columns_show_no_decimal_part():
    df = pd.DataFrame(
        {
            "claimed_low": [250000.0, 300000000.0, None],  # float64 with a gap
            "per_boat": pd.array([25000.0, 50000.0, None], dtype="Float64"),
            "ratio": [2.726, 1.0, 0.5],  # one whole value among fractions: the column keeps its decimals
            "change_pct": [-44.4, -12.0, 3.5],
            "year": [2023, 2024, 2025],
            "huge": [1e300, 2.0, 3.0],  # beyond exact integers: left as floats
        }
    )
    table = show_table(df, index=False)
    rows = [cells for _, cells in table.rows]
    assert [row[0] for row in rows] == ["250,000", "300,000,000", None]
    assert [row[1] for row in rows] == ["25,000", "50,000", None]
    assert [row[2] for row in rows] == ["2.73", "1.00", "0.50"]  # ratios: two decimals, the whole column
    assert [row[3] for row in rows] == ["-44.4", "-12.0", "3.5"]  # one decimal is all the column needs
    assert [row[4] for row in rows] == ["2023", "2024", "2025"]  # years: no separator
    assert [row[5] for row in rows] == ["1e+300", "2", "3"]
    assert "250000.0" not in table.to_text() and ">250,000<" in table.to_html()
    # A caller's formatter still wins over the whole-number display.
    custom = show_table(df[["claimed_low"]], formatters={"claimed_low": "{:,.0f}".format}, index=False)
    assert custom.rows[0][1] == ["250,000"]


def test_source_links_read_as_the_site_and_keep_the_full_address():
    import pandas as pd

    from analysis.tables import link_label, show_table

    url = "https://www.cbsnews.com/news/trump-strike-second-alleged-venezuela-drug-boat/?a=1&b=<2>"
    assert link_label(url) == "cbsnews.com"
    html_text = show_table(pd.DataFrame({"source_url": [url]}), index=False).to_html()
    escaped = "https://www.cbsnews.com/news/trump-strike-second-alleged-venezuela-drug-boat/?a=1&amp;b=&lt;2&gt;"
    assert f'href="{escaped}"' in html_text and f'title="{escaped}"' in html_text
    assert ">cbsnews.com</a>" in html_text
    assert url in repr(show_table(pd.DataFrame({"source_url": [url]}), index=False))


def test_headers_in_words_and_dates_in_words():
    from analysis.tables import column_label

    df = pd.DataFrame(
        {
            "claim_id": ["C001"],
            "cdc_period_end": ["2024-08"],
            "date": ["2025-09-02"],
            "survivors_reported": pd.array([3], dtype="Int64"),
            "when": [pd.Timestamp("2026-01-05")],
        }
    )
    table = show_table(df, index=False)
    assert table.labels == ["Claim", "CDC period (12 months ending)", "Date", "Survivors reported", "When"]
    assert table.rows[0][1] == ["C001", "Aug 2024", "2 Sep 2025", "3", "5 Jan 2026"]
    assert column_label("reduction_pct") == "Stated reduction (%)" and column_label("cdc_x_pct") == "CDC x %"
    assert show_table(df, index=False, words=False).labels == list(df.columns)
    quote = pd.DataFrame({"note": ["said on 2025-09-02 that"]})  # dates inside text are the source's words
    assert show_table(quote, index=False).rows[0][1] == ["said on 2025-09-02 that"]


def test_long_tables_are_collapsed_under_a_summary():
    df = pd.DataFrame({"n": range(20)})
    html_text = show_table(df, index=False).to_html()
    assert html_text.startswith('<details class="long-table"><summary>Full table: 20 rows, 1 columns</summary>')
    assert html_text.rstrip().endswith("</details>") and html_text.count("<tr>") == 21
    short = show_table(df.head(15), index=False).to_html()
    assert "<details" not in short
    custom = show_table(df, index=False, summary="Twenty <numbers>", collapse_after=None).to_html()
    assert "<details" not in custom
    assert "Twenty &lt;numbers&gt; (20 rows" in show_table(df, index=False, summary="Twenty <numbers>").to_html()


def test_object_columns_of_numbers_read_as_numbers():
    df = pd.DataFrame({"year": [2015, 2016], "deaths": pd.Series([52623, None], dtype=object)})
    table = show_table(df, index=False)
    assert table.numeric == [True, True]
    assert [cells for _, cells in table.rows] == [["2015", "52,623"], ["2016", None]]
