"""Raw HTTP helpers for the fake Blotato tests: no client of ours, just requests over loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

# Ends in "==" on purpose: Blotato keys carry base64 padding that must survive byte for byte.
KEY = "blt_fake_suite_key_Zm9vYmFy=="

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
