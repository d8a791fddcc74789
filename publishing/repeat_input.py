"""The `repeat` object of a schedule request, checked field by field into a recurrence.Rule.

```
"repeat": {"frequency": "weekly", "interval": 1, "weekdays": [0, 3], "until": "2027-03-31"}
"repeat": {"frequency": "monthly", "count": 6}
```
Every refusal is a 400 naming the field (`repeat.weekdays[1]`), so a client can point at it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from .bad_input import BadInput
from .recurrence import FREQUENCIES, WEEKLY, Rule

REPEAT_FIELDS = {"frequency", "interval", "weekdays", "until", "count"}
MAX_INTERVAL = 366
MAX_COUNT = 1000
# The end of a series is at most this far from its start (a count runs out on its own).
MAX_UNTIL_YEARS = 5


def parse_repeat(value: object, start: datetime, tz: ZoneInfo) -> Rule:
    """The rule of a series whose first occurrence is due at `start` (read in `tz`)."""
    if not isinstance(value, dict):
        raise BadInput(
            'repeat must be an object, like {"frequency": "weekly", "weekdays": [0]}.', {"repeat": "must be an object"}
        )
    unknown = sorted(set(value) - REPEAT_FIELDS)
    if unknown:
        raise BadInput(
            f"Unknown field(s) in repeat: {', '.join(unknown)}.",
            {f"repeat.{name}": "unknown field" for name in unknown} | {"allowed": sorted(REPEAT_FIELDS)},
        )
    frequency = value.get("frequency")
    if frequency not in FREQUENCIES:
        raise BadInput(
            f"repeat.frequency must be one of {', '.join(FREQUENCIES)}.",
            {"repeat.frequency": "required" if frequency is None else "unknown"},
        )
    local = start.astimezone(tz)
    interval = whole_number(value, "interval", default=1, most=MAX_INTERVAL)
    weekdays = _weekdays(value.get("weekdays"), frequency, default=local.weekday())
    until = end_date(value.get("until"), local.date())
    count = whole_number(value, "count", default=None, most=MAX_COUNT)
    if until is not None and count is not None:
        raise BadInput(
            "A series ends on a date (repeat.until) or after a number of posts (repeat.count), not both.",
            {"repeat.until": "conflicts with count", "repeat.count": "conflicts with until"},
        )
    return Rule(
        frequency=frequency,
        interval=interval,
        start_day=local.date(),
        at=local.time().replace(second=0, microsecond=0, tzinfo=None),
        weekdays=weekdays,
        until=until,
        count=count,
    )


def whole_number(value: dict, name: str, *, default: int | None, most: int, prefix: str = "repeat.") -> int | None:
    number = value.get(name)
    where = f"{prefix}{name}"
    if number is None:
        return default
    if isinstance(number, bool) or not isinstance(number, int):
        raise BadInput(f"{where} must be a whole number.", {where: "must be an integer"})
    if not 1 <= number <= most:
        raise BadInput(f"{where} must be from 1 to {most}, not {number}.", {where: "out of range"})
    return number


def _weekdays(value: object, frequency: str, *, default: int) -> tuple[int, ...]:
    if value is None:
        return (default,) if frequency == WEEKLY else ()
    if frequency != WEEKLY:
        raise BadInput('repeat.weekdays only goes with "frequency": "weekly".', {"repeat.weekdays": "only for weekly"})
    if not isinstance(value, list) or not value:
        raise BadInput(
            "repeat.weekdays must be a non-empty list of days, 0 (Monday) to 6 (Sunday).",
            {"repeat.weekdays": "must be a non-empty list"},
        )
    for position, day in enumerate(value):
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise BadInput(
                f"repeat.weekdays[{position}]: {day!r} is not a day from 0 (Monday) to 6 (Sunday).",
                {f"repeat.weekdays[{position}]": "not a weekday"},
            )
    if len(set(value)) != len(value):
        raise BadInput("repeat.weekdays names a day twice.", {"repeat.weekdays": "repeated day"})
    return tuple(sorted(value))


def end_date(value: object, start_day: date, *, prefix: str = "repeat.") -> date | None:
    """The last day of a series (local, inclusive), from an ISO date on or after `start_day`."""
    where = f"{prefix}until"
    if value is None:
        return None
    try:
        until = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        until = None
    if until is None:
        raise BadInput(f"{where} must be a date like 2027-03-31 (your zone), not {value!r}.", {where: "not a date"})
    if until < start_day:
        raise BadInput(f"{where} ({until}) is before the first post ({start_day}).", {where: "before the start"})
    if until.year - start_day.year > MAX_UNTIL_YEARS:
        raise BadInput(f"{where} is more than {MAX_UNTIL_YEARS} years ahead.", {where: "too far ahead"})
    return until
