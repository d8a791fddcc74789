"""The post lifecycle as users drive it: schedule, reschedule, edit, cancel, retry, decide.

Each change of status is one of transitions.py's conditional UPDATEs, so a user's click racing
the dispatcher either wins cleanly or is refused (WrongStatus) with the status the post really
has. Due posts are hinted to a worker at once; the dispatch sweep remains the safety net.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import post_outcomes, transitions
from .models import Clip, ScheduledPost, SocialAccount, Status
from .timeparse import iso_utc
from .transitions import WrongStatus

__all__ = [
    "PostPlan",
    "WrongStatus",
    "cancel_post",
    "confirm_live",
    "create_posts",
    "edit_post",
    "retry_post",
    "schedule_posts",
]

logger = logging.getLogger(__name__)


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
    return create_posts(
        owner, plans=plans, clip=clip, caption=caption, times=[scheduled_time] * len(plans), hint_at=scheduled_time
    )


def create_posts(
    owner, *, plans: list[PostPlan], clip: Clip | None, caption: str, times: list[datetime], hint_at: datetime
) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """One post per plan at its own time (the queue gives each account its slot), tied by a group id."""
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
                scheduled_time=at,
            )
            for plan, at in zip(plans, times, strict=True)
        ]
        post_outcomes.created(posts)
        _hint_if_due(posts, at=hint_at)
    logger.info("scheduled group %s: %s", group_id, ", ".join(f"{p.platform} {p.pk}" for p in posts))
    return group_id, posts


def require_status(post: ScheduledPost, allowed: list[str]) -> None:
    if post.status not in allowed:
        raise WrongStatus(post.status, allowed)


def edit_post(
    post: ScheduledPost, *, scheduled_time: datetime | None = None, caption: str | None = None, by=None
) -> None:
    """Move and/or re-word a post that has not started publishing; moved to now, it goes at once."""
    changes: dict = {}
    said = []
    if scheduled_time is not None:
        # A moved post starts afresh: no pending backoff, and the sweep hints it again.
        changes.update(scheduled_time=scheduled_time, next_attempt_at=None, hinted_at=None)
        said.append(f"Moved to {iso_utc(scheduled_time)}.")
    if caption is not None:
        changes["caption"] = caption
        said.append("Caption changed.")
    with transaction.atomic():
        transitions.edit(post, " ".join(said) or "Saved unchanged.", actor=by, **changes)
        if scheduled_time is not None:
            _hint_if_due([post], at=timezone.now())


def cancel_post(post: ScheduledPost, *, by=None) -> None:
    transitions.cancel(post, actor=by)


def retry_post(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """Send a failed, missed or unconfirmed post again, now. The attempt budget starts over.

    For a post that needs review this is the owner's word that it is not on the platform.
    `last_error` stays as it was: the timeline and the post page keep the whole story.
    """
    with transaction.atomic():
        transitions.retry(post, at=at, actor=by)
        _hint_if_due([post], at=at)


def send_after_review(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """The owner checked the platform and the unconfirmed post is not there: send it again."""
    require_status(post, [Status.NEEDS_REVIEW])
    retry_post(post, at=at, by=by)


def confirm_live(post: ScheduledPost, *, by=None, url: str = "") -> None:
    """The owner found the unconfirmed post live on the platform: published, never sent again."""
    transitions.confirm_live(post, url=url, actor=by)


def _hint_if_due(posts: list[ScheduledPost], *, at: datetime) -> None:
    """Publish-now posts skip the wait for the next sweep; the sweep remains the safety net."""
    from .tasks import publish_post

    for post in posts:
        if post.scheduled_time <= at:
            publish_post.delay_on_commit(str(post.pk))
