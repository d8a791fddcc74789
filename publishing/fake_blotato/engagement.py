"""The hidden truth behind the fake's analytics: how well each post does, and what Blotato has
collected about it so far.

Each account has an hour × weekday multiplier curve (deterministic from a seed, or set per account
by a knob). A post's final counts are the platform's base counts × the curve at its publish hour ×
log-normal noise; Blotato reads them at fixed checkpoints after publishing, each reading a growing
share of the final count, so the values are cumulative. Pure functions: no lock, no server.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .records import Submission, iso
from .validation import SOCIAL_PLATFORMS

HOUR, DAY = 3600, 86400
# When Blotato reads a post's metrics after it went out, per plan; and the share of the final
# count each reading sees (most engagement arrives in the first day, nearly all within a week).
CHECKPOINTS = {"starter": (DAY, 7 * DAY, 14 * DAY, 30 * DAY), "agency": (6 * HOUR, DAY, 7 * DAY, 14 * DAY, 30 * DAY)}
GROWTH = {6 * HOUR: 0.35, DAY: 0.6, 7 * DAY: 0.9, 14 * DAY: 0.97, 30 * DAY: 1.0}
MAX_JITTER_S = 6 * HOUR  # keeps the readings in checkpoint order

# The counts each platform reports, with the count a post gets at multiplier 1. LinkedIn (and the
# webhook target) report nothing. Bluesky has no view or impression count at all.
BASE_COUNTS = {
    "twitter": {
        "impressionsCount": 2500,
        "likesCount": 60,
        "repliesCount": 8,
        "twitterRetweetsCount": 12,
        "twitterQuotesCount": 3,
    },
    "threads": {
        "impressionsCount": 1200,
        "likesCount": 45,
        "repliesCount": 6,
        "threadsRepostsCount": 5,
        "threadsQuotesCount": 2,
    },
    "bluesky": {"likesCount": 30, "repliesCount": 5, "blueskyRepostsCount": 6, "blueskyQuotesCount": 1},
    "tiktok": {"viewsCount": 6000, "likesCount": 400, "commentsCount": 25, "sharesCount": 30},
    "youtube": {"viewsCount": 1500, "likesCount": 70, "commentsCount": 9},
    "instagram": {
        "playsCount": 4000,
        "reachCount": 2800,
        "likesCount": 180,
        "commentsCount": 12,
        "sharesCount": 15,
        "savesCount": 20,
    },
    "facebook": {
        "impressionsCount": 1800,
        "reachCount": 1300,
        "likesCount": 50,
        "commentsCount": 7,
        "sharesCount": 6,
    },
    "pinterest": {"impressionsCount": 900, "savesCount": 25, "clicksCount": 14},
}
# What /v2/analytics sorts by, per sortBy value: the first of these fields the post has.
SORT_FIELDS = {
    "views_count": ("viewsCount", "playsCount", "impressionsCount"),
    "likes_count": ("likesCount",),
    "comments_count": ("commentsCount", "repliesCount"),
    "reach_count": ("reachCount",),
}

ANALYTICS_KNOBS = {
    "analytics_plan": "starter",
    # Seconds after each checkpoint before its reading lands: a number or a [low, high] range,
    # drawn per reading.
    "analytics_jitter_s": 0.0,
    "analytics_seed": 20260601,
    "analytics_noise": 0.25,  # sigma of the log-normal noise on each post (0: none)
    "analytics_timezone": "UTC",  # where the curves' hours and weekdays are counted
    "analytics_curves": None,  # {account_id: 7 × 24 multipliers, Monday first}, overriding the seed
    "analytics_not_synced_message": "Analytics have not yet synced for this post",
    "analytics_empty_metrics": False,  # True, or a list of platforms whose readings come back empty
    "analytics_history_omits_latest": False,
    "analytics_disabled": False,
    "analytics_extra_routes": False,  # serve /v2/analytics/platforms and /v2/analytics/summary
}
ANALYTICS_CHOICES = {"analytics_plan": tuple(CHECKPOINTS)}


@dataclass(frozen=True)
class Reading:
    fetched_at: float  # fake clock, epoch seconds
    metrics: dict

    def as_dict(self) -> dict:
        return {"fetchedAt": iso(self.fetched_at), "metrics": dict(self.metrics)}


def check_knobs(knobs: Mapping) -> None:
    """Raise ValueError for a malformed analytics knob."""
    jitter = knobs.get("analytics_jitter_s", 0.0)
    bounds = list(jitter) if isinstance(jitter, (list, tuple)) else [jitter, jitter]
    if len(bounds) != 2 or not all(_is_number(b) for b in bounds) or not 0 <= bounds[0] <= bounds[1] <= MAX_JITTER_S:
        raise ValueError(f"analytics_jitter_s must be seconds or a [low, high] range within 0..{MAX_JITTER_S}")
    noise = knobs.get("analytics_noise", 0.0)
    if not _is_number(noise) or not 0 <= noise <= 2:
        raise ValueError("analytics_noise must be a number from 0 to 2")
    if not isinstance(knobs.get("analytics_seed", 0), (int, str)):
        raise ValueError("analytics_seed must be an integer or a string")
    if "analytics_timezone" in knobs:
        try:
            ZoneInfo(knobs["analytics_timezone"])
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as problem:
            raise ValueError("analytics_timezone must be an IANA zone such as Europe/Paris") from problem
    curves = knobs.get("analytics_curves") or {}
    if not isinstance(curves, dict):
        raise ValueError("analytics_curves must map account ids to 7 × 24 multipliers")
    for account_id, rows in curves.items():
        rows_ok = isinstance(rows, (list, tuple)) and len(rows) == 7
        if not rows_ok or not all(isinstance(row, (list, tuple)) and len(row) == 24 for row in rows):
            raise ValueError(f"analytics_curves[{account_id!r}] must be 7 lists (Monday first) of 24 numbers")
        if not all(_is_number(v) and v >= 0 for row in rows for v in row):
            raise ValueError(f"analytics_curves[{account_id!r}] takes only numbers >= 0")
    empty = knobs.get("analytics_empty_metrics", False)
    if not isinstance(empty, bool) and not (isinstance(empty, list) and all(p in SOCIAL_PLATFORMS for p in empty)):
        raise ValueError("analytics_empty_metrics must be true/false or a list of platforms")
    if not isinstance(knobs.get("analytics_not_synced_message", ""), str):
        raise ValueError("analytics_not_synced_message must be a string")
    for name in ("analytics_history_omits_latest", "analytics_disabled", "analytics_extra_routes"):
        if not isinstance(knobs.get(name, False), bool):
            raise ValueError(f"{name} must be true or false")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def curve(knobs: Mapping, account_id: str) -> list[list[float]]:
    """The account's true multiplier per weekday (Monday first) and hour, in the knob's zone."""
    explicit = (knobs["analytics_curves"] or {}).get(account_id)
    if explicit is not None:
        return [[float(v) for v in row] for row in explicit]
    return [list(row) for row in _seeded_curve(str(knobs["analytics_seed"]), account_id)]


@functools.lru_cache(maxsize=1024)
def _seeded_curve(seed: str, account_id: str) -> tuple[tuple[float, ...], ...]:
    """A morning and an evening peak over a floor, a level per weekday, and an overall level
    for the account (accounts differ in size as well as in timing)."""
    rng = random.Random(f"{seed}:curve:{account_id}")
    level = rng.uniform(0.6, 1.6)
    peaks = [
        (rng.uniform(6.5, 10.5), rng.uniform(1.5, 3.0), rng.uniform(0.5, 1.2)),
        (rng.uniform(16.5, 21.5), rng.uniform(1.5, 3.5), rng.uniform(0.8, 1.6)),
    ]
    weekdays = [rng.uniform(0.7, 1.3) for _ in range(7)]
    rows = []
    for day in range(7):
        row = []
        for hour in range(24):
            bumps = sum(
                height * math.exp(-(min(abs(hour - centre), 24 - abs(hour - centre)) ** 2) / (2 * width**2))
                for centre, width, height in peaks
            )
            row.append(round(level * weekdays[day] * (0.15 + bumps), 4))
        rows.append(tuple(row))
    return tuple(rows)


def final_counts(knobs: Mapping, submission: Submission) -> dict[str, float]:
    """What the post ends with after 30 days: base × curve at its publish hour × noise."""
    base = BASE_COUNTS.get(submission.platform)
    if not base:
        return {}
    published = datetime.fromtimestamp(submission.settles_at(), ZoneInfo(knobs["analytics_timezone"]))
    multiplier = curve(knobs, submission.account_id)[published.weekday()][published.hour]
    rng = random.Random(f"{knobs['analytics_seed']}:post:{submission.listing_id}")
    sigma = float(knobs["analytics_noise"])
    shared = rng.lognormvariate(0, sigma) if sigma else 1.0
    # Each count also wobbles a little on its own, so likes are not a fixed share of views.
    return {
        name: count * multiplier * shared * (rng.lognormvariate(0, sigma / 2) if sigma else 1.0)
        for name, count in base.items()
    }


def readings(knobs: Mapping, submission: Submission, now: float) -> list[Reading]:
    """The readings Blotato has taken of a published post by `now`, oldest first (true values)."""
    finals = final_counts(knobs, submission)
    if not finals or submission.status(now) != "published":
        return []
    published_at = submission.settles_at()
    found = []
    for checkpoint in CHECKPOINTS[knobs["analytics_plan"]]:
        fetched_at = published_at + checkpoint + _jitter(knobs, submission, checkpoint)
        if fetched_at > now:
            break
        found.append(Reading(fetched_at, _metrics(submission.platform, finals, GROWTH[checkpoint])))
    return found


def _jitter(knobs: Mapping, submission: Submission, checkpoint: int) -> float:
    jitter = knobs["analytics_jitter_s"]
    if not isinstance(jitter, (list, tuple)):
        return float(jitter)
    rng = random.Random(f"{knobs['analytics_seed']}:jitter:{submission.listing_id}:{checkpoint}")
    return rng.uniform(float(jitter[0]), float(jitter[1]))


def _metrics(platform: str, finals: dict[str, float], share: float) -> dict:
    """Counts as strings, as Blotato sends them; Pinterest's save rate is a plain number."""
    counts = {name: int(value * share) for name, value in finals.items()}
    metrics: dict = {name: str(count) for name, count in counts.items()}
    if platform == "pinterest" and counts["impressionsCount"]:
        metrics["pinterestSaveRate"] = round(counts["savesCount"] / counts["impressionsCount"], 4)
    return metrics


def empties(knobs: Mapping, platform: str) -> bool:
    """Whether the empty-metrics knob makes this platform's readings come back empty."""
    empty = knobs["analytics_empty_metrics"]
    return empty is True or (isinstance(empty, list) and platform in empty)


def sort_value(metrics: Mapping, sort_by: str) -> int:
    """The count a sortBy key ranks on; -1 when the post lacks it (it ranks last)."""
    for name in SORT_FIELDS[sort_by]:
        value = metrics.get(name)
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return -1
