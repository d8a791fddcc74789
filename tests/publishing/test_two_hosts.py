"""Two "hosts" against one PostgreSQL and one Redis, as docs/deploy.md sets them up.

Each host is one process group (a Celery worker and a Celery beat), started from its own working
directory with only the environment its own env file gives it (the systemd EnvironmentFile of
docs/deploy.md) and its own node name. Both run beat, so the dispatcher runs twice: the database
claim is what keeps every post to one send. A host can be SIGKILLed whole, as a machine that dies.
Which host sent a post is read from that host's own log (the worker logs each accepted send).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from publishing.models import ScheduledPost, Status
from tests.processes import FAST_SETTINGS, ROOT, database_url, stop_process_group, wait_until
from tests.publishing.test_workers import all_settled, make_posts, publications_by_text, statuses

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]

POSTS = 200
# A send this host's worker made and heard back about (transitions.submit's log line); a post
# adopted from Blotato's list after a crash logs "verifying -> submitted" instead.
SENT_BY_THIS_HOST = re.compile(r"post (\S+) publishing\|verifying -> submitted \(Accepted by Blotato")


class Host:
    """A machine running `celery worker` and `celery beat`, with its own directory and environment."""

    def __init__(self, name: str, workdir: Path, env_file: dict[str, str]):
        self.name = name
        self.workdir = workdir
        self.workdir.mkdir()
        # What an operator writes to /etc/mediaposter/env on that machine; nothing else is inherited.
        (workdir / "mediaposter.env").write_text("".join(f"{key}={value}\n" for key, value in env_file.items()))
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(workdir),
            "PYTHONPATH": str(ROOT),  # the release, installed once per machine (docs/deploy.md)
            "HOSTNAME": name,
            **env_file,
        }
        self.log = workdir / "host.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "mediaposter"]
        # As docs/deploy.md runs it: sending threads sharing a small pool of database connections.
        worker = ["env", "DATABASE_POOL_SIZE=4", *celery, "worker", "-P", "threads", "-c", "16"]
        worker += ["-n", f"worker@{self.name}", "-l", "info"]
        worker += ["--without-gossip", "--without-mingle"]
        beat = [*celery, "beat", "-l", "info", "--max-interval", "1", "-s", str(self.workdir / "celerybeat-schedule")]
        # One session per host, a shell as its init: the worker and beat are in its process group.
        script = f"{shlex.join(worker)} & {shlex.join(beat)} & wait"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", script],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """The machine dies: SIGKILL to every process of the group, mid-send or not."""
        stop_process_group(self.process, sig=signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)  # the shell exits at once; its worker and beat do not

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def sent(self) -> set[str]:
        """The posts this host's worker sent and saw accepted."""
        return set(SENT_BY_THIS_HOST.findall(self.output()))


@pytest.fixture
def shared_secrets(settings):
    """Every host and the web share SECRET_KEY and FIELD_ENCRYPTION_KEY: the stored keys are encrypted."""
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return {"SECRET_KEY": "two-hosts-shared-secret-" + "x" * 40, "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY}


@pytest.fixture
def hosts(tmp_path, fake_blotato, shared_secrets, alice):
    # Alice's own Blotato key, stored encrypted by "the web": a host without the shared key could not send.
    alice.profile.blotato_api_key = settings.BLOTATO_API_KEY
    alice.profile.save()
    env_file = {
        **FAST_SETTINGS,
        **shared_secrets,
        "DEBUG": "0",
        "HTTPS": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "BLOTATO_API_URL": fake_blotato.url,
        "BLOTATO_API_KEY": "",  # no install key: each post goes out with its owner's stored key
        "BLOTATO_SANDBOX": "0",
    }
    machines = [Host(name, tmp_path / name, env_file) for name in ("host-a", "host-b")]
    yield machines
    for machine in machines:
        machine.stop()
    for machine in machines:
        print(f"--- {machine.name}\n{machine.output()[-4000:]}")  # shown by pytest when the test fails
        assert settings.BLOTATO_API_KEY not in machine.output(), "the Blotato key appeared in a log"


def creates(fake) -> int:
    return len(fake.requests("POST", "/v2/posts"))


def test_two_hosts_each_with_worker_and_beat_send_every_post_once_and_share_the_work(alice, fake_blotato, hosts):
    fake_blotato.set_knobs(latency_s=0.05)
    posts = make_posts(alice, POSTS, due_in=3, prefix="two hosts")
    for host in hosts:
        host.start()

    wait_until(all_settled, timeout=240, describe=statuses)

    assert statuses() == {Status.PUBLISHED: POSTS}
    assert publications_by_text(fake_blotato) == Counter({post.caption: 1 for post in posts})
    assert creates(fake_blotato) == POSTS  # 0 duplicate creates, though beat ran on both hosts
    sent_a, sent_b = (host.sent() for host in hosts)
    assert sent_a and sent_b, f"one host did all the work: {len(sent_a)} / {len(sent_b)}"
    assert not sent_a & sent_b
    assert sent_a | sent_b == {str(post.pk) for post in posts}


def test_a_host_killed_mid_run_leaves_every_post_accounted_for_and_none_sent_twice(alice, fake_blotato, hosts):
    fake_blotato.set_knobs(latency_s=0.2)  # sends take long enough for the kill to land mid-run
    make_posts(alice, POSTS, due_in=3, prefix="host dies")
    host_a, host_b = hosts
    for host in hosts:
        host.start()
    wait_until(
        lambda: creates(fake_blotato) >= POSTS // 4 and host_a.sent() and host_b.sent(),
        timeout=120,
        describe=lambda: f"{creates(fake_blotato)} creates; {statuses()}",
    )

    host_a.kill()
    sent_before_the_kill = creates(fake_blotato)
    sent_by_b_before_the_kill = host_b.sent()
    wait_until(all_settled, timeout=240, describe=statuses)

    assert sent_before_the_kill < POSTS, "the kill came after the run: nothing was left to take over"
    published = publications_by_text(fake_blotato)
    assert max(published.values()) == 1
    final = statuses()
    assert set(final) <= {Status.PUBLISHED, Status.NEEDS_REVIEW}
    assert sum(final.values()) == POSTS
    # needs_review only where host-a died between sending and hearing back, and nothing arrived.
    for post in ScheduledPost.objects.filter(status=Status.NEEDS_REVIEW):
        assert published[post.caption] == 0
    assert final[Status.PUBLISHED] == sum(published.values()) == creates(fake_blotato)
    assert host_b.sent() > sent_by_b_before_the_kill, "the surviving host took over none of the work"
