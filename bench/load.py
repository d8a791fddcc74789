"""Load benchmark: the JSON calendar and schedule endpoints under gunicorn, many clients at once.

    python bench/load.py [--clients 50] [--duration 60] [--posts 300] [--workers 2] [--threads 2]
                         [--write-share 0.2] [--runs calendar,mixed] [--profile]

Real PostgreSQL (database `mp_load`, recreated), gunicorn serving mediaposter.wsgi with DEBUG=0
on a free loopback port, one user with one API token and `--posts` posts in this month. The
clients are asyncio coroutines, each with one keep-alive connection, sending its next request as
soon as the last one answered (closed loop), spread over `--procs` processes. Every run warms up
for `--warmup` seconds first; only requests started and finished inside the timed window count.

Runs: `calendar` is GET /api/publishing/calendar for this month only; `mixed` makes
`--write-share` of the requests POST /api/publishing/schedule (two posts each, next month, so
the calendar being read keeps its size). CPU seconds per process group come from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from process_stats import children, cpu_seconds, machine, machine_busy_seconds, percentile

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DATABASE = "mp_load"
ZONE = "America/New_York"
PLATFORMS = ["instagram", "tiktok", "youtube", "twitter", "linkedin"]
SECRET_KEY = "load-benchmark-secret-key-not-for-production"


# --- The load generator (runs in child processes; no Django here) -----------------------------


@dataclass(frozen=True)
class Plan:
    port: int
    token: str
    calendar_path: str
    clip_id: str
    next_month: str  # YYYY-MM: where the mixed run's new posts go
    write_share: float
    start_at: float  # time.time() when every process starts sending
    warmup: float
    duration: float
    timeout: float


def calendar_request(plan: Plan) -> bytes:
    return (
        f"GET {plan.calendar_path} HTTP/1.1\r\nHost: {HOST}:{plan.port}\r\n"
        f"Authorization: Bearer {plan.token}\r\nAccept: application/json\r\n\r\n"
    ).encode()


def schedule_request(plan: Plan, rng: random.Random) -> bytes:
    minute = rng.choice(["00", "15", "30", "45"])
    body = json.dumps(
        {
            "clip_id": plan.clip_id,
            "platforms": ["instagram", "tiktok"],
            "scheduled_time": f"{plan.next_month}-{rng.randint(1, 28):02d}T{rng.randint(8, 21):02d}:{minute}:00",
            "caption": f"Load test clip {rng.randint(0, 10**9)} #behindthescenes #newmusic",
        }
    ).encode()
    head = (
        f"POST /api/publishing/schedule HTTP/1.1\r\nHost: {HOST}:{plan.port}\r\n"
        f"Authorization: Bearer {plan.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    return head + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status and whether the server keeps the connection; the body is read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() != "close"


async def one_client(plan: Plan, seed: int, samples: list, problems: list) -> None:
    rng = random.Random(seed)
    get = calendar_request(plan)
    end = plan.start_at + plan.warmup + plan.duration
    reader = writer = None
    await asyncio.sleep(rng.uniform(0, 1))  # clients arrive over a second, not in one instant
    while time.time() < end:
        write = rng.random() < plan.write_share
        request = schedule_request(plan, rng) if write else get
        started_wall, started = time.time(), time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, plan.port)
            writer.write(request)
            status, keep = await asyncio.wait_for(read_response(reader), plan.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            problems.append((started_wall, type(error).__name__))
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
            continue
        samples.append((started_wall, time.time(), (time.perf_counter() - started) * 1000, write, status))
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def generate_load(plan: Plan, clients: int, first_seed: int) -> tuple[list, list, float]:
    """Run `clients` connections in this process; samples, problems and this process's CPU seconds."""
    samples: list = []
    problems: list = []

    async def everyone() -> None:
        await asyncio.sleep(max(0.0, plan.start_at - time.time()))
        await asyncio.gather(*(one_client(plan, first_seed + n, samples, problems) for n in range(clients)))

    asyncio.run(everyone())
    usage = os.times()
    return samples, problems, usage.user + usage.system


# --- Measuring --------------------------------------------------------------------------------


def database_backends() -> list[int]:
    """PostgreSQL backends serving this benchmark's database."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f" {DATABASE} ".encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def connections_per_worker(workers: list[int]) -> list[int]:
    """Open sockets per gunicorn worker: keep-alive connections stay with the worker that accepted them."""
    counts = []
    for pid in workers:
        try:
            counts.append(sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if "socket" in os.readlink(fd)))
        except OSError:
            counts.append(-1)
    return counts


@dataclass
class Result:
    run: str
    kind: str
    requests: int
    rps: float
    p50: float
    p99: float
    max: float
    errors: int


def summarise(run: str, samples: list, problems: list, window: tuple[float, float]) -> list[Result]:
    start, end = window
    inside = [s for s in samples if s[0] >= start and s[1] <= end]
    failed_transport = sum(1 for when, _ in problems if start <= when <= end)
    results = []
    for kind, is_write in (("GET calendar", False), ("POST schedule", True)):
        mine = [s for s in inside if s[3] == is_write]
        if not mine:
            continue
        wanted = 201 if is_write else 200
        latencies = [s[2] for s in mine]
        errors = sum(1 for s in mine if s[4] != wanted)
        results.append(
            Result(
                run,
                kind,
                len(mine),
                len(mine) / (end - start),
                percentile(latencies, 0.50),
                percentile(latencies, 0.99),
                max(latencies),
                errors + (failed_transport if not is_write else 0),
            )
        )
    return results


# --- Setting up and serving -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def seed_data(posts: int):
    """One user in New York with five accounts, a clip and `posts` posts spread over this month."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import User

    from publishing.models import ApiToken, Clip, Profile, ScheduledPost, SocialAccount, Status

    user = User.objects.create_user("load", password="load-bench-password")
    Profile.objects.update_or_create(user=user, defaults={"timezone": ZONE})
    accounts = [
        SocialAccount.objects.create(
            owner=user,
            platform=p,
            blotato_account_id=str(1001 + n),
            name=f"Load {p}",
            username=f"load_{p}",
            page_id="2002" if p == "linkedin" else "",
        )
        for n, p in enumerate(PLATFORMS)
    ]
    clip = Clip.objects.create(
        owner=user, title="Studio session", media_url="https://cdn.example.com/clip.mp4", duration_s=42.0
    )
    zone = ZoneInfo(ZONE)
    today = datetime.now(zone).date()
    first = today.replace(day=1)
    days = ((first + timedelta(days=32)).replace(day=1) - first).days
    rng = random.Random(20261125)
    statuses = [Status.PUBLISHED] * 6 + [Status.SCHEDULED] * 10 + [Status.FAILED, Status.CANCELLED, Status.MISSED]
    ScheduledPost.objects.bulk_create(
        ScheduledPost(
            owner=user,
            clip=clip if account.platform != "twitter" else None,
            platform=account.platform,
            account=account,
            caption=f"Post {n}: new track out now, link in bio #music #{account.platform} "
            + "la " * rng.randint(0, 40),
            scheduled_time=datetime.combine(
                first + timedelta(days=rng.randrange(days)), datetime.min.time(), zone
            ).replace(hour=rng.randint(7, 22), minute=rng.choice([0, 15, 30, 45])),
            status=rng.choice(statuses),
            attempts=1,
            platform_url="https://www.instagram.com/reel/abc123/" if n % 3 == 0 else "",
        )
        for n in range(posts)
        for account in [accounts[n % len(accounts)]]
    )
    _, token = ApiToken.issue(user, "load benchmark")
    return user, clip, token, first, days


def start_gunicorn(port: int, workers: int, threads: int, connections: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",  # plain HTTP on loopback: without it every request is a 301 to https
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "CONN_MAX_AGE": "60",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mediaposter.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "75",
        "--worker-connections",
        str(connections),
        "--worker-tmp-dir",
        "/dev/shm",
    ]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            if len(children(server.pid)) == workers:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within 30 s")


def run_load(name: str, plan: Plan, clients: int, procs: int, server: subprocess.Popen) -> tuple[list[Result], dict]:
    context = multiprocessing.get_context("spawn")
    shares = [clients // procs + (1 if n < clients % procs else 0) for n in range(procs)]
    seeds = [sum(shares[:n]) for n in range(procs)]
    window = (plan.start_at + plan.warmup, plan.start_at + plan.warmup + plan.duration)
    with context.Pool(procs) as pool:
        pending = pool.starmap_async(
            generate_load, [(plan, share, seed) for share, seed in zip(shares, seeds, strict=True)]
        )
        time.sleep(max(0.0, window[0] - time.time()))
        servers = [server.pid, *children(server.pid)]
        # Backends come and go (CONN_MAX_AGE), so they are sampled through the window.
        first_seen = {pid: cpu_seconds(pid) for pid in database_backends()}
        latest = dict(first_seen)
        before = (sum(cpu_seconds(p) for p in servers), machine_busy_seconds())
        spread = connections_per_worker(servers[1:])
        while time.time() < window[1]:
            time.sleep(min(0.5, max(0.0, window[1] - time.time())))
            for pid in database_backends():
                first_seen.setdefault(pid, 0.0)
                latest[pid] = max(latest.get(pid, 0.0), cpu_seconds(pid))
        after = (sum(cpu_seconds(p) for p in servers), machine_busy_seconds())
        postgres = sum(latest[pid] - first_seen[pid] for pid in latest)
        outcome = pending.get()
    samples = [s for part in outcome for s in part[0]]
    problems = [p for part in outcome for p in part[1]]
    span = plan.duration
    cpu = {
        "gunicorn": (after[0] - before[0]) / span,
        "postgres": postgres / span,
        # Whole-process CPU of the load generator includes its warm-up; scale to the window.
        "load generator": sum(part[2] for part in outcome) / (plan.warmup + plan.duration),
        "machine": (after[1] - before[1]) / span,
        "connections per worker": spread,
        "transport problems": dict(Counter(kind for when, kind in problems if window[0] <= when <= window[1])),
    }
    return summarise(name, samples, problems, window), cpu


# --- Profiling one request in process ---------------------------------------------------------


def profile_calendar(path: str, token: str, runs: int = 300) -> None:
    """Where a calendar read spends its time, in process: queries, then the top functions."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    print(f"\nprofile: one calendar read = {len(queries)} queries, {len(response.content) / 1024:.0f} KiB of JSON")
    for query in queries.captured_queries:
        print(f"  {query['time']} s  {query['sql'][:150]}")
    started = time.perf_counter()
    for _ in range(runs):
        client.get(path)
    print(f"in process (test client, no gunicorn): {(time.perf_counter() - started) / runs * 1000:.2f} ms a request")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="timed seconds per run")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--posts", type=int, default=300, help="posts in this month")
    # One process a core, two threads each (one's database wait is the other's CPU), rather than
    # gunicorn's usual 2 x cores + 1: once a cached read cost ~2 ms, more processes and threads on
    # two cores mostly added switching (docs/reliability.md, section 3, has the comparison).
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=0,
        help="connections one gunicorn worker holds (default: clients / workers + 2, so no worker hoards them)",
    )
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--write-share", type=float, default=0.2, help="share of schedule POSTs in the mixed run")
    parser.add_argument("--runs", default="calendar,mixed")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a client gives up")
    parser.add_argument("--profile", action="store_true", help="also profile a calendar read in process")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from django_setup import start_django

    start_django(
        DATABASE,
        REDIS_URL=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/12"),
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=f"{HOST},testserver",
    )
    from django.db import connection

    _, clip, token, first, days = seed_data(args.posts)
    last = first + timedelta(days=days - 1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    calendar_path = f"/api/publishing/calendar?start_date={first.isoformat()}&end_date={last.isoformat()}"
    connection.close()

    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    connections = args.worker_connections or -(-args.clients // args.workers) + 2
    server = start_gunicorn(port, args.workers, args.threads, connections, log_dir / "load-gunicorn.log")
    results: list[Result] = []
    cpus: dict[str, dict] = {}
    try:
        for run in args.runs.split(","):
            plan = Plan(
                port=port,
                token=token,
                calendar_path=calendar_path,
                clip_id=str(clip.pk),
                next_month=next_month.strftime("%Y-%m"),
                write_share=args.write_share if run == "mixed" else 0.0,
                start_at=time.time() + 2,
                warmup=args.warmup,
                duration=args.duration,
                timeout=args.timeout,
            )
            found, cpus[run] = run_load(run, plan, args.clients, args.procs, server)
            results += found
            print(f"{run}: done", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(machine())
    print(
        f"setup: gunicorn gthread {args.workers} workers x {args.threads} threads, worker-connections"
        f" {connections}, DEBUG=0, PostgreSQL;"
        f" {args.clients} keep-alive clients in {args.procs} processes; {args.duration:.0f} s timed after"
        f" {args.warmup:.0f} s warm-up; {args.posts} posts in the month read ({date.today():%Y-%m})"
    )
    print("\n| run | request | requests | req/s | p50 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.run} | {r.kind} | {r.requests} | {r.rps:.0f} | {r.p50:.1f} | {r.p99:.1f} | {r.max:.1f}"
            f" | {r.errors} |"
        )
    print("\nCPU cores busy during the timed window (of", os.cpu_count(), "):")
    print("| run | gunicorn | postgres | load generator | everything else | whole machine |")
    print("|---|---|---|---|---|---|")
    for run, cpu in cpus.items():
        print(
            f"| {run} | {cpu['gunicorn']:.2f} | {cpu['postgres']:.2f} | {cpu['load generator']:.2f}"
            f" | {cpu['machine'] - cpu['gunicorn'] - cpu['postgres'] - cpu['load generator']:.2f}"
            f" | {cpu['machine']:.2f} |"
        )
    for run, cpu in cpus.items():
        print(
            f"{run}: sockets per gunicorn worker (client connections + listener + database) "
            f"{cpu['connections per worker']}; transport problems {cpu['transport problems'] or 'none'}"
        )
    for run, cpu in cpus.items():
        total = sum(r.requests for r in results if r.run == run) / args.duration
        if total:
            print(f"{run}: gunicorn CPU {cpu['gunicorn'] / total * 1000:.2f} ms per request")
    if args.profile:
        profile_calendar(calendar_path, token)


if __name__ == "__main__":
    main()
