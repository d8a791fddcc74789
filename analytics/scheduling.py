"""A concrete time for a chosen date: the best free slot of the user's local day.

The slot must exist on that date (DST gaps are skipped), be in the future, and not fall within
an hour of a post the user already has on that platform.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from publishing.models import ScheduledPost, Status

from . import optimal_times
from .history import WINDOW_DAYS, history_for
from .optimal_times import Recommendation

MIN_GAP = timedelta(hours=1)
# Posts that occupy a slot: everything that is or will be public.
OCCUPYING = [Status.SCHEDULED, Status.PUBLISHING, Status.SUBMITTED, Status.VERIFYING, Status.PUBLISHED]


# The engine only learns about hours someone posts at. An hour with little data behind it goes
# first ("worth trying") when, in one draw from the engine's posterior (seeded per user, platform
# and date, so the dialog reopened shows the same chips), it beats the best free slot, while its
# expected engagement stays within MIN_TRY_RELATIVE of the best slot's: never a clearly worse hour.
# This is Thompson sampling: hours are tried about as often as they may be the best.
FEW_POSTS_TO_TRY = 3
MIN_TRY_RELATIVE = 0.8
# Slots made without a draw (none in the dialog since draws came in) use the earlier rule: a close
# call (within EXPLORE_MARGIN points of the best), or an upside that reaches the best's estimate.
EXPLORE_MARGIN = 3.0
FEW_POSTS = 1


@dataclass(frozen=True)
class Slot:
    at: datetime  # UTC
    local: datetime  # in the user's zone
    score: float
    relative: float = 100.0  # % of the best slot's expected engagement
    upside: float = 100.0  # the same, optimistic
    posts_here: int = 0  # posts of the window at this weekday and hour
    worth_trying: bool = False  # as good as the best within the margin, and little data here yet
    expected: float = 100.0  # the same, the posterior mean (neither cautious nor optimistic)
    draw: float | None = None  # the same, in one draw from the posterior (None: no draw made)


def engine_answer(owner, platform: str, tz: ZoneInfo, *, now: datetime) -> Recommendation:
    """The optimal-times engine run on the user's last 90 days on this platform, in their zone."""
    return optimal_times.recommend(platform, history_for(owner, platform, tz, now=now), window_days=WINDOW_DAYS)


def free_slots(owner, platform: str, day: date, tz: ZoneInfo, engine: Recommendation, *, now: datetime) -> list[Slot]:
    """Every usable hour of `day`, best first."""
    candidates = []
    for hour in range(24):
        local = datetime.combine(day, time(hour), tz)
        if local.astimezone(UTC).astimezone(tz).hour != hour:
            continue  # does not exist today: the clocks skip it
        candidates.append(local)
    taken = list(
        ScheduledPost.objects.owned_by(owner)
        .filter(platform=platform, status__in=OCCUPYING)
        .filter(scheduled_time__gte=candidates[0] - MIN_GAP, scheduled_time__lte=candidates[-1] + MIN_GAP)
        .values_list("scheduled_time", flat=True)
    )
    free = [local for local in candidates if local > now and all(abs(local - other) >= MIN_GAP for other in taken)]
    return ranked_slots(free, engine, draw_seed(owner.pk, platform, day))


def draw_seed(owner_id: int, platform: str, day: date) -> int:
    """One posterior draw per user, platform and date: the dialog reopened offers the same chips."""
    return zlib.crc32(f"{owner_id}:{platform}:{day.isoformat()}".encode())


def ranked_slots(free: list[datetime], engine: Recommendation, seed: int) -> list[Slot]:
    """These local times of one day, best first (see _explore_among_the_best for the first place)."""
    if not free:
        return []
    weekday = free[0].weekday()
    draw = engine.posterior_draw(seed)[weekday] if engine.source != "default" else None
    expected = engine.slot_relative if engine.slot_expected is None else engine.slot_expected
    slots = [
        Slot(
            at=local.astimezone(UTC),
            local=local,
            score=round(float(engine.slot_scores[weekday, local.hour]), 1),
            relative=round(float(engine.slot_relative[weekday, local.hour])),
            upside=round(float(engine.slot_upside[weekday, local.hour])),
            posts_here=int(engine.slot_counts[weekday, local.hour]),
            expected=float(expected[weekday, local.hour]),
            draw=None if draw is None else float(draw[local.hour]),
        )
        for local in free
    ]
    return _explore_among_the_best(sorted(slots, key=lambda slot: (-slot.score, slot.at)), engine)


def _explore_among_the_best(slots: list[Slot], engine: Recommendation) -> list[Slot]:
    """Best first, unless an hour with little data behind it is worth trying (see above)."""
    if not slots or engine.source == "default":
        return slots  # without any history every hour is unexplored: nothing to prefer
    best = slots[0]
    if best.draw is not None:
        worth_trying = [s for s in slots if _wins_the_draw(s, best)]
        first = max(worth_trying, key=lambda s: (s.draw, s.score), default=None)
    else:
        worth_trying = [s for s in slots if _close_call_or_upside(s, best)]
        first = max(worth_trying, key=lambda s: (s.upside, s.score), default=None)
    if first is None:
        return slots
    return [replace(first, worth_trying=True)] + [s for s in slots if s is not first]


def _wins_the_draw(slot: Slot, best: Slot) -> bool:
    return (
        slot.posts_here <= FEW_POSTS_TO_TRY
        and slot.draw > best.draw
        and slot.expected >= MIN_TRY_RELATIVE * best.expected
    )


def _close_call_or_upside(slot: Slot, best: Slot) -> bool:
    if slot.posts_here > FEW_POSTS:
        return False
    if slot.score >= best.score - EXPLORE_MARGIN:
        return True
    clearly_worse = slot.relative < MIN_TRY_RELATIVE * best.relative
    return best.posts_here > FEW_POSTS and slot.upside >= best.relative and not clearly_worse


def best_shared_slot(slots_by_platform: dict[str, list[Slot]]) -> Slot | None:
    """The hour free on every platform with the highest mean score: posts of one group share a time."""
    if not slots_by_platform:
        return None
    by_time: dict[datetime, list[Slot]] = {}
    for slots in slots_by_platform.values():
        for slot in slots:
            by_time.setdefault(slot.at, []).append(slot)
    shared = [group for group in by_time.values() if len(group) == len(slots_by_platform)]
    if not shared:
        return None
    best = min(shared, key=lambda group: (-sum(s.score for s in group), group[0].at))
    return Slot(
        at=best[0].at,
        local=best[0].local,
        score=round(sum(s.score for s in best) / len(best), 1),
        relative=round(sum(s.relative for s in best) / len(best)),
        posts_here=sum(s.posts_here for s in best),
    )
