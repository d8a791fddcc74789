"""Recurrence rules: which instants a repeating post falls on. Pure arithmetic, no Django.

Every occurrence is computed from the rule's start (its local date and wall-clock time in the
owner's zone) and its index, never from the previous run, so a late, paused or repeated job can
never shift or bunch the series. Dates that need a rule (docs/queue.md, "Recurring posts"):
- monthly on the 29th-31st in a shorter month: the month's last day (31 Jan -> 28/29 Feb, 30 Apr);
  a monthly series every 12 months started on 29 Feb posts on 28 Feb in common years;
- a wall time in a DST gap or overlap: as posting slots (posting_slots.wall_time_instant), moved
  forward past the gap, or the first of the two.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .posting_slots import wall_time_instant

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)
UNITS = {DAILY: "day", WEEKLY: "week", MONTHLY: "month"}


@dataclass(frozen=True)
class Rule:
    """Repeat every `interval` days, weeks (on `weekdays`, 0 = Monday) or months (on the start's
    day of month), from `start_day` at `at` local time, until `until` (a local date, inclusive) or
    for `count` occurrences, or for ever when neither is given."""

    frequency: str
    interval: int
    start_day: date
    at: time
    weekdays: tuple[int, ...] = ()
    until: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}")
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if self.until is not None and self.until < self.start_day:
            raise ValueError("until is before the start")
        if self.frequency == WEEKLY and (not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays)):
            raise ValueError("a weekly rule needs weekdays from 0 (Monday) to 6 (Sunday)")

    def describe(self) -> str:
        unit = UNITS[self.frequency]
        every = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.frequency == WEEKLY:
            every += " on " + ", ".join(calendar.day_abbr[d] for d in self.weekdays)
        elif self.frequency == MONTHLY:
            every += f" on day {self.start_day.day}"
        every += f" at {self.at:%H:%M}"
        if self.until:
            every += f", until {self.until.isoformat()}"
        if self.count:
            every += f", {self.count} time{'s' if self.count != 1 else ''}"
        return every


def occurrence_day(rule: Rule, index: int) -> date:
    """The local date of occurrence `index` (0 is the first on or after the start day)."""
    if rule.frequency == DAILY:
        return rule.start_day + timedelta(days=index * rule.interval)
    if rule.frequency == MONTHLY:
        months = rule.start_day.month - 1 + index * rule.interval
        year, month = rule.start_day.year + months // 12, months % 12 + 1
        return date(year, month, min(rule.start_day.day, calendar.monthrange(year, month)[1]))
    return _weekly_day(rule, index)


def _weekly_day(rule: Rule, index: int) -> date:
    """Weeks run Monday to Sunday from the start's week; every `interval`-th week, on each weekday
    chosen, leaving out the chosen days of the first week that fall before the start day."""
    days = sorted(set(rule.weekdays))
    skipped = sum(1 for d in days if d < rule.start_day.weekday())
    week, position = divmod(index + skipped, len(days))
    first_monday = rule.start_day - timedelta(days=rule.start_day.weekday())
    return first_monday + timedelta(weeks=week * rule.interval, days=days[position])


def occurrence_instant(rule: Rule, index: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of occurrence `index`: its local date at the rule's wall time in `tz`."""
    return wall_time_instant(occurrence_day(rule, index), rule.at, tz)


def is_within(rule: Rule, index: int) -> bool:
    """Whether occurrence `index` belongs to the series (its count and its last day)."""
    if rule.count is not None and index >= rule.count:
        return False
    return rule.until is None or occurrence_day(rule, index) <= rule.until


def occurrences(rule: Rule, tz: ZoneInfo, *, first_index: int = 0, end: datetime) -> Iterator[tuple[int, datetime]]:
    """(index, instant) of every occurrence from `first_index` on, before `end`, in order."""
    index = first_index
    while is_within(rule, index):
        instant = occurrence_instant(rule, index, tz)
        if instant >= end:
            return
        yield index, instant
        index += 1


def first_index_at_or_after(rule: Rule, tz: ZoneInfo, moment: datetime, *, from_index: int = 0) -> int:
    """The index of the first occurrence at or after `moment`, starting the search at `from_index`.

    Jumps most of the way by arithmetic (a series paused for years is not walked day by day),
    then steps; the result may be past the series' end (is_within says).
    """
    index = from_index
    local_day = moment.astimezone(tz).date()
    # A lower bound of the occurrences strictly before `local_day - 1`: safe whatever the offsets.
    days_ahead = (local_day - occurrence_day(rule, index)).days - 2
    if days_ahead > 0:
        per_occurrence = {
            DAILY: rule.interval,
            WEEKLY: 7 * rule.interval / max(1, len(set(rule.weekdays))),
            MONTHLY: 31 * rule.interval,
        }[rule.frequency]
        # Weekly rules bunch within a week: keep two weeks in hand so the jump never overshoots.
        slack = 1 if rule.frequency != WEEKLY else 2 * len(set(rule.weekdays))
        index += max(0, int(days_ahead // per_occurrence) - slack)
    while occurrence_instant(rule, index, tz) < moment:
        index += 1
    return index
