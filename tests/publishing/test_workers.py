"""Posts through real Celery worker and beat processes, PostgreSQL, Redis and the fake Blotato.

Every scenario asserts counts and states (at most one publication per post, nothing stuck),
never durations.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from publishing.models import SETTLED, ScheduledPost, SocialAccount, Status
from publishing.tasks import publish_post
from tests.conftest import TEST_KEY
from tests.processes import CeleryProcesses, wait_until, watched_processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture
def celery_processes(tmp_path, fake_blotato):
    with watched_processes(tmp_path, fake_blotato.url, TEST_KEY) as processes:
        yield processes


def make_posts(owner, count: int, *, due_in: float = 1.0, prefix: str = "post") -> list[ScheduledPost]:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    at = timezone.now() + timedelta(seconds=due_in)
    return ScheduledPost.objects.bulk_create(
        ScheduledPost(owner=owner, platform="twitter", account=account, caption=f"{prefix} {n}", scheduled_time=at)
        for n in range(count)
    )


def statuses() -> Counter:
    return Counter(dict(ScheduledPost.objects.values_list("status").annotate(n=Count("pk"))))


def all_settled() -> bool:
    return not ScheduledPost.objects.exclude(status__in=SETTLED).exists()


def publications_by_text(fake) -> Counter:
    return Counter(p["text"] for p in fake.publications())


def test_a_scheduled_post_goes_through_beat_and_a_worker_to_published(alice, fake_blotato, celery_processes):
    [post] = make_posts(alice, 1, due_in=2)
    celery_processes.start_worker()
    celery_processes.start_beat()
    wait_until(all_settled, timeout=60, describe=statuses)
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert post.platform_url.startswith("https://x.com/demo_twitter/status/")
    assert post.published_at is not None
    assert publications_by_text(fake_blotato) == {"post 0": 1}


def test_duplicate_publish_messages_send_each_post_once(alice, fake_blotato, celery_processes):
    posts = make_posts(alice, 20, due_in=0)
    for post in posts:
        for _ in range(10):
            publish_post.delay(str(post.pk))
    celery_processes.start_worker(concurrency=4)
    celery_processes.start_beat()
    wait_until(all_settled, timeout=90, describe=statuses)
    assert statuses() == {Status.PUBLISHED: 20}
    assert set(publications_by_text(fake_blotato).values()) == {1}
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 20


@pytest.mark.parametrize("point", ["after_mark_sent", "after_response_before_commit"])
def test_a_worker_killed_mid_publish_leaves_nothing_stuck_and_nothing_twice(
    alice, fake_blotato, celery_processes, point
):
    make_posts(alice, 6, due_in=1, prefix="crash")
    make_posts(alice, 6, due_in=1, prefix="calm")
    # The pool child publishing a "crash" post kills itself at `point` on that post's first attempt.
    celery_processes.start_worker(MEDIAPOSTER_CRASH_AT=f"{point}:crash")
    celery_processes.start_beat()
    wait_until(all_settled, timeout=120, describe=statuses)
    published = publications_by_text(fake_blotato)
    assert max(published.values()) == 1
    if point == "after_response_before_commit":
        # Blotato had each crashed post already: it was found in the list and adopted.
        assert statuses() == {Status.PUBLISHED: 12}
        assert sum(published.values()) == 12
    else:
        # The request may or may not have left (here it had not): an unknown outcome is never
        # resent by itself, so each crashed post waits for its owner, and nothing went out twice.
        assert statuses() == {Status.PUBLISHED: 6, Status.NEEDS_REVIEW: 6}
        assert set(published) == {f"calm {n}" for n in range(6)}
    # Either way Blotato saw at most one create per post.
    assert len(fake_blotato.requests("POST", "/v2/posts")) == sum(published.values())
    # And the console said so, once per post, at INFO: a worker lost is something a person wants to see.
    console = celery_processes.output()
    lost = [line for line in console.splitlines() if "The worker stopped while sending." in line]
    assert len(lost) == 6 and all(" INFO publishing.transitions " in line for line in lost), console[-3000:]


def test_sigkilled_workers_during_a_run_lose_nothing_and_send_nothing_twice(alice, fake_blotato, celery_processes):
    fake_blotato.set_knobs(latency_s=0.3)
    make_posts(alice, 60, due_in=1, prefix="chaos")
    celery_processes.start_worker("w1")
    celery_processes.start_worker("w2")
    celery_processes.start_beat()
    for round_number in range(4):
        wanted = 10 * (round_number + 1)
        wait_until(
            lambda n=wanted: len(fake_blotato.requests("POST", "/v2/posts")) >= n,
            timeout=60,
            describe=statuses,
        )
        victim = "w1" if round_number % 2 == 0 else "w2"
        celery_processes.kill(victim)
        celery_processes.start_worker(victim)
    wait_until(all_settled, timeout=180, describe=statuses)
    assert max(publications_by_text(fake_blotato).values()) == 1
    final = statuses()
    assert set(final) <= {Status.PUBLISHED, Status.NEEDS_REVIEW}
    # A post needs review only when its send may have left but never arrived: then nothing was published.
    for post in ScheduledPost.objects.filter(status=Status.NEEDS_REVIEW):
        assert publications_by_text(fake_blotato)[post.caption] == 0
    assert final[Status.PUBLISHED] == sum(publications_by_text(fake_blotato).values())


def test_429s_are_retried_by_the_workers_and_500s_wait_for_a_person(alice, fake_blotato, celery_processes):
    fake_blotato.inject("rate_limit", retry_after=1, times=3)
    fake_blotato.inject("status", status=500, times=3)  # Blotato may have created them: never resent
    make_posts(alice, 10, due_in=1, prefix="flaky")
    celery_processes.start_worker()
    celery_processes.start_beat()
    wait_until(all_settled, timeout=120, describe=statuses)
    assert statuses() == {Status.PUBLISHED: 7, Status.NEEDS_REVIEW: 3}
    assert sorted(publications_by_text(fake_blotato).values()) == [1] * 7
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 13  # 10 + the three 429s tried again


def test_lost_answers_and_5xx_while_blotato_lists_slowly_are_adopted_or_reviewed_never_resent(
    alice, fake_blotato, tmp_path
):
    """Created posts stay out of Blotato's list for 2-5 s; the search window (10 s) outlasts that."""
    fake_blotato.set_knobs(list_delay_s=[2.0, 5.0], publish_delay_s=[0.5, 2.0])
    fake_blotato.inject("accept_then_drop", times=5)  # created, answer lost
    fake_blotato.inject("accept_then_500", times=5)  # created, then "an unknown error occurred"
    fake_blotato.inject("status", status=502, times=4)  # a gateway error: nothing created
    posts = make_posts(alice, 24, due_in=1, prefix="slow")
    processes = CeleryProcesses(tmp_path, fake_blotato.url, TEST_KEY, VERIFY_WINDOW_TEXT_SECONDS="10")
    try:
        processes.start_worker("w1")
        processes.start_worker("w2")
        processes.start_beat()
        wait_until(all_settled, timeout=150, describe=statuses)
    finally:
        processes.stop_all()
        print(processes.output()[-6000:])
    published = publications_by_text(fake_blotato)
    assert max(published.values()) == 1  # no duplicates
    assert statuses() == {Status.PUBLISHED: 20, Status.NEEDS_REVIEW: 4}
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 24  # one create per post, ever
    for post in ScheduledPost.objects.filter(pk__in=[p.pk for p in posts], status=Status.NEEDS_REVIEW):
        assert published.get(post.caption, 0) == 0  # only the 502s, which created nothing
        assert post.last_error.startswith("Could not confirm — check the platform before retrying")


def test_the_harvest_in_a_worker_reads_within_the_keys_budget(alice, fake_blotato, celery_processes):
    """Six published posts two days old; the key may read 3 times now, then 1 a minute."""
    from analytics.models import EngagementSnapshot
    from analytics.tasks import harvest_engagement
    from publishing import dispatch, reconcile

    posts = make_posts(alice, 6, due_in=0, prefix="harvested")
    dispatch.run_once()
    for post in posts:
        reconcile.poll_submitted(post.pk)
    ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).update(published_at=timezone.now() - timedelta(days=2))
    fake_blotato.advance(2 * 86400)  # Blotato has taken each post's day-1 reading
    celery_processes.env.update(BLOTATO_CHECKS_PER_MINUTE="1", BLOTATO_CHECKS_BURST="3")
    # Celery's per-task lines (the "succeeded" this waits for) are shown at LOG_LEVEL=DEBUG only.
    celery_processes.start_worker(LOG_LEVEL="DEBUG")
    harvest_engagement.delay()
    finished = re.compile(r"Task analytics\.harvest_engagement\[[^\]]+\] succeeded")
    wait_until(
        lambda: finished.search(celery_processes.output()),
        timeout=60,
        describe=lambda: f"{EngagementSnapshot.objects.count()} snapshots",
    )
    analytics_reads = [r for r in fake_blotato.requests("GET") if r["path"].endswith("/analytics")]
    assert len(fake_blotato.requests("GET", "/v2/published-posts")) == 1  # one page held all six
    assert len(analytics_reads) == 2  # the budget: 3 reads, one of them the list page
    assert EngagementSnapshot.objects.values("post").distinct().count() == 6  # the list brought them all


def test_a_thread_pool_worker_keeps_many_sends_in_flight_on_a_few_pooled_connections(
    alice, fake_blotato, celery_processes
):
    """The production shape: one worker, many threads, a small database pool, a slow Blotato."""
    from django.db import connection

    fake_blotato.set_knobs(latency_s=2.0)  # long enough that even a slow machine overlaps sends
    make_posts(alice, 150, due_in=2)
    celery_processes.start_worker(concurrency=60, pool="threads", DATABASE_POOL_SIZE="4")
    celery_processes.start_beat()
    database = connection.settings_dict["NAME"]
    peak_in_flight = peak_connections = 0

    def settled_while_watching() -> bool:
        nonlocal peak_in_flight, peak_connections
        requests = fake_blotato.requests("POST", "/v2/posts")
        in_flight = ScheduledPost.objects.filter(status=Status.PUBLISHING).count()
        peak_in_flight = max(peak_in_flight, in_flight)
        with connection.cursor() as cursor:
            # Every connection to the test database but this test's own: the worker's and beat's.
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
            peak_connections = max(peak_connections, cursor.fetchone()[0])
        return len(requests) == 150 and all_settled()

    wait_until(settled_while_watching, timeout=180, describe=statuses)
    assert statuses() == {Status.PUBLISHED: 150}
    assert set(publications_by_text(fake_blotato).values()) == {1}
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 150
    # Far more sends waited on Blotato at once than the worker had database connections...
    assert peak_in_flight > 8
    # ...while the worker held at most its pool (4), beat one or two of its own.
    assert peak_connections <= 4 + 2
