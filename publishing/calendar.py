"""Calendar grids in the user's zone: month, week, day and agenda. One query per grid.

Pure presentation logic: which local days and hours a view covers, and which posts fall in
each cell. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models.functions import Left

from .models import ScheduledPost

VIEWS = ("month", "week", "day", "agenda")
AGENDA_DAYS = 30
# A month cell shows this many cards and "+N more" (a link to that day), as calendars do.
MONTH_CARDS_PER_DAY = 4
CARD_CAPTION_CHARS = 60


@dataclass
class Cell:
    """One drop target: a day (month, agenda) or an hour of a day (week, day)."""

    day: date
    hour: int | None
    slot: str  # what a drop sends as scheduled_time: "2026-12-03" or "2026-12-03T14:00"
    posts: list[ScheduledPost] = field(default_factory=list)
    in_range: bool = True
    is_today: bool = False
    limit: int | None = None

    @property
    def shown(self) -> list[ScheduledPost]:
        return self.posts if self.limit is None else self.posts[: self.limit]

    @property
    def more(self) -> int:
        return len(self.posts) - len(self.shown)


@dataclass
class Grid:
    view: str
    anchor: date
    start: date  # first local day shown
    end: date  # day after the last one shown
    title: str
    previous: date
    next: date
    weeks: list[list[Cell]] = field(default_factory=list)  # month
    days: list[date] = field(default_factory=list)  # week, day: the columns
    hours: list[list[Cell]] = field(default_factory=list)  # week, day: rows of 24 hours
    agenda: list[Cell] = field(default_factory=list)
    count: int = 0


def local_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), tz), datetime.combine(end, time(), tz)


def grid_for(owner, view: str, anchor: date, tz: ZoneInfo, *, today: date, filters: dict | None = None) -> Grid:
    start, end, title, previous, following = _span(view, anchor)
    low, high = local_bounds(start, end, tz)
    posts = list(
        ScheduledPost.objects.owned_by(owner)
        .filter(scheduled_time__gte=low, scheduled_time__lt=high, **(filters or {}))
        # A card shows the first words of the caption: fetch those, not captions of up to 63k.
        .only("id", "platform", "status", "scheduled_time")
        .annotate(caption_excerpt=Left("caption", CARD_CAPTION_CHARS + 1))
        .order_by("scheduled_time")
    )
    by_day: dict[date, list[ScheduledPost]] = defaultdict(list)
    by_hour: dict[tuple[date, int], list[ScheduledPost]] = defaultdict(list)
    for post in posts:
        local = post.scheduled_time.astimezone(tz)
        post.local_time = local
        by_day[local.date()].append(post)
        by_hour[(local.date(), local.hour)].append(post)
    grid = Grid(view, anchor, start, end, title, previous, following, count=len(posts))
    if view == "month":
        first = start
        grid.weeks = [
            [
                _day_cell(first + timedelta(days=7 * w + d), by_day, today, anchor.month, MONTH_CARDS_PER_DAY)
                for d in range(7)
            ]
            for w in range((end - start).days // 7)
        ]
    elif view in ("week", "day"):
        grid.days = [start + timedelta(days=n) for n in range((end - start).days)]
        grid.hours = [
            [
                Cell(day, hour, f"{day.isoformat()}T{hour:02d}:00", by_hour.get((day, hour), []), True, day == today)
                for day in grid.days
            ]
            for hour in range(24)
        ]
    else:
        grid.agenda = [_day_cell(day, by_day, today, None) for day in sorted(by_day)]
    return grid


def _day_cell(day: date, by_day: dict, today: date, month: int | None, limit: int | None = None) -> Cell:
    in_range = month is None or day.month == month
    return Cell(day, None, day.isoformat(), by_day.get(day, []), in_range, day == today, limit)


def _span(view: str, anchor: date) -> tuple[date, date, str, date, date]:
    """First day, day after the last, title, and the anchors of the previous and next pages."""
    if view == "month":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        start = first - timedelta(days=first.weekday())  # weeks start on Monday
        end = following + timedelta(days=(7 - following.weekday()) % 7)
        return start, end, first.strftime("%B %Y"), previous, following
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        title = f"Week of {start.strftime('%-d %B %Y')}"
        return start, start + timedelta(days=7), title, start - timedelta(days=7), start + timedelta(days=7)
    if view == "day":
        return (
            anchor,
            anchor + timedelta(days=1),
            anchor.strftime("%A %-d %B %Y"),
            anchor - timedelta(days=1),
            (anchor + timedelta(days=1)),
        )
    start = anchor
    title = f"Next {AGENDA_DAYS} days from {anchor.strftime('%-d %B %Y')}"
    return (
        start,
        start + timedelta(days=AGENDA_DAYS),
        title,
        start - timedelta(days=AGENDA_DAYS),
        (start + timedelta(days=AGENDA_DAYS)),
    )
