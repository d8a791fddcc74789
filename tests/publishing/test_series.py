"""Recurring posts: creation ahead for a horizon, no duplicates, no past occurrences, no burst
after a pause, series edits versus an occurrence edited alone, skipping, ending, and the API."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from publishing import series as series_domain
from publishing import series_tasks as tasks
from publishing.models import ScheduledPost, Series, SeriesSkip, SocialAccount, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Paris (alice's zone)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def send(client, method: str, url: str, body=None):
    return getattr(client, method)(
        url, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


def start(client, repeat: dict, *, when: str = "2026-11-26T09:00", platforms=("twitter",), caption="Weekly tip"):
    body = {"platforms": list(platforms), "caption": caption, "scheduled_time": when, "repeat": repeat}
    return send(client, "post", "/api/publishing/schedule", body)


def occurrence_times(series_id, platform: str = "twitter") -> list[datetime]:
    posts = ScheduledPost.objects.filter(series_id=series_id, platform=platform).order_by("occurrence_index")
    return list(posts.values_list("scheduled_time", flat=True))


@pytest.fixture
def weekly(alice_api) -> Series:
    """Mondays and Thursdays at 09:00 Paris from Thursday 26 Nov 2026."""
    response = start(alice_api, {"frequency": "weekly", "weekdays": [0, 3]})
    assert response.status_code == 201, response.json()
    return Series.objects.get(pk=response.json()["series_id"])


# --- the horizon ---------------------------------------------------------------------------------


def test_a_weekly_series_creates_its_occurrences_for_the_horizon(alice_api, weekly, settings):
    assert settings.SERIES_HORIZON_DAYS == 14
    assert occurrence_times(weekly.pk) == [
        paris(2026, 11, 26, 9),
        paris(2026, 11, 30, 9),
        paris(2026, 12, 3, 9),
        paris(2026, 12, 7, 9),  # the next, Thursday 10 Dec, is beyond 14 days
    ]
    posts = ScheduledPost.objects.filter(series=weekly).order_by("occurrence_index")
    assert [p.occurrence_index for p in posts] == [0, 1, 2, 3]
    assert {p.status for p in posts} == {Status.SCHEDULED}
    assert len({p.group_id for p in posts}) == 4  # each occurrence is its own post
    body = alice_api.get(f"/api/publishing/calendar/{posts[1].pk}").json()
    assert body["series_id"] == str(weekly.pk) and body["occurrence"] == 1


def test_every_platform_of_an_occurrence_shares_its_group(alice_api):
    response = start(alice_api, {"frequency": "daily", "count": 2}, platforms=("twitter", "bluesky"))
    series_id = response.json()["series_id"]
    posts = ScheduledPost.objects.filter(series_id=series_id)
    assert posts.count() == 4
    assert {(p.occurrence_index, p.platform) for p in posts} == {
        (0, "twitter"),
        (0, "bluesky"),
        (1, "twitter"),
        (1, "bluesky"),
    }
    assert posts.filter(occurrence_index=0).values("group_id").distinct().count() == 1


def test_running_the_job_twice_creates_nothing_twice(weekly, clock):
    assert tasks.extend_series() == 0
    assert tasks.extend_series() == 0
    assert len(occurrence_times(weekly.pk)) == 4
    clock.shift(timedelta(days=7))
    assert tasks.extend_series() == 2  # Thursday 10 and Monday 14 December
    assert tasks.extend_series() == 0
    assert occurrence_times(weekly.pk)[-2:] == [paris(2026, 12, 10, 9), paris(2026, 12, 14, 9)]


def test_the_database_refuses_a_second_copy_of_an_occurrence(weekly):
    first = ScheduledPost.objects.filter(series=weekly, occurrence_index=0).get()
    first.pk = None
    first.id = None
    import uuid

    first.id = uuid.uuid4()
    first._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("job", ["one series", "every series"])
def test_two_jobs_at_the_same_moment_create_each_occurrence_once(alice_api, clock, job):
    response = start(alice_api, {"frequency": "daily"}, when="2026-11-25T18:00")
    series_id = response.json()["series_id"]
    assert len(occurrence_times(series_id)) == 14
    clock.shift(timedelta(days=10))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    created: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            if job == "one series":  # waits for the other's lock, then finds the occurrences made
                created.append(len(series_domain.extend(series_id, now=NOW + timedelta(days=10))))
            else:  # the Beat job passes over a series another run holds
                created.append(series_domain.extend_all(now=NOW + timedelta(days=10)))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [0, 10]  # one run made them, the other found them made
    indexes = list(ScheduledPost.objects.filter(series_id=series_id).values_list("occurrence_index", flat=True))
    assert sorted(indexes) == list(range(24))


# --- the past is never created -------------------------------------------------------------------


def test_occurrences_whose_time_passed_are_skipped_and_recorded(weekly, clock):
    clock.shift(timedelta(days=20))  # the job did not run for 20 days: now Tuesday 15 Dec, 12:00 UTC
    tasks.extend_series()
    times = occurrence_times(weekly.pk)
    # Made before: 26 Nov to 7 Dec. Never made: Thursday 10 and Monday 14 Dec. Made now: 17 Dec on.
    assert paris(2026, 12, 10, 9) not in times and paris(2026, 12, 14, 9) not in times
    assert min(t for t in times if t > paris(2026, 12, 7, 9)) == paris(2026, 12, 17, 9)
    assert all(t > NOW + timedelta(days=20) for t in times[4:])
    [skip] = SeriesSkip.objects.filter(series=weekly)
    assert (skip.first_index, skip.last_index) == (4, 5)
    assert (skip.first_time, skip.last_time) == (paris(2026, 12, 10, 9), paris(2026, 12, 14, 9))
    assert skip.reason == series_domain.PASSED


def test_a_first_occurrence_already_past_is_never_created(alice, alice_api):
    # Within the API's minute of tolerance: accepted, but the occurrence's time has gone.
    response = start(alice_api, {"frequency": "daily", "count": 3}, when="2026-11-25T12:59:30")
    assert response.status_code == 201
    series_id = response.json()["series_id"]
    assert occurrence_times(series_id) == [paris(2026, 11, 26, 12, 59), paris(2026, 11, 27, 12, 59)]
    assert SeriesSkip.objects.get(series_id=series_id).last_index == 0


def test_a_paused_series_does_not_burst_when_it_resumes(alice_api, weekly, clock):
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", {"paused": True})
    assert response.status_code == 200 and response.json()["paused"] is True
    clock.shift(timedelta(days=60))
    assert tasks.extend_series() == 0  # paused: nothing is made
    assert len(occurrence_times(weekly.pk)) == 4
    now = NOW + timedelta(days=60)  # Sunday 24 Jan 2027
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", {"paused": False})
    assert response.status_code == 200
    new = occurrence_times(weekly.pk)[4:]
    assert new[0] == paris(2027, 1, 25, 9)  # the next future Monday, not the first missed one
    assert len(new) == 4 and all(t > now for t in new)
    skip = SeriesSkip.objects.get(series=weekly)
    assert skip.reason == series_domain.WHILE_PAUSED
    assert (skip.first_time, skip.last_time) == (paris(2026, 12, 10, 9), paris(2027, 1, 21, 9))


def test_a_disconnected_account_gets_no_posts_and_never_catches_up(alice, alice_api, clock):
    response = start(alice_api, {"frequency": "daily"}, platforms=("twitter", "bluesky"), when="2026-11-25T18:00")
    series_id = response.json()["series_id"]
    SocialAccount.objects.filter(owner=alice, platform="bluesky").update(is_active=False)
    clock.shift(timedelta(days=3))
    tasks.extend_series()  # three more days: for twitter only
    SocialAccount.objects.filter(owner=alice, platform="bluesky").update(is_active=True)
    clock.shift(timedelta(days=1))
    tasks.extend_series()
    bluesky = [p.occurrence_index for p in ScheduledPost.objects.filter(series_id=series_id, platform="bluesky")]
    assert sorted(bluesky) == [*range(14), 17]  # 14-16 were made while it was away, without it
    skip = SeriesSkip.objects.get(series_id=series_id, platform="bluesky")
    assert (skip.first_index, skip.last_index, skip.reason) == (14, 16, "its account is not connected")
    assert ScheduledPost.objects.filter(series_id=series_id, platform="twitter").count() == 18


# --- editing, skipping, ending ------------------------------------------------------------------


def test_editing_the_series_reaches_future_occurrences_but_not_one_edited_alone(alice_api, weekly, clock):
    posts = list(ScheduledPost.objects.filter(series=weekly).order_by("occurrence_index"))
    alone = send(alice_api, "patch", f"/api/publishing/calendar/{posts[2].pk}", {"caption": "Special edition"})
    assert alone.status_code == 200
    clock.shift(timedelta(days=2))  # occurrence 0 (Thursday 26 Nov) is now past
    ScheduledPost.objects.filter(pk=posts[0].pk).update(status=Status.PUBLISHED)
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", {"caption": "New tip"})
    assert response.status_code == 200 and response.json()["caption"] == "New tip"
    captions = dict(ScheduledPost.objects.filter(series=weekly).values_list("occurrence_index", "caption"))
    assert captions[0] == "Weekly tip"  # already sent
    assert captions[1] == "New tip"
    assert captions[2] == "Special edition"  # edited alone: detached from series edits
    assert captions[3] == "New tip"
    tasks.extend_series()
    later = ScheduledPost.objects.filter(series=weekly, occurrence_index__gte=4)
    assert later.exists() and set(later.values_list("caption", flat=True)) == {"New tip"}
    assert ScheduledPost.objects.get(pk=posts[2].pk).series_detached is True


def test_skipping_one_occurrence_cancels_it_and_the_series_goes_on(alice, weekly):
    post = ScheduledPost.objects.get(series=weekly, occurrence_index=1)
    series_domain.skip_occurrence(post, by=alice)
    post.refresh_from_db()
    assert post.status == Status.CANCELLED
    assert post.events.filter(message="Cancelled.").exists()  # the lifecycle's cancel, on the timeline
    tasks.extend_series()
    assert ScheduledPost.objects.filter(series=weekly, occurrence_index=1).count() == 1
    assert ScheduledPost.objects.filter(series=weekly, status=Status.SCHEDULED).count() == 3


def test_ending_a_series_cancels_its_future_occurrences(alice_api, weekly, clock):
    clock.shift(timedelta(days=2))
    ScheduledPost.objects.filter(series=weekly, occurrence_index=0).update(status=Status.PUBLISHED)
    response = send(alice_api, "delete", f"/api/publishing/series/{weekly.pk}")
    assert response.status_code == 200 and response.json()["ended_at"] == "2026-11-27T12:00:00Z"
    statuses = dict(ScheduledPost.objects.filter(series=weekly).values_list("occurrence_index", "status"))
    assert statuses == {0: Status.PUBLISHED, 1: Status.CANCELLED, 2: Status.CANCELLED, 3: Status.CANCELLED}
    clock.shift(timedelta(days=14))
    assert tasks.extend_series() == 0
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", {"caption": "again"})
    assert response.status_code == 409


def test_a_shorter_count_cancels_the_occurrences_beyond_it(alice_api, weekly):
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", {"count": 2})
    assert response.status_code == 200 and response.json()["repeat"]["count"] == 2
    statuses = dict(ScheduledPost.objects.filter(series=weekly).values_list("occurrence_index", "status"))
    assert statuses == {0: Status.SCHEDULED, 1: Status.SCHEDULED, 2: Status.CANCELLED, 3: Status.CANCELLED}


# --- the API ------------------------------------------------------------------------------------


def test_the_series_reads_back(alice_api, weekly):
    body = alice_api.get(f"/api/publishing/series/{weekly.pk}").json()
    assert body["repeat"] == {"frequency": "weekly", "interval": 1, "weekdays": [0, 3], "until": None, "count": None}
    assert body["start"] == "2026-11-26T08:00:00Z" and body["timezone"] == "Europe/Paris"
    assert body["next_occurrence"] == "2026-11-26T08:00:00Z"
    assert [u["occurrence"] for u in body["upcoming"]] == [0, 1, 2, 3]
    assert body["description"] == "every week on Mon, Thu at 09:00"
    assert alice_api.get("/api/publishing/series").json()["count"] == 1


def test_other_users_series_are_404(bob_api, weekly):
    for method in ("get", "patch", "delete"):
        response = send(
            bob_api, method, f"/api/publishing/series/{weekly.pk}", {"caption": "x"} if method == "patch" else None
        )
        assert response.status_code == 404, method
    assert send(bob_api, "get", "/api/publishing/series/not-a-uuid").status_code == 404
    assert Series.objects.get(pk=weekly.pk).ended_at is None


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"frequency": "weekly", "weekdays": [0], "every": 2}, "repeat.every"),
        ({"frequency": "weekly", "weekdays": [0, 7]}, "repeat.weekdays[1]"),
        ({"frequency": "weekly", "weekdays": ["mon"]}, "repeat.weekdays[0]"),
        ({"frequency": "weekly", "weekdays": [2, 2]}, "repeat.weekdays"),
        ({"frequency": "weekly", "weekdays": []}, "repeat.weekdays"),
        ({"frequency": "daily", "weekdays": [0]}, "repeat.weekdays"),
        ({"frequency": "daily", "interval": 0}, "repeat.interval"),
        ({"frequency": "daily", "interval": True}, "repeat.interval"),
        ({"frequency": "daily", "interval": 1.5}, "repeat.interval"),
        ({"frequency": "daily", "count": 0}, "repeat.count"),
        ({"frequency": "daily", "until": "2026-11-25"}, "repeat.until"),
        ({"frequency": "daily", "until": "25/12/2026"}, "repeat.until"),
        ({"frequency": "daily", "until": "2026-12-31", "count": 3}, "repeat.count"),
        ({"frequency": "yearly"}, "repeat.frequency"),
        ({}, "repeat.frequency"),
        ("weekly", "repeat"),
    ],
)
def test_bad_repeats_are_refused_naming_the_field_and_nothing_is_written(alice_api, repeat, field):
    response = start(alice_api, repeat)
    assert response.status_code == 400, response.json()
    assert field in response.json()["details"], response.json()
    assert Series.objects.count() == 0 and ScheduledPost.objects.count() == 0


@pytest.mark.parametrize(
    "extra",
    [{"scheduled_time": "next_slot"}, {"publish_now": True, "scheduled_time": None}, {"status": "draft"}],
)
def test_a_repeat_needs_a_time_of_its_own(alice_api, extra):
    body = {"platforms": ["twitter"], "caption": "x", "scheduled_time": "2026-11-26T09:00"} | extra
    body["repeat"] = {"frequency": "daily"}
    response = send(alice_api, "post", "/api/publishing/schedule", body)
    assert response.status_code == 400 and "repeat" in response.json()["details"]
    assert Series.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"frequency": "daily"}, 400, "frequency"),
        ({"repeat": {"frequency": "daily"}}, 400, "repeat"),
        ({"colour": "red"}, 400, "unknown"),
        ({}, 400, "allowed"),
        ({"count": 0}, 400, "count"),
        ({"until": "2026-11-01"}, 400, "until"),
        ({"until": "2026-12-31", "count": 2}, 400, "count"),
        ({"paused": "yes"}, 400, "paused"),
        ({"caption": "x" * 281}, 400, "caption"),
        ({"options": {"tiktok": {}}}, 400, "options"),
    ],
)
def test_bad_series_edits_are_refused_and_change_nothing(alice_api, weekly, body, status, field):
    response = send(alice_api, "patch", f"/api/publishing/series/{weekly.pk}", body)
    assert response.status_code == status, response.json()
    assert field in response.json()["details"], response.json()
    weekly.refresh_from_db()
    assert (weekly.caption, weekly.count, weekly.paused) == ("Weekly tip", None, False)


def test_the_beat_job_is_scheduled_and_a_worker_knows_it(settings):
    # A fresh process, as a worker starts: only what autodiscovery and CELERY_IMPORTS load is known.
    probe = (
        "import django; django.setup(); from mediaposter.celery import app; "
        "app.loader.import_default_modules(); print(sorted(app.tasks))"
    )
    known = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    entry = settings.CELERY_BEAT_SCHEDULE["create recurring posts"]
    assert entry["task"] == "publishing.extend_series"
    assert all(f"'{each['task']}'" in known for each in settings.CELERY_BEAT_SCHEDULE.values())


def test_a_series_keeps_its_wall_clock_time_through_lord_howes_half_hour_change(alice, alice_api):
    alice.profile.timezone = "Australia/Lord_Howe"
    alice.profile.save()
    with time_machine.travel(datetime(2026, 9, 30, 0, 0, tzinfo=UTC), tick=False):
        response = start(alice_api, {"frequency": "daily", "count": 5}, when="2026-10-02T02:10")
        assert response.status_code == 201, response.json()
        times = occurrence_times(response.json()["series_id"])
    # +10:30 until 4 Oct 02:00, then +11: 02:10 is skipped that night and moves to 02:30.
    assert times == [
        utc(2026, 10, 1, 15, 40),
        utc(2026, 10, 2, 15, 40),
        utc(2026, 10, 3, 15, 30),  # 4 Oct 02:30 local, the end of the gap
        utc(2026, 10, 4, 15, 10),
        utc(2026, 10, 5, 15, 10),
    ]
    assert Series.objects.get().timezone == "Australia/Lord_Howe"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_at_most_the_set_number_of_occurrences_is_created_at_a_time(alice_api, settings):
    settings.SERIES_HORIZON_OCCURRENCES = 3
    response = start(alice_api, {"frequency": "daily"}, when="2026-11-25T18:00")
    series_id = response.json()["series_id"]
    assert len(occurrence_times(series_id)) == 3
    assert tasks.extend_series() == 3  # the rest of the horizon comes with the next runs
    assert tasks.extend_series() == 3
    assert occurrence_times(series_id)[-1] == paris(2026, 12, 3, 18)
