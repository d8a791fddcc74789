"""The calendar's "Move…" picker (any local time, a drop's refusals) and the caching of pages and fragments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from publishing.models import Clip, ScheduledPost, SocialAccount, Status

from .page_clock import HTMX, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

pytestmark = pytest.mark.django_db


def make_post(owner, when: datetime | None, status=Status.SCHEDULED) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    return ScheduledPost.objects.create(
        owner=owner, platform="twitter", account=account, caption="Launch day", scheduled_time=when, status=status
    )


def pick(client, post, value: str, **extra):
    fields = {"scheduled_time": value, "picked": "1", "view": "week", "date": "2026-12-01", **extra}
    return client.post(f"/calendar/posts/{post.pk}/move", fields, headers=HTMX)


def test_a_picked_time_is_taken_as_it_is_in_the_users_zone(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    response = pick(browser, post, "2026-12-04T09:40")
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 4, 8, 40, tzinfo=UTC)  # 09:40 in Paris
    assert f'id="post-{post.pk}"' in response.content.decode()  # the week redrawn with it


def test_without_the_picker_a_drop_still_names_only_a_cell(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-04T09:40"}, headers=HTMX)
    assert response.status_code == 422
    assert "A post is dropped on a day or an hour of the calendar." in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 3, 13, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-20T10:00", "That time has passed; pick a time in the future."),
        ("2028-01-05T10:00", "That is more than a year ahead; pick a time within 366 days."),
        ("2027-03-28T02:30", "2027-03-28 02:30 does not exist in Europe/Paris"),
        ("next tuesday", "is not an ISO 8601 date-time"),
    ],
)
def test_a_picked_time_meets_the_same_refusals_as_a_drop(browser, alice, value, message):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    response = pick(browser, post, value)
    assert response.status_code == 422
    assert message in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 3, 13, 15, tzinfo=UTC)


def test_a_published_post_cannot_be_moved_by_the_picker(browser, alice):
    post = make_post(alice, datetime(2026, 11, 20, 13, 15, tzinfo=UTC), status=Status.PUBLISHED)
    response = pick(browser, post, "2026-12-04T09:40")
    assert response.status_code == 409
    assert "This post is published and can no longer be moved." in response.content.decode()


def test_a_draft_without_a_time_is_scheduled_by_the_picker(browser, alice):
    draft = make_post(alice, None, status=Status.DRAFT)
    assert pick(browser, draft, "2026-12-04T09:40").status_code == 200
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_time) == (Status.SCHEDULED, datetime(2026, 12, 4, 8, 40, tzinfo=UTC))


def test_another_users_post_is_404_to_the_picker(client, alice, bob):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    client.force_login(bob)
    assert pick(client, post, "2026-12-04T09:40").status_code == 404


def test_movable_cards_carry_move_with_their_time_and_a_name(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    make_post(alice, datetime(2026, 11, 20, 13, 15, tzinfo=UTC), status=Status.PUBLISHED)
    page = browser.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert page.count("card-action move") == 1  # the published post has none
    assert f'data-picker-url="/calendar/posts/{post.pk}/move" data-current="2026-12-03T14:15"' in page
    assert 'aria-label="Move the Twitter/X post, 3 Dec 14:15"' in page
    assert 'aria-label="Twitter/X, 14:15, Scheduled"' in page


def test_a_fragment_is_never_stored_and_pages_vary_on_hx_request(browser):
    page = browser.get("/calendar/?view=month&date=2026-12-01")
    fragment = browser.get("/calendar/?view=month&date=2026-12-01", headers=HTMX)
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]
    assert fragment["Cache-Control"] == "no-store"
    assert "no-store" not in page.get("Cache-Control", "")
    assert "<header" in page.content.decode() and '<header class="top"' not in fragment.content.decode()


def test_the_dialog_tells_the_preview_where_each_platform_folds(browser):
    form = browser.get("/calendar/new", headers=HTMX).content.decode()
    assert 'value="instagram"' in form and 'data-fold="125"' in form
    assert 'value="twitter"' in form and 'data-fold=""' in form  # X shows the whole post
    assert 'class="platform-preview"' in form


def test_the_clip_picker_hands_the_preview_a_clips_own_thumbnail(browser, alice):
    pictured = Clip.objects.create(
        owner=alice, title="With a picture", media_url="https://cdn.example.com/a.mp4", thumbnail="t/a.jpg"
    )
    Clip.objects.create(owner=alice, title="Without", media_url="https://cdn.example.com/b.mp4")
    choices = browser.get("/calendar/new/clips", headers=HTMX).content.decode()
    assert choices.count("data-thumbnail=") == 1
    # Served to its owner by our own view (uploads are never a public directory).
    assert f'data-thumbnail="/api/clips/{pictured.pk}/thumbnail.jpg"' in choices
