"""Dispatch benchmark: how late do posts go out, how fast do bursts drain, how big do workers get.

    python bench/dispatch.py [--posts 1000] [--latency-ms 100] [--workers 2] [--lone-runs 50]

Real PostgreSQL (database `mediaposter_bench`, recreated), real Redis, real Celery worker and
beat processes, the fake Blotato in this process with no rate limit. Lateness is the time from a
post's scheduled time to the moment its create request was sent (PublishAttempt.sent_at).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import timedelta

from django_setup import ROOT, start_django
from process_stats import machine, rss_mb

start_django("mediaposter_bench", BLOTATO_POSTS_PER_MINUTE="0")

import numpy as np  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from publishing.fake_blotato import FakeBlotato  # noqa: E402
from publishing.models import PublishAttempt, ScheduledPost, SocialAccount, Status  # noqa: E402
from publishing.redis_connection import shared_redis  # noqa: E402
from tests.processes import CeleryProcesses, wait_until  # noqa: E402

KEY = "blt_bench_key=="


def make_due(account: SocialAccount, count: int, at, prefix: str) -> None:
    ScheduledPost.objects.bulk_create(
        ScheduledPost(
            owner=account.owner, platform="twitter", account=account, caption=f"{prefix} {n}", scheduled_time=at
        )
        for n in range(count)
    )


def lateness_seconds(prefix: str) -> np.ndarray:
    rows = PublishAttempt.objects.filter(post__caption__startswith=prefix, number=1).values_list(
        "sent_at", "post__scheduled_time"
    )
    return np.array([(sent - due).total_seconds() for sent, due in rows])


def sent_count(prefix: str) -> int:
    return PublishAttempt.objects.filter(post__caption__startswith=prefix, sent_at__isnull=False).count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker")
    parser.add_argument("--lone-runs", type=int, default=50)
    args = parser.parse_args()

    shared_redis().flushdb()
    user = User.objects.create_user("bench")
    account = SocialAccount.objects.create(owner=user, platform="twitter", blotato_account_id="1001")
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)

    with FakeBlotato() as fake:
        fake.add_sandbox_key(KEY)
        fake.set_knobs(rate_limits=None, latency_s=args.latency_ms / 1000)
        processes = CeleryProcesses(
            log_dir,
            fake.url,
            KEY,
            TESTING_FAULTS="0",
            CONN_MAX_AGE="60",
            DISPATCH_INTERVAL_SECONDS="1",
            POLL_INTERVAL_SECONDS="5",
        )
        for n in range(args.workers):
            processes.start_worker(f"w{n}", args.concurrency, pool="threads", log_level="warning")
        processes.start_beat()
        connection.close()
        try:
            time.sleep(5)  # workers and beat up
            peak_mb = 0.0

            # 1. A lone post, many times: how late is it sent?
            for run in range(args.lone_runs):
                make_due(account, 1, timezone.now() + timedelta(seconds=1.5), f"lone{run:03d}")
                wait_until(lambda r=run: sent_count(f"lone{r:03d}") == 1, timeout=60, describe=lambda: "lone post")
            lone = np.concatenate([lateness_seconds(f"lone{r:03d}") for r in range(args.lone_runs)])

            # 2. A burst: N posts due at the same second.
            due = timezone.now() + timedelta(seconds=3)
            make_due(account, args.posts, due, "burst")
            while sent_count("burst") < args.posts:
                peak_mb = max(peak_mb, *(rss_mb(p.pid) for p in processes.processes.values()))
                time.sleep(0.2)
            burst = lateness_seconds("burst")
            wait_until(
                lambda: not ScheduledPost.objects.filter(status=Status.PUBLISHING).exists(),
                timeout=120,
                describe=lambda: "posts still publishing",
            )
            accepted = ScheduledPost.objects.filter(
                caption__startswith="burst", status__in=[Status.SUBMITTED, Status.PUBLISHED]
            ).count()
        finally:
            processes.stop_all()

    duplicates = sum(1 for n in Counter(s["text"] for s in fake.submissions()).values() if n > 1)
    drain = burst.max()
    print(machine())
    print(
        f"setup: {args.workers} worker processes x {args.concurrency} threads, fake latency {args.latency_ms:.0f} ms,"
        " PostgreSQL + Redis, beat every 1 s"
    )
    print(
        f"lone post, {len(lone)} runs: lateness p50 {np.percentile(lone, 50):.2f} s, "
        f"p99 {np.percentile(lone, 99):.2f} s, max {lone.max():.2f} s"
    )
    print(
        f"burst of {args.posts}: lateness p50 {np.percentile(burst, 50):.2f} s, p99 {np.percentile(burst, 99):.2f} s,"
        f" max {drain:.2f} s; throughput {args.posts / drain:.0f} posts/s"
    )
    print(f"burst posts accepted by Blotato: {accepted} of {args.posts}; duplicate creates on the fake: {duplicates}")
    print(f"peak worker memory (main + children, per worker): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
