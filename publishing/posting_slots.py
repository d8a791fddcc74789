"""Posting slots: a weekly set of local times, turned into instants. Pure arithmetic, no Django.

A slot is a weekday and a wall-clock time in the user's zone, so a 09:00 slot is 09:00 local in
summer and in winter. Two wall times need a rule (docs/queue.md):
- a time the clocks skip (the spring-forward gap) moves forward to the first instant after the
  gap: 02:30 on the night the clocks go from 02:00 to 03:00 is 03:00 local;
- a time that happens twice (the fall-back overlap) is its first occurrence (PEP 495 fold=0).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The queue looks this far ahead for a free slot; the API refuses posts further out anyway.
HORIZON = timedelta(days=366)


@dataclass(frozen=True, order=True)
class WeeklySlot:
    weekday: int  # 0 = Monday, as date.weekday()
    at: time  # wall-clock time in the user's zone, whole minutes

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.at.second or self.at.microsecond or self.at.tzinfo is not None:
            raise ValueError("a slot is a naive wall-clock time in whole minutes")

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday][:3]} {self.at:%H:%M}"


def wall_time_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `tz`: a skipped time moves past the gap, a repeated one is the first."""
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: the first of two occurrences
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return local.astimezone(UTC)
    return _end_of_gap(local, tz)


def _end_of_gap(local: datetime, tz: ZoneInfo) -> datetime:
    """The instant the clocks jumped over `local`: the first valid wall time after the gap.

    Read with the offset before the jump (fold=0) the time lands after the jump; read with the
    offset after it (fold=1), before. The jump lies between, found by halving to the second.
    """
    before = local.replace(fold=1).astimezone(UTC)
    after = local.replace(fold=0).astimezone(UTC)
    if before > after:  # a zone whose clocks went back over this time: impossible for a gap
        before, after = after, before
    offset_after = after.astimezone(tz).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    while low < high:
        middle = (low + high) // 2
        if (before + timedelta(seconds=middle)).astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle + 1
    return before + timedelta(seconds=low)


def slot_instants(slots: Iterable[WeeklySlot], tz: ZoneInfo, *, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every slot's instant in [start, end), in time order, each instant once (UTC)."""
    by_weekday: dict[int, list[time]] = {}
    for slot in sorted(set(slots)):
        by_weekday.setdefault(slot.weekday, []).append(slot.at)
    if not by_weekday:
        return
    day = start.astimezone(tz).date() - timedelta(days=1)  # an offset can put a slot on the day before
    last_day = end.astimezone(tz).date() + timedelta(days=1)
    previous = None
    while day <= last_day:
        # Two slots in one gap give one instant; sorted per day, so duplicates are neighbours.
        for at in by_weekday.get(day.weekday(), ()):
            instant = wall_time_instant(day, at, tz)
            if start <= instant < end and instant != previous:
                yield instant
                previous = instant
        day += timedelta(days=1)


def next_free_slots(
    slots: Iterable[WeeklySlot],
    tz: ZoneInfo,
    *,
    after: datetime,
    occupied: Sequence[datetime],
    min_gap: timedelta,
    count: int = 1,
    horizon: timedelta = HORIZON,
) -> list[datetime]:
    """The first `count` slot instants later than `after`, each at least `min_gap` from every occupied
    time and from one another (fewer if the horizon runs out)."""
    taken = sorted(occupied)
    found: list[datetime] = []
    for instant in slot_instants(slots, tz, start=after + timedelta(microseconds=1), end=after + horizon):
        if len(found) == count:
            break
        if clear_of(instant, taken, min_gap):
            found.append(instant)
            bisect.insort(taken, instant)
    return found


def clear_of(instant: datetime, taken: list[datetime], min_gap: timedelta) -> bool:
    """True if no time in the sorted `taken` is `instant` itself or closer to it than `min_gap`."""
    where = bisect.bisect_left(taken, instant)
    neighbours = taken[max(0, where - 1) : where + 1]
    return all(other != instant and abs(instant - other) >= min_gap for other in neighbours)


# --- proposing slots from the optimal-times engine -----------------------------------------------


def best_time_slots(scores: Sequence[Sequence[float]], *, per_day: int, min_gap: timedelta) -> set[WeeklySlot]:
    """`per_day` hours of each weekday with the best scores (a 7 x 24 grid, local time), at least
    `min_gap` apart, also across midnight (Monday 23:00 and Tuesday 00:00 are an hour apart)."""
    gap_hours = max(1, -(-int(min_gap.total_seconds()) // 3600))  # an hourly grid: round the gap up
    ranked = sorted(((scores[d][h], d, h) for d in range(7) for h in range(24)), key=lambda x: (-x[0], x[1], x[2]))
    chosen: list[int] = []  # hours of the week, 0 = Monday 00:00
    per_weekday = [0] * 7
    for _score, weekday, hour in ranked:
        if per_weekday[weekday] >= per_day:
            continue
        hour_of_week = weekday * 24 + hour
        if all(min(abs(hour_of_week - c), 168 - abs(hour_of_week - c)) >= gap_hours for c in chosen):
            chosen.append(hour_of_week)
            per_weekday[weekday] += 1
    return {WeeklySlot(c // 24, time(c % 24)) for c in chosen}


@dataclass(frozen=True)
class SlotDiff:
    added: list[WeeklySlot]
    removed: list[WeeklySlot]
    kept: list[WeeklySlot]

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.removed)


def slot_diff(current: Iterable[WeeklySlot], proposed: Iterable[WeeklySlot]) -> SlotDiff:
    """What accepting `proposed` would do to `current`."""
    now, then = set(current), set(proposed)
    return SlotDiff(added=sorted(then - now), removed=sorted(now - then), kept=sorted(now & then))


def parse_slot_time(text: str) -> time:
    """'09:00' or '9:30' as a time; ValueError with a message for the user otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    digits = text.isascii() and hours.isdigit() and minutes.isdigit()
    if not sep or not digits or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(f"'{text.strip()}' is not a time like 09:00")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ValueError(f"'{text.strip()}' is not a time of day (00:00 to 23:59)")
    return time(int(hours), int(minutes))
