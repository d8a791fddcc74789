"""The Blotato API client: one class, typed results, typed errors (shared/blotato-api.md).

Errors say what a caller may do next: `Rejected` (never retry), `RateLimited` (wait
`retry_after`), `NotSent` (provably never reached Blotato: safe to resend) and `UnknownOutcome`
(Blotato may have the post: look before resending). POSTs are never retried here; only GETs
are retried by the transport. The key is sent byte-exact and never logged.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://backend.blotato.com"


class BlotatoError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class Rejected(BlotatoError):
    """Blotato refused the request (4xx): nothing was created; do not retry as is."""


class AuthRejected(Rejected):
    """The key is missing, wrong, or its plan has no API access (401/403)."""


class RateLimited(BlotatoError):
    """429: nothing was created; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, 429)
        self.retry_after = retry_after


class NotSent(BlotatoError):
    """The request never reached Blotato (DNS, refused, connect timeout): safe to resend."""


class UnknownOutcome(BlotatoError):
    """The request may have been acted on: no answer after sending, or a 5xx."""

    def __init__(self, message: str, status: int | None = None, *, server_answered: bool):
        super().__init__(message, status)
        self.server_answered = server_answered


@dataclass(frozen=True)
class CreatedPost:
    submission_id: str
    scheduled_time: datetime | None = None


@dataclass(frozen=True)
class PostStatus:
    submission_id: str
    status: str
    public_url: str | None = None
    error_message: str | None = None
    scheduled_time: datetime | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in ("published", "failed")


@dataclass(frozen=True)
class ListedPost:
    id: str
    platform: str
    text: str
    media_urls: list[str] = field(default_factory=list)
    post_time: datetime | None = None
    state: str = ""
    post_url: str | None = None
    error_message: str | None = None
    account_id: str | None = None
    submission_id: str | None = None


@dataclass(frozen=True)
class Account:
    id: str
    platform: str
    fullname: str = ""
    username: str = ""


@dataclass(frozen=True)
class Subaccount:
    id: str
    account_id: str
    name: str = ""


@dataclass(frozen=True)
class Board:
    id: str
    name: str = ""


@dataclass(frozen=True)
class UploadedMedia:
    url: str
    id: str | None = None


_RETRY_IN = re.compile(r"retry in (\d+(?:\.\d+)?)\s*(second|minute)", re.IGNORECASE)


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def retry_after_seconds(response: requests.Response, message: str) -> float:
    """Retry-After (seconds or HTTP date), else "retry in N seconds" in the message, else 60."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    found = _RETRY_IN.search(message or "")
    if found:
        return float(found.group(1)) * (60 if found.group(2).lower() == "minute" else 1)
    return 60.0


def _never_reached(error: Exception) -> bool:
    """True when a connection error happened before the request could be sent."""
    seen: object = error
    for _ in range(10):  # a short walk down the chain of wrapped errors
        if isinstance(seen, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
            return True
        if not isinstance(seen, BaseException):
            return False
        # requests wraps urllib3's MaxRetryError in args, not as __cause__.
        wrapped = seen.args[0] if seen.args and isinstance(seen.args[0], Exception) else None
        seen = seen.__cause__ or seen.__context__ or wrapped or getattr(seen, "reason", None)
    return False


class BlotatoClient:
    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        media_read_timeout: float = 120.0,
        session: requests.Session | None = None,
    ) -> None:
        base = base_url.rstrip("/")
        self.base_url = base if base.endswith("/v2") else base + "/v2"
        self._key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self.media_timeout = (connect_timeout, media_read_timeout)
        self.session = session or requests.Session()
        # Transport retries for reads only: a POST is never repeated behind our back.
        gets = Retry(
            total=2,
            connect=2,
            read=0,
            status=2,
            backoff_factor=0.3,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=False,
            raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=gets, pool_maxsize=32))
        self.session.mount("https://", HTTPAdapter(max_retries=gets, pool_maxsize=32))

    def __repr__(self) -> str:
        return f"BlotatoClient(base_url={self.base_url!r}, key=…{self._key[-4:]})"

    def close(self) -> None:
        self.session.close()

    # --- endpoints -------------------------------------------------------------------------

    def create_post(
        self,
        *,
        account_id: str,
        platform: str,
        text: str,
        media_urls: list[str],
        target: dict,
        scheduled_time: datetime | None = None,
        additional_posts: list[dict] | None = None,
    ) -> CreatedPost:
        platform = "twitter" if platform == "x" else platform
        content: dict = {"text": text, "mediaUrls": list(media_urls), "platform": platform}
        if additional_posts:
            content["additionalPosts"] = additional_posts
        body: dict = {
            "post": {"accountId": str(account_id), "content": content, "target": {**target, "targetType": platform}}
        }
        if scheduled_time is not None:
            # At the root: nested inside `post`, Blotato ignores it and publishes at once.
            body["scheduledTime"] = scheduled_time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        data = self._call("POST", "/posts", json=body)
        submission_id = data.get("postSubmissionId")
        if not submission_id:
            raise UnknownOutcome("Blotato answered without a postSubmissionId", 201, server_answered=True)
        return CreatedPost(str(submission_id), _iso(data.get("scheduledTime")))

    def post_status(self, submission_id: str) -> PostStatus:
        data = self._call("GET", f"/posts/{submission_id}")
        return PostStatus(
            submission_id=str(data.get("postSubmissionId") or submission_id),
            status=str(data.get("status") or "in-progress"),
            public_url=_text(data.get("publicUrl")),
            error_message=_text(data.get("errorMessage")),
            scheduled_time=_iso(data.get("scheduledTime")),
        )

    def list_posts(
        self,
        *,
        since: datetime,
        until: datetime,
        platform: str | None = None,
        statuses: list[str] | None = None,
        max_pages: int = 10,
        page_size: int = 100,
    ) -> list[ListedPost]:
        params: list[tuple[str, str]] = [
            ("since", since.astimezone(UTC).isoformat().replace("+00:00", "Z")),
            ("until", until.astimezone(UTC).isoformat().replace("+00:00", "Z")),
            ("limit", str(page_size)),
        ]
        if platform:
            params.append(("platform", platform))
        params += [("status", s) for s in statuses or []]
        found: list[ListedPost] = []
        cursor = None
        for _ in range(max_pages):
            data = self._call("GET", "/posts", params=params + ([("cursor", cursor)] if cursor else []))
            for item in data.get("items") or []:
                state = item.get("state") or {}
                found.append(
                    ListedPost(
                        id=str(item.get("id", "")),
                        platform=str(item.get("platform", "")),
                        text=str(item.get("text", "")),
                        media_urls=[str(u) for u in item.get("mediaUrls") or []],
                        post_time=_iso(item.get("postTime")),
                        state=str(state.get("type", "")),
                        post_url=_text(state.get("postUrl")),
                        error_message=_text(state.get("errorMessage")),
                        account_id=_text(item.get("accountId")),
                        submission_id=_text(item.get("postSubmissionId")),
                    )
                )
            cursor = data.get("cursor")
            if not cursor:
                break
        return found

    def me(self) -> dict:
        return self._call("GET", "/users/me")

    def accounts(self, platform: str | None = None) -> list[Account]:
        data = self._call("GET", "/users/me/accounts", params={"platform": platform} if platform else None)
        return [
            Account(str(a.get("id")), str(a.get("platform", "")), a.get("fullname") or "", a.get("username") or "")
            for a in data.get("items") or []
        ]

    def subaccounts(self, account_id: str) -> list[Subaccount]:
        data = self._call("GET", f"/users/me/accounts/{account_id}/subaccounts")
        return [
            Subaccount(str(s.get("id")), str(s.get("accountId") or account_id), s.get("name") or "")
            for s in data.get("items") or []
        ]

    def pinterest_boards(self, account_id: str) -> list[Board]:
        data = self._call("GET", "/social/pinterest/boards", params={"accountId": account_id})
        return [Board(str(b.get("id")), b.get("name") or "") for b in data.get("items") or []]

    def upload_media(self, url: str) -> UploadedMedia:
        data = self._call("POST", "/media", json={"url": url}, timeout=self.media_timeout)
        return UploadedMedia(str(data.get("url", "")), _text(data.get("id")))

    # --- transport -------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, json: dict | None = None, params=None, timeout=None) -> dict:
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers={"blotato-api-key": self._key, "Accept": "application/json"},
                timeout=timeout or self.timeout,
            )
        except requests.ConnectTimeout as error:
            raise NotSent(f"could not connect to Blotato ({type(error).__name__})") from None
        except requests.ReadTimeout:
            raise UnknownOutcome("no answer from Blotato before the read timeout", server_answered=False) from None
        except requests.ConnectionError as error:
            if _never_reached(error):
                raise NotSent(f"could not connect to Blotato ({type(error).__name__})") from None
            raise UnknownOutcome("the connection to Blotato broke before an answer", server_answered=False) from None
        except requests.RequestException as error:
            raise UnknownOutcome(f"request to Blotato failed ({type(error).__name__})", server_answered=False) from None
        logger.info(
            "blotato %s %s -> %s in %d ms", method, path, response.status_code, (time.monotonic() - started) * 1000
        )
        return self._read(response, method)

    @staticmethod
    def _read(response: requests.Response, method: str) -> dict:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        message = data.get("message") if isinstance(data, dict) and isinstance(data.get("message"), str) else ""
        if 200 <= status < 300:
            if response.status_code == 204:
                return {}
            if not isinstance(data, dict):
                raise UnknownOutcome(f"Blotato answered HTTP {status} without JSON", status, server_answered=True)
            return data
        if status == 429:
            raise RateLimited(message or "HTTP 429", retry_after_seconds(response, message))
        if status in (401, 403):
            raise AuthRejected(message or f"HTTP {status}", status)
        if 400 <= status < 500:
            raise Rejected(message or f"HTTP {status}", status)
        raise UnknownOutcome(message or f"HTTP {status}", status, server_answered=True)
