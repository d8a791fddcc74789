"""What platforms refuse of a clip: warnings in the dialog and the API, a 422 only when certain.

Clips here carry the facts an upload would have found (duration, dimensions, size, type); the
figures per platform are in platforms.MEDIA_LIMITS (docs/media.md gives their sources).
"""

from __future__ import annotations

import html

import pytest
from django.core.files.base import ContentFile

from publishing.models import Clip, ScheduledPost
from publishing.platforms import MEDIA_LIMITS, Platform, media_warnings

from .page_clock import HTMX, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

pytestmark = pytest.mark.django_db


def video(owner, *, seconds: float, width=1080, height=1920, size=10 * 1024**2, title="Clip") -> Clip:
    return Clip.objects.create(
        owner=owner,
        title=title,
        content_type="video/mp4",
        duration_s=seconds,
        width=width,
        height=height,
        size_bytes=size,
        content_hash=f"{title}-{seconds}-{width}",
    )


def image(owner, *, width=1080, height=1080, content_type="image/png", size=200_000, title="Photo") -> Clip:
    return Clip.objects.create(
        owner=owner,
        title=title,
        content_type=content_type,
        width=width,
        height=height,
        size_bytes=size,
        content_hash=f"{title}-{width}x{height}",
    )


def messages(clip, platform, options=None) -> list[str]:
    return [w.message for w in media_warnings(clip, platform, options)]


def test_every_platform_has_limits_for_images_and_videos():
    assert set(MEDIA_LIMITS) == set(Platform.values)
    assert all(set(kinds) == {"image", "video"} for kinds in MEDIA_LIMITS.values())


def test_a_video_too_long_for_a_platform_names_the_platform_and_its_limit(alice):
    clip = video(alice, seconds=200)
    assert messages(clip, "twitter") == ["Twitter/X: this video is 3:20 long; the longest it takes is 2:20."]
    assert messages(clip, "tiktok") == []
    assert messages(clip, "bluesky")[0].startswith("Bluesky: this video is 3:20 long; the longest it takes is 3:00.")


def test_a_video_too_short_and_a_reel_too_long(alice):
    assert messages(video(alice, seconds=2), "tiktok") == [
        "TikTok: this video is 2.0 s long; the shortest it takes is 3 s. Best: 9:16 vertical."
    ]
    clip = video(alice, seconds=120, title="Two minutes")
    assert messages(clip, "facebook") == []  # a Page video
    assert messages(clip, "facebook", {"mediaType": "reel"}) == [
        "Facebook: this video is 2:00 long; the longest it takes is 1:30. Best: 9:16 vertical."
    ]
    assert "the longest it takes is 1:00" in messages(clip, "instagram", {"mediaType": "story"})[0]


def test_aspect_ratio_size_and_type_limits(alice):
    wide = image(alice, width=3000, height=1000)  # 3:1
    assert messages(wide, "instagram") == [
        "Instagram: this image is 3000×1000; it takes 4:5 to 1.91:1 (width to height)."
    ]
    tall_video = video(alice, seconds=30, width=400, height=1600)  # 1:4
    assert "it takes 1:3 to 3:1" in messages(tall_video, "twitter")[0]
    big = image(alice, size=6 * 1024**2, title="Big")
    assert messages(big, "twitter") == ["Twitter/X: this image is 6 MB; the largest it takes is 5 MB."]
    assert messages(image(alice, title="Png"), "tiktok") == ["TikTok: it takes JPEG or WEBP images, and this is PNG."]


def test_an_image_on_youtube_is_a_certain_refusal(alice):
    [warning] = media_warnings(image(alice), "youtube")
    assert warning.certain and warning.message == "YouTube takes only videos; “Photo” is an image."


def test_a_clip_without_facts_gets_no_warning(alice):
    clip = Clip.objects.create(owner=alice, title="Link", media_url="https://cdn.example.com/a.mp4")
    assert all(messages(clip, platform) == [] for platform in Platform.values)


def test_the_api_schedules_with_warnings_and_refuses_what_is_certain(alice_api, alice):
    clip = video(alice, seconds=200)
    response = alice_api.post(
        "/api/publishing/schedule",
        {"clip_id": str(clip.pk), "platforms": ["twitter", "tiktok"], "scheduled_time": "2026-11-27T10:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        {
            "platform": "twitter",
            "message": "Twitter/X: this video is 3:20 long; the longest it takes is 2:20.",
            "certain": False,
        }
    ]
    photo = image(alice)
    refused = alice_api.post(
        "/api/publishing/schedule",
        {"clip_id": str(photo.pk), "platforms": ["instagram", "youtube"], "scheduled_time": "2026-11-27T10:00:00Z"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "YouTube takes only videos; “Photo” is an image.",
        "details": {"clip_id": "refused by youtube"},
    }
    assert ScheduledPost.objects.filter(clip=photo).count() == 0  # not even the Instagram one


def test_the_dialog_warns_about_the_chosen_clip_on_the_chosen_platforms(browser, alice):
    clip = video(alice, seconds=200, title="Long run")
    body = browser.get(
        f"/calendar/new/media-check?clip_id={clip.pk}&platforms=twitter&platforms=tiktok", headers=HTMX
    ).content.decode()
    assert "May be refused: Twitter/X: this video is 3:20 long; the longest it takes is 2:20." in html.unescape(body)
    assert "TikTok" not in body
    assert browser.get("/calendar/new/media-check?platforms=twitter", headers=HTMX).content.decode().strip() == ""


def test_the_dialog_refuses_an_image_for_youtube_beside_the_clip(browser, alice):
    photo = image(alice)
    data = {"platforms": ["youtube"], "caption": "Hi", "date": "2026-11-27", "time": "14:00", "clip_id": str(photo.pk)}
    response = browser.post("/calendar/new", data, headers=HTMX)
    assert response.status_code == 422
    assert "YouTube takes only videos; “Photo” is an image." in html.unescape(response.content.decode())
    assert not ScheduledPost.objects.exists()


def test_the_dialogs_clip_picker_shows_thumbnail_and_facts(browser, alice):
    clip = video(alice, seconds=75, title="Picked")
    clip.thumbnail.save("t.jpg", ContentFile(b"a jpeg"))
    body = browser.get("/calendar/new", headers=HTMX).content.decode()
    assert f'src="/api/clips/{clip.pk}/thumbnail.jpg"' in body
    assert "video · 1:15 · 1080×1920 (9:16) · 10 MB" in body
    assert 'id="media-warnings"' in body


def test_the_post_page_and_the_day_and_agenda_cards_show_the_clips_thumbnail(browser, alice):
    clip = video(alice, seconds=12, title="Shown")
    clip.thumbnail.save("t.jpg", ContentFile(b"a jpeg"))
    data = {"platforms": ["tiktok"], "caption": "Hi", "date": "2026-11-27", "time": "14:00", "clip_id": str(clip.pk)}
    assert browser.post("/calendar/new", data, headers=HTMX).status_code == 200
    post = ScheduledPost.objects.get(clip=clip)
    thumbnail = f'src="/api/clips/{clip.pk}/thumbnail.jpg"'
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert thumbnail in page and "Shown · video · 0:12 · 1080×1920 (9:16) · 10 MB" in page
    for view in ("day", "agenda"):
        assert thumbnail in browser.get(f"/calendar/?view={view}&date=2026-11-27").content.decode()
    assert thumbnail not in browser.get("/calendar/?view=month&date=2026-11-27").content.decode()  # no room
