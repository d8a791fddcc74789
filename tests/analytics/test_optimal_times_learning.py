"""What keeps the engine learning: posterior draws for the chips, and young posts read fairly.

Pure numpy and plain lists of times: no database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from analytics import engagement_model
from analytics.optimal_times import History, recommend
from analytics.scheduling import MIN_TRY_RELATIVE, draw_seed, ranked_slots

DAY = date(2026, 12, 2)  # a Wednesday


def posts(hour, weekday, likes, *, age_days, maturity=None) -> History:
    hour = np.asarray(hour, dtype=np.int64)
    zeros = np.zeros(hour.size)
    return History(
        hour=hour,
        weekday=np.asarray(weekday, dtype=np.int64),
        age_days=np.asarray(age_days, dtype=float),
        views=zeros,
        likes=np.asarray(likes, dtype=float),
        comments=zeros,
        shares=zeros,
        saves=zeros,
        followers=np.full(hour.size, np.nan),
        maturity=np.ones(0) if maturity is None else np.asarray(maturity, dtype=float),
    )


def always_at_eight(n: int = 12) -> History:
    """A user who took the first chip every time: every post at 08:00, nothing else known."""
    rng = np.random.default_rng(4)
    return posts(np.full(n, 8), rng.integers(0, 7, n), 100 * rng.lognormal(0, 0.25, n), age_days=rng.uniform(8, 60, n))


def hours_of(day: date) -> list[datetime]:
    return [datetime.combine(day, time(hour)) for hour in range(24)]


def test_a_draw_is_the_same_for_the_same_seed_and_differs_between_seeds():
    answer = recommend("twitter", always_at_eight())
    assert np.array_equal(answer.posterior_draw(7), answer.posterior_draw(7))
    assert not np.array_equal(answer.posterior_draw(7), answer.posterior_draw(8))
    assert answer.posterior_draw(7).shape == (7, 24)


def test_draws_vary_most_where_the_posts_say_least():
    answer = recommend("twitter", always_at_eight(40))
    draws = np.log(np.array([answer.posterior_draw(seed)[2] for seed in range(300)]))
    spread = draws.std(axis=0)
    assert spread[8] < 0.5 * spread[20]  # 40 posts at 08:00, none at 20:00


def test_chips_are_the_same_each_time_the_dialog_opens():
    answer = recommend("twitter", always_at_eight())
    seed = draw_seed(3, "twitter", DAY)
    assert seed == draw_seed(3, "twitter", DAY)
    first = [s.local.hour for s in ranked_slots(hours_of(DAY), answer, seed)]
    again = [s.local.hour for s in ranked_slots(hours_of(DAY), answer, seed)]
    assert first == again and sorted(first) == list(range(24))


def test_a_user_who_always_takes_the_first_chip_is_led_to_other_hours_but_never_a_clearly_worse_one():
    answer = recommend("twitter", always_at_eight())
    days = [DAY + timedelta(days=n) for n in range(60)]
    firsts = [ranked_slots(hours_of(day), answer, draw_seed(3, "twitter", day))[0] for day in days]
    explored = [s for s in firsts if s.local.hour != 8]
    assert len({s.local.hour for s in firsts}) >= 3  # the loop starts: other hours get tried
    assert all(s.worth_trying and s.posts_here <= 3 for s in explored)
    for day, slot in zip(days, firsts, strict=True):
        cautious_best = int(np.argmax(answer.slot_scores[day.weekday()]))
        assert slot.expected >= MIN_TRY_RELATIVE * answer.slot_expected[day.weekday(), cautious_best]


def test_without_any_history_the_chips_are_the_defaults_in_order():
    answer = recommend("twitter", History.empty())
    ranked = ranked_slots(hours_of(DAY), answer, draw_seed(3, "twitter", DAY))
    assert [s.local.hour for s in ranked[:4]] == [8, 12, 17, 20]
    assert not any(s.worth_trying for s in ranked)


def test_a_young_posts_low_reading_is_not_taken_for_a_bad_hour():
    """Readings before a post settles are cumulative, so low: the engine measures by how much."""
    rng = np.random.default_rng(11)
    settled_hours = rng.integers(8, 21, 80)
    young_hours = np.concatenate([rng.integers(8, 21, 20), np.full(6, 22)])  # 22:00 tried only last week
    truth = np.where(np.arange(24) == 22, 1.3, 1.0)  # and it is the best hour
    likes = np.concatenate(
        [100 * truth[settled_hours] * rng.lognormal(0, 0.2, 80), 60 * truth[young_hours] * rng.lognormal(0, 0.2, 26)]
    )  # a young post's reading: 60% of what it will end with
    hours = np.concatenate([settled_hours, young_hours])
    history = posts(
        hours,
        rng.integers(0, 7, hours.size),
        likes,
        age_days=np.concatenate([rng.uniform(8, 60, 80), rng.uniform(1.5, 6, 26)]),
        maturity=np.concatenate([np.ones(80), np.full(26, 0.5)]),
    )
    by_hour = recommend("twitter", history).slot_expected.mean(axis=0)
    assert int(np.argmax(by_hour)) == 22  # read as they are, the young posts would put 22:00 mid-table


def test_young_posts_are_never_read_as_better_than_they_are():
    residual = np.array([0.0, 0.1, -0.1, 0.8, 0.9])  # the young posts (last two) read high
    young = np.array([False, False, False, True, True])
    assert engagement_model._young_shift(residual, young, np.ones(5)) == 0.0
    assert engagement_model._young_shift(-residual, young, np.ones(5)) > 0.0
