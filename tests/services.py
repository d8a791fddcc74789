"""Find the PostgreSQL and Redis the tests use, starting them when they are down; print exports.

Used by tests/run.sh as `eval "$(python tests/services.py)"`. DATABASE_URL / REDIS_URL win when
set. Otherwise the default local ports are tried, and if nothing answers the machine's own start
commands are run. Under CI=true a missing service is a loud failure, never a silent fallback.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mediaposter"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: the tests flush it

START_COMMANDS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start",
    "Redis": (
        "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no "
        "--dir /tmp --logfile /tmp/mediaposter-test-redis.log"
    ),
}


def answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port), timeout=2):
            return True
    except OSError:
        return False


def ensure(name: str, url: str, port: int) -> bool:
    if answers(url):
        return True
    print(f"# {name} does not answer at {url}; starting it", file=sys.stderr)
    subprocess.run(START_COMMANDS[name], shell=True, stdout=sys.stderr, stderr=sys.stderr, check=False)
    for _ in range(30):
        if answers(url):
            return True
        time.sleep(0.5)
    return False


def main() -> int:
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    missing = [
        name
        for name, url, port in (("PostgreSQL", database_url, 5432), ("Redis", redis_url, 6379))
        if not ensure(name, url, port)
    ]
    if missing:
        print(
            f"ERROR: {' and '.join(missing)} unavailable (DATABASE_URL={database_url}, "
            f"REDIS_URL={redis_url}). The suite needs real services.",
            file=sys.stderr,
        )
        if in_ci:
            return 1
        print("ERROR: outside CI you may point DATABASE_URL/REDIS_URL at running services.", file=sys.stderr)
        return 1
    print(f"export DATABASE_URL={shlex.quote(database_url)}")
    print(f"export REDIS_URL={shlex.quote(redis_url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
