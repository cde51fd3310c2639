"""Tests for analysis.vintages: the national-row snapshots of the older CDC releases.

The whole older files live beside the project (../shared/data/cdc/vintages/); tests that need them
skip with a message when they are absent. Everything else runs from data/raw/ alone.
"""

from __future__ import annotations

import pytest

from analysis import cdc, manifest, vintages
from analysis.__main__ import main
from analysis.paths import project_paths
from helpers import VINTAGES

RAW = project_paths().raw

HEADER_2019 = (
    "State,Year,Month,Period,Indicator,Data Value,Percent Complete,Percent Pending Investigation,"
    "State Name,Footnote,Footnote Symbol,Predicted Value\n"
)


def _whole(name: str):
    path = VINTAGES / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the older CDC releases live in ../shared/data/cdc/vintages/")
    return path


# --- the committed snapshots -------------------------------------------------------------------


@pytest.mark.parametrize(
    "release, rows, latest, has_predicted",
    [("2018-04", 330, "2017-09", False), ("2019-06", 540, "2018-09", True), ("2019-07", 564, "2018-11", True)],
)
def test_load_vintage(release, rows, latest, has_predicted):
    table = vintages.load_vintage(release)
    assert len(table) == rows
    assert set(table["jurisdiction"]) == {"US"}
    assert cdc.latest_period(table) == latest
    assert table["predicted"].notna().any() == has_predicted
    cdc.check_tidy(table)


def test_vintages_show_the_documented_revision():
    # vintages README: 12 months ending Sep 2017, all drugs: 67,944 first, 70,599 later (+3.9%)
    first = cdc.value_at(vintages.load_vintage("2018-04"), "all_drugs", "2017-09", "reported")
    later = cdc.value_at(vintages.load_vintage("2019-06"), "all_drugs", "2017-09", "reported")
    assert (first, later) == (67944, 70599)


def test_every_vintage_has_a_manifest_entry_naming_release_and_repository():
    files = manifest.load()["files"]
    for item in vintages.VINTAGES.values():
        entry = files[item.file]
        assert entry["source_release"] == item.release
        assert entry["read_from"] == item.repository
        assert entry["rows"] == manifest.count_csv_records(RAW / item.file)
        assert "extract-national" in entry["obtained"]


def test_unknown_vintage_is_refused():
    with pytest.raises(ValueError, match="no older CDC release '2017-01'.*2018-04"):
        vintages.load_vintage("2017-01")


def test_a_vintage_snapshot_edited_by_hand_is_refused(tmp_path):
    from helpers import copy_project

    paths = copy_project(tmp_path, processed=False)
    target = paths.raw / "cdc_vsrr_2019-07.csv"
    target.write_bytes(target.read_bytes() + b"US,2018,December,x\n")
    with pytest.raises(manifest.ChecksumMismatch):
        vintages.load_vintage("2019-07", paths)


# --- the extraction ----------------------------------------------------------------------------


@pytest.mark.parametrize("release", sorted(vintages.VINTAGES))
def test_extraction_reproduces_the_committed_snapshot_byte_for_byte(tmp_path, release):
    item = vintages.VINTAGES[release]
    source = _whole(item.source_file)
    target = tmp_path / item.file
    rows = vintages.extract_national_rows(source, target)
    assert target.read_bytes() == (RAW / item.file).read_bytes()
    assert rows == manifest.count_csv_records(target)
    # every line of the snapshot is a line of the source, in the source's order
    source_lines = source.read_bytes().splitlines(keepends=True)
    kept = target.read_bytes().splitlines(keepends=True)
    assert kept[0] == source_lines[0]
    assert kept[1:] == [line for line in source_lines[1:] if line.startswith(b"US,")]


def _row(state: str, month: str = "January", value: str = '"1,234"') -> str:
    return f"{state},2018,{month},12 month-ending,Number of Drug Overdose Deaths,{value},100,0,Name,,,\n"


def test_national_rows_keep_bytes_bom_and_crlf():
    data = ("\ufeff" + HEADER_2019).encode() + _row("AK").encode() + _row("US").replace("\n", "\r\n").encode()
    out = vintages.national_rows(data)
    assert out.startswith(b"\xef\xbb\xbfState,")  # the byte-order mark is kept
    assert out.endswith(_row("US").replace("\n", "\r\n").encode())  # line ending untouched
    assert b"AK," not in out


def test_national_rows_keep_a_quoted_newline_inside_its_record():
    footnote_row = 'US,2018,March,12 month-ending,Number of Drug Overdose Deaths,5,100,0,United States,"two\nlines",,\n'
    data = (HEADER_2019 + _row("AK") + footnote_row + _row("USA")).encode()
    out = vintages.national_rows(data).decode()
    assert out == HEADER_2019 + footnote_row  # "USA" is not "US"


def test_national_rows_refuse_a_file_that_is_not_an_export():
    with pytest.raises(vintages.ExtractError, match="first column is not 'State'"):
        vintages.national_rows(b"jurisdiction,year\nUS,2018\n", source="x.csv")
    with pytest.raises(vintages.ExtractError, match="no rows with State == 'US'"):
        vintages.national_rows((HEADER_2019 + _row("AK")).encode(), source="x.csv")
    with pytest.raises(vintages.ExtractError, match="empty"):
        vintages.national_rows(b"", source="x.csv")


def test_extraction_refuses_rows_the_cdc_loader_cannot_read_and_writes_nothing(tmp_path):
    source = tmp_path / "whole.csv"
    source.write_text(HEADER_2019 + _row("US", value="lots"), encoding="utf-8")
    target = tmp_path / "out.csv"
    with pytest.raises(cdc.CDCSchemaError, match="data_value: not a number"):
        vintages.extract_national_rows(source, target)
    assert not target.exists()


def test_cli_step(tmp_path, capsys):
    source = tmp_path / "whole.csv"
    source.write_text(HEADER_2019 + _row("AK") + _row("US") + _row("US", "February"), encoding="utf-8")
    target = tmp_path / "national.csv"
    assert main(["extract-national", str(source), str(target)]) == 0
    assert "2 national rows" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == HEADER_2019 + _row("US") + _row("US", "February")
    assert main(["extract-national", str(tmp_path / "missing.csv"), str(target)]) == 1
    assert "missing.csv" in capsys.readouterr().err
