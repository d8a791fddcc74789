"""The options creators use (first comment, covers, YouTube privacy, reel or story): validated as the
API and the dialog take them, shown on the post page, and sent in Blotato's create body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from publishing import dispatch
from publishing.models import Clip, ScheduledPost

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def schedule(client, platforms, options, clip, **fields):
    body = {
        "platforms": platforms,
        "scheduled_time": "2026-12-27T14:00:00Z",
        "caption": "New video!",
        "clip_id": str(clip.pk) if clip else None,
        "options": options,
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return client.post("/api/publishing/schedule", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("platform", "options", "sent"),
    [
        ("instagram", {"firstComment": "#run #morning"}, {"firstComment": "#run #morning"}),
        (
            "instagram",
            {"mediaType": "reel", "coverImageUrl": "https://cdn.example.com/cover.jpg"},
            {"mediaType": "reel", "coverImageUrl": "https://cdn.example.com/cover.jpg"},
        ),
        ("instagram", {"mediaType": "story"}, {"mediaType": "story"}),
        ("facebook", {"firstComment": "Link in bio"}, {"pageId": "2001", "firstComment": "Link in bio"}),
        (
            "youtube",
            {
                "privacyStatus": "unlisted",
                "shouldNotifySubscribers": False,
                "thumbnailUrl": "https://i.example.com/t.png",
            },
            {
                "title": "Morning run",
                "privacyStatus": "unlisted",
                "shouldNotifySubscribers": False,
                "thumbnailUrl": "https://i.example.com/t.png",
            },
        ),
        ("youtube", {}, {"title": "Morning run", "privacyStatus": "public", "shouldNotifySubscribers": True}),
        ("tiktok", {"videoCoverTimestamp": 2500}, {"videoCoverTimestamp": 2500}),
    ],
)
def test_options_reach_blotatos_create_body(alice_api, alice_clip, fake_blotato, platform, options, sent):
    response = schedule(alice_api, [platform], {platform: options}, alice_clip, scheduled_time=None, publish_now=True)
    assert response.status_code == 201, response.content
    assert dispatch.run_once() == 1
    [created] = fake_blotato.submissions()
    target = {k: v for k, v in created["target"].items() if k != "targetType"}
    if platform == "tiktok":  # TikTok's required booleans and privacy come along
        target = {k: v for k, v in target.items() if k == "videoCoverTimestamp"}
    assert target == sent
    assert created["media_urls"] == [alice_clip.media_url]


@pytest.mark.parametrize(
    ("platform", "options", "message"),
    [
        (
            "instagram",
            {"firstComment": "x" * 2201},
            "options.instagram.firstComment is longer than 2200 characters.",
        ),
        (
            "facebook",
            {"firstComment": "x" * 8001},
            "options.facebook.firstComment is longer than 8000 characters.",
        ),
        (
            "instagram",
            {"mediaType": "story", "firstComment": "hi"},
            "options.instagram.firstComment is not allowed for stories (mediaType story): "
            "Blotato takes it for reels and posts only.",
        ),
        (
            "facebook",
            {"mediaType": "story", "firstComment": "hi"},
            "options.facebook.firstComment is not allowed for stories (mediaType story): "
            "Blotato takes it for reels and posts only.",
        ),
        (
            "instagram",
            {"mediaType": "story", "coverImageUrl": "https://cdn.example.com/c.jpg"},
            "options.instagram.coverImageUrl is not allowed for stories (mediaType story): "
            "Blotato takes it for reels and posts only.",
        ),
        ("instagram", {"firstComment": 5}, "options.instagram.firstComment must be a string."),
        ("instagram", {"mediaType": "carousel"}, "options.instagram.mediaType must be one of reel, story."),
        (
            "instagram",
            {"coverImageUrl": "http://cdn.example.com/c.jpg"},
            "options.instagram.coverImageUrl must be an https:// URL.",
        ),
        (
            "youtube",
            {"thumbnailUrl": "https://192.168.1.2/t.png"},
            "options.youtube.thumbnailUrl must point at a public host, not a private, loopback or internal address.",
        ),
        (
            "youtube",
            {"privacyStatus": "hidden"},
            "options.youtube.privacyStatus must be one of private, public, unlisted.",
        ),
        (
            "youtube",
            {"shouldNotifySubscribers": "yes"},
            "options.youtube.shouldNotifySubscribers must be true or false.",
        ),
        ("tiktok", {"videoCoverTimestamp": -1}, "options.tiktok.videoCoverTimestamp must be at least 0."),
        ("tiktok", {"videoCoverTimestamp": 1.5}, "options.tiktok.videoCoverTimestamp must be a whole number."),
        ("tiktok", {"videoCoverTimestamp": True}, "options.tiktok.videoCoverTimestamp must be a whole number."),
        (
            "tiktok",
            {"videoCoverTimestamp": 30001},
            "options.tiktok.videoCoverTimestamp (30001 ms) is past the end of the clip (30 s).",
        ),
    ],
)
def test_bad_options_are_refused_precisely_and_write_nothing(alice, alice_api, platform, options, message):
    clip = Clip.objects.create(owner=alice, title="Run", media_url="https://cdn.example.com/r.mp4", duration_s=30)
    response = schedule(alice_api, [platform], {platform: options}, clip)
    assert response.status_code == 400
    assert response.json()["error"] == message
    assert ScheduledPost.objects.count() == 0


def test_a_cover_frame_needs_a_clip_and_fits_one_of_unknown_length(alice, alice_api):
    refused = schedule(alice_api, ["twitter"], {}, None)
    assert refused.status_code == 201  # the baseline: a text post is fine
    clip = Clip.objects.create(owner=alice, title="Run", media_url="https://cdn.example.com/r.mp4")
    assert schedule(alice_api, ["tiktok"], {"tiktok": {"videoCoverTimestamp": 999_000}}, clip).status_code == 201


def test_editing_to_a_shorter_clip_checks_the_cover_frame(alice, alice_api, alice_clip):
    created = schedule(alice_api, ["tiktok"], {"tiktok": {"videoCoverTimestamp": 9000}}, alice_clip).json()
    short = Clip.objects.create(owner=alice, title="Short", media_url="https://cdn.example.com/s.mp4", duration_s=5)
    post_id = created["posts"][0]["id"]
    response = alice_api.patch(
        f"/api/publishing/calendar/{post_id}", json.dumps({"clip_id": str(short.pk)}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "options.tiktok.videoCoverTimestamp (9000 ms) is past the end of the clip (5 s)."


def dialog(browser, **fields):
    data = {"caption": "Hello", "date": "2026-11-27", "time": "14:00"}
    data.update(fields)
    return browser.post("/calendar/new", data, headers=HTMX)


def test_the_dialog_offers_the_options_with_their_defaults(browser, alice_clip):
    body = browser.get("/calendar/new?date=2026-11-27", headers=HTMX).content.decode()
    for name in [
        "options.instagram.firstComment",
        "options.instagram.coverImageUrl",
        "options.facebook.firstComment",
        "options.youtube.thumbnailUrl",
    ]:
        assert f'name="{name}"' in body
    assert '<input type="number" name="options.tiktok.videoCoverTimestamp"' in body
    assert 'name="options.youtube.shouldNotifySubscribers"' in body
    assert '<option value="true" selected>Yes</option>' in body  # notify subscribers: on by default
    assert '<option value="public" selected>Public</option>' in body


def test_the_dialog_turns_seconds_into_ms_and_yes_no_into_booleans(browser, alice, alice_clip):
    response = dialog(
        browser,
        platforms=["tiktok", "youtube", "instagram"],
        clip_id=str(alice_clip.pk),
        **{
            "options.tiktok.videoCoverTimestamp": "2.5",
            "options.youtube.shouldNotifySubscribers": "false",
            "options.instagram.firstComment": "#run",
            "options.instagram.mediaType": "reel",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    posts = {p.platform: p.options for p in ScheduledPost.objects.filter(owner=alice)}
    assert posts["tiktok"] == {"videoCoverTimestamp": 2500}
    assert posts["youtube"]["shouldNotifySubscribers"] is False
    assert posts["instagram"] == {"mediaType": "reel", "firstComment": "#run"}
    edit = browser.get(f"/calendar/posts/{ScheduledPost.objects.get(platform='tiktok').pk}/edit", headers=HTMX)
    assert 'value="2.5"' in edit.content.decode()  # shown back in seconds


def test_the_dialog_says_what_is_wrong_with_a_cover_frame(browser, alice_clip):
    response = dialog(
        browser, platforms=["tiktok"], clip_id=str(alice_clip.pk), **{"options.tiktok.videoCoverTimestamp": "soon"}
    )
    assert response.status_code == 422
    assert "Cover frame (seconds into the video) must be a number of seconds." in response.content.decode()
    assert ScheduledPost.objects.count() == 0


def test_the_post_page_lists_the_options_and_their_defaults(browser, alice, alice_api, alice_clip):
    created = schedule(alice_api, ["youtube", "instagram"], {"instagram": {"firstComment": "#run"}}, alice_clip).json()
    ids = {p["platform"]: p["id"] for p in created["posts"]}
    youtube = browser.get(f"/calendar/posts/{ids['youtube']}/").content.decode()
    assert "<dt>Visibility</dt><dd>public (default)</dd>" in youtube
    assert "<dt>Notify subscribers</dt><dd>yes (default)</dd>" in youtube
    instagram = browser.get(f"/calendar/posts/{ids['instagram']}/").content.decode()
    assert "<dt>Post as</dt><dd>reel (default)</dd>" in instagram
    assert "<dt>First comment</dt><dd>#run</dd>" in instagram
