"""Injected faults and rate limits: what the client sees, and what Blotato would have published."""

from __future__ import annotations

import pytest
import requests

from tests.fake_blotato.calls import call, create, post_body, status_of


def test_a_500_fault_answers_blotatos_unknown_error_and_creates_nothing(fake):
    fake.inject("status", status=500)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert (response.status_code, response.json()) == (500, {"code": 9999, "message": "An unknown error occurred."})
    assert fake.submissions() == []
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201  # used up after one


@pytest.mark.parametrize(
    ("status", "message", "body"),
    [
        (400, None, {"statusCode": 400, "message": "Bad Request"}),
        (401, None, {"statusCode": 401, "message": "Unauthorized"}),
        (403, "Subscription inactive", {"statusCode": 403, "message": "Subscription inactive"}),
        (404, None, {"statusCode": 404, "message": "Not found"}),
        (422, "post.target: bad", {"statusCode": 422, "message": "post.target: bad"}),
    ],
)
def test_client_error_faults_answer_json(fake, status, message, body):
    fake.inject("status", status=status, message=message)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert (response.status_code, response.json()) == (status, body)
    assert fake.submissions() == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_faults_answer_html(fake, status):
    fake.inject("status", status=status)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>")
    assert fake.publications() == []


def test_a_200_fault_is_a_maintenance_page(fake):
    fake.inject("status", status=200)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert (response.status_code, response.text) == (200, "<html>maintenance</html>")
    assert fake.submissions() == []


def test_a_429_fault_carries_retry_after_in_header_and_message(fake):
    fake.inject("status", status=429, retry_after=49)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert response.status_code == 429
    assert response.json() == {
        "statusCode": 429,
        "error": "Too Many Requests",
        "message": "Rate limit exceeded, retry in 49 seconds",
    }
    assert response.headers["retry-after"] == "49"
    fake.inject("rate_limit")
    assert call(fake, "POST", "/v2/posts", post_body()).headers["retry-after"] == "30"
    assert fake.submissions() == []


def test_rate_limit_headers_can_be_switched_off(fake):
    fake.set_knobs(retry_after_header=False, ratelimit_headers=False)
    fake.inject("rate_limit", retry_after=12)
    response = call(fake, "POST", "/v2/posts", post_body())
    assert response.json()["message"] == "Rate limit exceeded, retry in 12 seconds"
    assert not {"retry-after", "x-ratelimit-limit", "x-ratelimit-reset"} & {h.lower() for h in response.headers}


def test_a_timeout_fault_hangs_past_the_clients_timeout_and_creates_nothing(fake):
    fake.inject("timeout", seconds=1)
    with pytest.raises(requests.ReadTimeout):
        call(fake, "POST", "/v2/posts", post_body(), timeout=0.3)
    assert fake.submissions() == []
    assert len(fake.requests("POST", "/v2/posts")) == 1


def test_a_drop_fault_closes_the_connection_without_an_answer(fake):
    fake.inject("drop")
    with pytest.raises(requests.ConnectionError):
        call(fake, "POST", "/v2/posts", post_body())
    assert fake.submissions() == []
    assert fake.requests("POST", "/v2/posts")[0]["status"] is None


def test_accept_then_drop_publishes_though_the_client_got_no_answer(fake):
    fake.inject("accept_then_drop")
    with pytest.raises(requests.ConnectionError):
        call(fake, "POST", "/v2/posts", post_body(text="ghost"))
    assert fake.publication_counts() == {"1001": 1}
    assert [p["text"] for p in fake.publications()] == ["ghost"]


def test_accept_then_hang_publishes_though_the_client_timed_out(fake):
    fake.inject("accept_then_hang", seconds=1)
    with pytest.raises(requests.ReadTimeout):
        call(fake, "POST", "/v2/posts", post_body(text="slow ghost"), timeout=0.3)
    assert [p["text"] for p in fake.publications()] == ["slow ghost"]


def test_accept_then_500_publishes_though_the_client_saw_an_error(fake):
    fake.inject("accept_then_500")
    response = call(fake, "POST", "/v2/posts", post_body(text="hidden"))
    assert (response.status_code, response.json()) == (500, {"code": 9999, "message": "An unknown error occurred."})
    assert len(fake.publications(marker="hidden")) == 1
    listed = call(fake, "GET", "/v2/posts").json()["items"]  # reconciliation can find it
    assert [i["text"] for i in listed] == ["hidden"]


def test_platform_fail_is_accepted_then_fails(fake):
    fake.inject("platform_fail")
    submission = create(fake, post_body())
    assert status_of(fake, submission) == {
        "postSubmissionId": submission,
        "status": "failed",
        "errorMessage": "Invalid account credentials",
    }
    assert fake.publications() == []
    assert fake.submissions()[0]["error_message"] == "Invalid account credentials"


def test_a_stuck_post_stays_in_progress_forever_and_is_not_listed(fake):
    fake.inject("stuck")
    submission = create(fake, post_body())
    fake.advance(86400)
    assert status_of(fake, submission)["status"] == "in-progress"
    assert call(fake, "GET", "/v2/posts").json()["items"] == []
    assert len(fake.publications()) == 1  # it may still go out: count it


def test_faults_narrow_by_marker_and_count_down(fake):
    fake.inject("status", status=500, marker="boom", times=2)
    assert call(fake, "POST", "/v2/posts", post_body(text="calm")).status_code == 201
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 1")).status_code == 500
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 2")).status_code == 500
    assert call(fake, "POST", "/v2/posts", post_body(text="boom 3")).status_code == 201


def test_faults_narrow_by_account(fake):
    fake.inject("platform_fail", account_id="1008", message="Bluesky said no")
    tweet = create(fake, post_body())
    skeet = create(fake, post_body("bluesky", "1008"))
    assert status_of(fake, tweet)["status"] == "published"
    assert status_of(fake, skeet)["errorMessage"] == "Bluesky said no"
    assert fake.publication_counts() == {"1001": 1}


def test_a_forever_fault_lasts_until_cleared(fake):
    fake.inject("status", status=503, times=-1)
    assert [call(fake, "POST", "/v2/posts", post_body()).status_code for _ in range(4)] == [503] * 4
    fake.clear_faults()
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201


def test_a_fault_on_another_route_leaves_posts_alone(fake):
    submission = create(fake, post_body())
    fake.inject("status", status=503, route="GET /posts/{id}")
    assert call(fake, "GET", f"/v2/posts/{submission}").status_code == 503
    assert call(fake, "GET", f"/v2/posts/{submission}").status_code == 200


def test_an_accepting_fault_waits_for_a_post_that_is_accepted(fake):
    fake.inject("platform_fail")
    assert call(fake, "POST", "/v2/posts", post_body(account="9999")).status_code == 422
    assert status_of(fake, create(fake, post_body()))["status"] == "failed"


def test_nonsense_faults_are_refused(fake):
    with pytest.raises(ValueError):
        fake.inject("explode")
    with pytest.raises(ValueError):
        fake.inject("status", status=500, route="POST /v2/posts")  # routes are named without /v2
    with pytest.raises(ValueError):
        fake.inject("accept_then_drop", route="GET /posts")


def test_latency_can_push_an_answer_past_the_clients_timeout(fake):
    fake.set_knobs(latency_s=1.0)
    with pytest.raises(requests.ReadTimeout):
        call(fake, "GET", "/v2/users/me", timeout=0.3)


def test_rate_limit_refuses_after_the_limit_creates_nothing_and_resets_with_the_window(fake):
    fake.set_knobs(rate_limits={"POST /posts": 3})
    answers = [call(fake, "POST", "/v2/posts", post_body(text=f"n{n}")) for n in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["x-ratelimit-limit"] == "3"
    limited = answers[3]
    seconds = int(limited.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert limited.json() == {
        "statusCode": 429,
        "error": "Too Many Requests",
        "message": f"Rate limit exceeded, retry in {seconds} seconds",
    }
    assert [p["text"] for p in fake.publications()] == ["n0", "n1", "n2"]
    assert call(fake, "GET", "/v2/users/me").status_code == 200  # other routes keep their own budget
    fake.advance(60)
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201


def test_rate_limits_are_per_key(fake):
    fake.set_knobs(rate_limits={"POST /posts": 1})
    fake.add_sandbox_key("blt_second")
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 429
    assert call(fake, "POST", "/v2/posts", post_body(), key="blt_second").status_code == 201


def test_the_default_limit_is_thirty_posts_a_minute(fake):
    fake.reset()  # back to the default knobs, limits included
    codes = [call(fake, "POST", "/v2/posts", post_body()).status_code for _ in range(31)]
    assert codes == [201] * 30 + [429]
    assert len(fake.submissions()) == 30
