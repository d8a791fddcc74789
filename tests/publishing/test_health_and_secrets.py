"""Publisher health (/healthz) and Blotato keys at rest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publishing import health, heartbeat
from publishing.context_processors import HEALTH_KEPT_SECONDS
from publishing.models import Profile, ScheduledPost, SocialAccount

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_is_503_when_the_dispatcher_has_never_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("The dispatcher has not run recently")


def test_healthz_is_200_after_a_dispatcher_heartbeat(client):
    heartbeat.beat("dispatcher")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def overdue_posts(user, count: int) -> None:
    account = SocialAccount.objects.get(owner=user, platform="twitter")
    for _ in range(count):
        ScheduledPost.objects.create(
            owner=user,
            platform="twitter",
            account=account,
            caption="stuck",
            scheduled_time=timezone.now() - timedelta(minutes=5),
        )


def test_healthz_reports_due_posts_piling_up_without_counting_anyones(client, alice, bob):
    heartbeat.beat("dispatcher")
    overdue_posts(alice, 1)
    overdue_posts(bob, 3)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "ok": False,
        "problems": ["Due posts are waiting to be sent: some have waited over 2 minutes."],
        "dispatcher_last_run": response.json()["dispatcher_last_run"],
        "posts_piling_up": True,
    }


def banner(client) -> list[str]:
    page = client.get("/calendar/").content.decode()
    alarm = re.search(r'<div class="banner alarm".*?</div>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", alarm.group()) if alarm else []


def test_the_banner_counts_only_the_users_own_waiting_posts(client, alice, bob):
    heartbeat.beat("dispatcher")
    overdue_posts(bob, 3)
    client.force_login(alice)
    assert banner(client) == []
    overdue_posts(alice, 1)
    caches["default"].clear()  # the banner keeps its check a few seconds
    assert banner(client) == ["1 of your posts is overdue and waiting to be sent."]
    client.force_login(bob)
    assert banner(client) == ["3 of your posts are overdue and waiting to be sent."]


def test_the_banner_still_shows_install_wide_outages(client, alice):
    client.force_login(alice)  # no dispatcher heartbeat at all
    assert "The dispatcher has not run recently" in client.get("/calendar/").content.decode()


@pytest.fixture
def health_checks(monkeypatch) -> list:
    """Each banner health check run while the test goes on."""
    runs = []
    check = health.check

    def counted(user=None):
        runs.append(user)
        return check(user)

    monkeypatch.setattr(health, "check", counted)
    return runs


def test_htmx_pieces_of_a_page_skip_the_banners_health_check(client, alice, health_checks):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as piece:
        assert client.get("/calendar/?view=week", headers={"HX-Request": "true"}).status_code == 200
    assert health_checks == []
    with CaptureQueriesContext(connection) as page:
        assert client.get("/calendar/?view=week").status_code == 200
    assert health_checks == [alice]
    assert len(piece) < len(page)  # the piece neither counts the waiting posts nor reads anything else


def test_the_banners_health_check_is_kept_five_seconds(client, alice, health_checks):
    client.force_login(alice)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.get("/calendar/").status_code == 200
        assert client.get("/clips/").status_code == 200
        assert len(health_checks) == 1
        clock.shift(timedelta(seconds=HEALTH_KEPT_SECONDS + 1))
        client.get("/calendar/")
        assert len(health_checks) == 2


def test_debug_off_with_the_default_secret_key_refuses_to_start():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    started = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode != 0
    assert "DEBUG=0 needs a SECRET_KEY of your own in the environment" in started.stderr


def stored_key(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT blotato_api_key FROM publishing_profile WHERE user_id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_a_blotato_key_is_encrypted_at_rest_and_read_back_byte_exact(alice):
    alice.profile.blotato_api_key = "blt_secret_key=="
    alice.profile.save()
    assert "blt_secret_key" not in stored_key(alice)
    assert Profile.objects.get(user=alice).blotato_api_key == "blt_secret_key=="


def test_encryption_keys_can_be_rotated(alice, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    alice.profile.blotato_api_key = "blt_rotating=="
    alice.profile.save()
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    profile = Profile.objects.get(user=alice)
    assert profile.blotato_api_key == "blt_rotating=="
    profile.save()  # re-encrypted with the new key
    settings.FIELD_ENCRYPTION_KEY = new
    assert Profile.objects.get(user=alice).blotato_api_key == "blt_rotating=="
