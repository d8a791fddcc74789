"""The slots page, fill from my best times (a diff, saved only on accept), the queue page, Add to queue."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from analytics.models import PostMetric
from publishing import queue
from publishing.models import ScheduledPost, SocialAccount
from publishing.posting_slots import WeeklySlot

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Paris


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def twitter(alice) -> SocialAccount:
    return SocialAccount.objects.get(owner=alice, platform="twitter")


def day_fields(**days: str) -> dict:
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return {f"day-{names.index(name)}": value for name, value in days.items()}


def test_the_slots_page_saves_each_days_times(browser, twitter):
    response = browser.post(f"/slots/{twitter.pk}", day_fields(monday="9:00, 18:30", wednesday="12:00 20:15"))
    assert response.status_code == 302
    assert sorted(queue.account_slots(twitter)) == [
        WeeklySlot(0, time(9)),
        WeeklySlot(0, time(18, 30)),
        WeeklySlot(2, time(12)),
        WeeklySlot(2, time(20, 15)),
    ]
    page = browser.get("/slots/").content.decode()
    assert 'value="09:00, 18:30"' in page
    assert "Next free slots" in page


def test_a_bad_time_is_refused_beside_the_account_and_nothing_changes(browser, twitter):
    queue.replace_slots(twitter, {WeeklySlot(0, time(9))})
    response = browser.post(f"/slots/{twitter.pk}", day_fields(monday="09:00", tuesday="25:00"))
    assert response.status_code == 422
    assert "Tuesday: &#x27;25:00&#x27; is not a time of day (00:00 to 23:59)." in response.content.decode()
    assert queue.account_slots(twitter) == [WeeklySlot(0, time(9))]


def test_another_users_account_is_404(browser, bob):
    bobs = SocialAccount.objects.get(owner=bob, platform="twitter")
    assert browser.post(f"/slots/{bobs.pk}", day_fields(monday="09:00")).status_code == 404
    assert browser.get(f"/slots/{bobs.pk}/best-times").status_code == 404
    assert browser.post(f"/queue/{bobs.pk}/shuffle").status_code == 404
    assert queue.account_slots(bobs) == []


def test_fill_from_best_times_shows_a_diff_and_saves_nothing(browser, alice, twitter):
    queue.replace_slots(twitter, {WeeklySlot(0, time(3))})
    # Alice's own history: a Twitter post at 10:00 Paris time every day for 60 days.
    for day in range(60):
        posted = datetime(2026, 9, 26, 9, 0, tzinfo=UTC) + timedelta(days=day)
        PostMetric.objects.create(owner=alice, platform="twitter", posted_at=posted, views=10_000, likes=900)
    response = browser.get(f"/slots/{twitter.pk}/best-times?per_day=1&min_gap=120")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Proposed from your best times" in page
    assert "− Mon 03:00" in page
    assert page.count('class="added"') == 7  # one a day
    assert "of your posts" in page  # learnt from her history, not the platform default
    assert queue.account_slots(twitter) == [WeeklySlot(0, time(3))]  # nothing saved yet


def test_accepting_the_proposal_saves_it(browser, twitter):
    response = browser.get(f"/slots/{twitter.pk}/best-times?per_day=2&min_gap=180")
    page = response.content.decode()
    assert "Accept these slots" in page
    hidden = dict(re.findall(r'<input type="hidden" name="(day-\d)" value="([^"]*)">', page))
    assert len(hidden) == 7
    assert browser.post(f"/slots/{twitter.pk}", hidden).status_code == 302
    slots = queue.account_slots(twitter)
    assert len(slots) == 14
    assert all(sum(1 for s in slots if s.weekday == d) == 2 for d in range(7))


@pytest.mark.parametrize("query", ["per_day=0&min_gap=120", "per_day=2&min_gap=7", "per_day=x"])
def test_bad_proposal_choices_are_refused(browser, twitter, query):
    response = browser.get(f"/slots/{twitter.pk}/best-times?{query}")
    assert response.status_code == 422
    assert "Choose 1 to 6 posts a day" in response.content.decode()


# --- the dialog and the queue page ---------------------------------------------------------------


def add_to_queue(browser, caption: str):
    return browser.post("/calendar/new", {"platforms": ["twitter"], "caption": caption, "queue": "1"})


def test_add_to_queue_in_the_dialog_takes_the_next_free_slot(browser, twitter):
    queue.replace_slots(twitter, {WeeklySlot(2, time(18)), WeeklySlot(3, time(9))})
    assert add_to_queue(browser, "first").status_code == 302
    assert add_to_queue(browser, "second").status_code == 302
    times = list(ScheduledPost.objects.order_by("scheduled_time").values_list("caption", "scheduled_time"))
    assert times == [
        ("first", datetime(2026, 11, 25, 17, 0, tzinfo=UTC)),
        ("second", datetime(2026, 11, 26, 8, 0, tzinfo=UTC)),
    ]


def test_add_to_queue_without_slots_says_so_in_the_dialog(browser, twitter):
    response = add_to_queue(browser, "nowhere to go")
    assert response.status_code == 422
    assert "no free posting slot" in response.content.decode()
    assert not ScheduledPost.objects.exists()


def test_the_queue_page_lists_moves_and_shuffles(browser, twitter):
    queue.replace_slots(twitter, {WeeklySlot(2, time(18)), WeeklySlot(2, time(19)), WeeklySlot(2, time(20))})
    for n in range(3):
        add_to_queue(browser, f"post {n}")
    page = browser.get("/queue/").content.decode()
    assert page.index("post 0") < page.index("post 1") < page.index("post 2")
    last = ScheduledPost.objects.get(caption="post 2")
    response = browser.post(f"/queue/{twitter.pk}/move", {"post_id": str(last.pk), "direction": "up"})
    assert response.status_code == 302
    order = [p.caption for p in queue.queued_posts(twitter, now=NOW)]
    assert order == ["post 0", "post 2", "post 1"]
    assert browser.post(f"/queue/{twitter.pk}/shuffle").status_code == 302
    assert sorted(p.caption for p in queue.queued_posts(twitter, now=NOW)) == ["post 0", "post 1", "post 2"]


def test_a_bad_move_is_a_message_not_an_error(browser, twitter):
    response = browser.post(f"/queue/{twitter.pk}/move", {"post_id": "nope", "direction": "sideways"}, follow=True)
    assert response.status_code == 200
    assert "Choose a queued post and move it up or down." in response.content.decode()
