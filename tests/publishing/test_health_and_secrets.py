"""Publisher health (/healthz) and Blotato keys at rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from publishing import heartbeat
from publishing.models import Profile, ScheduledPost, SocialAccount

pytestmark = pytest.mark.django_db


def test_healthz_is_503_when_the_dispatcher_has_never_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("The dispatcher has not run recently")


def test_healthz_is_200_after_a_dispatcher_heartbeat(client):
    heartbeat.beat("dispatcher")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_healthz_reports_due_posts_piling_up(client, alice):
    heartbeat.beat("dispatcher")
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    ScheduledPost.objects.create(
        owner=alice,
        platform="twitter",
        account=account,
        caption="stuck",
        scheduled_time=timezone.now() - timedelta(minutes=5),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["1 due post(s) are waiting to be sent."]


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
