"""The calendar pages: grids, HTMX partials, moving posts, the post page, ownership."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.models import ScheduledPost, SocialAccount, Status

from .page_clock import HTMX, NOW, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

pytestmark = pytest.mark.django_db


def make_post(owner, when: datetime, caption="Launch day", platform="twitter", status=Status.SCHEDULED):
    account = SocialAccount.objects.get(owner=owner, platform=platform)
    return ScheduledPost.objects.create(
        owner=owner, platform=platform, account=account, caption=caption, scheduled_time=when, status=status
    )


def test_the_month_view_shows_posts_in_the_users_zone(browser, alice):
    make_post(alice, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # 1 December, 00:30 in Paris
    page = browser.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert "December 2026" in page
    assert '<time datetime="2026-12-01T00:30:00+01:00">00:30</time>' in page
    assert 'data-slot="2026-12-01"' in page
    assert page.count('draggable="true"') == 1


def test_navigation_answers_the_grid_alone_for_htmx(browser):
    response = browser.get("/calendar/?view=week&date=2026-12-02", headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="calendar-grid"')
    assert "Week of 30 November 2026" in body
    assert 'data-slot="2026-12-02T14:00"' in body


@pytest.mark.parametrize("view", ["month", "week", "day", "agenda"])
def test_every_view_renders_with_a_bounded_number_of_queries(browser, alice, view):
    for day in range(1, 29):
        make_post(alice, datetime(2026, 12, day, 12, tzinfo=UTC), caption=f"post {day}")
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(f"/calendar/?view={view}&date=2026-12-01")
    assert response.status_code == 200
    assert len(queries) <= 10


def test_filters_and_search_narrow_the_grid(browser, alice):
    make_post(alice, datetime(2026, 12, 3, 12, tzinfo=UTC), caption="Black friday deals")
    make_post(alice, datetime(2026, 12, 4, 12, tzinfo=UTC), caption="Other", platform="bluesky")
    assert "1 post<" in browser.get("/calendar/?date=2026-12-01&q=friday").content.decode()
    assert "1 post<" in browser.get("/calendar/?date=2026-12-01&platform=bluesky").content.decode()
    assert "0 posts" in browser.get("/calendar/?date=2026-12-01&status=failed").content.decode()


def test_dropping_on_a_day_keeps_the_time_of_day(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))  # 14:15 in Paris
    response = browser.post(
        f"/calendar/posts/{post.pk}/move",
        {"scheduled_time": "2026-12-10", "view": "month", "date": "2026-12-01"},
        headers=HTMX,
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 10, 13, 15, tzinfo=UTC)
    assert f'id="post-{post.pk}"' in response.content.decode()


def test_dropping_on_an_hour_keeps_the_minutes(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    browser.post(
        f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-04T09:00", "view": "week"}, headers=HTMX
    )
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 4, 8, 15, tzinfo=UTC)


def test_a_move_into_the_past_is_refused_and_the_grid_redrawn(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-11-20"}, headers=HTMX)
    assert response.status_code == 422
    assert "That time has passed; pick a time in the future." in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 3, 13, 15, tzinfo=UTC)


def test_a_published_post_cannot_be_moved(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC), status=Status.PUBLISHED)
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-10"}, headers=HTMX)
    assert response.status_code == 409
    assert "This post is published and can no longer be moved." in response.content.decode()


def test_a_local_time_in_the_spring_forward_gap_is_refused(browser, alice):
    post = make_post(alice, datetime(2027, 3, 20, 1, 30, tzinfo=UTC))  # 02:30 Paris
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2027-03-28"}, headers=HTMX)
    assert response.status_code == 422
    assert "2027-03-28 02:30 does not exist in Europe/Paris" in response.content.decode()


def test_the_move_form_on_the_post_page_works_without_javascript(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, 15, tzinfo=UTC))
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-05T18:30"}, follow=True)
    assert "Moved." in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_time == datetime(2026, 12, 5, 17, 30, tzinfo=UTC)


def test_the_post_page_shows_the_error_and_offers_retry(browser, alice):
    post = make_post(alice, datetime(2026, 11, 24, 8, tzinfo=UTC), status=Status.FAILED)
    ScheduledPost.objects.filter(pk=post.pk).update(last_error="Blotato refused the post (HTTP 422): bad page")
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert "Blotato refused the post (HTTP 422): bad page" in page
    assert "Publish now" in page
    assert "Cancel post" not in page


def test_cancel_and_retry_from_the_post_page(browser, alice):
    post = make_post(alice, datetime(2026, 12, 3, 13, tzinfo=UTC))
    browser.post(f"/calendar/posts/{post.pk}/cancel")
    post.refresh_from_db()
    assert post.status == Status.CANCELLED
    page = browser.post(f"/calendar/posts/{post.pk}/cancel", follow=True).content.decode()
    assert "This post is cancelled; that is not possible any more." in page


def test_a_settling_post_refreshes_itself(browser, alice):
    post = make_post(alice, datetime(2026, 11, 25, 8, tzinfo=UTC), status=Status.SUBMITTED)
    assert 'hx-trigger="every 3s"' in browser.get(f"/calendar/posts/{post.pk}/").content.decode()


def test_another_users_posts_are_404_everywhere(client, alice, bob):
    post = make_post(alice, datetime(2026, 12, 3, 13, tzinfo=UTC))
    client.force_login(bob)
    assert client.get(f"/calendar/posts/{post.pk}/").status_code == 404
    assert client.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-10"}).status_code == 404
    assert client.post(f"/calendar/posts/{post.pk}/cancel").status_code == 404
    assert "Launch day" not in client.get("/calendar/?date=2026-12-01").content.decode()
    post.refresh_from_db()
    assert (post.status, post.scheduled_time) == (Status.SCHEDULED, datetime(2026, 12, 3, 13, tzinfo=UTC))


def test_pages_need_a_login(client):
    assert client.get("/calendar/").status_code == 302


def test_moves_need_the_csrf_token(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    post = make_post(alice, datetime(2026, 12, 3, 13, tzinfo=UTC))
    assert strict.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-10"}).status_code == 403


def test_a_busy_day_in_the_month_view_shows_four_cards_and_more(browser, alice):
    for minute in range(6):
        make_post(alice, datetime(2026, 12, 3, 12, minute, tzinfo=UTC), caption=f"busy {minute}")
    page = browser.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert page.count('class="post-card') == 4
    assert "+2 more</a>" in page
    assert "6 posts" in page


def test_month_cells_count_and_order_posts_by_the_users_local_day(browser, alice):
    # Paris is UTC+1 in December: 23:30 UTC on the 2nd is 00:30 on the 3rd there, and 23:30 on
    # the 3rd in Paris is 22:30 UTC, still the 3rd; 23:10 UTC on the 3rd is the 4th in Paris.
    times = [(2, 23, 30), (3, 6, 0), (3, 9, 0), (3, 12, 0), (3, 15, 0), (3, 22, 30), (3, 23, 10)]
    for day, hour, minute in times:
        make_post(alice, datetime(2026, 12, day, hour, minute, tzinfo=UTC), caption=f"at {day} {hour}:{minute}")
    page = browser.get("/calendar/?view=month&date=2026-12-01").content.decode()
    third = page.split('data-slot="2026-12-03"')[1].split("</td>")[0]
    fourth = page.split('data-slot="2026-12-04"')[1].split("</td>")[0]
    # The first four of the day by time (00:30, 07:00, 10:00, 13:00), then "+2 more".
    assert [card.split("</time>")[0].rsplit(">", 1)[1] for card in third.split("<time")[1:]] == [
        "00:30",
        "07:00",
        "10:00",
        "13:00",
    ]
    assert "+2 more</a>" in third
    assert fourth.count('class="post-card') == 1 and "00:10" in fourth
    assert "7 posts" in page
