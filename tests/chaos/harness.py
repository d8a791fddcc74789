"""Tools for the chaos run: the fault mix, a private Redis to flush and restart, a timeline of
disruptions, the invariants every post must satisfy, and the summary table.

Nothing here asserts a duration: waits are liveness bounds, checks are counts and states.
"""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from celery import Celery
from django.db import connection

from publishing.models import SETTLED, AttemptState, PublishAttempt, ScheduledPost, Status
from tests.processes import CeleryProcesses

REDIS_SERVER = "/usr/bin/redis-server"

# What the fake Blotato answers instead of doing its job, drawn per request (issue 5).
_REFUSALS = [
    {"fault": "status", "status": 500, "share": 0.10},
    {"fault": "rate_limit", "retry_after": 2, "share": 0.05},  # a 429 asking for a delay
    {"fault": "timeout", "seconds": 5, "share": 0.02},  # past the workers' 3 s read timeout
]
FAULT_MIX = {
    # Creates whose answer is lost, or answered 500 after the post was made: with Blotato keeping
    # new posts out of its list for a few seconds (list_delay_s), these must be found, not resent.
    "POST /posts": [
        *_REFUSALS,
        {"fault": "accept_then_drop", "share": 0.01},
        {"fault": "accept_then_500", "share": 0.01},
    ],
    "GET /posts/{id}": _REFUSALS,  # polls
    # Reconciliation reads up to ten pages per look-up; a few of them fail.
    "GET /posts": [{"fault": "status", "status": 500, "share": 0.03}],
}

# The workers' database connections carry this name, so only theirs are dropped.
APPLICATION_NAME = "mediaposter-chaos"


# --- a Redis of our own -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server without persistence, so a restart comes back empty."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.workdir / f"redis-{self.port}.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=1)

    def flushall(self) -> None:
        self.client().flushall()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# --- disrupting the processes -------------------------------------------------------------------


@dataclass
class Disruptor:
    """Kills, pauses and drops things on a timeline, and notes what it did."""

    processes: CeleryProcesses
    redis: PrivateRedis
    workers: dict[str, dict]  # name -> start_worker arguments (its pool and settings)
    rng: random.Random = field(default_factory=lambda: random.Random(5))
    paused: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def note(self, what: str) -> None:
        self.log.append(f"{time.monotonic() - self.started:7.1f}s  {what}")

    def kill_a_worker(self) -> None:
        """SIGKILL a random running worker (the whole group: any HTTP call in flight dies) and
        start it again, as a supervisor would."""
        name = self.rng.choice([w for w in self.workers if w not in self.paused])
        self.processes.kill(name)
        self.processes.start_worker(name, **self.workers[name])
        self.note(f"SIGKILL {name}, restarted ({self.queued()} messages queued)")

    def queued(self) -> int | str:
        try:
            return self.redis.client().llen("celery")
        except redis.RedisError:
            return "?"

    def pause(self, name: str) -> None:
        self.processes.pause(name)
        self.paused.add(name)
        self.note(f"SIGSTOP {name}")

    def resume(self, name: str) -> None:
        self.processes.resume(name)
        self.paused.discard(name)
        self.note(f"SIGCONT {name}")

    def flush_redis(self) -> None:
        self.redis.flushall()
        self.note("Redis FLUSHALL")

    def kill_redis(self) -> None:
        self.redis.kill()
        self.note("Redis SIGKILL")

    def restart_redis(self) -> None:
        self.redis.start()
        self.note("Redis started again (empty)")

    def drop_database_connections(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                [APPLICATION_NAME],
            )
            dropped = cursor.fetchone()[0]
        self.note(f"pg_terminate_backend on {dropped} worker/beat connection(s)")

    def run(self, timeline: Iterable[tuple[float, Callable[[], None]]]) -> None:
        """Do each action at its second after `started`, in order."""
        for at, action in sorted(timeline, key=lambda step: step[0]):
            time.sleep(max(0.0, self.started + at - time.monotonic()))
            action()


def every(period: float, start: float, stop: float, action: Callable[[], None]) -> list[tuple[float, Callable]]:
    steps, at = [], start
    while at <= stop:
        steps.append((at, action))
        at += period
    return steps


def wait_for_logs(processes: CeleryProcesses, needle: str, count: int, *, timeout: float = 90) -> None:
    """Until `count` log files say `needle` (e.g. each worker's "ready."); a liveness bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = sum(1 for log in processes.logs if log.exists() and needle in log.read_text(errors="replace"))
        if seen >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"only some processes logged {needle!r} after {timeout:.0f} s:\n{processes.output()[-4000:]}")


def send_duplicate_hints(broker_url: str, post_ids: Iterable, copies: int) -> int:
    """The same publish message `copies` times per post, straight onto the workers' broker."""
    app = Celery("chaos-sender", broker=broker_url)
    sent = 0
    with app.connection_for_write() as conn:
        for _ in range(copies):
            for post_id in post_ids:
                app.send_task("publishing.publish_post", args=[str(post_id)], connection=conn)
                sent += 1
    return sent


def in_threads(count: int, work: Callable[[int], None]) -> list[threading.Thread]:
    """Start `count` threads running work(i); each closes its own database connection."""

    def run(index: int) -> None:
        try:
            work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"chaos-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


# --- what the fake Blotato saw, per post ----------------------------------------------------------


@dataclass
class Ledger:
    """The fake's view, keyed by caption (each post's caption is unique)."""

    creates: dict[str, list[dict]]  # POST /posts requests, oldest first
    submissions: Counter
    publications: Counter

    @classmethod
    def read(cls, fake) -> Ledger:
        creates: dict[str, list[dict]] = defaultdict(list)
        for request in fake.requests("POST", "/v2/posts"):
            body = request["body"] if isinstance(request["body"], dict) else {}
            text = body.get("post", {}).get("content", {}).get("text")
            creates[text].append(request)
        return cls(
            creates=creates,
            submissions=Counter(s["text"] for s in fake.submissions()),
            publications=Counter(p["text"] for p in fake.publications()),
        )


def is_client_error(status: int | None) -> bool:
    return status is not None and 400 <= status < 500 and status != 429


def is_unknown_outcome(status: int | None) -> bool:
    """No answer, or a 5xx: Blotato may have created the post, so it must never be sent again."""
    return status is None or status >= 500


# --- invariants and the table --------------------------------------------------------------------


@dataclass
class Expect:
    """What a scenario knows about particular posts beyond the common invariants."""

    rejected: set = field(default_factory=set)  # captions Blotato refuses with a 422
    cancelled_at: dict = field(default_factory=dict)  # post id -> when our cancel was answered 200
    moved_away: dict = field(default_factory=dict)  # post id -> when our move past the run was answered


@dataclass
class Row:
    scenario: str
    posts: int
    published: int
    failed: int
    needs_review: int
    cancelled: int
    other: int
    duplicates: int
    stuck: int
    creates: int


ROWS: list[Row] = []  # every scenario's row this session, for the terminal summary
COLUMNS = ("scenario", "posts", "published", "failed", "needs_review", "cancelled", "other", "duplicates", "stuck")


def check(scenario: str, posts: list[ScheduledPost], ledger: Ledger, expect: Expect) -> tuple[Row, list[str]]:
    """The issue's invariants for every post; the table row and every broken promise."""
    problems: list[str] = []
    states = Counter()
    duplicates = stuck = 0
    for post in posts:
        states[post.status] += 1
        creates = ledger.creates.get(post.caption, [])
        published = ledger.publications[post.caption]
        where = f"{post.caption[:24]!r} ({post.status})"
        if ledger.submissions[post.caption] > 1:
            duplicates += 1
            problems.append(f"{where}: {ledger.submissions[post.caption]} submissions on Blotato")
        if post.pk in expect.moved_away:
            # Earlier tries (a 429, a 500) may have gone out before the move; none may after it.
            late = [r for r in creates if r["at"] >= expect.moved_away[post.pk]]
            if post.status != Status.SCHEDULED or late or ledger.submissions[post.caption]:
                problems.append(f"{where}: moved past the run, yet {len(late)} create(s) after the move")
            continue
        if post.status not in SETTLED:
            stuck += 1
            problems.append(f"{where}: not settled (attempts {post.attempts}, {post.last_error[:80]!r})")
        if post.status == Status.PUBLISHED and published != 1:
            problems.append(f"{where}: {published} publications on Blotato")
        if post.status in (Status.FAILED, Status.NEEDS_REVIEW, Status.CANCELLED, Status.MISSED) and published:
            problems.append(f"{where}: yet Blotato publishes it")
        four_xx = [n for n, request in enumerate(creates) if is_client_error(request["status"])]
        if four_xx and four_xx[0] != len(creates) - 1:
            problems.append(f"{where}: sent again after a {creates[four_xx[0]]['status']}")
        unknown = [n for n, request in enumerate(creates) if is_unknown_outcome(request["status"])]
        if unknown and unknown[0] != len(creates) - 1:
            problems.append(f"{where}: sent again after an unknown outcome ({creates[unknown[0]]['status']})")
        refused = [creates[n]["status"] for n in four_xx]
        if post.caption in expect.rejected:
            # Refused with its one 422, unless we never learned of it: an earlier answer left the
            # outcome unknown, or the worker died with the send in flight (before Blotato saw it,
            # or before its 422 came back). Then it was never sent again (checked above) and waits
            # for its owner. A 422 we did record must end the post as failed.
            refusal_seen = PublishAttempt.objects.filter(post=post, state=AttemptState.REJECTED).exists()
            unconfirmed = post.status == Status.NEEDS_REVIEW and not refusal_seen
            if not unconfirmed and (post.status != Status.FAILED or refused != [422]):
                problems.append(f"{where}: a 422 caption, answers {[r['status'] for r in creates]}")
        if post.pk in expect.cancelled_at:
            late = [r for r in creates if r["at"] >= expect.cancelled_at[post.pk]]
            if post.status != Status.CANCELLED or late or ledger.submissions[post.caption]:
                problems.append(f"{where}: cancelled, yet {len(late)} create(s) after the cancel")
    row = Row(
        scenario=scenario,
        posts=len(posts),
        published=states[Status.PUBLISHED],
        failed=states[Status.FAILED],
        needs_review=states[Status.NEEDS_REVIEW],
        cancelled=states[Status.CANCELLED],
        other=len(posts)
        - sum(states[s] for s in (Status.PUBLISHED, Status.FAILED, Status.NEEDS_REVIEW, Status.CANCELLED)),
        duplicates=duplicates,
        stuck=stuck,
        creates=sum(len(ledger.creates.get(p.caption, [])) for p in posts),
    )
    return row, problems


def secrets_in_records(key: str) -> int:
    """Rows whose stored error text quotes the API key (there must be none)."""
    return (
        ScheduledPost.objects.filter(last_error__contains=key).count()
        + PublishAttempt.objects.filter(error__contains=key).count()
    )


def unsettled(prefix: str, not_due: set) -> int:
    return (
        ScheduledPost.objects.filter(caption__startswith=prefix)
        .exclude(status__in=SETTLED)
        .exclude(pk__in=not_due)
        .count()
    )


def states_of(prefix: str) -> dict[str, int]:
    return dict(Counter(ScheduledPost.objects.filter(caption__startswith=prefix).values_list("status", flat=True)))


def table(rows: list[Row]) -> str:
    cells = [COLUMNS + ("create requests",)] + [
        tuple(str(getattr(row, name)) for name in COLUMNS) + (str(row.creates),) for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
    lines = [
        " | ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in cells
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def write_report(directory: Path, rows: list[Row], disruptions: list[str]) -> Path:
    path = directory / "chaos-summary.txt"
    path.write_text(table(rows) + "\n\nDisruptions:\n" + "\n".join(disruptions) + "\n")
    return path
