"""Pausing with real Celery beat and workers, PostgreSQL, Redis and the fake Blotato.

While paused, beat keeps running and publish hints already sit in the queue: none of it may send.
After a person resumes, what is within its grace goes out exactly once and what is older is missed.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.core.management import call_command

from publishing import heartbeat, pause
from publishing.models import PublishAttempt, ScheduledPost, Status
from publishing.tasks import broker_backlog, publish_post
from tests.conftest import TEST_KEY
from tests.processes import wait_until, watched_processes
from tests.publishing.test_workers import all_settled, make_posts, publications_by_text, statuses

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture
def celery_processes(tmp_path, fake_blotato):
    with watched_processes(tmp_path, fake_blotato.url, TEST_KEY) as processes:
        yield processes


def beat_and_workers_ran_while_paused(processes, *, hinted: list[ScheduledPost]) -> None:
    """Liveness: the dispatcher beat a few times since now, and every queued hint was consumed."""
    for post in hinted:
        publish_post.delay(str(post.pk))  # hints already in the queue when the pause began
    since = time.time()
    processes.start_worker(concurrency=4)
    processes.start_beat()
    wait_until(
        lambda: (heartbeat.last_beat("dispatcher") or 0) > since + 3 and broker_backlog() == 0,
        timeout=90,
        describe=lambda: f"dispatcher last beat {heartbeat.last_beat('dispatcher')}, {broker_backlog()} queued",
    )


def test_nothing_is_sent_while_the_install_is_paused_and_resuming_sends_each_post_once(
    alice, bob, fake_blotato, celery_processes
):
    call_command("pause_publishing")
    fresh = make_posts(alice, 15, due_in=0, prefix="alice fresh") + make_posts(bob, 15, due_in=0, prefix="bob fresh")
    stale = make_posts(alice, 5, due_in=-45 * 60, prefix="alice stale")  # past the 30-minute grace

    beat_and_workers_ran_while_paused(celery_processes, hinted=fresh + stale)

    assert fake_blotato.requests("POST", "/v2/posts") == []
    assert statuses() == {Status.SCHEDULED: 35}
    assert not PublishAttempt.objects.exists()

    call_command("resume_publishing")
    wait_until(all_settled, timeout=120, describe=statuses)

    assert statuses() == {Status.PUBLISHED: 30, Status.MISSED: 5}
    assert publications_by_text(fake_blotato) == Counter({post.caption: 1 for post in fresh})
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 30
    assert {p.pk for p in pause.missed_while_paused(alice)} == {p.pk for p in stale}
    assert all("publishing was paused" in p.last_error for p in pause.missed_while_paused(alice))


def test_a_user_who_pauses_holds_only_their_posts_until_they_resume(
    alice, bob, alice_api, fake_blotato, celery_processes
):
    answer = alice_api.patch("/api/me", {"publishing_paused": True}, content_type="application/json")
    assert answer.json()["publishing_paused"] is True
    held = make_posts(alice, 10, due_in=0, prefix="alice")
    stale = make_posts(alice, 3, due_in=-45 * 60, prefix="alice stale")
    free = make_posts(bob, 10, due_in=0, prefix="bob")

    beat_and_workers_ran_while_paused(celery_processes, hinted=held + stale)
    wait_until(
        lambda: ScheduledPost.objects.filter(owner=bob, status=Status.PUBLISHED).count() == 10,
        timeout=90,
        describe=statuses,
    )

    assert set(publications_by_text(fake_blotato)) == {post.caption for post in free}
    assert set(ScheduledPost.objects.filter(owner=alice).values_list("status", flat=True)) == {Status.SCHEDULED}

    answer = alice_api.patch("/api/me", {"publishing_paused": False}, content_type="application/json")
    assert answer.json()["publishing_paused"] is False
    wait_until(all_settled, timeout=120, describe=statuses)

    assert statuses() == {Status.PUBLISHED: 20, Status.MISSED: 3}
    assert publications_by_text(fake_blotato) == Counter({post.caption: 1 for post in held + free})
    assert {p.pk for p in pause.missed_while_paused(alice)} == {p.pk for p in stale}
