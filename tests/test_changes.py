"""analysis.changes: the old and new data/processed/ compared, and the summary the refresh prints."""

from __future__ import annotations

import csv
import io

import pytest

from analysis import build, changes, manifest
from helpers import ROOT

PROCESSED = ROOT / "data" / "processed"


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def edit(text, function):
    """``text`` (a CSV) with ``function(header, rows)`` applied; returns the new CSV text."""
    table = changes.parse_csv("x.csv", text)
    header, rows = list(table.header), [list(row) for row in table.rows]
    header, rows = function(header, rows)
    return csv_text(header, rows)


@pytest.fixture(scope="module")
def committed():
    return changes.read_folder(PROCESSED)


# -- keys -----------------------------------------------------------------------------------------


def test_every_processed_file_has_a_documented_key_that_is_unique(committed):
    assert sorted(committed) == sorted(build.OUTPUTS)
    for name, text in committed.items():
        table = changes.parse_csv(name, text)
        assert changes.choose_key(table, table) == changes.KEYS[name], name


def test_unknown_file_gets_the_shortest_unique_leading_columns():
    text = csv_text(["a", "b", "c"], [["1", "x", "5"], ["1", "y", "6"], ["2", "x", "7"]])
    table = changes.parse_csv("new.csv", text)
    assert changes.choose_key(table, table) == ("a", "b")


def test_key_that_is_no_longer_unique_falls_back(committed):
    # Two rows with the same claim_id: the documented key cannot match rows, a longer one is found.
    text = edit(committed["claims_vs_cdc.csv"], lambda h, r: (h, [*r, list(r[0])[:1] + ["2099-01-01"] + r[0][2:]]))
    before = changes.parse_csv("claims_vs_cdc.csv", committed["claims_vs_cdc.csv"])
    after = changes.parse_csv("claims_vs_cdc.csv", text)
    assert changes.choose_key(before, after) == ("claim_id", "date")


# -- the comparison -------------------------------------------------------------------------------


def test_identical_folders_have_no_change(committed):
    files = changes.diff_folders(committed, dict(committed))
    assert files and all(f.unchanged for f in files)
    assert [f.name for f in files][:3] == list(changes.ORDER)
    assert "No processed file changed." in changes.summary(committed, committed, before_entry={}, after_entry={})


def test_changed_cells_added_and_removed_rows():
    before = csv_text(["id", "n", "s"], [["A", "1", "x"], ["B", "2", "y"], ["C", "3", "z"]])
    after = csv_text(["id", "n", "s"], [["A", "1", "x"], ["B", "20", "y"], ["D", "4", "w"]])
    result = changes.diff_tables("t.csv", before, after)
    assert result.key == ("id",)
    assert result.added == [("D",)] and result.removed == [("C",)] and result.changed_rows == 1
    assert result.cells == [changes.CellChange(("B",), "n", "2", "20")]
    assert (result.rows_before, result.rows_after) == (3, 3) and not result.unchanged


def test_rows_without_any_unique_key_are_compared_whole():
    before = csv_text(["a"], [["1"], ["1"], ["2"]])
    after = csv_text(["a"], [["1"], ["2"], ["2"]])
    result = changes.diff_tables("t.csv", before, after)
    assert result.key == () and result.added == [("2",)] and result.removed == [("1",)]


def test_new_and_removed_files_and_columns():
    assert changes.diff_tables("t.csv", None, "a\n1\n").rows_before is None
    assert changes.diff_tables("t.csv", "a\n1\n", None).rows_after is None
    result = changes.diff_tables("t.csv", "id,old\nA,1\n", "id,new\nA,2\n")
    assert result.columns_added == ["new"] and result.columns_removed == ["old"]
    assert result.new_column_values == {"new": {"2": 1}}


def test_a_ragged_row_is_an_error_naming_file_and_line():
    with pytest.raises(changes.ChangesError, match=r"t\.csv, line 3: 1 fields where the header has 2"):
        changes.parse_csv("t.csv", "a,b\n1,2\n3\n")


# -- the summary ----------------------------------------------------------------------------------


def test_a_new_verdict_column_and_its_changes_lead_the_summary(committed):
    """A column another step adds later (a verdict) is summarised without any change here."""

    def with_verdict(values):
        def function(header, rows):
            return [*header, "verdict"], [[*row, values.get(row[0], "overstated")] for row in rows]

        return function

    claims = committed["claims_vs_cdc.csv"]
    first = dict(committed, **{"claims_vs_cdc.csv": edit(claims, with_verdict({}))})
    text = changes.summary(committed, first, before_entry={}, after_entry={})
    rows = len(changes.parse_csv("claims_vs_cdc.csv", claims).rows)  # 32 rows in ledger release 2026-12
    assert f"- claims_vs_cdc.csv: new column verdict: overstated ({rows})" in text
    second = dict(committed, **{"claims_vs_cdc.csv": edit(claims, with_verdict({"C004": "accurate"}))})
    text = changes.summary(first, second, before_entry={}, after_entry={})
    verdicts = text.split("### Verdicts")[1].split("###")[0]
    assert "- claims_vs_cdc.csv, C004: verdict overstated -> accurate" in verdicts
    assert "| C004 | verdict | overstated | accurate |" in text
    text = changes.summary(second, second, before_entry={}, after_entry={})
    assert "- No verdict moved." in text


def test_summary_of_a_revision_names_release_period_headline_and_changed_claims(committed):
    """A CDC revision of one month's predicted count moves that month and the claims matched to it."""
    raw_entry = manifest.entry("cdc_vsrr.csv")

    def revise(header, rows):
        at = {name: header.index(name) for name in ("period_end", "indicator", "predicted")}
        for row in rows:
            if row[at["period_end"]] == "2025-04" and row[at["indicator"]] == "all_drugs":
                row[at["predicted"]] = "76600"
        return header, rows

    after = dict(committed, **{"cdc_national.csv": edit(committed["cdc_national.csv"], revise)})
    new_entry = dict(raw_entry, source_release="2025-10-15", rows_updated_at=1760529600)
    text = changes.summary(committed, after, before_entry=raw_entry, after_entry=new_entry)
    assert "- CDC release: Sep 2025 -> 15 Oct 2025 (rowsUpdatedAt 1760529600)" in text
    assert "- Latest period: 12 months ending Apr 2025 -> 12 months ending Apr 2025" in text
    assert "| all_drugs, predicted, latest period | 76,516 | 76,600 |" in text
    assert "### cdc_national.csv (1,488 rows)" in text
    assert "| US, 2025-04, all_drugs | predicted | 76,516 | 76,600 |" in text
    assert "Changed cells by column: predicted 1." in text
    assert "Unchanged: claims_vs_cdc.csv, cdc_calendar_years.csv" in text


def test_long_lists_are_cut_and_counted():
    before = csv_text(["id", "n"], [[f"R{i:02}", "1"] for i in range(40)])
    after = csv_text(["id", "n"], [[f"R{i:02}", "2"] for i in range(40)] + [[f"N{i:02}", "1"] for i in range(30)])
    lines = changes.file_lines(changes.diff_tables("t.csv", before, after), max_listed=5)
    text = "\n".join(lines)
    assert "30 rows added, 0 removed, 40 changed" in text
    assert "Added: N00; N01; N02; N03; N04; and 25 more." in text
    assert "... and 35 more changed cells." in text
    assert sum(1 for line in lines if line.startswith("| R")) == 5


@pytest.mark.parametrize(
    "value, text",
    [("", "(empty)"), ("1234567", "1,234,567"), ("-1500", "-1,500"), ("2.726", "2.726"), ("US", "US")],
)
def test_number_text(value, text):
    assert changes.number_text(value) == text


def test_period_and_date_text():
    assert changes.period_text("2025-05") == "12 months ending May 2025"
    assert changes.period_text(None) == "(unknown)"
    assert changes.date_text("2025-10-15") == "15 Oct 2025"
    assert changes.date_text("2025-10-15T09:30:00Z") == "15 Oct 2025"
    assert changes.date_text("2025-09") == "Sep 2025"
    assert changes.date_text(None) == "(unknown)"


def test_long_texts_are_shown_where_they_differ():
    note = "12 months ending Jul 2025 is not in this CDC release (latest period: 2025-04): no CDC figure, no ratio"
    before, after = changes.excerpt_pair(note, note.replace("2025-04", "2025-05"))
    assert before == "… period: 2025-04): no CDC figur…" and after == "… period: 2025-05): no CDC figur…"
    assert changes.excerpt_pair("short", "shorter") == ("short", "shorter")
    shortened = changes.excerpt_pair(note, note[:30])
    assert shortened[1] == "…g Jul 2025 is n" and len(shortened[0]) <= changes.EXCERPT_WIDTH + 2
