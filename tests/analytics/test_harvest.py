"""The learning loop: posts we published come back from Blotato's analytics as engagement.

Against the project's fake Blotato (in this process, so travelling the clock moves its clock too),
on the Starter plan: snapshots 1, 7, 14 and 30 days after publishing, counts as strings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from analytics import importers
from analytics.harvest import harvest
from analytics.models import EngagementSnapshot, HarvestedPost, HarvestStatus, MetricSource, PostMetric
from publishing import dispatch, reconcile
from publishing.models import Notification, NotificationKind, ScheduledPost, Status
from publishing.redis_connection import shared_redis
from tests.publishing.test_dispatch import schedule

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def publish(owner, platform="twitter", caption="Launch day") -> ScheduledPost:
    post = schedule(owner, platform=platform, caption=caption)
    dispatch.run_once()
    reconcile.poll_submitted(post.pk)
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED, post.last_error
    return post


def reads(fake) -> list[dict]:
    return [r for r in fake.requests("GET") if r["path"].endswith("/analytics") and r["path"].startswith("/v2/posts/")]


def run(clock, *, after: timedelta, users=None):
    clock.move_to(T0 + after)
    return harvest(users, at=T0 + after)


def test_a_published_post_is_found_by_its_url_and_read_once_per_checkpoint(alice, fake_blotato, clock):
    post = publish(alice)
    report = run(clock, after=timedelta(hours=2))
    record = HarvestedPost.objects.get(post=post)
    assert record.published_id == fake_blotato.published_id(post.blotato_submission_id)
    assert (report.found, report.asked, report.new_snapshots) == (1, 0, 0)  # no checkpoint has passed

    report = run(clock, after=timedelta(days=1, hours=4))
    assert (report.asked, report.new_snapshots) == (1, 1)
    metric = PostMetric.objects.get(post=post)
    assert metric.source == MetricSource.BLOTATO
    assert metric.maturity == pytest.approx(1 / 7)  # the day-1 reading of a young post: believed less
    assert metric.likes > 0 and metric.views > 0

    assert run(clock, after=timedelta(days=2)).asked == 0  # nothing new until day 7
    report = run(clock, after=timedelta(days=7, hours=4))
    assert (report.asked, report.new_snapshots) == (1, 1)
    metric.refresh_from_db()
    day_7 = fake_blotato.snapshots(record.published_id)[1]
    assert metric.measured_at_age_days == pytest.approx(7.0, abs=0.01)
    assert metric.maturity == 1.0
    assert metric.likes == int(day_7["metrics"]["likesCount"])
    assert metric.comments == int(day_7["metrics"]["repliesCount"])
    assert metric.shares == int(day_7["metrics"]["twitterRetweetsCount"])  # quotes are not reposts
    assert metric.views == int(day_7["metrics"]["impressionsCount"])

    run(clock, after=timedelta(days=14, hours=4))
    report = run(clock, after=timedelta(days=30, hours=4))
    assert report.completed == 1
    assert EngagementSnapshot.objects.filter(post=post).count() == 4
    assert run(clock, after=timedelta(days=34)).asked == 0  # every checkpoint in: never asked again
    assert len(reads(fake_blotato)) == 4


def test_the_same_snapshot_seen_three_ways_is_stored_once(alice, fake_blotato, clock):
    post = publish(alice)
    # First met at day 8: the list brings the latest reading and the history, the read both again.
    run(clock, after=timedelta(days=8))
    assert len(reads(fake_blotato)) == 1
    assert list(EngagementSnapshot.objects.filter(post=post).values_list("fetched_at", flat=True)) == [
        T0 + timedelta(days=1),
        T0 + timedelta(days=7),
    ]
    run(clock, after=timedelta(days=8, hours=1), users=[alice])
    assert EngagementSnapshot.objects.filter(post=post).count() == 2


@pytest.mark.parametrize(
    "platform, ours",
    [
        ("twitter", lambda url: url.replace("https://x.com/", "http://mobile.twitter.com/") + "/?s=20#top"),
        ("youtube", lambda url: "https://youtu.be/" + url.split("v=")[1] + "?t=3"),
        ("instagram", lambda url: url.rstrip("/").replace("https://www.", "https://") + "?igsh=abc"),
    ],
)
def test_a_post_is_found_whatever_spelling_of_its_url_we_hold(alice, alice_clip, fake_blotato, clock, platform, ours):
    post = schedule(alice, platform=platform, caption="spelled differently", clip=alice_clip)
    dispatch.run_once()
    reconcile.poll_submitted(post.pk)
    post.refresh_from_db()
    ScheduledPost.objects.filter(pk=post.pk).update(platform_url=ours(post.platform_url))
    assert run(clock, after=timedelta(hours=1)).found == 1
    assert HarvestedPost.objects.get(post=post).published_id == fake_blotato.published_id(post.blotato_submission_id)


def test_a_post_not_listed_yet_is_looked_for_again_on_later_runs(alice, fake_blotato, clock):
    post = publish(alice)
    real_url = post.platform_url
    ScheduledPost.objects.filter(pk=post.pk).update(platform_url="https://x.com/demo_twitter/status/1")
    assert run(clock, after=timedelta(hours=1)).not_listed == 1
    assert run(clock, after=timedelta(hours=13)).not_listed == 1
    assert HarvestedPost.objects.get(post=post).searches == 2
    ScheduledPost.objects.filter(pk=post.pk).update(platform_url=real_url)
    assert run(clock, after=timedelta(days=1, hours=4)).found == 1


def test_linkedin_has_no_analytics_and_is_never_asked(alice, fake_blotato, clock):
    publish(alice, platform="linkedin")
    report = run(clock, after=timedelta(days=8))
    assert (report.found, report.asked, report.problems) == (0, 0, [])
    assert not HarvestedPost.objects.exists() and reads(fake_blotato) == []


def test_not_yet_synced_is_normal(alice, fake_blotato, clock):
    post = publish(alice)
    fake_blotato.set_knobs(analytics_jitter_s=[5 * 3600, 6 * 3600])  # the day-1 reading comes late
    report = run(clock, after=timedelta(days=1, hours=3, minutes=1))
    assert (report.asked, report.not_yet, report.problems) == (1, 1, [])
    assert HarvestStatus.objects.get(user=alice).last_run_at == T0 + timedelta(days=1, hours=3, minutes=1)
    assert not PostMetric.objects.filter(post=post).exists()


def test_a_key_revoked_mid_harvest_is_reported_once_and_not_asked_again(alice, fake_blotato, clock, browser):
    for n in range(3):
        publish(alice, caption=f"post {n}")
    run(clock, after=timedelta(hours=1))  # all three found
    fake_blotato.inject("status", status=401, message="Invalid API key", route="GET /posts/{id}/analytics", times=-1)
    report = run(clock, after=timedelta(days=1, hours=4))
    assert report.asked == 0 and len(report.problems) == 1
    asked = len(fake_blotato.requests("GET"))
    assert run(clock, after=timedelta(days=7, hours=4)).problems == []  # not retried in a loop
    assert len(fake_blotato.requests("GET")) == asked
    page = browser.get("/settings/").content.decode()
    assert "Blotato refused the key when reading analytics (Invalid API key)" in page
    [told] = Notification.objects.filter(user=alice, kind=NotificationKind.KEY_REFUSED)  # once, not per run
    assert told.message.startswith("Blotato refused your API key (Invalid API key).")

    fake_blotato.clear_faults()
    fake_blotato.add_sandbox_key("blt_a_new_key_0123456789")
    alice.profile.blotato_api_key = "blt_a_new_key_0123456789"  # a new key is tried again
    alice.profile.save()
    assert run(clock, after=timedelta(days=7, hours=5)).problems == []
    assert HarvestStatus.objects.get(user=alice).problem == ""


def test_a_plan_without_analytics_is_reported_once(alice, fake_blotato, clock):
    publish(alice)
    fake_blotato.set_knobs(analytics_disabled=True)
    report = run(clock, after=timedelta(days=1, hours=4))
    assert report.problems and "no analytics for this key" in report.problems[0]
    assert run(clock, after=timedelta(days=8)).problems == []


def test_reads_stay_inside_the_keys_budget_and_the_rest_come_later(alice, fake_blotato, clock, settings):
    for n in range(4):
        publish(alice, caption=f"budget {n}")
    settings.BLOTATO_CHECKS_PER_MINUTE = 1
    settings.BLOTATO_CHECKS_BURST = 3
    shared_redis().flushdb()  # a full bucket of 3 reads, refilling at one a minute
    first = run(clock, after=timedelta(days=1, hours=4))  # one list page + two reads, then none left
    assert (first.found, first.asked, first.out_of_budget) == (4, 2, 1)
    later = run(clock, after=timedelta(days=1, hours=6))
    assert later.asked == 2
    assert EngagementSnapshot.objects.values("post").distinct().count() == 4


def test_a_post_arriving_by_csv_and_by_harvest_counts_once(alice, fake_blotato, clock):
    post = publish(alice)
    spelled = post.platform_url.replace("https://x.com/", "https://twitter.com/") + "?s=20"
    row = {"platform": "twitter", "posted_at": "2026-11-02T09:00:00Z", "post_url": spelled}
    row |= {"views": 5, "likes": 1, "comments": 0, "shares": 0, "saves": 0}
    assert importers.import_metrics(alice, [row], ZoneInfo("UTC")).imported == 1  # CSV first
    run(clock, after=timedelta(hours=1))
    run(clock, after=timedelta(days=1, hours=4))
    assert PostMetric.objects.filter(owner=alice).count() == 1
    metric = PostMetric.objects.get(owner=alice)
    assert (metric.source, metric.post) == (MetricSource.BLOTATO, post)
    again = importers.import_metrics(alice, [row], ZoneInfo("UTC"))  # CSV after: Blotato's figure stays
    assert (again.imported, again.updated, again.already_harvested) == (0, 0, 1)
    assert PostMetric.objects.filter(owner=alice).count() == 1


def test_sync_metrics_names_users_and_prints_one_summary_line(alice, fake_blotato, clock, capsys):
    publish(alice)
    clock.move_to(T0 + timedelta(days=1, hours=4))
    call_command("sync_metrics", "alice", "--days", "10")
    captured = capsys.readouterr()
    out = captured.out.strip()
    # The progress bar: one line redrawn in place on stderr (a count of reads), ended once.
    assert captured.err.startswith("\r    1 read · ") and captured.err.endswith("\n")
    assert captured.err.count("\n") == 1
    assert out == (
        "1 user(s): 1 post(s) found on Blotato, 0 not listed yet, 1 read(s), 1 new snapshot(s), 0 not synced yet, "
        "0 complete, 0 key(s) out of budget, 0 problem(s)"
    )
    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("sync_metrics", "nobody")


def test_the_post_page_and_the_analytics_page_say_what_was_learned(alice, fake_blotato, clock, browser):
    post = publish(alice)
    run(clock, after=timedelta(days=7, hours=4))
    day_7 = fake_blotato.snapshots(HarvestedPost.objects.get(post=post).published_id)[1]["metrics"]
    interactions = sum(int(day_7.get(name, 0)) for name in ("likesCount", "repliesCount", "twitterRetweetsCount"))
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert "Engagement, as Blotato read it" in page
    assert f"<td>day 7</td><td>{day_7['impressionsCount']}</td><td>{interactions}</td>" in page
    analytics = browser.get("/analytics/twitter/").content.decode()
    assert "Learned from 1 post published through MediaPoster" in analytics
    assert "and 0 imported. Last read from Blotato 9 Nov 14:00 (Europe/Paris)." in analytics


def test_a_latest_reading_missing_from_the_history_is_still_stored(alice, fake_blotato, clock):
    post = publish(alice)
    run(clock, after=timedelta(hours=1))
    fake_blotato.set_knobs(analytics_history_omits_latest=True)
    run(clock, after=timedelta(days=1, hours=4))
    assert list(EngagementSnapshot.objects.filter(post=post).values_list("fetched_at", flat=True)) == [
        T0 + timedelta(days=1)
    ]


def test_empty_metrics_with_a_collection_error_store_nothing_and_fail_nothing(alice, fake_blotato, clock):
    post = publish(alice)
    fake_blotato.set_knobs(analytics_empty_metrics=True)
    report = run(clock, after=timedelta(days=1, hours=4))
    assert (report.found, report.asked, report.new_snapshots, report.problems) == (1, 1, 0, [])
    assert not EngagementSnapshot.objects.filter(post=post).exists()
    assert not PostMetric.objects.filter(post=post).exists()


def test_beat_runs_the_harvest_on_the_checks_queue_twice_a_day(settings):
    from mediaposter.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "analytics.harvest_engagement")
    assert entry["schedule"] == 12 * 3600  # HARVEST_INTERVAL_SECONDS unset: twice a day
    assert settings.CELERY_TASK_ROUTES["analytics.harvest_engagement"] == {"queue": "checks"}
    app.loader.import_default_modules()  # what a worker does at start: finds every app's tasks.py
    assert "analytics.harvest_engagement" in app.tasks
