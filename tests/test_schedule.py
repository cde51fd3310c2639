"""analysis.schedule: the monthly refresh runs the day after CDC's usual release day (second Wednesday)."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis import schedule
from analysis.__main__ import main


def days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def test_release_day_is_the_second_wednesday_of_every_month():
    for year in range(2024, 2031):
        for month in range(1, 13):
            wednesdays = [d for d in days(dt.date(year, month, 1), dt.date(year, month, 28)) if d.weekday() == 2]
            assert schedule.release_day(year, month) == wednesdays[1]


@pytest.mark.parametrize(
    "day, answer",
    [
        ("2026-12-10", True),  # Wed 9 Dec 2026 is the second Wednesday
        ("2026-12-09", False),  # the release day itself
        ("2026-12-03", False),  # the day after the first Wednesday
        ("2026-12-17", False),  # the day after the third
        ("2026-10-15", True),  # Wed 14 Oct 2026: the second Wednesday as late as it falls
        ("2026-07-09", True),  # Wed 8 Jul 2026: as early as it falls
        ("2027-01-14", True),
    ],
)
def test_day_after_release_day(day, answer):
    assert schedule.is_day_after_release_day(dt.date.fromisoformat(day)) is answer


def test_exactly_one_day_a_month_a_thursday_between_the_9th_and_the_15th():
    chosen = [d for d in days(dt.date(2025, 1, 1), dt.date(2030, 12, 31)) if schedule.is_day_after_release_day(d)]
    assert len(chosen) == 6 * 12
    assert len({(d.year, d.month) for d in chosen}) == 72
    assert all(d.weekday() == 3 and 9 <= d.day <= 15 for d in chosen)


def test_command_prints_yes_or_no(capsys):
    assert main(["release-day", "--date", "2026-12-10"]) == 0
    out, err = capsys.readouterr()
    assert out == "yes\n" and "the day after CDC's usual release day" in err and "2026-12-09" in err
    assert main(["release-day", "--date", "2026-12-11"]) == 0
    assert capsys.readouterr().out == "no\n"


def test_a_bad_date_is_refused(capsys):
    assert main(["release-day", "--date", "10 Dec 2026"]) == 1
    assert "error:" in capsys.readouterr().err
