"""The first look: a favicon, a login page without the app's menu, readable calendar cards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.staticfiles import finders

from publishing.models import ScheduledPost, SocialAccount, Status
from publishing.platforms import Platform
from publishing.templatetags.calendar_links import SHORT_LABELS, STATUS_ICONS

from .page_clock import frozen_clock  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db


def test_every_page_links_the_favicon_and_it_exists(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("favicon.svg").endswith("static/favicon.svg")


def test_the_login_page_has_no_menu(client, browser):
    login = client.get("/login/").content.decode()
    assert "Calendar</a>" not in login and "Settings</a>" not in login and "Log out" not in login
    assert "Settings</a>" in browser.get("/clips/").content.decode()  # signed in: the menu is there


def test_every_platform_and_status_has_a_short_label_or_icon():
    assert set(SHORT_LABELS) == set(Platform.values)
    assert len(set(SHORT_LABELS.values())) == len(SHORT_LABELS)
    assert set(STATUS_ICONS) == set(Status.values)


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.NEEDS_REVIEW, Status.PUBLISHED])
def test_a_card_shows_the_platform_label_and_the_whole_status_word(browser, alice, status):
    account = SocialAccount.objects.get(owner=alice, platform="bluesky")
    ScheduledPost.objects.create(
        owner=alice,
        platform="bluesky",
        account=account,
        caption="Hello",
        scheduled_time=datetime(2026, 12, 2, 9, tzinfo=UTC),
        status=status,
    )
    page = browser.get("/calendar/?view=week&date=2026-12-02").content.decode()
    assert f'class="post-card status-{status} platform-bluesky"' in page
    assert '<span class="platform" title="Bluesky"><span aria-hidden="true">Bsky</span>' in page
    word = Status(status).label
    assert (
        f'<span class="status"><span class="icon" aria-hidden="true">{STATUS_ICONS[status]}</span>'
        f'<span class="status-word">{word}</span></span>' in page
    )
