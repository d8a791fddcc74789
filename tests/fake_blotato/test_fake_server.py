"""The fake Blotato's transport, auth, accounts, media and test controls, over real HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from publishing.fake_blotato import FakeBlotato
from tests.fake_blotato.calls import KEY, call, create, post_body, status_of


def test_a_fake_serves_on_a_free_loopback_port_until_stopped():
    with FakeBlotato() as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert call(fake, "GET", "/v2/users/me").status_code == 401
    try:
        requests.get(fake.url + "/v2/users/me", timeout=2)
        answered = True
    except requests.ConnectionError:
        answered = False
    assert answered is False


def test_a_missing_or_unknown_key_is_401(fake):
    assert call(fake, "GET", "/v2/users/me", key=None).json() == {"statusCode": 401, "message": "Unauthorized"}
    assert call(fake, "GET", "/v2/users/me", key=KEY.rstrip("=")).status_code == 401  # padding stripped
    assert call(fake, "GET", "/v2/users/me", key=KEY + "=").status_code == 401


def test_a_key_ending_in_padding_is_compared_byte_for_byte(fake):
    response = call(fake, "GET", "/v2/users/me")
    assert response.status_code == 200
    assert response.json()["apiKey"] == KEY
    assert response.json()["subscriptionStatus"] == "active_pro"


def test_a_key_without_an_api_plan_is_403(fake):
    fake.add_key("blt_free_trial=", [], no_plan=True)
    response = call(fake, "GET", "/v2/users/me/accounts", key="blt_free_trial=")
    assert response.status_code == 403
    assert response.json()["statusCode"] == 403


def test_a_rotated_key_is_401_and_the_new_key_sees_the_same_posts(fake):
    submission = create(fake, post_body())
    fake.rotate_key(KEY, "blt_rotated==")
    assert call(fake, "GET", "/v2/users/me").status_code == 401
    assert status_of(fake, submission, key="blt_rotated==")["status"] == "published"
    fake.remove_key("blt_rotated==")
    assert call(fake, "GET", "/v2/users/me", key="blt_rotated==").status_code == 401


def test_a_json_content_type_with_an_empty_body_is_fastifys_400(fake):
    for method, path in (("POST", "/v2/posts"), ("DELETE", "/v2/schedules/sch_x"), ("PATCH", "/v2/schedules/x")):
        response = call(fake, method, path, data=b"", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json() == {
            "statusCode": 400,
            "error": "Bad Request",
            "message": "Body cannot be empty when content-type is set to 'application/json'",
        }
    assert call(fake, "GET", "/v2/users/me", headers={"Content-Type": "application/json"}).status_code == 200


def test_a_bare_delete_without_content_type_is_fine(fake):
    assert call(fake, "DELETE", "/v2/schedules/sch_unknown").json() == {"message": "Schedule not found"}


def test_malformed_json_is_400_and_a_non_json_body_is_415(fake):
    broken = call(fake, "POST", "/v2/posts", data=b"{post:", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error"] == "Bad Request"
    text = call(fake, "POST", "/v2/posts", data=b"hello", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    assert fake.submissions() == []


def test_unknown_routes_are_404(fake):
    assert call(fake, "GET", "/v2/accounts").json() == {"statusCode": 404, "message": "Not found"}
    assert call(fake, "GET", "/posts").status_code == 404  # no /v2 prefix
    assert call(fake, "PUT", "/v2/posts", {}).status_code == 404


def test_accounts_are_listed_and_filtered_by_platform(fake):
    items = call(fake, "GET", "/v2/users/me/accounts").json()["items"]
    assert [a["id"] for a in items] == [str(n) for n in range(1001, 1010)]
    assert items[0] == {"id": "1001", "platform": "twitter", "fullname": "Demo Twitter", "username": "demo_twitter"}
    only = call(fake, "GET", "/v2/users/me/accounts", params={"platform": "tiktok"}).json()["items"]
    assert [(a["id"], a["username"]) for a in only] == [("1006", "demo_tiktok")]


def test_subaccounts_and_pinterest_boards(fake):
    pages = call(fake, "GET", "/v2/users/me/accounts/1003/subaccounts").json()
    assert pages == {"items": [{"id": "2001", "accountId": "1003", "name": "Demo Page"}]}
    assert call(fake, "GET", "/v2/users/me/accounts/1002/subaccounts").json()["items"][0]["id"] == "2002"
    assert call(fake, "GET", "/v2/users/me/accounts/1001/subaccounts").json() == {"items": []}
    boards = call(fake, "GET", "/v2/social/pinterest/boards", params={"accountId": "1005"}).json()
    assert boards == {"items": [{"id": "3001", "name": "Demo Board"}]}
    assert call(fake, "GET", "/v2/social/pinterest/boards").status_code == 400


def test_custom_key_fixtures(fake):
    fake.add_key(
        "blt_jane",
        [{"id": "98432", "platform": "facebook", "fullname": "Jane", "username": "jane"}],
        subaccounts={"98432": [{"id": "555", "accountId": "98432", "name": "Jane's Page"}]},
    )
    assert call(fake, "GET", "/v2/users/me/accounts", key="blt_jane").json()["items"][0]["id"] == "98432"
    body = post_body("facebook", "98432", target={"pageId": "555"})
    submission = create(fake, body, key="blt_jane")
    assert status_of(fake, submission, key="blt_jane")["publicUrl"].startswith("https://www.facebook.com/555/posts/")
    assert call(fake, "POST", "/v2/posts", post_body(), key="blt_jane").status_code == 422  # 1001 is not Jane's


def test_media_import_takes_a_public_url_or_a_data_uri(fake):
    imported = call(fake, "POST", "/v2/media", {"url": "https://cdn.example.com/clip.mp4"})
    assert imported.status_code == 201
    assert imported.json()["url"].startswith(fake.url + "/media/")
    assert imported.json()["url"].endswith(".mp4")
    assert imported.json()["id"].startswith("media_")
    data_uri = call(fake, "POST", "/v2/media", {"url": "data:image/png;base64,iVBORw0KGgo="})
    assert data_uri.status_code == 201 and data_uri.json()["url"].endswith(".png")
    for bad in ({"url": "ftp://example.com/a.mp4"}, {"url": "not a url"}, {"url": 5}, {"link": "https://a/b"}):
        assert call(fake, "POST", "/v2/media", bad).status_code == 422


def test_a_presigned_upload_accepts_raw_bytes_without_the_key(fake):
    slot = call(fake, "POST", "/v2/media/uploads", {"filename": "clip.mp4"})
    assert slot.status_code == 201
    presigned, public = slot.json()["presignedUrl"], slot.json()["publicUrl"]
    assert presigned.startswith(fake.url + "/__fake__/upload/")
    assert public.startswith("https://database.blotato.io/uploads/") and public.endswith("/clip.mp4")
    assert (
        requests.put(presigned, data=b"x" * 1234, headers={"Content-Type": "video/mp4"}, timeout=5).status_code == 200
    )
    assert fake.uploads() == {public: 1234}
    assert call(fake, "POST", "/v2/media/uploads", {"filename": "noextension"}).status_code == 422
    assert requests.put(fake.url + "/__fake__/upload/abc123", data=b"x", timeout=5).status_code == 403


def test_requests_are_recorded_without_the_api_key(fake):
    create(fake, post_body(text="recorded"))
    call(fake, "GET", "/v2/posts", params={"status": ["published", "failed"]})
    call(fake, "GET", "/v2/users/me", key=None)
    [posted] = fake.requests("POST", "/v2/posts")
    assert posted["body"]["post"]["content"]["text"] == "recorded"
    assert posted["status"] == 201
    assert fake.requests("GET", "/v2/posts")[0]["query"] == {"status": ["published", "failed"]}
    assert len(fake.requests()) == 3
    for request in fake.requests():
        assert "blotato-api-key" not in {name.lower() for name in request["headers"]}
        assert KEY not in repr(request)


def test_control_endpoints_drive_a_fake_from_another_process(fake):
    control = fake.url + "/__fake__"
    assert requests.post(control + "/keys", json={"key": "blt_other==", "sandbox": True}, timeout=5).ok
    fault = {"fault": "status", "status": 503, "times": 1}
    assert requests.post(control + "/faults", json=fault, timeout=5).ok
    assert call(fake, "POST", "/v2/posts", post_body(), key="blt_other==").status_code == 503
    assert requests.post(control + "/knobs", json={"publish_delay_s": 60}, timeout=5).ok
    submission = create(fake, post_body(text="via control"), key="blt_other==")
    assert status_of(fake, submission, key="blt_other==")["status"] == "in-progress"
    assert requests.post(control + "/advance", json={"seconds": 61}, timeout=5).ok
    assert status_of(fake, submission, key="blt_other==")["status"] == "published"

    assert requests.get(control + "/publication-counts", timeout=5).json() == {"1001": 1}
    [published] = requests.get(control + "/publications", params={"marker": "via"}, timeout=5).json()
    assert published["id"] == submission
    assert [s["id"] for s in requests.get(control + "/submissions", timeout=5).json()] == [submission]
    assert len(requests.get(control + "/requests", params={"method": "POST"}, timeout=5).json()) == 2

    outcome = {"outcome": "failed", "message": "Unsupported media type"}
    assert requests.post(control + f"/submissions/{submission}/outcome", json=outcome, timeout=5).ok
    assert status_of(fake, submission, key="blt_other==")["errorMessage"] == "Unsupported media type"
    assert requests.post(control + "/submissions/nope/outcome", json=outcome, timeout=5).status_code == 404

    assert requests.post(control + "/faults", json={"fault": "drop", "times": -1}, timeout=5).ok
    assert requests.delete(control + "/faults", timeout=5).ok
    assert call(fake, "GET", "/v2/users/me", key="blt_other==").status_code == 200
    assert requests.post(control + "/faults", json={"fault": "explode"}, timeout=5).status_code == 400
    assert requests.post(control + "/knobs", json={"no_such_knob": 1}, timeout=5).status_code == 400

    assert requests.post(control + "/reset", timeout=5).ok
    assert requests.get(control + "/submissions", timeout=5).json() == []
    assert call(fake, "GET", "/v2/users/me", key="blt_other==").status_code == 200  # keys survive a reset


def test_fifty_concurrent_posts_are_each_answered_and_counted_once(fake):
    def post(n: int) -> int:
        return call(fake, "POST", "/v2/posts", post_body(text=f"same post {n}")).status_code

    with ThreadPoolExecutor(25) as pool:
        codes = list(pool.map(post, range(50)))
    assert codes == [201] * 50
    assert fake.publication_counts() == {"1001": 50}
    assert len({s["id"] for s in fake.submissions()}) == 50
    assert len(fake.requests("POST", "/v2/posts")) == 50


def test_identical_posts_are_never_deduplicated(fake):
    first, second = create(fake, post_body(text="twice")), create(fake, post_body(text="twice"))
    assert first != second
    assert len(fake.publications(marker="twice")) == 2


def test_keep_alive_connections_serve_many_requests(fake):
    with requests.Session() as session:
        session.headers["blotato-api-key"] = KEY
        for _ in range(20):
            assert session.get(fake.url + "/v2/users/me", timeout=5).status_code == 200


def test_a_backfilled_post_is_published_in_the_past_with_readings_of_its_age(fake):
    from datetime import UTC, datetime, timedelta

    published_at = datetime.fromtimestamp(fake.state.now(), UTC) - timedelta(days=8)
    answer = requests.post(
        fake.url + "/__fake__/backfill",
        json={"key": KEY, "account_id": "1001", "text": "old post", "published_at": published_at.isoformat()},
        timeout=5,
    ).json()
    assert answer["public_url"].startswith("https://x.com/")
    published_id = fake.published_id(answer["submission_id"])
    readings = fake.snapshots(published_id)
    ages = [(datetime.fromisoformat(r["fetchedAt"]) - published_at).total_seconds() / 86400 for r in readings]
    assert [round(age) for age in ages] == [1, 7]
    future = requests.post(
        fake.url + "/__fake__/backfill",
        json={"key": KEY, "account_id": "1001", "text": "x", "published_at": "2999-01-01T00:00:00Z"},
        timeout=5,
    )
    assert future.status_code == 400
