"""Calendar page speed: month and week views with 2,000 posts in range, through Django on PostgreSQL.

    python bench/calendar_page.py [--posts 2000] [--runs 100]

(Not calendar.py: in bench/ that name would shadow the standard library's calendar module.)

Server time of the whole request in process (routing, session, queries, template), and the number
of queries, which must not grow with the number of posts.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django_setup import start_django, time_requests
from process_stats import machine

start_django("mediaposter_bench_calendar")

import numpy as np  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from publishing.models import ScheduledPost, SocialAccount  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[np.ndarray, int]:
    samples = time_requests(lambda: client.get(url), runs)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return np.array(samples), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    user = User.objects.create_user("bench")
    user.profile.timezone = "Europe/Paris"
    user.profile.save()
    account = SocialAccount.objects.create(owner=user, platform="twitter", blotato_account_id="1001")
    paris = ZoneInfo("Europe/Paris")
    first = datetime(2027, 3, 1, tzinfo=paris)
    rng = np.random.default_rng(3)
    client = Client()
    client.force_login(user)
    print(machine())
    for posts in (200, args.posts):
        ScheduledPost.objects.all().delete()
        ScheduledPost.objects.bulk_create(
            ScheduledPost(
                owner=user,
                platform="twitter",
                account=account,
                caption=f"post {n}",
                scheduled_time=first + timedelta(minutes=int(m)),
            )
            for n, m in enumerate(rng.integers(0, 31 * 24 * 60, posts))
        )
        week_posts = ScheduledPost.objects.filter(
            scheduled_time__gte=datetime(2027, 3, 8, tzinfo=paris),
            scheduled_time__lt=datetime(2027, 3, 15, tzinfo=paris),
        ).count()
        for view, date in (("month", "2027-03-01"), ("week", "2027-03-08")):
            samples, queries = measure(client, f"/calendar/?view={view}&date={date}", args.runs)
            shown = posts if view == "month" else week_posts
            print(
                f"{view} view, {shown} posts in range: p50 {np.percentile(samples, 50):.0f} ms, "
                f"p99 {np.percentile(samples, 99):.0f} ms, {queries} queries"
            )


if __name__ == "__main__":
    main()
