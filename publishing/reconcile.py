"""Repairs after the fact: expired leases, posts waiting for Blotato's verdict, unknown outcomes.

Runs from a beat task every few seconds. Nothing here ever sends a post. A post whose send may
have reached Blotato (a lost answer, a timeout, a 5xx, a worker killed mid-call) is looked for in
Blotato's post list for a processing window that fits its media, adopted the moment it appears,
and handed to its owner (`needs_review`) if it never does: an absent post is not proof that
nothing was created, because Blotato lists a post only once it has finished processing it.
Every status change goes through transitions.py.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import database_pool, rate_limit, transitions
from .blotato import BlotatoError, ListedPost
from .blotato_clients import api_key_for, client_for
from .dispatch import start_verifying, verify_window
from .models import AttemptState, PublishAttempt, ScheduledPost, Status, web_url
from .retries import attempts_left
from .transitions import NEEDS_REVIEW_MESSAGE

logger = logging.getLogger(__name__)


NEVER_SENT = (AttemptState.PREPARED, AttemptState.NOT_SENT, AttemptState.RATE_LIMITED)


def reap_expired_leases(*, at: datetime) -> int:
    """Claims whose worker vanished: never sent → scheduled again; maybe sent → verifying."""
    reaped = 0
    expired = ScheduledPost.objects.select_related("clip").filter(status=Status.PUBLISHING, lease_until__lt=at)
    for post in expired:
        attempt = PublishAttempt.objects.filter(post=post, number=post.attempts).first()
        token = post.claim_token
        if attempt is None or attempt.state in NEVER_SENT:
            error = "The worker stopped before sending; trying again."
            won = transitions.back_off(post, when=at, error=error, claim_token=token)
        elif attempt.state == AttemptState.REJECTED:
            won = transitions.fail(post.pk, attempt.error, claim_token=token)
        else:  # sent or unknown: Blotato may have it
            won = start_verifying(post, error="The worker stopped while sending.", claim_token=token)
        reaped += bool(won)
    return reaped


def checks_wait_for_sends(*, at: datetime) -> bool:
    """Sends first: while due posts wait to be sent, status checks wait (for a bounded time).

    At 09:00 a burst of sends and the checks of the posts sent a moment earlier share the same
    CPUs; learning a few seconds sooner that a post went live is worth less than sending the next
    one on time. No check waits longer than CHECKS_WAIT_FOR_SENDS_SECONDS past its time, so a
    queue that never empties cannot starve them, and a due post only stays unsent for so long
    anyway (it is sent, backed off, or missed after its grace period).
    """
    bound = settings.CHECKS_WAIT_FOR_SENDS_SECONDS
    if not bound or not ScheduledPost.objects.due(at).exists():
        return False
    overdue = ScheduledPost.objects.filter(
        status__in=[Status.SUBMITTED, Status.VERIFYING], next_attempt_at__lte=at - timedelta(seconds=bound)
    )
    return not overdue.exists()


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


def _check_again(post: ScheduledPost, status: str, interval: float, **changes) -> None:
    """Not settled yet: book this post's next check (no status change)."""
    ScheduledPost.objects.filter(pk=post.pk, status=status).update(
        next_attempt_at=timezone.now() + timedelta(seconds=interval), **changes
    )


def poll_submitted(post_id: uuid.UUID) -> None:
    """Ask Blotato how a submitted post is doing; settle it when Blotato has."""
    post = ScheduledPost.objects.select_related("owner__profile").filter(pk=post_id, status=Status.SUBMITTED).first()
    if post is None:
        return
    api_key = api_key_for(post.owner)
    if wait := rate_limit.take_check_slot(api_key):
        _check_again(post, Status.SUBMITTED, wait)  # this key's checks are spent for now
        return
    database_pool.release_while_waiting()
    try:
        status = client_for(api_key).post_status(post.blotato_submission_id)
    except BlotatoError as error:
        logger.warning("polling post %s failed: %s", post.pk, error.message)
        _check_again(post, Status.SUBMITTED, settings.POLL_INTERVAL_SECONDS)
        return
    if status.status == "published":
        transitions.published(
            post.pk,
            status.public_url,
            from_status=Status.SUBMITTED,
            platform_post_id=_post_id_from_url(web_url(status.public_url)),
        )
    elif status.status == "failed":
        transitions.refused_by_platform(post.pk, status.error_message, from_status=Status.SUBMITTED)
    elif post.submitted_at and timezone.now() - post.submitted_at > timedelta(seconds=settings.POLL_DEADLINE_SECONDS):
        error = "Blotato accepted the post but has not confirmed it went live; check the platform."
        transitions.unconfirmed(post.pk, from_status=Status.SUBMITTED, error=error)
    else:
        _check_again(post, Status.SUBMITTED, settings.POLL_INTERVAL_SECONDS)


def verify_unknown_outcome(post_id: uuid.UUID) -> None:
    """Look for a post whose send may or may not have reached Blotato, and decide its fate.

    Found: adopted. Not found yet: looked for again until its window ends. Never found: the
    owner decides (needs_review), unless they chose to have it sent once more.
    """
    post = (
        ScheduledPost.objects.select_related("owner__profile", "account", "clip")
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
        # A lost send is an immediate post: Blotato dates it when it settles, after `started`.
        found = find_on_blotato(post, since=started - timedelta(minutes=5), until=now + timedelta(minutes=5))
    except BlotatoError as error:
        logger.warning("looking up post %s on Blotato failed: %s", post.pk, error.message)
        _check_again(post, Status.VERIFYING, settings.VERIFY_INTERVAL_SECONDS)
        return
    searches = post.verify_searches + 1
    if found is not None:
        adopt(post, found, searches=searches)
    elif post.verify_until and now < post.verify_until:
        # Blotato lists a post only once it has processed it: look again, less often as time goes by.
        _check_again(post, Status.VERIFYING, search_interval(searches).total_seconds(), verify_searches=searches)
    elif post.owner.profile.resend_unconfirmed and post.unconfirmed_resends == 0 and attempts_left(post):
        transitions.resend_unconfirmed(post.pk, searches=searches)
    else:
        looked = f"Looked for it {searches} time{'s' if searches != 1 else ''} since {started:%H:%M} UTC."
        transitions.unconfirmed(
            post.pk,
            from_status=Status.VERIFYING,
            error=NEEDS_REVIEW_MESSAGE,
            detail=looked,
            verify_searches=searches,
        )


def search_interval(searches: int) -> timedelta:
    """Every VERIFY_INTERVAL_SECONDS at first, doubling every five searches up to the maximum."""
    seconds = settings.VERIFY_INTERVAL_SECONDS * 2 ** (searches // 5)
    return timedelta(seconds=min(seconds, max(settings.VERIFY_INTERVAL_SECONDS, settings.VERIFY_INTERVAL_MAX_SECONDS)))


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
    database_pool.release_while_waiting()
    for item in client.list_posts(since=since, until=until, platform=post.platform):
        if item.account_id and item.account_id != post.account.blotato_account_id:
            continue
        if item.text == post.caption and sorted(item.media_urls) == media and item.id not in taken:
            return item
    return None


def adopt(post: ScheduledPost, item: ListedPost, *, searches: int = 0) -> None:
    """The lost post is on Blotato after all: take it as ours, never send it again."""
    found = f"Found on Blotato after {searches} search{'es' if searches != 1 else ''}. "
    seen = {"platform_post_id": item.id, "verify_searches": searches}
    if item.submission_id:
        transitions.adopted(post.pk, item.submission_id, note=found, **seen)
    elif item.state == "published":
        transitions.published(post.pk, item.post_url, from_status=Status.VERIFYING, note=found, **seen)
    elif item.state == "failed":
        transitions.refused_by_platform(post.pk, item.error_message, from_status=Status.VERIFYING, note=found, **seen)
    else:
        # Listed but not settled, with no submission id to poll: it exists, so it must never be
        # sent again; keep watching the list (the window restarts) until it settles.
        _check_again(
            post,
            Status.VERIFYING,
            search_interval(searches).total_seconds(),
            verify_until=timezone.now() + verify_window(post),
            verify_searches=searches,
        )


def _post_id_from_url(url: str | None) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""
