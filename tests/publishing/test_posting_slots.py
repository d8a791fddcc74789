"""Slot arithmetic (publishing/posting_slots.py): wall-clock slots across DST in several zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from publishing.posting_slots import (
    WeeklySlot,
    best_time_slots,
    next_free_slots,
    parse_slot_time,
    slot_diff,
    slot_instants,
    wall_time_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
SUNDAY = 6


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- a 09:00 slot stays 09:00 local across the change --------------------------------------------


@pytest.mark.parametrize(
    "tz, before_change, after_change",
    [
        # London goes GMT -> BST on 28 Mar 2027 and back on 25 Oct 2026.
        (LONDON, date(2027, 3, 21), date(2027, 3, 28)),
        (LONDON, date(2026, 10, 18), date(2026, 10, 25)),
        (NEW_YORK, date(2027, 3, 7), date(2027, 3, 14)),
        (NEW_YORK, date(2026, 10, 25), date(2026, 11, 1)),
        # Lord Howe moves by half an hour: +10:30 -> +11 on 4 Oct 2026, back on 4 Apr 2027.
        (LORD_HOWE, date(2026, 9, 27), date(2026, 10, 4)),
        (LORD_HOWE, date(2027, 3, 28), date(2027, 4, 4)),
        (KOLKATA, date(2026, 10, 18), date(2026, 10, 25)),
    ],
)
def test_a_nine_oclock_slot_stays_nine_local_across_the_change(tz, before_change, after_change):
    slots = [WeeklySlot(SUNDAY, time(9, 0))]
    start = datetime.combine(before_change, time(0), tz)
    end = datetime.combine(after_change + timedelta(days=1), time(0), tz)
    instants = list(slot_instants(slots, tz, start=start, end=end))
    assert [i.astimezone(tz).replace(tzinfo=None) for i in instants] == [
        datetime.combine(before_change, time(9, 0)),
        datetime.combine(after_change, time(9, 0)),
    ]
    assert all(i.tzinfo == UTC for i in instants)


def test_the_utc_instant_moves_by_the_zones_shift():
    assert wall_time_instant(date(2027, 3, 21), time(9), LONDON) == utc(2027, 3, 21, 9, 0)
    assert wall_time_instant(date(2027, 3, 28), time(9), LONDON) == utc(2027, 3, 28, 8, 0)
    assert wall_time_instant(date(2027, 3, 7), time(9), NEW_YORK) == utc(2027, 3, 7, 14, 0)
    assert wall_time_instant(date(2027, 3, 14), time(9), NEW_YORK) == utc(2027, 3, 14, 13, 0)
    # +10:30 then +11:00: half an hour, not one.
    assert wall_time_instant(date(2026, 9, 27), time(9), LORD_HOWE) == utc(2026, 9, 26, 22, 30)
    assert wall_time_instant(date(2026, 10, 4), time(9), LORD_HOWE) == utc(2026, 10, 3, 22, 0)
    # Kolkata has no DST: always +05:30.
    assert wall_time_instant(date(2027, 1, 10), time(9), KOLKATA) == utc(2027, 1, 10, 3, 30)
    assert wall_time_instant(date(2027, 7, 11), time(9), KOLKATA) == utc(2027, 7, 11, 3, 30)


# --- the gap: forward to the first instant after it ----------------------------------------------


@pytest.mark.parametrize(
    "tz, day, slot, expected_local, expected_utc",
    [
        (LONDON, date(2027, 3, 28), time(1, 30), datetime(2027, 3, 28, 2, 0), utc(2027, 3, 28, 1, 0)),
        (NEW_YORK, date(2027, 3, 14), time(2, 30), datetime(2027, 3, 14, 3, 0), utc(2027, 3, 14, 7, 0)),
        (NEW_YORK, date(2027, 3, 14), time(2, 0), datetime(2027, 3, 14, 3, 0), utc(2027, 3, 14, 7, 0)),
        # Lord Howe skips only 02:00-02:30.
        (LORD_HOWE, date(2026, 10, 4), time(2, 10), datetime(2026, 10, 4, 2, 30), utc(2026, 10, 3, 15, 30)),
    ],
)
def test_a_slot_in_the_gap_moves_to_the_end_of_the_gap(tz, day, slot, expected_local, expected_utc):
    instant = wall_time_instant(day, slot, tz)
    assert instant == expected_utc
    assert instant.astimezone(tz).replace(tzinfo=None) == expected_local


def test_just_after_the_lord_howe_gap_is_an_ordinary_time():
    assert wall_time_instant(date(2026, 10, 4), time(2, 30), LORD_HOWE) == utc(2026, 10, 3, 15, 30)
    assert wall_time_instant(date(2026, 10, 4), time(1, 59), LORD_HOWE) == utc(2026, 10, 3, 15, 29)


def test_two_slots_in_one_gap_give_one_instant():
    slots = [WeeklySlot(SUNDAY, time(2, 15)), WeeklySlot(SUNDAY, time(2, 45)), WeeklySlot(SUNDAY, time(3, 0))]
    start, end = utc(2027, 3, 14, 0, 0), utc(2027, 3, 15, 0, 0)
    assert list(slot_instants(slots, NEW_YORK, start=start, end=end)) == [utc(2027, 3, 14, 7, 0)]


# --- the overlap: the first occurrence ---------------------------------------------------------


@pytest.mark.parametrize(
    "tz, day, slot, expected_utc",
    [
        (LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),  # 01:30 BST, not GMT
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # 01:30 EDT, not EST
        (LORD_HOWE, date(2027, 4, 4), time(1, 45), utc(2027, 4, 3, 14, 45)),  # 01:45 at +11, not +10:30
    ],
)
def test_a_slot_in_the_overlap_is_its_first_occurrence(tz, day, slot, expected_utc):
    instant = wall_time_instant(day, slot, tz)
    assert instant == expected_utc
    assert instant.astimezone(tz).fold == 0


def test_a_slot_in_the_overlap_is_used_once_on_that_day():
    slots = [WeeklySlot(SUNDAY, time(1, 30))]
    day = list(slot_instants(slots, LONDON, start=utc(2026, 10, 24, 12, 0), end=utc(2026, 10, 26, 0, 0)))
    assert day == [utc(2026, 10, 25, 0, 30)]


# --- next free slots ----------------------------------------------------------------------------

WEEKDAY_NINES = [WeeklySlot(d, time(9, 0)) for d in range(5)] + [WeeklySlot(d, time(17, 0)) for d in range(5)]


def test_the_next_slot_is_the_first_one_after_the_given_instant():
    # Wednesday 25 Nov 2026, 10:00 in London (GMT): the 09:00 slot has passed, 17:00 is next.
    assert next_free_slots(WEEKDAY_NINES, LONDON, after=utc(2026, 11, 25, 10), occupied=[], min_gap=timedelta(0)) == [
        utc(2026, 11, 25, 17)
    ]


def test_a_slot_exactly_now_is_not_taken():
    found = next_free_slots(WEEKDAY_NINES, LONDON, after=utc(2026, 11, 25, 17), occupied=[], min_gap=timedelta(0))
    assert found == [utc(2026, 11, 26, 9)]


def test_occupied_slots_and_those_within_the_gap_are_skipped():
    occupied = [utc(2026, 11, 25, 17, 0), utc(2026, 11, 26, 9, 20)]  # one on a slot, one 20 min after
    found = next_free_slots(
        WEEKDAY_NINES, LONDON, after=utc(2026, 11, 25, 10), occupied=occupied, min_gap=timedelta(minutes=30), count=3
    )
    assert found == [utc(2026, 11, 26, 17), utc(2026, 11, 27, 9), utc(2026, 11, 27, 17)]


def test_the_weekend_is_skipped_and_the_week_wraps():
    found = next_free_slots(WEEKDAY_NINES, LONDON, after=utc(2026, 11, 27, 18), occupied=[], min_gap=timedelta(0))
    assert found == [utc(2026, 11, 30, 9)]  # Friday evening -> Monday 09:00


def test_picked_slots_keep_the_gap_between_themselves():
    close = [WeeklySlot(2, time(9, 0)), WeeklySlot(2, time(9, 10)), WeeklySlot(2, time(9, 40))]
    found = next_free_slots(close, LONDON, after=utc(2026, 11, 25, 0), occupied=[], min_gap=timedelta(minutes=30))
    assert found == [utc(2026, 11, 25, 9, 0)]
    found = next_free_slots(
        close, LONDON, after=utc(2026, 11, 25, 0), occupied=[], min_gap=timedelta(minutes=30), count=2
    )
    assert found == [utc(2026, 11, 25, 9, 0), utc(2026, 11, 25, 9, 40)]


def test_no_slots_means_no_free_slot():
    assert next_free_slots([], LONDON, after=utc(2026, 11, 25, 10), occupied=[], min_gap=timedelta(0)) == []


def test_the_horizon_bounds_the_search():
    busy = [utc(2026, 11, 25, 9) + timedelta(days=7 * week) for week in range(3)]
    wednesday = [WeeklySlot(2, time(9))]
    found = next_free_slots(
        wednesday, LONDON, after=utc(2026, 11, 25), occupied=busy, min_gap=timedelta(0), horizon=timedelta(days=20)
    )
    assert found == []


def test_the_next_slot_across_the_spring_gap_in_new_york():
    found = next_free_slots(
        [WeeklySlot(SUNDAY, time(2, 30))], NEW_YORK, after=utc(2027, 3, 10), occupied=[], min_gap=timedelta(0)
    )
    assert [f.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M %Z") for f in found] == ["2027-03-14 03:00 EDT"]


# --- proposals from best times ------------------------------------------------------------------


def flat_scores(best: dict[tuple[int, int], float]) -> list[list[float]]:
    return [[best.get((d, h), 0.0) for h in range(24)] for d in range(7)]


def test_best_times_take_the_top_hours_of_each_day():
    scores = flat_scores({(0, 9): 90, (0, 12): 80, (0, 18): 70, (1, 20): 50})
    slots = best_time_slots(scores, per_day=2, min_gap=timedelta(hours=1))
    assert {s for s in slots if s.weekday == 0} == {WeeklySlot(0, time(9)), WeeklySlot(0, time(12))}
    assert WeeklySlot(1, time(20)) in slots
    assert all(sum(1 for s in slots if s.weekday == d) == 2 for d in range(7))


def test_best_times_keep_the_minimum_gap_even_across_midnight():
    scores = flat_scores({(0, 23): 99, (1, 0): 98, (0, 22): 97, (0, 12): 50})
    slots = best_time_slots(scores, per_day=2, min_gap=timedelta(hours=3))
    assert WeeklySlot(0, time(23)) in slots
    assert WeeklySlot(1, time(0)) not in slots  # an hour after Monday 23:00
    assert WeeklySlot(0, time(22)) not in slots
    hours = sorted(s.weekday * 24 + s.at.hour for s in slots)
    assert all(b - a >= 3 for a, b in zip(hours, hours[1:], strict=False))


def test_the_diff_says_what_accepting_adds_and_removes():
    current = [WeeklySlot(0, time(9)), WeeklySlot(0, time(12))]
    proposed = [WeeklySlot(0, time(9)), WeeklySlot(2, time(18))]
    diff = slot_diff(current, proposed)
    assert diff.added == [WeeklySlot(2, time(18))]
    assert diff.removed == [WeeklySlot(0, time(12))]
    assert diff.kept == [WeeklySlot(0, time(9))]
    assert diff.changes_anything
    assert not slot_diff(current, current).changes_anything


@pytest.mark.parametrize("text", ["9", "24:00", "09:60", "ab:cd", "09:5", "", "٠٩:٠٠", "9:00:00"])
def test_bad_slot_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_slot_time(text)


def test_slot_times_are_read():
    assert parse_slot_time(" 9:05 ") == time(9, 5)
    assert parse_slot_time("23:59") == time(23, 59)


def test_a_slot_refuses_a_bad_weekday_or_seconds():
    with pytest.raises(ValueError):
        WeeklySlot(7, time(9))
    with pytest.raises(ValueError):
        WeeklySlot(0, time(9, 0, 30))
