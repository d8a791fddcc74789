"""A weekly repeat made in the schedule dialog, seen on the calendar, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from publishing.models import ScheduledPost, Series

from .pages import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_weekly_repeat_from_the_dialog_fills_the_calendar(page, alice):
    # The server's today is Wednesday 25 Nov 2026 (tests/clock.py); alice is in Paris.
    page.goto("/calendar/?view=week&date=2026-11-30")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=platforms][value=twitter]").check()
    dialog.locator("textarea[name=caption]").fill("Three times a week")
    dialog.locator("input[name=date]").fill("2026-11-30")
    dialog.locator("input[name=time]").fill("14:00")
    dialog.locator("select[name=repeat]").select_option("weekly")
    for day in ("0", "2", "4"):  # Monday, Wednesday, Friday
        dialog.locator(f"input[name=repeat_weekdays][value='{day}']").check()
    dialog.locator("input[name=repeat_ends][value=after]").check()
    dialog.locator("input[name=repeat_count]").fill("6")
    shoot(page, "series-dialog")
    dialog.locator("button:has-text('Schedule')").first.click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#flash")).to_contain_text("Repeating every week on Mon, Wed, Fri at 14:00, 6 times")

    # The week of 30 Nov shows Monday, Wednesday and Friday, each marked as a repeat.
    cards = page.locator("#calendar-grid article.post-card.platform-twitter")
    expect(cards).to_have_count(3)
    expect(cards.locator(".repeats")).to_have_count(3)
    expect(cards.locator("time")).to_have_text(["14:00", "14:00", "14:00"])
    shoot(page, "series-week")
    series = Series.objects.get(owner=alice)
    times = list(ScheduledPost.objects.filter(series=series).values_list("scheduled_time", flat=True))
    # Created 14 days ahead: 30 Nov, 2, 4 and 7 Dec (13:00 UTC); 9 and 11 Dec come with the Beat job.
    assert times == [datetime(2026, 11, 30, 13, tzinfo=UTC)] + [
        datetime(2026, 12, d, 13, tzinfo=UTC) for d in (2, 4, 7)
    ]

    page.locator("#calendar-grid a[rel=next]").click()
    expect(page.locator("#calendar-grid article.post-card.platform-twitter")).to_have_count(1)  # Monday 7 Dec

    page.locator("#calendar-grid article.post-card.platform-twitter a").first.click()
    expect(page.locator("#series-part")).to_contain_text("Part of the series")
    expect(page.locator("#series-part")).to_contain_text("(occurrence 4)")

    page.locator("#series-part a:has-text('Edit the series')").click()
    section = page.locator(f"#series-{series.pk}")
    expect(section.locator("h2")).to_contain_text("Every week on Mon, Wed, Fri at 14:00, 6 times")
    section.locator("button:has-text('Pause')").click()
    expect(page.locator("#flash")).to_contain_text("Series paused.")
    expect(page.locator(f"#series-{series.pk} .series-state")).to_have_text("paused")
    shoot(page, "series-page")
