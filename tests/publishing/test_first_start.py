"""First start: the demo's month, and `make run`'s last words (login and API token, also in a file).

run_local's pieces are tested here one by one (its wait for the services uses a real HTTP server
and the real heartbeat in Redis); tests/publishing/test_console_logging.py runs the real worker
and beat for what the console shows.
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from publishing import heartbeat
from publishing.management.commands.run_local import Command, final_block
from publishing.models import ApiToken, PostEvent, ScheduledPost, Status
from tests.processes import ROOT, database_url, wait_until

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_final_block_says_where_to_log_in_and_the_token(tmp_path):
    block = final_block(
        "http://127.0.0.1:5555", token="mp_secret", token_file=tmp_path / "demo-api-token", sandbox=True, waiting_for=[]
    )
    lines = block.strip().splitlines()
    assert lines[0] == lines[-1] == "=" * 72  # a block, set apart from the services' log lines
    assert "Log in at   http://127.0.0.1:5555/login/   as demo / demo-password" in block
    assert "API token   mp_secret" in block
    assert f"(also in {tmp_path / 'demo-api-token'}, readable by you only)" in block
    assert "Sandbox mode" in block and "Still starting" not in block


def test_the_final_block_says_what_has_not_answered_yet(tmp_path):
    block = final_block(
        "http://127.0.0.1:5555",
        token="t",
        token_file=tmp_path / "t",
        sandbox=False,
        waiting_for=["the first dispatch pass (beat and a worker)"],
    )
    assert "Still starting: the first dispatch pass (beat and a worker)" in block
    assert "LIVE" in block


def test_the_readme_sends_people_where_make_run_does():
    login = "http://127.0.0.1:5555/login/"
    assert login in final_block("http://127.0.0.1:5555", token="t", token_file=Path("t"), sandbox=True, waiting_for=[])
    readme = README.read_text()
    assert f"<{login}>" in readme and "demo` / `demo-password" in readme
    assert "var/demo-api-token" in readme


@pytest.mark.django_db
def test_seed_demo_writes_a_working_token_only_the_owner_can_read(fake_blotato, tmp_path, capsys):
    token_file = tmp_path / "var" / "demo-api-token"
    call_command("seed_demo", token_file=str(token_file))
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    first = token_file.read_text().strip()
    assert first not in capsys.readouterr().out  # written, not printed among the start-up lines
    client = Client(headers={"authorization": f"Bearer {first}"})
    assert client.get("/api/clips").status_code == 200

    call_command("seed_demo", token_file=str(token_file))  # the next `make run`
    second = token_file.read_text().strip()
    assert second != first
    assert Client(headers={"authorization": f"Bearer {first}"}).get("/api/clips").status_code == 401
    assert Client(headers={"authorization": f"Bearer {second}"}).get("/api/clips").status_code == 200
    assert ApiToken.objects.filter(user__username="demo", name="make run").count() == 1


@pytest.mark.django_db
def test_the_demo_month_is_lived_in_on_several_platforms(fake_blotato, capsys):
    call_command("seed_demo", "--history")
    posts = ScheduledPost.objects.filter(owner=User.objects.get(username="demo"))
    published = posts.filter(status=Status.PUBLISHED)
    assert published.exclude(platform_url__startswith="https://").count() == 0
    assert PostEvent.objects.filter(post__in=published, message__startswith="Published: https://").count() == (
        published.count()
    )
    [failed] = posts.filter(status=Status.FAILED)
    assert "refused" in failed.last_error
    assert posts.filter(status=Status.NEEDS_REVIEW).count() == 1
    upcoming = posts.filter(status=Status.SCHEDULED, scheduled_time__gt=timezone.now())
    assert {"instagram", "tiktok", "twitter", "linkedin", "bluesky", "youtube"} <= set(
        upcoming.values_list("platform", flat=True)
    )
    assert not upcoming.filter(platform__in=["youtube", "instagram", "tiktok"], clip=None).exists()


class Answering(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.send_response(503)  # /healthz before the first dispatch: still an answer
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def supervisor(*children) -> Command:
    command = Command()
    command.children = list(children)
    return command


def test_run_local_waits_for_the_web_server_and_a_dispatch_pass(web_server):
    started = time.time()
    heartbeat.beat("dispatcher")  # beat sent a dispatch and a worker ran it
    assert supervisor()._wait_until_serving(web_server, since=started, timeout=30) == []


def test_run_local_says_what_has_not_answered_when_it_gives_up(web_server):
    later = time.time() + 3600  # no dispatch pass can be newer than this
    assert supervisor()._wait_until_serving(web_server, since=later, timeout=0) == [
        "the first dispatch pass (beat and a worker)"
    ]
    closed = web_server + 1 if web_server < 65535 else web_server - 1
    assert "the web server" in supervisor()._wait_until_serving(closed, since=later, timeout=0)


def test_run_local_stops_waiting_when_a_service_died(web_server):
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    with pytest.raises(SystemExit, match="worker stopped while starting"):
        supervisor(("worker", dead))._wait_until_serving(web_server, since=time.time() + 3600, timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.workers
@pytest.mark.django_db(transaction=True)
def test_make_run_prints_the_block_last_once_everything_answers(tmp_path, settings):
    """The real supervisor: web, worker, beat and the fake Blotato, on the test database and Redis."""
    port, fake_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "BLOTATO_SANDBOX": "1",
        "BLOTATO_API_KEY": "",
        "BLOTATO_API_URL": f"http://127.0.0.1:{fake_port}",
        "CONN_MAX_AGE": "0",
    }
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        supervisor_process = subprocess.Popen(
            [sys.executable, "manage.py", "run_local", "--port", str(port), "--var", str(tmp_path / "var")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: (
                "Ctrl-C stops everything." in log.read_text(errors="replace") or supervisor_process.poll() is not None
            ),
            timeout=240,
            describe=lambda: log.read_text(errors="replace")[-3000:],
        )
        output = log.read_text(errors="replace")
        token = (tmp_path / "var" / "demo-api-token").read_text().strip()
        block = output[output.rindex("=" * 72, 0, output.rindex("Ctrl-C stops everything.")) :]
        assert f"Log in at   http://127.0.0.1:{port}/login/   as demo / demo-password" in block
        assert f"API token   {token}" in block
        assert "Still starting" not in block
        assert output.index("worker@") < output.index("MediaPoster is running")  # after the worker said ready
        assert token not in output.replace(block, "")  # printed once, in the block
        # The console above it: no per-tick lines from beat and the worker, no probes of ours.
        for noise in ("Sending due task", "succeeded in", "] received", "/healthz"):
            assert noise not in output
        assert requests.get(f"http://127.0.0.1:{port}/login/", timeout=10).status_code == 200
        clips = requests.get(
            f"http://127.0.0.1:{port}/api/clips", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert clips.status_code == 200 and len(clips.json()["clips"]) == 3
    finally:
        if supervisor_process.poll() is None:
            supervisor_process.send_signal(signal.SIGTERM)  # what Ctrl-C or a service manager sends
        try:
            supervisor_process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(supervisor_process.pid, signal.SIGKILL)
            raise
    for answering in (port, fake_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", answering), timeout=1).close()
