"""Pausing publishing from the settings page, and rescheduling what the pause made missed, in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import ScheduledPost, SocialAccount, Status

from .pages import ARTIFACTS, PARIS

pytestmark = pytest.mark.django_db(transaction=True)


def post_due(owner, minutes_ago: int, caption: str) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    return ScheduledPost.objects.create(
        owner=owner,
        platform="twitter",
        account=account,
        caption=caption,
        scheduled_time=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_pause_resume_and_reschedule_everything_the_pause_made_missed(page, alice):
    page.goto("/settings/")
    indicator = page.locator("header .paused-indicator")
    expect(indicator).to_have_count(0)

    page.click("button:has-text('Pause all publishing')")
    expect(page.locator("#flash")).to_contain_text("Publishing paused")
    expect(indicator).to_have_text("Publishing paused")
    expect(page.locator("#pause-publishing")).to_contain_text("None of your posts are sent until you resume.")

    # Posts that fell due while paused: two far past the 30-minute grace, one still within it.
    stale = [post_due(alice, 50, "Stale teaser"), post_due(alice, 40, "Stale recap")]
    fresh = post_due(alice, 5, "Fresh news")

    page.goto("/calendar/")
    expect(indicator).to_be_visible()  # every page says it
    indicator.click()
    page.wait_for_url("**/settings/#pause-publishing")

    page.click("button:has-text('Resume publishing')")
    expect(page.locator("#flash")).to_contain_text("2 post(s) were later than your grace period")
    expect(indicator).to_have_count(0)
    rows = page.locator("#missed-while-paused tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Stale teaser")
    in_paris = timezone.localtime(stale[0].scheduled_time, PARIS).strftime("%H:%M")
    expect(rows.nth(0)).to_contain_text(in_paris)  # in alice's zone, not the server's
    expect(rows.nth(1)).to_contain_text("Stale recap")
    assert ScheduledPost.objects.get(pk=fresh.pk).status == Status.SCHEDULED  # within grace: it goes out
    ARTIFACTS.mkdir(exist_ok=True)  # the README's picture of this section (docs/screenshots/)
    page.locator("#pause-publishing").screenshot(path=str(ARTIFACTS / "settings-pause.png"))

    before = timezone.now()
    page.select_option("select[name=hours]", "2")
    page.click("button:has-text('Reschedule all 2')")
    expect(page.locator("#flash")).to_contain_text("Rescheduled 2 post(s) over the next 2 h.")
    expect(page.locator("#missed-while-paused")).to_have_count(0)

    moved = list(ScheduledPost.objects.filter(pk__in=[p.pk for p in stale]).order_by("scheduled_time"))
    assert [p.caption for p in moved] == ["Stale teaser", "Stale recap"]
    assert {p.status for p in moved} == {Status.SCHEDULED}
    assert moved[1].scheduled_time - moved[0].scheduled_time == timedelta(hours=1)
    assert before + timedelta(minutes=4) <= moved[0].scheduled_time <= timezone.now() + timedelta(minutes=5)
