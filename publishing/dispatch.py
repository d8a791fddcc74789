"""The dispatch loop: find due posts, claim each one exactly once, send it to Blotato.

The database is the only truth; a Celery message is a hint to look at a row. Every status change
is one of transitions.py's conditional UPDATEs that says whether it won, so duplicated hints, two
beats or a redelivered task do nothing twice. The attempt row is written before the HTTP call:
once Blotato may have the post, it is never sent again by itself; reconcile.py looks for it.
Posts falling due at the same instant travel in batches (one message, one claim, one read), and
each post of a batch is then sent exactly as a lone one.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import crashpoints, database_pool, media_hosting, notifications, pause, rate_limit, send_threads, transitions
from .blotato import AuthRejected, NotSent, RateLimited, Rejected, UnknownOutcome
from .blotato_clients import api_key_for, client_for
from .models import AttemptState, Profile, PublishAttempt, ScheduledPost, Status
from .platforms import blotato_target
from .retries import retry_delay

logger = logging.getLogger(__name__)


# --- Finding and claiming due posts ------------------------------------------------------------


def mark_missed_posts(*, at: datetime) -> int:
    """Posts found later than their owner's grace period are not sent silently: they are `missed`."""
    missed = 0
    for grace in Profile.objects.values_list("late_grace_minutes", flat=True).distinct():
        late = ScheduledPost.objects.filter(
            status=Status.SCHEDULED,
            scheduled_time__lt=at - timedelta(minutes=grace),
            owner__profile__late_grace_minutes=grace,
        ).exclude(pause.held())  # a paused post is judged when it is resumed (pause.py)
        error = f"Not sent: found more than {grace} minutes after its time. Publish it now or move it."
        missed += sum(transitions.miss(post_id, error) for post_id in late.values_list("pk", flat=True)[:1000])
    return missed


def _lock_due(at: datetime, limit: int, *conditions: Q):
    due = ScheduledPost.objects.due(at).filter(*conditions).order_by("scheduled_time")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: concurrent dispatchers take disjoint rows and never wait on each other.
        # SQLite serialises writers; the conditional UPDATE in claim() is what decides anyway.
        due = due.select_for_update(skip_locked=True, no_key=True)
    return due.values_list("pk", flat=True)[:limit]


class Hint(NamedTuple):
    """A post to send, and the instant it falls due (now, or within the look-ahead)."""

    post_id: uuid.UUID
    due: datetime


def hint_due_posts(
    *, at: datetime, limit: int = 1000, queue_backlog: int = 0, lookahead: timedelta = timedelta(0)
) -> list[Hint]:
    """Posts that need a publish hint: due by `at + lookahead`, never hinted or hinted long ago.

    The look-ahead hands a worker the posts falling due before the next tick together with their
    exact instant, so a post due at 09:00:00.000 leaves at 09:00:00, not at the first tick after
    it. The worker waits for that instant and then claims as always: the database still decides.

    While the broker's queue holds more than REHINT_MAX_BACKLOG messages, an old hint is most
    likely still waiting in it, not lost: then only first hints go out, so an overloaded queue
    does not fill with copies of itself. Once it drains, lost hints are sent again as before.
    """
    needs_hint = Q(hinted_at__isnull=True)
    if queue_backlog <= settings.REHINT_MAX_BACKLOG:
        needs_hint |= Q(hinted_at__lt=at - timedelta(seconds=settings.REHINT_AFTER_SECONDS))
    with transaction.atomic():
        ids = list(_lock_due(at + lookahead, limit, needs_hint))
        rows = ScheduledPost.objects.filter(pk__in=ids).values_list("pk", "scheduled_time", "next_attempt_at")
        hints = [Hint(pk, max(when, backoff or when)) for pk, when, backoff in rows]
        ScheduledPost.objects.filter(pk__in=ids).update(hinted_at=at)
    return sorted(hints, key=lambda hint: hint.due)


def batched(hints: list[Hint], *, size: int, within: timedelta = timedelta(milliseconds=20)) -> list[list[Hint]]:
    """Hints (in due order) in batches of at most `size` falling due within `within` of each other.

    A batch is sent at its last post's instant, so no post leaves more than `within` late; a post
    with no neighbours is a batch of one.
    """
    batches: list[list[Hint]] = []
    for hint in hints:
        current = batches[-1] if batches else None
        if current and len(current) < size and hint.due - current[0].due <= within:
            current.append(hint)
        else:
            batches.append([hint])
    return batches


def wait_until_due(due: datetime, *, longest: timedelta) -> None:
    """Sleep until a hinted post's instant; a hint from further ahead than `longest` is not waited for."""
    wait = (due - timezone.now()).total_seconds()
    if 0 < wait <= longest.total_seconds():
        time.sleep(wait)


def claim_due_posts(*, at: datetime, limit: int = 200) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Claim every due post; safe to run in several processes at once."""
    with transaction.atomic():
        claimed = [(pk, transitions.claim(pk, at=at)) for pk in _lock_due(at, limit)]
    return [(pk, token) for pk, token in claimed if token]


def run_once(*, at: datetime | None = None) -> int:
    """One synchronous pass without Celery (`dispatch_due_posts --once`): claim and publish."""
    at = at or timezone.now()
    mark_missed_posts(at=at)
    for clip_id in media_hosting.clips_to_host(at=at):
        media_hosting.host(clip_id)
    claimed = claim_due_posts(at=at)
    for post_id, token in claimed:
        publish(post_id, token)
    return len(claimed)


# --- Publishing one claimed post ---------------------------------------------------------------


def publish(post_id: uuid.UUID, claim_token: uuid.UUID, *, just_claimed: bool = False) -> None:
    """Send one claimed post to Blotato, at most once.

    1. Only the holder of the claim token acts; anyone else (a duplicate message) returns.
    2. A post paused since its claim waits unsent; one later than its owner's grace period becomes
       `missed` instead of going out stale; one whose uploaded clip Blotato refused to host fails
       with that reason, never sent bare.
    3. A post creation is taken from the key's token bucket; if none is left, come back later.
    4. The attempt row is committed (unique per post and claim) before anything is sent.
    5. The attempt is marked `sent` only while the lease still holds; a zombie past its lease stops.
    6. Blotato's answer decides: submitted, failed, back to scheduled, or verifying when unknown.
    """
    post = _claimed_posts([post_id], claim_token).first()
    if post is not None:
        send_claimed(post, claim_token, just_claimed=just_claimed)


def publish_batch(post_ids: list[uuid.UUID]) -> int:
    """Claim the due posts of a batch in one UPDATE, read them in one SELECT, send them side by side.

    A burst of posts due at one instant arrives in batches (`batched`): per post, it then costs
    the sends' own statements only, not a claim and a read of its own. Each send is exactly
    `publish` after its claim. Returns how many posts this call claimed.
    """
    with send_threads.room_for(len(post_ids)):  # claimed only once they can all be sent at once
        claim_token, taken = transitions.claim_many(post_ids, at=timezone.now())
        if not taken:
            return 0
        posts = list(_claimed_posts(post_ids, claim_token))
        database_pool.release_while_waiting()  # the sending threads need the pool's connections
        send_threads.side_by_side(lambda post: send_claimed(post, claim_token, just_claimed=True), posts)
    return taken


def _claimed_posts(post_ids: list[uuid.UUID], claim_token: uuid.UUID):
    return ScheduledPost.objects.select_related("account", "clip", "cover", "owner__profile").filter(
        pk__in=post_ids, status=Status.PUBLISHING, claim_token=claim_token
    )


def send_claimed(post: ScheduledPost, claim_token: uuid.UUID, *, just_claimed: bool = False) -> None:
    """`publish` for a post read under its claim: the steps from 2 on."""
    fence = {"claim_token": claim_token}
    now = timezone.now()
    # A claim made a moment ago by this same call was not paused: the claim's own condition
    # (models.due_at) excludes held posts, so looking again would cost a query on every send.
    if not just_claimed and pause.holds(post.owner_id):  # paused after its claim: it waits, unsent
        transitions.hold_for_pause(post.pk, claim_token)
        return
    if now - post.scheduled_time > post.owner.profile.late_grace:
        minutes = post.owner.profile.late_grace_minutes
        error = f"Not sent: it was more than {minutes} minutes late. Publish it now or move it."
        transitions.miss(post.pk, error, claim_token=claim_token)
        return

    refused = next((media for media in (post.clip, post.cover) if media and media.hosting_failed), None)
    if refused:  # never sent without its media
        transitions.fail(post.pk, media_hosting.failure_reason(refused), claim_token=claim_token)
        return

    api_key = api_key_for(post.owner)
    if not api_key:
        transitions.fail(post.pk, "No Blotato API key: add yours in Settings.", claim_token=claim_token)
        return
    wait = rate_limit.take_post_slot(api_key)
    if wait > 0:
        transitions.hand_back_unsent(post.pk, claim_token, until=now + timedelta(seconds=wait))
        return

    try:
        attempt = _record_attempt(post, claim_token, started_at=now)
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

    database_pool.release_while_waiting()
    try:
        created = client_for(api_key).create_post(
            account_id=post.account.blotato_account_id,
            platform=post.platform,
            text=post.caption,
            media_urls=[post.clip.media_url] if post.clip else [],
            target=blotato_target(post),
        )
    except Rejected as error:
        _finish(attempt, AttemptState.REJECTED, error)
        reason = "Blotato rejected the API key" if isinstance(error, AuthRejected) else "Blotato refused the post"
        status = f" (HTTP {error.status})" if error.status else ""
        transitions.fail(post.pk, f"{reason}{status}: {error.message}", claim_token=claim_token)
        if isinstance(error, AuthRejected):
            notifications.key_refused(post.owner_id, api_key, error.message or "unauthorised")
    except RateLimited as error:
        _finish(attempt, AttemptState.RATE_LIMITED, error)
        when = timezone.now() + retry_delay(post.attempts, at_least=error.retry_after)
        transitions.back_off(
            post, when=when, error=f"Rate limited by Blotato: {error.message}", claim_token=claim_token
        )
    except NotSent as error:
        _finish(attempt, AttemptState.NOT_SENT, error)
        when = timezone.now() + retry_delay(post.attempts)
        transitions.back_off(
            post, when=when, error=f"Could not reach Blotato: {error.message}", claim_token=claim_token
        )
    except UnknownOutcome as error:
        # A lost answer, a read timeout or any 5xx: Blotato may have created the post. Never resent
        # automatically; it is looked for in Blotato's list, then handed to the user.
        _finish(attempt, AttemptState.UNKNOWN, error)
        start_verifying(post, error=f"Blotato did not confirm the post: {error.message}", claim_token=claim_token)
    else:
        crashpoints.reach("after_response_before_commit", post)
        mark_submitted(post, attempt, created.submission_id)


def _record_attempt(post: ScheduledPost, claim_token: uuid.UUID, *, started_at: datetime) -> PublishAttempt:
    """The attempt row, committed before anything is sent; IntegrityError if this claim has one.

    Outside a transaction the INSERT commits by itself (no BEGIN/COMMIT round trips on the
    sending path); inside a caller's, a savepoint keeps a duplicate from spoiling it.
    """
    fields = {"post": post, "number": post.attempts, "claim_token": claim_token, "started_at": started_at}
    if not connection.in_atomic_block:
        return PublishAttempt.objects.create(**fields)
    with transaction.atomic():
        return PublishAttempt.objects.create(**fields)


def mark_submitted(post: ScheduledPost, attempt: PublishAttempt, submission_id: str) -> None:
    """Blotato has the post: from here on it is only ever polled, never sent again."""
    with transaction.atomic():
        PublishAttempt.objects.filter(pk=attempt.pk).update(
            state=AttemptState.ACCEPTED, http_status=201, submission_id=submission_id, finished_at=timezone.now()
        )
        transitions.submit(post.pk, attempt_number=attempt.number, submission_id=submission_id)


def verify_window(post: ScheduledPost) -> timedelta:
    """How long Blotato may keep this post out of its list while processing it: by its media."""
    kind = post.clip.media_kind if post.clip_id and post.clip else "text"
    return timedelta(seconds=settings.VERIFY_WINDOW_SECONDS[kind])


def start_verifying(post: ScheduledPost, *, error: str, claim_token: uuid.UUID) -> bool:
    """An unknown outcome: look for the post in Blotato's list for as long as its media needs."""
    return transitions.start_verifying(post, error=error, window=verify_window(post), claim_token=claim_token)


def _finish(attempt: PublishAttempt, state: str, error: Exception) -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        state=state,
        http_status=getattr(error, "status", None),
        error=str(getattr(error, "message", "") or type(error).__name__)[:2000],
        finished_at=timezone.now(),
    )
