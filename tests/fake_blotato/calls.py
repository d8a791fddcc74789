"""Raw HTTP helpers for the fake Blotato tests: no client of ours, just requests over loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

# Ends in "==" on purpose: Blotato keys carry base64 padding that must survive byte for byte.
KEY = "blt_fake_suite_key_Zm9vYmFy=="

VIDEO = ["https://cdn.example.com/v.mp4"]
TIKTOK_TARGET = {
    "privacyLevel": "PUBLIC_TO_EVERYONE",
    "disabledComments": False,
    "disabledDuet": False,
    "disabledStitch": False,
    "isBrandedContent": False,
    "isYourBrand": False,
    "isAiGenerated": False,
}


def call(fake, method: str, path: str, body=None, *, key: str | None = KEY, timeout: float = 5, **kwargs):
    """One request to the fake; `body` is sent as JSON when given."""
    headers = {"blotato-api-key": key} if key is not None else {}
    headers.update(kwargs.pop("headers", {}))
    if body is not None:
        kwargs["json"] = body
    return requests.request(method, fake.url + path, headers=headers, timeout=timeout, **kwargs)


def create(fake, body, **kwargs) -> str:
    """POST a post that must be accepted; its postSubmissionId."""
    response = call(fake, "POST", "/v2/posts", body, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()["postSubmissionId"]


def status_of(fake, submission_id: str, **kwargs) -> dict:
    response = call(fake, "GET", f"/v2/posts/{submission_id}", **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def post_body(platform="twitter", account="1001", text="hello", media=(), target=None, **root) -> dict:
    return {
        "post": {
            "accountId": account,
            "content": {"text": text, "mediaUrls": list(media), "platform": platform},
            "target": {"targetType": platform, **(target or {})},
        },
        **root,
    }


def iso_in(start: datetime | None = None, **delta) -> str:
    """An ISO 8601 UTC time `delta` after `start` (default: real now, where a reset fake clock is)."""
    return ((start or datetime.now(UTC)) + timedelta(**delta)).isoformat().replace("+00:00", "Z")


def sandbox_post(platform: str = "twitter", text: str = "hello") -> dict:
    """A complete post for the sandbox account on `platform` (see FakeBlotato.add_sandbox_key)."""
    bodies = {
        "twitter": lambda: post_body("twitter", "1001", text=text),
        "linkedin": lambda: post_body("linkedin", "1002", text=text, target={"pageId": "2002"}),
        "facebook": lambda: post_body("facebook", "1003", text=text, target={"pageId": "2001"}),
        "instagram": lambda: post_body("instagram", "1004", text=text, media=VIDEO),
        "pinterest": lambda: post_body("pinterest", "1005", text=text, media=VIDEO, target={"boardId": "3001"}),
        "tiktok": lambda: post_body("tiktok", "1006", text=text, media=VIDEO, target=TIKTOK_TARGET),
        "threads": lambda: post_body("threads", "1007", text=text),
        "bluesky": lambda: post_body("bluesky", "1008", text=text),
        "youtube": lambda: post_body(
            "youtube",
            "1009",
            text=text,
            media=VIDEO,
            target={"title": "A title", "privacyStatus": "public", "shouldNotifySubscribers": False},
        ),
    }
    return bodies[platform]()


def at_age(fake, start: datetime, seconds: float) -> None:
    """Move the fake clock to `seconds` after `start` (a fake-clock time taken before publishing)."""
    fake.advance(max(0.0, (start + timedelta(seconds=seconds) - fake.now()).total_seconds()))


def advance_to_hour(fake, hour: int) -> None:
    """Move the fake clock to half past `hour` UTC, later today or tomorrow."""
    now = fake.now()
    target = now.replace(hour=hour, minute=30, second=0, microsecond=0)
    fake.advance((target - now).total_seconds() % 86400)
