"""The CDC loader: both schemas, old releases, every guard, and errors that say where."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from analysis import cdc
from helpers import ROOT, VINTAGES

SNAPSHOT = ROOT / "data" / "raw" / "cdc_vsrr.csv"
HEADER = SNAPSHOT.read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return cdc.load_national()


def export_rows() -> list[dict[str, str]]:
    with open(SNAPSHOT, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def export_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def api_records(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Export rows as the resource API returns them: snake_case, no separators, empties omitted."""
    records = []
    for row in rows:
        record = {}
        for header, value in row.items():
            field = cdc.EXPORT_TO_API[header]
            if value == "":
                continue
            if field in ("data_value", "predicted_value"):
                value = value.replace(",", "")
            record[field] = value
        records.append(record)
    return records


# --- the snapshot ---------------------------------------------------------------------------


def test_snapshot_shape(national):
    assert len(national) == 1488
    assert list(national.columns) == cdc.TIDY_COLUMNS
    assert set(national["indicator"]) == set(cdc.INDICATOR_BY_KEY)
    assert national["period_end"].min() == "2015-01"
    assert national["period_end"].max() == "2025-04"
    assert national.groupby("indicator").size().eq(124).all()


def test_snapshot_known_values(national):
    assert cdc.value_at(national, "all_drugs", "2023-12", "reported") == 106881
    assert cdc.value_at(national, "all_drugs", "2023-12", "predicted") == 108550
    assert cdc.value_at(national, "synthetic_opioids", "2023-12", "reported") == 74091
    assert cdc.value_at(national, "synthetic_opioids", "2023-12", "predicted") == 75219
    assert cdc.value_at(national, "all_drugs", "2025-04", "predicted") == 76516


def test_percent_indicator_is_kept_apart(national):
    rows = national[national["indicator"] == "percent_with_drugs_specified"]
    assert rows["reported"].isna().all() and rows["predicted"].isna().all()
    latest = rows[rows["period_end"] == "2025-04"]["reported_percent"].iloc[0]
    assert latest == pytest.approx(96.03609716)


def test_empty_values_stay_missing(national):
    raw_empty = sum(1 for row in export_rows() if row["Predicted Value"] == "")
    assert raw_empty == 248  # Number of Deaths and Percent with drugs specified, 124 months each
    assert national["predicted"].isna().sum() == raw_empty
    rows = export_rows()
    rows[0]["Data Value"] = ""
    table = cdc.read_cdc_text(export_text(rows), source="suppressed.csv")
    first = table[(table["indicator"] == "cocaine") & (table["period_end"] == "2015-01")]
    assert first["reported"].isna().all()


def test_byte_order_mark_is_accepted():
    text = SNAPSHOT.read_bytes()
    with_bom = cdc.read_cdc_text(b"\xef\xbb\xbf" + text, source="bom.csv")
    without = cdc.read_cdc_text(text, source="plain.csv")
    pd.testing.assert_frame_equal(with_bom, without)


def test_api_csv_and_json_give_the_same_table():
    rows = export_rows()
    from_export = cdc.sort_tidy(cdc.read_cdc_text(export_text(rows), source="export.csv"))
    records = api_records(rows)
    from_json = cdc.sort_tidy(cdc.tidy_from_records(json.loads(json.dumps(records)), source="api.json"))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(cdc.API_FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    from_api_csv = cdc.sort_tidy(cdc.read_cdc_text(out.getvalue(), source="api.csv"))
    pd.testing.assert_frame_equal(from_export, from_json)
    pd.testing.assert_frame_equal(from_export, from_api_csv)


# --- older releases (reference data beside the project) ------------------------------------


def vintage(name: str):
    path = VINTAGES / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the older CDC releases live in ../shared/data/cdc/vintages/")
    return cdc.read_cdc_csv(path)


def test_2018_release_without_predicted_or_symbol():
    table = vintage("vsrr_all_2018-04.csv")
    assert len(table) == 8778
    assert table["predicted"].isna().all() and table["footnote_symbol"].isna().all()
    assert cdc.value_at(table, "all_drugs", "2017-09", "reported") == 67944


@pytest.mark.parametrize(
    "name, rows, latest", [("vsrr_all_2019-06.csv", 13320, "2018-09"), ("vsrr_all_2019-07.csv", 13912, "2018-11")]
)
def test_2019_releases(name, rows, latest):
    table = vintage(name)
    assert len(table) == rows
    assert cdc.latest_period(table) == latest
    # The revision the vintages README documents: 67,944 first published, 70,599 later.
    assert cdc.value_at(table, "all_drugs", "2017-09", "reported") == 70599
    assert table["jurisdiction"].nunique() == 53


# --- errors that name the place ----------------------------------------------------------------


def bad(rows: list[dict[str, str]], index: int, field: str, value: str) -> str:
    rows[index][field] = value
    return export_text(rows)


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("Data Value", "n/a", "line 11, field data_value: not a number: 'n/a'"),
        ("Predicted Value", "12x", "line 11, field predicted_value: not a number"),
        ("Data Value", "-5", "line 11, field data_value: a death count must be a whole number"),
        ("Data Value", "12.5", "line 11, field data_value: a death count must be a whole number"),
        ("Month", "Smarch", "line 11, field month: not a month name: 'Smarch'"),
        ("Indicator", "Kratom", "line 11, field indicator: unknown indicator: 'Kratom'"),
        ("Period", "Calendar year", "line 11, field period"),
        ("Percent Complete", "180", "line 11, field percent_complete: a percentage must be 0-100"),
        ("Year", "20x5", "line 11, field year: not a number"),
        ("State", "", "line 11, field state: required value is empty"),
    ],
)
def test_bad_value_is_named(field, value, expected):
    text = bad(export_rows(), 9, field, value)
    with pytest.raises(cdc.CDCSchemaError) as error:
        cdc.read_cdc_text(text, source="broken.csv")
    assert str(error.value).startswith("broken.csv, ")
    assert expected in str(error.value)


def test_line_numbers_count_quoted_newlines():
    rows = export_rows()
    rows[2]["Footnote"] = "two\nlines"
    rows[9]["Data Value"] = "oops"
    with pytest.raises(cdc.CDCSchemaError, match="line 12, field data_value"):
        cdc.read_cdc_text(export_text(rows), source="multiline.csv")


def test_percent_indicator_rules():
    rows = export_rows()
    index = next(i for i, row in enumerate(rows) if row["Indicator"] == "Percent with drugs specified")
    with pytest.raises(cdc.CDCSchemaError, match="is a percentage"):
        cdc.read_cdc_text(bad(export_rows(), index, "Data Value", "101"), source="p.csv")
    with pytest.raises(cdc.CDCSchemaError, match="has no predicted value"):
        cdc.read_cdc_text(bad(export_rows(), index, "Predicted Value", "97"), source="p.csv")


def test_all_cause_has_no_predicted_value():
    rows = export_rows()
    index = next(i for i, row in enumerate(rows) if row["Indicator"] == "Number of Deaths")
    with pytest.raises(cdc.CDCSchemaError, match=r"'Number of Deaths' \(all causes\) has no predicted"):
        cdc.read_cdc_text(bad(rows, index, "Predicted Value", "3,000,000"), source="a.csv")


def test_duplicate_rows_name_both_lines():
    rows = export_rows()
    rows.insert(20, dict(rows[4]))
    with pytest.raises(cdc.CDCSchemaError) as error:
        cdc.read_cdc_text(export_text(rows), source="dup.csv")
    assert "duplicate rows" in str(error.value)
    assert "line 6; line 22" in str(error.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "empty file"),
        (HEADER + "\n", "no data rows"),
        ("<!DOCTYPE html><html><body>Service unavailable</body></html>", "HTML page"),
        (HEADER.replace("Data Value", "Deaths") + "\n", "unknown column(s) 'Deaths'"),
        (HEADER.replace(",Percent Complete", "") + "\n", "missing required column(s): percent_complete"),
        (HEADER + ",State\n", "column(s) given twice: state"),
    ],
)
def test_bad_files(text, expected):
    with pytest.raises(cdc.CDCSchemaError) as error:
        cdc.read_cdc_text(text, source="f.csv")
    assert expected in str(error.value)


def test_body_cut_off_mid_row():
    text = SNAPSHOT.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    with pytest.raises(cdc.CDCSchemaError, match="does not end with a newline"):
        cdc.read_cdc_text(cut, source="cut.csv")


def test_record_errors_name_the_record():
    records = api_records(export_rows()[:5])
    records[3]["data_value"] = "lots"
    with pytest.raises(cdc.CDCSchemaError, match="api, record 4, field data_value: not a number: 'lots'"):
        cdc.tidy_from_records(records, source="api")
    records = api_records(export_rows()[:5])
    records[1]["deaths"] = "1"
    with pytest.raises(cdc.CDCSchemaError, match="record 2: unknown field"):
        cdc.tidy_from_records(records, source="api")
    with pytest.raises(cdc.CDCSchemaError, match="no data rows"):
        cdc.tidy_from_records([], source="api")


# --- guards --------------------------------------------------------------------------------------


def test_summing_drug_classes_is_refused(national):
    with pytest.raises(cdc.CDCRuleError, match="drug classes overlap"):
        cdc.sum_indicators(national, ["synthetic_opioids", "cocaine"])
    with pytest.raises(cdc.CDCRuleError, match="12 month-ending"):
        cdc.sum_months(national)


def test_deaths_refuses_percent_and_all_cause(national):
    with pytest.raises(cdc.CDCRuleError, match="is a percentage"):
        cdc.deaths(national, "percent_with_drugs_specified")
    with pytest.raises(cdc.CDCRuleError, match="all causes"):
        cdc.deaths(national, "all_cause_deaths", "reported")
    all_cause = cdc.deaths(national, "all_cause_deaths", "reported", allow_all_cause=True)
    assert all_cause.loc["2023-12"] > 3_000_000
    with pytest.raises(cdc.CDCRuleError, match="measure must be"):
        cdc.deaths(national, "all_drugs", "average")
    with pytest.raises(cdc.CDCRuleError, match="unknown indicator key 'fentanyl'"):
        cdc.deaths(national, "fentanyl")


def test_deaths_series_is_ordered_and_keeps_gaps(national):
    series = cdc.deaths(national, "all_drugs", "predicted")
    assert list(series.index) == sorted(series.index)
    assert series.index[0] == "2015-01" and len(series) == 124
    all_cause = cdc.deaths(national, "all_cause_deaths", "predicted", allow_all_cause=True)
    assert all_cause.isna().all()


def test_check_tidy_catches_broken_tables(national):
    broken = national.copy()
    broken.loc[broken["indicator"] == "percent_with_drugs_specified", "reported"] = 96
    with pytest.raises(cdc.CDCRuleError, match="is a percentage"):
        cdc.check_tidy(broken)
    broken = national.copy()
    broken.loc[broken["indicator"] == "all_cause_deaths", "predicted"] = 1
    with pytest.raises(cdc.CDCRuleError, match="all causes"):
        cdc.check_tidy(broken)
    with pytest.raises(cdc.CDCRuleError, match="duplicate"):
        cdc.check_tidy(pd.concat([national, national.head(1)]))
    with pytest.raises(cdc.CDCRuleError, match="missing column"):
        cdc.check_tidy(national.drop(columns="footnote"))


def test_calendar_years_are_december_values(national):
    years = cdc.calendar_years(national)
    assert list(years.columns) == ["year", "indicator", "reported", "predicted"]
    assert sorted(years["year"].unique()) == list(range(2015, 2025))  # 2025 has no December yet
    row = years[(years["year"] == 2023) & (years["indicator"] == "all_drugs")].iloc[0]
    assert (row["reported"], row["predicted"]) == (106881, 108550)
    assert "percent_with_drugs_specified" not in set(years["indicator"])
    december = cdc.deaths(national, "all_drugs", "reported").loc["2022-12"]
    row = years[(years["year"] == 2022) & (years["indicator"] == "all_drugs")].iloc[0]
    assert row["reported"] == december


def test_value_at_unknown_period(national):
    with pytest.raises(KeyError, match="2025-12 is not in the data"):
        cdc.value_at(national, "all_drugs", "2025-12")
