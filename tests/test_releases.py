"""Tests for analysis.releases: CDC's release calendar, its rules, and "latest period published on a day"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import releases
from analysis.ledgers import LedgerError
from analysis.paths import project_paths

RAW = project_paths().raw / releases.RAW_FILE


@pytest.fixture(scope="module")
def calendar():
    return releases.read_releases(RAW)


def _lines() -> list[str]:
    return RAW.read_text(encoding="utf-8").splitlines(keepends=True)


def _line_of(month: str) -> int:
    return next(n for n, text in enumerate(_lines(), start=1) if text.startswith(month + ","))


def _edited(tmp_path, month: str, **fields) -> tuple:
    import csv
    import io

    lines = _lines()
    header = next(csv.reader([lines[0]]))
    line = _line_of(month)
    row = next(csv.reader([lines[line - 1]]))
    for name, value in fields.items():
        row[header.index(name)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    lines[line - 1] = buffer.getvalue()
    path = tmp_path / releases.RAW_FILE
    path.write_text("".join(lines), encoding="utf-8")
    return path, line


def _rejects(path, line, field, value, words):
    with pytest.raises(LedgerError) as caught:
        releases.read_releases(path)
    message = str(caught.value)
    assert str(path) in message and f"line {line}" in message and f"field {field!r}" in message
    assert f"value {value!r}" in message and words in message


# --- the committed file ------------------------------------------------------------------------


def test_calendar_loads_typed(calendar):
    assert len(calendar) == 35  # 2024-01 .. 2026-11, one row a month
    assert list(calendar.columns) == list(releases.COLUMNS)
    assert calendar["release_month"].iloc[0] == "2024-01" and calendar["release_month"].iloc[-1] == "2026-11"
    assert pd.api.types.is_datetime64_any_dtype(calendar["release_date"])
    assert calendar["basis"].value_counts().to_dict() == {"schedule": 28, "reported": 4, "none": 3}
    pd.testing.assert_frame_equal(releases.load_releases(), calendar)


def test_shutdown_months_have_no_release(calendar):
    none = calendar[calendar["basis"] == "none"]
    assert none["release_month"].tolist() == ["2025-10", "2025-11", "2025-12"]
    assert none["release_date"].isna().all() and none["latest_period"].isna().all()


def test_reported_releases_are_the_readmes(calendar):
    reported = calendar[calendar["basis"] == "reported"]
    assert list(zip(reported["release_date"].dt.strftime("%Y-%m-%d"), reported["latest_period"], strict=True)) == [
        ("2025-05-14", "2024-12"),
        ("2025-09-10", "2025-04"),
        ("2026-01-14", "2025-08"),
        ("2026-05-13", "2025-12"),
    ]


# --- latest_published ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, period, release_date, basis",
    [
        ("2024-01-10", "2023-08", "2024-01-10", "schedule"),  # the calendar's first release, on its day
        ("2025-05-13", "2024-11", "2025-04-09", "schedule"),  # the day before a reported release
        ("2025-05-14", "2024-12", "2025-05-14", "reported"),  # a release counts from its own day
        ("2025-09-10", "2025-04", "2025-09-10", "reported"),  # the snapshot's release
        ("2025-11-20", "2025-04", "2025-09-10", "reported"),  # shutdown: nothing newer was published
        ("2026-01-13", "2025-04", "2025-09-10", "reported"),  # the last day before the first update since
        ("2026-01-14", "2025-08", "2026-01-14", "reported"),
        ("2026-05-18", "2025-12", "2026-05-13", "reported"),  # the ledger's last claim date
        ("2026-11-30", "2026-06", "2026-11-11", "schedule"),
    ],
)
def test_latest_published(calendar, day, period, release_date, basis):
    published = releases.latest_published(calendar, day)
    assert published.period == period
    assert published.release_date == dt.date.fromisoformat(release_date)
    assert published.basis == basis
    assert published.assumed == (basis == "schedule")


def test_latest_published_accepts_dates_and_timestamps(calendar):
    expected = releases.latest_published(calendar, "2026-01-14")
    assert releases.latest_published(calendar, dt.date(2026, 1, 14)) == expected
    assert releases.latest_published(calendar, pd.Timestamp("2026-01-14 18:30")) == expected


def test_latest_published_before_the_calendar_is_none(calendar):
    assert releases.latest_published(calendar, "2024-01-09") is None


def test_latest_published_after_the_calendar_is_refused(calendar):
    with pytest.raises(ValueError, match="after the release calendar's last month"):
        releases.latest_published(calendar, "2026-12-01")


def test_latest_published_is_pure(calendar):
    before = calendar.copy()
    releases.latest_published(calendar, "2025-12-01")
    pd.testing.assert_frame_equal(calendar, before)


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "month, fields, field, value, words",
    [
        ("2025-10", {"release_date": "2025-10-08"}, "release_date", "2025-10-08", "must be blank: basis is none"),
        ("2025-10", {"latest_period": "2025-05"}, "latest_period", "2025-05", "must be blank: basis is none"),
        ("2025-05", {"release_date": ""}, "release_date", "", "is blank but basis is reported"),
        ("2024-03", {"latest_period": ""}, "latest_period", "", "is blank but basis is schedule"),
        ("2024-03", {"basis": "assumed"}, "basis", "assumed", "not one of reported, schedule, none"),
        (
            "2024-03",
            {"release_date": "2024-04-10"},
            "release_date",
            "2024-04-10",
            "is not in its release month 2024-03",
        ),
        ("2024-03", {"latest_period": "2024-03"}, "latest_period", "2024-03", "is not before its release month"),
        ("2024-03", {"latest_period": "2024-13"}, "latest_period", "2024-13", "not a valid month"),
        ("2024-03", {"latest_period": "2023-7"}, "latest_period", "2023-7", "not a month in YYYY-MM form"),
        ("2024-03", {"latest_period": "2023-07"}, "latest_period", "2023-07", "goes backwards: release 2024-02"),
        ("2024-03", {"release_month": "2024-04"}, "release_month", "2024-04", "duplicate id"),
        (
            "2024-03",
            {"source_url": "governing.com/number/27"},
            "source_url",
            "governing.com/number/27",
            "not an http(s) URL",
        ),
    ],
)
def test_calendar_rules(tmp_path, month, fields, field, value, words):
    path, line = _edited(tmp_path, month, **fields)
    if words == "duplicate id":
        line = _line_of("2024-04")  # the duplicate is named on the second occurrence
    _rejects(path, line, field, value, words)


def test_a_missing_month_is_refused(tmp_path):
    lines = _lines()
    line = _line_of("2024-06")
    del lines[line - 1]
    path = tmp_path / releases.RAW_FILE
    path.write_text("".join(lines), encoding="utf-8")
    _rejects(path, line, "release_month", "2024-07", "does not follow 2024-05")
