"""The optimal-times engine on its own: pure numpy, no database."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.optimal_times import PLATFORMS, History, recommend
from analytics.platform_defaults import DEFAULTS

ORIGINAL_DEFAULTS = {
    "instagram": ([11, 14, 17, 20], [1, 2, 3, 4, 5]),
    "tiktok": ([9, 12, 19, 21], [0, 1, 2, 3, 4, 5, 6]),
    "youtube": ([14, 15, 16, 20], [1, 2, 3, 4, 5]),
    "facebook": ([9, 13, 15, 19], [1, 2, 3, 4, 5]),
    "twitter": ([8, 12, 17, 20], [0, 1, 2, 3, 4, 5, 6]),
}


def history(hour, weekday, likes, *, age_days=None, followers=None, comments=None) -> History:
    hour = np.asarray(hour, dtype=np.int64)
    n = hour.size
    zeros = np.zeros(n)
    return History(
        hour=hour,
        weekday=np.asarray(weekday, dtype=np.int64),
        age_days=np.full(n, 10.0) if age_days is None else np.asarray(age_days, dtype=float),
        views=zeros,
        likes=np.asarray(likes, dtype=float),
        comments=zeros if comments is None else np.asarray(comments, dtype=float),
        shares=zeros,
        saves=zeros,
        followers=np.full(n, np.nan) if followers is None else np.asarray(followers, dtype=float),
    )


def peaked_history(rng, n, *, peak_hour, peak_day=None, size=1.0, ages=(3.0, 85.0), noise=0.3) -> History:
    """n posts at random hours/days whose log engagement peaks at peak_hour (and peak_day)."""
    hour = rng.integers(0, 24, size=n)
    weekday = rng.integers(0, 7, size=n)
    gap = np.minimum(np.abs(hour - peak_hour), 24 - np.abs(hour - peak_hour))
    log_likes = 4.0 + size * np.exp(-(gap**2) / 4.0) + rng.normal(0.0, noise, size=n)
    if peak_day is not None:
        log_likes += 0.5 * (weekday == peak_day)
    return history(hour, weekday, np.exp(log_likes), age_days=rng.uniform(*ages, size=n), followers=np.full(n, 5000.0))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_history_gives_exactly_the_platform_defaults(platform):
    answer = recommend(platform, History.empty())
    expected_hours, expected_days = ORIGINAL_DEFAULTS.get(
        platform, (list(DEFAULTS[platform].hours), list(DEFAULTS[platform].days))
    )
    assert answer.best_hours == expected_hours
    assert answer.best_days == expected_days
    assert answer.source == "default"
    assert answer.confidence == 0.0
    assert answer.sample_size == 0
    assert answer.platform == platform
    assert np.all(answer.slot_counts == 0)


def test_default_scores_put_default_hours_and_days_on_top():
    answer = recommend("instagram", History.empty())
    assert min(answer.hour_scores[h] for h in (11, 14, 17, 20)) > max(
        s for h, s in enumerate(answer.hour_scores) if h not in (11, 14, 17, 20)
    )
    assert answer.hour_scores[11] == 100.0
    assert min(answer.day_scores[d] for d in (1, 2, 3, 4, 5)) > max(answer.day_scores[0], answer.day_scores[6])


def test_every_platform_has_at_least_three_default_hours_and_days():
    for platform in PLATFORMS:
        assert len(DEFAULTS[platform].hours) >= 3 and len(DEFAULTS[platform].days) >= 3
        assert all(0 <= h <= 23 for h in DEFAULTS[platform].hours)
        assert all(0 <= d <= 6 for d in DEFAULTS[platform].days)


def test_known_best_slot_is_found_with_plenty_of_posts():
    rng = np.random.default_rng(1)
    answer = recommend("instagram", peaked_history(rng, 2000, peak_hour=19, peak_day=3))
    assert answer.best_hours[0] == 19
    assert answer.best_days[0] == 3
    assert answer.source == "historical"
    assert answer.confidence >= 0.7
    assert np.unravel_index(np.argmax(answer.slot_scores), answer.slot_scores.shape) == (3, 19)


def test_tiny_history_blends_and_the_defaults_still_dominate():
    # Three ordinary posts at off-default hours, the best of them at 3:00.
    answer = recommend("instagram", history([3, 8, 22], [0, 6, 6], [130.0, 90.0, 100.0], followers=[800.0] * 3))
    assert answer.source == "blended"
    assert answer.sample_size == 3
    assert 0.0 < answer.confidence < 0.2
    assert len(set(answer.best_hours) & {11, 14, 17, 20}) >= 3
    assert answer.best_hours[0] in (11, 14, 17, 20)


def test_one_viral_post_at_a_bad_hour_does_not_become_the_best_hour():
    rng = np.random.default_rng(2)
    hour = rng.integers(8, 22, size=80)
    gap = np.abs(hour - 15)
    likes = np.exp(4.0 + 0.6 * np.exp(-(gap**2) / 4.0) + rng.normal(0.0, 0.3, size=80))
    # The viral post went out at 5:00, an hour this account otherwise performs poorly at.
    hour = np.append(hour, [5, 5, 5])
    likes = np.append(likes, [np.exp(4.0) * 100.0, np.exp(3.6), np.exp(3.5)])
    answer = recommend("tiktok", history(hour, np.arange(hour.size) % 7, likes, followers=np.full(hour.size, 3000.0)))
    assert 5 not in answer.best_hours
    assert answer.best_hours[0] in (14, 15, 16)


def test_hours_23_and_0_are_neighbours():
    rng = np.random.default_rng(3)
    ordinary = np.concatenate([np.arange(6, 12), np.arange(13, 22)])
    hour = np.concatenate([np.repeat(ordinary, 4), np.full(20, 23)])
    likes = np.where(hour == 23, 400.0, 100.0) * rng.lognormal(0.0, 0.1, size=hour.size)
    answer = recommend("instagram", history(hour, np.arange(hour.size) % 7, likes, followers=np.full(hour.size, 2e4)))
    assert answer.best_hours[0] == 23
    # Neither 0 nor 12 has posts; only the peak next door at 23 can lift 0 above 12.
    assert answer.hour_scores[0] > answer.hour_scores[12]
    assert answer.hour_scores[0] > answer.hour_scores[2]


@pytest.mark.parametrize(("recent_peak", "old_peak"), [(18, 9), (9, 18)])
def test_recent_pattern_wins_over_an_old_conflicting_one(recent_peak, old_peak):
    rng = np.random.default_rng(4)
    recent = peaked_history(rng, 300, peak_hour=recent_peak, ages=(1.0, 25.0), size=0.6)
    old = peaked_history(rng, 300, peak_hour=old_peak, ages=(60.0, 88.0), size=0.6)
    both = History(*(np.concatenate([getattr(recent, f), getattr(old, f)]) for f in History.__dataclass_fields__))
    answer = recommend("twitter", both)
    assert abs(answer.best_hours[0] - recent_peak) <= 1


def test_rows_older_than_the_window_are_ignored():
    rng = np.random.default_rng(5)
    inside = peaked_history(rng, 50, peak_hour=10, ages=(0.0, 80.0))
    outside = peaked_history(rng, 70, peak_hour=21, ages=(95.0, 400.0), size=3.0)
    both = History(*(np.concatenate([getattr(inside, f), getattr(outside, f)]) for f in History.__dataclass_fields__))
    answer = recommend("facebook", both, window_days=90)
    assert answer.sample_size == 50
    assert int(answer.slot_counts.sum()) == 50
    assert 21 not in answer.best_hours
    assert recommend("facebook", both, window_days=30).sample_size == int(np.sum(inside.age_days <= 30))


def test_only_old_rows_means_the_defaults():
    old = peaked_history(np.random.default_rng(6), 20, peak_hour=3, ages=(100.0, 200.0))
    answer = recommend("youtube", old)
    assert answer.source == "default"
    assert answer.best_hours == [14, 15, 16, 20]
    assert answer.sample_size == 0


@pytest.mark.parametrize("with_followers", [True, False])
def test_followers_given_or_missing_both_find_the_peak(with_followers):
    rng = np.random.default_rng(7)
    n = 600
    hour = rng.integers(0, 24, size=n)
    age = rng.uniform(0.0, 90.0, size=n)
    followers = 1000.0 * (1.0 + 2.0 * (90.0 - age) / 90.0)  # tripled over the window
    gap = np.minimum(np.abs(hour - 13), 24 - np.abs(hour - 13))
    likes = 0.05 * followers * np.exp(0.8 * np.exp(-(gap**2) / 4.0) + rng.normal(0.0, 0.3, size=n))
    given = history(
        hour, rng.integers(0, 7, size=n), likes, age_days=age, followers=followers if with_followers else None
    )
    answer = recommend("linkedin", given)
    assert abs(answer.best_hours[0] - 13) <= 1
    assert answer.source == "historical"


def test_some_followers_missing_is_fine():
    rng = np.random.default_rng(8)
    posts = peaked_history(rng, 200, peak_hour=20)
    followers = posts.followers.copy()
    followers[::3] = np.nan
    followers[1::7] = 0.0
    answer = recommend("pinterest", History(**{**posts.__dict__, "followers": followers}))
    assert abs(answer.best_hours[0] - 20) <= 1


def test_nan_and_zero_engagement_rows_are_safe():
    n = 40
    likes = np.zeros(n)
    likes[::4] = np.nan
    comments = np.full(n, np.nan)
    answer = recommend("bluesky", history(np.arange(n) % 24, np.arange(n) % 7, likes, comments=comments))
    assert answer.sample_size == n
    assert np.all(np.isfinite(answer.slot_scores))
    assert all(np.isfinite(answer.hour_scores)) and all(np.isfinite(answer.day_scores))
    assert 0.0 <= answer.confidence <= 1.0


def test_single_post_is_a_valid_answer():
    answer = recommend("threads", history([14], [2], [12.0]))
    assert answer.sample_size == 1
    assert answer.source == "blended"
    assert answer.slot_counts[2, 14] == 1


@pytest.mark.parametrize("platform", ["instagram", "tiktok", "pinterest"])
def test_scores_are_percentages_with_the_right_shapes(platform):
    rng = np.random.default_rng(9)
    for given in (History.empty(), peaked_history(rng, 150, peak_hour=8)):
        answer = recommend(platform, given)
        assert answer.slot_scores.shape == (7, 24)
        assert answer.slot_counts.shape == (7, 24)
        assert len(answer.hour_scores) == 24 and len(answer.day_scores) == 7
        for scores in (answer.slot_scores.ravel(), np.array(answer.hour_scores), np.array(answer.day_scores)):
            assert scores.min() >= 0.0 and scores.max() <= 100.0
        assert len(answer.best_hours) >= 3 and len(set(answer.best_hours)) == len(answer.best_hours)
        assert 3 <= len(answer.best_days) <= 7
        assert all(isinstance(h, int) for h in answer.best_hours + answer.best_days)
        assert 0.0 <= answer.confidence <= 1.0


def test_confidence_grows_with_more_posts():
    rng = np.random.default_rng(10)
    small = recommend("instagram", peaked_history(rng, 10, peak_hour=16))
    large = recommend("instagram", peaked_history(rng, 400, peak_hour=16))
    assert small.confidence < large.confidence
    assert small.source == "blended" and large.source == "historical"


def test_viral_posts_at_a_habitual_hour_do_not_outweigh_a_better_hour():
    rng = np.random.default_rng(0)
    hour = np.repeat([10, 18], 30)
    likes = np.exp(4.0 + 0.3 * (hour == 10) + rng.normal(0.0, 0.4, size=hour.size))
    likes[30 + rng.choice(30, 6, replace=False)] *= 50.0  # six viral posts, all at 18:00
    answer = recommend("instagram", history(hour, np.arange(hour.size) % 7, likes, followers=np.full(hour.size, 5e3)))
    assert answer.best_hours[0] in (9, 10, 11)


def test_an_hour_far_above_the_rest_is_a_pattern_not_outliers():
    rng = np.random.default_rng(5)
    hour = np.concatenate([np.full(12, 7), rng.integers(12, 22, size=48)])
    likes = np.where(hour == 7, 3000.0, 100.0) * rng.lognormal(0.0, 0.2, size=hour.size)
    answer = recommend("twitter", history(hour, np.arange(hour.size) % 7, likes, followers=np.full(hour.size, 8e3)))
    assert answer.best_hours[0] == 7
