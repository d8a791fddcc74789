"""The production settings: a Content-Security-Policy everywhere, API answers never stored, and
under DEBUG=0 Secure cookies, HSTS and a clean `check --deploy` (loaded in a subprocess)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@pytest.mark.parametrize("path", ["/login/", "/calendar/", "/settings/", "/clips/", "/analytics/"])
def test_every_page_has_a_strict_script_policy(client, alice, path):
    if path != "/login/":
        client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", ["/login/", "/calendar/", "/settings/", "/clips/", "/analytics/", "/calendar/new"])
def test_pages_have_no_inline_script_for_the_policy_to_block(client, alice, path):
    if path != "/login/":
        client.force_login(alice)
    page = client.get(path).content.decode()
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.findall(r"\son[a-z]+\s*=", page)  # onclick= and the like
    assert "javascript:" not in page


def test_templates_have_no_inline_script_and_nothing_htmx_must_eval():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.findall(r"\son[a-z]+\s*=", text), template
        # htmx evaluates event filters (change[...]), hx-on and js: values as code: eval, refused.
        triggers = re.findall(r'hx-trigger="([^"]*)"', text)
        assert not [t for t in triggers if re.search(r"\w\[", t)], template
        assert "hx-on" not in text and '"js:' not in text and "'js:" not in text, template


def test_api_answers_are_never_stored(alice_api, client):
    for response in [alice_api.get("/api/me"), alice_api.get("/api/publishing/calendar"), client.get("/api/me")]:
        assert response["Cache-Control"] == "no-store", response.status_code


def test_pages_keep_their_own_caching(browser):
    assert "no-store" not in browser.get("/calendar/").get("Cache-Control", "")


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "HTTPS", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.com,testserver", **overrides)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check():
    checked = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_a_plain_http_install_is_warned_about_at_startup_and_by_the_check():
    checked = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(HTTPS="0")
    )
    assert checked.returncode != 0
    assert "HTTPS=0: session and CSRF cookies are sent over plain HTTP" in checked.stderr
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in checked.stderr


# Run under DEBUG=0: a login page over HTTPS and one over plain HTTP, through Django's test client.
PRODUCTION_ANSWERS = """
import django
django.setup()
from django.conf import settings
from django.test import Client
over_https = Client().get("/login/", secure=True)
print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, over_https.cookies["csrftoken"]["secure"])
print(over_https.headers["Strict-Transport-Security"])
print(over_https.headers["Content-Security-Policy"].startswith("default-src 'self'"))
over_http = Client().get("/login/")
print(over_http.status_code, over_http.headers["Location"])
"""


def test_production_cookies_are_secure_and_https_is_enforced():
    answers = run(
        [sys.executable, "-c", PRODUCTION_ANSWERS], production_env(DJANGO_SETTINGS_MODULE="mediaposter.settings")
    )
    assert answers.returncode == 0, answers.stderr
    assert answers.stdout.splitlines() == [
        "False True True",  # DEBUG is off by default; both cookies Secure
        "max-age=31536000",  # HSTS for a year, without includeSubDomains unless asked for
        "True",
        "301 https://testserver/login/",
    ]
