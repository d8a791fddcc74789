"""Real Celery worker and beat processes for tests, on the test database and the fake Blotato.

Settings are short (leases of seconds, sub-second sweeps) so crash recovery happens within a
test; waits are liveness bounds that fail the test with the posts' states, never timing checks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

FAST_SETTINGS = {
    "PUBLISH_LEASE_SECONDS": "4",
    # Unknown outcomes are looked for on Blotato for 2 s whatever the media, then need review.
    "VERIFY_WINDOW_TEXT_SECONDS": "2",
    "VERIFY_WINDOW_IMAGE_SECONDS": "2",
    "VERIFY_WINDOW_VIDEO_SECONDS": "2",
    "VERIFY_INTERVAL_SECONDS": "0.5",
    "VERIFY_INTERVAL_MAX_SECONDS": "1",
    "POLL_INTERVAL_SECONDS": "0.5",
    "DISPATCH_INTERVAL_SECONDS": "1",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "RETRY_BASE_SECONDS": "0.5",
    "RETRY_CAP_SECONDS": "2",
    "REHINT_AFTER_SECONDS": "5",
    "BLOTATO_READ_TIMEOUT": "3",
    # Buckets off: these runs push hundreds of posts through one key in seconds (the buckets
    # have their own tests in test_dispatch.py, and bench/sustained_dispatch.py runs them).
    "BLOTATO_POSTS_PER_MINUTE": "0",
    "BLOTATO_CHECKS_PER_MINUTE": "0",
    "TESTING_FAULTS": "1",
    "CONN_MAX_AGE": "0",
}


def database_url() -> str:
    """The database pytest-django created for this run, as a URL for another process."""
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def live_members(group: int) -> list[int]:
    """The processes of a process group still running (zombies left for init to reap are gone)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited while we looked
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            alive.append(int(stat.parent.name))
    return alive


def stop_process_group(process: subprocess.Popen, *, grace: float = 15.0, sig: int = signal.SIGTERM) -> None:
    """Signal a whole process group and return only once every member is gone.

    Waiting for the leader is not enough: a shell's or a worker's children can outlive it by
    seconds, and a beat or worker still running then claims the next test's posts.
    """
    group = process.pid
    for signal_number, wait_for in ((sig, grace), (signal.SIGKILL, 10.0)):
        with suppress(ProcessLookupError):
            os.killpg(group, signal_number)
        deadline = time.monotonic() + wait_for
        while time.monotonic() < deadline:
            process.poll()  # reap the leader, ours to reap
            if not live_members(group):
                process.wait()
                return
            time.sleep(0.05)
    raise AssertionError(f"process group {group} still running after SIGKILL: {live_members(group)}")


class CeleryProcesses:
    """Start, kill and stop worker/beat processes; each in its own process group."""

    def __init__(self, log_dir: Path, fake_url: str, api_key: str, **overrides: str):
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            **FAST_SETTINGS,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "BLOTATO_API_URL": fake_url,
            "BLOTATO_API_KEY": api_key,
            "BLOTATO_SANDBOX": "0",
            **overrides,
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list[Path] = []

    def start_worker(
        self, name: str = "w1", concurrency: int = 2, pool: str = "prefork", log_level: str = "info", **extra_env: str
    ) -> None:
        self._spawn(
            name,
            [
                "worker",
                "-P",
                pool,
                "-c",
                str(concurrency),
                "-n",
                f"{name}@%h",
                "-l",
                log_level,
                "--without-gossip",
                "--without-mingle",
            ],
            extra_env,
        )

    def start_beat(self, name: str = "beat") -> None:
        self._spawn(
            name, ["beat", "-l", "info", "--max-interval", "1", "-s", str(self.log_dir / f"{name}-schedule")], {}
        )

    def _spawn(self, name: str, args: list[str], extra_env: dict[str, str]) -> None:
        log = self.log_dir / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "mediaposter", *args],
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: the worker and any HTTP call its children had open."""
        stop_process_group(self.processes.pop(name), sig=signal.SIGKILL)

    def pause(self, name: str) -> None:
        """SIGSTOP the whole process group: a worker frozen mid-task (swap storm, VM pause)."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # all at once: their warm shutdowns overlap
        for process in self.processes.values():
            stop_process_group(process)
        self.processes.clear()

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())

    def tails(self, lines: int = 30) -> str:
        """The last lines of each process's own log, labelled: what each was doing when a run ended."""
        parts = []
        for log in self.logs:
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)


def wait_until(condition: Callable[[], bool], *, timeout: float, describe: Callable[[], str]) -> None:
    """Poll until `condition` holds; a liveness bound, so generous, and it says what it saw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not settled after {timeout:.0f} s: {describe()}")


@contextmanager
def watched_processes(log_dir: Path, blotato_url: str, api_key: str, **environment: str) -> Iterator[CeleryProcesses]:
    """Worker and beat processes for one test: stopped after it, their output shown if it fails,
    and never the Blotato key in their logs."""
    processes = CeleryProcesses(log_dir, blotato_url, api_key, **environment)
    try:
        yield processes
    finally:
        processes.stop_all()
        print(processes.output()[-6000:])  # shown by pytest when the test fails
    assert api_key not in processes.output(), "the Blotato key appeared in a worker or beat log"
