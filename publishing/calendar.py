"""Calendar grids in the user's zone: month, week, day and agenda.

Pure presentation logic: which local days and hours a view covers, and which posts fall in
each cell. Nothing here writes. One query per grid, two for a month: a month shows only the
first few cards of each day, so it fetches those and a count per day rather than every post.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Window
from django.db.models.functions import Left, RowNumber, TruncDate

from .models import ScheduledPost, waiting_media

VIEWS = ("month", "week", "day", "agenda")
AGENDA_DAYS = 30
# A month cell shows this many cards and "+N more" (a link to that day), as calendars do.
MONTH_CARDS_PER_DAY = 4
CARD_CAPTION_CHARS = 60
UNSCHEDULED_SHOWN = 50


@dataclass
class Cell:
    """One drop target: a day (month, agenda) or an hour of a day (week, day)."""

    day: date
    hour: int | None
    slot: str  # what a drop sends as scheduled_time: "2026-12-03" or "2026-12-03T14:00"
    posts: list[ScheduledPost] = field(default_factory=list)  # the cards drawn
    in_range: bool = True
    is_today: bool = False
    total: int = 0  # posts on this day or hour, drawn or not

    @property
    def more(self) -> int:
        return self.total - len(self.posts)


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
    # Drafts with no time yet: the "unscheduled" tray above the grid, whatever the range.
    unscheduled: list[ScheduledPost] = field(default_factory=list)


THUMBNAIL_VIEWS = ("day", "agenda")  # the views whose cards have room for the clip's thumbnail


def local_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), tz), datetime.combine(end, time(), tz)


def grid_for(owner, view: str, anchor: date, tz: ZoneInfo, *, today: date, filters: dict | None = None) -> Grid:
    start, end, title, previous, following = _span(view, anchor)
    low, high = local_bounds(start, end, tz)
    in_range = ScheduledPost.objects.owned_by(owner).filter(
        scheduled_time__gte=low, scheduled_time__lt=high, **(filters or {})
    )
    local_day = TruncDate("scheduled_time", tzinfo=tz)
    if view == "month":
        per_day = dict(in_range.order_by().values_list(local_day.copy()).annotate(n=Count("id")))
        first_of_day = Window(RowNumber(), partition_by=[local_day], order_by=F("scheduled_time").asc())
        cards = _cards(in_range.annotate(rank=first_of_day).filter(rank__lte=MONTH_CARDS_PER_DAY))
    else:
        cards = _cards(in_range, thumbnails=view in THUMBNAIL_VIEWS)
        per_day = None
    by_day: dict[date, list[ScheduledPost]] = defaultdict(list)
    by_hour: dict[tuple[date, int], list[ScheduledPost]] = defaultdict(list)
    for post in cards:
        local = post.scheduled_time.astimezone(tz)
        post.local_time = local
        by_day[local.date()].append(post)
        by_hour[(local.date(), local.hour)].append(post)
    grid = Grid(view, anchor, start, end, title, previous, following)
    if view == "month":
        grid.count = sum(per_day.values())
        grid.weeks = [
            [_day_cell(start + timedelta(days=7 * w + d), by_day, per_day, today, anchor.month) for d in range(7)]
            for w in range((end - start).days // 7)
        ]
    elif view in ("week", "day"):
        grid.count = len(cards)
        grid.days = [start + timedelta(days=n) for n in range((end - start).days)]
        grid.hours = [
            [_hour_cell(day, hour, by_hour.get((day, hour), []), today) for day in grid.days] for hour in range(24)
        ]
    else:
        grid.count = len(cards)
        grid.agenda = [_day_cell(day, by_day, None, today, None) for day in sorted(by_day)]
    drafts = ScheduledPost.objects.owned_by(owner).filter(scheduled_time__isnull=True, **(filters or {}))
    grid.unscheduled = _cards(drafts, limit=UNSCHEDULED_SHOWN)
    return grid


def _cards(posts, limit: int | None = None, *, thumbnails: bool = False) -> list[ScheduledPost]:
    # A card shows the first words of the caption: fetch those, not captions of up to 63k.
    cards = (
        posts.only("id", "platform", "status", "scheduled_time", "series_id")
        .annotate(
            caption_excerpt=Left("caption", CARD_CAPTION_CHARS + 1),
            # Its clip's file is still on its way to Blotato: the card says so instead of "Scheduled".
            media_pending=Exists(waiting_media()),
        )
        .order_by("scheduled_time", "-created_at")
    )
    if thumbnails:  # the day and agenda views have room for the clip's thumbnail
        cards = cards.annotate(clip_thumbnail=F("clip__thumbnail"), thumbnail_clip_id=F("clip_id"))
    return list(cards[:limit] if limit else cards)


def _day_cell(day: date, by_day: dict, per_day: dict | None, today: date, month: int | None) -> Cell:
    posts = by_day.get(day, [])
    total = len(posts) if per_day is None else per_day.get(day, 0)
    in_range = month is None or day.month == month
    return Cell(day, None, day.isoformat(), posts, in_range, day == today, total)


def _hour_cell(day: date, hour: int, posts: list, today: date) -> Cell:
    return Cell(day, hour, f"{day.isoformat()}T{hour:02d}:00", posts, True, day == today, len(posts))


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
