"""The publishing JSON API: shapes, the bad-input matrix, ownership, state conflicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from publishing.models import ApiToken, Clip, ScheduledPost, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
POST_FIELDS = {
    "id",
    "group_id",
    "clip_id",
    "platform",
    "account_id",
    "caption",
    "options",
    "scheduled_time",
    "status",
    "attempts",
    "last_error",
    "platform_url",
    "platform_post_id",
    "blotato_submission_id",
    "series_id",
    "occurrence",
    "published_at",
    "created_at",
    "updated_at",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def send(client: Client, method: str, url: str, body=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return getattr(client, method)(url, data=data, content_type="application/json")


def schedule(client, **fields):
    body = {"platforms": ["twitter"], "scheduled_time": "2026-12-27T14:00:00Z", "caption": "Check this!"}
    body.update(fields)
    return send(client, "post", "/api/publishing/schedule", {k: v for k, v in body.items() if v is not None})


def test_scheduling_creates_one_post_per_platform(alice_api, alice_clip):
    response = schedule(
        alice_api, clip_id=str(alice_clip.pk), platforms=["tiktok", "instagram"], caption="Check out this clip!"
    )
    assert response.status_code == 201
    body = response.json()
    assert [p["platform"] for p in body["posts"]] == ["tiktok", "instagram"]
    for post in body["posts"]:
        assert set(post) == POST_FIELDS
        assert post["group_id"] == body["group_id"]
        assert post["scheduled_time"] == "2026-12-27T14:00:00Z"
        assert post["status"] == "scheduled"
        assert post["clip_id"] == str(alice_clip.pk)
    assert ScheduledPost.objects.filter(group_id=body["group_id"]).count() == 2


def test_a_time_without_offset_is_read_in_the_users_zone(alice_api):
    response = schedule(alice_api, scheduled_time="2026-12-27T15:00:00")  # Paris, winter: UTC+1
    assert response.json()["posts"][0]["scheduled_time"] == "2026-12-27T14:00:00Z"


def test_x_is_an_alias_of_twitter(alice_api):
    assert schedule(alice_api, platforms=["x"]).json()["posts"][0]["platform"] == "twitter"


def test_publish_now_schedules_at_the_current_instant(alice_api):
    response = schedule(alice_api, scheduled_time=None, publish_now=True)
    assert response.status_code == 201
    assert response.json()["posts"][0]["scheduled_time"] == "2026-11-25T12:00:00Z"


def test_options_reach_the_post(alice_api, alice_clip):
    response = schedule(
        alice_api,
        platforms=["tiktok"],
        clip_id=str(alice_clip.pk),
        options={"tiktok": {"privacyLevel": "SELF_ONLY", "isAiGenerated": True}},
    )
    post = ScheduledPost.objects.get(pk=response.json()["posts"][0]["id"])
    assert post.options == {"privacyLevel": "SELF_ONLY", "isAiGenerated": True}


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"platforms": ["myspace"]}, 400, "Unknown platform 'myspace'."),
        ({"platforms": []}, 400, 'platforms must be a non-empty list, like ["tiktok", "instagram"].'),
        ({"platforms": "twitter"}, 400, 'platforms must be a non-empty list, like ["tiktok", "instagram"].'),
        ({"platforms": [3]}, 400, "Unknown platform '3'."),
        ({"caption": 42}, 400, "caption must be a string."),
        ({"caption": "x" * 281}, 400, "The caption is 281 characters; Twitter/X allows at most 280."),
        ({"caption": ""}, 400, "Nothing to post: write a caption or choose a clip."),
        (
            {"scheduled_time": "2026-11-01T10:00:00Z"},
            400,
            "scheduled_time 2026-11-01T10:00:00Z is in the past; pick a future time or set publish_now.",
        ),
        (
            {"scheduled_time": "tomorrow"},
            400,
            "scheduled_time: 'tomorrow' is not an ISO 8601 date-time, like 2026-12-27T14:00:00Z",
        ),
        (
            {"scheduled_time": 1766844000},
            400,
            "scheduled_time: must be an ISO 8601 date-time string, like 2026-12-27T14:00:00Z",
        ),
        (
            {"scheduled_time": "2027-03-28T02:30:00"},
            400,
            "scheduled_time: 2027-03-28 02:30 does not exist in Europe/Paris (the clocks skip that hour)",
        ),
        ({"scheduled_time": None}, 400, "scheduled_time is required unless publish_now is true."),
        ({"scheduled_time": "2031-01-01T00:00:00Z"}, 400, "scheduled_time is more than a year ahead."),
        ({"publish_now": "yes"}, 400, "publish_now must be true or false."),
        ({"platforms": ["instagram"]}, 400, "Instagram needs media: choose a clip (clip_id)."),
        ({"clip_id": "not-a-uuid"}, 400, "clip_id must be a clip's UUID."),
        (
            {"clip_id": "00000000-0000-0000-0000-000000000000"},
            404,
            "No clip with id 00000000-0000-0000-0000-000000000000.",
        ),
        ({"options": {"tiktok": {}}}, 400, "options given for tiktok, which is not in platforms."),
        (
            {"options": {"twitter": {"privacy": "x"}}},
            400,
            "options.twitter.privacy is not an option for twitter (options: none).",
        ),
        (
            {"platforms": ["threads"], "options": {"threads": {"replyControl": "nobody"}}},
            400,
            "options.threads.replyControl must be one of everyone, accounts_you_follow, mentioned_only.",
        ),
        ({"options": []}, 400, "options must be an object keyed by platform."),
        ({"surprise": 1}, 400, "Unknown field(s): surprise."),
    ],
)
def test_bad_schedule_input_is_refused_with_a_precise_message(alice_api, fields, status, message):
    response = schedule(alice_api, **fields)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == message
    assert ScheduledPost.objects.count() == 0


def test_youtube_description_is_counted_in_bytes(alice_api, alice_clip):
    response = schedule(alice_api, platforms=["youtube"], clip_id=str(alice_clip.pk), caption="é" * 2501)
    assert response.status_code == 400
    assert response.json()["error"] == "The caption is 5002 bytes; YouTube allows at most 5000."


def test_a_bad_option_for_one_platform_writes_no_post_at_all(alice_api, alice_clip):
    response = schedule(
        alice_api,
        platforms=["twitter", "tiktok"],
        clip_id=str(alice_clip.pk),
        options={"tiktok": {"privacyLevel": "WORLD"}},
    )
    assert response.status_code == 400
    assert ScheduledPost.objects.count() == 0


def test_a_platform_without_a_connected_account_is_refused(alice_api, alice):
    alice.social_accounts.filter(platform="bluesky").delete()
    response = schedule(alice_api, platforms=["bluesky"])
    assert response.status_code == 400
    assert response.json()["error"] == "No connected Bluesky account: connect it in Blotato, then sync accounts."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "Malformed JSON: Expecting property name enclosed in double quotes at line 1 column 2."),
        (b"[1, 2]", "The request body must be a JSON object."),
        (b"", "The request body is empty; send a JSON object."),
        (b'{"caption": "\xff\xfe"}', "The request body is not valid UTF-8."),
        (b"[" * 100000 + b"]" * 100000, "The JSON is nested too deeply."),
    ],
)
def test_malformed_bodies_get_a_400(alice_api, raw, message):
    response = send(alice_api, "post", "/api/publishing/schedule", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"] == message


def test_an_oversized_body_gets_a_413(alice_api):
    response = send(alice_api, "post", "/api/publishing/schedule", {"caption": "x" * 11_000_000})
    assert response.status_code == 413


def test_calendar_lists_posts_in_range_with_filters(alice_api):
    schedule(alice_api, caption="December launch")
    schedule(alice_api, caption="Other", platforms=["bluesky"], scheduled_time="2026-12-28T10:00:00Z")
    schedule(alice_api, caption="January", scheduled_time="2027-01-05T10:00:00Z")
    url = "/api/publishing/calendar?start_date=2026-12-01T00:00:00Z&end_date=2026-12-31T23:59:59Z"
    body = alice_api.get(url).json()
    assert body["count"] == 2
    assert [p["caption"] for p in body["posts"]] == ["December launch", "Other"]
    assert alice_api.get(url + "&platform=bluesky").json()["count"] == 1
    assert alice_api.get(url + "&q=launch").json()["posts"][0]["caption"] == "December launch"
    assert alice_api.get(url + "&status=cancelled").json()["count"] == 0


def test_calendar_defaults_to_the_current_month_in_the_users_zone(alice_api):
    schedule(alice_api, scheduled_time="2026-11-30T23:30:00Z")  # Dec 1st, 00:30 in Paris
    schedule(alice_api, scheduled_time="2026-11-29T10:00:00Z")
    body = alice_api.get("/api/publishing/calendar").json()
    assert [p["scheduled_time"] for p in body["posts"]] == ["2026-11-29T10:00:00Z"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start_date=yesterday", "start_date: 'yesterday' is not an ISO 8601 date-time, like 2026-12-27T14:00:00Z"),
        ("start_date=2026-12-10&end_date=2026-12-01", "end_date must be after start_date."),
        ("platform=orkut", "Unknown platform 'orkut'."),
        ("status=lost", "Unknown status 'lost'."),
    ],
)
def test_bad_calendar_queries_get_a_400(alice_api, query, message):
    response = alice_api.get(f"/api/publishing/calendar?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == message


def test_patch_moves_and_rewords_a_scheduled_post(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    response = send(
        alice_api,
        "patch",
        f"/api/publishing/calendar/{post_id}",
        {"scheduled_time": "2026-12-30T09:00:00Z", "caption": "New words"},
    )
    assert response.status_code == 200
    assert response.json()["scheduled_time"] == "2026-12-30T09:00:00Z"
    assert response.json()["caption"] == "New words"


def test_patch_refuses_bad_values(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    url = f"/api/publishing/calendar/{post_id}"
    assert (
        send(alice_api, "patch", url, {}).json()["error"]
        == "Nothing to change: send scheduled_time, caption, clip_id, options or status."
    )
    assert send(alice_api, "patch", url, {"caption": "y" * 300}).status_code == 400
    assert send(alice_api, "patch", url, {"scheduled_time": "2020-01-01T00:00:00Z"}).status_code == 400
    assert ScheduledPost.objects.get(pk=post_id).caption == "Check this!"


def test_only_scheduled_posts_can_be_moved_or_cancelled(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    ScheduledPost.objects.filter(pk=post_id).update(status=Status.PUBLISHED)
    url = f"/api/publishing/calendar/{post_id}"
    response = send(alice_api, "patch", url, {"caption": "late edit"})
    assert response.status_code == 409
    assert response.json() == {
        "error": "This post is published; only scheduled or draft posts can be changed this way.",
        "details": {"status": "published"},
    }
    assert send(alice_api, "delete", url).status_code == 409


def test_delete_cancels_and_keeps_the_row(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    response = send(alice_api, "delete", f"/api/publishing/calendar/{post_id}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert ScheduledPost.objects.get(pk=post_id).status == Status.CANCELLED


def test_retry_requeues_a_failed_post_now(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    url = f"/api/publishing/calendar/{post_id}/retry"
    assert send(alice_api, "post", url).status_code == 409  # still scheduled
    ScheduledPost.objects.filter(pk=post_id).update(status=Status.FAILED, last_error="boom")
    response = send(alice_api, "post", url)
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    assert response.json()["scheduled_time"] == "2026-11-25T12:00:00Z"
    assert response.json()["last_error"] == "boom"  # the story stays; the history records the retry


def test_another_users_post_is_a_404_on_every_endpoint(alice_api, bob_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    url = f"/api/publishing/calendar/{post_id}"
    assert bob_api.get(url).status_code == 404
    assert send(bob_api, "patch", url, {"caption": "mine now"}).status_code == 404
    assert send(bob_api, "delete", url).status_code == 404
    assert send(bob_api, "post", url + "/retry").status_code == 404
    assert bob_api.get("/api/publishing/calendar?start_date=2026-12-01&end_date=2026-12-31").json()["count"] == 0
    post = ScheduledPost.objects.get(pk=post_id)
    assert (post.status, post.caption) == (Status.SCHEDULED, "Check this!")


def test_another_users_clip_cannot_be_scheduled(alice_api, bob_clip):
    response = schedule(alice_api, clip_id=str(bob_clip.pk))
    assert response.status_code == 404
    assert ScheduledPost.objects.count() == 0


def test_a_malformed_post_id_is_a_404(alice_api):
    assert alice_api.get("/api/publishing/calendar/not-a-uuid").status_code == 404


def test_requests_without_valid_credentials_get_a_401():
    anonymous = Client()
    assert anonymous.get("/api/publishing/calendar").status_code == 401
    assert anonymous.get("/api/publishing/calendar").json()["error"].startswith("Authentication required")
    forged = Client(headers={"Authorization": "Bearer mp_not-a-real-token"})
    assert forged.get("/api/me").status_code == 401


def test_a_browser_session_works_but_needs_csrf_for_changes(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/me").status_code == 200
    response = send(browser, "post", "/api/publishing/schedule", {"platforms": ["twitter"]})
    assert response.status_code == 403
    assert response.json()["error"] == "CSRF token missing or incorrect."


def test_wrong_method_is_a_405_in_json(alice_api):
    response = send(alice_api, "put", "/api/publishing/schedule", {})
    assert response.status_code == 405
    assert response.json()["details"] == {"allowed": ["POST"]}


def test_clips_can_be_added_listed_and_searched(alice_api, bob_clip):
    response = send(
        alice_api, "post", "/api/clips", {"title": "Launch video", "media_url": "https://cdn.example.com/l.mp4"}
    )
    assert response.status_code == 201
    assert alice_api.get("/api/clips").json()["count"] == 1  # bob's clip is not listed
    assert alice_api.get("/api/clips?q=launch").json()["clips"][0]["title"] == "Launch video"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "x", "media_url": "http://cdn.example.com/a.mp4"}, "media_url must be an https:// URL."),
        ({"title": "", "media_url": "https://cdn.example.com/a.mp4"}, "title must be 1 to 200 characters."),
        ({"media_url": "https://cdn.example.com/a.mp4"}, "title is required."),
        (
            {"title": "x", "media_url": "https://a.example.com/a.mp4", "duration_s": "long"},
            "duration_s must be a number of seconds (zero or more).",
        ),
    ],
)
def test_bad_clips_are_refused(alice_api, body, message):
    response = send(alice_api, "post", "/api/clips", body)
    assert response.status_code == 400
    assert response.json()["error"] == message
    assert Clip.objects.count() == 0


def test_me_reads_and_changes_the_timezone(alice_api):
    assert alice_api.get("/api/me").json()["timezone"] == "Europe/Paris"
    response = send(alice_api, "patch", "/api/me", {"timezone": "Asia/Tokyo"})
    assert response.json()["timezone"] == "Asia/Tokyo"
    bad = send(alice_api, "patch", "/api/me", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert bad.json()["error"] == (
        "timezone: 'Mars/Olympus' is not a time zone we offer: pick a place from the list "
        "(an IANA name like Europe/Paris, America/New_York or UTC)."
    )
    for not_a_place in ["localtime", "Factory", "Etc/GMT+5"]:
        assert send(alice_api, "patch", "/api/me", {"timezone": not_a_place}).status_code == 400
    assert send(alice_api, "patch", "/api/me", {"timezone": "Asia/Calcutta"}).json()["timezone"] == "Asia/Kolkata"


def test_accounts_sync_mirrors_blotato(alice_api, alice, fake_blotato):
    alice.social_accounts.all().delete()
    response = send(alice_api, "post", "/api/accounts/sync")
    assert response.status_code == 200
    accounts = {a["platform"]: a for a in response.json()["accounts"]}
    assert len(accounts) == 9
    assert accounts["facebook"]["page_id"] == "2001"
    assert accounts["pinterest"]["board_id"] == "3001"
    assert alice_api.get("/api/accounts").json()["count"] == 9


def test_accounts_sync_with_a_rejected_key_is_a_422(alice_api, fake_blotato, settings):
    settings.BLOTATO_API_KEY = "blt_unknown"
    response = send(alice_api, "post", "/api/accounts/sync")
    assert response.status_code == 422
    assert "blt_unknown" not in response.content.decode()


def test_create_api_token_prints_a_working_token_on_its_last_line(alice, capsys):
    from django.core.management import call_command

    call_command("create_api_token", "alice")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.objects.filter(token_hash=ApiToken.hash(token), user=alice).exists()
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/me").json()["username"] == "alice"


def test_schedule_example_from_the_issue_creates_posts_two_weeks_out(alice_api, alice_clip):
    response = schedule(
        alice_api,
        clip_id=str(alice_clip.pk),
        platforms=["tiktok", "instagram"],
        scheduled_time=(NOW + timedelta(days=14)).isoformat(),
    )
    assert response.status_code == 201


def test_a_missing_post_and_another_users_post_get_the_same_404(alice_api, bob_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    missing = alice_api.get("/api/publishing/calendar/00000000-0000-0000-0000-000000000000")
    foreign = bob_api.get(f"/api/publishing/calendar/{post_id}")
    assert missing.status_code == foreign.status_code == 404
    assert missing.json() == foreign.json() == {"error": "No post with that id.", "details": {}}


def test_editing_a_published_post_is_a_409_whatever_the_body(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    ScheduledPost.objects.filter(pk=post_id).update(status=Status.PUBLISHED)
    response = send(alice_api, "patch", f"/api/publishing/calendar/{post_id}", {"caption": 5})
    assert response.status_code == 409


def test_an_account_id_option_must_be_a_string(alice_api):
    response = schedule(alice_api, options={"twitter": {"account_id": None}})
    assert response.status_code == 400
    assert response.json()["error"] == "options.twitter.account_id must be a Blotato account id string."


def test_an_account_id_option_picks_that_account(alice_api, alice):
    response = schedule(alice_api, options={"twitter": {"account_id": "1001"}})
    assert response.json()["posts"][0]["account_id"] == "1001"
    assert ScheduledPost.objects.get().options == {}


def test_status_filters_are_read_like_platform_filters(alice_api):
    schedule(alice_api)
    url = "/api/publishing/calendar?start_date=2026-12-01&end_date=2026-12-31&status=Scheduled,%20failed"
    assert alice_api.get(url).json()["count"] == 1
