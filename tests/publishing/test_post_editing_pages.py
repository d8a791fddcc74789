"""Editing, drafting, duplicating and undoing from the pages (the dialog and the post page)."""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from publishing.models import Clip, PostEvent, ScheduledPost, SocialAccount, Status

from .page_clock import HTMX, NOW, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)
from .test_schedule_dialog import schedule

pytestmark = pytest.mark.django_db


def cross_post(browser, clip, **fields) -> dict[str, ScheduledPost]:
    response = schedule(browser, platforms=["tiktok", "youtube"], clip_id=str(clip.pk), caption="Shared", **fields)
    assert response.status_code == 200
    return {p.platform: p for p in ScheduledPost.objects.all()}


def edit(browser, post, **fields):
    """The edit dialog's form as it comes, with `fields` changed, posted back."""
    data = {
        "caption": post.caption,
        "clip_id": str(post.clip_id or ""),
        "account_id": post.account.blotato_account_id,
        "date": "2026-11-27",
        "time": "14:00",
    }
    data.update(fields)
    return browser.post(f"/calendar/posts/{post.pk}/edit", data, headers=HTMX)


def test_the_edit_dialog_opens_filled_in_with_the_post(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip, **{"options.tiktok.privacyLevel": "SELF_ONLY"})["tiktok"]
    body = browser.get(f"/calendar/posts/{tiktok.pk}/edit", headers=HTMX).content.decode()
    assert f'hx-post="/calendar/posts/{tiktok.pk}/edit"' in body
    assert 'value="2026-11-27"' in body and 'value="14:00"' in body
    assert '<option value="SELF_ONLY" selected>' in body
    assert "Apply time, caption and clip to all platforms (1 other post scheduled together)" in body
    assert 'name="options.youtube.title"' not in body  # only this post's platform
    assert ">Edit post</h2>" in body


def test_an_edit_from_the_dialog_changes_one_post(browser, alice, alice_clip):
    posts = cross_post(browser, alice_clip)
    swim = Clip.objects.create(owner=alice, title="Swim", media_url="https://cdn.example.com/swim.mp4")
    response = edit(browser, posts["tiktok"], caption="Only TikTok", clip_id=str(swim.pk), time="16:30")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "posts-changed"
    posts["tiktok"].refresh_from_db()
    assert (posts["tiktok"].caption, posts["tiktok"].clip, posts["tiktok"].scheduled_time) == (
        "Only TikTok",
        swim,
        datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
    )
    assert ScheduledPost.objects.get(pk=posts["youtube"].pk).caption == "Shared"


def test_saving_a_caption_does_not_record_a_move(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    edit(browser, tiktok, caption="New words")
    assert list(PostEvent.objects.filter(post=tiktok).values_list("message", flat=True)) == ["Caption changed."]


def test_apply_to_all_platforms_edits_the_siblings_shared_fields(browser, alice_clip):
    posts = cross_post(browser, alice_clip)
    response = edit(browser, posts["tiktok"], caption="Everyone", time="18:00", apply_to_group="1")
    assert "Saved on 2 platforms." in response.content.decode()
    for post in ScheduledPost.objects.all():
        assert (post.caption, post.scheduled_time) == ("Everyone", datetime(2026, 11, 27, 17, tzinfo=UTC))


def test_a_bad_edit_comes_back_with_the_message_and_changes_nothing(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    response = edit(browser, tiktok, caption="x" * 2201)
    assert response.status_code == 422
    assert "The caption is 2201 characters; TikTok allows at most 2200." in response.content.decode()
    past = edit(browser, tiktok, date="2026-11-20")
    assert past.status_code == 422
    assert "is in the past" in html.unescape(past.content.decode())
    tiktok.refresh_from_db()
    assert (tiktok.caption, tiktok.scheduled_time) == ("Shared", datetime(2026, 11, 27, 13, tzinfo=UTC))


def test_a_post_being_published_cannot_be_edited_from_the_dialog(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    ScheduledPost.objects.filter(pk=tiktok.pk).update(
        status=Status.PUBLISHING, claim_token=uuid.uuid4(), lease_until=NOW + timedelta(minutes=1)
    )
    response = edit(browser, tiktok, caption="During")
    assert response.status_code == 409
    assert "This post is publishing: only scheduled posts and drafts can be edited." in response.content.decode()
    assert ScheduledPost.objects.get(pk=tiktok.pk).caption == "Shared"


def test_save_as_draft_then_schedule_it_from_the_dialog(browser):
    response = schedule(browser, date="", time="", draft="1", caption="Some idea")
    assert "Saved as draft: 1 post (Twitter/X) with no time yet." in response.content.decode()
    draft = ScheduledPost.objects.get()
    assert (draft.status, draft.scheduled_time) == (Status.DRAFT, None)
    calendar = browser.get("/calendar/?view=week&date=2026-11-25").content.decode()
    assert "Unscheduled drafts" in calendar and f'id="post-{draft.pk}"' in calendar
    no_time = edit(browser, draft, date="", time="", schedule="1")
    assert "This draft has no time yet" in no_time.content.decode()
    edit(browser, draft, schedule="1")
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_time) == (Status.SCHEDULED, datetime(2026, 11, 27, 13, tzinfo=UTC))


def test_a_draft_dropped_on_a_day_is_scheduled_there_at_noon(browser):
    schedule(browser, date="", time="", draft="1")
    draft = ScheduledPost.objects.get()
    browser.post(f"/calendar/posts/{draft.pk}/move", {"scheduled_time": "2026-11-28"}, headers=HTMX)
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_time) == (Status.SCHEDULED, datetime(2026, 11, 28, 11, tzinfo=UTC))


def test_a_timed_draft_is_drawn_dashed_at_its_time_and_draggable(browser):
    schedule(browser, draft="1")
    page = browser.get("/calendar/?view=week&date=2026-11-25").content.decode()
    draft = ScheduledPost.objects.get()
    assert f'<article id="post-{draft.pk}" class="post-card status-draft' in page
    assert "Unscheduled drafts" not in page
    assert page.count('draggable="true"') == 1


def test_duplicate_opens_the_new_post_dialog_filled_in(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip, **{"options.tiktok.privacyLevel": "SELF_ONLY"})["tiktok"]
    body = browser.get(f"/calendar/posts/{tiktok.pk}/duplicate", headers=HTMX).content.decode()
    assert 'hx-post="/calendar/new"' in body
    assert 'value="tiktok" checked' in body
    assert '<option value="SELF_ONLY" selected>' in body
    assert "Duplicate of a TikTok post" in body
    copied = schedule(browser, platforms=["tiktok"], clip_id=str(alice_clip.pk), caption="Shared", date="2026-12-02")
    assert copied.status_code == 200
    assert ScheduledPost.objects.filter(caption="Shared", platform="tiktok").count() == 2


def test_the_post_page_lists_cross_posts_and_offers_edit_and_duplicate(browser, alice_clip):
    posts = cross_post(browser, alice_clip)
    ScheduledPost.objects.filter(pk=posts["youtube"].pk).update(status=Status.FAILED)
    page = browser.get(f"/calendar/posts/{posts['tiktok'].pk}/").content.decode()
    assert "Posted together" in page
    assert (
        f'<a href="/calendar/posts/{posts["youtube"].pk}/">YouTube</a>: <span class="sibling-status">Failed</span>'
        in page
    )
    assert f'href="/calendar/posts/{posts["tiktok"].pk}/edit"' in page
    assert f'href="/calendar/posts/{posts["tiktok"].pk}/duplicate"' in page


def test_the_polled_fragment_carries_the_actions(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    ScheduledPost.objects.filter(pk=tiktok.pk).update(status=Status.FAILED, last_error="The platform refused it")
    fragment = browser.get(f"/calendar/posts/{tiktok.pk}/", headers=HTMX).content.decode()
    assert fragment.lstrip().startswith("{#") is False and 'id="post-status"' in fragment
    assert f'action="/calendar/posts/{tiktok.pk}/retry"' in fragment
    assert "Publishing now." not in fragment
    assert 'hx-trigger="every 3s"' not in fragment  # settled: no more polling
    assert 'class="problem"' not in fragment  # no failure recorded in the story by this update


def test_publish_now_says_so_while_due_then_stops_polling(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    page = browser.post(f"/calendar/posts/{tiktok.pk}/publish-now", follow=True).content.decode()
    assert "Publishing now." in page and 'hx-trigger="every 3s"' in page


def test_a_missed_post_is_moved_from_its_page_to_the_exact_time_typed(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip, time="14:15")["tiktok"]
    ScheduledPost.objects.filter(pk=tiktok.pk).update(status=Status.MISSED, last_error="Not sent: late")
    assert "Move to" in browser.get(f"/calendar/posts/{tiktok.pk}/").content.decode()
    response = browser.post(f"/calendar/posts/{tiktok.pk}/move", {"scheduled_time": "2026-11-29T09:00"}, follow=True)
    assert "Moved." in response.content.decode()
    tiktok.refresh_from_db()
    assert (tiktok.status, tiktok.scheduled_time) == (Status.SCHEDULED, datetime(2026, 11, 29, 8, tzinfo=UTC))


def test_cancel_then_undo_from_the_post_page(browser, alice_clip):
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    page = browser.post(f"/calendar/posts/{tiktok.pk}/cancel", follow=True).content.decode()
    assert "Undo cancel" in page
    page = browser.post(f"/calendar/posts/{tiktok.pk}/undo-cancel", follow=True).content.decode()
    assert "Cancel undone: it is scheduled again." in page
    tiktok.refresh_from_db()
    assert tiktok.status == Status.SCHEDULED


def test_another_users_post_cannot_be_edited_or_duplicated(client, bob, alice, alice_clip):
    client.force_login(alice)
    tiktok = cross_post(client, alice_clip)["tiktok"]
    client.force_login(bob)
    assert client.get(f"/calendar/posts/{tiktok.pk}/edit").status_code == 404
    assert client.post(f"/calendar/posts/{tiktok.pk}/edit", {"caption": "bob"}).status_code == 404
    assert client.get(f"/calendar/posts/{tiktok.pk}/duplicate").status_code == 404
    assert client.post(f"/calendar/posts/{tiktok.pk}/undo-cancel").status_code == 404
    assert ScheduledPost.objects.get(pk=tiktok.pk).caption == "Shared"


def test_duplicate_to_another_account_on_the_platform(browser, alice, alice_clip):
    second = SocialAccount.objects.create(owner=alice, platform="tiktok", blotato_account_id="7007", username="alt")
    tiktok = cross_post(browser, alice_clip)["tiktok"]
    body = browser.get(f"/calendar/posts/{tiktok.pk}/duplicate", headers=HTMX).content.decode()
    assert f'<option value="{tiktok.account.blotato_account_id}" selected>' in body
    assert '<option value="7007" >@alt</option>' in body
    schedule(
        browser,
        platforms=["tiktok"],
        clip_id=str(alice_clip.pk),
        caption="Shared",
        **{"options.tiktok.account_id": "7007"},
    )
    copy = ScheduledPost.objects.exclude(group_id=tiktok.group_id).get()
    assert (copy.account, copy.options) == (second, {})
