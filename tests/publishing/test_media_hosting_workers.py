"""Uploaded clips through real Celery worker and beat processes, PostgreSQL, Redis and the fake Blotato:
the file is hosted before its posts go, a lost upload answer is tried again, a refusal fails the posts.

Counts and states only, never durations.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from publishing import lifecycle
from publishing.lifecycle import PostPlan
from publishing.models import SETTLED, Clip, HostingState, ScheduledPost, SocialAccount, Status
from tests.conftest import TEST_KEY
from tests.processes import wait_until, watched_processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def celery_processes(tmp_path, fake_blotato, media_root):
    with watched_processes(tmp_path, fake_blotato.url, TEST_KEY, MEDIA_ROOT=str(media_root)) as processes:
        yield processes


def upload(owner) -> Clip:
    return Clip.objects.create(
        owner=owner, title="Laptop clip", file=ContentFile(VIDEO, name="laptop.mp4"), content_type="video/mp4"
    )


def schedule_now(owner, clip, plans: dict[str, dict]) -> list[ScheduledPost]:
    """Due at once: by construction, before anything could host the clip."""
    accounts = {a.platform: a for a in SocialAccount.objects.filter(owner=owner, platform__in=plans)}
    _, posts = lifecycle.schedule_posts(
        owner,
        plans=[PostPlan(platform, accounts[platform], options) for platform, options in plans.items()],
        clip=clip,
        caption="Straight from my laptop",
        scheduled_time=timezone.now(),
    )
    return posts


def settled(posts) -> bool:
    return not ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).exclude(status__in=SETTLED).exists()


def describe(posts, clip):
    def told() -> str:
        rows = ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).values_list(
            "platform", "status", "last_error"
        )
        state = Clip.objects.filter(pk=clip.pk).values_list("hosting_state", "hosting_error").first()
        return f"posts {list(rows)}; clip {state}"

    return told


def test_posts_due_before_their_media_is_hosted_wait_then_go_once_after_a_lost_upload_answer(
    alice, fake_blotato, celery_processes
):
    fake_blotato.inject("accept_then_500", route="POST /media")  # hosted, but the answer says 500
    clip = upload(alice)
    posts = schedule_now(alice, clip, {"instagram": {"firstComment": "#laptop #upload"}, "tiktok": {}})
    celery_processes.start_worker()
    celery_processes.start_beat()
    wait_until(lambda: settled(posts), timeout=90, describe=describe(posts, clip))

    clip.refresh_from_db()
    assert clip.hosting_state == HostingState.HOSTED and clip.hosting_attempts == 2
    assert len(fake_blotato.media()) == 2  # a second hosted copy: harmless
    assert set(ScheduledPost.objects.filter(clip=clip).values_list("status", flat=True)) == {Status.PUBLISHED}
    creates = fake_blotato.requests("POST", "/v2/posts")
    assert len(creates) == 2  # ...but never a second post
    assert [s["media_urls"] for s in fake_blotato.submissions()] == [[clip.media_url]] * 2
    instagram = next(s for s in fake_blotato.submissions() if s["platform"] == "instagram")
    assert instagram["target"]["firstComment"] == "#laptop #upload"
    # Nothing was sent before Blotato had the file: every create came after the upload that answered.
    log = fake_blotato.requests()
    hosted_at = max(n for n, r in enumerate(log) if r["path"] == "/v2/media" and r["status"] == 201)
    assert min(n for n, r in enumerate(log) if r["path"] == "/v2/posts") > hosted_at


def test_media_blotato_refuses_fails_its_posts_with_the_reason_and_sends_nothing(alice, fake_blotato, celery_processes):
    fake_blotato.set_knobs(media_max_bytes=1000)
    clip = upload(alice)
    posts = schedule_now(alice, clip, {"tiktok": {}, "youtube": {}})
    celery_processes.start_worker()
    celery_processes.start_beat()
    wait_until(lambda: settled(posts), timeout=90, describe=describe(posts, clip))

    clip.refresh_from_db()
    assert clip.hosting_state == HostingState.FAILED and clip.hosting_attempts == 1
    reason = (
        f"Blotato refused the media (HTTP 422): body.url: media must NOT be larger than 1000 bytes (got {len(VIDEO)})"
    )
    assert clip.hosting_error == reason
    for post in ScheduledPost.objects.filter(clip=clip):
        assert post.status == Status.FAILED
        assert post.last_error == f"Not sent: its media could not be uploaded to Blotato. {reason}"
    assert fake_blotato.requests("POST", "/v2/posts") == []
    assert len(fake_blotato.requests("POST", "/v2/media")) == 1  # a 4xx is not tried again
