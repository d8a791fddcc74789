"""The dispatch loop against real PostgreSQL and the fake Blotato over HTTP, in this process.

Worker processes, crashes and racing dispatchers are in test_workers.py.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from publishing import blotato_clients, dispatch, lifecycle, reconcile, transitions
from publishing.lifecycle import PostPlan
from publishing.models import AttemptState, PublishAttempt, ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db(transaction=True)


def schedule(owner, platform="twitter", caption="Hello", at=None, clip=None) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform=platform)
    _, posts = lifecycle.schedule_posts(
        owner,
        plans=[PostPlan(platform, account)],
        clip=clip,
        caption=caption,
        scheduled_time=at or timezone.now(),
    )
    return posts[0]


def reload(post: ScheduledPost) -> ScheduledPost:
    return ScheduledPost.objects.get(pk=post.pk)


def settle_submitted(post: ScheduledPost) -> ScheduledPost:
    reconcile.poll_submitted(post.pk)
    return reload(post)


def test_a_due_post_is_claimed_once_however_often_dispatch_runs(alice, fake_blotato):
    post = schedule(alice)
    assert transitions.claim(post.pk, at=timezone.now()) is not None
    assert transitions.claim(post.pk, at=timezone.now()) is None
    assert dispatch.claim_due_posts(at=timezone.now()) == []
    assert reload(post).status == Status.PUBLISHING
    assert reload(post).attempts == 1


def test_a_due_post_is_hinted_once_until_the_hint_looks_lost(alice, fake_blotato, settings):
    post = schedule(alice)
    now = timezone.now()
    assert hinted(at=now) == [post.pk]
    assert hinted(at=now + timedelta(seconds=1)) == []
    later = now + timedelta(seconds=settings.REHINT_AFTER_SECONDS + 1)
    assert hinted(at=later) == [post.pk]


def test_a_long_queue_holds_back_re_hints_but_not_first_hints(alice, fake_blotato, settings):
    settings.REHINT_AFTER_SECONDS = 60
    settings.REHINT_MAX_BACKLOG = 100
    old = schedule(alice, caption="hinted long ago")
    assert hinted(at=timezone.now()) == [old.pk]
    new = schedule(alice, caption="never hinted")
    now = timezone.now() + timedelta(minutes=5)
    # 500 messages still queued: the old hint is most likely among them.
    assert hinted(at=now, queue_backlog=500) == [new.pk]
    # The queue drained and the old post is still unclaimed: its hint was lost; send it again.
    assert hinted(at=now, queue_backlog=3) == [old.pk]


def hinted(**arguments) -> list:
    return [hint.post_id for hint in dispatch.hint_due_posts(**arguments)]


def test_posts_due_before_the_next_tick_are_hinted_with_their_exact_instant(alice, fake_blotato):
    now = timezone.now()
    soon = schedule(alice, caption="soon", at=now + timedelta(seconds=1.5))
    backed_off = schedule(alice, caption="backed off", at=now - timedelta(minutes=1))
    ScheduledPost.objects.filter(pk=backed_off.pk).update(next_attempt_at=now + timedelta(seconds=0.5))
    schedule(alice, caption="later", at=now + timedelta(seconds=30))
    hints = dispatch.hint_due_posts(at=now, lookahead=timedelta(seconds=2))
    # Soonest first, each with the instant it may go: its time, or the end of its backoff.
    assert hints == [
        dispatch.Hint(backed_off.pk, now + timedelta(seconds=0.5)),
        dispatch.Hint(soon.pk, soon.scheduled_time),
    ]
    # Hinted early is not claimable early: the claim still decides by the clock.
    assert transitions.claim(soon.pk, at=now) is None


def test_a_hinted_worker_waits_for_the_instant_then_claims(alice, fake_blotato):
    from publishing.tasks import publish_post

    post = schedule(alice, at=timezone.now() + timedelta(seconds=0.5))
    publish_post(str(post.pk), post.scheduled_time.isoformat())
    attempt = PublishAttempt.objects.get(post=post)
    assert attempt.sent_at >= post.scheduled_time  # never before its instant, however fast the machine
    assert reload(post).status == Status.SUBMITTED
    assert len(fake_blotato.submissions()) == 1


def test_a_hint_from_too_far_ahead_is_not_waited_for(alice, fake_blotato):
    from publishing.tasks import publish_post

    post = schedule(alice, at=timezone.now() + timedelta(minutes=10))
    publish_post(str(post.pk), post.scheduled_time.isoformat())  # returns at once: not due, not claimed
    assert reload(post).status == Status.SCHEDULED
    assert fake_blotato.submissions() == []


def test_the_backlog_is_the_length_of_the_brokers_queue(settings):
    from publishing.redis_connection import shared_redis
    from publishing.tasks import broker_backlog

    assert broker_backlog() == 0
    shared_redis().rpush("celery", *[b"message"] * 7)  # what kombu's Redis transport stores
    assert broker_backlog() == 7


def test_status_checks_wait_while_due_posts_wait_to_be_sent(alice, fake_blotato, settings):
    from publishing.redis_connection import shared_redis
    from publishing.tasks import reconcile_posts

    settings.CHECKS_WAIT_FOR_SENDS_SECONDS = 30
    sent = schedule(alice, at=timezone.now() - timedelta(seconds=1))
    dispatch.publish(sent.pk, transitions.claim(sent.pk, at=timezone.now()))
    now = timezone.now()
    ScheduledPost.objects.filter(pk=sent.pk).update(next_attempt_at=now)  # its check is due
    waiting = schedule(alice, caption="Next in the burst", at=now - timedelta(seconds=1))  # due, unsent
    redis = shared_redis()

    reconcile_posts()
    assert redis.llen("checks") == 0  # the send goes first

    ScheduledPost.objects.filter(pk=sent.pk).update(next_attempt_at=now - timedelta(seconds=31))
    reconcile_posts()
    assert redis.llen("checks") == 1  # ...but no check waits longer than the bound

    redis.delete("checks")
    ScheduledPost.objects.filter(pk=sent.pk).update(next_attempt_at=now)
    ScheduledPost.objects.filter(pk=waiting.pk).update(status=Status.CANCELLED)  # nothing left to send
    reconcile_posts()
    assert redis.llen("checks") == 1


def test_the_rule_that_checks_wait_for_sends_can_be_turned_off(alice, fake_blotato, settings):
    settings.CHECKS_WAIT_FOR_SENDS_SECONDS = 0
    schedule(alice, at=timezone.now() - timedelta(seconds=1))
    assert not reconcile.checks_wait_for_sends(at=timezone.now())


def test_publishes_and_status_checks_go_to_their_own_queues_once(settings):
    from publishing.redis_connection import shared_redis
    from publishing.tasks import poll_post, publish_post, verify_post

    redis = shared_redis()
    # Through the real broker: each message must land in exactly one list, whichever queue was
    # declared first.
    poll_post.delay("00000000-0000-0000-0000-000000000001")
    publish_post.delay("00000000-0000-0000-0000-000000000002")
    verify_post.delay("00000000-0000-0000-0000-000000000003")
    publish_post.delay("00000000-0000-0000-0000-000000000004")
    assert (redis.llen("celery"), redis.llen("checks")) == (2, 2)


def test_a_post_is_not_claimed_one_second_early(alice, fake_blotato):
    post = schedule(alice, at=timezone.now() + timedelta(minutes=5))
    assert transitions.claim(post.pk, at=post.scheduled_time - timedelta(seconds=1)) is None
    assert transitions.claim(post.pk, at=post.scheduled_time) is not None


def test_a_due_post_is_published_with_its_url(alice, alice_clip, fake_blotato):
    post = schedule(alice, platform="tiktok", caption="Run with me", clip=alice_clip)
    assert dispatch.run_once() == 1
    post = reload(post)
    assert post.status == Status.SUBMITTED
    assert post.blotato_submission_id
    post = settle_submitted(post)
    assert post.status == Status.PUBLISHED
    assert post.platform_url.startswith("https://www.tiktok.com/@demo_tiktok/video/")
    [sent] = fake_blotato.requests("POST", "/v2/posts")
    body = sent["body"]
    assert "scheduledTime" not in body and "scheduledTime" not in body["post"]
    assert body["post"]["accountId"] == "1006"
    assert body["post"]["content"] == {"text": "Run with me", "mediaUrls": [alice_clip.media_url], "platform": "tiktok"}
    assert body["post"]["target"]["targetType"] == "tiktok"
    assert body["post"]["target"]["privacyLevel"] == "PUBLIC_TO_EVERYONE"
    assert len(fake_blotato.publications(account_id="1006")) == 1


def test_a_redelivered_publish_reaches_blotato_once(alice, fake_blotato):
    post = schedule(alice)
    [(post_id, token)] = dispatch.claim_due_posts(at=timezone.now())
    dispatch.publish(post_id, token)
    dispatch.publish(post_id, token)  # what an acks_late redelivery looks like
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 1
    assert PublishAttempt.objects.filter(post=post).count() == 1


def test_a_422_fails_at_once_with_blotatos_message(alice, fake_blotato):
    fake_blotato.inject("status", status=422, message="post.target: must have required property 'pageId'")
    post = schedule(alice)
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.FAILED
    assert post.last_error == ("Blotato refused the post (HTTP 422): post.target: must have required property 'pageId'")
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 1
    assert PublishAttempt.objects.get(post=post).state == AttemptState.REJECTED


def test_a_429_is_retried_after_blotatos_delay(alice, fake_blotato):
    fake_blotato.inject("rate_limit", retry_after=40)
    post = schedule(alice)
    dispatch.run_once()
    post = reload(post)
    attempt = PublishAttempt.objects.get(post=post)
    assert post.status == Status.SCHEDULED
    assert post.next_attempt_at - attempt.started_at >= timedelta(seconds=40)
    assert dispatch.run_once() == 0  # not before the delay
    dispatch.run_once(at=post.next_attempt_at)
    assert reload(post).status == Status.SUBMITTED
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 2
    assert len(fake_blotato.publications()) == 1


def test_connection_refused_is_retried_with_backoff(alice, fake_blotato, settings):
    settings.BLOTATO_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    blotato_clients._clients.clear()
    post = schedule(alice)
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.SCHEDULED
    assert post.last_error.startswith("Could not reach Blotato")
    assert PublishAttempt.objects.get(post=post).state == AttemptState.NOT_SENT


def test_retries_stop_after_the_attempt_budget(alice, fake_blotato, settings):
    settings.BLOTATO_API_URL = "http://127.0.0.1:9"
    settings.PUBLISH_MAX_ATTEMPTS = 3
    blotato_clients._clients.clear()
    post = schedule(alice)
    for _ in range(3):
        dispatch.run_once(at=(reload(post).next_attempt_at or timezone.now()) + timedelta(seconds=1))
    post = reload(post)
    assert post.status == Status.FAILED
    assert post.last_error.startswith("Gave up after 3 attempts: Could not reach Blotato")


def test_a_platform_failure_is_reported_and_not_retried(alice, fake_blotato):
    fake_blotato.inject("platform_fail", message="Invalid account credentials")
    post = schedule(alice)
    dispatch.run_once()
    post = settle_submitted(reload(post))
    assert post.status == Status.FAILED
    assert post.last_error == "The platform refused the post: Invalid account credentials"
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 1


def test_a_post_found_later_than_the_grace_period_is_missed_not_sent(alice, fake_blotato):
    post = schedule(alice)
    ScheduledPost.objects.filter(pk=post.pk).update(scheduled_time=timezone.now() - timedelta(minutes=31))
    dispatch.run_once()
    post = reload(post)
    assert post.status == Status.MISSED
    assert "more than 30 minutes" in post.last_error
    assert fake_blotato.requests("POST", "/v2/posts") == []


def test_a_cancelled_post_is_never_sent(alice, fake_blotato):
    post = schedule(alice, at=timezone.now() + timedelta(seconds=30))
    lifecycle.cancel_post(post)
    dispatch.run_once(at=timezone.now() + timedelta(minutes=1))
    assert reload(post).status == Status.CANCELLED
    assert fake_blotato.requests("POST", "/v2/posts") == []


def test_an_expired_lease_that_never_sent_goes_back_to_scheduled(alice, fake_blotato):
    post = schedule(alice)
    transitions.claim(post.pk, at=timezone.now())  # the worker died right after claiming
    later = timezone.now() + timedelta(minutes=5)
    assert reconcile.reap_expired_leases(at=later) == 1
    assert reload(post).status == Status.SCHEDULED
    dispatch.run_once(at=later)
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 1


def test_a_zombie_past_its_lease_does_not_send(alice, fake_blotato):
    post = schedule(alice)
    token = transitions.claim(post.pk, at=timezone.now())
    ScheduledPost.objects.filter(pk=post.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )  # paused too long
    dispatch.publish(post.pk, token)
    assert fake_blotato.requests("POST", "/v2/posts") == []
    assert PublishAttempt.objects.get(post=post).state == AttemptState.PREPARED


def test_the_token_bucket_spaces_a_burst_instead_of_collecting_429s(alice, fake_blotato, settings):
    settings.BLOTATO_POSTS_PER_MINUTE = 1  # slow refill: the burst is what decides here
    settings.BLOTATO_POSTS_BURST = 3
    posts = [schedule(alice, caption=f"burst {n}") for n in range(5)]
    dispatch.run_once()
    statuses = sorted(reload(p).status for p in posts)
    assert statuses.count(Status.SUBMITTED) == 3
    assert statuses.count(Status.SCHEDULED) == 2
    assert len(fake_blotato.requests("POST", "/v2/posts")) == 3
    assert all(reload(p).attempts == 0 for p in posts if reload(p).status == Status.SCHEDULED)


def test_status_checks_are_spaced_by_their_own_bucket(alice, fake_blotato, settings):
    settings.BLOTATO_CHECKS_PER_MINUTE = 1  # slow refill: the burst of two is what decides here
    settings.BLOTATO_CHECKS_BURST = 2
    posts = [schedule(alice, caption=f"check {n}") for n in range(4)]
    dispatch.run_once()  # four creates: the post budget is another bucket
    assert {reload(p).status for p in posts} == {Status.SUBMITTED}
    before = timezone.now()
    for post in posts:
        reconcile.poll_submitted(post.pk)
    checks = [r for r in fake_blotato.requests("GET") if r["path"].startswith("/v2/posts/")]
    assert len(checks) == 2
    settled = [reload(p) for p in posts]
    assert sorted(p.status for p in settled) == [Status.PUBLISHED] * 2 + [Status.SUBMITTED] * 2
    # The other two wait for the bucket (a token a minute), not for the usual poll interval.
    waiting = [p for p in settled if p.status == Status.SUBMITTED]
    assert all(p.next_attempt_at >= before + timedelta(seconds=55) for p in waiting)


def test_racing_dispatchers_send_each_of_500_posts_once(alice, fake_blotato):
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    now = timezone.now()
    ScheduledPost.objects.bulk_create(
        ScheduledPost(owner=alice, platform="twitter", account=account, caption=f"race {n}", scheduled_time=now)
        for n in range(500)
    )
    barrier = threading.Barrier(2)

    def dispatcher():
        barrier.wait()
        try:
            while dispatch.run_once():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = [s["text"] for s in fake_blotato.submissions()]
    assert len(texts) == 500
    assert len(set(texts)) == 500
    assert ScheduledPost.objects.filter(status=Status.SUBMITTED).count() == 500


# --- a burst in batches ---------------------------------------------------------------------------


def test_hints_are_batched_by_instant_and_size():
    start = timezone.now()
    hints = [dispatch.Hint(n, start) for n in range(5)]
    hints += [dispatch.Hint(5, start + timedelta(milliseconds=15)), dispatch.Hint(6, start + timedelta(seconds=1))]
    batches = dispatch.batched(hints, size=4, within=timedelta(milliseconds=20))
    assert [[hint.post_id for hint in batch] for batch in batches] == [[0, 1, 2, 3], [4, 5], [6]]
    # A batch leaves at its last post's instant: never more than `within` after its first.
    assert [batch[-1].due for batch in batches] == [
        start,
        start + timedelta(milliseconds=15),
        start + timedelta(seconds=1),
    ]
    assert dispatch.batched([], size=20) == []


def test_a_batch_is_claimed_in_one_update_and_each_post_sent_once(alice, fake_blotato):
    from django.db import connection as default_connection
    from django.test.utils import CaptureQueriesContext

    from publishing import pause
    from publishing.tasks import publish_posts

    now = timezone.now()
    due = [schedule(alice, caption=f"burst {n}", at=now - timedelta(seconds=1)) for n in range(6)]
    later = schedule(alice, caption="not yet", at=now + timedelta(minutes=10))
    elsewhere = schedule(alice, caption="claimed by someone else", at=now - timedelta(seconds=1))
    transitions.claim(elsewhere.pk, at=now)
    ids = [post.pk for post in (*due, later, elsewhere)]

    with CaptureQueriesContext(default_connection) as queries:
        publish_posts([str(pk) for pk in ids])
    # This thread: one claim and one read for the whole batch; the sends ran on their own threads.
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert statements == ["UPDATE", "SELECT"], statements

    assert sorted(s["text"] for s in fake_blotato.submissions()) == sorted(post.caption for post in due)
    assert {reload(post).status for post in due} == {Status.SUBMITTED}
    assert {attempt.number for attempt in PublishAttempt.objects.filter(post__in=due)} == {1}
    assert reload(later).status == Status.SCHEDULED
    assert reload(elsewhere).status == Status.PUBLISHING  # its claim's holder sends it, not this batch

    # The same message again (a redelivery): nothing is claimed, nothing sent twice.
    publish_posts([str(pk) for pk in ids])
    assert len(fake_blotato.submissions()) == 6

    # A batch whose owner paused before it was claimed: nothing taken.
    held = [schedule(alice, caption=f"held {n}", at=now - timedelta(seconds=1)) for n in range(3)]
    pause.pause(alice, by="alice")
    assert dispatch.publish_batch([post.pk for post in held]) == 0
    assert {reload(post).status for post in held} == {Status.SCHEDULED}


def test_one_failing_send_does_not_stop_the_others_in_its_batch(alice, fake_blotato):
    fake_blotato.inject("status", status=422, message="text too long", marker="batch 2")
    now = timezone.now()
    posts = [schedule(alice, caption=f"batch {n}", at=now - timedelta(seconds=1)) for n in range(4)]
    assert dispatch.publish_batch([post.pk for post in posts]) == 4
    assert [reload(post).status for post in posts] == [Status.SUBMITTED] * 2 + [Status.FAILED, Status.SUBMITTED]
    assert reload(posts[2]).last_error == "Blotato refused the post (HTTP 422): text too long"
    assert len(fake_blotato.submissions()) == 3


def test_the_dispatcher_sends_a_burst_as_batches_and_a_lone_post_alone(alice, fake_blotato, settings):
    from publishing.redis_connection import shared_redis
    from publishing.tasks import dispatch_due_posts

    settings.DISPATCH_BATCH_SIZE = 20
    now = timezone.now()
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    ScheduledPost.objects.bulk_create(
        ScheduledPost(owner=alice, platform="twitter", account=account, caption=f"b{n}", scheduled_time=now)
        for n in [*range(45), "alone"]
    )
    ScheduledPost.objects.filter(caption="balone").update(scheduled_time=now + timedelta(milliseconds=700))
    assert dispatch_due_posts() == 46
    messages = [json.loads(raw) for raw in shared_redis().lrange("celery", 0, -1)]
    tasks = Counter(message["headers"]["task"] for message in messages)
    assert tasks == {"publishing.publish_posts": 3, "publishing.publish_post": 1}
    sizes = sorted(
        len(json.loads(base64.b64decode(m["body"]))[0][0]) for m in messages if m["headers"]["task"].endswith("posts")
    )
    assert sizes == [5, 20, 20]


def test_a_batch_waits_for_room_for_all_its_sends_before_claiming(settings):
    """Room is taken whole: a batch never holds part of the sending threads while waiting for the rest."""
    from publishing import send_threads

    settings.CELERY_WORKER_CONCURRENCY = 4
    first_inside, first_may_leave, second_inside = threading.Event(), threading.Event(), threading.Event()

    def first():
        with send_threads.room_for(3):
            first_inside.set()
            first_may_leave.wait(timeout=30)

    def second():
        with send_threads.room_for(2):
            second_inside.set()

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert first_inside.wait(timeout=30)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    assert not second_inside.wait(timeout=0.3)  # 3 + 2 > 4: it waits
    first_may_leave.set()
    assert second_inside.wait(timeout=30)  # then goes in
    for thread in threads:
        thread.join(timeout=30)
    with send_threads.room_for(50):  # a batch larger than the threads takes them all, not for ever
        pass
