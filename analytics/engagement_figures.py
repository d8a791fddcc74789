"""One comparable engagement figure per post from Blotato's snapshots.

Snapshots are cumulative readings at checkpoints after publishing (6 h on some plans, then 1, 7,
14 and 30 days, each a little late on purpose). Posts are compared at the same age: the figure is
the reading at FIXED_AGE_DAYS; a post too young for it uses its latest reading, with a maturity
below 1 that tells the engine to believe it less. Each count comes from one field per platform
(publishing/platforms.py EngagementFields), so synonyms are never added up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from publishing.platforms import RULES

FIXED_AGE_DAYS = 7.0
# Readings come up to a few hours after their checkpoint; one taken a little before it (clock
# differences) still belongs to it.
CHECKPOINT_SLACK_DAYS = 0.25
LAST_CHECKPOINT_DAYS = 30.0
YOUNGEST_MATURITY = 0.1


@dataclass(frozen=True)
class Figure:
    views: int
    likes: int
    comments: int
    shares: int
    saves: int
    age_days: float  # of the reading the counts come from
    maturity: float  # 1 from the fixed age on; a younger post's share of that age


def counts(platform: str, metrics: dict) -> dict[str, int]:
    """The five counts the engine reads, each from its one field on this platform; absent → 0."""
    fields = RULES[platform].engagement
    if fields is None:
        return {}
    return {
        "views": _first(metrics, fields.views),
        "likes": _first(metrics, ("likesCount",)),
        "comments": _first(metrics, fields.replies),
        "shares": _first(metrics, fields.reposts),
        "saves": _first(metrics, ("savesCount",)),
    }


def figure(platform: str, published_at: datetime, readings: list[tuple[datetime, dict]]) -> Figure | None:
    """The reading at the fixed age (the first one at or past it), else the latest, as a Figure."""
    aged = sorted(((fetched - published_at).total_seconds() / 86400.0, metrics) for fetched, metrics in readings)
    if not aged or RULES[platform].engagement is None:
        return None
    mature = [(age, metrics) for age, metrics in aged if age >= FIXED_AGE_DAYS - CHECKPOINT_SLACK_DAYS]
    age, metrics = mature[0] if mature else aged[-1]
    maturity = 1.0 if mature else max(YOUNGEST_MATURITY, min(1.0, age / FIXED_AGE_DAYS))
    return Figure(**counts(platform, metrics), age_days=age, maturity=maturity)


def all_checkpoints_in(published_at: datetime, readings: list[tuple[datetime, dict]]) -> bool:
    return any(
        (fetched - published_at).total_seconds() / 86400.0 >= LAST_CHECKPOINT_DAYS - CHECKPOINT_SLACK_DAYS
        for fetched, _ in readings
    )


@dataclass(frozen=True)
class Reading:
    """One snapshot as the post page shows it."""

    age_days: float
    views: int
    interactions: int  # likes + replies + reposts + saves, each counted once


def readings_of(platform: str, published_at: datetime, readings: list[tuple[datetime, dict]]) -> list[Reading]:
    shown = []
    for fetched_at, metrics in sorted(readings, key=lambda reading: reading[0]):
        found = counts(platform, metrics)
        if found:
            age = (fetched_at - published_at).total_seconds() / 86400.0
            interactions = found["likes"] + found["comments"] + found["shares"] + found["saves"]
            shown.append(Reading(age, found["views"], interactions))
    return shown


def _first(metrics: dict, names: tuple[str, ...]) -> int:
    """The first of `names` that holds a whole count (Blotato sends counts as strings)."""
    for name in names:
        value = metrics.get(name)
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if number >= 0:
            return number
    return 0
