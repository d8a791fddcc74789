"""Celery entry points: doorways into dispatch.py and reconcile.py, a few lines each.

Arguments are post ids; a message is only a hint to look at that row, so a duplicated, late or
redelivered message does nothing the database has not agreed to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import redis
from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone

from . import dispatch, heartbeat, media_hosting, notifications, reconcile, webhook_delivery
from .models import HostingState, Status
from .redis_connection import shared_redis

HINTS_PER_QUERY = 1000  # rows locked and marked per query; a tick repeats until none are left


def broker_backlog() -> int:
    """Messages waiting in the default queue: the Redis broker (REDIS_URL) keeps it as a list."""
    try:
        return shared_redis().llen(current_app.conf.task_default_queue)
    except redis.RedisError:
        return 0  # no answer: behave as before and re-send what looks lost


@shared_task(name="publishing.dispatch_due_posts", ignore_result=True)
def dispatch_due_posts() -> int:
    """Hint every post due before the next tick; a burst of thousands goes out in one tick."""
    at = timezone.now()
    heartbeat.beat("dispatcher")
    dispatch.mark_missed_posts(at=at)
    for clip_id in media_hosting.clips_to_host(at=at):  # media a post waits for, hint lost or retry due
        host_clip.delay(str(clip_id))
    lookahead = timedelta(seconds=settings.DISPATCH_LOOKAHEAD_SECONDS)
    backlog = broker_backlog()
    hinted = 0
    with current_app.producer_or_acquire() as producer:
        while True:
            hints = dispatch.hint_due_posts(at=at, limit=HINTS_PER_QUERY, queue_backlog=backlog, lookahead=lookahead)
            for batch in dispatch.batched(hints, size=settings.DISPATCH_BATCH_SIZE):
                due = batch[-1].due.isoformat()
                if len(batch) == 1:
                    publish_post.apply_async((str(batch[0].post_id), due), producer=producer)
                else:
                    publish_posts.apply_async(([str(hint.post_id) for hint in batch], due), producer=producer)
            hinted += len(hints)
            if len(hints) < HINTS_PER_QUERY:
                return hinted


@shared_task(name="publishing.publish_post", acks_late=True, ignore_result=True)
def publish_post(post_id: str, due: str | None = None) -> None:
    publish_posts([post_id], due)


@shared_task(name="publishing.publish_posts", acks_late=True, ignore_result=True)
def publish_posts(post_ids: list[str], due: str | None = None) -> None:
    """Posts falling due at the same instant, hinted together (settings.DISPATCH_BATCH_SIZE)."""
    if due:
        # Hinted ahead of its instant: wait for it here, then claim (the claim decides, as always).
        lookahead = timedelta(seconds=settings.DISPATCH_LOOKAHEAD_SECONDS + 1)
        dispatch.wait_until_due(datetime.fromisoformat(due), longest=lookahead)
    dispatch.publish_batch([UUID(post_id) for post_id in post_ids])


@shared_task(
    name="publishing.host_clip",
    acks_late=True,
    ignore_result=True,
    # An upload may take minutes; the lease (longer still) hands a dead worker's clip to another.
    soft_time_limit=settings.MEDIA_HOSTING_READ_TIMEOUT + 60,
    time_limit=settings.MEDIA_HOSTING_READ_TIMEOUT + 90,
)
def host_clip(clip_id: str) -> None:
    state = media_hosting.host(UUID(clip_id))
    if state in (HostingState.HOSTED, HostingState.FAILED):
        for post_id in media_hosting.due_posts_of(UUID(clip_id)):
            publish_post.delay(str(post_id))


@shared_task(name="publishing.reconcile_posts", ignore_result=True)
def reconcile_posts() -> None:
    at = timezone.now()
    reconcile.reap_expired_leases(at=at)
    if reconcile.checks_wait_for_sends(at=at):
        return  # the checks are due on their rows: the first tick after the burst sends them all
    with current_app.producer_or_acquire() as producer:  # one producer for hundreds of checks
        for post_id in reconcile.posts_to_check(Status.SUBMITTED, at=at):
            poll_post.apply_async((str(post_id),), producer=producer)
        for post_id in reconcile.posts_to_check(Status.VERIFYING, at=at):
            verify_post.apply_async((str(post_id),), producer=producer)


@shared_task(name="publishing.poll_post", acks_late=True, ignore_result=True)
def poll_post(post_id: str) -> None:
    reconcile.poll_submitted(UUID(post_id))


@shared_task(name="publishing.verify_post", acks_late=True, ignore_result=True)
def verify_post(post_id: str) -> None:
    reconcile.verify_unknown_outcome(UUID(post_id))


@shared_task(name="publishing.deliver_webhook", acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    webhook_delivery.deliver(delivery_id)


@shared_task(name="publishing.retry_webhooks", ignore_result=True)
def retry_webhooks() -> None:
    for delivery_id in webhook_delivery.due_deliveries(at=timezone.now()):
        deliver_webhook.delay(delivery_id)


@shared_task(name="publishing.send_notification_emails", ignore_result=True)
def send_notification_emails() -> int:
    return notifications.send_digests()
