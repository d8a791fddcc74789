"""The fake's media host: POST /v2/media keeps what it hosts and serves it back, within its limits,
and a create's mediaUrls must be media it hosts or a public https URL, as Blotato must fetch them."""

from __future__ import annotations

import base64

import pytest
import requests

from tests.fake_blotato.calls import KEY, call, post_body


def data_uri(data: bytes, mime: str = "video/mp4") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def host(fake, data: bytes, mime: str = "video/mp4") -> requests.Response:
    return call(fake, "POST", "/v2/media", {"url": data_uri(data, mime)})


def test_a_data_uri_is_hosted_and_served_back_byte_for_byte_without_a_key(fake):
    payload = bytes(range(256)) * 40
    answer = host(fake, payload)
    assert answer.status_code == 201
    url = answer.json()["url"]
    assert url.startswith(fake.url + "/media/") and url.endswith(".mp4")
    assert answer.json()["id"].startswith("media_")
    served = requests.get(url, timeout=5)
    assert served.status_code == 200
    assert served.content == payload
    assert served.headers["Content-Type"] == "video/mp4"
    [(name, kept)] = fake.media().items()
    assert url.endswith(name) and kept == {"bytes": len(payload), "content_type": "video/mp4", "source": "data"}


def test_a_url_import_is_served_as_a_redirect_to_its_source(fake):
    url = call(fake, "POST", "/v2/media", {"url": "https://cdn.example.com/a/clip.mov"}).json()["url"]
    served = requests.get(url, timeout=5, allow_redirects=False)
    assert served.status_code == 302 and served.headers["Location"] == "https://cdn.example.com/a/clip.mov"
    assert requests.get(fake.url + "/media/" + "0" * 32 + ".mp4", timeout=5).status_code == 404


def test_the_request_log_keeps_a_data_uri_short(fake):
    host(fake, b"x" * 10_000)
    [logged] = fake.requests("POST", "/v2/media")
    assert logged["body"]["url"].startswith("data:video/mp4;base64,")
    assert len(logged["body"]["url"]) < 200


def test_a_file_over_the_size_knob_is_422_and_not_hosted(fake):
    fake.set_knobs(media_max_bytes=1000)
    assert host(fake, b"x" * 1000).status_code == 201
    refused = host(fake, b"x" * 1001)
    assert refused.status_code == 422
    assert refused.json()["message"] == "body.url: media must NOT be larger than 1000 bytes (got 1001)"
    assert len(fake.media()) == 1


def test_post_media_has_its_own_rate_limit_with_retry_after(fake):
    fake.set_knobs(rate_limits={"POST /media": 2})
    assert [host(fake, b"a").status_code for _ in range(2)] == [201, 201]
    limited = host(fake, b"a")
    assert limited.status_code == 429
    assert limited.json()["message"].startswith("Rate limit exceeded, retry in")
    assert int(limited.headers["retry-after"]) > 0
    fake.advance(60)
    assert host(fake, b"a").status_code == 201


def test_a_5xx_before_hosting_keeps_nothing_and_accept_then_500_keeps_a_copy(fake):
    fake.inject("status", route="POST /media", status=503)
    assert host(fake, b"one").status_code == 503
    assert fake.media() == {}
    fake.inject("accept_then_500", route="POST /media")
    failed = host(fake, b"two")
    assert failed.status_code == 500 and failed.json() == {"code": 9999, "message": "An unknown error occurred."}
    assert [m["bytes"] for m in fake.media().values()] == [3]  # hosted all the same


def test_the_fault_mix_applies_to_media_too(fake):
    fake.set_knobs(fault_mix={"POST /media": [{"fault": "status", "share": 1.0, "status": 500}]})
    assert {host(fake, b"z").status_code for _ in range(3)} == {500}
    fake.set_knobs(fault_mix=None)
    assert host(fake, b"z").status_code == 201


def test_accepting_faults_other_than_drop_and_500_are_refused_for_media(fake):
    with pytest.raises(ValueError, match="only applies to 'POST /posts'"):
        fake.inject("platform_fail", route="POST /media")


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example.com/v.mp4",  # not https
        "https://127.0.0.1/v.mp4",
        "https://10.0.0.7/v.mp4",
        "https://localhost/v.mp4",
        "https://nas/v.mp4",  # an intranet name
        "http://127.0.0.1:5555/media/clips/v.mp4",  # this install's own disk, on a laptop
    ],
)
def test_a_create_with_media_blotato_could_not_fetch_is_422(fake, url):
    refused = call(fake, "POST", "/v2/posts", post_body("twitter", "1001", media=[url]))
    assert refused.status_code == 422
    assert refused.json()["message"] == (
        "post.content.mediaUrls.0: must be a public https URL or media hosted by Blotato"
    )
    fake.set_knobs(media_urls_mode="any")
    assert call(fake, "POST", "/v2/posts", post_body("twitter", "1001", media=[url])).status_code == 201


def test_a_create_takes_media_the_fake_hosts_and_public_https_urls(fake):
    hosted = host(fake, b"video").json()["url"]
    assert hosted.startswith("http://127.0.0.1")  # the fake's own address: allowed because it hosts it
    slot = call(fake, "POST", "/v2/media/uploads", {"filename": "big.mp4"}).json()
    requests.put(slot["presignedUrl"], data=b"x" * 10, headers={"Content-Type": "video/mp4"}, timeout=5)
    media = [hosted, slot["publicUrl"], "https://cdn.example.com/v.mp4"]
    for url in media:
        assert call(fake, "POST", "/v2/posts", post_body("twitter", "1001", media=[url])).status_code == 201
    made_up = fake.url + "/media/" + "f" * 32 + ".mp4"
    assert call(fake, "POST", "/v2/posts", post_body("twitter", "1001", media=[made_up])).status_code == 422


def test_media_is_listed_through_the_control_api(fake):
    host(fake, b"abc", "image/png")
    listed = requests.get(fake.url + "/__fake__/media", timeout=5).json()
    assert [m["content_type"] for m in listed.values()] == ["image/png"]
    assert KEY not in str(listed)
