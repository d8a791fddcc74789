"""The calendar on the days that break calendars (tests/clock.py): today is where it should be."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.clock import TODAYS

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(params=list(TODAYS.values()), ids=list(TODAYS))
def today(request):
    """Asked for before `browser`, so the login happens on the same day as the test."""
    with time_machine.travel(request.param, tick=False):
        yield request.param.astimezone(PARIS).date()


def marked_today(page: str) -> set[str]:
    return set(re.findall(r'data-slot="(\d{4}-\d\d-\d\d)(?:T\d\d:00)?" class="[^"]*\btoday\b', page))


@pytest.mark.parametrize("view", ["month", "week", "day"])
def test_the_calendar_opens_on_today_and_marks_it(today, browser, view):
    page = browser.get(f"/calendar/?view={view}").content.decode()
    assert marked_today(page) == {today.isoformat()}


@pytest.mark.parametrize("view, step", [("week", 7), ("day", 1)])
def test_previous_and_next_are_one_step_from_today(today, browser, view, step):
    page = browser.get(f"/calendar/?view={view}").content.decode()
    previous = re.search(r'href="[^"]*date=(\d{4}-\d\d-\d\d)[^"]*" [^>]*rel="prev"', page).group(1)
    following = re.search(r'href="[^"]*date=(\d{4}-\d\d-\d\d)[^"]*" [^>]*rel="next"', page).group(1)
    start = today - timedelta(days=today.weekday()) if view == "week" else today  # weeks start on Monday
    assert previous == (start - timedelta(days=step)).isoformat()
    assert following == (start + timedelta(days=step)).isoformat()


def test_the_month_grid_holds_today_and_its_neighbours_in_the_month(today, browser):
    page = browser.get("/calendar/?view=month").content.decode()
    slots = re.findall(r'<td data-slot="(\d{4}-\d\d-\d\d)"', page)
    assert len(slots) % 7 == 0
    assert slots[0] <= today.replace(day=1).isoformat()
    assert today.isoformat() in slots
