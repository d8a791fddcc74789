"""Bulk import speed: a dry run and a commit of 5,000 posts, through Django on PostgreSQL.

    python bench/import_posts.py [--rows 5000] [--runs 3]

The file mixes what users send: 40 % "next_slot" rows over three accounts with hourly slots (the
queue hands out ~670 slots per account), 40 % local times, 20 % video rows with a media URL of
their own (each makes a clip) and a YouTube title. Reading the file, the dry run and the commit
(which checks every row again under the account locks, then inserts) are timed separately, with
their query counts; each commit run starts from an empty schedule.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta
from datetime import time as wall_time

from django_setup import start_django
from process_stats import machine, machine_busy_seconds

start_django("mediaposter_bench_import")

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from publishing import queue  # noqa: E402
from publishing.bulk_import import check_rows, commit_rows  # noqa: E402
from publishing.import_files import read_file  # noqa: E402
from publishing.models import Clip, ScheduledPost, SocialAccount  # noqa: E402
from publishing.posting_slots import WeeklySlot  # noqa: E402

QUEUED = ("twitter", "bluesky", "threads")


def make_user() -> User:
    user = User.objects.create_user("bench")
    user.profile.timezone = "Europe/Paris"
    user.profile.save()
    for number, platform in enumerate([*QUEUED, "youtube", "linkedin"], start=1001):
        account = SocialAccount.objects.create(owner=user, platform=platform, blotato_account_id=str(number))
        if platform in QUEUED:
            queue.replace_slots(account, {WeeklySlot(d, wall_time(h)) for d in range(7) for h in range(8, 23)})
    return user


def make_file(rows: int) -> bytes:
    start = (timezone.now() + timedelta(days=1)).astimezone().replace(minute=0, second=0, microsecond=0)
    lines = ["caption,platforms,time,media_url,youtube.title"]
    for n in range(rows):
        kind = n % 5
        if kind in (0, 1):
            lines.append(f"Queued post {n} #bench,{QUEUED[n % 3]},next_slot,,")
        elif kind in (2, 3):
            at: datetime = start + timedelta(minutes=17 * n)
            lines.append(f'"Planned post {n}, with a comma",linkedin,{at:%Y-%m-%d %H:%M},,')
        else:
            at = start + timedelta(minutes=23 * n)
            lines.append(
                f"Video {n},youtube,{at:%Y-%m-%dT%H:%M:00+01:00},https://cdn.example.com/v/{n}.mp4,Video number {n}"
            )
    return ("\n".join(lines) + "\n").encode()


def timed(step):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    user = make_user()
    content = make_file(args.rows)
    print(f"file: {args.rows} rows, {len(content) / 1024:.0f} KiB")
    busy_before, wall_before = machine_busy_seconds(), time.monotonic()
    for run in range(1, args.runs + 1):
        ScheduledPost.objects.all().delete()
        Clip.objects.all().delete()
        (_, rows), read_s, _ = timed(lambda: read_file(content, name="bench.csv"))
        check, dry_s, dry_queries = timed(lambda rows=rows: check_rows(user, rows, now=timezone.now()))
        assert check.ok, check.summary()
        committed, commit_s, commit_queries = timed(lambda rows=rows: commit_rows(user, rows, now=timezone.now()))
        assert ScheduledPost.objects.count() == committed.post_count == args.rows
        print(
            f"run {run}: read {read_s:.2f} s; dry run {dry_s:.2f} s ({dry_queries} queries); "
            f"commit {commit_s:.2f} s ({commit_queries} queries); {committed.post_count} posts, "
            f"{Clip.objects.count()} clips made"
        )
    cores_busy = (machine_busy_seconds() - busy_before) / (time.monotonic() - wall_before)
    print(f"machine load while running: {cores_busy:.2f} cores busy on average (ours included)")


if __name__ == "__main__":
    main()
