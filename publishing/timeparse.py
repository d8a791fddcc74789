"""Reading times users type: an instant with an offset, or a wall-clock time in their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class BadTime(ValueError):
    """A time we cannot read; the message is meant for the user."""


# Python's dates stop at years 1 and 9999. Keeping well inside them means no zone's offset and no
# window the calendar computes (a month or so either side of a day) can step outside.
EARLIEST_YEAR = 1900
LATEST_YEAR = 9000


def check_supported_year(moment: date, text: str) -> None:
    """Refuse a date or time (as `text` wrote it) too near the ends of the calendar to compute with."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise BadTime(f"'{text}' is out of range: dates must fall between years {EARLIEST_YEAR} and {LATEST_YEAR}")


def parse_date(value: str) -> date:
    """A calendar date like 2026-11-27, in the years we can compute with."""
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise BadTime(f"'{value}' is not a date like 2026-11-27") from error
    check_supported_year(day, value)
    return day


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone files from disk: once per process


def zone_named(name: str) -> ZoneInfo:
    if name not in _zone_names():
        raise BadTime(f"'{name}' is not an IANA time zone name (for example Europe/Paris).")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # pragma: no cover - listed but missing on disk
        raise BadTime(f"'{name}' is not an IANA time zone name (for example Europe/Paris).") from error


def parse_instant(value: object, tz: ZoneInfo) -> datetime:
    """An ISO 8601 string as a UTC instant; without an offset it is a wall-clock time in `tz`.

    A local time that never happens (the spring-forward gap) is refused; one that happens twice
    (the fall-back fold) means the earlier instant, as PEP 495's fold=0.
    """
    if not isinstance(value, str):
        raise BadTime("must be an ISO 8601 date-time string, like 2026-12-27T14:00:00Z")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadTime(f"'{text}' is not an ISO 8601 date-time, like 2026-12-27T14:00:00Z") from error
    check_supported_year(parsed, text)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    local = parsed.replace(tzinfo=tz, fold=0)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != parsed:
        raise BadTime(f"{parsed:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip that hour)")
    return local.astimezone(UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """UTC with a Z, second precision: the API's format for every instant."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
