"""Hostile requests against every JSON endpoint: other users' ids, no credentials, forged
browser changes, and bodies built to break parsers. Each must get an exact JSON 4xx and
leave every row as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from analytics.models import PostMetric
from publishing.models import Clip, Profile, PublishAttempt, ScheduledPost, SocialAccount, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = "2026-12-27T14:00:00Z"
TEN_MB = 10 * 1024 * 1024
ALICE_ONLY_ACCOUNT = "alice-only-4242"
SQL_CAPTION = "Robert'); DROP TABLE publishing_scheduledpost; -- \" OR 1=1; SELECT pg_sleep(10);"
HTML_CAPTION = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; <b>bold</b>'

# Every (method, path) the API answers; {post} is replaced by a post id.
ENDPOINTS = [
    ("post", "/api/publishing/schedule"),
    ("get", "/api/publishing/calendar"),
    ("get", "/api/publishing/calendar/{post}"),
    ("patch", "/api/publishing/calendar/{post}"),
    ("delete", "/api/publishing/calendar/{post}"),
    ("post", "/api/publishing/calendar/{post}/retry"),
    ("get", "/api/clips"),
    ("post", "/api/clips"),
    ("get", "/api/accounts"),
    ("post", "/api/accounts/sync"),
    ("get", "/api/me"),
    ("patch", "/api/me"),
    ("get", "/api/optimal-posting-times/platform/instagram"),
    ("post", "/api/optimal-posting-times/recommend"),
    ("post", "/api/analytics/metrics"),
    ("delete", "/api/analytics/metrics"),
]
UNSAFE_ENDPOINTS = [(method, path) for method, path in ENDPOINTS if method != "get"]

# A body each endpoint would accept from its owner, so a refusal is about who asks, not what.
VALID_BODIES = {
    "/api/publishing/schedule": {"platforms": ["twitter"], "scheduled_time": LATER, "caption": "Hello"},
    "/api/publishing/calendar/{post}": {"caption": "Changed"},
    "/api/clips": {"title": "New clip", "media_url": "https://cdn.example.com/new.mp4"},
    "/api/me": {"timezone": "Asia/Tokyo"},
    "/api/optimal-posting-times/recommend": {"platform": "instagram", "preferred_date": "2026-11-27"},
    "/api/analytics/metrics": {
        "metrics": [
            {
                "platform": "instagram",
                "posted_at": "2026-11-20T18:00:00Z",
                "views": 1,
                "likes": 1,
                "comments": 1,
                "shares": 1,
                "saves": 1,
            }
        ]
    },
}
# Bodies that must be refused before anything is written, sent to every endpoint that reads JSON.
JSON_ENDPOINTS = [
    ("post", "/api/publishing/schedule"),
    ("patch", "/api/publishing/calendar/{post}"),
    ("post", "/api/clips"),
    ("patch", "/api/me"),
    ("post", "/api/optimal-posting-times/recommend"),
    ("post", "/api/analytics/metrics"),
]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alice_post(alice, alice_clip) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=alice, platform="tiktok")
    return ScheduledPost.objects.create(
        owner=alice,
        account=account,
        clip=alice_clip,
        platform="tiktok",
        caption="Alice's secret draft",
        scheduled_time=NOW + timedelta(days=3),
    )


@pytest.fixture
def alice_failed_post(alice, alice_clip) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=alice, platform="tiktok")
    return ScheduledPost.objects.create(
        owner=alice,
        account=account,
        clip=alice_clip,
        platform="tiktok",
        caption="Alice's failed post",
        scheduled_time=NOW - timedelta(hours=1),
        status=Status.FAILED,
        last_error="Blotato said no",
    )


@pytest.fixture
def alice_world(alice, alice_post, alice_failed_post):
    """Alice owns posts, a clip, an account only she has, and imported metrics."""
    SocialAccount.objects.create(
        owner=alice, platform="twitter", blotato_account_id=ALICE_ONLY_ACCOUNT, username="alice_private"
    )
    PostMetric.objects.create(owner=alice, platform="instagram", posted_at=NOW - timedelta(days=2), views=99)
    return alice


def rows_of(user) -> dict[str, list[dict]]:
    """Every row the user owns, field by field, to compare before and after an attack."""
    owned = {
        "posts": ScheduledPost.objects.filter(owner=user),
        "clips": Clip.objects.filter(owner=user),
        "accounts": SocialAccount.objects.filter(owner=user),
        "profile": Profile.objects.filter(user=user),
        "metrics": PostMetric.objects.filter(owner=user),
        "attempts": PublishAttempt.objects.filter(post__owner=user),
    }
    return {name: [model_to_dict(row) for row in rows.order_by("pk")] for name, rows in owned.items()}


def row_counts() -> dict[str, int]:
    models = (ScheduledPost, Clip, SocialAccount, Profile, PostMetric, PublishAttempt)
    return {model.__name__: model.objects.count() for model in models}


def send(client: Client, method: str, url: str, body=None, *, raw: bytes | None = None, content_type=None):
    data = raw if raw is not None else (json.dumps(body) if body is not None and method != "get" else "")
    content_type = content_type or "application/json"
    # The header is set explicitly so an empty body still says what it claims to be.
    return client.generic(method.upper(), url, data, content_type=content_type, headers={"Content-Type": content_type})


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "details"}
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["details"], dict)
    return body


def url_for(path: str, post: ScheduledPost | None = None) -> str:
    return path.replace("{post}", str(post.pk) if post else "00000000-0000-4000-8000-000000000000")


# --- bob with alice's ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/publishing/calendar/{post}"),
        ("patch", "/api/publishing/calendar/{post}"),
        ("delete", "/api/publishing/calendar/{post}"),
        ("post", "/api/publishing/calendar/{post}/retry"),
    ],
)
@pytest.mark.parametrize("which", ["scheduled", "failed"])
def test_bob_gets_404_for_alices_post(bob_api, alice_world, alice_post, alice_failed_post, method, path, which):
    post = alice_post if which == "scheduled" else alice_failed_post
    before = rows_of(alice_world)
    response = send(bob_api, method, url_for(path, post), VALID_BODIES.get(path))
    assert assert_error(response, 404)["error"] == "No post with that id."
    assert rows_of(alice_world) == before


def test_bob_cannot_schedule_alices_clip(bob_api, bob, alice_world, alice_clip):
    before, bobs_before = rows_of(alice_world), rows_of(bob)
    body = {"platforms": ["tiktok"], "clip_id": str(alice_clip.pk), "scheduled_time": LATER, "caption": "Mine now"}
    assert_error(send(bob_api, "post", "/api/publishing/schedule", body), 404)
    assert rows_of(alice_world) == before
    assert rows_of(bob) == bobs_before


def test_bob_cannot_post_from_alices_account(bob_api, bob, alice_world):
    before, bobs_before = rows_of(alice_world), rows_of(bob)
    body = {
        "platforms": ["twitter"],
        "scheduled_time": LATER,
        "caption": "Posting as Alice",
        "options": {"twitter": {"account_id": ALICE_ONLY_ACCOUNT}},
    }
    assert_error(send(bob_api, "post", "/api/publishing/schedule", body), 404)
    assert rows_of(alice_world) == before
    assert rows_of(bob) == bobs_before


def test_the_404_for_someone_elses_post_is_the_404_for_a_missing_one(bob_api, alice_post):
    theirs = bob_api.get(f"/api/publishing/calendar/{alice_post.pk}")
    missing = bob_api.get(url_for("/api/publishing/calendar/{post}"))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if "{post}" not in e[1]])
def test_bob_never_sees_or_changes_alices_rows(bob_api, alice_world, fake_blotato, method, path):
    before = rows_of(alice_world)
    response = send(bob_api, method, path, VALID_BODIES.get(path))
    assert response.status_code < 500, response.content[:500]
    text = response.content.decode()
    assert "Alice's secret draft" not in text
    assert "Morning run" not in text
    assert ALICE_ONLY_ACCOUNT not in text
    assert "alice" not in text.lower()
    assert rows_of(alice_world) == before


# --- no credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer mp_not-a-real-token", "Bearer ", "Basic YWxpY2U6cHc=", "mp_no_scheme"]
)
def test_requests_without_valid_credentials_get_401_json(alice_world, alice_post, method, path, authorization):
    client = Client(headers={"Authorization": authorization}) if authorization is not None else Client()
    before = row_counts()
    response = send(client, method, url_for(path, alice_post), VALID_BODIES.get(path))
    assert_error(response, 401)
    assert row_counts() == before


def test_a_session_cookie_and_a_bad_token_is_still_401(alice_world, alice_post):
    client = Client(headers={"Authorization": "Bearer wrong"})
    client.force_login(alice_world)
    assert_error(client.get(f"/api/publishing/calendar/{alice_post.pk}"), 401)


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def alice_browser(alice_world) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice_world)
    return browser


@pytest.mark.parametrize(("method", "path"), UNSAFE_ENDPOINTS)
def test_browser_changes_without_csrf_token_are_403_json(alice_browser, alice_world, alice_post, method, path):
    before, counts = rows_of(alice_world), row_counts()
    response = send(alice_browser, method, url_for(path, alice_post), VALID_BODIES.get(path))
    assert assert_error(response, 403)["error"] == "CSRF token missing or incorrect."
    assert rows_of(alice_world) == before
    assert row_counts() == counts


@pytest.mark.parametrize(("method", "path"), UNSAFE_ENDPOINTS)
def test_browser_changes_with_a_forged_csrf_token_are_403_json(alice_browser, alice_world, alice_post, method, path):
    alice_browser.cookies["csrftoken"] = "A" * 32
    before = rows_of(alice_world)
    response = alice_browser.generic(
        method.upper(),
        url_for(path, alice_post),
        json.dumps(VALID_BODIES.get(path, {})),
        content_type="application/json",
        headers={"X-CSRFToken": "B" * 32},
    )
    assert_error(response, 403)
    assert rows_of(alice_world) == before


def test_browser_reads_need_no_csrf_token(alice_browser, alice_post):
    response = alice_browser.get(f"/api/publishing/calendar/{alice_post.pk}")
    assert response.status_code == 200
    assert response.json()["caption"] == "Alice's secret draft"


def test_browser_change_with_the_csrf_token_is_accepted(alice_browser):
    token = _get_new_csrf_string()
    alice_browser.cookies["csrftoken"] = token
    response = alice_browser.patch(
        "/api/me",
        json.dumps({"timezone": "Asia/Tokyo"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "Asia/Tokyo"


# --- captions are data, never code --------------------------------------------------------------


@pytest.mark.parametrize("caption", [SQL_CAPTION, HTML_CAPTION, "💥 ünïcödé \u202e\u200b", "%s %(x)s {0} ${x} \\x00"])
def test_hostile_captions_are_stored_exactly_as_given(alice_api, alice, caption):
    created = send(
        alice_api,
        "post",
        "/api/publishing/schedule",
        {"platforms": ["twitter"], "scheduled_time": LATER, "caption": caption},
    )
    assert created.status_code == 201, created.content
    post_id = created.json()["posts"][0]["id"]
    assert created.json()["posts"][0]["caption"] == caption
    assert alice_api.get(f"/api/publishing/calendar/{post_id}").json()["caption"] == caption
    assert ScheduledPost.objects.get(pk=post_id).caption == caption
    listed = alice_api.get("/api/publishing/calendar", {"start_date": "2026-12-01", "end_date": "2027-01-01"})
    assert [p["caption"] for p in listed.json()["posts"]] == [caption]
    assert ScheduledPost.objects.count() == 1


@pytest.mark.parametrize("caption", [SQL_CAPTION, HTML_CAPTION])
def test_hostile_captions_survive_an_edit(alice_api, alice_post, caption):
    response = send(alice_api, "patch", f"/api/publishing/calendar/{alice_post.pk}", {"caption": caption})
    assert response.status_code == 200
    assert response.json()["caption"] == caption
    alice_post.refresh_from_db()
    assert alice_post.caption == caption


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "<script>"])
def test_hostile_searches_match_only_literally(alice_api, alice_post, query):
    found = alice_api.get(
        "/api/publishing/calendar", {"start_date": "2026-11-01", "end_date": "2026-12-31", "q": query}
    )
    assert found.status_code == 200
    assert found.json()["count"] == 0
    clips = alice_api.get("/api/clips", {"q": query})
    assert clips.status_code == 200
    assert clips.json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/publishing/calendar", "/api/clips"])
def test_a_nul_byte_in_a_search_is_refused_not_a_crash(alice_api, alice_post, path):
    response = alice_api.get(path, {"q": "run\x00"})
    assert_error(response, 400)


# --- bodies built to break parsers --------------------------------------------------------------


def deeply_nested(levels: int = 100_000) -> bytes:
    return b'{"caption": ' + b"[" * levels + b"]" * levels + b"}"


HOSTILE_BODIES = {
    "nested 100k levels": (deeply_nested(), 400),
    "nested objects 100k levels": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, 400),
    "invalid utf-8": (b'{"caption": "caf\xe9 \xff\xfe"}', 400),
    "overlong utf-8 slash": (b'{"caption": "\xc0\xaf"}', 400),
    "utf-16 surrogate as utf-8": (b'{"caption": "\xed\xa0\x80"}', 400),
    "not json": (b"caption=hello", 400),
    "json array": (b"[1, 2, 3]", 400),
    "json string": (b'"hello"', 400),
    "empty": (b"", 400),
    "truncated": (b'{"caption": "hel', 400),
    "NaN": (b'{"caption": NaN}', 400),
    "over 10 MB": (b'{"caption": "' + b"x" * (TEN_MB + 1) + b'"}', 413),
}


@pytest.mark.parametrize(("method", "path"), JSON_ENDPOINTS)
@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_hostile_bodies_get_an_exact_json_error_and_write_nothing(
    alice_api, alice_world, alice_post, method, path, kind
):
    raw, status = HOSTILE_BODIES[kind]
    before, counts = rows_of(alice_world), row_counts()
    response = send(alice_api, method, url_for(path, alice_post), raw=raw)
    assert_error(response, status)
    assert rows_of(alice_world) == before
    assert row_counts() == counts


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/publishing/schedule", {"platforms": ["twitter"], "scheduled_time": LATER, "caption": "a\x00b"}),
        ("patch", "/api/publishing/calendar/{post}", {"caption": "a\x00b"}),
        ("post", "/api/clips", {"title": "Run\x00", "media_url": "https://cdn.example.com/x.mp4"}),
        ("post", "/api/clips", {"title": "Run", "media_url": "https://cdn.example.com/x\x00.mp4"}),
        ("patch", "/api/me", {"timezone": "Europe/Paris\x00"}),
        ("post", "/api/optimal-posting-times/recommend", {"platform": "instagram", "preferred_date": "2026-11-27\x00"}),
    ],
)
def test_nul_bytes_are_refused_with_400(alice_api, alice_world, alice_post, method, path, body):
    before, counts = rows_of(alice_world), row_counts()
    response = send(alice_api, method, url_for(path, alice_post), body)
    assert_error(response, 400)
    assert rows_of(alice_world) == before
    assert row_counts() == counts


def test_a_nul_byte_in_the_caption_is_named(alice_api):
    body = {"platforms": ["twitter", "tiktok"], "scheduled_time": LATER, "caption": "\x00"}
    response = send(alice_api, "post", "/api/publishing/schedule", body)
    assert assert_error(response, 400)["details"] == {"caption": "invalid character"}
    assert ScheduledPost.objects.count() == 0


def metrics_csv(rows: int, extra: str = "") -> bytes:
    header = "platform,posted_at,views,likes,comments,shares,saves,followers,post_url\n"
    line = f"instagram,2026-11-20T18:00:00Z,1,1,1,1,1,,{extra}\n"
    return (header + line * rows).encode()


def test_a_csv_over_10_mb_is_413_and_imports_nothing(alice_api, alice_world):
    body = metrics_csv(1) + b"instagram,2026-11-21T18:00:00Z,1,1,1,1,1,,https://x.example.com/" + b"a" * TEN_MB + b"\n"
    assert len(body) > TEN_MB
    counts = row_counts()
    response = send(alice_api, "post", "/api/analytics/metrics", raw=body, content_type="text/csv")
    assert_error(response, 413)
    assert row_counts() == counts


def test_a_json_metrics_upload_over_10_mb_is_413(alice_api, alice_world):
    counts = row_counts()
    body = (
        b'{"metrics": ['
        + b",".join([json.dumps(VALID_BODIES["/api/analytics/metrics"]["metrics"][0]).encode()] * 90_000)
        + b"]}"
    )
    assert len(body) > TEN_MB
    assert_error(send(alice_api, "post", "/api/analytics/metrics", raw=body), 413)
    assert row_counts() == counts


@pytest.mark.parametrize(
    "content_type",
    [
        "application/xml",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "image/png",
    ],
)
def test_metrics_in_an_unknown_content_type_are_415(alice_api, alice_world, content_type):
    counts = row_counts()
    raw = metrics_csv(1)
    response = send(alice_api, "post", "/api/analytics/metrics", raw=raw, content_type=content_type)
    assert_error(response, 415)
    assert row_counts() == counts


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("invalid utf-8", metrics_csv(1).replace(b"instagram", b"insta\xffgram")),
        ("nul byte", metrics_csv(1, extra="https://x.example.com/a\x00b")),
        ("no header", b"instagram,2026-11-20T18:00:00Z,1,1,1,1,1\n"),
        ("one bad row among good", metrics_csv(3) + b"instagram,not-a-time,1,1,1,1,1,,\n"),
        ("formula injection", metrics_csv(1, extra='=HYPERLINK("http://evil")')),
    ],
)
def test_bad_csv_uploads_are_400_and_import_nothing(alice_api, alice_world, kind, raw):
    before = rows_of(alice_world)
    response = send(alice_api, "post", "/api/analytics/metrics", raw=raw, content_type="text/csv")
    assert_error(response, 400)
    assert rows_of(alice_world) == before


@pytest.mark.parametrize(
    "field",
    [{"post_url": "https://x.example.com/\x00"}, {"platform": "instagram\x00"}, {"posted_at": "2026-11-20\x00"}],
)
def test_a_nul_byte_in_a_json_metric_is_400(alice_api, alice_world, field):
    before = rows_of(alice_world)
    metric = VALID_BODIES["/api/analytics/metrics"]["metrics"][0] | field
    assert_error(send(alice_api, "post", "/api/analytics/metrics", {"metrics": [metric]}), 400)
    assert rows_of(alice_world) == before


def test_a_schedule_with_one_bad_platform_writes_no_post(alice_api, alice_world, alice_clip):
    counts = row_counts()
    body = {
        "platforms": ["tiktok", "instagram", "facebook"],
        "clip_id": str(alice_clip.pk),
        "scheduled_time": LATER,
        "caption": "x",
        "options": {"facebook": {"pageId": 123}},
    }
    assert_error(send(alice_api, "post", "/api/publishing/schedule", body), 400)
    assert row_counts() == counts


@pytest.mark.parametrize(
    "post_id", ["not-a-uuid", "1 OR 1=1", "%00", "%2e%2e", "00000000-0000-0000-0000-000000000000", "x" * 5000]
)
def test_malformed_post_ids_are_404_json(alice_api, alice_post, post_id):
    assert_error(alice_api.get(f"/api/publishing/calendar/{post_id}"), 404)
    assert_error(alice_api.post(f"/api/publishing/calendar/{post_id}/retry"), 404)
