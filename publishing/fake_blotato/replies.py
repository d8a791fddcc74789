"""What the fake answers: a `Reply` (or a deliberate silence) and Blotato's error shapes (docs/blotato.md, "Errors")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING

from .records import Fault, KeyData

if TYPE_CHECKING:
    from .state import FakeState

DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    422: "Unprocessable Entity",
}


@dataclass
class Reply:
    status: int | None  # None: close the connection without a word
    body: object = None  # JSON-able, or bytes sent as they are
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    wait: float = 0.0  # seconds to sleep first (hanging past a client's timeout)

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Call:
    """One authenticated request to a Blotato route."""

    state: FakeState
    key: str
    data: KeyData
    params: dict[str, str]
    query: dict[str, list[str]]
    body: object
    base_url: str
    drawn: Fault | None = None  # an accepting fault the fault mix drew for this request

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


def ok(body: object, status: int = 200) -> Reply:
    return Reply(status, body)


def no_content() -> Reply:
    return Reply(204)


def error(status: int, message: str | None = None) -> Reply:
    return Reply(status, {"statusCode": status, "message": message or DEFAULT_MESSAGES.get(status, _phrase(status))})


def bad_request(message: str) -> Reply:
    """Fastify's own 400 shape (body parsing, querystring schema)."""
    return Reply(400, {"statusCode": 400, "error": "Bad Request", "message": message})


def unprocessable(message: str) -> Reply:
    """Blotato's 422: just the AJV-style message."""
    return Reply(422, {"message": message})


def not_found() -> Reply:
    return error(404, "Not found")


def silence(seconds: float = 0.0) -> Reply:
    return Reply(None, wait=seconds)


def rate_limited(
    seconds: int, limit: int | None, *, retry_after: bool, ratelimit: bool, message: str | None = None
) -> Reply:
    """@fastify/rate-limit's 429, headers switchable because Blotato never documented them."""
    reply = Reply(
        429,
        {
            "statusCode": 429,
            "error": "Too Many Requests",
            "message": message or f"Rate limit exceeded, retry in {seconds} seconds",
        },
    )
    if retry_after:
        reply.headers["retry-after"] = str(seconds)
    if ratelimit:
        if limit is not None:
            reply.headers["x-ratelimit-limit"] = str(limit)
        reply.headers["x-ratelimit-remaining"] = "0"
        reply.headers["x-ratelimit-reset"] = str(seconds)
    return reply


def fault_reply(fault: Fault, *, retry_after: bool, ratelimit: bool, hang_seconds: float) -> Reply:
    """The answer of a refusing fault (status, rate_limit, timeout, drop): nothing is created."""
    if fault.fault == "drop":
        return silence()
    if fault.fault == "timeout":
        return silence(fault.seconds if fault.seconds is not None else hang_seconds)
    status = 429 if fault.fault == "rate_limit" else int(fault.status or 500)
    if status == 429:
        return rate_limited(
            fault.retry_after or 30, None, retry_after=retry_after, ratelimit=ratelimit, message=fault.message
        )
    if status == 500:
        return Reply(500, {"code": 9999, "message": fault.message or "An unknown error occurred."})
    if status in (502, 503, 504):  # a gateway's page, not Blotato's JSON
        title = f"{status} {_phrase(status)}"
        text = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return Reply(status, text.encode(), content_type="text/html")
    if 200 <= status < 300:  # a maintenance page behind a 200
        return Reply(status, b"<html>maintenance</html>", content_type="text/html")
    return error(status, fault.message)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
