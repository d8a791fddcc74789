"""Recurring posts in the pages: the dialog's Repeat, the post page's series line and "skip this
one", and the Series page's pause, resume, end and caption."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from publishing.models import ScheduledPost, Series, SeriesSkip, Status

from .page_clock import HTMX, NOW, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

pytestmark = pytest.mark.django_db


def schedule(browser, **fields):
    data = {"platforms": ["twitter"], "caption": "Tip of the week", "date": "2026-11-27", "time": "14:00"}
    data.update(fields)
    return browser.post("/calendar/new", data, headers=HTMX)


def text_of(response) -> str:
    """The page's words, as a reader sees them: no tags, single spaces."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def weekly(browser, alice) -> Series:
    response = schedule(browser, repeat="weekly", repeat_interval="1", repeat_weekdays=["1", "4"], repeat_ends="never")
    assert response.status_code == 200, response.content.decode()
    return Series.objects.get(owner=alice)


def test_the_dialog_offers_repeat(browser):
    body = browser.get("/calendar/new", headers=HTMX).content.decode()
    assert 'name="repeat"' in body and 'name="repeat_weekdays"' in body and 'name="repeat_count"' in body


def test_a_weekly_repeat_from_the_dialog_creates_its_occurrences(browser, alice, weekly):
    assert (weekly.frequency, weekly.weekdays, weekly.local_time.hour) == ("weekly", [1, 4], 14)
    times = list(ScheduledPost.objects.filter(series=weekly).values_list("scheduled_time", flat=True))
    # alice is in Paris: Friday 27 Nov, Tuesday 1 Dec, Friday 4 Dec, Tuesday 8 Dec at 14:00 (13:00 UTC).
    assert times == [datetime(2026, 11, d, 13, tzinfo=UTC) for d in (27,)] + [
        datetime(2026, 12, d, 13, tzinfo=UTC) for d in (1, 4, 8)
    ]


def test_the_dialog_says_what_it_did(browser):
    response = schedule(browser, repeat="monthly", repeat_ends="after", repeat_count="3")
    message = html.unescape(response.content.decode())
    assert "Repeating every month on day 27 at 14:00, 3 times: 1 occurrence created so far" in message


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"repeat": "weekly", "repeat_interval": "0"}, "repeat.interval must be from 1 to 366, not 0."),
        ({"repeat": "daily", "repeat_interval": "two"}, "repeat.interval must be a whole number."),
        ({"repeat": "daily", "repeat_ends": "after", "repeat_count": "0"}, "repeat.count must be from 1"),
        ({"repeat": "daily", "repeat_ends": "on", "repeat_until": "2026-11-20"}, "is before the first post"),
        ({"repeat": "daily", "repeat_ends": "on", "repeat_until": ""}, "repeat.until must be a date"),
        ({"repeat": "daily", "repeat_weekdays": ["2"]}, ""),  # ignored unless weekly: accepted
        ({"repeat": "hourly"}, "repeat.frequency must be one of daily, weekly, monthly."),
        ({"repeat": "daily", "queue": "1"}, "A repeating post starts at the time you give"),
    ],
)
def test_a_bad_repeat_comes_back_beside_the_field(browser, fields, said):
    response = schedule(browser, **fields)
    if not said:
        assert response.status_code == 200
        return
    assert response.status_code == 422
    assert said in html.unescape(response.content.decode())
    assert Series.objects.count() == 0 and ScheduledPost.objects.count() == 0


def test_the_post_page_says_its_series_and_skips_this_one(browser, weekly):
    post = ScheduledPost.objects.get(series=weekly, occurrence_index=1)
    response = browser.get(f"/calendar/posts/{post.pk}/")
    assert "Part of the series “every week on Tue, Fri at 14:00” (occurrence 2)" in text_of(response)
    assert f"/series/#series-{weekly.pk}" in response.content.decode() and "Skip this one" in text_of(response)
    response = browser.post(f"/calendar/posts/{post.pk}/skip-occurrence")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.CANCELLED
    page = text_of(browser.get(f"/calendar/posts/{post.pk}/"))
    assert "Occurrence 2 skipped (1 post)." in page and "Skip this one" not in page
    assert ScheduledPost.objects.filter(series=weekly, status=Status.SCHEDULED).count() == 3


def test_the_post_page_says_when_an_occurrence_was_edited_alone(browser, weekly):
    post = ScheduledPost.objects.get(series=weekly, occurrence_index=2)
    browser.patch(
        f"/api/publishing/calendar/{post.pk}", '{"caption": "Just this once"}', content_type="application/json"
    )
    page = text_of(browser.get(f"/calendar/posts/{post.pk}/"))
    assert "(occurrence 3), edited alone: series edits leave it as it is." in page


def test_a_post_outside_any_series_cannot_be_skipped_as_one(browser, alice):
    schedule(browser)
    post = ScheduledPost.objects.get(owner=alice)
    assert browser.post(f"/calendar/posts/{post.pk}/skip-occurrence").status_code == 404
    assert "Part of the series" not in browser.get(f"/calendar/posts/{post.pk}/").content.decode()


def test_the_series_page_lists_pauses_resumes_and_ends(browser, alice, weekly):
    page = html.unescape(browser.get("/series/").content.decode())
    assert "Every week on Tue, Fri at 14:00" in page and "running" in page
    browser.post(f"/series/{weekly.pk}", {"action": "pause"})
    assert Series.objects.get(pk=weekly.pk).paused
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        browser.force_login(alice)  # the session from 30 days ago has expired
        response = browser.post(f"/series/{weekly.pk}", {"action": "resume"}, follow=True)
        assert "Series resumed." in text_of(response)
        assert "paused" in SeriesSkip.objects.get(series=weekly).reason
        new = ScheduledPost.objects.filter(series=weekly, occurrence_index__gte=4)
        assert new.exists() and all(p.scheduled_time > NOW + timedelta(days=30) for p in new)
        response = browser.post(f"/series/{weekly.pk}", {"action": "end"}, follow=True)
        assert "future posts cancelled" in response.content.decode()
    assert not ScheduledPost.objects.filter(series=weekly, status=Status.SCHEDULED, occurrence_index__gte=4).exists()
    assert "ended" in browser.get("/series/").content.decode()


def test_the_series_page_changes_the_caption_of_upcoming_posts(browser, weekly):
    response = browser.post(f"/series/{weekly.pk}", {"action": "caption", "caption": "Fresh words"}, follow=True)
    assert "Caption saved; 4 upcoming posts changed." in html.unescape(response.content.decode())
    assert set(ScheduledPost.objects.filter(series=weekly).values_list("caption", flat=True)) == {"Fresh words"}
    response = browser.post(f"/series/{weekly.pk}", {"action": "caption", "caption": "x" * 300}, follow=True)
    assert "Twitter/X allows at most 280" in html.unescape(response.content.decode())


def test_other_users_series_are_404(client, bob, weekly):
    client.force_login(bob)
    assert client.post(f"/series/{weekly.pk}", {"action": "end"}).status_code == 404
    post = ScheduledPost.objects.filter(series=weekly).first()
    assert client.post(f"/calendar/posts/{post.pk}/skip-occurrence").status_code == 404
    assert Series.objects.get(pk=weekly.pk).ended_at is None
