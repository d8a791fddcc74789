"""A logged-in page in a real headless Chromium; any JavaScript or console error fails the test."""

from __future__ import annotations

import os

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from publishing import heartbeat
from tests.clock import ORDINARY_DAY

from .pages import ARTIFACTS, CHROMIUM, FLAGS, shoot

# Playwright's sync API keeps an event loop on this thread; the ORM calls here are still plain
# synchronous code in the test thread (Django's documented escape hatch for such tools).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The browser reports a refused form's or move's HTTP status itself; that is the server saying no, not a bug.
EXPECTED_REFUSALS = ("the server responded with a status of 422", "the server responded with a status of 409")


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def today(request):
    """The server's clock for a browser test: a fixed day (tests/clock.py), ticking from there.

    The live server runs in this process, so it sees the travelled clock; the pages take "today"
    from the server, never from the browser's own clock.
    """
    instant = getattr(request, "param", ORDINARY_DAY)
    with time_machine.travel(instant, tick=True):
        yield instant


@pytest.fixture
def page(today, chromium, live_server, alice):
    yield from logged_in_page(chromium, live_server, viewport={"width": 1280, "height": 1400})


@pytest.fixture
def phone(today, chromium, live_server, alice):
    """Alice on a phone: 390 × 844, a touch screen (touch events, coarse pointer), mobile viewport."""
    yield from logged_in_page(
        chromium, live_server, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )


def logged_in_page(chromium, live_server, **options):
    heartbeat.beat("dispatcher")  # a running publisher: no red banner in the screenshots
    context = chromium.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not any(expected in message.text for expected in EXPECTED_REFUSALS)
            and problems.append(f"console: {message.text}")
        ),
    )
    page.goto("/login/")
    if not (ARTIFACTS / "login.png").exists():
        shoot(page, "login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/calendar/")
    yield page
    context.close()
    assert problems == []
