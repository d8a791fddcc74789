"""The queue: each account's posting slots, "add to queue", and reordering what is queued.

A queued post takes its account's next free slot: a slot instant in the future that no post on
that account holds and that is at least the owner's queue gap (Profile.queue_gap_minutes) from
every other post on it. Two posts queued at the same moment must not take the same slot, so the
choice is made under a row lock on the account (SELECT ... FOR UPDATE), held until the posts are
written: the second request waits, then sees the first one's post and takes the slot after it.

Reordering keeps the queue's times and moves posts between them, each move one edit through the
lifecycle (so a post a worker has claimed meanwhile refuses the whole reorder).
"""

from __future__ import annotations

import bisect
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from analytics.scheduling import OCCUPYING

from . import covers, lifecycle
from .bad_input import BadInput
from .lifecycle import PostPlan
from .models import Clip, PostingSlot, Profile, ScheduledPost, SocialAccount, Status
from .platforms import takes_cover_image
from .posting_slots import HORIZON, WeeklySlot, clear_of, next_free_slots, slot_instants
from .zones import user_zone

logger = logging.getLogger(__name__)

MAX_SLOTS_PER_ACCOUNT = 7 * 24  # one an hour, every hour of the week: more is a mistake


def account_slots(account: SocialAccount) -> list[WeeklySlot]:
    return [WeeklySlot(weekday, at) for weekday, at in account.posting_slots.values_list("weekday", "local_time")]


def replace_slots(account: SocialAccount, slots: set[WeeklySlot]) -> None:
    """The account's slots become exactly `slots`; posts already queued keep their times."""
    if len(slots) > MAX_SLOTS_PER_ACCOUNT:
        raise BadInput(f"At most {MAX_SLOTS_PER_ACCOUNT} slots per account.", {"slots": "too many"})
    with transaction.atomic():
        account.posting_slots.all().delete()
        PostingSlot.objects.bulk_create(
            PostingSlot(account=account, weekday=slot.weekday, local_time=slot.at) for slot in sorted(slots)
        )
    logger.info("account %s: %d posting slots", account.pk, len(slots))


def queue_gap(owner) -> timedelta:
    minutes = Profile.objects.filter(user=owner).values_list("queue_gap_minutes", flat=True).first()
    return timedelta(minutes=minutes if minutes is not None else 0)


def free_slot_times(account: SocialAccount, *, now: datetime, count: int = 1) -> list[datetime]:
    """The account's next `count` free slot instants (UTC), as the queue would hand them out."""
    gap = queue_gap(account.owner_id)
    taken = list(
        ScheduledPost.objects.filter(account=account, status__in=OCCUPYING, scheduled_time__gt=now - gap).values_list(
            "scheduled_time", flat=True
        )
    )
    return next_free_slots(
        account_slots(account), user_zone(account.owner), after=now, occupied=taken, min_gap=gap, count=count
    )


def queue_posts(
    owner, *, plans: list[PostPlan], clip: Clip | None, caption: str, now: datetime, cover: Clip | None = None
) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """Each plan's post takes its account's next free slot; refused (and nothing written) if one has none."""
    with transaction.atomic():
        # Locked in id order, so two requests naming the same accounts cannot deadlock.
        locked = {
            a.pk: a
            for a in SocialAccount.objects.select_for_update()
            .filter(pk__in=[p.account.pk for p in plans])
            .order_by("pk")
        }
        times = []
        for plan in plans:
            found = free_slot_times(locked[plan.account.pk], now=now)
            if not found:
                raise no_free_slot(plan)
            times.append(found[0])
        return lifecycle.create_posts(
            owner, plans=plans, clip=clip, caption=caption, times=times, hint_at=now, cover=cover
        )


def no_free_slot(plan: PostPlan) -> BadInput:
    return BadInput(
        f"{plan.account} has no free posting slot in the next year: add slots on the Slots page.",
        {"scheduled_time": f"no free slot for {plan.platform}"},
        status=409,
    )


class QueueCursor:
    """Hands out one account's free slots to many posts in turn (the bulk import), reading the
    account's slots and posts once: each post gets the slot the queue would give it if the posts
    before it had just been created. Posts given a time of their own are noted with `occupy`."""

    def __init__(self, account: SocialAccount, *, now: datetime):
        self.gap = queue_gap(account.owner_id)
        self.taken = sorted(
            ScheduledPost.objects.filter(
                account=account, status__in=OCCUPYING, scheduled_time__gt=now - self.gap
            ).values_list("scheduled_time", flat=True)
        )
        # One walk through the year's slot instants: a slot passed over was not free, and
        # occupying more never frees one, so the next free slot is always further on.
        self.instants = slot_instants(
            account_slots(account), user_zone(account.owner), start=now + timedelta(microseconds=1), end=now + HORIZON
        )

    def next_free(self) -> datetime | None:
        for instant in self.instants:
            if clear_of(instant, self.taken, self.gap):
                self.occupy(instant)
                return instant
        return None

    def occupy(self, at: datetime) -> None:
        bisect.insort(self.taken, at)


# --- the queue page ------------------------------------------------------------------------------


@dataclass
class AccountQueue:
    account: SocialAccount
    posts: list[ScheduledPost]
    slots: list[WeeklySlot]
    next_free: datetime | None


def create_as_asked(owner, wanted, *, now: datetime) -> tuple[uuid.UUID, list[ScheduledPost]]:
    """The posts a parsed schedule request (api_input.ScheduleInput) asks for: each in its account's
    next free slot for "next_slot", else at the time given (or a draft); the API and the dialog."""
    cover = None
    if wanted.cover_frame_s is not None and any(takes_cover_image(p.platform, p.options) for p in wanted.plans):
        cover = covers.cover_for(wanted.clip, wanted.cover_frame_s)  # ffmpeg; refused before any post is written
    if wanted.queued:
        return queue_posts(owner, plans=wanted.plans, clip=wanted.clip, caption=wanted.caption, now=now, cover=cover)
    return lifecycle.schedule_posts(
        owner,
        plans=wanted.plans,
        clip=wanted.clip,
        caption=wanted.caption,
        scheduled_time=wanted.scheduled_time,
        draft=wanted.draft,
        cover=cover,
    )


def queued_posts(account: SocialAccount, *, now: datetime) -> list[ScheduledPost]:
    """What waits to go out on this account: its scheduled posts from now on, in time order."""
    return list(
        ScheduledPost.objects.filter(account=account, status=Status.SCHEDULED, scheduled_time__gt=now)
        .select_related("clip")
        .order_by("scheduled_time", "created_at")
    )


def queues(owner, *, now: datetime) -> list[AccountQueue]:
    found = []
    for account in SocialAccount.objects.owned_by(owner).filter(is_active=True):
        next_free = free_slot_times(account, now=now)
        found.append(
            AccountQueue(account, queued_posts(account, now=now), account_slots(account), next(iter(next_free), None))
        )
    return found


def reorder(account: SocialAccount, order: list[uuid.UUID], *, now: datetime, by=None) -> int:
    """The queued posts take the queue's times in `order`: the times stay, the posts move. Returns moves."""
    with transaction.atomic():
        SocialAccount.objects.select_for_update().filter(pk=account.pk).first()
        posts = queued_posts(account, now=now)
        if sorted(order) != sorted(p.pk for p in posts):
            raise BadInput(
                "The queue changed meanwhile (a post was added, sent or moved); reload and try again.",
                {"order": "not the queued posts"},
                status=409,
            )
        times = [p.scheduled_time for p in posts]
        by_id = {p.pk: p for p in posts}
        moved = 0
        for post_id, at in zip(order, times, strict=True):
            post = by_id[post_id]
            if post.scheduled_time != at:
                lifecycle.edit_post(post, scheduled_time=at, by=by)
                moved += 1
    logger.info("account %s: queue reordered, %d posts moved", account.pk, moved)
    return moved


def shuffle(account: SocialAccount, *, now: datetime, by=None, rng: random.Random | None = None) -> int:
    order = [p.pk for p in queued_posts(account, now=now)]
    (rng or random.Random()).shuffle(order)
    return reorder(account, order, now=now, by=by)


def moved_one_place(order: list[uuid.UUID], post_id: uuid.UUID, direction: str) -> list[uuid.UUID]:
    """`order` with `post_id` swapped with its neighbour "up" (earlier) or "down" (later)."""
    if post_id not in order or direction not in ("up", "down"):
        raise BadInput("Choose a queued post and move it up or down.", {"direction": "invalid"})
    where = order.index(post_id)
    other = where - 1 if direction == "up" else where + 1
    if not 0 <= other < len(order):
        return order
    order = list(order)
    order[where], order[other] = order[other], order[where]
    return order
