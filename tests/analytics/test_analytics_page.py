"""The analytics page: heatmap, words, import form, banners."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics.models import PostMetric
from publishing import heartbeat

pytestmark = pytest.mark.django_db

CSV = b"platform,posted_at,views,likes,comments,shares,saves\n" + b"".join(
    b"instagram,2026-11-%02dT19:00:00Z,100,10,1,0,0\n" % day for day in range(1, 11)
)


@pytest.fixture
def browser(client, alice):
    client.force_login(alice)
    heartbeat.beat("dispatcher")
    return client


def test_the_page_shows_a_heatmap_and_the_defaults_in_words(browser):
    page = browser.get("/analytics/instagram/").content.decode()
    assert page.count("<rect ") == 7 * 24
    assert "No posts in the last 90 days yet: these are the platform&#x27;s default times." in page
    assert "<title>Tue 11:00 — score" in page
    assert "<strong>11:00</strong>, <strong>14:00</strong>, <strong>17:00</strong>, <strong>20:00</strong>" in page


def test_importing_a_csv_from_the_page_changes_the_answer(browser, alice):
    response = browser.post(
        "/analytics/instagram/", {"file": SimpleUploadedFile("m.csv", CSV, "text/csv")}, follow=True
    )
    page = response.content.decode()
    assert "Imported 10 new and updated 0 rows." in page
    assert PostMetric.objects.filter(owner=alice).count() == 10


def test_a_bad_csv_is_refused_with_its_rows_named_and_nothing_imported(browser):
    bad = CSV + b"instagram,not-a-time,1,1,1,1,1\n"
    page = browser.post(
        "/analytics/instagram/", {"file": SimpleUploadedFile("m.csv", bad, "text/csv")}, follow=True
    ).content.decode()
    assert "1 row(s) cannot be imported; nothing was imported. row 11: posted_at" in page
    assert PostMetric.objects.count() == 0


def test_an_unknown_platform_is_a_404(browser):
    assert browser.get("/analytics/myspace/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/analytics/instagram/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_page_warns_when_the_dispatcher_is_not_running(client, alice, settings):
    settings.BLOTATO_SANDBOX = True
    client.force_login(alice)  # no heartbeat recorded in this test's Redis
    page = client.get("/analytics/").content.decode()
    assert "Posts are not going out." in page
    assert "Sandbox mode" in page
