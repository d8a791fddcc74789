"""Editing, drafts, duplicates, missed posts, live actions and undo in a real headless Chromium."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import ScheduledPost, SocialAccount, Status
from tests.clock import on_every_today

from .pages import PARIS, local_day, post_on, shoot

pytestmark = pytest.mark.django_db(transaction=True)

POLL_BOUND_MS = 15_000  # the post page polls every 3 s; a liveness bound, not a timing check


def draft_without_time(owner, caption="Idea for later") -> ScheduledPost:
    return ScheduledPost.objects.create(
        owner=owner,
        platform="twitter",
        account=SocialAccount.objects.get(owner=owner, platform="twitter"),
        caption=caption,
        scheduled_time=None,
        status=Status.DRAFT,
    )


def test_edit_a_post_from_the_calendar_dialog(page, alice):
    day = local_day(3)
    post = post_on(alice, day, caption="First words")
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    page.locator(f"#post-{post.pk} button.edit").click()
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#schedule-dialog-title")).to_have_text("Edit post")
    expect(dialog.locator("textarea[name=caption]")).to_have_value("First words")
    dialog.locator("textarea[name=caption]").fill("x" * 281)
    dialog.locator("button:has-text('Save changes')").click()
    expect(dialog.locator(".field-error")).to_have_text("The caption is 281 characters; Twitter/X allows at most 280.")
    dialog.locator("textarea[name=caption]").fill("Better words")
    dialog.locator("input[name=time]").fill("16:45")
    shoot(page, "edit-dialog")
    dialog.locator("button:has-text('Save changes')").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f'td[data-slot="{day.isoformat()}T16:00"] #post-{post.pk}')).to_contain_text("Better words")
    post.refresh_from_db()
    assert (post.caption, post.scheduled_time) == ("Better words", datetime.combine(day, time(16, 45), PARIS))


def test_edit_a_post_from_its_page(page, alice):
    post = post_on(alice, local_day(4), caption="Typo heer")
    page.goto(f"/calendar/posts/{post.pk}/")
    page.click("a:has-text('Edit')")
    page.fill("textarea[name=caption]", "Typo here")
    page.click("button:has-text('Save changes')")
    page.wait_for_url(f"**/calendar/posts/{post.pk}/")
    expect(page.locator("blockquote.caption")).to_have_text("Typo here")
    expect(page.locator(".story")).to_contain_text("Caption changed.")
    post.refresh_from_db()
    assert post.caption == "Typo here"


@on_every_today
def test_drag_a_draft_from_the_tray_onto_the_calendar(page, alice):
    draft = draft_without_time(alice)
    target = local_day(2)
    page.goto(f"/calendar/?view=month&date={target.isoformat()}")
    tray_card = page.locator(f".unscheduled #post-{draft.pk}")
    expect(tray_card).to_have_class("post-card status-draft platform-twitter")
    shoot(page, "calendar-drafts")
    tray_card.drag_to(page.locator(f'td[data-slot="{target.isoformat()}"]'))
    expect(page.locator(f'td[data-slot="{target.isoformat()}"] #post-{draft.pk}')).to_contain_text("Scheduled")
    expect(page.locator(".unscheduled")).to_have_count(0)
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_time) == (Status.SCHEDULED, datetime.combine(target, time(12), PARIS))


def test_save_as_draft_from_the_dialog_shows_it_dashed_at_its_time(page, alice):
    day = local_day(3)
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    page.click("text=New post")
    dialog = page.locator("#schedule-dialog")
    dialog.locator("input[name=platforms][value=twitter]").check()
    dialog.locator("textarea[name=caption]").fill("Maybe this")
    dialog.locator("input[name=time]").fill("09:30")
    dialog.locator("button:has-text('Save as draft')").click()
    expect(dialog).to_be_hidden()
    card = page.locator(f'td[data-slot="{day.isoformat()}T09:00"] .post-card.status-draft')
    expect(card).to_contain_text("Draft")
    post = ScheduledPost.objects.get(owner=alice)
    assert (post.status, post.scheduled_time) == (Status.DRAFT, datetime.combine(day, time(9, 30), PARIS))


def test_duplicate_a_post_from_its_calendar_card_to_another_day(page, alice):
    day, other = local_day(3), local_day(4)
    post = post_on(alice, day, caption="Worth saying twice")
    page.goto(f"/calendar/?view=week&date={day.isoformat()}")
    page.locator(f"#post-{post.pk} button.duplicate").click()
    dialog = page.locator("#schedule-dialog")
    expect(dialog.locator("#schedule-dialog-title")).to_have_text("Duplicate of a Twitter/X post")
    expect(dialog.locator("input[name=platforms][value=twitter]")).to_be_checked()
    dialog.locator("input[name=platforms][value=bluesky]").check()
    dialog.locator("input[name=date]").fill(other.isoformat())
    dialog.locator("button[type=submit]:has-text('Schedule')").click()
    expect(dialog).to_be_hidden()
    copies = ScheduledPost.objects.filter(caption="Worth saying twice").exclude(pk=post.pk).order_by("platform")
    assert [(c.platform, c.scheduled_time, c.status) for c in copies] == [
        ("bluesky", datetime.combine(other, time(14, 15), PARIS), Status.SCHEDULED),
        ("twitter", datetime.combine(other, time(14, 15), PARIS), Status.SCHEDULED),
    ]
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == datetime.combine(day, time(14, 15), PARIS)


def test_duplicate_from_the_post_page(page, alice):
    post = post_on(alice, local_day(2), caption="Again please")
    page.goto(f"/calendar/posts/{post.pk}/")
    page.click("a:has-text('Duplicate')")
    page.click("button[type=submit]:has-text('Schedule')")
    page.wait_for_url("**/calendar/?view=week*")
    assert ScheduledPost.objects.filter(caption="Again please").count() == 2


def test_a_missed_post_is_moved_from_its_page(page, alice):
    missed = post_on(alice, local_day(-1), caption="Missed it")
    ScheduledPost.objects.filter(pk=missed.pk).update(status=Status.MISSED, last_error="Not sent: late")
    page.goto(f"/calendar/posts/{missed.pk}/")
    target = datetime.combine(local_day(2), time(11, 0), PARIS)
    page.fill("input[name=scheduled_time]", target.strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('Move')")
    expect(page.locator(".post-status .state")).to_contain_text("Scheduled")
    missed.refresh_from_db()
    assert (missed.status, missed.scheduled_time) == (Status.SCHEDULED, target)


def test_a_missed_post_is_dragged_to_a_new_day(page, alice):
    yesterday, tomorrow = local_day(-1), local_day(1)
    missed = post_on(alice, yesterday, caption="Missed it")
    ScheduledPost.objects.filter(pk=missed.pk).update(status=Status.MISSED)
    page.goto(f"/calendar/?view=agenda&date={yesterday.isoformat()}")
    post_on(alice, tomorrow, caption="Tomorrow's post")  # gives the agenda a cell for tomorrow
    page.reload()
    page.locator(f"#post-{missed.pk}").drag_to(page.locator(f'li[data-slot="{tomorrow.isoformat()}"]'))
    expect(page.locator(f'li[data-slot="{tomorrow.isoformat()}"] #post-{missed.pk}')).to_be_visible()
    missed.refresh_from_db()
    assert (missed.status, missed.scheduled_time) == (Status.SCHEDULED, datetime.combine(tomorrow, time(14, 15), PARIS))


def test_the_retry_button_appears_live_when_the_post_fails(page, alice):
    post = post_on(alice, local_day(0), hour=0, minute=0)
    ScheduledPost.objects.filter(pk=post.pk).update(
        status=Status.PUBLISHING, claim_token=uuid.uuid4(), lease_until=timezone.now() + timedelta(minutes=5)
    )
    page.goto(f"/calendar/posts/{post.pk}/")
    expect(page.locator(".settling")).to_have_text("Publishing now.")
    expect(page.locator("button:has-text('Publish now')")).to_have_count(0)
    # The worker's answer arrives while the page is open: Blotato refused the post.
    from publishing import transitions

    assert transitions.fail(post.pk, "Blotato refused the post (HTTP 422): bad media")
    expect(page.locator("button:has-text('Publish now')")).to_be_visible(timeout=POLL_BOUND_MS)
    expect(page.locator(".settling")).to_have_count(0)
    expect(page.locator(".story li.problem")).to_contain_text("Blotato refused the post (HTTP 422): bad media")
    shoot(page, "post-failed-live")
    page.click("button:has-text('Publish now')")
    expect(page.locator(".post-status .state")).to_contain_text("Scheduled")


def test_cancel_then_undo(page, alice):
    post = post_on(alice, local_day(5))
    page.goto(f"/calendar/posts/{post.pk}/")
    page.click("text=Cancel post")
    expect(page.locator(".post-status .state")).to_contain_text("Cancelled")
    page.click("button:has-text('Undo cancel')")
    expect(page.locator("#flash")).to_contain_text("Cancel undone: it is scheduled again.")
    expect(page.locator(".post-status .state")).to_contain_text("Scheduled")
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED
