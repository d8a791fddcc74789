"""Optimal-times API latency with 5,000 rows of history, through Django on real PostgreSQL.

    python bench/optimal_times_api.py [--rows 5000] [--runs 50] [--database NAME] [--redis URL]

Measures the whole request in process (Django test client: URL routing, token check, the
history query, the engine, JSON), not the network. Also this process's CPU time a request: on a
machine shared with other jobs, wall times mostly measure the wait for a core.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta

from django_setup import start_django, time_requests
from process_stats import machine

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=5000)
parser.add_argument("--runs", type=int, default=50)
parser.add_argument("--database", default="mediaposter_bench_api", help="recreated: never a database you keep")
parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
args = parser.parse_args()
start_django(args.database, REDIS_URL=args.redis)

import numpy as np  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.models import PostMetric  # noqa: E402
from publishing.models import ApiToken  # noqa: E402


def main() -> None:
    user = User.objects.create_user("bench")
    user.profile.timezone = "Europe/Paris"
    user.profile.save()
    rng = np.random.default_rng(7)
    now = timezone.now()
    PostMetric.objects.bulk_create(
        PostMetric(
            owner=user,
            platform="instagram",
            posted_at=now - timedelta(minutes=int(m)),
            views=int(v),
            likes=int(v // 10),
            comments=int(v // 100),
            shares=0,
            saves=0,
            post_url=f"https://i.example/{n}",
        )
        for n, (m, v) in enumerate(
            zip(rng.integers(0, 89 * 24 * 60, args.rows), rng.lognormal(6, 1, args.rows), strict=True)
        )
    )
    _, token = ApiToken.issue(user)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    import mediaposter.wsgi  # noqa: F401  loaded as gunicorn loads it: then the startup objects are frozen (gc)

    started_cpu = time.process_time()
    times = np.array(time_requests(lambda: client.get("/api/optimal-posting-times/platform/instagram"), args.runs))
    get_cpu = (time.process_time() - started_cpu) / (args.runs + 1)
    started_cpu = time.process_time()
    recommend = np.array(
        time_requests(
            lambda: client.post(
                "/api/optimal-posting-times/recommend",
                content_type="application/json",
                data=json.dumps({"platform": "instagram", "preferred_date": tomorrow}),
            ),
            args.runs,
        )
    )
    post_cpu = (time.process_time() - started_cpu) / (args.runs + 1)
    print(machine())
    print(f"{args.rows} rows of history, {args.runs} requests each")
    for name, samples, cpu in (("GET platform/instagram", times, get_cpu), ("POST recommend", recommend, post_cpu)):
        print(
            f"{name}: p50 {np.percentile(samples, 50):.1f} ms, p99 {np.percentile(samples, 99):.1f} ms, "
            f"this process's CPU {1000 * cpu:.1f} ms a request (the database's work not included)"
        )


if __name__ == "__main__":
    main()
