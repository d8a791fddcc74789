"""The post lifecycle as users drive it: schedule, reschedule, edit, cancel, retry.

Each change of status is one conditional UPDATE, so a user's click racing the dispatcher either
wins cleanly or is refused with the status the post really has. The dispatcher's own transitions
live in dispatch.py.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import timeline
from .models import RETRYABLE, Clip, ScheduledPost, SocialAccount, Status, web_url

logger = logging.getLogger(__name__)


class WrongStatus(Exception):
    """The post is not in a status that allows this change; `status` is the one it has."""

    def __init__(self, status: str, allowed: list[str]):
        super().__init__(status)
        self.status = status
        self.allowed = allowed


@dataclass
class PostPlan:
    """One post to create: the platform, the account it goes out on, the Blotato target fields."""

    platform: str
    account: SocialAccount
    options: dict = field(default_factory=dict)


def schedule_posts(
    owner, *, plans: list[PostPlan], clip: Clip | None, caption: str, scheduled_time: datetime
) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """Create one post per platform, tied by a group id; due ones are sent at once."""
    group_id = uuid.uuid4()
    with transaction.atomic():
        posts = [
            ScheduledPost.objects.create(
                owner=owner,
                group_id=group_id,
                clip=clip,
                platform=plan.platform,
                account=plan.account,
                options=plan.options,
                caption=caption,
                scheduled_time=scheduled_time,
            )
            for plan in plans
        ]
        _hint_if_due(posts, at=scheduled_time)
    logger.info("scheduled group %s: %s", group_id, ", ".join(f"{p.platform} {p.pk}" for p in posts))
    return group_id, posts


def require_status(post: ScheduledPost, allowed: list[str]) -> None:
    if post.status not in allowed:
        raise WrongStatus(post.status, allowed)


def edit_post(post: ScheduledPost, *, scheduled_time: datetime | None = None, caption: str | None = None) -> None:
    """Move and/or re-word a post that has not started publishing; moved to now, it goes at once."""
    changes: dict = {}
    if scheduled_time is not None:
        # A moved post starts afresh: no pending backoff, and the sweep hints it again.
        changes.update(scheduled_time=scheduled_time, next_attempt_at=None, hinted_at=None)
    if caption is not None:
        changes["caption"] = caption
    with transaction.atomic():
        _transition(post, [Status.SCHEDULED], **changes)
        if scheduled_time is not None:
            _hint_if_due([post], at=timezone.now())


def cancel_post(post: ScheduledPost, *, by=None) -> None:
    _transition(post, [Status.SCHEDULED], status=Status.CANCELLED)
    timeline.record(post.pk, "Cancelled.", status=Status.CANCELLED, actor=by)
    logger.info("post %s cancelled", post.pk)


def retry_post(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """Send a failed, missed or unconfirmed post again, now. The attempt budget starts over.

    For a post that needs review this is the owner's word that it is not on the platform.
    `last_error` stays as it was: the timeline and the post page keep the whole story.
    """
    was = post.status
    with transaction.atomic():
        _transition(
            post,
            RETRYABLE,
            status=Status.SCHEDULED,
            scheduled_time=at,
            next_attempt_at=None,
            hinted_at=None,
            verify_until=None,
            verify_searches=0,
            unconfirmed_resends=0,
            attempts_at_retry=F("attempts"),
        )
        why = (
            "Checked the platform: it is not there. Sent again on this decision."
            if was == Status.NEEDS_REVIEW
            else f"Sent again ({was} before)."
        )
        timeline.record(post.pk, why, status=Status.SCHEDULED, actor=by)
        _hint_if_due([post], at=at)
    logger.info("post %s queued again by its owner (was %s)", post.pk, was)


def confirm_live(post: ScheduledPost, *, by=None, url: str = "") -> None:
    """The owner found the unconfirmed post live on the platform: published, never sent again."""
    url = web_url(url)
    now = timezone.now()
    with transaction.atomic():
        _transition(
            post,
            [Status.NEEDS_REVIEW, Status.VERIFYING],
            status=Status.PUBLISHED,
            published_at=now,
            platform_url=url or post.platform_url,
            next_attempt_at=None,
            verify_until=None,
        )
        timeline.record(
            post.pk,
            f"Checked the platform: it is live{f' at {url}' if url else ''}.",
            status=Status.PUBLISHED,
            actor=by,
        )
    logger.info("post %s marked published by its owner", post.pk)


def _transition(post: ScheduledPost, allowed: list[str], **changes) -> None:
    won = ScheduledPost.objects.filter(pk=post.pk, status__in=allowed).update(**changes)
    if not won:
        current = ScheduledPost.objects.filter(pk=post.pk).values_list("status", flat=True).first()
        raise WrongStatus(current or "deleted", allowed)
    post.refresh_from_db()


def _hint_if_due(posts: list[ScheduledPost], *, at: datetime) -> None:
    """Publish-now posts skip the wait for the next sweep; the sweep remains the safety net."""
    from .tasks import publish_post

    for post in posts:
        if post.scheduled_time <= at:
            publish_post.delay_on_commit(str(post.pk))
