"""The Blotato client against the fake Blotato over real HTTP: bodies, results and error classes.

No Django here: the client is pure Python, and so is this file (its own fake server, no settings).
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from publishing.blotato import (
    AuthRejected,
    BlotatoClient,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from publishing.blotato_errors import retry_after_seconds
from publishing.fake_blotato import FakeBlotato

KEY = "blt_client_Test_Key_9f3A=="  # the trailing "==" is part of the key
OTHER_KEY = "blt_only_jane_Key_77x="
TIKTOK = {
    "privacyLevel": "PUBLIC_TO_EVERYONE",
    "disabledComments": False,
    "disabledDuet": False,
    "disabledStitch": False,
    "isBrandedContent": False,
    "isYourBrand": False,
    "isAiGenerated": True,
}
VIDEO = ["https://cdn.example.com/clip.mp4"]
# platform: (sandbox account, target as the caller passes it, media)
PLATFORMS = {
    "twitter": ("1001", {}, []),
    "linkedin": ("1002", {"pageId": "2002"}, []),
    "facebook": ("1003", {"pageId": "2001", "mediaType": "reel"}, VIDEO),
    "instagram": ("1004", {"mediaType": "reel", "shareToFeed": True}, VIDEO),
    "pinterest": ("1005", {"boardId": "3001", "title": "Pin"}, ["https://cdn.example.com/a.jpg"]),
    "tiktok": ("1006", TIKTOK, VIDEO),
    "threads": ("1007", {"replyControl": "everyone"}, []),
    "bluesky": ("1008", {}, []),
    "youtube": ("1009", {"title": "Clip", "privacyStatus": "public", "shouldNotifySubscribers": False}, VIDEO),
}


@pytest.fixture(scope="module")
def server():
    with FakeBlotato() as fake:
        yield fake


@pytest.fixture
def fake(server):
    server.reset()
    server.add_sandbox_key(KEY)
    server.add_key(OTHER_KEY, accounts=[{"id": "98432", "platform": "twitter", "fullname": "Jane", "username": "jane"}])
    yield server
    server.reset()


@pytest.fixture
def client(fake):
    client = BlotatoClient(KEY, fake.url, read_timeout=5)
    yield client
    client.close()


def tweet(client, text="hello", **extra):
    return client.create_post(account_id="1001", platform="twitter", text=text, media_urls=[], target={}, **extra)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on return: nothing listens there


@pytest.fixture
def raw_server():
    """A bare TCP listener; `answer` (bytes, or None for silence) is what every connection gets."""
    listener = socket.create_server(("127.0.0.1", 0))
    setup = {"answer": None, "connections": 0}
    held = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            setup["connections"] += 1
            held.append(connection)
            if setup["answer"] is not None:
                connection.sendall(setup["answer"])
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    setup["port"] = listener.getsockname()[1]
    yield setup
    listener.close()
    for connection in held:
        connection.close()


# --- requests as Blotato wants them --------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_is_created_with_its_target_body(client, fake, platform):
    account, target, media = PLATFORMS[platform]
    created = client.create_post(account_id=account, platform=platform, text="Tips", media_urls=media, target=target)
    [request] = fake.requests("POST", "/v2/posts")
    assert request["status"] == 201
    assert request["body"] == {
        "post": {
            "accountId": account,
            "content": {"text": "Tips", "mediaUrls": media, "platform": platform},
            "target": {"targetType": platform, **target},
        }
    }
    [submission] = fake.submissions()
    assert (submission["id"], submission["account_id"]) == (created.submission_id, account)
    assert created.scheduled_time is None


def test_the_key_is_sent_byte_exact_with_its_padding(fake):
    sent = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: sent.append(response.request.headers["blotato-api-key"]))
    client = BlotatoClient(OTHER_KEY, fake.url, session=session)
    client.create_post(account_id="98432", platform="twitter", text="hi", media_urls=[], target={})
    assert sent == [OTHER_KEY]
    assert [a.username for a in client.accounts()] == ["jane"]
    with pytest.raises(AuthRejected):
        BlotatoClient(OTHER_KEY.rstrip("="), fake.url).accounts()


def test_a_scheduled_time_goes_at_the_root_in_utc(client, fake):
    when = (fake.now() + timedelta(days=2)).replace(microsecond=0).astimezone(ZoneInfo("Europe/Paris"))
    created = tweet(client, scheduled_time=when)
    body = fake.requests("POST", "/v2/posts")[0]["body"]
    assert body["scheduledTime"] == when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert set(body) == {"post", "scheduledTime"}
    assert "scheduledTime" not in body["post"]
    assert created.scheduled_time == when
    status = client.post_status(created.submission_id)
    assert (status.status, status.scheduled_time) == ("scheduled", when)


def test_a_naive_scheduled_time_is_refused_before_sending(client, fake):
    with pytest.raises(ValueError):
        tweet(client, scheduled_time=datetime(2030, 1, 1, 12, 0))
    assert fake.requests() == []


def test_x_is_sent_as_twitter(client, fake):
    client.create_post(account_id="1001", platform="x", text="1/2", media_urls=[], target={})
    post = fake.requests("POST", "/v2/posts")[0]["body"]["post"]
    assert post["content"] == {"text": "1/2", "mediaUrls": [], "platform": "twitter"}
    assert post["target"] == {"targetType": "twitter"}


def test_only_requests_with_a_body_say_they_carry_json(client, fake):
    created = tweet(client)
    client.post_status(created.submission_id)
    [post] = fake.requests("POST", "/v2/posts")
    [get] = fake.requests("GET", f"/v2/posts/{created.submission_id}")
    assert post["headers"]["Content-Type"] == "application/json"
    assert "content-type" not in {name.lower() for name in get["headers"]}


@pytest.mark.parametrize("base", ["{url}", "{url}/", "{url}/v2", "{url}/v2/"])
def test_the_base_url_may_end_in_a_slash_or_v2(fake, base):
    client = BlotatoClient(KEY, base.format(url=fake.url))
    assert len(client.accounts()) == 9
    assert [r["path"] for r in fake.requests()] == ["/v2/users/me/accounts"]


# --- results -----------------------------------------------------------------------------------


def test_status_goes_from_in_progress_to_published_with_its_url(client, fake):
    fake.set_knobs(publish_delay_s=30)
    created = tweet(client)
    first = client.post_status(created.submission_id)
    assert (first.submission_id, first.status) == (created.submission_id, "in-progress")
    fake.advance(31)
    done = client.post_status(created.submission_id)
    assert (done.status, done.error_message) == ("published", None)
    assert done.public_url == fake.submissions()[0]["public_url"]
    assert done.public_url.startswith("https://x.com/demo_twitter/status/")


def test_a_failed_post_carries_blotatos_error_message(client, fake):
    created = tweet(client)
    fake.force_outcome(created.submission_id, "failed", "Invalid account credentials")
    status = client.post_status(created.submission_id)
    assert (status.status, status.error_message, status.public_url) == ("failed", "Invalid account credentials", None)


def test_list_posts_pages_through_the_cursor(client, fake):
    for n in range(5):
        tweet(client, text=f"note {n}")
    now = fake.now()
    found = client.list_posts(since=now - timedelta(hours=1), until=now + timedelta(hours=1), page_size=2)
    assert sorted(p.text for p in found) == [f"note {n}" for n in range(5)]
    assert {(p.platform, p.state) for p in found} == {("twitter", "published")}
    assert all(p.post_url.startswith("https://x.com/") and p.post_time is not None for p in found)
    assert {(p.account_id, p.submission_id) for p in found} == {(None, None)}  # not sent by default
    pages = fake.requests("GET", "/v2/posts")
    assert [r["query"].get("cursor") for r in pages] == [None, ["2"], ["4"]]
    assert {r["query"]["limit"][0] for r in pages} == {"2"}


def test_list_posts_stops_at_max_pages(client, fake):
    for n in range(5):
        tweet(client, text=f"note {n}")
    now = fake.now()
    found = client.list_posts(since=now - timedelta(hours=1), until=now + timedelta(hours=1), page_size=2, max_pages=2)
    assert len(found) == 4
    assert len(fake.requests("GET", "/v2/posts")) == 2


def test_list_posts_filters_by_platform_and_status(client, fake):
    fake.set_knobs(list_includes_submission_id=True, list_includes_account_id=True)
    kept = tweet(client, text="kept")
    failed = tweet(client, text="failed")
    fake.force_outcome(failed.submission_id, "failed", "Unsupported media type")
    client.create_post(account_id="1008", platform="bluesky", text="sky", media_urls=[], target={})
    now = fake.now()
    found = client.list_posts(
        since=now - timedelta(hours=1),
        until=now + timedelta(hours=1),
        platform="x",
        statuses=["failed", "scheduled"],
    )
    assert [(p.text, p.state, p.error_message) for p in found] == [("failed", "failed", "Unsupported media type")]
    assert (found[0].submission_id, found[0].account_id) == (failed.submission_id, "1001")
    query = fake.requests("GET", "/v2/posts")[0]["query"]
    assert (query["platform"], query["status"]) == (["twitter"], ["failed", "scheduled"])
    assert query["since"][0].endswith("Z") and query["until"][0].endswith("Z")
    assert kept.submission_id not in {p.submission_id for p in found}


def test_accounts_subaccounts_and_boards(client, fake):
    assert client.accounts(platform="facebook")[0].id == "1003"
    assert [(a.id, a.platform, a.username) for a in client.accounts()][:2] == [
        ("1001", "twitter", "demo_twitter"),
        ("1002", "linkedin", "demo_linkedin"),
    ]
    [page] = client.subaccounts("1003")
    assert (page.id, page.account_id, page.name) == ("2001", "1003", "Demo Page")
    assert client.subaccounts("1001") == []
    [board] = client.pinterest_boards("1005")
    assert (board.id, board.name) == ("3001", "Demo Board")
    assert fake.requests("GET", "/v2/social/pinterest/boards")[0]["query"] == {"accountId": ["1005"]}


# --- refusals ----------------------------------------------------------------------------------


def test_a_422_is_rejected_with_blotatos_exact_message(client, fake):
    message = "post.target: must have required property 'pageId'"
    fake.inject("status", status=422, message=message)
    with pytest.raises(Rejected) as raised:
        tweet(client)
    assert (type(raised.value), raised.value.status, raised.value.message) == (Rejected, 422, message)
    assert fake.submissions() == []


def test_the_fakes_own_validation_is_a_rejection(client, fake):
    with pytest.raises(Rejected) as raised:
        client.create_post(account_id="1006", platform="tiktok", text="x", media_urls=VIDEO, target={})
    assert raised.value.message == "post.target: must have required property 'privacyLevel'"
    assert fake.submissions() == []


def test_a_400_without_a_message_says_its_status(client, fake):
    fake.inject("status", status=404, route="GET /users/me/accounts")
    with pytest.raises(Rejected) as raised:
        client.accounts()
    assert (raised.value.status, raised.value.message) == (404, "Not found")


def test_an_unknown_key_is_auth_rejected(fake):
    with pytest.raises(AuthRejected) as raised:
        BlotatoClient("blt_wrong_key_000==", fake.url).accounts()
    assert raised.value.status == 401
    assert isinstance(raised.value, Rejected)


def test_a_key_without_a_plan_is_auth_rejected(fake):
    fake.add_key("blt_no_plan_key_42==", accounts=[], no_plan=True)
    with pytest.raises(AuthRejected) as raised:
        tweet(BlotatoClient("blt_no_plan_key_42==", fake.url))
    assert raised.value.status == 403


def test_a_key_that_cannot_be_a_header_is_auth_rejected_without_quoting_it(fake):
    key = "blt_pasted_key_A1==\n"
    with pytest.raises(AuthRejected) as raised:
        BlotatoClient(key, fake.url).accounts()
    assert key.strip() not in str(raised.value)
    assert fake.requests() == []


def test_a_429_carries_the_retry_after_header(client, fake):
    fake.inject("rate_limit", retry_after=49)
    with pytest.raises(RateLimited) as raised:
        tweet(client)
    assert (raised.value.status, raised.value.retry_after) == (429, 49)
    assert fake.submissions() == []


def test_a_429_without_the_header_is_read_from_the_message(client, fake):
    fake.set_knobs(retry_after_header=False)
    fake.inject("rate_limit", retry_after=12)
    with pytest.raises(RateLimited) as raised:
        tweet(client)
    assert raised.value.retry_after == 12
    assert raised.value.message == "Rate limit exceeded, retry in 12 seconds"


def test_a_429_in_minutes_or_without_a_hint(client, fake):
    fake.set_knobs(retry_after_header=False)
    fake.inject("rate_limit", message="Rate limit exceeded, retry in 1 minute")
    fake.inject("rate_limit", route="GET /posts/{id}", message="Too many requests")
    with pytest.raises(RateLimited) as minutes:
        tweet(client)
    with pytest.raises(RateLimited) as bare:
        client.post_status("a-submission")
    assert (minutes.value.retry_after, bare.value.retry_after) == (60, 60)


def test_the_fakes_rate_window_refuses_the_third_post(client, fake):
    fake.set_knobs(rate_limits={"POST /posts": 2})
    tweet(client, text="one")
    tweet(client, text="two")
    with pytest.raises(RateLimited) as raised:
        tweet(client, text="three")
    assert 0 < raised.value.retry_after <= 60
    assert len(fake.submissions()) == 2


def test_retry_after_accepts_an_http_date():
    later = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 290 <= retry_after_seconds(later, "") <= 300
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", "") == 0
    assert retry_after_seconds("soon", "retry in 7 seconds") == 7


# --- no answer, or an answer that proves nothing -----------------------------------------------


def test_a_refused_connection_is_not_sent():
    with pytest.raises(NotSent) as raised:
        tweet(BlotatoClient(KEY, f"http://127.0.0.1:{closed_port()}"))
    assert raised.value.status is None


def test_an_unknown_host_is_not_sent():
    with pytest.raises(NotSent):
        tweet(BlotatoClient(KEY, "http://blotato.invalid"))


def test_a_failed_tls_handshake_is_not_sent(raw_server):
    raw_server["answer"] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    with pytest.raises(NotSent):
        tweet(BlotatoClient(KEY, f"https://127.0.0.1:{raw_server['port']}"))
    assert raw_server["connections"] == 1  # a POST is not retried, even where that would be safe


def test_a_tls_handshake_that_times_out_is_not_sent(raw_server):
    with pytest.raises(NotSent):
        tweet(BlotatoClient(KEY, f"https://127.0.0.1:{raw_server['port']}", connect_timeout=0.3))


def test_a_read_timeout_is_an_unknown_outcome(fake):
    fake.inject("timeout", seconds=1)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(BlotatoClient(KEY, fake.url, read_timeout=0.3))
    assert (raised.value.server_answered, raised.value.status) == (False, None)
    assert len(fake.requests("POST", "/v2/posts")) == 1


def test_a_connection_closed_without_an_answer_is_an_unknown_outcome(client, fake):
    fake.inject("drop")
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert raised.value.server_answered is False
    assert fake.publications() == []


def test_accept_then_drop_is_unknown_though_blotato_has_the_post(client, fake):
    fake.inject("accept_then_drop")
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert raised.value.server_answered is False
    assert len(fake.publications()) == 1
    assert len(fake.requests("POST", "/v2/posts")) == 1


def test_accept_then_hang_is_unknown_though_blotato_has_the_post(fake):
    fake.inject("accept_then_hang", seconds=1)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(BlotatoClient(KEY, fake.url, read_timeout=0.3))
    assert raised.value.server_answered is False
    assert len(fake.publications()) == 1


def test_a_500_is_an_unknown_outcome_the_server_answered(client, fake):
    fake.inject("status", status=500)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert (raised.value.server_answered, raised.value.status, raised.value.message) == (
        True,
        500,
        "An unknown error occurred.",
    )


def test_accept_then_500_is_unknown_though_blotato_has_the_post(client, fake):
    fake.inject("accept_then_500")
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert (raised.value.server_answered, raised.value.status) == (True, 500)
    assert len(fake.publications()) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_a_post_is_unknown_and_never_retried(client, fake, status):
    fake.inject("status", status=status)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert (raised.value.server_answered, raised.value.status, raised.value.message) == (True, status, f"HTTP {status}")
    assert len(fake.requests("POST", "/v2/posts")) == 1


def test_a_non_json_200_is_an_unknown_outcome(client, fake):
    fake.inject("status", status=200)
    with pytest.raises(UnknownOutcome) as raised:
        tweet(client)
    assert (raised.value.server_answered, raised.value.status) == (True, 200)


def test_a_non_json_200_on_a_get_is_an_error_too(client, fake):
    fake.inject("status", status=200, route="GET /users/me/accounts")
    with pytest.raises(UnknownOutcome):
        client.accounts()


def test_a_get_is_retried_by_the_transport_on_a_503(client, fake):
    created = tweet(client)
    fake.inject("status", status=503, route="GET /posts/{id}")
    assert client.post_status(created.submission_id).status == "published"
    assert [r["status"] for r in fake.requests("GET", f"/v2/posts/{created.submission_id}")] == [503, 200]


def test_a_get_gives_up_after_a_few_retries(client, fake):
    fake.inject("status", status=502, route="GET /users/me/accounts", times=-1)
    with pytest.raises(UnknownOutcome) as raised:
        client.accounts()
    assert raised.value.status == 502
    assert len(fake.requests("GET", "/v2/users/me/accounts")) == 3


# --- secrets -----------------------------------------------------------------------------------


def test_the_key_never_appears_in_repr_errors_or_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    client = BlotatoClient(KEY, fake.url, read_timeout=0.3)
    errors = []
    for fault, options in [("status", {"status": 422, "message": "bad"}), ("status", {"status": 500}), ("drop", {})]:
        fake.inject(fault, **options)
        with pytest.raises(Exception) as raised:
            tweet(client)
        errors.append(raised.value)
    with pytest.raises(AuthRejected) as unknown_key:
        BlotatoClient(KEY + "x", fake.url).accounts()
    errors.append(unknown_key.value)
    with pytest.raises(NotSent) as refused:
        tweet(BlotatoClient(KEY, f"http://127.0.0.1:{closed_port()}"))
    errors.append(refused.value)
    tweet(client)
    client.accounts()

    assert repr(client).endswith("key=…3A==)")
    assert KEY not in repr(client) and KEY not in str(client)
    for error in errors:
        assert KEY not in str(error) and KEY not in repr(error) and KEY not in error.message
    assert "blotato POST /posts -> 201 in" in caplog.text
    assert KEY not in caplog.text
    assert "blotato-api-key" not in caplog.text.lower()


def test_list_posts_keeps_to_its_window_when_blotato_does_not(client, fake):
    fake.set_knobs(list_ignores_window=True)
    now = fake.now()
    for hours in range(1, 7):
        tweet(client, text=f"in {hours} h", scheduled_time=now + timedelta(hours=hours))
    found = client.list_posts(since=now + timedelta(hours=3, minutes=30), until=now + timedelta(hours=10), page_size=2)
    assert [p.text for p in found] == ["in 6 h", "in 5 h", "in 4 h"]
    # Newest first: the second page reached back past `since`, so the third was never asked for.
    assert [r["query"].get("cursor") for r in fake.requests("GET", "/v2/posts")] == [None, ["2"]]
