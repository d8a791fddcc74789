"""Recurrence arithmetic: month ends, 29 February, DST in four zones, and the jump ahead."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from publishing.recurrence import (
    DAILY,
    MONTHLY,
    WEEKLY,
    Rule,
    first_index_at_or_after,
    occurrence_day,
    occurrence_instant,
    occurrences,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def instants(rule: Rule, tz: ZoneInfo, n: int) -> list[datetime]:
    return [occurrence_instant(rule, k, tz) for k in range(n)]


def test_monthly_on_the_31st_posts_on_the_last_day_of_shorter_months():
    rule = Rule(MONTHLY, 1, date(2027, 1, 31), time(10, 0))
    assert [occurrence_day(rule, k) for k in range(5)] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),  # back to the 31st: each month is computed from the start, not the last one
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]
    # Asia/Kolkata (+05:30, no DST): 10:00 is 04:30 UTC all year.
    assert instants(rule, KOLKATA, 3) == [utc(2027, 1, 31, 4, 30), utc(2027, 2, 28, 4, 30), utc(2027, 3, 31, 4, 30)]


def test_monthly_on_the_30th_reaches_29_february_in_a_leap_year():
    rule = Rule(MONTHLY, 1, date(2028, 1, 30), time(9, 0))
    assert occurrence_day(rule, 1) == date(2028, 2, 29)
    assert occurrence_day(rule, 2) == date(2028, 3, 30)


def test_every_12_months_from_29_february_is_28_february_in_common_years():
    rule = Rule(MONTHLY, 12, date(2028, 2, 29), time(9, 0))
    assert [occurrence_day(rule, k) for k in range(5)] == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]


def test_every_3_months_crosses_the_year():
    rule = Rule(MONTHLY, 3, date(2026, 11, 30), time(9, 0))
    assert [occurrence_day(rule, k) for k in range(3)] == [date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30)]


def test_daily_keeps_the_wall_clock_time_across_both_changes_in_london():
    rule = Rule(DAILY, 1, date(2026, 10, 24), time(9, 0))
    assert instants(rule, LONDON, 3) == [utc(2026, 10, 24, 8), utc(2026, 10, 25, 9), utc(2026, 10, 26, 9)]
    spring = Rule(DAILY, 1, date(2027, 3, 27), time(9, 0))
    assert instants(spring, LONDON, 2) == [utc(2027, 3, 27, 9), utc(2027, 3, 28, 8)]


def test_london_a_time_in_the_overlap_is_the_first_and_in_the_gap_moves_past_it():
    rule = Rule(WEEKLY, 1, date(2026, 10, 18), time(1, 30), weekdays=(6,))  # Sundays 01:30
    # 25 Oct 2026: 01:30 happens twice (BST, then GMT): the first, 00:30 UTC.
    assert occurrence_instant(rule, 1, LONDON) == utc(2026, 10, 25, 0, 30)
    assert occurrence_instant(rule, 2, LONDON) == utc(2026, 11, 1, 1, 30)
    # 28 Mar 2027: the clocks go from 01:00 to 02:00; 01:30 does not exist: 02:00 BST, 01:00 UTC.
    march = Rule(WEEKLY, 1, date(2027, 3, 21), time(1, 30), weekdays=(6,))
    assert instants(march, LONDON, 3) == [utc(2027, 3, 21, 1, 30), utc(2027, 3, 28, 1, 0), utc(2027, 4, 4, 0, 30)]


def test_new_york_spring_gap_and_autumn_overlap():
    rule = Rule(DAILY, 1, date(2027, 3, 13), time(2, 30))
    # 14 Mar 2027 02:30 does not exist: 03:00 EDT (07:00 UTC); the day after, 02:30 EDT again.
    assert instants(rule, NEW_YORK, 3) == [utc(2027, 3, 13, 7, 30), utc(2027, 3, 14, 7, 0), utc(2027, 3, 15, 6, 30)]
    autumn = Rule(DAILY, 1, date(2026, 10, 31), time(1, 30))
    # 1 Nov 2026 01:30 happens twice: the first is EDT (05:30 UTC), once.
    assert instants(autumn, NEW_YORK, 3) == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_lord_howe_half_hour_shift():
    # 4 Oct 2026 the clocks go from 02:00 to 02:30 (+10:30 to +11): 02:10 becomes 02:30 (15:30 UTC).
    rule = Rule(DAILY, 1, date(2026, 10, 3), time(2, 10))
    assert instants(rule, LORD_HOWE, 3) == [
        utc(2026, 10, 2, 15, 40),
        utc(2026, 10, 3, 15, 30),
        utc(2026, 10, 4, 15, 10),
    ]
    # 4 Apr 2027 they go back from 02:00 to 01:30: 01:45 happens twice; the first is +11 (14:45 UTC).
    back = Rule(DAILY, 1, date(2027, 4, 3), time(1, 45))
    assert instants(back, LORD_HOWE, 3) == [utc(2027, 4, 2, 14, 45), utc(2027, 4, 3, 14, 45), utc(2027, 4, 4, 15, 15)]


def test_kolkata_never_moves():
    rule = Rule(WEEKLY, 1, date(2026, 10, 19), time(18, 0), weekdays=(0,))
    assert {t.time() for t in instants(rule, KOLKATA, 30)} == {time(12, 30)}


def test_weekly_every_other_week_on_three_days_from_a_midweek_start():
    # Start Wednesday 25 Nov 2026; Mondays, Wednesdays and Fridays every second week.
    rule = Rule(WEEKLY, 2, date(2026, 11, 25), time(9, 0), weekdays=(0, 2, 4))
    assert [occurrence_day(rule, k) for k in range(6)] == [
        date(2026, 11, 25),  # the start week's Monday is before the start: left out
        date(2026, 11, 27),
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 11),
        date(2026, 12, 21),
    ]


def test_a_weekly_start_between_its_weekdays_begins_on_the_next_one():
    rule = Rule(WEEKLY, 1, date(2026, 11, 26), time(9, 0), weekdays=(1, 5))  # Thursday start; Tue, Sat
    assert [occurrence_day(rule, k) for k in range(3)] == [date(2026, 11, 28), date(2026, 12, 1), date(2026, 12, 5)]


def test_until_and_count_end_the_series():
    by_date = Rule(DAILY, 2, date(2026, 12, 1), time(9, 0), until=date(2026, 12, 7))
    assert [t.date() for _, t in occurrences(by_date, UTC_ZONE, end=utc(2030, 1, 1))] == [
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 5),
        date(2026, 12, 7),  # the last day is included
    ]
    by_count = Rule(MONTHLY, 1, date(2026, 12, 1), time(9, 0), count=3)
    assert [k for k, _ in occurrences(by_count, UTC_ZONE, end=utc(2030, 1, 1))] == [0, 1, 2]


UTC_ZONE = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "bad",
    [
        {"frequency": "hourly"},
        {"interval": 0},
        {"count": 0},
        {"until": date(2026, 11, 1)},
        {"frequency": WEEKLY, "weekdays": ()},
        {"frequency": WEEKLY, "weekdays": (7,)},
    ],
)
def test_a_rule_refuses_what_makes_no_series(bad):
    fields = {"frequency": DAILY, "interval": 1, "start_day": date(2026, 11, 25), "at": time(9, 0)} | bad
    with pytest.raises(ValueError):
        Rule(**fields)


def test_the_jump_to_the_first_future_occurrence_matches_walking_there():
    rng = random.Random(15)
    for _ in range(300):
        frequency = rng.choice([DAILY, WEEKLY, MONTHLY])
        weekdays = tuple(sorted(rng.sample(range(7), rng.randint(1, 7)))) if frequency == WEEKLY else ()
        start = date(2026, 1, 1) + (date(2026, 3, 1) - date(2026, 1, 1)) * rng.random()
        rule = Rule(frequency, rng.randint(1, 5), start, time(rng.randint(0, 23), rng.choice([0, 30])), weekdays)
        tz = rng.choice([LONDON, NEW_YORK, LORD_HOWE, KOLKATA])
        moment = utc(2026, 1, 1) + (utc(2029, 1, 1) - utc(2026, 1, 1)) * rng.random()
        walked = 0
        while occurrence_instant(rule, walked, tz) < moment:
            walked += 1
        assert first_index_at_or_after(rule, tz, moment) == walked, (rule, tz, moment)
        assert first_index_at_or_after(rule, tz, moment, from_index=walked) == walked
