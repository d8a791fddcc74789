"""Recurring posts: filling the horizon of 1,000 series, through Django on PostgreSQL.

    python bench/recurrences.py [--series 1000] [--horizon-days 14]

Three passes of the Beat job (series.extend_all), as it runs in production:
- first fill: every series creates its occurrences for the horizon (one post per occurrence);
- the same job again at once (a double run of beat): nothing to create, every series looked at;
- a week later: each series adds the week that came into the horizon.
Also the rule arithmetic alone (occurrence instants, no database). Seconds of wall-clock time.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from django_setup import start_django
from process_stats import machine

start_django("mediaposter_bench_recurrences")

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from publishing import series as series_domain  # noqa: E402
from publishing.models import ScheduledPost, Series, SocialAccount  # noqa: E402
from publishing.recurrence import occurrence_instant, occurrences  # noqa: E402

ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/Paris"]
NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # a week before Europe's spring change


def make_series(count: int, rng: random.Random) -> None:
    users = []
    for n in range(count // 50 or 1):  # 50 series a user
        user = User.objects.create_user(f"bench{n}")
        account = SocialAccount.objects.create(owner=user, platform="twitter", blotato_account_id=f"{n}")
        users.append((user, account))
    rows = []
    for n in range(count):  # as series.start_series makes them, before their first fill
        user, account = users[n % len(users)]
        frequency = rng.choice(["daily", "weekly", "weekly", "monthly"])
        rows.append(
            Series(
                owner=user,
                caption=f"series {n}",
                targets=[{"platform": "twitter", "account": account.pk, "options": {}}],
                frequency=frequency,
                interval=rng.choice([1, 1, 2]),
                weekdays=sorted(rng.sample(range(7), rng.randint(1, 3))) if frequency == "weekly" else [],
                start_day=date(2027, 3, 20) + timedelta(days=rng.randint(0, 6)),
                local_time=clock_time(rng.randint(6, 22), rng.choice([0, 15, 30, 45])),
                timezone=rng.choice(ZONES),
            )
        )
        rows[-1].next_time = occurrence_instant(series_domain.rule_of(rows[-1]), 0, series_domain.zone_of(rows[-1]))
    Series.objects.bulk_create(rows)


def timed_pass(now: datetime) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        created = series_domain.extend_all(now=now)
        seconds = time.perf_counter() - started
    return seconds, created, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--horizon-days", type=int, default=14)
    args = parser.parse_args()
    settings.SERIES_HORIZON_DAYS = args.horizon_days
    print(machine())
    make_series(args.series, random.Random(15))

    started = time.perf_counter()
    instants = 0
    for series in Series.objects.all():
        rule, tz = series_domain.rule_of(series), series_domain.zone_of(series)
        instants += sum(1 for _ in occurrences(rule, tz, end=NOW + timedelta(days=args.horizon_days)))
    print(
        f"rule arithmetic only: {instants} occurrence instants of {args.series} series in "
        f"{time.perf_counter() - started:.2f} s"
    )

    for label, now in (
        ("first fill", NOW),
        ("same job again", NOW),
        ("a week later", NOW + timedelta(days=7)),
    ):
        seconds, created, queries = timed_pass(now)
        print(f"{label:>15}: {seconds:6.2f} s, {created:5d} posts created, {queries} queries ({args.series} series)")
    duplicates = ScheduledPost.objects.values("series", "occurrence_index").count() - (
        ScheduledPost.objects.values("series", "occurrence_index").distinct().count()
    )
    print(f"posts in all: {ScheduledPost.objects.count()}, duplicate occurrences: {duplicates}")


if __name__ == "__main__":
    main()
