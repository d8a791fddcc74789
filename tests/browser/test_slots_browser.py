"""The slots page (edit, fill from my best times with its diff) and Add to queue, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from playwright.sync_api import expect

from publishing import queue
from publishing.models import ScheduledPost, SocialAccount
from publishing.posting_slots import WeeklySlot

from .pages import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def twitter_of(user) -> SocialAccount:
    return SocialAccount.objects.get(owner=user, platform="twitter")


def test_edit_slots_then_fill_from_best_times_and_accept_the_diff(page, alice):
    account = twitter_of(alice)
    page.click("nav >> text=Slots")
    section = page.locator(f"#account-{account.pk}")
    section.locator("input[name=day-0]").fill("9:00, 18:30")
    section.locator("input[name=day-4]").fill("12:00")
    section.locator("button:has-text('Save slots')").click()
    expect(page.locator("#flash")).to_contain_text("Posting slots of Twitter/X @demo_twitter saved.")
    section = page.locator(f"#account-{account.pk}")
    expect(section.locator("input[name=day-0]")).to_have_value("09:00, 18:30")
    assert sorted(queue.account_slots(account)) == [
        WeeklySlot(0, time(9)),
        WeeklySlot(0, time(18, 30)),
        WeeklySlot(4, time(12)),
    ]

    section.locator("select[name=per_day]").select_option("1")
    section.locator("select[name=min_gap]").select_option("240")
    section.locator("button:has-text('Fill from my best times')").click()
    proposal = page.locator(f"#account-{account.pk} .slot-proposal")
    expect(proposal).to_be_visible()
    expect(proposal.locator("li.added")).to_have_count(7)
    expect(proposal.locator("li.removed")).to_contain_text(["− Mon 09:00", "− Mon 18:30", "− Fri 12:00"])
    shoot(page, "slots-proposal")
    assert len(queue.account_slots(account)) == 3  # shown, not saved

    proposal.locator("button:has-text('Accept these slots')").click()
    expect(page.locator("#flash")).to_contain_text("saved")
    slots = queue.account_slots(account)
    assert len(slots) == 7
    assert sorted(s.weekday for s in slots) == list(range(7))
    expect(page.locator(f"#account-{account.pk} .upcoming time")).to_have_count(3)


def test_add_to_queue_in_the_dialog(page, alice):
    # The browser's "today" is Wednesday 25 Nov 2026 (tests/clock.py); Thursday 18:00 Paris is 17:00 UTC.
    queue.replace_slots(twitter_of(alice), {WeeklySlot(3, time(18)), WeeklySlot(4, time(9))})
    page.goto("/calendar/?view=week&date=2026-11-25")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=platforms][value=twitter]").check()
    dialog.locator("textarea[name=caption]").fill("Queued from the dialog")
    dialog.locator("button:has-text('Add to queue')").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#flash")).to_contain_text("Added 1 post to the queue: Twitter/X Thu 26 Nov 18:00")
    post = ScheduledPost.objects.get(owner=alice)
    assert post.scheduled_time == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    page.click("nav >> text=Queue")
    expect(page.locator(f"#queue-{post.account_id} li[data-post='{post.pk}']")).to_contain_text(
        "Queued from the dialog"
    )
