"""Every change of a post's status, in one place: the publishing state machine.

```
draft ──schedule (a person gives it a future time)──> scheduled
  └──> cancelled
scheduled ──claim──> publishing ──201──> submitted ──poll──> published | failed
  │  ▲                 ├── 4xx: failed at once with Blotato's message
  │  │                 ├── 429 / connection refused: back to scheduled (backoff), or failed
  │  │                 ├── later than the owner's grace period: missed
  │  │                 └── lost answer / timeout / 5xx / crash: verifying
  │  │                        verifying ──> submitted | published | failed   (found in Blotato's list)
  │  │                                 └─> needs_review (not found in its window; never resent)
  │  │                                 └─> scheduled (only if the owner allows one resend)
  │  │                     submitted ──> needs_review (never confirmed before the poll deadline)
  │  └── retry (failed, missed, needs_review: a person decided), or a missed post moved to a new time
  ├──> scheduled   (moved or edited; still only while scheduled; a draft stays a draft when edited)
  ├──> cancelled   (only while scheduled) ──undo──> scheduled (only while its time is still ahead)
  └──> missed      (found later than the grace period)
needs_review | verifying ──"it is live" (a person)──> published
```

Each verb is one conditional UPDATE (`WHERE status IN (...)`, plus the claim token where a worker
holds one) that says whether it won, so a user's click racing the dispatcher, two beats or a
redelivered message change a post at most once. Leaving `publishing` always releases the claim.
A move that wins logs `post <id> <from> -> <to> (<why>)`, adds a line to the post's timeline and
hands the news to post_outcomes.py (notifications, webhook events) in the same transaction, except
the two bookkeeping moves of the hot path (a claim, and a claim handed back unused for lack of rate
budget): a claim's record is its attempt row, and a hand-back sends nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import post_outcomes, timeline
from .models import EDITABLE, RETRYABLE, ScheduledPost, Status, due_at, web_url
from .retries import attempts_left

logger = logging.getLogger(__name__)

S = Status
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.DRAFT, S.SCHEDULED, S.CANCELLED},
    S.SCHEDULED: {S.PUBLISHING, S.SCHEDULED, S.CANCELLED, S.MISSED},
    S.PUBLISHING: {S.SUBMITTED, S.SCHEDULED, S.FAILED, S.MISSED, S.VERIFYING},
    S.SUBMITTED: {S.PUBLISHED, S.FAILED, S.NEEDS_REVIEW},
    S.VERIFYING: {S.SUBMITTED, S.PUBLISHED, S.FAILED, S.NEEDS_REVIEW, S.SCHEDULED},
    S.FAILED: {S.SCHEDULED},
    S.MISSED: {S.SCHEDULED},
    S.NEEDS_REVIEW: {S.SCHEDULED, S.PUBLISHED},
    S.PUBLISHED: set(),
    S.CANCELLED: {S.SCHEDULED},
}
NEEDS_REVIEW_MESSAGE = (
    "Could not confirm — check the platform before retrying. Blotato never confirmed receiving "
    "this post and it was not found in Blotato's post list."
)


class WrongStatus(Exception):
    """The post is not in a status that allows this change; `status` is the one it has."""

    def __init__(self, status: str, allowed: list[str]):
        super().__init__(status)
        self.status = status
        self.allowed = allowed


def move(
    post_id: uuid.UUID,
    sources: list[str],
    to: str,
    why: str,
    *,
    actor=None,
    where: Q | None = None,
    quiet: bool = False,
    **changes,
) -> bool:
    """Move a post still in one of `sources` (and matching `where`) to `to`; True if this call did."""
    _refuse_outside_lifecycle(sources, to)  # before any transaction: a refusal spoils none
    posts = ScheduledPost.objects.filter(pk=post_id)
    if where is not None:
        posts = posts.filter(where)
    if quiet:  # one UPDATE is atomic by itself: no transaction round trips on the sending path
        won = _update(posts, sources, to, **changes) == 1
    else:
        # The change, its history entry and the news of it together. Inside a caller's transaction
        # no savepoint: nothing here is caught and retried, so the caller's transaction is the unit.
        with transaction.atomic(savepoint=False):
            won = _update(posts, sources, to, **changes) == 1
            if won:
                timeline.record(post_id, why, status=to, actor=actor)
                post_outcomes.moved(post_id, sources, to, why)  # notifications and webhooks
    if won:
        logger.log(
            logging.DEBUG if quiet else logging.INFO, "post %s %s -> %s (%s)", post_id, "|".join(sources), to, why
        )
    return won


def _refuse_outside_lifecycle(sources: list[str], to: str) -> None:
    refused = [source for source in sources if to not in ALLOWED[source]]
    if refused:
        raise ValueError(f"no transition {'/'.join(refused)} -> {to} in the lifecycle")


def _update(posts, sources: list[str], to: str, **changes) -> int:
    """The one conditional UPDATE behind every move: only the lifecycle's transitions, and a post
    leaving `publishing` leaves its claim behind. How many of `posts` still in `sources` it moved."""
    _refuse_outside_lifecycle(sources, to)
    if Status.PUBLISHING in sources and to != Status.PUBLISHING:
        changes.update(claim_token=None, lease_until=None)
    return posts.filter(status__in=sources).update(status=to, **changes)


def move_or_refuse(
    post: ScheduledPost, allowed: list[str], to: str, why: str, *, actor=None, where: Q | None = None, **changes
) -> None:
    """A person's change: made, and `post` reloaded, or WrongStatus with the status it really has."""
    if not move(post.pk, allowed, to, why, actor=actor, where=where, **changes):
        current = ScheduledPost.objects.filter(pk=post.pk).values_list("status", flat=True).first()
        raise WrongStatus(current or "deleted", allowed)
    post.refresh_from_db()


# --- the dispatcher's moves ----------------------------------------------------------------------


def claim(post_id: uuid.UUID, *, at: datetime) -> uuid.UUID | None:
    """Take one due post for sending; the claim token only for the caller that won."""
    token, won = claim_many([post_id], at=at)
    return token if won else None


def claim_many(post_ids: list[uuid.UUID], *, at: datetime) -> tuple[uuid.UUID, int]:
    """Take the due posts among `post_ids` for sending in one UPDATE; how many it took.

    The posts taken share one claim token: a post's fence is its id and the token together, and
    each still gets its own attempt number, so sharing it changes nothing about at most once.
    """
    token = uuid.uuid4()
    taken = _update(
        ScheduledPost.objects.filter(due_at(at), pk__in=post_ids),
        [Status.SCHEDULED],
        Status.PUBLISHING,
        claim_token=token,
        lease_until=at + timedelta(seconds=settings.PUBLISH_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    if taken:
        logger.debug("claimed %d of %d posts (%s)", taken, len(post_ids), token)
    return token, taken


def hand_back_unsent(post_id: uuid.UUID, claim_token: uuid.UUID, *, until: datetime) -> bool:
    """No rate budget left for this key: not an attempt, so its number is handed back too."""
    return _hand_back(post_id, claim_token, "no rate budget yet", next_attempt_at=until)


def hold_for_pause(post_id: uuid.UUID, claim_token: uuid.UUID) -> bool:
    """Claimed, then found paused before anything was sent: back to wait, its attempt not spent."""
    return _hand_back(post_id, claim_token, "publishing is paused")


def _hand_back(post_id: uuid.UUID, claim_token: uuid.UUID, why: str, **changes) -> bool:
    """A claimed post nothing was sent for goes back to scheduled; the claim did not count."""
    return move(
        post_id,
        [Status.PUBLISHING],
        Status.SCHEDULED,
        why,
        where=Q(claim_token=claim_token),
        quiet=True,
        attempts=F("attempts") - 1,
        hinted_at=None,
        **changes,
    )


def back_off(post: ScheduledPost, *, when: datetime, error: str, claim_token: uuid.UUID | None = None) -> bool:
    """A send that provably created nothing: try again at `when`, or fail once the budget is spent."""
    fence = Q(claim_token=claim_token) if claim_token else None
    if not attempts_left(post):
        return fail(post.pk, f"Gave up after {post.attempts} attempts: {error}", claim_token=claim_token)
    return move(
        post.pk,
        [Status.PUBLISHING],
        Status.SCHEDULED,
        error,
        where=fence,
        next_attempt_at=when,
        hinted_at=None,
        last_error=error,
    )


def fail(post_id: uuid.UUID, error: str, *, claim_token: uuid.UUID | None = None) -> bool:
    """Blotato or we refused the post before it was sent: it will not be tried again by itself."""
    fence = Q(claim_token=claim_token) if claim_token else None
    return move(post_id, [Status.PUBLISHING], Status.FAILED, error, where=fence, last_error=error)


def miss(post_id: uuid.UUID, error: str, *, claim_token: uuid.UUID | None = None, **changes) -> bool:
    """Found later than its owner's grace period: not sent stale; the owner publishes or moves it."""
    if claim_token:
        return move(
            post_id, [Status.PUBLISHING], Status.MISSED, error, where=Q(claim_token=claim_token), last_error=error
        )
    return move(post_id, [Status.SCHEDULED], Status.MISSED, error, last_error=error, **changes)


def submit(post_id: uuid.UUID, *, attempt_number: int, submission_id: str) -> bool:
    """Blotato has the post: from here on it is only polled, never sent again.

    The reconciler may have moved it to verifying meanwhile; the submission id settles it. The
    attempt number fences out an older attempt's late answer. `last_error` stays on record.
    """
    now = timezone.now()
    return move(
        post_id,
        [Status.PUBLISHING, Status.VERIFYING],
        Status.SUBMITTED,
        f"Accepted by Blotato (submission {submission_id}).",
        where=Q(attempts=attempt_number),
        blotato_submission_id=submission_id,
        submitted_at=now,
        verify_until=None,
        next_attempt_at=now + timedelta(seconds=settings.POLL_INTERVAL_SECONDS),
    )


def start_verifying(post: ScheduledPost, *, error: str, window: timedelta, claim_token: uuid.UUID) -> bool:
    """An unknown outcome: look for the post in Blotato's list for `window`; never resend it."""
    now = timezone.now()
    minutes = round(window.total_seconds() / 60)
    why = (
        f"{error} It may still have been created, so it is not sent again: looking for it in "
        f"Blotato's post list for up to {minutes} minute{'s' if minutes != 1 else ''}."
    )
    return move(
        post.pk,
        [Status.PUBLISHING],
        Status.VERIFYING,
        why,
        where=Q(claim_token=claim_token),
        last_error=error,
        verify_until=now + window,
        verify_searches=0,
        next_attempt_at=now + timedelta(seconds=settings.VERIFY_INTERVAL_SECONDS),
    )


# --- what Blotato tells us afterwards ------------------------------------------------------------


def published(post_id: uuid.UUID, url: str | None, *, from_status: str, note: str = "", **changes) -> bool:
    """Live on the platform, as Blotato's status (submitted) or its post list (verifying) says."""
    url = web_url(url)
    return move(
        post_id,
        [from_status],
        Status.PUBLISHED,
        f"{note}Published: {url or 'Blotato gave no link'}",
        published_at=timezone.now(),
        platform_url=url,
        next_attempt_at=None,
        **changes,
    )


def refused_by_platform(post_id: uuid.UUID, reason: str | None, *, from_status: str, note: str = "", **changes) -> bool:
    """Blotato took the post, the platform did not."""
    error = f"The platform refused the post: {reason or 'no reason given'}"
    return move(
        post_id, [from_status], Status.FAILED, f"{note}{error}", last_error=error, next_attempt_at=None, **changes
    )


def adopted(post_id: uuid.UUID, submission_id: str, *, note: str, **changes) -> bool:
    """Found in Blotato's list with its submission id: polled from here as if the answer had come."""
    now = timezone.now()
    return move(
        post_id,
        [Status.VERIFYING],
        Status.SUBMITTED,
        f"{note}Accepted by Blotato (submission {submission_id}).",
        blotato_submission_id=submission_id,
        submitted_at=now,
        next_attempt_at=now,
        **changes,
    )


def unconfirmed(post_id: uuid.UUID, *, from_status: str, error: str, detail: str = "", **changes) -> bool:
    """Not confirmed and not found: its owner checks the platform and decides (needs_review)."""
    why = f"{error} {detail}".strip()
    return move(post_id, [from_status], Status.NEEDS_REVIEW, why, last_error=error, **changes)


def resend_unconfirmed(post_id: uuid.UUID, *, searches: int) -> bool:
    """The owner's setting allows one resend of a post that could not be confirmed."""
    error = (
        f"Not found on Blotato after {searches} searches; sending it once more, as your settings "
        "allow (it may appear twice)."
    )
    return move(
        post_id,
        [Status.VERIFYING],
        Status.SCHEDULED,
        error,
        next_attempt_at=timezone.now(),
        hinted_at=None,
        verify_searches=searches,
        unconfirmed_resends=1,
        last_error=error,
    )


# --- a person's moves (WrongStatus when the post has moved on) -----------------------------------


def edit(post: ScheduledPost, why: str, *, actor=None, **changes) -> None:
    """Change a post nothing has been sent for; a draft stays a draft, a scheduled post scheduled.

    The status the caller saw is the only source: if a worker claimed the post meanwhile, the
    UPDATE matches nothing and the edit is refused (409), so a post is never changed mid-send.
    """
    if post.status not in EDITABLE:
        raise WrongStatus(post.status, EDITABLE)
    try:
        move_or_refuse(post, [post.status], post.status, why, actor=actor, **changes)
    except WrongStatus as refused:
        raise WrongStatus(refused.status, EDITABLE) from None


def schedule_draft(post: ScheduledPost, why: str, *, actor=None, **changes) -> None:
    """A draft given its time: from now on the dispatcher sends it when that time comes."""
    move_or_refuse(post, [Status.DRAFT], Status.SCHEDULED, why, actor=actor, **changes)


def move_missed(post: ScheduledPost, why: str, *, actor=None, **changes) -> None:
    """A missed post given a new (future) time: scheduled again, with a fresh attempt budget."""
    # Rescheduled, it is no longer one of the posts a pause made late (pause.py's list).
    changes.update(next_attempt_at=None, hinted_at=None, attempts_at_retry=F("attempts"), missed_in_pause=None)
    move_or_refuse(post, [Status.MISSED], Status.SCHEDULED, why, actor=actor, **changes)


def cancel(post: ScheduledPost, *, actor=None) -> None:
    move_or_refuse(post, [Status.SCHEDULED, Status.DRAFT], Status.CANCELLED, "Cancelled.", actor=actor)


def undo_cancel(post: ScheduledPost, *, at: datetime, actor=None) -> None:
    """Take a cancel back, only while the post's time is still ahead: undo never sends a late post."""
    move_or_refuse(
        post,
        [Status.CANCELLED],
        Status.SCHEDULED,
        "Cancel undone.",
        actor=actor,
        where=Q(scheduled_time__gt=at),
        next_attempt_at=None,
        hinted_at=None,
    )


def retry(post: ScheduledPost, *, at: datetime, actor=None) -> None:
    """Send it again now with a fresh attempt budget; for needs_review, the owner's word it is not live."""
    was = post.status
    why = (
        "Checked the platform: it is not there. Sent again on this decision."
        if was == Status.NEEDS_REVIEW
        else f"Sent again ({was} before)."
    )
    move_or_refuse(
        post,
        RETRYABLE,
        Status.SCHEDULED,
        why,
        actor=actor,
        scheduled_time=at,
        next_attempt_at=None,
        hinted_at=None,
        verify_until=None,
        verify_searches=0,
        unconfirmed_resends=0,
        attempts_at_retry=F("attempts"),
        missed_in_pause=None,
    )


def reschedule_missed(post_id: uuid.UUID, *, at: datetime, why: str, actor=None) -> bool:
    """A missed post moved to a new time by its owner, with a fresh attempt budget."""
    return move(
        post_id,
        [Status.MISSED],
        Status.SCHEDULED,
        why,
        actor=actor,
        scheduled_time=at,
        next_attempt_at=None,
        hinted_at=None,
        attempts_at_retry=F("attempts"),
        missed_in_pause=None,
    )


def confirm_live(post: ScheduledPost, *, url: str = "", actor=None) -> None:
    """The owner found the unconfirmed post on the platform: published, never sent again."""
    url = web_url(url)
    move_or_refuse(
        post,
        [Status.NEEDS_REVIEW, Status.VERIFYING],
        Status.PUBLISHED,
        f"Checked the platform: it is live{f' at {url}' if url else ''}.",
        actor=actor,
        published_at=timezone.now(),
        platform_url=url or post.platform_url,
        next_attempt_at=None,
        verify_until=None,
    )
