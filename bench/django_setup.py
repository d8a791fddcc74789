"""Benchmarks run Django against a database of their own, recreated each run, on real PostgreSQL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def start_django(database: str, **environment: str) -> None:
    """Drop and create `database`, point Django at it, set up Django and migrate."""
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mediaposter.settings"
    os.environ.update(environment)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def time_requests(call, runs: int) -> list[float]:
    """Milliseconds of `runs` calls of `call()` (a Django test client request), after one warm-up."""
    import time

    call()  # warm caches and connections once
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
    return samples
