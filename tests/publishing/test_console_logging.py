"""What `make run`'s console shows: what a person wants to know, not every dispatch tick.

Real worker and beat processes at `make run`'s log level (INFO), PostgreSQL, Redis and the fake
Blotato. Beat dispatches every second; the test waits for several dispatch passes (the
dispatcher's heartbeat changing) after the post is published, so the log holds idle ticks too.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from publishing import heartbeat
from publishing.models import Profile, ScheduledPost, SocialAccount, Status
from tests.conftest import TEST_KEY
from tests.processes import CeleryProcesses, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]

PER_TICK = ("Sending due task", "dispatch_due_posts", "reconcile_posts", "received", "succeeded in")


def wait_for_dispatch_passes(count: int) -> None:
    seen = {heartbeat.last_beat("dispatcher")}
    wait_until(
        lambda: seen.add(heartbeat.last_beat("dispatcher")) or len(seen) > count,
        timeout=60,
        describe=lambda: f"{len(seen) - 1} dispatch passes",
    )


REFUSED_KEY = "blt_refused_key_0123456789"


def due_tweet(owner, caption: str) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    return ScheduledPost.objects.create(
        owner=owner, platform="twitter", account=account, caption=caption, scheduled_time=timezone.now()
    )


def test_the_console_names_the_published_post_and_not_the_ticks(alice, bob, fake_blotato, tmp_path):
    post = due_tweet(alice, "Console test")
    Profile.objects.filter(user=bob).update(blotato_api_key=REFUSED_KEY)  # a key Blotato does not know
    refused = due_tweet(bob, "Bob's post")
    processes = CeleryProcesses(tmp_path, fake_blotato.url, TEST_KEY)
    try:
        processes.start_worker(log_level="info")
        processes.start_beat()  # at -l info, as make run starts it
        wait_until(
            lambda: (
                list(
                    ScheduledPost.objects.filter(pk__in=[post.pk, refused.pk])
                    .order_by("caption")
                    .values_list("status", flat=True)
                )
                == [Status.FAILED, Status.PUBLISHED]
            ),
            timeout=60,
            describe=lambda: str(ScheduledPost.objects.values_list("caption", "status")),
        )
        wait_for_dispatch_passes(3)
    finally:
        processes.stop_all()
    lines = processes.output().splitlines()
    info = [line for line in lines if " INFO " in line]
    assert [line for line in info if any(noise in line for noise in PER_TICK)] == []
    sent = [line for line in info if "blotato POST /posts -> 201" in line]
    published = [line for line in info if str(post.pk) in line and "-> published" in line]
    assert len(sent) == 1 and len(published) == 1, "\n".join(info)
    assert "https://x.com/demo_twitter/status/" in published[0]
    # Polling Blotato for the outcome is a read: at DEBUG, off the console.
    assert not [line for line in info if "blotato GET" in line]
    # A refused key: Blotato's answer as a warning, and the post's failure with the reason.
    assert [line for line in lines if " WARNING publishing.blotato blotato POST /posts -> 401" in line]
    assert [line for line in info if str(refused.pk) in line and "-> failed (Blotato rejected the API key" in line]
    assert REFUSED_KEY not in processes.output() and TEST_KEY not in processes.output()


def test_log_level_debug_shows_the_ticks_again(alice, fake_blotato, tmp_path):
    processes = CeleryProcesses(tmp_path, fake_blotato.url, TEST_KEY, LOG_LEVEL="DEBUG")
    try:
        processes.start_worker(log_level="debug")
        processes.start_beat()
        wait_for_dispatch_passes(2)
    finally:
        processes.stop_all()
    output = processes.output()
    assert "Sending due task" in output
    assert "publishing.dispatch_due_posts" in output and "succeeded in" in output
