"""Repairs after the fact: expired leases, posts waiting for Blotato's verdict, unknown outcomes.

Runs from a beat task every few seconds. Nothing here ever sends a post: a post whose fate is
unclear is looked up in Blotato's post list, adopted if found, returned to `scheduled` only when
we know it is absent, and handed to a human when we cannot tell.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import rate_limit
from .blotato import BlotatoError, ListedPost
from .dispatch import api_key_for, attempts_left, client_for, send_back
from .models import AttemptState, PublishAttempt, ScheduledPost, Status

logger = logging.getLogger(__name__)

NEEDS_REVIEW_MESSAGE = (
    "Could not confirm — check the platform before retrying. Blotato never confirmed receiving "
    "this post and it was not found in Blotato's post list."
)


def reap_expired_leases(*, at: datetime) -> int:
    """Claims whose worker vanished: never sent → scheduled again; maybe sent → verifying."""
    reaped = 0
    expired = ScheduledPost.objects.filter(status=Status.PUBLISHING, lease_until__lt=at)
    for post in expired:
        attempt = PublishAttempt.objects.filter(post=post, number=post.attempts).first()
        fence = {"claim_token": post.claim_token, "status": Status.PUBLISHING}
        if attempt is None or attempt.state in (
            AttemptState.PREPARED,
            AttemptState.NOT_SENT,
            AttemptState.RATE_LIMITED,
        ):
            won = send_back(
                post,
                when=at,
                error="The worker stopped before sending; trying again.",
                from_status=Status.PUBLISHING,
                claim_token=post.claim_token,
            )
        elif attempt.state == AttemptState.REJECTED:
            won = ScheduledPost.objects.filter(pk=post.pk, **fence).update(
                status=Status.FAILED, claim_token=None, lease_until=None, last_error=attempt.error
            )
        else:  # sent or unknown: Blotato may have it
            won = ScheduledPost.objects.filter(pk=post.pk, **fence).update(
                status=Status.VERIFYING,
                claim_token=None,
                lease_until=None,
                last_error="The worker stopped while sending; looking for the post on Blotato.",
                verify_until=at + timedelta(seconds=settings.VERIFY_GRACE_SECONDS),
                next_attempt_at=at,
            )
        reaped += bool(won)
    return reaped


def posts_to_check(status: str, *, at: datetime, limit: int = 500) -> list[uuid.UUID]:
    """Submitted or verifying posts whose next check is due. Their next check moves to when a
    hint counts as lost (as for publish hints), so a backed-up queue holds one hint per post, not
    one per sweep; the check itself, when it runs, books the next one an interval later."""
    interval = settings.POLL_INTERVAL_SECONDS if status == Status.SUBMITTED else settings.VERIFY_INTERVAL_SECONDS
    due = ScheduledPost.objects.filter(status=status).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at)
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    lost_after = timedelta(seconds=max(interval, settings.REHINT_AFTER_SECONDS))
    ScheduledPost.objects.filter(pk__in=ids, status=status).update(next_attempt_at=at + lost_after)
    return ids


def _check_again(post: ScheduledPost, status: str, interval: float) -> None:
    ScheduledPost.objects.filter(pk=post.pk, status=status).update(
        next_attempt_at=timezone.now() + timedelta(seconds=interval)
    )


def poll_submitted(post_id: uuid.UUID) -> None:
    """Ask Blotato how a submitted post is doing; settle it when Blotato has."""
    post = ScheduledPost.objects.select_related("owner").filter(pk=post_id, status=Status.SUBMITTED).first()
    if post is None:
        return
    api_key = api_key_for(post.owner)
    if wait := rate_limit.take_check_slot(api_key):
        _check_again(post, Status.SUBMITTED, wait)  # this key's checks are spent for now
        return
    now = timezone.now()
    try:
        status = client_for(api_key).post_status(post.blotato_submission_id)
    except BlotatoError as error:
        logger.warning("polling post %s failed: %s", post.pk, error.message)
        _check_again(post, Status.SUBMITTED, settings.POLL_INTERVAL_SECONDS)
        return
    submitted = ScheduledPost.objects.filter(pk=post.pk, status=Status.SUBMITTED)
    if status.status == "published":
        submitted.update(
            status=Status.PUBLISHED,
            published_at=now,
            platform_url=status.public_url or "",
            platform_post_id=_post_id_from_url(status.public_url),
            next_attempt_at=None,
        )
        logger.info("post %s published: %s", post.pk, status.public_url)
    elif status.status == "failed":
        submitted.update(
            status=Status.FAILED,
            last_error=f"The platform refused the post: {status.error_message or 'no reason given'}",
            next_attempt_at=None,
        )
        logger.info("post %s failed on the platform: %s", post.pk, status.error_message)
    elif post.submitted_at and now - post.submitted_at > timedelta(seconds=settings.POLL_DEADLINE_SECONDS):
        submitted.update(
            status=Status.NEEDS_REVIEW,
            last_error="Blotato accepted the post but has not confirmed it went live; check the platform.",
        )
    else:
        _check_again(post, Status.SUBMITTED, settings.POLL_INTERVAL_SECONDS)


def verify_unknown_outcome(post_id: uuid.UUID) -> None:
    """Look for a post whose send may or may not have reached Blotato, and decide its fate."""
    post = (
        ScheduledPost.objects.select_related("owner", "account", "clip")
        .filter(pk=post_id, status=Status.VERIFYING)
        .first()
    )
    if post is None:
        return
    if wait := rate_limit.take_check_slot(api_key_for(post.owner)):
        _check_again(post, Status.VERIFYING, wait)
        return
    now = timezone.now()
    attempt = PublishAttempt.objects.filter(post=post, number=post.attempts).first()
    started = attempt.started_at if attempt else post.scheduled_time
    try:
        # A lost send is an immediate post: Blotato dates it when it arrived, between the two.
        found = find_on_blotato(post, since=started - timedelta(minutes=5), until=now + timedelta(minutes=5))
    except BlotatoError as error:
        logger.warning("looking up post %s on Blotato failed: %s", post.pk, error.message)
        _check_again(post, Status.VERIFYING, settings.VERIFY_INTERVAL_SECONDS)
        return
    verifying = ScheduledPost.objects.filter(pk=post.pk, status=Status.VERIFYING)
    if found is not None:
        adopt(post, found)
    elif post.verify_until and now < post.verify_until:
        # Blotato queues asynchronously; look again next interval
        _check_again(post, Status.VERIFYING, settings.VERIFY_INTERVAL_SECONDS)
    elif attempt and attempt.http_status and attempt.http_status >= 500 and attempts_left(post):
        # Blotato answered with an error and nothing arrived: a known miss, retried with backoff.
        from .dispatch import retry_delay

        send_back(post, when=now + retry_delay(post.attempts), error=post.last_error, from_status=Status.VERIFYING)
    elif post.unconfirmed_resends == 0 and attempts_left(post):
        verifying.update(
            status=Status.SCHEDULED,
            next_attempt_at=now,
            hinted_at=None,
            unconfirmed_resends=1,
            last_error="Not found on Blotato after the send was lost; sending once more.",
        )
        logger.warning("post %s not found on Blotato; resending once", post.pk)
    else:
        verifying.update(status=Status.NEEDS_REVIEW, last_error=NEEDS_REVIEW_MESSAGE)
        logger.warning("post %s needs review", post.pk)


def find_on_blotato(post: ScheduledPost, *, since: datetime, until: datetime) -> ListedPost | None:
    """The Blotato post that is this one: same platform, text and media, not already adopted."""
    client = client_for(api_key_for(post.owner))
    media = sorted([post.clip.media_url] if post.clip else [])
    taken = set(
        ScheduledPost.objects.filter(owner=post.owner, platform=post.platform)
        .exclude(pk=post.pk)
        .exclude(platform_post_id="")
        .values_list("platform_post_id", flat=True)
    )
    for item in client.list_posts(since=since, until=until, platform=post.platform):
        if item.account_id and item.account_id != post.account.blotato_account_id:
            continue
        if item.text == post.caption and sorted(item.media_urls) == media and item.id not in taken:
            return item
    return None


def adopt(post: ScheduledPost, item: ListedPost) -> None:
    verifying = ScheduledPost.objects.filter(pk=post.pk, status=Status.VERIFYING)
    now = timezone.now()
    if item.submission_id:
        verifying.update(
            status=Status.SUBMITTED,
            blotato_submission_id=item.submission_id,
            submitted_at=now,
            next_attempt_at=now,
            platform_post_id=item.id,
        )
    elif item.state == "published":
        verifying.update(
            status=Status.PUBLISHED,
            published_at=now,
            platform_url=item.post_url or "",
            platform_post_id=item.id,
            last_error="",
            next_attempt_at=None,
        )
    elif item.state == "failed":
        verifying.update(
            status=Status.FAILED,
            platform_post_id=item.id,
            last_error=f"The platform refused the post: {item.error_message or 'no reason given'}",
        )
    else:  # listed but not settled yet: look again next interval
        _check_again(post, Status.VERIFYING, settings.VERIFY_INTERVAL_SECONDS)
        return
    logger.info("post %s found on Blotato as %s (%s)", post.pk, item.id, item.state)


def _post_id_from_url(url: str | None) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""
