"""Dispatch benchmark: how late do posts reach Blotato, how fast do bursts drain, how big are workers.

    python bench/dispatch.py [--posts 1000] [--latencies-ms 100,1000] [--workers 2]
                             [--concurrency 100] [--pool-size 20] [--lone-runs 50]
                             [--wide-posts 10000 --wide-keys 1000]

Real PostgreSQL (database `mediaposter_bench`, recreated), real Redis, real Celery worker and
beat processes started as in production (thread pool, pooled database connections), the fake
Blotato in this process with no rate limit. Lateness is measured where Blotato receives the
create: the fake's arrival time of the request minus the post's scheduled time.

1. Lone posts: one post at a time, each due a few seconds ahead at a random sub-second instant.
2. Bursts: N posts due at the same second on one key, once per latency.
3. Wide burst: many posts due at the same second spread over many users, each with its own key.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from datetime import timedelta

from django_setup import ROOT, start_django
from process_stats import cpu_seconds, machine, machine_busy_seconds, rss_mb

# One encryption key for this process (which stores the users' Blotato keys) and the workers it
# starts (which read them): they run with different SECRET_KEYs (the workers without DEBUG).
start_django(
    "mediaposter_bench",
    BLOTATO_POSTS_PER_MINUTE="0",
    FIELD_ENCRYPTION_KEY="bUJlbmNoLW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXk=",
)

import numpy as np  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from publishing.fake_blotato import FakeBlotato  # noqa: E402
from publishing.models import Profile, ScheduledPost, SocialAccount, Status  # noqa: E402
from publishing.redis_connection import shared_redis  # noqa: E402
from tests.processes import CeleryProcesses, wait_until  # noqa: E402

KEY = "blt_bench_key=="


class Results(list):
    """Each result printed as soon as it is measured (a long run stopped halfway still says something)."""

    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)


def make_due(accounts: list[SocialAccount], count: int, at, prefix: str) -> None:
    ScheduledPost.objects.bulk_create(
        (
            ScheduledPost(
                owner_id=account.owner_id,
                platform="twitter",
                account=account,
                caption=f"{prefix} {n}",
                scheduled_time=at,
            )
            for n in range(count)
            for account in [accounts[n % len(accounts)]]
        ),
        batch_size=2000,
    )


def arrivals(fake: FakeBlotato, prefix: str) -> dict[str, float]:
    """Caption -> when the fake received its first create (epoch seconds)."""
    first: dict[str, float] = {}
    for request in fake.requests("POST", "/v2/posts"):
        text = ((request.get("body") or {}).get("post") or {}).get("content", {}).get("text", "")
        if text.startswith(prefix):
            first.setdefault(text, request["received_at"])
    return first


def lateness_seconds(fake: FakeBlotato, prefix: str) -> np.ndarray:
    due = dict(ScheduledPost.objects.filter(caption__startswith=prefix).values_list("caption", "scheduled_time"))
    return np.array([arrived - due[text].timestamp() for text, arrived in arrivals(fake, prefix).items()])


def creates(fake: FakeBlotato, prefix: str) -> int:
    return sum(1 for text in arrivals(fake, prefix))


def duplicate_creates(fake: FakeBlotato) -> int:
    return sum(1 for n in Counter(s["text"] for s in fake.submissions()).values() if n > 1)


def users_with_own_keys(fake: FakeBlotato, count: int) -> list[SocialAccount]:
    """`count` users, each with a Blotato key of their own and one X account behind it."""
    users = User.objects.bulk_create(User(username=f"wide{n:05d}") for n in range(count))
    keys = [f"blt_wide_{n:05d}==" for n in range(count)]
    Profile.objects.bulk_create(Profile(user=user, blotato_api_key=key) for user, key in zip(users, keys, strict=True))
    accounts = []
    for n, (user, key) in enumerate(zip(users, keys, strict=True)):
        fake.add_key(key, [{"id": str(50000 + n), "platform": "twitter", "username": f"wide{n}"}])
        accounts.append(SocialAccount(owner=user, platform="twitter", blotato_account_id=str(50000 + n)))
    return SocialAccount.objects.bulk_create(accounts)


def drain(fake: FakeBlotato, processes: CeleryProcesses, prefix: str, count: int, timeout: float) -> float:
    """Wait until `count` creates arrived; the peak worker memory seen meanwhile (MB)."""
    peak = 0.0
    deadline = time.monotonic() + timeout
    while creates(fake, prefix) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{prefix}: only {creates(fake, prefix)} of {count} sent in {timeout:.0f} s")
        peak = max(peak, *(rss_mb(p.pid) for name, p in processes.processes.items() if name != "beat"))
        time.sleep(0.2)
    wait_until(
        lambda: not ScheduledPost.objects.filter(caption__startswith=prefix, status=Status.PUBLISHING).exists(),
        timeout=120,
        describe=lambda: "posts still publishing",
    )
    return peak


def database_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL backends serving this benchmark's database (the others' apart)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return sum(cpu_seconds(pid) for (pid,) in cursor.fetchall())


def workers_cpu_seconds(processes: CeleryProcesses) -> float:
    return sum(cpu_seconds(p.pid) for name, p in processes.processes.items() if name != "beat")


def describe(values: np.ndarray) -> str:
    return f"p50 {np.percentile(values, 50):.2f} s, p99 {np.percentile(values, 99):.2f} s, max {values.max():.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--latencies-ms", default="100,1000", help="fake Blotato latency per burst")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="threads", choices=["threads", "gevent", "prefork"])
    parser.add_argument("--concurrency", type=int, default=100, help="threads (greenlets) per worker")
    parser.add_argument("--pool-size", type=int, default=20, help="database connections per worker")
    parser.add_argument("--lone-runs", type=int, default=50)
    parser.add_argument("--wide-posts", type=int, default=10000)
    parser.add_argument("--wide-keys", type=int, default=1000)
    args = parser.parse_args()
    latencies = [float(ms) for ms in args.latencies_ms.split(",") if ms]

    shared_redis().flushdb()
    user = User.objects.create_user("bench")
    account = SocialAccount.objects.create(owner=user, platform="twitter", blotato_account_id="1001")
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = Results()
    peak_mb = 0.0

    with FakeBlotato() as fake:
        fake.add_sandbox_key(KEY)
        fake.set_knobs(rate_limits=None, latency_s=latencies[0] / 1000)
        wide_accounts = users_with_own_keys(fake, args.wide_keys) if args.wide_posts else []
        processes = CeleryProcesses(
            log_dir,
            fake.url,
            KEY,
            TESTING_FAULTS="0",
            DEBUG="0",  # as in production: no query log in the workers
            SECRET_KEY="bench-only-secret-key-" + "x" * 40,
            DATABASE_POOL_SIZE=str(args.pool_size),
            DISPATCH_INTERVAL_SECONDS="1",
            POLL_INTERVAL_SECONDS=os.environ.get("BENCH_POLL", "10"),
        )
        for n in range(args.workers):
            processes.start_worker(f"w{n}", args.concurrency, pool=args.pool, log_level="warning")
        processes.start_beat()
        connection.close()
        try:
            time.sleep(5)  # workers and beat up

            # 1. Lone posts, one after another, each due at a random instant a few seconds ahead.
            rng = random.Random(7)
            for run in range(args.lone_runs):
                due = timezone.now() + timedelta(seconds=3 + rng.random() * 2)
                make_due([account], 1, due, f"lone{run:03d}")
                wait_until(lambda r=run: creates(fake, f"lone{r:03d}") == 1, timeout=60, describe=lambda: "lone post")
            if args.lone_runs:
                lone = np.concatenate([lateness_seconds(fake, f"lone{r:03d}") for r in range(args.lone_runs)])
                results.append(f"lone post, {len(lone)} runs: lateness at Blotato {describe(lone)}")

            # 2. Bursts on one key, one per latency.
            for latency in latencies:
                fake.set_knobs(latency_s=latency / 1000)
                prefix = f"burst{latency:.0f}ms"
                cpu_before = workers_cpu_seconds(processes)
                fake_before, machine_before = cpu_seconds(os.getpid()), machine_busy_seconds()
                database_before = database_cpu_seconds()
                make_due([account], args.posts, timezone.now() + timedelta(seconds=3), prefix)
                peak_mb = max(peak_mb, drain(fake, processes, prefix, args.posts, timeout=600))
                cpu_ms = (workers_cpu_seconds(processes) - cpu_before) * 1000 / args.posts
                fake_ms = (cpu_seconds(os.getpid()) - fake_before) * 1000 / args.posts
                machine_ms = (machine_busy_seconds() - machine_before) * 1000 / args.posts
                database_ms = (database_cpu_seconds() - database_before) * 1000 / args.posts
                burst = lateness_seconds(fake, prefix)
                first_create, last_create = min(arrivals(fake, prefix).values()), max(arrivals(fake, prefix).values())
                checks = sum(  # during this burst's sends (an earlier burst's checks may still be running)
                    1
                    for request in fake.requests("GET")
                    if request["path"].startswith("/v2/posts/")
                    and first_create <= request["received_at"] <= last_create
                )
                results.append(
                    f"burst of {args.posts} at {latency:.0f} ms: lateness {describe(burst)}; "
                    f"{args.posts / burst.max():.0f} posts/s; CPU per post: workers {cpu_ms:.1f} ms, "
                    f"PostgreSQL {database_ms:.1f} ms, fake Blotato {fake_ms:.1f} ms, "
                    f"whole machine {machine_ms:.1f} ms; "
                    f"{checks} status checks while it was sent"
                )

            # 3. A wide burst: many users, each on their own key, due at the same second.
            if args.wide_posts:
                fake.set_knobs(latency_s=latencies[0] / 1000)
                make_due(wide_accounts, args.wide_posts, timezone.now() + timedelta(seconds=5), "wide")
                peak_mb = max(peak_mb, drain(fake, processes, "wide", args.wide_posts, timeout=1200))
                wide = lateness_seconds(fake, "wide")
                results.append(
                    f"wide burst of {args.wide_posts} over {args.wide_keys} keys at {latencies[0]:.0f} ms: "
                    f"all sent, last {wide.max():.1f} s after its time (p50 {np.percentile(wide, 50):.1f} s)"
                )
        finally:
            processes.stop_all()

    print(machine())
    print(
        f"setup: {args.workers} worker processes x {args.concurrency} {args.pool}, {args.pool_size} pooled "
        "database connections each, PostgreSQL + Redis, beat every 1 s"
    )
    print(f"duplicate creates on the fake: {duplicate_creates(fake)}")
    print(f"peak worker memory (per worker process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
