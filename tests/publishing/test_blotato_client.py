"""The Blotato client against the fake Blotato over real HTTP: bodies, results, error classes."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest

from publishing.blotato import (
    AuthRejected,
    BlotatoClient,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from publishing.platforms import RULES
from tests.conftest import TEST_KEY

KEY = TEST_KEY
TIKTOK_TARGET = RULES["tiktok"].target_defaults


@pytest.fixture
def fake(fake_blotato):
    """The shared fake (conftest), whose sandbox accounts answer to KEY."""
    return fake_blotato


@pytest.fixture
def client(fake):
    client = BlotatoClient(KEY, fake.url, read_timeout=2)
    yield client
    client.close()


def tweet(client, text="hello", **extra):
    return client.create_post(account_id="1001", platform="twitter", text=text, media_urls=[], target={}, **extra)


def test_create_post_sends_blotatos_shape_with_the_key_byte_exact(client, fake):
    created = client.create_post(
        account_id="1006",
        platform="tiktok",
        text="Tips",
        media_urls=["https://cdn.example.com/v.mp4"],
        target=TIKTOK_TARGET,
    )
    [request] = fake.requests("POST", "/v2/posts")
    assert request["body"] == {
        "post": {
            "accountId": "1006",
            "content": {"text": "Tips", "mediaUrls": ["https://cdn.example.com/v.mp4"], "platform": "tiktok"},
            "target": {**TIKTOK_TARGET, "targetType": "tiktok"},
        }
    }
    assert "blotato-api-key" not in {k.lower() for k in request["headers"]}  # the fake never records it
    assert fake.submissions()[0]["id"] == created.submission_id


def test_a_scheduled_time_goes_at_the_root_in_utc(client, fake):
    when = datetime(2026, 12, 25, 16, 0, tzinfo=UTC) + timedelta(days=0)
    if when <= datetime.now(UTC):
        when = datetime.now(UTC) + timedelta(days=1)
    created = tweet(client, scheduled_time=when)
    body = fake.requests("POST", "/v2/posts")[0]["body"]
    assert body["scheduledTime"].endswith("Z")
    assert "scheduledTime" not in body["post"]
    assert created.scheduled_time is not None


def test_x_is_sent_as_twitter(client, fake):
    client.create_post(account_id="1001", platform="x", text="hi", media_urls=[], target={})
    assert fake.requests("POST", "/v2/posts")[0]["body"]["post"]["content"]["platform"] == "twitter"


def test_status_goes_from_in_progress_to_published_with_its_url(client, fake):
    fake.set_knobs(publish_delay_s=30)
    created = tweet(client)
    assert client.post_status(created.submission_id).status == "in-progress"
    fake.advance(31)
    status = client.post_status(created.submission_id)
    assert status.status == "published" and status.is_terminal
    assert status.public_url.startswith("https://x.com/demo_twitter/status/")


def test_list_posts_pages_through_the_cursor(client, fake):
    for n in range(5):
        tweet(client, text=f"note {n}")
    now = datetime.now(UTC)
    found = client.list_posts(since=now - timedelta(hours=1), until=now + timedelta(hours=1), page_size=2)
    assert sorted(p.text for p in found) == [f"note {n}" for n in range(5)]
    assert {p.state for p in found} == {"published"}
    assert len(fake.requests("GET", "/v2/posts")) == 3


def test_accounts_subaccounts_and_boards(client):
    assert [a.platform for a in client.accounts(platform="facebook")] == ["facebook"]
    assert client.subaccounts("1003")[0].id == "2001"
    assert client.pinterest_boards("1005")[0].id == "3001"
    assert client.me()["subscriptionStatus"] == "active_pro"


def test_upload_media_returns_blotatos_url(client):
    media = client.upload_media("https://cdn.example.com/a.mp4")
    assert media.url.startswith("https://database.blotato.io/")


def test_a_422_is_rejected_with_blotatos_exact_message(client, fake):
    fake.inject("status", status=422, message="post.target: must have required property 'pageId'")
    with pytest.raises(Rejected) as raised:
        tweet(client)
    assert (raised.value.status, raised.value.message) == (422, "post.target: must have required property 'pageId'")


def test_the_fakes_own_validation_is_a_rejection(client):
    with pytest.raises(Rejected) as raised:
        client.create_post(account_id="1006", platform="tiktok", text="x", media_urls=[], target={})
    assert raised.value.message == "post.target: must have required property 'privacyLevel'"


def test_an_unknown_key_is_auth_rejected(fake):
    with pytest.raises(AuthRejected) as raised:
        BlotatoClient("blt_wrong", fake.url).accounts()
    assert raised.value.status == 401


def test_a_429_carries_the_retry_after_header(client, fake):
    fake.inject("rate_limit", retry_after=49)
    with pytest.raises(RateLimited) as raised:
        tweet(client)
    assert raised.value.retry_after == 49


def test_a_429_without_the_header_is_read_from_the_message(client, fake):
    fake.set_knobs(retry_after_header=False)
    fake.inject("rate_limit", retry_after=12)
    with pytest.raises(RateLimited) as raised:
        tweet(client)
    assert raised.value.retry_after == 12


def test_a_refused_connection_is_not_sent():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the call: nothing listens there
    with pytest.raises(NotSent):
        tweet(BlotatoClient(KEY, f"http://127.0.0.1:{port}"))


def test_a_read_timeout_is_an_unknown_outcome(fake):
    fake.inject("timeout", seconds=1)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(BlotatoClient(KEY, fake.url, read_timeout=0.3))
    assert raised.value.server_answered is False


def test_accept_then_drop_is_unknown_though_blotato_has_the_post(client, fake):
    fake.inject("accept_then_drop")
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert raised.value.server_answered is False
    assert len(fake.publications()) == 1


def test_a_500_is_an_unknown_outcome_the_server_answered(client, fake):
    fake.inject("status", status=500)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert (raised.value.server_answered, raised.value.status) == (True, 500)


def test_a_non_json_200_is_an_unknown_outcome(client, fake):
    fake.inject("status", status=200)
    with pytest.raises(UnknownOutcome):
        tweet(client)


def test_a_post_is_never_retried_by_the_transport_but_a_get_is(client, fake):
    fake.inject("status", status=503)
    with pytest.raises(UnknownOutcome):
        tweet(client)
    assert len(fake.requests("POST", "/v2/posts")) == 1
    created = tweet(client)
    fake.inject("status", status=503, route="GET /posts/{id}")
    assert client.post_status(created.submission_id).status == "published"
    assert len(fake.requests("GET", f"/v2/posts/{created.submission_id}")) == 2


def test_the_key_never_appears_in_repr_errors_or_logs(client, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.inject("status", status=422, message="bad")
    with pytest.raises(Rejected) as raised:
        tweet(client)
    tweet(client)
    assert KEY not in repr(client)
    assert KEY not in str(raised.value)
    assert KEY not in caplog.text
