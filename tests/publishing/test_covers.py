"""Covers chosen from the clip: ffmpeg cuts the frame from an uploaded video, the image is hosted on
Blotato like the clip, and Instagram's reel cover, YouTube's thumbnail and TikTok's cover time carry it."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.base import ContentFile

from publishing import covers, dispatch, media_hosting
from publishing.models import Clip, HostingState, ScheduledPost, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JPEG_START = b"\xff\xd8\xff"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def three_seconds_of_video(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("video") / "test.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=64x48:rate=10"]
        + ["-pix_fmt", "yuv420p", "-y", str(out)],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


@pytest.fixture
def uploaded(alice, settings, tmp_path, three_seconds_of_video) -> Clip:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Clip.objects.create(
        owner=alice,
        title="Test card",
        file=ContentFile(three_seconds_of_video, name="card.mp4"),
        content_type="video/mp4",
        duration_s=3.0,
    )


def schedule(client, platforms, clip, **fields):
    body = {
        "platforms": platforms,
        "caption": "Cover test",
        "clip_id": str(clip.pk) if clip else None,
        "publish_now": True,
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return client.post("/api/publishing/schedule", json.dumps(body), content_type="application/json")


def test_a_frame_is_cut_once_per_clip_and_instant(uploaded):
    cover = covers.cover_for(uploaded, 1.5)
    assert cover.cover_of == uploaded and cover.cover_at_s == 1.5
    assert cover.content_type == "image/jpeg"
    with cover.file.open("rb") as image:
        assert image.read(3) == JPEG_START
    assert covers.cover_for(uploaded, 1.5).pk == cover.pk
    assert covers.cover_for(uploaded, 2.0).pk != cover.pk
    assert list(Clip.objects.owned_by(uploaded.owner)) == [uploaded]  # covers are not clips to pick


def test_a_cover_from_the_clip_is_hosted_and_sent_to_each_platform_its_way(alice, alice_api, uploaded, fake_blotato):
    response = schedule(
        alice_api,
        ["instagram", "youtube", "tiktok", "facebook"],
        uploaded,
        cover_frame_s=2.5,
        options={"facebook": {"firstComment": "first!"}},
    )
    assert response.status_code == 201, response.content
    posts = {p.platform: p for p in ScheduledPost.objects.filter(owner=alice)}
    cover = Clip.objects.get(cover_of=uploaded)
    assert posts["instagram"].cover == cover and posts["youtube"].cover == cover
    assert posts["tiktok"].cover is None and posts["tiktok"].options["videoCoverTimestamp"] == 2500
    assert posts["facebook"].cover is None
    assert dispatch.claim_due_posts(at=NOW) == []  # the clip and the cover are on their way
    assert media_hosting.host(uploaded.pk) == HostingState.HOSTED
    assert sorted(p.platform for p in ScheduledPost.objects.due(NOW)) == ["facebook", "tiktok"]
    assert media_hosting.host(cover.pk) == HostingState.HOSTED
    assert dispatch.run_once() == 4
    cover.refresh_from_db()
    sent = {s["platform"]: s["target"] for s in fake_blotato.submissions()}
    assert sent["instagram"]["coverImageUrl"] == cover.media_url
    assert sent["youtube"]["thumbnailUrl"] == cover.media_url
    assert sent["tiktok"]["videoCoverTimestamp"] == 2500
    assert "coverImageUrl" not in sent["facebook"] and sent["facebook"]["firstComment"] == "first!"
    hosted = {m["content_type"] for m in fake_blotato.media().values()}
    assert hosted == {"video/mp4", "image/jpeg"}


def test_a_typed_cover_url_and_a_story_take_no_frame(alice, alice_api, uploaded):
    response = schedule(
        alice_api,
        ["instagram", "youtube"],
        uploaded,
        cover_frame_s=1,
        options={"instagram": {"mediaType": "story"}, "youtube": {"thumbnailUrl": "https://i.example.com/t.png"}},
    )
    assert response.status_code == 201
    assert not ScheduledPost.objects.filter(cover__isnull=False).exists()
    assert not Clip.objects.filter(cover_of=uploaded).exists()  # no frame cut for nobody


def test_a_refused_cover_fails_its_post_with_the_reason(alice, alice_api, uploaded, fake_blotato):
    schedule(alice_api, ["youtube"], uploaded, cover_frame_s=1)
    cover = Clip.objects.get(cover_of=uploaded)
    media_hosting.host(uploaded.pk)
    fake_blotato.set_knobs(media_max_bytes=10)
    assert media_hosting.host(cover.pk) == HostingState.FAILED
    dispatch.run_once()
    post = ScheduledPost.objects.get(owner=alice)
    assert post.status == Status.FAILED
    assert post.last_error.startswith("Not sent: its cover image could not be uploaded to Blotato. Blotato refused")
    assert fake_blotato.requests("POST", "/v2/posts") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "cover_frame_s must be a number of seconds."),
        (True, "cover_frame_s must be a number of seconds."),
        (-1, "cover_frame_s must be at least 0."),
        (3.5, "cover_frame_s (3.5 s) is past the end of the clip (3 s)."),
    ],
)
def test_bad_cover_frames_are_refused_precisely_and_write_nothing(alice_api, uploaded, value, message):
    response = schedule(alice_api, ["youtube"], uploaded, cover_frame_s=value)
    assert response.status_code == 400
    assert response.json()["error"] == message
    assert ScheduledPost.objects.count() == 0 and Clip.objects.filter(cover_of__isnull=False).count() == 0


def test_a_cover_frame_needs_an_uploaded_video(alice, alice_api, alice_clip):
    assert schedule(alice_api, ["twitter"], None, cover_frame_s=1).json()["error"] == (
        "cover_frame_s needs a clip to take the frame from."
    )
    assert (
        schedule(alice_api, ["youtube"], alice_clip, cover_frame_s=1)
        .json()["error"]
        .startswith("cover_frame_s needs an uploaded clip; for a clip given as a URL, give covers as image URLs")
    )


def test_a_frame_the_file_does_not_have_is_refused(alice, alice_api, uploaded):
    Clip.objects.filter(pk=uploaded.pk).update(duration_s=None)  # not probed: ffmpeg finds out
    response = schedule(alice_api, ["youtube"], uploaded, cover_frame_s=60)
    assert response.status_code == 400
    assert response.json()["error"] == "This clip has no frame at 60 s: pick an earlier time."
    assert ScheduledPost.objects.count() == 0


def test_the_dialog_takes_the_cover_frame_and_the_post_page_shows_it(browser, alice, uploaded):
    response = browser.post(
        "/calendar/new",
        {
            "platforms": ["youtube"],
            "caption": "Hi",
            "clip_id": str(uploaded.pk),
            "publish_now": "1",
            "cover_frame_s": "1.5",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()[:1500]
    post = ScheduledPost.objects.get(owner=alice)
    assert post.cover.cover_at_s == 1.5
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert "Cover: the clip's frame at 1.5 s (uploading)" in page
    assert "Waiting for media upload" in page


def test_calendar_cards_say_a_post_waits_for_its_media_until_it_is_hosted(
    browser, alice, alice_api, uploaded, fake_blotato
):
    schedule(alice_api, ["tiktok"], uploaded, publish_now=None, scheduled_time="2026-11-27T14:00:00Z")
    waiting = browser.get("/calendar/?view=week&date=2026-11-27").content.decode()
    assert "Scheduled, waiting for media upload" in waiting
    media_hosting.host(uploaded.pk)
    hosted = browser.get("/calendar/?view=week&date=2026-11-27").content.decode()
    assert "waiting for media upload" not in hosted and ">Scheduled</span>" in hosted
