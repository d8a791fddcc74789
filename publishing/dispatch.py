"""The dispatch loop: find due posts, claim each one exactly once, send it to Blotato.

The database is the only truth; a Celery message is a hint to look at a row. Every step is a
conditional UPDATE that says whether it won, so duplicated hints, two beats or a redelivered task
do nothing twice. The attempt row is written before the HTTP call: once Blotato may have the
post, we never send it again without first looking for it (reconcile.py).
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from . import crashpoints, rate_limit, timeline
from .blotato import (
    AuthRejected,
    BlotatoClient,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from .models import AttemptState, Profile, PublishAttempt, ScheduledPost, Status

logger = logging.getLogger(__name__)


# --- Shared pieces ---------------------------------------------------------------------------


def api_key_for(owner) -> str:
    """The Blotato key a user's posts go out with: their own, else the install's, else sandbox."""
    own = Profile.objects.filter(user=owner).values_list("blotato_api_key", flat=True).first()
    if own:
        return own
    if settings.BLOTATO_API_KEY:
        return settings.BLOTATO_API_KEY
    return settings.BLOTATO_SANDBOX_KEY if settings.BLOTATO_SANDBOX else ""


_clients: dict[str, BlotatoClient] = {}


def client_for(api_key: str) -> BlotatoClient:
    """One client (one keep-alive session) per key per process."""
    client = _clients.get(api_key)
    if client is None:
        client = _clients[api_key] = BlotatoClient(
            api_key,
            settings.BLOTATO_API_URL,
            connect_timeout=settings.BLOTATO_CONNECT_TIMEOUT,
            read_timeout=settings.BLOTATO_READ_TIMEOUT,
        )
    return client


def retry_delay(attempt_number: int, *, at_least: float = 0.0) -> timedelta:
    """Exponential backoff with full jitter, never shorter than what Blotato asked for."""
    ceiling = min(settings.RETRY_CAP_SECONDS, settings.RETRY_BASE_SECONDS * 2 ** max(0, attempt_number - 1))
    return timedelta(seconds=max(at_least, random.uniform(0, ceiling)))


def attempts_left(post: ScheduledPost) -> bool:
    return post.attempts - post.attempts_at_retry < settings.PUBLISH_MAX_ATTEMPTS


def send_back(post: ScheduledPost, *, when: datetime, error: str, from_status: str, **fence) -> bool:
    """Return a post to `scheduled` for another try at `when`, or fail it if the budget is spent."""
    if not attempts_left(post):
        changes = {"status": Status.FAILED, "last_error": f"Gave up after {post.attempts} attempts: {error}"}
    else:
        changes = {"status": Status.SCHEDULED, "next_attempt_at": when, "hinted_at": None, "last_error": error}
    won = ScheduledPost.objects.filter(pk=post.pk, status=from_status, **fence).update(
        claim_token=None, lease_until=None, **changes
    )
    if won:
        logger.info("post %s -> %s (%s)", post.pk, changes["status"], error)
        timeline.record(post.pk, changes["last_error"], status=changes["status"])
    return bool(won)


# --- Finding and claiming due posts ------------------------------------------------------------


def mark_missed_posts(*, at: datetime) -> int:
    """Posts found later than their owner's grace period are not sent silently: they are `missed`."""
    missed = 0
    for grace in Profile.objects.values_list("late_grace_minutes", flat=True).distinct():
        cutoff = at - timedelta(minutes=grace)
        missed += ScheduledPost.objects.filter(
            status=Status.SCHEDULED, scheduled_time__lt=cutoff, owner__profile__late_grace_minutes=grace
        ).update(
            status=Status.MISSED,
            last_error=f"Not sent: found more than {grace} minutes after its time. Publish it now or move it.",
        )
    return missed


def _lock_due(at: datetime, limit: int, *conditions: Q):
    due = ScheduledPost.objects.due(at).filter(*conditions).order_by("scheduled_time")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: concurrent dispatchers take disjoint rows and never wait on each other.
        # SQLite serialises writers; the conditional UPDATE in claim() is what decides anyway.
        due = due.select_for_update(skip_locked=True, no_key=True)
    return due.values_list("pk", flat=True)[:limit]


def hint_due_posts(*, at: datetime, limit: int = 500, queue_backlog: int = 0) -> list[uuid.UUID]:
    """Due posts that need a publish hint: never hinted, or hinted so long ago the message was lost.

    While the broker's queue holds more than REHINT_MAX_BACKLOG messages, an old hint is most
    likely still waiting in it, not lost: then only first hints go out, so an overloaded queue
    does not fill with copies of itself. Once it drains, lost hints are sent again as before.
    """
    needs_hint = Q(hinted_at__isnull=True)
    if queue_backlog <= settings.REHINT_MAX_BACKLOG:
        needs_hint |= Q(hinted_at__lt=at - timedelta(seconds=settings.REHINT_AFTER_SECONDS))
    with transaction.atomic():
        ids = list(_lock_due(at, limit, needs_hint))
        ScheduledPost.objects.filter(pk__in=ids).update(hinted_at=at)
    return ids


def claim(post_id: uuid.UUID, *, at: datetime) -> uuid.UUID | None:
    """Move one due post from scheduled to publishing; the claim token only for the caller that won."""
    token = uuid.uuid4()
    won = (
        ScheduledPost.objects.due(at)
        .filter(pk=post_id)
        .update(
            status=Status.PUBLISHING,
            claim_token=token,
            lease_until=at + timedelta(seconds=settings.PUBLISH_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    return token if won else None


def claim_due_posts(*, at: datetime, limit: int = 200) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Claim every due post; safe to run in several processes at once."""
    with transaction.atomic():
        claimed = [(pk, claim(pk, at=at)) for pk in _lock_due(at, limit)]
    return [(pk, token) for pk, token in claimed if token]


def run_once(*, at: datetime | None = None) -> int:
    """One synchronous pass without Celery (`dispatch_due_posts --once`): claim and publish."""
    at = at or timezone.now()
    mark_missed_posts(at=at)
    claimed = claim_due_posts(at=at)
    for post_id, token in claimed:
        publish(post_id, token)
    return len(claimed)


# --- Publishing one claimed post ---------------------------------------------------------------


def publish(post_id: uuid.UUID, claim_token: uuid.UUID) -> None:
    """Send one claimed post to Blotato, at most once.

    1. Only the holder of the claim token acts; anyone else (a duplicate message) returns.
    2. A post later than its owner's grace period becomes `missed` instead of going out stale.
    3. A post creation is taken from the key's token bucket; if none is left, come back later.
    4. The attempt row is committed (unique per post and claim) before anything is sent.
    5. The attempt is marked `sent` only while the lease still holds; a zombie past its lease stops.
    6. Blotato's answer decides: submitted, failed, back to scheduled, or verifying when unknown.
    """
    post = (
        ScheduledPost.objects.select_related("account", "clip", "owner__profile")
        .filter(pk=post_id, status=Status.PUBLISHING, claim_token=claim_token)
        .first()
    )
    if post is None:
        return
    fence = {"claim_token": claim_token}
    now = timezone.now()
    if now - post.scheduled_time > post.owner.profile.late_grace:
        minutes = post.owner.profile.late_grace_minutes
        error = f"Not sent: it was more than {minutes} minutes late. Publish it now or move it."
        if ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING, **fence).update(
            status=Status.MISSED, claim_token=None, lease_until=None, last_error=error
        ):
            timeline.record(post.pk, error, status=Status.MISSED)
        return

    api_key = api_key_for(post.owner)
    if not api_key:
        _fail(post, fence, "No Blotato API key: add yours in Settings.")
        return
    wait = rate_limit.take_post_slot(api_key)
    if wait > 0:
        # Not an attempt: nothing was sent, so the attempt number is handed back.
        ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING, **fence).update(
            status=Status.SCHEDULED,
            claim_token=None,
            lease_until=None,
            attempts=F("attempts") - 1,
            next_attempt_at=now + timedelta(seconds=wait),
            hinted_at=None,
        )
        return

    try:
        with transaction.atomic():
            attempt = PublishAttempt.objects.create(
                post=post, number=post.attempts, claim_token=claim_token, started_at=now
            )
    except IntegrityError:
        return  # this claim was already used once; never send it twice
    crashpoints.reach("after_claim", post)

    lease_holds = ScheduledPost.objects.filter(
        pk=OuterRef("post_id"), status=Status.PUBLISHING, lease_until__gt=timezone.now(), **fence
    )
    if (
        not PublishAttempt.objects.filter(pk=attempt.pk, state=AttemptState.PREPARED)
        .filter(Exists(lease_holds))
        .update(state=AttemptState.SENT, sent_at=timezone.now())
    ):
        return  # the lease ran out: the reconciler owns this post now
    crashpoints.reach("after_mark_sent", post)

    try:
        created = client_for(api_key).create_post(
            account_id=post.account.blotato_account_id,
            platform=post.platform,
            text=post.caption,
            media_urls=[post.clip.media_url] if post.clip else [],
            target=target_for(post),
        )
    except Rejected as error:
        _finish(attempt, AttemptState.REJECTED, error)
        reason = "Blotato rejected the API key" if isinstance(error, AuthRejected) else "Blotato refused the post"
        status = f" (HTTP {error.status})" if error.status else ""
        _fail(post, fence, f"{reason}{status}: {error.message}")
    except RateLimited as error:
        _finish(attempt, AttemptState.RATE_LIMITED, error)
        when = timezone.now() + retry_delay(post.attempts, at_least=error.retry_after)
        send_back(
            post, when=when, error=f"Rate limited by Blotato: {error.message}", from_status=Status.PUBLISHING, **fence
        )
    except NotSent as error:
        _finish(attempt, AttemptState.NOT_SENT, error)
        when = timezone.now() + retry_delay(post.attempts)
        send_back(
            post, when=when, error=f"Could not reach Blotato: {error.message}", from_status=Status.PUBLISHING, **fence
        )
    except UnknownOutcome as error:
        # A lost answer, a read timeout or any 5xx: Blotato may have created the post. Never resent
        # automatically; it is looked for in Blotato's list, then handed to the user.
        _finish(attempt, AttemptState.UNKNOWN, error)
        start_verifying(post, error=f"Blotato did not confirm the post: {error.message}", **fence)
    else:
        crashpoints.reach("after_response_before_commit", post)
        mark_submitted(post, attempt, created.submission_id)


def target_for(post: ScheduledPost) -> dict:
    """Blotato's target fields: platform defaults, the account's page/board, the user's choices."""
    from .platforms import RULES

    target = dict(RULES[post.platform].target_defaults)
    if post.platform in ("facebook", "linkedin") and post.account.page_id:
        target["pageId"] = post.account.page_id
    if post.platform == "pinterest" and post.account.board_id:
        target["boardId"] = post.account.board_id
    if post.platform == "youtube":
        target["title"] = (post.clip.title if post.clip else post.caption)[:100] or "Untitled"
    target.update(post.options)
    return target


def mark_submitted(post: ScheduledPost, attempt: PublishAttempt, submission_id: str) -> None:
    """Blotato has the post: from here on it is only ever polled, never sent again.

    `last_error` stays: an earlier attempt's problem is part of the story, not wiped by success.
    """
    now = timezone.now()
    with transaction.atomic():
        PublishAttempt.objects.filter(pk=attempt.pk).update(
            state=AttemptState.ACCEPTED, http_status=201, submission_id=submission_id, finished_at=now
        )
        # The reconciler may have moved it to verifying meanwhile; the submission id settles it.
        won = ScheduledPost.objects.filter(
            pk=post.pk, attempts=attempt.number, status__in=[Status.PUBLISHING, Status.VERIFYING]
        ).update(
            status=Status.SUBMITTED,
            blotato_submission_id=submission_id,
            submitted_at=now,
            claim_token=None,
            lease_until=None,
            verify_until=None,
            next_attempt_at=now + timedelta(seconds=settings.POLL_INTERVAL_SECONDS),
        )
        if won:
            timeline.record(post.pk, f"Accepted by Blotato (submission {submission_id}).", status=Status.SUBMITTED)
    logger.info("post %s submitted to Blotato as %s", post.pk, submission_id)


def verify_window(post: ScheduledPost) -> timedelta:
    """How long Blotato may keep this post out of its list while processing it: by its media."""
    kind = post.clip.media_kind if post.clip_id and post.clip else "text"
    return timedelta(seconds=settings.VERIFY_WINDOW_SECONDS[kind])


def start_verifying(post: ScheduledPost, *, error: str, **fence) -> bool:
    """An unknown outcome: look for the post in Blotato's list for as long as its media needs."""
    now = timezone.now()
    window = verify_window(post)
    won = ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING, **fence).update(
        status=Status.VERIFYING,
        claim_token=None,
        lease_until=None,
        last_error=error,
        verify_until=now + window,
        verify_searches=0,
        next_attempt_at=now + timedelta(seconds=settings.VERIFY_INTERVAL_SECONDS),
    )
    if won:
        minutes = round(window.total_seconds() / 60)
        timeline.record(
            post.pk,
            f"{error} It may still have been created, so it is not sent again: looking for it in "
            f"Blotato's post list for up to {minutes} minute{'s' if minutes != 1 else ''}.",
            status=Status.VERIFYING,
        )
        logger.warning("post %s -> verifying for %s (%s)", post.pk, window, error)
    return bool(won)


def _fail(post: ScheduledPost, fence: dict, error: str) -> None:
    if ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING, **fence).update(
        status=Status.FAILED, claim_token=None, lease_until=None, last_error=error
    ):
        timeline.record(post.pk, error, status=Status.FAILED)
        logger.info("post %s -> failed (%s)", post.pk, error)


def _finish(attempt: PublishAttempt, state: str, error: Exception) -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        state=state,
        http_status=getattr(error, "status", None),
        error=str(getattr(error, "message", "") or type(error).__name__)[:2000],
        finished_at=timezone.now(),
    )
