"""Pause all publishing: one user's posts, or the whole install's, until a person resumes.

A pause is a PublishingPause row without an end. The dispatcher's definition of a due post
(models.due_at) leaves out every post an open pause holds, so while paused nothing is hinted,
claimed or sent, and dispatch.publish checks again for a claim won just before the pause.
Nothing turns `missed` while paused either: on resuming, the late-post rule is applied at once
with each owner's normal grace period, so a post that fell due during the pause is sent if it is
still within its grace and otherwise becomes `missed` (never sent stale). The posts missed that
way remember the pause (missed_in_pause) and are listed on the settings page, to be rescheduled
together (`reschedule_missed`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import transitions
from .models import Profile, PublishingPause, ScheduledPost, Status

logger = logging.getLogger(__name__)

# "Reschedule all" leaves a moment to look before the first post goes out.
FIRST_RESCHEDULED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class PauseState:
    """What holds a user's posts now: their own pause, the install's, both or neither."""

    user_since: datetime | None
    install_since: datetime | None

    @property
    def held(self) -> bool:
        return self.user_since is not None or self.install_since is not None


def state_for(user) -> PauseState:
    since = dict(PublishingPause.objects.holding(user).values_list("owner_id", "started_at"))
    return PauseState(user_since=since.get(user.pk), install_since=since.get(None))


def install_paused_since() -> datetime | None:
    return PublishingPause.objects.open().filter(owner=None).values_list("started_at", flat=True).first()


def held() -> Exists:
    """A post's owner is held by an open pause (a condition on ScheduledPost rows)."""
    return Exists(PublishingPause.objects.holding(OuterRef("owner")))


def holds(owner_id: int) -> bool:
    """Is an open pause holding this owner's posts? (the publish step's last look)"""
    return PublishingPause.objects.holding(owner_id).exists()


def pause(owner=None, *, by: str, at: datetime | None = None) -> PublishingPause:
    """Hold `owner`'s posts (None: every post of the install); pausing twice keeps the first pause."""
    try:
        with transaction.atomic():
            paused = PublishingPause.objects.create(owner=owner, started_at=at or timezone.now(), started_by=by)
    except IntegrityError:  # already paused (one open pause per owner): that one stands
        return PublishingPause.objects.open().get(owner=owner)
    logger.info("publishing paused for %s by %s", owner or "the whole install", by)
    return paused


@dataclass(frozen=True)
class Resumed:
    was_paused: bool
    missed: int = 0


def resume(owner=None, *, by: str, at: datetime | None = None) -> Resumed:
    """End the pause and, in the same transaction, apply the late-post rule to what it held.

    Doing both at once means the dispatcher sees either the pause or its outcome, never a
    stale post free to go out before it has been marked missed.
    """
    at = at or timezone.now()
    with transaction.atomic():
        ended = PublishingPause.objects.open().filter(owner=owner).select_for_update().first()
        if ended is None:
            return Resumed(was_paused=False)
        ended.ended_at, ended.ended_by = at, by
        ended.save(update_fields=["ended_at", "ended_by"])
        freed = ScheduledPost.objects.filter(~held(), status=Status.SCHEDULED)
        if owner is not None:
            freed = freed.filter(owner=owner)
        missed = _miss_late(freed, at=at, ended=ended)
        # A hint sent before the pause was spent on a refused claim: the next beat hints afresh.
        freed.filter(hinted_at__isnull=False).update(hinted_at=None)
    logger.info("publishing resumed for %s by %s; %d post(s) missed", owner or "the whole install", by, missed)
    return Resumed(was_paused=True, missed=missed)


def _miss_late(posts, *, at: datetime, ended: PublishingPause) -> int:
    missed = 0
    for grace in Profile.objects.values_list("late_grace_minutes", flat=True).distinct():
        late = posts.filter(owner__profile__late_grace_minutes=grace, scheduled_time__lt=at - timedelta(minutes=grace))
        error = (
            f"Not sent: publishing was paused when it fell due, and by the time it was resumed the post "
            f"was more than {grace} minutes late. Reschedule it or publish it now."
        )
        missed += sum(
            transitions.miss(post_id, error, missed_in_pause=ended) for post_id in late.values_list("pk", flat=True)
        )
    return missed


def missed_while_paused(user):
    """The user's posts that a pause held past their grace, still missed (not yet rescheduled)."""
    return (
        ScheduledPost.objects.owned_by(user)
        .filter(status=Status.MISSED, missed_in_pause__isnull=False)
        .select_related("account", "clip")
        .order_by("scheduled_time")
    )


def spread_times(count: int, *, hours: int, at: datetime) -> list[datetime]:
    """`count` times spaced evenly over the next `hours` hours, the first a few minutes from `at`."""
    first = (at + FIRST_RESCHEDULED_AFTER).replace(second=0, microsecond=0)
    step = timedelta(hours=hours) / max(count, 1)
    return [first + step * number for number in range(count)]


def reschedule_missed(user, *, hours: int, at: datetime | None = None) -> int:
    """Move every post missed during a pause to new times over the next `hours` hours, in order."""
    at = at or timezone.now()
    posts = list(missed_while_paused(user).values_list("pk", flat=True))
    moved = 0
    for post_id, when in zip(posts, spread_times(len(posts), hours=hours, at=at), strict=True):
        why = f"Rescheduled with the other posts missed while publishing was paused (spread over {hours} h)."
        moved += transitions.reschedule_missed(post_id, at=when, why=why, actor=user)
    return moved
