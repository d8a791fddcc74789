"""The fake Blotato behaves as blotato-api.md §7 says Blotato does (raw HTTP, no client of ours)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.conftest import TEST_KEY

KEY = TEST_KEY


@pytest.fixture
def fake(fake_blotato):
    """The shared fake (conftest), whose sandbox accounts answer to KEY."""
    return fake_blotato


def call(fake, method, path, body=None, key=KEY, **kwargs):
    headers = {"blotato-api-key": key} if key is not None else {}
    return requests.request(method, fake.url + path, json=body, headers=headers, timeout=5, **kwargs)


def post_body(platform="twitter", account="1001", text="hello", media=(), target=None, **root):
    return {
        "post": {
            "accountId": account,
            "content": {"text": text, "mediaUrls": list(media), "platform": platform},
            "target": {"targetType": platform, **(target or {})},
        },
        **root,
    }


def future(hours=1):
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def test_missing_or_unknown_key_is_401_and_no_plan_is_403(fake):
    assert call(fake, "GET", "/v2/users/me", key=None).status_code == 401
    assert call(fake, "GET", "/v2/users/me", key="blt_fake_key=").status_code == 401  # one "=" short
    fake.add_key("blt_free", [], no_plan=True)
    assert call(fake, "GET", "/v2/users/me", key="blt_free").status_code == 403
    assert call(fake, "GET", "/v2/users/me").json()["apiKey"] == KEY


def test_json_content_type_with_an_empty_body_is_fastifys_400(fake):
    response = requests.post(
        fake.url + "/v2/posts",
        data=b"",
        headers={"blotato-api-key": KEY, "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Body cannot be empty when content-type is set to 'application/json'"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "body must have required property 'post'"),
        (
            post_body("tiktok", "1006", media=["https://a/v.mp4"]),
            "post.target: must have required property 'privacyLevel'",
        ),
        (post_body("youtube", "1009", media=["https://a/v.mp4"]), "post.target: must have required property 'title'"),
        (post_body("facebook", "1003"), "post.target: must have required property 'pageId'"),
        (
            post_body("pinterest", "1005", media=["https://a/i.jpg"]),
            "post.target: must have required property 'boardId'",
        ),
        (post_body("instagram", "1004"), "post.content.mediaUrls: instagram requires at least one media URL"),
        (
            post_body("threads", "1007", target={"replyControl": "nobody"}),
            "post.target.replyControl: must be equal to one of the allowed values: everyone, accounts_you_follow, "
            "mentioned_only",
        ),
        (
            {"post": {**post_body()["post"], "target": {"targetType": "bluesky"}}},
            "post.target.targetType: must match post.content.platform",
        ),
        (post_body(scheduledTime="2026-12-25T15:00:00"), "scheduledTime: must include a timezone offset"),
        (post_body(scheduledTime="2020-01-01T00:00:00Z"), "scheduledTime must be in the future"),
        (post_body(scheduledTime=future(24 * 300)), "scheduledTime must be within 9 months"),
        (post_body(account="9999"), "post.accountId: account not found"),
        (post_body(text="x" * 281), "post.content.text: too long for twitter"),
    ],
)
def test_post_validation_answers_422_with_an_ajv_style_message(fake, body, message):
    response = call(fake, "POST", "/v2/posts", body)
    assert response.status_code == 422
    assert response.json()["message"] == message
    assert fake.submissions() == []


def test_a_nested_scheduled_time_is_ignored_and_the_post_goes_out_now(fake):
    body = post_body()
    body["post"]["scheduledTime"] = future()
    response = call(fake, "POST", "/v2/posts", body)
    assert response.status_code == 201
    assert "scheduledTime" not in response.json()
    assert call(fake, "GET", f"/v2/posts/{response.json()['postSubmissionId']}").json()["status"] == "published"


def test_caption_limit_modes(fake):
    fake.set_knobs(caption_limit_mode="fail_async")
    submission = call(fake, "POST", "/v2/posts", post_body(text="x" * 281)).json()["postSubmissionId"]
    assert call(fake, "GET", f"/v2/posts/{submission}").json()["status"] == "failed"
    fake.set_knobs(caption_limit_mode="accept")
    submission = call(fake, "POST", "/v2/posts", post_body(text="x" * 281)).json()["postSubmissionId"]
    assert call(fake, "GET", f"/v2/posts/{submission}").json()["status"] == "published"


def test_a_scheduled_post_publishes_when_the_fake_clock_reaches_it(fake):
    created = call(fake, "POST", "/v2/posts", post_body(scheduledTime=future(2))).json()
    assert created["scheduledTime"].endswith("Z")
    path = f"/v2/posts/{created['postSubmissionId']}"
    assert call(fake, "GET", path).json()["status"] == "scheduled"
    [schedule] = call(fake, "GET", "/v2/schedules").json()["items"]
    assert call(fake, "GET", "/v2/schedules").json()["count"] == "1"
    fake.advance(2 * 3600 + 1)
    assert call(fake, "GET", path).json()["status"] == "published"
    assert call(fake, "GET", f"/v2/schedules/{schedule['id']}").status_code == 404


def test_a_deleted_schedule_reads_in_progress_forever(fake):
    created = call(fake, "POST", "/v2/posts", post_body(scheduledTime=future(2))).json()
    [schedule] = call(fake, "GET", "/v2/schedules").json()["items"]
    assert call(fake, "PATCH", f"/v2/schedules/{schedule['id']}", {"patch": {}}).status_code == 422
    assert (
        call(fake, "PATCH", f"/v2/schedules/{schedule['id']}", {"patch": {"scheduledTime": future(3)}}).status_code
        == 204
    )
    assert (
        requests.delete(
            fake.url + f"/v2/schedules/{schedule['id']}", headers={"blotato-api-key": KEY}, timeout=5
        ).status_code
        == 204
    )
    fake.advance(4 * 3600)
    assert call(fake, "GET", f"/v2/posts/{created['postSubmissionId']}").json()["status"] == "in-progress"


def test_unknown_submission_ids_read_in_progress_or_404(fake):
    assert call(fake, "GET", "/v2/posts/nope").json() == {"postSubmissionId": "nope", "status": "in-progress"}
    fake.set_knobs(unknown_id_mode="404")
    assert call(fake, "GET", "/v2/posts/nope").status_code == 404


def test_the_post_list_shows_settled_posts_only(fake):
    fake.set_knobs(publish_delay_s=60)
    call(fake, "POST", "/v2/posts", post_body(text="pending"))
    fake.set_knobs(publish_delay_s=0)
    call(fake, "POST", "/v2/posts", post_body(text="live"))
    call(fake, "POST", "/v2/posts", post_body("bluesky", "1008", text="sky"))
    items = call(fake, "GET", "/v2/posts").json()["items"]
    assert sorted(i["text"] for i in items) == ["live", "sky"]
    [live] = call(fake, "GET", "/v2/posts", params={"platform": "twitter"}).json()["items"]
    assert live["state"]["type"] == "published" and live["state"]["postUrl"].startswith("https://x.com/")
    assert "postSubmissionId" not in live and "accountId" not in live


def test_rate_limits_answer_429_create_nothing_and_reset_with_the_window(fake):
    fake.set_knobs(rate_limits={"POST /posts": 2})
    assert [call(fake, "POST", "/v2/posts", post_body()).status_code for _ in range(3)] == [201, 201, 429]
    limited = call(fake, "POST", "/v2/posts", post_body())
    assert limited.json()["message"].startswith("Rate limit exceeded, retry in ")
    assert int(limited.headers["retry-after"]) >= 1
    assert len(fake.submissions()) == 2
    fake.advance(60)
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201


def test_faults_narrow_by_marker_and_count_down(fake):
    fake.inject("status", status=500, marker="boom", times=2)
    assert call(fake, "POST", "/v2/posts", post_body(text="calm")).status_code == 201
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 1")).status_code == 500
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 2")).status_code == 500
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 3")).status_code == 201


def test_accept_then_drop_publishes_but_never_answers(fake):
    fake.inject("accept_then_drop")
    with pytest.raises(requests.ConnectionError):
        call(fake, "POST", "/v2/posts", post_body(text="ghost"))
    assert [p["text"] for p in fake.publications()] == ["ghost"]


def test_platform_failures_and_stuck_posts(fake):
    fake.inject("platform_fail", message="Unsupported media type")
    failed = call(fake, "POST", "/v2/posts", post_body()).json()["postSubmissionId"]
    assert call(fake, "GET", f"/v2/posts/{failed}").json() == {
        "postSubmissionId": failed,
        "status": "failed",
        "errorMessage": "Unsupported media type",
    }
    fake.inject("stuck")
    stuck = call(fake, "POST", "/v2/posts", post_body()).json()["postSubmissionId"]
    fake.advance(3600)
    assert call(fake, "GET", f"/v2/posts/{stuck}").json()["status"] == "in-progress"
    assert len(fake.publications()) == 1  # the failed one will never be public


def test_media_routes(fake):
    assert call(fake, "POST", "/v2/media", {"url": "https://cdn.example.com/a.mp4"}).status_code == 201
    assert call(fake, "POST", "/v2/media", {"url": "ftp://x"}).status_code == 422
    upload = call(fake, "POST", "/v2/media/uploads", {"filename": "clip.mp4"}).json()
    assert requests.put(upload["presignedUrl"], data=b"12345", timeout=5).status_code == 200
    assert upload["publicUrl"].endswith("/clip.mp4")


def test_control_endpoints_drive_a_fake_in_another_process(fake):
    assert requests.post(fake.url + "/__fake__/keys", json={"key": "blt_other", "sandbox": True}, timeout=5).ok
    assert requests.post(fake.url + "/__fake__/faults", json={"fault": "status", "status": 503}, timeout=5).ok
    assert call(fake, "POST", "/v2/posts", post_body(), key="blt_other").status_code == 503
    call(fake, "POST", "/v2/posts", post_body(), key="blt_other")
    assert requests.get(fake.url + "/__fake__/publication-counts", timeout=5).json() == {"1001": 1}
    assert requests.post(fake.url + "/__fake__/reset", timeout=5).ok
    assert requests.get(fake.url + "/__fake__/submissions", timeout=5).json() == []


def test_unknown_routes_are_404(fake):
    assert call(fake, "GET", "/v2/accounts").json() == {"statusCode": 404, "message": "Not found"}


def test_concurrent_posts_are_each_counted_once_and_never_deduplicated(fake):
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda n: call(fake, "POST", "/v2/posts", post_body(text="same")).status_code, range(50)))
    assert codes == [201] * 50
    assert fake.publication_counts() == {"1001": 50}
    assert all("blotato-api-key" not in {h.lower() for h in r["headers"]} for r in fake.requests())
