"""The "todays" the date-sensitive tests run on: never the real date.

A suite that reads the machine's date passes on some days and fails on others (a grid that does
not show yesterday on the 1st, a week that starts today on a Monday). These are the days that
broke calendars before: a month's last day that is a Monday, both DST changes in Paris (Sundays),
29 February, and an ordinary Wednesday. 09:00 UTC is 10:00 or 11:00 in Paris.
"""

from __future__ import annotations

from datetime import UTC, datetime

ORDINARY_DAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday

TODAYS = {
    "wednesday": ORDINARY_DAY,
    "monday-month-end": datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    "dst-autumn-sunday": datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
    "dst-spring-sunday": datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
    "leap-day": datetime(2028, 2, 29, 9, 0, tzinfo=UTC),
}


def on_every_today(test):
    """Run a test once per day in TODAYS (through the `today` fixture it asks for)."""
    import pytest

    return pytest.mark.parametrize("today", list(TODAYS.values()), ids=list(TODAYS), indirect=True)(test)
