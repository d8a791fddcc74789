"""The post lifecycle as users drive it: schedule, draft, edit, cancel (and undo), retry, decide.

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

from . import media_hosting, post_outcomes, transitions
from .models import EDITABLE, Clip, ScheduledPost, SocialAccount, Status
from .platforms import takes_cover_image
from .timeparse import iso_utc
from .transitions import WrongStatus

__all__ = [
    "PostGroup",
    "PostPlan",
    "add_occurrences",
    "WrongStatus",
    "cancel_post",
    "confirm_live",
    "create_post_groups",
    "create_posts",
    "edit_group",
    "edit_post",
    "retry_post",
    "schedule_posts",
    "undo_cancel",
]

logger = logging.getLogger(__name__)


@dataclass
class PostPlan:
    """One post to create: the platform, the account it goes out on, the Blotato target fields."""

    platform: str
    account: SocialAccount
    options: dict = field(default_factory=dict)


def schedule_posts(
    owner,
    *,
    plans: list[PostPlan],
    clip: Clip | None,
    caption: str,
    scheduled_time: datetime | None,
    draft: bool = False,
    cover: Clip | None = None,
) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """Create one post per platform, tied by a group id; due ones are sent at once.

    Drafts are never sent; they may have no time yet (the calendar's "unscheduled" tray).
    """
    return create_posts(
        owner,
        plans=plans,
        clip=clip,
        caption=caption,
        times=[scheduled_time] * len(plans),
        hint_at=scheduled_time,
        draft=draft,
        cover=cover,
    )


def create_posts(
    owner,
    *,
    plans: list[PostPlan],
    clip: Clip | None,
    caption: str,
    times: list[datetime | None],
    hint_at: datetime | None,
    draft: bool = False,
    cover: Clip | None = None,
) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """One post per plan at its own time (the queue gives each account its slot), tied by a group id.

    `cover` (a frame of the clip, covers.py) goes with the posts that take a cover image.
    """
    if not draft and any(at is None for at in times):
        raise ValueError("only a draft may have no time")
    group_id = uuid.uuid4()
    with transaction.atomic():
        posts = [
            ScheduledPost.objects.create(
                owner=owner,
                group_id=group_id,
                clip=clip,
                cover=cover if cover and takes_cover_image(plan.platform, plan.options) else None,
                platform=plan.platform,
                account=plan.account,
                options=plan.options,
                caption=caption,
                scheduled_time=at,
                status=Status.DRAFT if draft else Status.SCHEDULED,
            )
            for plan, at in zip(plans, times, strict=True)
        ]
        post_outcomes.created(posts)
        if not draft:
            _host_media_of(clip)
            _host_media_of(cover)
            _hint_if_due(posts, at=hint_at)
    logger.info(
        "%s group %s: %s",
        "drafted" if draft else "scheduled",
        group_id,
        ", ".join(f"{p.platform} {p.pk}" for p in posts),
    )
    return group_id, posts


def add_occurrences(posts: list[ScheduledPost]) -> list[ScheduledPost]:
    """A series' occurrences, built by series.py, written in one statement with the news of them.

    The unique constraint on (series, occurrence, platform) makes a second writer fail here.
    """
    with transaction.atomic(savepoint=False):
        ScheduledPost.objects.bulk_create(posts)
        post_outcomes.created(posts)


@dataclass
class PostGroup:
    """One scheduling action of many (a row of a bulk import): its posts share a group id."""

    plans: list[PostPlan]
    clip: Clip | None
    caption: str
    times: list[datetime]


def create_post_groups(owner, groups: list[PostGroup], *, hint_at: datetime) -> list[ScheduledPost]:
    """Every group's posts in one bulk insert (the bulk import: thousands at a time), scheduled."""
    posts = [
        ScheduledPost(
            owner=owner,
            group_id=group_id,
            clip=group.clip,
            platform=plan.platform,
            account=plan.account,
            options=plan.options,
            caption=group.caption,
            scheduled_time=at,
            status=Status.SCHEDULED,
        )
        for group, group_id in ((g, uuid.uuid4()) for g in groups)
        for plan, at in zip(group.plans, group.times, strict=True)
    ]
    with transaction.atomic():
        ScheduledPost.objects.bulk_create(posts, batch_size=1000)
        post_outcomes.created(posts)
        _hint_if_due(posts, at=hint_at)
    logger.info("bulk import: scheduled %d posts in %d groups", len(posts), len(groups))
    return posts


def require_status(post: ScheduledPost, allowed: list[str]) -> None:
    if post.status not in allowed:
        raise WrongStatus(post.status, allowed)


# The fields a person may change on a post nothing has been sent for, and the ones a cross-post's
# siblings share when the change is applied to every platform (options and account are each
# platform's own).
EDITABLE_FIELDS = ("scheduled_time", "caption", "clip", "options", "account")
SHARED_FIELDS = ("scheduled_time", "caption", "clip")


def edit_post(post: ScheduledPost, *, by=None, schedule: bool = False, from_series: bool = False, **fields) -> None:
    """Change a scheduled post or a draft; `schedule` turns a draft into a scheduled post.

    A missed post may only be given a new time, which schedules it again. Moved to now, a post
    goes at once. Validation (a future time, caption limits, the account) is the caller's:
    api_input.parse_edit for the API and the pages alike. An occurrence of a series edited by
    itself (not `from_series`) leaves the series: later series edits pass it by.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    changes = dict(fields)
    if post.series_id and not from_series:
        changes["series_detached"] = True
    if "clip" in changes and changes["clip"] != post.clip and post.cover_id:
        changes["cover"] = None  # a frame of the old clip is no cover for the new one
    if "scheduled_time" in changes:
        # A moved post starts afresh: no pending backoff, and the sweep hints it again.
        changes.update(next_attempt_at=None, hinted_at=None)
    why = _describe(post, fields) or "Saved unchanged."
    with transaction.atomic():
        if post.status == Status.MISSED and set(fields) == {"scheduled_time"}:
            transitions.move_missed(post, why, actor=by, **changes)
        elif schedule and post.status == Status.DRAFT:
            if (fields.get("scheduled_time") or post.scheduled_time) is None:
                raise ValueError("a draft is scheduled with a time")
            transitions.schedule_draft(post, f"Scheduled from the draft. {why}", actor=by, **changes)
        else:
            transitions.edit(post, why, actor=by, **changes)
        if post.status == Status.SCHEDULED and ("scheduled_time" in fields or schedule or "clip" in fields):
            _host_media_of(post.clip)
            _host_media_of(post.cover)
            _hint_if_due([post], at=timezone.now())


def edit_group(post: ScheduledPost, *, by=None, schedule: bool = False, **fields) -> list[ScheduledPost]:
    """Edit `post`, then give its shared fields to every sibling still editable ("apply to all").

    `post` itself must be editable (WrongStatus otherwise); a sibling that is publishing or
    settled is left alone and not returned. Each sibling's change is its own conditional UPDATE,
    so one being claimed meanwhile is skipped, never changed mid-send.
    """
    edit_post(post, by=by, schedule=schedule, **fields)
    shared = {name: value for name, value in fields.items() if name in SHARED_FIELDS}
    if schedule:
        # Drafts scheduled together go out together, at the time just checked for `post`.
        shared["scheduled_time"] = post.scheduled_time
    changed = [post]
    siblings = ScheduledPost.objects.filter(group_id=post.group_id, status__in=EDITABLE).exclude(pk=post.pk)
    for sibling in siblings.select_related("account"):
        try:
            edit_post(sibling, by=by, schedule=schedule, **shared)
        except WrongStatus:
            continue
        changed.append(sibling)
    return changed


def _describe(post: ScheduledPost, fields: dict) -> str:
    said = []
    if "scheduled_time" in fields:
        said.append(f"Moved to {iso_utc(fields['scheduled_time'])}.")
    if "caption" in fields and fields["caption"] != post.caption:
        said.append("Caption changed.")
    if "clip" in fields and fields["clip"] != post.clip:
        said.append(f"Clip changed to {fields['clip'].title if fields['clip'] else 'none (text only)'}.")
    if "account" in fields and fields["account"].pk != post.account_id:
        said.append(f"Account changed to @{fields['account'].username or fields['account'].blotato_account_id}.")
    if "options" in fields and fields["options"] != post.options:
        said.append("Options changed.")
    return " ".join(said)


def cancel_post(post: ScheduledPost, *, by=None) -> None:
    transitions.cancel(post, actor=by)


class TooLateToUndo(Exception):
    """The cancelled post's time has passed: undoing would send it late, so it stays cancelled."""


def undo_cancel(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """Restore a cancelled post to scheduled, only while its time is still ahead."""
    if post.status == Status.CANCELLED and (post.scheduled_time is None or post.scheduled_time <= at):
        raise TooLateToUndo()
    transitions.undo_cancel(post, at=at, actor=by)


def retry_post(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """Send a failed, missed or unconfirmed post again, now. The attempt budget starts over.

    For a post that needs review this is the owner's word that it is not on the platform.
    `last_error` stays as it was: the timeline and the post page keep the whole story.
    """
    with transaction.atomic():
        transitions.retry(post, at=at, actor=by)
        _host_media_of(post.clip)
        _host_media_of(post.cover)
        _hint_if_due([post], at=at)


def send_after_review(post: ScheduledPost, *, at: datetime, by=None) -> None:
    """The owner checked the platform and the unconfirmed post is not there: send it again."""
    require_status(post, [Status.NEEDS_REVIEW])
    retry_post(post, at=at, by=by)


def confirm_live(post: ScheduledPost, *, by=None, url: str = "") -> None:
    """The owner found the unconfirmed post live on the platform: published, never sent again."""
    transitions.confirm_live(post, url=url, actor=by)


def _host_media_of(clip: Clip | None) -> None:
    """An uploaded clip goes to Blotato's media host as soon as a post using it is scheduled."""
    from .tasks import host_clip

    if media_hosting.ready_for_hosting(clip):
        host_clip.delay_on_commit(str(clip.pk))


def _hint_if_due(posts: list[ScheduledPost], *, at: datetime) -> None:
    """Publish-now posts skip the wait for the next sweep; the sweep remains the safety net."""
    from .tasks import publish_post

    for post in posts:
        if post.status == Status.SCHEDULED and post.scheduled_time <= at:
            publish_post.delay_on_commit(str(post.pk))
