"""When the monthly refresh runs: the day after CDC's usual release day.

NCHS usually publishes the VSRR provisional overdose counts on the second Wednesday of the month
(the dates vary; ``../shared/data/cdc/releases.csv`` lists past ones). The scheduled workflow
``.github/workflows/refresh.yml`` runs on days 9 to 15 of every month (the Thursday after the
second Wednesday always falls on one of them; cron cannot name that Thursday, and a cron line that
restricts both the day of the month and the day of the week fires when *either* matches) and goes
on only when :func:`is_day_after_release_day` says so: ``python -m analysis release-day`` prints
``yes`` or ``no``.

Standard library only, so the workflow can ask before it installs anything.
"""

from __future__ import annotations

import datetime as dt

WEDNESDAY = 2  # date.weekday()


def release_day(year: int, month: int) -> dt.date:
    """The second Wednesday of ``month``: CDC's usual release day."""
    first = dt.date(year, month, 1)
    first_wednesday = first + dt.timedelta(days=(WEDNESDAY - first.weekday()) % 7)
    return first_wednesday + dt.timedelta(days=7)


def is_day_after_release_day(day: dt.date) -> bool:
    """Whether yesterday was the second Wednesday of its month."""
    yesterday = day - dt.timedelta(days=1)
    return yesterday == release_day(yesterday.year, yesterday.month)


def today_utc() -> dt.date:
    """Today's date in UTC (the workflow's cron runs in UTC)."""
    return dt.datetime.now(dt.UTC).date()
