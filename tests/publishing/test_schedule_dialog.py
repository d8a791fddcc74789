"""The schedule dialog: the form, clip search, optimal-time chips, errors beside fields, success."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from publishing.models import Clip, ScheduledPost

from .page_clock import HTMX, NOW, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

pytestmark = pytest.mark.django_db


def schedule(browser, **fields):
    data = {"platforms": ["twitter"], "caption": "Hello", "date": "2026-11-27", "time": "14:00", "clip_id": ""}
    data.update(fields)
    return browser.post("/calendar/new", data, headers=HTMX)


def test_the_dialog_lists_platforms_clips_and_options(browser, alice_clip):
    body = browser.get("/calendar/new?date=2026-11-27", headers=HTMX).content.decode()
    assert body.lstrip().startswith("<form")
    assert 'value="2026-11-27"' in body
    assert "Morning run" in body
    for label in ["Instagram", "TikTok", "YouTube", "Facebook", "Twitter/X", "Pinterest"]:
        assert label in body
    assert 'name="options.tiktok.privacyLevel"' in body
    assert 'name="options.youtube.title"' in body
    assert 'name="options.facebook.pageId" value="2001"' in body
    assert 'name="options.pinterest.boardId" value="3001"' in body
    assert 'data-limit="280"' in body  # the caption counter's limit for Twitter/X


def test_the_full_page_works_without_htmx(browser):
    page = browser.get("/calendar/new").content.decode()
    assert "<html" in page and 'id="schedule-form"' in page


def test_a_platform_without_an_account_cannot_be_chosen(client, db):
    from tests.conftest import make_user

    loner = make_user("loner", "UTC")
    client.force_login(loner)
    body = client.get("/calendar/new", headers=HTMX).content.decode()
    assert body.count('disabled title="No connected') == 9


def test_scheduling_creates_one_post_per_platform_and_tells_the_calendar(browser, alice, alice_clip):
    response = schedule(
        browser,
        platforms=["tiktok", "youtube"],
        clip_id=str(alice_clip.pk),
        **{"options.tiktok.privacyLevel": "SELF_ONLY", "options.youtube.title": "My run"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "posts-changed"
    posts = {p.platform: p for p in ScheduledPost.objects.filter(owner=alice)}
    assert set(posts) == {"tiktok", "youtube"}
    assert posts["tiktok"].scheduled_time == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 14:00 Paris
    assert posts["tiktok"].options == {"privacyLevel": "SELF_ONLY"}
    assert posts["youtube"].options == {"title": "My run"}
    assert posts["tiktok"].group_id == posts["youtube"].group_id
    assert "Scheduled 2 posts (TikTok, YouTube) for Fri 27 Nov 2026, 14:00." in response.content.decode()


def test_publish_now_schedules_for_now(browser, alice):
    response = schedule(browser, publish_now="1", date="", time="")
    assert response.status_code == 200
    post = ScheduledPost.objects.get(owner=alice)
    assert post.scheduled_time == NOW


def test_without_htmx_success_redirects_to_the_week(browser, alice):
    response = browser.post(
        "/calendar/new", {"platforms": ["twitter"], "caption": "Hi", "date": "2026-11-27", "time": "14:00"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?view=week&date=2026-11-27"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"platforms": []}, "platforms", "platforms must be a non-empty list"),
        ({"date": "2026-11-20"}, "scheduled_time", "is in the past"),
        ({"time": ""}, "scheduled_time", "Pick both a date and a time"),
        ({"date": "2026-03-29", "time": "02:30"}, "scheduled_time", "scheduled_time"),
        ({"caption": "x" * 281}, "caption", "The caption is 281 characters; Twitter/X allows at most 280."),
        ({"caption": "", "clip_id": ""}, "caption", "Nothing to post"),
        ({"platforms": ["instagram"]}, "clip_id", "Instagram needs media"),
        ({"platforms": ["mastodon"]}, "platforms", "Unknown platform 'mastodon'"),
        ({"platforms": ["tiktok"], "options.tiktok.privacyLevel": "EVERYONE"}, "options", "must be one of"),
        ({"platforms": ["facebook"], "options.facebook.pageId": ""}, "", ""),  # the account's Page is used
    ],
)
def test_refusals_come_back_beside_their_field_and_write_nothing(browser, alice, alice_clip, fields, field, message):
    if fields.get("platforms") in (["tiktok"],):
        fields = {**fields, "clip_id": str(alice_clip.pk)}
    response = schedule(browser, **fields)
    if not message:
        assert response.status_code == 200
        return
    body = html.unescape(response.content.decode())
    assert response.status_code == 422
    assert body.lstrip().startswith("<form")
    assert message in body
    assert 'class="field-error"' in body
    assert ScheduledPost.objects.count() == 0
    # The error sits in the fieldset of its field.
    section = {"platforms": "platforms", "scheduled_time": "when", "caption": "caption-field", "clip_id": "clip-picker"}
    if field in section:
        fieldset = body.split(f'class="{section[field]}"', 1)[1].split("</fieldset>", 1)[0]
        assert message in fieldset
    # What was typed is kept.
    assert "checked" in body or not fields.get("platforms")


def test_another_users_clip_is_a_404(browser, bob_clip):
    response = schedule(browser, platforms=["tiktok"], clip_id=str(bob_clip.pk))
    assert response.status_code == 404
    assert ScheduledPost.objects.count() == 0


def test_the_clip_picker_searches_titles_and_keeps_the_chosen_clip(browser, alice, alice_clip):
    other = Clip.objects.create(owner=alice, title="Cooking pasta", media_url="https://cdn.example.com/p.mp4")
    body = browser.get("/calendar/new/clips", {"clip_q": "pasta", "clip_id": str(alice_clip.pk)}).content.decode()
    assert "Cooking pasta" in body and str(other.pk) in body
    assert "Morning run" in body  # chosen, so still listed
    assert f'value="{alice_clip.pk}" checked' in body
    assert "No clip matches" in browser.get("/calendar/new/clips", {"clip_q": "zzz"}).content.decode()


def test_the_clip_picker_never_lists_other_users_clips(browser, bob_clip):
    body = browser.get("/calendar/new/clips", {"clip_q": "cat", "clip_id": str(bob_clip.pk)}).content.decode()
    assert "Bob's cat" not in body


def test_time_chips_come_from_the_engine_for_each_platform(browser):
    body = browser.get("/calendar/new/times", {"date": "2026-11-27", "platforms": ["instagram", "tiktok"]})
    body = body.content.decode()
    # No history: the defaults (Instagram 11, 14, 17, 20 Tue–Sat; TikTok 9, 12, 19, 21).
    assert "Instagram" in body and "TikTok" in body
    assert 'data-fill-time="11:00"' in body or 'data-fill-time="14:00"' in body
    assert "Use optimal time" in body
    assert "no posts of yours yet: Instagram defaults" in body


def test_time_chips_skip_hours_taken_and_hours_past(browser, alice):
    account = alice.social_accounts.get(platform="twitter")
    taken = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    ScheduledPost.objects.create(owner=alice, platform="twitter", account=account, caption="x", scheduled_time=taken)
    body = browser.get("/calendar/new/times", {"date": "2026-11-25", "platforms": ["twitter"]}).content.decode()
    chips = [part.split('"')[0] for part in body.split('class="chip" data-fill-time="')[1:]]
    assert chips and all(chip > "10:00" for chip in chips)  # 10:00 Paris is now
    assert "17:00" not in chips  # Twitter/X has a post at 17:00 Paris


def test_time_chips_for_a_past_date_say_so(browser):
    body = browser.get("/calendar/new/times", {"date": "2026-11-01", "platforms": ["twitter"]}).content.decode()
    assert "That date has passed." in body


def test_the_dialog_requires_login(client):
    assert client.get("/calendar/new").status_code == 302
    assert client.post("/calendar/new", {}).status_code == 302
    assert client.get("/calendar/new/times").status_code == 302
