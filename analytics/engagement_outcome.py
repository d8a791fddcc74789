"""From one account's posts to one comparable outcome per post, and how much each post counts.

Pure numpy, no Django: analytics/history.py turns the ORM rows into a `History`.

outcome = log engagement per follower (or, without follower counts, log engagement with the
account's growth trend removed); weight = recency (half-life) x maturity (young posts have not
collected their engagement yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

HOURS = 24
DAYS = 7

# Engagement = likes + weighted comments/shares/saves + a little of the views: a comment or a
# share costs the viewer more than a like, and views are cheap and on another scale.
COMMENT_WEIGHT = 2.0
SHARE_WEIGHT = 3.0
SAVE_WEIGHT = 2.0
VIEW_WEIGHT = 0.02

HALF_LIFE_DAYS = 45.0  # recency: shorter costs precision when tastes do not drift
MATURITY_DAYS = 2.0  # posts this young have not collected their engagement yet: count them less
MIN_MATURITY_WEIGHT = 0.2

TREND_SHRINK_POSTS = 20.0  # a growth trend from a handful of posts is mostly noise
TREND_WINSOR_SD = 1.5  # the trend is fitted on values clipped this many robust sds from the median
TREND_SPREAD_FLOOR = 0.3


@dataclass(frozen=True)
class History:
    """One user's posts on one platform, hours and weekdays already in the user's local time."""

    hour: np.ndarray
    weekday: np.ndarray  # 0 = Monday
    age_days: np.ndarray
    views: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    saves: np.ndarray
    followers: np.ndarray  # NaN where unknown
    # How far each row's counts are from final (a harvested post still young: below 1). Empty: every
    # row is final, as imported rows are.
    maturity: np.ndarray = field(default_factory=lambda: np.ones(0))

    @classmethod
    def empty(cls) -> History:
        return cls(*(np.zeros(0) for _ in range(9)))

    def __len__(self) -> int:
        return int(np.asarray(self.hour).shape[0])


@dataclass(frozen=True)
class Outcomes:
    """The posts inside the window: where they sit, how they did, how much each counts."""

    hour: np.ndarray  # int64, 0..23
    day: np.ndarray  # int64, 0..6
    y: np.ndarray  # normalised log engagement
    weight: np.ndarray  # recency x maturity, 0..1
    # Rows read before their engagement settled (History.maturity below 1); None: none given.
    young: np.ndarray | None = None


def outcomes(history: History, window_days: int) -> Outcomes | None:
    """The rows inside the window with their outcome and weight, or None if there are none."""
    hour = np.asarray(history.hour)
    if hour.size == 0:
        return None
    day = np.asarray(history.weekday)
    age = np.asarray(history.age_days, dtype=float)
    # NaN compares false: the range checks also drop unknown hours and days.
    keep = (hour >= 0) & (hour < HOURS) & (day >= 0) & (day < DAYS) & np.isfinite(age) & (age <= window_days)
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        return None
    everything = rows.size == hour.size  # the usual case: no copies of whole columns to select them all

    def kept(values) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return values if everything else values.take(rows)

    age = np.maximum(kept(age), 0.0)  # a clock a little ahead of the server is not the future

    def metric(values) -> np.ndarray:
        values = kept(values)
        return np.where((values > 0.0) & (values < np.inf), values, 0.0)  # NaN, infinities, negatives: 0

    engagement = (
        metric(history.likes)
        + COMMENT_WEIGHT * metric(history.comments)
        + SHARE_WEIGHT * metric(history.shares)
        + SAVE_WEIGHT * metric(history.saves)
        + VIEW_WEIGHT * metric(history.views)
    )
    y = _normalised_outcome(np.log1p(engagement), kept(history.followers), age)
    maturity = np.clip(age / MATURITY_DAYS, MIN_MATURITY_WEIGHT, 1.0)
    given = np.asarray(history.maturity, dtype=float)
    young = None
    if given.size:
        if given.shape != hour.shape:
            raise ValueError("History.maturity must have one value per row, or none")
        given = np.nan_to_num(kept(given), nan=1.0)
        maturity = maturity * np.clip(given, MIN_MATURITY_WEIGHT, 1.0)
        young = given < 1.0
    weight = np.exp2(-age / HALF_LIFE_DAYS) * maturity  # 0.5 ** (age / half-life), 8x cheaper
    hour, day = (hour, day) if everything else (hour.take(rows), day.take(rows))
    hour, day = hour.astype(np.int64, copy=False), day.astype(np.int64, copy=False)
    return Outcomes(hour=hour, day=day, y=y, weight=weight, young=young if young is not None and young.any() else None)


def _normalised_outcome(log_engagement: np.ndarray, followers: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Log engagement per follower; without any follower count, remove the growth trend instead."""
    known = np.isfinite(followers) & (followers > 0)
    if known.any():
        log_followers = np.log(np.where(known, followers, 1.0))
        if not known.all():
            # Fill gaps from the nearest snapshots in time: follower counts move slowly. Rows by
            # index, found once: each boolean-mask selection would search the mask again.
            gaps, snapshots = np.flatnonzero(~known), np.flatnonzero(known)
            log_followers[gaps] = _interpolated(age.take(gaps), age.take(snapshots), log_followers.take(snapshots))
        return log_engagement - log_followers
    return log_engagement - _robust_trend(log_engagement, age)


def _interpolated(at: np.ndarray, known_at: np.ndarray, known_values: np.ndarray) -> np.ndarray:
    """np.interp for points in any order, sorted first: a sorted lookup walks instead of searching."""
    by_age, known_at_sorted = _sorted_order(known_at)
    asked = np.argsort(at)
    values = np.empty(at.size)
    values[asked] = np.interp(at.take(asked), known_at_sorted, known_values.take(by_age))
    return values


def _sorted_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stable argsort and the values in its order, at the price of an unstable one when no two
    values are equal (the usual case)."""
    order = np.argsort(values)
    ordered = values.take(order)
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(values, kind="stable")
        ordered = values.take(order)
    return order, ordered


def _robust_trend(y: np.ndarray, age: np.ndarray) -> np.ndarray:
    """A linear trend in age from winsorised values, shrunk toward none for few posts."""
    n = y.size
    if n < 3 or np.ptp(age) <= 0:
        return np.zeros(n)
    centre = np.median(y)
    spread = max(1.4826 * float(np.median(np.abs(y - centre))), TREND_SPREAD_FLOOR)
    clipped = np.clip(y, centre - TREND_WINSOR_SD * spread, centre + TREND_WINSOR_SD * spread)
    age_centred = age - age.mean()
    slope = float(np.dot(age_centred, clipped - clipped.mean()) / np.dot(age_centred, age_centred))
    slope *= n / (n + TREND_SHRINK_POSTS)
    return slope * age_centred
