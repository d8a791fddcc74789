"""Inputs at the edges: dates near year 1 and 9999, numbers past 64 bits or not finite, crafted
calendar links, IPv6 forms of private addresses, and changes sent to API paths that do not exist.
Each gets a precise 4xx, and nothing is written."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import PostMetric
from publishing.models import Clip, ScheduledPost, SocialAccount

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Paris, 04:00 in New York
HTMX = {"HX-Request": "true"}
OUT_OF_RANGE = "is out of range: dates must fall between years 1900 and 9000"

# Instants whose conversion to UTC, or to a user's zone, steps outside datetime's years 1..9999.
EDGE_INSTANTS = ["9999-12-31T23:30:00-05:00", "0001-01-01T00:30:00+05:00", "9999-12-31T23:30", "0001-01-01T00:01"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_post(owner: User, when: datetime = NOW + timedelta(days=3), platform: str = "twitter") -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform=platform)
    return ScheduledPost.objects.create(
        owner=owner, platform=platform, account=account, caption="Launch day", scheduled_time=when
    )


def send_json(client: Client, method: str, path: str, body) -> object:
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(path, data=data, content_type="application/json")


# --- 2. dates at the edges of the calendar -----------------------------------------------------


@pytest.mark.parametrize("when", EDGE_INSTANTS)
def test_scheduling_at_the_edge_of_the_calendar_is_a_400_naming_the_field(bob_api, bob, when):
    body = {"platforms": ["twitter"], "caption": "Hello", "scheduled_time": when}
    response = send_json(bob_api, "post", "/api/publishing/schedule", body)
    assert response.status_code == 400
    assert response.json()["error"] == f"scheduled_time: '{when}' {OUT_OF_RANGE}"
    assert "scheduled_time" in response.json()["details"]
    assert not ScheduledPost.objects.exists()


@pytest.mark.parametrize("when", EDGE_INSTANTS)
def test_rescheduling_to_the_edge_of_the_calendar_is_a_400_and_the_post_stays(bob_api, bob, when):
    post = make_post(bob)
    response = send_json(bob_api, "patch", f"/api/publishing/calendar/{post.pk}", {"scheduled_time": when})
    assert response.status_code == 400
    assert response.json()["error"] == f"scheduled_time: '{when}' {OUT_OF_RANGE}"
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == post.scheduled_time


@pytest.mark.parametrize(
    "query, field, value",
    [
        ("end_date=9999-12-31", "end_date", "9999-12-31"),
        ("start_date=0001-01-01&end_date=0001-01-05", "start_date", "0001-01-01"),
        ("start_date=9999-12-31T23:30:00-05:00", "start_date", "9999-12-31T23:30:00-05:00"),
        ("start_date=2026-11-01&end_date=9999-12-31T23:30", "end_date", "9999-12-31T23:30"),
    ],
)
def test_a_calendar_range_at_the_edge_of_the_calendar_is_a_400_naming_the_field(bob_api, query, field, value):
    response = bob_api.get(f"/api/publishing/calendar?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == f"{field}: '{value}' {OUT_OF_RANGE}"
    assert field in response.json()["details"]


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-31T23:30:00-05:00"])
def test_recommending_a_time_on_the_last_day_of_the_calendar_is_a_400(bob_api, day):
    response = send_json(
        bob_api, "post", "/api/optimal-posting-times/recommend", {"platform": "x", "preferred_date": day}
    )
    assert response.status_code == 400
    assert response.json()["error"] == f"preferred_date: '{day}' {OUT_OF_RANGE}"
    assert "preferred_date" in response.json()["details"]


def metric_row(**overrides) -> dict:
    row = {"platform": "instagram", "posted_at": "2026-11-20T18:00:00Z", "views": 1, "likes": 1}
    return {**row, "comments": 1, "shares": 1, "saves": 1, **overrides}


@pytest.mark.parametrize("when", EDGE_INSTANTS)
def test_importing_metrics_posted_at_the_edge_of_the_calendar_names_the_row(bob_api, bob, when):
    rows = [metric_row(), metric_row(posted_at=when)]
    response = send_json(bob_api, "post", "/api/analytics/metrics", {"metrics": rows})
    assert response.status_code == 400
    assert response.json()["details"]["rows"] == [{"row": 2, "errors": {"posted_at": f"'{when}' {OUT_OF_RANGE}"}}]
    assert not PostMetric.objects.exists()


def test_a_csv_row_posted_at_the_edge_of_the_calendar_names_the_row(bob_api, bob):
    csv_text = "platform,posted_at,views,likes,comments,shares,saves\ninstagram,9999-12-31T23:30,1,1,1,1,1\n"
    response = bob_api.post("/api/analytics/metrics", data=csv_text, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["details"]["rows"] == [
        {"row": 1, "errors": {"posted_at": f"'9999-12-31T23:30' {OUT_OF_RANGE}"}}
    ]
    assert not PostMetric.objects.exists()


@pytest.mark.parametrize("view", ["month", "week", "day", "agenda"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_calendar_page_at_the_edge_of_the_calendar_says_the_date_is_out_of_range(client, bob, view, day):
    client.force_login(bob)
    for headers in ({}, HTMX):
        response = client.get(f"/calendar/?view={view}&date={day}", headers=headers)
        assert response.status_code == 422
        assert f"'{day}' {OUT_OF_RANGE}" in html.unescape(response.content.decode())


def test_a_calendar_page_at_the_last_supported_day_links_onwards_without_error(client, bob):
    client.force_login(bob)
    for view in ("month", "week", "day", "agenda"):
        assert client.get(f"/calendar/?view={view}&date=9000-12-31").status_code == 200
        assert client.get(f"/calendar/?view={view}&date=1900-01-01").status_code == 200


@pytest.mark.parametrize("slot", ["9999-12-31", "9999-12-31T23:00", "0001-01-01", "0001-01-01T00:00"])
def test_moving_a_post_to_the_edge_of_the_calendar_is_refused(client, bob, slot):
    client.force_login(bob)
    post = make_post(bob)
    response = client.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": slot}, headers=HTMX)
    assert response.status_code == 422
    assert OUT_OF_RANGE in html.unescape(response.content.decode())
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == post.scheduled_time


def test_a_move_from_a_calendar_showing_an_out_of_range_day_moves_and_says_so(client, bob):
    client.force_login(bob)
    post = make_post(bob)
    fields = {"scheduled_time": "2026-12-04T09:00", "view": "week", "date": "9999-12-31"}
    response = client.post(f"/calendar/posts/{post.pk}/move", fields, headers=HTMX)
    assert response.status_code == 200
    assert OUT_OF_RANGE in html.unescape(response.content.decode())
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize("day, time", [("9999-12-31", "23:30"), ("0001-01-01", "00:01")])
def test_the_schedule_dialog_refuses_a_time_at_the_edge_of_the_calendar(client, bob, day, time):
    client.force_login(bob)
    fields = {"platforms": ["twitter"], "caption": "Hi", "date": day, "time": time}
    response = client.post("/calendar/new", fields, headers=HTMX)
    assert response.status_code == 422
    assert f"'{day}T{time}' {OUT_OF_RANGE}" in html.unescape(response.content.decode())
    assert not ScheduledPost.objects.exists()


# --- 3. one rule for a new time: API, calendar move form, admin --------------------------------


def assert_drop_refused(browser, post, slot: str, message: str) -> None:
    """A drop on `slot` answers 422 with `message` and leaves the post where it was."""
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": slot}, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == post.scheduled_time


@pytest.mark.parametrize("slot", ["2029-02-03", "2029-02-03T10:00", "9000-06-01"])
def test_the_move_form_refuses_a_time_more_than_a_year_ahead_like_the_api(browser, alice, slot):
    assert_drop_refused(browser, make_post(alice), slot, "That is more than a year ahead; pick a time within 366 days.")


def test_the_move_form_still_accepts_a_time_a_year_ahead(browser, alice):
    post = make_post(alice)
    response = browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2027-11-25T09:00"}, headers=HTMX)
    assert response.status_code == 200
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == datetime(2027, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(client) -> Client:
    boss = User.objects.create_user("boss", password="boss-password-123", is_staff=True, is_superuser=True)
    client.force_login(boss)
    return client


def admin_edit(admin_client, post: ScheduledPost, when: datetime):
    url = reverse("admin:publishing_scheduledpost_change", args=[post.pk])
    local = timezone.localtime(when)
    form = {
        "caption": "Edited",
        "scheduled_time_0": local.strftime("%Y-%m-%d"),
        "scheduled_time_1": local.strftime("%H:%M:%S"),
    }
    for inline in admin_client.get(url).context["inline_admin_formsets"]:  # read-only: sent empty
        form |= {f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"}
    return admin_client.post(url, form)


@pytest.mark.parametrize(
    "when, message",
    [
        (NOW - timedelta(days=1), "That time has passed; pick a time in the future."),
        (NOW + timedelta(days=400), "That is more than a year ahead; pick a time within 366 days."),
    ],
)
def test_the_admin_refuses_a_past_or_far_time_for_a_scheduled_post(admin_client, alice, when, message):
    post = make_post(alice)
    response = admin_edit(admin_client, post, when)
    assert response.status_code == 200
    assert message in response.content.decode()
    saved = ScheduledPost.objects.get(pk=post.pk)
    assert (saved.scheduled_time, saved.caption) == (post.scheduled_time, "Launch day")


def test_the_admin_still_edits_a_scheduled_posts_time_within_the_year(admin_client, alice):
    post = make_post(alice)
    assert admin_edit(admin_client, post, NOW + timedelta(days=30)).status_code == 302
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == NOW + timedelta(days=30)


def test_the_admin_keeps_a_due_posts_time_when_only_the_caption_changes(admin_client, alice):
    post = make_post(alice, when=NOW - timedelta(minutes=5))  # due: the next dispatch sweep takes it
    assert admin_edit(admin_client, post, post.scheduled_time).status_code == 302
    assert ScheduledPost.objects.get(pk=post.pk).caption == "Edited"


# --- 4. numbers past 64 bits, and numbers that are not finite ----------------------------------


@pytest.mark.parametrize("views", [99999999999999999999, 2**63, 1.5e19, "99999999999999999999", "1e30"])
def test_a_metric_count_past_64_bits_is_a_400_naming_the_row(alice_api, views):
    response = send_json(alice_api, "post", "/api/analytics/metrics", {"metrics": [metric_row(views=views)]})
    assert response.status_code == 400
    assert response.json()["details"]["rows"] == [
        {"row": 1, "errors": {"views": "must be at most 9223372036854775807"}}
    ]
    assert not PostMetric.objects.exists()


def test_a_csv_count_past_64_bits_is_a_400_naming_the_row(alice_api):
    csv_text = (
        "platform,posted_at,views,likes,comments,shares,saves\n"
        "instagram,2026-11-20T18:00:00Z,1,1,1,1,1\n"
        "instagram,2026-11-21T18:00:00Z,99999999999999999999,1,1,1,1\n"
    )
    response = alice_api.post("/api/analytics/metrics", data=csv_text, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["details"]["rows"] == [
        {"row": 2, "errors": {"views": "must be at most 9223372036854775807"}}
    ]
    assert not PostMetric.objects.exists()


def test_the_analytics_page_names_the_rows_of_a_csv_with_too_large_counts_or_edge_dates(client, bob):
    client.force_login(bob)
    csv_text = (
        b"platform,posted_at,views,likes,comments,shares,saves\n"
        b"instagram,2026-11-20T18:00:00Z,99999999999999999999,1,1,1,1\n"
        b"instagram,9999-12-31T23:30,1,1,1,1,1\n"
    )
    upload = SimpleUploadedFile("m.csv", csv_text, "text/csv")
    page = html.unescape(client.post("/analytics/instagram/", {"file": upload}, follow=True).content.decode())
    assert "2 row(s) cannot be imported; nothing was imported." in page
    assert "row 1: views must be at most 9223372036854775807" in page
    assert f"row 2: posted_at '9999-12-31T23:30' {OUT_OF_RANGE}" in page
    assert not PostMetric.objects.exists()


def test_the_largest_64_bit_count_is_imported(alice_api, alice):
    response = send_json(alice_api, "post", "/api/analytics/metrics", {"metrics": [metric_row(views=2**63 - 1)]})
    assert response.status_code == 200
    assert PostMetric.objects.get(owner=alice).views == 2**63 - 1


@pytest.mark.parametrize("duration", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_a_clip_duration_that_is_not_a_finite_number_is_a_400(alice_api, alice_clip, duration):
    body = f'{{"title": "Run", "media_url": "https://cdn.example.com/run2.mp4", "duration_s": {duration}}}'
    response = send_json(alice_api, "post", "/api/clips", body)
    assert response.status_code == 400
    assert response.json()["error"] == "The JSON holds a number that is not finite (NaN or Infinity); send a number."
    assert list(Clip.objects.all()) == [alice_clip]
    json.loads(alice_api.get("/api/clips").content, parse_constant=pytest.fail)  # still standard JSON


@pytest.mark.parametrize("duration", ["nan", "inf", "Infinity", 10**400])
def test_a_clip_duration_as_text_or_too_large_for_a_float_is_a_400(alice_api, alice_clip, duration):
    body = {"title": "Run", "media_url": "https://cdn.example.com/run2.mp4", "duration_s": duration}
    response = send_json(alice_api, "post", "/api/clips", body)
    assert response.status_code == 400
    assert response.json()["details"] == {"duration_s": "invalid"}
    assert list(Clip.objects.all()) == [alice_clip]


def test_nan_anywhere_in_a_json_body_is_a_400(alice_api, alice):
    body = '{"platforms": ["twitter"], "caption": "Hi", "scheduled_time": "2026-12-01T10:00:00Z", "x": [NaN]}'
    response = send_json(alice_api, "post", "/api/publishing/schedule", body)
    assert response.status_code == 400
    assert "not finite" in response.json()["error"]
    assert not ScheduledPost.objects.exists()


def test_a_json_integer_too_long_to_read_is_a_400(alice_api, alice_clip):
    body = '{"title": "Run", "media_url": "https://cdn.example.com/run2.mp4", "duration_s": ' + "9" * 5000 + "}"
    response = send_json(alice_api, "post", "/api/clips", body)
    assert response.status_code == 400
    assert list(Clip.objects.all()) == [alice_clip]


# --- 5. calendar links cannot retarget a drag --------------------------------------------------

CRAFTED = 'x","scheduled_time":"2030-01-01T10:00'


def drop_state(page: str) -> dict:
    """What a drop sends along with its slot: the calendar state's JSON, as the browser reads it."""
    found = re.search(r'id="calendar-state"[^>]*data-state="([^"]*)"', page)
    assert found, "no calendar state in the page"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("param", ["platform", "status", "q"])
def test_a_crafted_calendar_link_cannot_add_keys_to_what_a_drop_sends(browser, param):
    for headers in ({}, HTMX):
        response = browser.get("/calendar/", {"view": "week", "date": "2026-12-02", param: CRAFTED}, headers=headers)
        state = drop_state(response.content.decode())
        assert set(state) == {"view", "date", "platform", "status", "q"}
        assert state[param] == CRAFTED
        assert (state["view"], state["date"]) == ("week", "2026-12-02")


@pytest.mark.parametrize("value", ["2026-12-04T09:37", "2026-12-04T09:00:00+01:00", "2026-12-04T09:00Z"])
def test_a_drop_takes_only_a_slot_as_its_time(browser, alice, value):
    assert_drop_refused(browser, make_post(alice), value, "A post is dropped on a day or an hour of the calendar.")


def test_the_move_form_on_the_post_page_still_takes_any_minute(browser, alice):
    post = make_post(alice)
    browser.post(f"/calendar/posts/{post.pk}/move", {"scheduled_time": "2026-12-04T09:37"})
    assert ScheduledPost.objects.get(pk=post.pk).scheduled_time == datetime(2026, 12, 4, 8, 37, tzinfo=UTC)


# --- 6. IPv6 forms of private addresses --------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "[::7f00:1]",  # IPv4-compatible 127.0.0.1
        "[::127.0.0.1]",
        "[::a00:1]",  # 10.0.0.1
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:a9fe:a9fe]",  # 169.254.169.254, the cloud metadata address
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b::c0a8:101]",  # NAT64 of 192.168.1.1
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b:1::a00:1]",  # local-use NAT64 (RFC 8215)
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[2002:a00:1::1]",  # 6to4 of 10.0.0.1
        "[2002:c0a8:101::1]",  # 6to4 of 192.168.1.1
    ],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused_as_media_urls(alice_api, alice_clip, host):
    body = {"title": "Run", "media_url": f"https://{host}/run.mp4"}
    response = send_json(alice_api, "post", "/api/clips", body)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "media_url must point at a public host, not a private, loopback or internal address."
    )
    assert list(Clip.objects.all()) == [alice_clip]


@pytest.mark.parametrize("host", ["[2002:808:808::1]", "[64:ff9b::808:808]", "[2606:4700::1111]"])
def test_ipv6_addresses_of_public_hosts_are_still_accepted(alice_api, host):
    body = {"title": "Run", "media_url": f"https://{host}/run.mp4"}
    assert send_json(alice_api, "post", "/api/clips", body).status_code == 201


# --- 9. unknown API paths ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/publishing/calendar/x/y", "/api/clips/"])
def test_a_change_sent_to_an_unknown_api_path_is_a_json_404(alice, method, path):
    for signed_in in (False, True):
        client = Client(enforce_csrf_checks=True)
        if signed_in:
            client.force_login(alice)
        response = getattr(client, method)(path, data="{}", content_type="application/json")
        assert response.status_code == 404
        assert response.json() == {"error": f"No API endpoint at {path}.", "details": {"openapi": "/api/openapi.json"}}


def test_a_known_api_path_still_needs_the_csrf_token_from_a_browser(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"title": "Run", "media_url": "https://cdn.example.com/run2.mp4"}
    response = send_json(client, "post", "/api/clips", body)
    assert response.status_code == 403
    assert not Clip.objects.exists()
