"""Failed logins are rate limited per username and per address, on the login page and the admin's."""

from __future__ import annotations

import pytest
from django.test import Client

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
    from publishing.rate_limit import shared_redis

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
