"""Best hours and weekdays to post, read off the engagement model fitted to one account's posts.

Pure numpy, no Django: analytics/history.py turns the ORM rows into a `History`,
analytics/engagement_outcome.py turns those into comparable outcomes, analytics/engagement_model.py
fits the weekday x hour model, and this module scores every slot and names the best hours and days.

bench/optimal_times_eval.py measures it against "mean engagement per hour" on synthetic users.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import engagement_model
from .engagement_outcome import DAYS, HOURS, History, outcomes
from .platform_defaults import PLATFORMS, default_for

__all__ = ["PLATFORMS", "History", "Recommendation", "recommend"]

BEST_HOURS = 4
MIN_BEST_DAYS = 3
DAY_TOLERANCE = 0.05  # a day within ~5% of the best day is one of the best days
# Past either of these the account's own posts speak louder than the platform's defaults.
HISTORICAL_CONFIDENCE = 0.7
HISTORICAL_POSTS = 60.0
# Posterior sds in a draw: 1 is plain Thompson sampling; half explored as widely over the weeks at a
# lower cost in the first ones (bench/optimal_times_loop.py: 0.24 instead of 0.33 regret from week 7).
DRAW_SCALE = 0.5


@dataclass(frozen=True)
class Recommendation:
    platform: str
    best_hours: list[int]
    best_days: list[int]
    hour_scores: list[float]  # 24 values, 0..100
    day_scores: list[float]  # 7 values, 0..100
    slot_scores: np.ndarray  # (7, 24) weekday x hour, 0..100
    # (7, 24): each slot's expected engagement (cautious estimate) as a percentage of the best
    # slot's; unlike slot_scores, 90 here means "about 90% of what the best slot gets".
    slot_relative: np.ndarray
    # (7, 24): the same, optimistic (one posterior sd up): what an hour with little data behind it
    # might be worth. Used to pick hours worth trying, never to rank the best hours.
    slot_upside: np.ndarray
    slot_counts: np.ndarray  # (7, 24) posts in the window behind each slot
    sample_size: int
    source: str  # "default" | "blended" | "historical"
    confidence: float  # 0..1
    # (7, 24): the posterior mean, neither cautious nor optimistic, as a percentage of the best
    # slot's cautious estimate (the scale of slot_relative).
    slot_expected: np.ndarray | None = None
    # (24, 24) log units: how uncertain the hour curve still is, for posterior draws; None without data.
    hour_covariance: np.ndarray | None = None

    def posterior_draw(self, seed: int) -> np.ndarray:
        """(7, 24) one plausible truth drawn from the posterior, on slot_relative's scale.

        The same seed gives the same draw: a dialog opened twice offers the same chips.
        """
        expected = self.slot_relative if self.slot_expected is None else self.slot_expected
        if self.hour_covariance is None:
            return expected
        values, vectors = np.linalg.eigh(self.hour_covariance)
        shape = vectors @ (np.sqrt(np.clip(values, 0.0, None)) * np.random.default_rng(seed).standard_normal(HOURS))
        return expected * np.exp(DRAW_SCALE * shape)[None, :]


def recommend(platform: str, history: History, *, window_days: int = 90) -> Recommendation:
    """Score every weekday x hour for this account and platform; defaults when there is no data."""
    default = default_for(platform)
    posts = outcomes(history, window_days)
    if posts is None:
        slots = engagement_model.prior_slots(default)
        return _answer(platform, slots, slots, np.zeros((DAYS, HOURS), dtype=np.int64), 0, 0.0, "default")

    fit = engagement_model.fit(posts, default)
    counts = np.bincount(posts.day * HOURS + posts.hour, minlength=DAYS * HOURS).reshape(DAYS, HOURS)
    weight = posts.weight
    effective_n = float(weight.sum() ** 2 / max(float((weight**2).sum()), 1e-12))
    historical = fit.confidence >= HISTORICAL_CONFIDENCE or effective_n >= HISTORICAL_POSTS
    source = "historical" if historical else "blended"
    answer = _answer(platform, fit.slots, fit.upside, counts, int(posts.hour.size), fit.confidence, source)
    expected = 100.0 * np.exp(fit.mean - fit.slots.max())
    return replace(answer, slot_expected=expected, hour_covariance=fit.hour_covariance)


def _to_percent(values: np.ndarray) -> np.ndarray:
    """Min-max to 0..100: the best is 100, the worst 0 (all 100 when nothing differs)."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.full(values.shape, 100.0)
    return np.clip(100.0 * (values - low) / (high - low), 0.0, 100.0)


def _answer(
    platform: str,
    slots: np.ndarray,
    upside: np.ndarray,
    counts: np.ndarray,
    sample_size: int,
    confidence: float,
    source: str,
) -> Recommendation:
    """Scores, best hours and best days read off the model's (7, 24) log-engagement estimates."""
    hour_value = slots.mean(axis=0)
    day_value = slots.mean(axis=1)
    best_hours = np.argsort(-hour_value, kind="stable")[:BEST_HOURS]
    day_order = np.argsort(-day_value, kind="stable")
    close_to_best = day_value[day_order] >= day_value[day_order[0]] - DAY_TOLERANCE
    best_days = day_order[: max(MIN_BEST_DAYS, int(close_to_best.sum()))]
    return Recommendation(
        platform=platform,
        best_hours=[int(h) for h in best_hours],
        best_days=[int(d) for d in best_days],
        hour_scores=[float(s) for s in _to_percent(hour_value)],
        day_scores=[float(s) for s in _to_percent(day_value)],
        slot_scores=_to_percent(slots),
        slot_relative=100.0 * np.exp(slots - slots.max()),
        slot_upside=100.0 * np.exp(upside - slots.max()),
        slot_counts=counts.astype(np.int64),
        sample_size=sample_size,
        source=source,
        confidence=confidence,
    )
