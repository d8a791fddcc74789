"""Hosting uploaded clips on Blotato (media_hosting.py) against the fake over HTTP, in this process.

The same job through real worker processes is in test_media_hosting_workers.py.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from publishing import dispatch, lifecycle, media_hosting, transitions
from publishing.lifecycle import PostPlan
from publishing.models import Clip, HostingState, Notification, NotificationKind, ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db(transaction=True)

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(owner, data: bytes = VIDEO, name: str = "run.mp4", content_type: str = "video/mp4") -> Clip:
    return Clip.objects.create(
        owner=owner,
        title="Uploaded run",
        file=ContentFile(data, name=name),
        content_type=content_type,
        size_bytes=len(data),
    )


def schedule(owner, clip, platform="tiktok", at=None, options=None) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform=platform)
    _, [post] = lifecycle.schedule_posts(
        owner,
        plans=[PostPlan(platform, account, options or {})],
        clip=clip,
        caption="Uploaded from my laptop",
        scheduled_time=at or timezone.now(),
    )
    return post


def reload(row):
    return type(row).objects.get(pk=row.pk)


def test_two_claimers_racing_for_one_clip_one_wins(alice):
    clip = upload(alice)
    start = threading.Barrier(2)
    tokens = []

    def claimer():
        start.wait()
        tokens.append(media_hosting.claim(clip.pk, at=timezone.now()))
        connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([t for t in tokens if t]) == 1
    assert reload(clip).hosting_state == HostingState.HOSTING
    assert reload(clip).hosting_attempts == 1


def test_a_claim_is_taken_over_only_once_its_lease_has_run_out(alice, settings):
    clip = upload(alice)
    now = timezone.now()
    assert media_hosting.claim(clip.pk, at=now)
    assert media_hosting.claim(clip.pk, at=now + timedelta(seconds=settings.MEDIA_HOSTING_LEASE_SECONDS - 1)) is None
    later = now + timedelta(seconds=settings.MEDIA_HOSTING_LEASE_SECONDS + 1)
    assert media_hosting.claim(clip.pk, at=later)
    assert reload(clip).hosting_attempts == 2


def test_a_clip_typed_as_a_url_is_never_claimed_nor_waited_for(alice, alice_clip, fake_blotato):
    assert media_hosting.claim(alice_clip.pk, at=timezone.now()) is None
    post = schedule(alice, alice_clip)
    assert not reload(post).waits_for_media
    assert [pk for pk, _ in dispatch.claim_due_posts(at=timezone.now())] == [post.pk]


def test_an_uploaded_clip_is_hosted_once_as_a_data_uri_and_its_url_kept(alice, fake_blotato):
    clip = upload(alice)
    assert media_hosting.host(clip.pk) == HostingState.HOSTED
    clip = reload(clip)
    assert clip.media_url.startswith(fake_blotato.url + "/media/") and clip.media_url.endswith(".mp4")
    assert clip.hosting_state == HostingState.HOSTED and clip.hosted_at is not None
    [sent] = fake_blotato.requests("POST", "/v2/media")
    assert sent["body"]["url"].startswith("data:video/mp4;base64,")
    [hosted] = fake_blotato.media().values()
    assert hosted == {"bytes": len(VIDEO), "content_type": "video/mp4", "source": "data"}
    assert media_hosting.host(clip.pk) is None  # hosted: nothing is sent again
    assert len(fake_blotato.requests("POST", "/v2/media")) == 1


def test_a_post_due_before_its_media_is_hosted_waits_then_goes_with_the_hosted_url(alice, fake_blotato):
    clip = upload(alice)
    post = schedule(alice, clip)
    now = timezone.now()
    assert reload(post).waits_for_media
    assert dispatch.hint_due_posts(at=now) == []
    assert dispatch.claim_due_posts(at=now) == []
    assert transitions.claim(post.pk, at=now) is None
    assert media_hosting.clips_to_host(at=now) == [clip.pk]

    assert media_hosting.host(clip.pk) == HostingState.HOSTED
    assert media_hosting.due_posts_of(clip.pk) == [post.pk]
    assert dispatch.run_once() == 1
    assert reload(post).status == Status.SUBMITTED
    [created] = fake_blotato.submissions()
    assert created["media_urls"] == [reload(clip).media_url]
    assert media_hosting.clips_to_host(at=timezone.now()) == []


def test_only_clips_a_scheduled_post_waits_for_are_swept(alice, fake_blotato):
    lonely = upload(alice, name="lonely.mp4")
    wanted = upload(alice, name="wanted.mp4")
    account = SocialAccount.objects.get(owner=alice, platform="tiktok")
    lifecycle.schedule_posts(
        alice, plans=[PostPlan("tiktok", account)], clip=lonely, caption="d", scheduled_time=None, draft=True
    )
    schedule(alice, wanted, at=timezone.now() + timedelta(days=3))
    assert media_hosting.clips_to_host(at=timezone.now()) == [wanted.pk]


def test_a_5xx_is_tried_again_after_a_backoff_and_a_second_hosted_copy_is_harmless(alice, fake_blotato):
    fake_blotato.inject("accept_then_500", route="POST /media")
    clip = upload(alice)
    post = schedule(alice, clip)
    assert media_hosting.host(clip.pk) == HostingState.WAITING
    waiting = reload(clip)
    assert waiting.hosting_error == "Blotato did not confirm the upload: An unknown error occurred."
    assert waiting.hosting_next_attempt_at is not None and waiting.media_url == ""
    assert dispatch.claim_due_posts(at=timezone.now()) == []  # the post still waits
    retry_at = waiting.hosting_next_attempt_at
    assert media_hosting.claim(clip.pk, at=retry_at - timedelta(microseconds=1)) is None

    Clip.objects.filter(pk=clip.pk).update(hosting_next_attempt_at=timezone.now())
    assert media_hosting.host(clip.pk) == HostingState.HOSTED
    assert len(fake_blotato.media()) == 2  # the first copy stays on Blotato's storage, unused
    dispatch.run_once()
    assert reload(post).status == Status.SUBMITTED
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 1


def test_a_429_waits_at_least_as_long_as_retry_after_says(alice, fake_blotato):
    fake_blotato.inject("rate_limit", route="POST /media", retry_after=120)
    clip = upload(alice)
    before = timezone.now()
    assert media_hosting.host(clip.pk) == HostingState.WAITING
    clip = reload(clip)
    assert clip.hosting_next_attempt_at >= before + timedelta(seconds=120)
    assert clip.hosting_error.startswith("Rate limited by Blotato: Rate limit exceeded")


def test_a_refused_upload_fails_the_clip_notifies_and_its_post_fails_with_the_reason_unsent(alice, fake_blotato):
    fake_blotato.set_knobs(media_max_bytes=100)
    clip = upload(alice)
    post = schedule(alice, clip)
    assert media_hosting.host(clip.pk) == HostingState.FAILED
    clip = reload(clip)
    assert clip.hosting_error == (
        f"Blotato refused the media (HTTP 422): body.url: media must NOT be larger than 100 bytes (got {len(VIDEO)})"
    )
    notice = Notification.objects.get(user=alice, kind=NotificationKind.MEDIA_FAILED)
    assert "“Uploaded run” could not be uploaded to Blotato" in notice.message
    assert not reload(post).waits_for_media
    assert media_hosting.due_posts_of(clip.pk) == [post.pk]  # hinted at once, to fail now
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.FAILED
    assert post.last_error == (
        "Not sent: its media could not be uploaded to Blotato. Blotato refused the media (HTTP 422): "
        f"body.url: media must NOT be larger than 100 bytes (got {len(VIDEO)})"
    )
    assert fake_blotato.requests("POST", "/v2/posts") == []
    assert Notification.objects.filter(user=alice, kind=NotificationKind.POST_FAILED).count() == 1


def test_scheduling_a_failed_clip_again_gives_its_hosting_a_fresh_start(alice, fake_blotato):
    fake_blotato.set_knobs(media_max_bytes=100)
    clip = upload(alice)
    schedule(alice, clip, at=timezone.now() + timedelta(hours=1))
    media_hosting.host(clip.pk)
    assert reload(clip).hosting_state == HostingState.FAILED
    fake_blotato.set_knobs(media_max_bytes=10_000_000)
    schedule(alice, reload(clip), at=timezone.now() + timedelta(hours=2))
    assert reload(clip).hosting_state == HostingState.WAITING and reload(clip).hosting_attempts == 0
    assert media_hosting.host(clip.pk) == HostingState.HOSTED


def test_a_file_over_the_hosting_maximum_fails_without_a_request(alice, fake_blotato, settings):
    settings.MEDIA_HOSTING_MAX_BYTES = 1000
    clip = upload(alice)
    assert media_hosting.host(clip.pk) == HostingState.FAILED
    assert reload(clip).hosting_error == (
        "The file (0 MB) is too large for Blotato hosting; use a public URL (at most 0 MB)."
    )
    assert fake_blotato.requests("POST", "/v2/media") == []


def test_a_file_over_the_inline_limit_goes_through_a_presigned_upload(alice, fake_blotato, settings):
    settings.MEDIA_HOSTING_INLINE_MAX_BYTES = 1000
    clip = upload(alice)
    post = schedule(alice, clip)
    assert media_hosting.host(clip.pk) == HostingState.HOSTED
    clip = reload(clip)
    assert fake_blotato.uploads() == {clip.media_url: len(VIDEO)}
    assert clip.media_url.endswith(".mp4")
    assert [r["body"] for r in fake_blotato.requests("POST", "/v2/media/uploads")] == [
        {"filename": clip.file.name.rsplit("/", 1)[1]}
    ]
    assert fake_blotato.requests("POST", "/v2/media") == []
    dispatch.run_once()
    assert reload(post).status == Status.SUBMITTED  # the fake takes its own upload as media


def test_a_file_missing_from_storage_fails_with_a_clear_reason(alice, fake_blotato):
    clip = upload(alice)
    clip.file.storage.delete(clip.file.name)
    assert media_hosting.host(clip.pk) == HostingState.FAILED
    assert reload(clip).hosting_error == "The uploaded file is missing from storage: upload it again."


def test_a_refused_key_fails_the_clip_and_says_so_once(alice, fake_blotato, settings):
    settings.BLOTATO_API_KEY = "blt_not_a_key"
    clip = upload(alice)
    assert media_hosting.host(clip.pk) == HostingState.FAILED
    assert reload(clip).hosting_error.startswith("Blotato rejected the API key (HTTP 401)")
    assert Notification.objects.filter(user=alice, kind=NotificationKind.KEY_REFUSED).count() == 1


def test_hosting_gives_up_after_its_attempts(alice, fake_blotato, settings):
    settings.MEDIA_HOSTING_MAX_ATTEMPTS = 2
    fake_blotato.inject("status", route="POST /media", status=503, times=-1)
    clip = upload(alice)
    assert media_hosting.host(clip.pk) == HostingState.WAITING
    Clip.objects.filter(pk=clip.pk).update(hosting_next_attempt_at=timezone.now())
    assert media_hosting.host(clip.pk) == HostingState.FAILED
    assert reload(clip).hosting_error == "Gave up after 2 attempts: Blotato did not confirm the upload: HTTP 503"
