"""Sustained dispatch: many posts over many minutes across many Blotato keys, rate limits enforced.

    python bench/sustained_dispatch.py [--posts 10000] [--minutes 10] [--keys 50] [--latency-ms 200]
                                       [--workers 2] [--concurrency 8]

Real PostgreSQL (database `mp_sustained`, recreated), real Redis, real Celery worker and beat
processes with production settings (leases, polls, retries at their defaults; beat every 1 s),
and the fake Blotato in this process with `--latency-ms` on every call and all of Blotato's
per-key limits enforced (30 creates, 60 status checks, 60 list reads a minute; fixed windows per
Blotato user, one per key). Our token buckets run at their defaults: 25 creates a minute plus a
burst of 5 per key (never more than 30 in one fixed window), 50 checks a minute plus 10.
`--keys` users each have their own key
and one X account; the posts get random times spread uniformly over `--minutes`, starting
`--lead` seconds after the workers are up.

Lateness is the moment the create request that Blotato accepted was sent
(PublishAttempt.sent_at) minus the post's scheduled time. Duplicates come from the fake's
publications (what would reach the public), 429s from the fake's request log.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from process_stats import cpu_seconds, machine, machine_busy_seconds, percentile, rss_mb

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "mp_sustained"
PRODUCTION_DEFAULTS = {  # undo tests/processes.py FAST_SETTINGS: the worker runs as it would in production
    "PUBLISH_LEASE_SECONDS": "90",
    "VERIFY_WINDOW_TEXT_SECONDS": "600",
    "VERIFY_INTERVAL_SECONDS": "20",
    "POLL_INTERVAL_SECONDS": "10",
    "DISPATCH_INTERVAL_SECONDS": "1",
    "RECONCILE_INTERVAL_SECONDS": "5",
    "RETRY_BASE_SECONDS": "30",
    "RETRY_CAP_SECONDS": "900",
    "REHINT_AFTER_SECONDS": "60",
    "BLOTATO_READ_TIMEOUT": "30",
    "BLOTATO_POSTS_PER_MINUTE": "25",
    "BLOTATO_POSTS_BURST": "5",
    "BLOTATO_CHECKS_PER_MINUTE": "50",
    "BLOTATO_CHECKS_BURST": "10",
    "TESTING_FAULTS": "0",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
}


def route_of(request: dict) -> str:
    """`POST /v2/posts`, `GET /v2/posts/{id}`: a logged request's route, ids left out."""
    parts = request["path"].rstrip("/").split("/")
    if len(parts) > 3:
        parts[3] = "{id}"
    return f"{request['method']} {'/'.join(parts)}"


def busiest_minute(times: list[float]) -> int:
    """The most events in any 60 s span (sliding), from sorted epoch seconds."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--keys", type=int, default=50, help="users, each with their own Blotato key")
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker")
    parser.add_argument("--lead", type=float, default=20, help="seconds from start-up to the first post")
    parser.add_argument("--settle", type=float, default=600, help="longest wait for the last posts, seconds")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from django_setup import start_django

    start_django(
        DATABASE,
        REDIS_URL=os.environ.get("SUSTAINED_REDIS_URL", "redis://127.0.0.1:6379/12"),
        **PRODUCTION_DEFAULTS,
    )
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from publishing.fake_blotato import FakeBlotato
    from publishing.models import AttemptState, Profile, PublishAttempt, ScheduledPost, SocialAccount, Status
    from publishing.redis_connection import shared_redis
    from tests.processes import CeleryProcesses

    assert settings.BLOTATO_POSTS_PER_MINUTE + settings.BLOTATO_POSTS_BURST <= 30, "bucket over Blotato's window"
    shared_redis().flushdb()
    rng = random.Random(args.seed)
    keys = [f"blt_sustained_{n:02d}_{rng.getrandbits(64):016x}==" for n in range(args.keys)]
    accounts = []
    for n, key in enumerate(keys):
        user = User.objects.create_user(f"sustained{n:02d}")
        Profile.objects.update_or_create(user=user, defaults={"blotato_api_key": key})
        accounts.append(
            SocialAccount.objects.create(
                owner=user, platform="twitter", blotato_account_id=str(50_000 + n), username=f"sustained{n:02d}"
            )
        )
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)

    with FakeBlotato() as fake:
        for n, key in enumerate(keys):
            fake.add_key(key, [{"id": str(50_000 + n), "platform": "twitter", "username": f"sustained{n:02d}"}])
        fake.set_knobs(latency_s=args.latency_ms / 1000)  # every Blotato limit enforced (the defaults)
        processes = CeleryProcesses(log_dir, fake.url, "", **PRODUCTION_DEFAULTS)
        for n in range(args.workers):
            processes.start_worker(f"sustained-w{n}", args.concurrency, pool="threads", log_level="warning")
        processes.start_beat("sustained-beat")
        time.sleep(5)  # workers and beat up

        first = timezone.now() + timedelta(seconds=args.lead)
        span = args.minutes * 60
        ScheduledPost.objects.bulk_create(
            (
                ScheduledPost(
                    owner=account.owner,
                    platform="twitter",
                    account=account,
                    caption=f"sustained {n:05d}: new episode out now",
                    scheduled_time=first + timedelta(seconds=rng.uniform(0, span)),
                )
                for n in range(args.posts)
                for account in [accounts[n % args.keys]]
            ),
            batch_size=1000,
        )
        connection.close()
        print(f"{args.posts} posts due from {first:%H:%M:%S} over {args.minutes:g} min", file=sys.stderr)

        in_flight = [Status.SCHEDULED, Status.PUBLISHING, Status.SUBMITTED, Status.VERIFYING]
        peak_mb: dict[str, float] = defaultdict(float)
        cpu_before = {name: cpu_seconds(p.pid) for name, p in processes.processes.items()}
        busy_before, loads = machine_busy_seconds(), []
        deadline = time.time() + args.lead + span + args.settle
        try:
            while time.time() < deadline:
                for name, process in processes.processes.items():
                    peak_mb[name] = max(peak_mb[name], rss_mb(process.pid))
                loads.append(os.getloadavg()[0])
                left = ScheduledPost.objects.filter(status__in=in_flight).count()
                connection.close()
                if left == 0:
                    break
                time.sleep(1)
            elapsed = time.time() - (first.timestamp() - args.lead)
            cpu = {name: cpu_seconds(p.pid) - cpu_before[name] for name, p in processes.processes.items()}
            final_mb = {name: rss_mb(p.pid) for name, p in processes.processes.items()}
            machine_cores = (machine_busy_seconds() - busy_before) / elapsed
        finally:
            processes.stop_all()

        statuses = Counter(ScheduledPost.objects.values_list("status", flat=True))
        attempts = Counter(PublishAttempt.objects.values_list("state", flat=True))
        accepted = list(
            PublishAttempt.objects.filter(state=AttemptState.ACCEPTED).values_list("sent_at", "post__scheduled_time")
        )
        accepted_per_post = Counter(
            PublishAttempt.objects.filter(state=AttemptState.ACCEPTED)
            .values("post")
            .annotate(n=Count("pk"))
            .values_list("n", flat=True)
        )
        publications = fake.publications()
        requests = fake.requests()

    lateness = [(sent - due).total_seconds() for sent, due in accepted]
    texts = Counter(p["text"] for p in publications)
    duplicates = sum(n - 1 for n in texts.values() if n > 1)
    refused = Counter(route_of(r) for r in requests if r["status"] == 429)
    creates = [r for r in requests if r["method"] == "POST" and r["path"].rstrip("/").endswith("/posts")]
    per_key_times: dict[str, list[float]] = defaultdict(list)
    for p in publications:
        per_key_times[p["account_id"]].append(datetime.fromisoformat(p["created_at"]).timestamp())
    busiest = max((busiest_minute(sorted(t)) for t in per_key_times.values()), default=0)

    print(machine())
    print(
        f"setup: {args.posts} posts at random times over {args.minutes:g} min across {args.keys} keys; fake latency"
        f" {args.latency_ms:.0f} ms, fake limit 30 creates/min per key, token buckets"
        f" {settings.BLOTATO_POSTS_PER_MINUTE}/min + {settings.BLOTATO_POSTS_BURST} creates,"
        f" {settings.BLOTATO_CHECKS_PER_MINUTE}/min + {settings.BLOTATO_CHECKS_BURST} checks;"
        f" {args.workers} worker processes x {args.concurrency} threads,"
        " beat every 1 s"
    )
    print("\n| measurement | result |")
    print("|---|---|")
    rows = [
        ("posts scheduled", f"{args.posts}"),
        ("published (status in our database)", f"{statuses.get(Status.PUBLISHED, 0)}"),
        ("other final statuses", ", ".join(f"{s} {n}" for s, n in statuses.items() if s != Status.PUBLISHED) or "none"),
        ("publications on the fake (distinct posts)", f"{len(publications)} ({len(texts)})"),
        ("duplicates on the fake", f"{duplicates}"),
        ("posts with more than one accepted create", f"{sum(n for k, n in accepted_per_post.items() if k > 1)}"),
        ("create requests received by the fake", f"{len(creates)}"),
        ("429 responses from the fake", ", ".join(f"{k} {n}" for k, n in refused.items()) or "0"),
        ("attempt rows by state", ", ".join(f"{s} {n}" for s, n in sorted(attempts.items()))),
        ("lateness p50 / p99 / max", " / ".join(f"{percentile(lateness, q):.2f} s" for q in (0.5, 0.99, 1.0))),
        ("busiest 60 s for one key on the fake (creates)", f"{busiest}"),
        ("wall time, first post due to last settled", f"{elapsed - args.lead:.0f} s"),
    ]
    for name in sorted(peak_mb):
        rows.append((f"RSS of {name} (with pool) peak / at end", f"{peak_mb[name]:.0f} MB / {final_mb[name]:.0f} MB"))
        rows.append((f"CPU of {name} over the run", f"{cpu[name]:.0f} s ({cpu[name] / elapsed:.2f} cores)"))
    rows.append(
        (
            "whole machine during the run (every process, ours and others')",
            f"{machine_cores:.2f} of {os.cpu_count()} cores busy; load average mean {sum(loads) / len(loads):.1f},"
            f" max {max(loads):.1f}",
        )
    )
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
