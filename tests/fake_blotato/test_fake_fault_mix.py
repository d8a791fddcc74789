"""The fault mix knob: a share of a route's requests answered with a fault, drawn per request."""

from __future__ import annotations

from collections import Counter

import pytest
import requests

from tests.fake_blotato.calls import call, post_body


def test_a_full_share_faults_every_request_of_its_route_only(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "status", "status": 500, "share": 1.0}]})
    assert [call(fake, "POST", "/v2/posts", post_body()).status_code for _ in range(3)] == [500] * 3
    assert call(fake, "GET", "/v2/posts").status_code == 200
    assert fake.submissions() == []


def test_shares_split_the_requests_between_faults_and_normal_answers(fake):
    fake.set_knobs(
        fault_mix={
            "POST /posts": [
                {"fault": "status", "status": 500, "share": 0.4},
                {"fault": "rate_limit", "retry_after": 2, "share": 0.2},
            ]
        }
    )
    answers = Counter(call(fake, "POST", "/v2/posts", post_body(text=f"p{n}")).status_code for n in range(300))
    assert set(answers) == {201, 429, 500}
    # Binomial bounds more than five standard deviations wide: a liveness check, not statistics.
    assert 80 <= answers[500] <= 160
    assert 25 <= answers[429] <= 95
    assert len(fake.submissions()) == answers[201]


def test_a_drawn_429_carries_its_delay(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "rate_limit", "retry_after": 7, "share": 1}]})
    response = call(fake, "POST", "/v2/posts", post_body())
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")


def test_a_drawn_accept_then_drop_creates_the_post_but_answers_nothing(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "accept_then_drop", "share": 1.0}]})
    with pytest.raises(requests.ConnectionError):
        call(fake, "POST", "/v2/posts", post_body(text="ghost"))
    assert [p["text"] for p in fake.publications()] == ["ghost"]


def test_a_drawn_timeout_hangs_and_creates_nothing(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "timeout", "seconds": 1, "share": 1.0}]})
    with pytest.raises(requests.ReadTimeout):
        call(fake, "POST", "/v2/posts", post_body(), timeout=0.3)
    assert fake.submissions() == []


def test_an_injected_fault_goes_before_the_mix(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "status", "status": 500, "share": 1.0}]})
    fake.inject("status", status=503)
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 503
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 500


def test_reset_and_none_clear_the_mix(fake):
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "status", "status": 500, "share": 1.0}]})
    fake.set_knobs(fault_mix=None)
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201
    fake.set_knobs(fault_mix={"POST /posts": [{"fault": "status", "status": 500, "share": 1.0}]})
    fake.reset()
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201


def test_the_mix_can_be_set_through_the_control_endpoint(fake):
    mix = {"GET /posts": [{"fault": "status", "status": 503, "share": 1.0}]}
    assert requests.post(f"{fake.url}/__fake__/knobs", json={"fault_mix": mix}, timeout=5).status_code == 200
    assert call(fake, "GET", "/v2/posts").status_code == 503


@pytest.mark.parametrize(
    "mix",
    [
        {"POST /v2/posts": [{"fault": "status", "status": 500, "share": 0.1}]},  # routes without /v2
        {"POST /posts": [{"fault": "explode", "share": 0.1}]},
        {"POST /posts": [{"fault": "status", "share": 0.1}]},  # a status fault needs status
        {"POST /posts": [{"fault": "drop", "share": 1.5}]},
        {"POST /posts": [{"fault": "drop", "share": -0.1}]},
        {"POST /posts": [{"fault": "drop", "share": True}]},
        {"POST /posts": [{"fault": "drop"}]},
        {"POST /posts": [{"fault": "drop", "share": 0.1, "times": 3}]},
        {"POST /posts": [{"fault": "drop", "share": 0.6}, {"fault": "timeout", "share": 0.6}]},
        {"GET /posts": [{"fault": "accept_then_drop", "share": 0.1}]},
        {"POST /posts": {"fault": "drop", "share": 0.1}},
        [("POST /posts", 0.1)],
    ],
)
def test_nonsense_mixes_are_refused_and_leave_the_knob_alone(fake, mix):
    with pytest.raises(ValueError):
        fake.set_knobs(fault_mix=mix)
    assert fake.state.knob("fault_mix") is None
    assert call(fake, "POST", "/v2/posts", post_body()).status_code == 201
