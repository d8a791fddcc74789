"""Personas, the fake Blotato server, and real Celery processes for the suite."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from publishing import blotato_clients
from publishing.fake_blotato.validation import SOCIAL_PLATFORMS as SANDBOX_PLATFORMS
from publishing.models import ApiToken, Clip, SocialAccount
from publishing.redis_connection import shared_redis

# The install-wide key the tests publish with; it ends in "==" on purpose: Blotato keys may end in
# "=" padding, which must reach Blotato unchanged (docs/blotato.md).
TEST_KEY = "blt_test_key_ABCDEF=="


@pytest.fixture(scope="session")
def fake_server():
    from publishing.fake_blotato import FakeBlotato

    with FakeBlotato() as fake:
        yield fake


@pytest.fixture
def fake_blotato(fake_server, settings):
    """A clean fake Blotato with sandbox accounts for TEST_KEY, and our settings pointed at it."""
    fake_server.reset()
    fake_server.add_sandbox_key(TEST_KEY)
    fake_server.set_knobs(rate_limits=None)
    settings.BLOTATO_API_URL = fake_server.url
    settings.BLOTATO_API_KEY = TEST_KEY
    settings.BLOTATO_SANDBOX = False
    settings.BLOTATO_POSTS_PER_MINUTE = 0
    blotato_clients._clients.clear()
    yield fake_server
    blotato_clients._clients.clear()


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts with empty token buckets and heartbeats (the tests' own Redis database)."""
    shared_redis().flushdb()
    caches["default"].clear()  # and no banner health kept from an earlier test's pages
    yield


def make_user(username: str, zone: str) -> User:
    user = User.objects.create_user(username, password=f"{username}-password-123")
    user.profile.timezone = zone
    user.profile.save()
    return user


def connect_sandbox_accounts(user: User) -> dict[str, SocialAccount]:
    """The accounts add_sandbox_key gives every fake key, as a sync would store them.

    The fake numbers its accounts 1001.. in its own platform order, so the ids follow that list;
    tests/publishing/test_platform_rules.py checks it names exactly our platforms.
    """
    accounts = {}
    for number, platform in enumerate(SANDBOX_PLATFORMS, start=1001):
        accounts[platform] = SocialAccount.objects.create(
            owner=user,
            platform=platform,
            blotato_account_id=str(number),
            username=f"demo_{platform}",
            page_id="2001" if platform == "facebook" else "",
            board_id="3001" if platform == "pinterest" else "",
        )
    return accounts


@pytest.fixture
def alice(db) -> User:
    user = make_user("alice", "Europe/Paris")
    connect_sandbox_accounts(user)
    return user


@pytest.fixture
def bob(db) -> User:
    user = make_user("bob", "America/New_York")
    connect_sandbox_accounts(user)
    return user


@pytest.fixture
def alice_clip(alice) -> Clip:
    return Clip.objects.create(owner=alice, title="Morning run", media_url="https://cdn.example.com/run.mp4")


@pytest.fixture
def bob_clip(bob) -> Clip:
    return Clip.objects.create(owner=bob, title="Bob's cat", media_url="https://cdn.example.com/cat.mp4")


@pytest.fixture
def browser(client, alice) -> Client:
    """A browser session (Django's test client) logged in as alice."""
    client.force_login(alice)
    return client


def api_client_for(user: User) -> Client:
    _, token = ApiToken.issue(user)
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def alice_api(alice) -> Client:
    return api_client_for(alice)


@pytest.fixture
def bob_api(bob) -> Client:
    return api_client_for(bob)
