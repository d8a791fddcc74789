"""Repairs after the fact: expired leases, posts waiting for Blotato's verdict, unknown outcomes.

Runs from a beat task every few seconds. Nothing here ever sends a post. A post whose send may
have reached Blotato (a lost answer, a timeout, a 5xx, a worker killed mid-call) is looked for in
Blotato's post list for a processing window that fits its media, adopted the moment it appears,
and handed to its owner (`needs_review`) if it never does: an absent post is not proof that
nothing was created, because Blotato lists a post only once it has finished processing it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import rate_limit, timeline
from .blotato import BlotatoError, ListedPost
from .dispatch import api_key_for, attempts_left, client_for, send_back, start_verifying, verify_window
from .models import AttemptState, PublishAttempt, ScheduledPost, Status, web_url

logger = logging.getLogger(__name__)

NEEDS_REVIEW_MESSAGE = (
    "Could not confirm — check the platform before retrying. Blotato never confirmed receiving "
    "this post and it was not found in Blotato's post list."
)


def reap_expired_leases(*, at: datetime) -> int:
    """Claims whose worker vanished: never sent → scheduled again; maybe sent → verifying."""
    reaped = 0
    expired = ScheduledPost.objects.select_related("clip").filter(status=Status.PUBLISHING, lease_until__lt=at)
    for post in expired:
        attempt = PublishAttempt.objects.filter(post=post, number=post.attempts).first()
        fence = {"claim_token": post.claim_token}
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
                **fence,
            )
        elif attempt.state == AttemptState.REJECTED:
            won = ScheduledPost.objects.filter(pk=post.pk, status=Status.PUBLISHING, **fence).update(
                status=Status.FAILED, claim_token=None, lease_until=None, last_error=attempt.error
            )
            if won:
                timeline.record(post.pk, attempt.error, status=Status.FAILED)
        else:  # sent or unknown: Blotato may have it
            won = start_verifying(post, error="The worker stopped while sending.", **fence)
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
        url = web_url(status.public_url)
        if submitted.update(
            status=Status.PUBLISHED,
            published_at=now,
            platform_url=url,
            platform_post_id=_post_id_from_url(url),
            next_attempt_at=None,
        ):
            timeline.record(post.pk, f"Published: {url or 'Blotato gave no link'}", status=Status.PUBLISHED)
        logger.info("post %s published: %s", post.pk, status.public_url)
    elif status.status == "failed":
        error = f"The platform refused the post: {status.error_message or 'no reason given'}"
        if submitted.update(status=Status.FAILED, last_error=error, next_attempt_at=None):
            timeline.record(post.pk, error, status=Status.FAILED)
        logger.info("post %s failed on the platform: %s", post.pk, status.error_message)
    elif post.submitted_at and now - post.submitted_at > timedelta(seconds=settings.POLL_DEADLINE_SECONDS):
        error = "Blotato accepted the post but has not confirmed it went live; check the platform."
        if submitted.update(status=Status.NEEDS_REVIEW, last_error=error):
            timeline.record(post.pk, error, status=Status.NEEDS_REVIEW)
        logger.warning("post %s needs review: never confirmed after submission", post.pk)
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
    verifying = ScheduledPost.objects.filter(pk=post.pk, status=Status.VERIFYING)
    if found is not None:
        adopt(post, found, searches=searches)
    elif post.verify_until and now < post.verify_until:
        # Blotato lists a post only once it has processed it: look again, less often as time goes by.
        verifying.update(verify_searches=searches, next_attempt_at=now + search_interval(searches))
    elif post.owner.profile.resend_unconfirmed and post.unconfirmed_resends == 0 and attempts_left(post):
        error = (
            f"Not found on Blotato after {searches} searches; sending it once more, as your settings "
            "allow (it may appear twice)."
        )
        if verifying.update(
            status=Status.SCHEDULED,
            next_attempt_at=now,
            hinted_at=None,
            verify_searches=searches,
            unconfirmed_resends=1,
            last_error=error,
        ):
            timeline.record(post.pk, error, status=Status.SCHEDULED)
        logger.warning("post %s not found on Blotato; resending once (the owner's setting)", post.pk)
    else:
        looked = f"Looked for it {searches} time{'s' if searches != 1 else ''} since {started:%H:%M} UTC."
        if verifying.update(status=Status.NEEDS_REVIEW, verify_searches=searches, last_error=NEEDS_REVIEW_MESSAGE):
            timeline.record(post.pk, f"{NEEDS_REVIEW_MESSAGE} {looked}", status=Status.NEEDS_REVIEW)
        logger.warning("post %s needs review: not found on Blotato after %d searches", post.pk, searches)


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
    for item in client.list_posts(since=since, until=until, platform=post.platform):
        if item.account_id and item.account_id != post.account.blotato_account_id:
            continue
        if item.text == post.caption and sorted(item.media_urls) == media and item.id not in taken:
            return item
    return None


def adopt(post: ScheduledPost, item: ListedPost, *, searches: int = 0) -> None:
    """The lost post is on Blotato after all: take it as ours, never send it again."""
    verifying = ScheduledPost.objects.filter(pk=post.pk, status=Status.VERIFYING)
    now = timezone.now()
    if item.submission_id:
        status = Status.SUBMITTED
        won = verifying.update(
            status=status,
            blotato_submission_id=item.submission_id,
            submitted_at=now,
            next_attempt_at=now,
            verify_searches=searches,
            platform_post_id=item.id,
        )
    elif item.state == "published":
        status = Status.PUBLISHED
        url = web_url(item.post_url)
        won = verifying.update(
            status=status,
            published_at=now,
            platform_url=url,
            platform_post_id=item.id,
            verify_searches=searches,
            next_attempt_at=None,
        )
    elif item.state == "failed":
        status = Status.FAILED
        won = verifying.update(
            status=status,
            platform_post_id=item.id,
            verify_searches=searches,
            last_error=f"The platform refused the post: {item.error_message or 'no reason given'}",
        )
    else:
        # Listed but not settled, with no submission id to poll: it exists, so it must never be
        # sent again; keep watching the list (the window restarts) until it settles.
        verifying.update(
            verify_until=now + verify_window(post),
            verify_searches=searches,
            next_attempt_at=now + search_interval(searches),
        )
        return
    if won:
        timeline.record(
            post.pk,
            f"Found on Blotato after {searches} search{'es' if searches != 1 else ''}: {item.state}.",
            status=status,
        )
    logger.info("post %s found on Blotato as %s (%s)", post.pk, item.id, item.state)


def _post_id_from_url(url: str | None) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""
