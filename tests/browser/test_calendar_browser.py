"""The calendar in a real headless Chromium (Debian's package, driven by Playwright).

Any JavaScript error or console error fails the test (see conftest.py). Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from publishing.models import Status
from tests.clock import on_every_today

from .pages import PARIS, local_day, post_on, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@on_every_today
def test_drag_a_post_to_another_day_in_the_month_view(page, alice):
    start, target = local_day(7), local_day(9)
    post = post_on(alice, start)
    page.goto(f"/calendar/?view=month&date={start.isoformat()}")
    shoot(page, "calendar-month")
    page.locator(f"#post-{post.pk}").drag_to(page.locator(f'td[data-slot="{target.isoformat()}"]'))
    expect(page.locator(f'td[data-slot="{target.isoformat()}"] #post-{post.pk}')).to_be_visible()
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(target, time(14, 15), PARIS)


@on_every_today
def test_drag_a_post_to_another_hour_in_the_week_view(page, alice):
    day = local_day(7)
    post = post_on(alice, day)
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    slot = f"{day.isoformat()}T18:00"
    page.locator(f"#post-{post.pk}").drag_to(page.locator(f'td[data-slot="{slot}"]'))
    shoot(page, "calendar-week")
    expect(page.locator(f'td[data-slot="{slot}"] #post-{post.pk}')).to_be_visible()
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(day, time(18, 15), PARIS)


@on_every_today
def test_a_refused_drag_snaps_back_with_a_message(page, alice):
    today = local_day(0)
    post = post_on(alice, today, hour=23)  # later today: in the week view that shows today
    page.goto(f"/calendar/?view=week&date={today.isoformat()}")
    earlier_today = page.locator(f'td[data-slot="{today.isoformat()}T08:00"]')  # 08:15 has passed at 10:00
    page.locator(f"#post-{post.pk}").drag_to(earlier_today)
    expect(page.locator(".problem")).to_have_text("That time has passed; pick a time in the future.")
    expect(page.locator(f'td[data-slot="{today.isoformat()}T23:00"] #post-{post.pk}')).to_be_visible()
    post.refresh_from_db()
    assert post.scheduled_time == datetime.combine(today, time(23, 15), PARIS)


def test_cancel_from_the_post_page(page, alice):
    post = post_on(alice, local_day(5))
    page.goto(f"/calendar/posts/{post.pk}/")
    shoot(page, "post-detail")
    page.click("text=Cancel post")
    expect(page.locator(".post-status .state")).to_contain_text("Cancelled")
    post.refresh_from_db()
    assert post.status == Status.CANCELLED


@on_every_today
def test_filter_search_switch_views_and_use_back_and_forward(page, alice):
    day = local_day(7)
    post_on(alice, day, caption="Black friday deals")
    post_on(alice, day, hour=16, caption="Something else")
    page.goto(f"/calendar/?view=month&date={day.isoformat()}")
    expect(page.locator(".count")).to_have_text("2 posts")
    page.fill("input[name=q]", "friday")
    expect(page.locator(".count")).to_have_text("1 post")
    assert "q=friday" in page.url
    page.click("nav.views >> text=Week")
    expect(page.locator("nav.views [aria-current]")).to_have_text("Week")
    this_week = page.locator("h1").inner_text()
    page.click("text=Next ›")
    expect(page.locator("h1")).not_to_have_text(this_week)
    week_after = page.locator("h1").inner_text()
    page.go_back()
    expect(page.locator("h1")).to_have_text(this_week)
    expect(page.locator("nav.views [aria-current]")).to_have_text("Week")
    expect(page.locator(".count")).to_have_text("1 post")  # the search survives navigation
    page.go_forward()
    expect(page.locator("h1")).to_have_text(week_after)
    page.reload()
    expect(page.locator("h1")).to_have_text(week_after)


def test_the_analytics_page_renders(page):
    page.goto("/analytics/instagram/")
    expect(page.locator("#heatmap rect")).to_have_count(7 * 24)
    shoot(page, "analytics")
