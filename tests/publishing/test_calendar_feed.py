"""The calendar out: ICS and CSV downloads, and the private subscription feed (read back with icalendar)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine

from publishing.models import ApiToken, CalendarFeedToken, ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_post(owner, platform: str, at: datetime, caption: str, status=Status.SCHEDULED, clip=None) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform=platform)
    return ScheduledPost.objects.create(
        owner=owner, platform=platform, account=account, caption=caption, scheduled_time=at, status=status, clip=clip
    )


@pytest.fixture
def alice_posts(alice, alice_clip):
    return [
        make_post(alice, "twitter", datetime(2026, 11, 27, 17, 30, tzinfo=UTC), "Friday thoughts, part one\nmore"),
        make_post(
            alice, "tiktok", datetime(2026, 11, 28, 8, 0, tzinfo=UTC), "ignored: the clip has a title", clip=alice_clip
        ),
        make_post(alice, "bluesky", datetime(2026, 11, 29, 10, 0, tzinfo=UTC), "gone", status=Status.CANCELLED),
    ]


def events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_the_ics_export_parses_back_with_utc_times_titles_and_links(browser, alice_posts):
    response = browser.get("/calendar/export.ics?start_date=2026-11-01&end_date=2026-11-30")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert b"DTSTART:20261127T173000Z" in body  # UTC, written with a Z
    found = {str(e["UID"]): e for e in events(body)}
    assert set(found) == {f"{p.pk}@mediaposter" for p in alice_posts}
    tweet = found[f"{alice_posts[0].pk}@mediaposter"]
    assert tweet.decoded("DTSTART") == datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    assert tweet.decoded("DTSTAMP") == NOW
    assert str(tweet["SUMMARY"]) == "Friday thoughts, part one · Twitter/X"
    assert str(tweet["URL"]) == f"http://testserver/calendar/posts/{alice_posts[0].pk}/"
    assert str(tweet["URL"]) in str(tweet["DESCRIPTION"])
    video = found[f"{alice_posts[1].pk}@mediaposter"]
    assert str(video["SUMMARY"]) == "Morning run · TikTok"
    cancelled = found[f"{alice_posts[2].pk}@mediaposter"]
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_the_uid_stays_when_a_post_moves(browser, alice_posts):
    first = {str(e["UID"]) for e in events(browser.get("/calendar/export.ics?start_date=2026-11-01").content)}
    post = alice_posts[0]
    ScheduledPost.objects.filter(pk=post.pk).update(scheduled_time=post.scheduled_time + timedelta(hours=1))
    again = events(browser.get("/calendar/export.ics?start_date=2026-11-01").content)
    assert {str(e["UID"]) for e in again} == first
    moved = next(e for e in again if str(e["UID"]).startswith(str(post.pk)))
    assert moved.decoded("DTSTART") == datetime(2026, 11, 27, 18, 30, tzinfo=UTC)


def test_exports_take_the_calendar_filters(browser, alice_posts):
    body = browser.get("/calendar/export.ics?start_date=2026-11-01&platform=tiktok").content
    assert [str(e["SUMMARY"]) for e in events(body)] == ["Morning run · TikTok"]


def test_the_csv_export_lists_posts_in_utc_and_local_time(browser, alice, alice_posts):
    make_post(alice, "twitter", datetime(2026, 11, 26, 9, 0, tzinfo=UTC), "=HYPERLINK(evil)")
    response = browser.get("/calendar/export.csv?start_date=2026-11-01&end_date=2026-11-30")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["scheduled_time_utc"] for r in rows] == [
        "2026-11-26T09:00:00Z",
        "2026-11-27T17:30:00Z",
        "2026-11-28T08:00:00Z",
        "2026-11-29T10:00:00Z",
    ]
    assert rows[1]["local_time"] == "2026-11-27 18:30"  # Paris
    assert rows[1]["post_page"] == f"http://testserver/calendar/posts/{alice_posts[0].pk}/"
    assert rows[0]["caption"] == "'=HYPERLINK(evil)"  # a spreadsheet shows it, never runs it


@pytest.mark.parametrize(
    "query, message",
    [
        ("start_date=2026-13-01", "start_date:"),
        ("start_date=2026-11-10&end_date=2026-11-01", "end_date must be after start_date."),
        ("platform=myspace", "Unknown platform 'myspace'."),
        ("status=lost", "Unknown status 'lost'."),
    ],
)
def test_bad_export_ranges_are_a_precise_400(browser, query, message):
    for kind in ("ics", "csv"):
        response = browser.get(f"/calendar/export.{kind}?{query}")
        assert response.status_code == 400
        assert message in response.content.decode()


def test_exports_need_a_login_and_show_only_your_posts(client, browser, alice_posts, bob):
    make_post(bob, "twitter", datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "bob's secret plan")
    assert "bob's secret plan" not in browser.get("/calendar/export.csv?start_date=2026-11-01").content.decode()
    client.logout()
    assert client.get("/calendar/export.ics").status_code == 302


# --- the subscription feed ----------------------------------------------------------------------


def feed_url(page_html: str) -> str:
    return re.search(r'<code class="feed-url">(http[^<]+)</code>', page_html).group(1)


def test_the_feed_url_is_shown_once_and_only_its_hash_is_stored(browser, alice, alice_posts):
    response = browser.post("/settings/calendar-feed")
    assert response.status_code == 201
    url = feed_url(response.content.decode())
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeedToken.objects.get(user=alice)
    assert stored.token_hash == ApiToken.hash(token)
    assert token not in str(CalendarFeedToken.objects.values().get())
    assert token not in browser.get("/settings/").content.decode()

    feed = browser.get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200
    found = events(feed.content)
    # The cancelled post is left out of the subscription.
    assert sorted(e.decoded("DTSTART") for e in found) == [
        datetime(2026, 11, 27, 17, 30, tzinfo=UTC),
        datetime(2026, 11, 28, 8, 0, tzinfo=UTC),
    ]
    assert feed["Cache-Control"] == "private, no-store"


def test_the_feed_needs_no_login(client, alice, alice_posts):
    token = CalendarFeedToken.issue(alice)
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200
    assert len(events(response.content)) == 2
    assert CalendarFeedToken.objects.get(user=alice).last_used_at == NOW


def test_a_revoked_feed_is_404(browser, client, alice, alice_posts):
    token = CalendarFeedToken.issue(alice)
    assert browser.post("/settings/calendar-feed/revoke").status_code == 302
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    assert browser.post("/settings/calendar-feed/revoke").status_code == 404


def test_a_regenerated_feed_retires_the_old_url(client, alice, alice_posts):
    old = CalendarFeedToken.issue(alice)
    new = CalendarFeedToken.issue(alice)
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200


def test_a_made_up_or_inactive_users_feed_is_404(client, alice, alice_posts):
    assert client.get("/calendar/feed/cal_made-up.ics").status_code == 404
    token = CalendarFeedToken.issue(alice)
    alice.is_active = False
    alice.save()
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_a_feed_shows_only_its_owners_posts(client, alice, alice_posts, bob):
    make_post(bob, "twitter", datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "bob's secret plan")
    token = CalendarFeedToken.issue(alice)
    assert b"bob" not in client.get(f"/calendar/feed/{token}.ics").content
