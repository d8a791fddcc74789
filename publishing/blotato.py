"""The Blotato API client: one class, typed results, typed errors (the API: docs/blotato.md).

POSTs are never repeated by the transport; only GETs are retried there. The key goes out
byte-exact in `blotato-api-key` and never into a log line, an error or a repr. No Django here.
It holds what MediaPoster calls: posts, their status and list, and the accounts to post from.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .blotato_errors import (
    AuthRejected,
    BlotatoError,
    NotSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
    error_for_exception,
    error_for_status,
)

__all__ = [
    "Account",
    "AuthRejected",
    "BlotatoClient",
    "BlotatoError",
    "Board",
    "CreatedPost",
    "HostedMedia",
    "ListedPost",
    "NotSent",
    "PostStatus",
    "RateLimited",
    "Rejected",
    "Subaccount",
    "UnknownOutcome",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://backend.blotato.com"
KEY_HEADER = "blotato-api-key"


@dataclass(frozen=True)
class CreatedPost:
    submission_id: str
    scheduled_time: datetime | None = None


@dataclass(frozen=True)
class HostedMedia:
    url: str  # what goes into a post's mediaUrls
    id: str = ""


@dataclass(frozen=True)
class PostStatus:
    submission_id: str
    status: str  # "in-progress" | "scheduled" | "published" | "failed" | whatever Blotato adds
    public_url: str | None = None
    error_message: str | None = None
    scheduled_time: datetime | None = None


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


class _GetOnlyRetry(Retry):
    """urllib3 retries connect errors whatever the method; a non-GET here is never retried."""

    def increment(self, method=None, url=None, *args, **kwargs):
        if method is None or not self._is_method_retryable(method):
            return Retry(total=0, raise_on_status=False).increment(method, url, *args, **kwargs)
        return super().increment(method, url, *args, **kwargs)


def _get_retries() -> Retry:
    return _GetOnlyRetry(
        total=2,
        connect=2,
        read=False,  # a read error after sending is the caller's to judge, even for a GET
        other=0,
        status=2,
        redirect=0,
        backoff_factor=0.2,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=False,  # a worker must not sleep a minute inside a GET
        raise_on_status=False,
    )


def utc_iso(moment: datetime) -> str:
    """Blotato's form of a time: UTC with a Z. A naive datetime is a bug, not UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Blotato times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _items(data: dict) -> list[dict]:
    items = data.get("items")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def path_segment(value: str) -> str:
    return quote(str(value), safe="")


class BlotatoClient:
    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
        pool_size: int = 32,
    ) -> None:
        base = base_url.rstrip("/")
        self.base_url = base if base.endswith("/v2") else base + "/v2"
        self._key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self.session = session if session is not None else requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, HTTPAdapter(max_retries=_get_retries(), pool_maxsize=pool_size))

    def __repr__(self) -> str:
        shown = f"…{self._key[-4:]}" if len(self._key) >= 12 else "…"
        return f"BlotatoClient(base_url={self.base_url!r}, key={shown})"

    def close(self) -> None:
        self.session.close()

    # --- posts -------------------------------------------------------------------------------

    def create_post(
        self,
        *,
        account_id: str,
        platform: str,
        text: str,
        media_urls: list[str],
        target: dict,
        scheduled_time: datetime | None = None,
    ) -> CreatedPost:
        platform = "twitter" if platform == "x" else platform
        content: dict = {"text": text, "mediaUrls": list(media_urls), "platform": platform}
        post = {"accountId": str(account_id), "content": content, "target": {"targetType": platform, **target}}
        body: dict = {"post": post}
        if scheduled_time is not None:
            # Dispatch never passes one (MediaPoster keeps the schedule and sends when due); it stays
            # so tests can place posts ahead in Blotato's list, and pin this: at the root, because
            # nested inside `post` Blotato ignores it and publishes at once.
            body["scheduledTime"] = utc_iso(scheduled_time)
        data = self._call("POST", "/posts", json=body)
        submission_id = data.get("postSubmissionId")
        if not submission_id:
            raise UnknownOutcome("Blotato accepted the post without a postSubmissionId", 201, server_answered=True)
        return CreatedPost(str(submission_id), parse_time(data.get("scheduledTime")))

    def post_status(self, submission_id: str) -> PostStatus:
        data = self._call("GET", f"/posts/{path_segment(submission_id)}")
        return PostStatus(
            submission_id=str(data.get("postSubmissionId") or submission_id),
            status=str(data.get("status") or "in-progress"),
            public_url=text_or_none(data.get("publicUrl")),
            error_message=text_or_none(data.get("errorMessage")),
            scheduled_time=parse_time(data.get("scheduledTime")),
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
            ("since", utc_iso(since)),
            ("until", utc_iso(until)),
            ("limit", str(page_size)),
        ]
        if platform:
            params.append(("platform", "twitter" if platform == "x" else platform))
        params += [("status", status) for status in statuses or []]
        found: list[ListedPost] = []
        cursor: str | None = None
        for _ in range(max_pages):
            data = self._call("GET", "/posts", params=params + ([("cursor", cursor)] if cursor else []))
            page = [self._listed(item) for item in _items(data)]
            # Kept to the window even if Blotato does not filter by it; and as the list is newest
            # first, a page reaching back past `since` is the last one worth reading.
            found += [item for item in page if item.post_time is None or since <= item.post_time <= until]
            times = [item.post_time for item in page if item.post_time is not None]
            next_cursor = data.get("cursor")
            if not next_cursor or str(next_cursor) == cursor or (times and min(times) < since):
                return found
            cursor = str(next_cursor)
        logger.warning("blotato GET /posts: stopped after %d pages; older posts were not read", max_pages)
        return found

    @staticmethod
    def _listed(item: dict) -> ListedPost:
        state = item.get("state") if isinstance(item.get("state"), dict) else {}
        media = item.get("mediaUrls") if isinstance(item.get("mediaUrls"), list) else []
        return ListedPost(
            id=str(item.get("id") or ""),
            platform=str(item.get("platform") or ""),
            text=str(item.get("text") or ""),
            media_urls=[str(url) for url in media],
            post_time=parse_time(item.get("postTime")),
            state=str(state.get("type") or ""),
            post_url=text_or_none(state.get("postUrl")),
            error_message=text_or_none(state.get("errorMessage")),
            account_id=text_or_none(item.get("accountId")),
            submission_id=text_or_none(item.get("postSubmissionId")),
        )

    # --- media -------------------------------------------------------------------------------

    def host_media(self, url: str, *, read_timeout: float | None = None) -> HostedMedia:
        """POST /v2/media: Blotato fetches a public URL, or takes a base64 data URI, and hosts it."""
        timeout = (self.timeout[0], read_timeout or self.timeout[1])
        data = self._call("POST", "/media", json={"url": url}, timeout=timeout)
        hosted = data.get("url")
        if not isinstance(hosted, str) or not hosted.startswith(("https://", "http://")):
            raise UnknownOutcome("Blotato answered POST /v2/media without a media URL", 201, server_answered=True)
        return HostedMedia(hosted, str(data.get("id") or ""))

    def upload_media(
        self, file, *, filename: str, size: int, content_type: str, read_timeout: float | None = None
    ) -> HostedMedia:
        """A file too large for a data URI: ask for a presigned URL, PUT the bytes there, use its publicUrl.

        The PUT carries no API key and a Content-Length (Blotato's store refuses chunked bodies);
        `file` is read as it is sent, never held whole in memory. The presigned URL is never logged.
        """
        slot = self._call("POST", "/media/uploads", json={"filename": filename})
        presigned, public = slot.get("presignedUrl"), slot.get("publicUrl")
        if not isinstance(presigned, str) or not isinstance(public, str) or not public:
            raise UnknownOutcome("Blotato gave no presigned upload URL", server_answered=True)
        started = time.monotonic()
        try:
            response = self.session.put(
                presigned,
                data=file,
                headers={"Content-Length": str(size), "Content-Type": content_type or "application/octet-stream"},
                timeout=(self.timeout[0], read_timeout or self.timeout[1]),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            failure = error_for_exception(error)
            self._log("PUT", "(presigned upload)", type(failure).__name__, started)
            raise failure from None
        self._log("PUT", "(presigned upload)", response.status_code, started)
        if not 200 <= response.status_code < 300:
            raise error_for_status(response.status_code, "", response.headers)
        return HostedMedia(public)

    # --- accounts ----------------------------------------------------------------------------

    def accounts(self, platform: str | None = None) -> list[Account]:
        params = {"platform": "twitter" if platform == "x" else platform} if platform else None
        return [
            Account(
                str(a.get("id") or ""), str(a.get("platform") or ""), a.get("fullname") or "", a.get("username") or ""
            )
            for a in _items(self._call("GET", "/users/me/accounts", params=params))
        ]

    def subaccounts(self, account_id: str) -> list[Subaccount]:
        data = self._call("GET", f"/users/me/accounts/{path_segment(account_id)}/subaccounts")
        return [
            Subaccount(str(s.get("id") or ""), str(s.get("accountId") or account_id), s.get("name") or "")
            for s in _items(data)
        ]

    def pinterest_boards(self, account_id: str) -> list[Board]:
        data = self._call("GET", "/social/pinterest/boards", params={"accountId": str(account_id)})
        return [Board(str(b.get("id") or ""), b.get("name") or "") for b in _items(data)]

    # --- transport ---------------------------------------------------------------------------

    def get(self, path: str, params=None) -> dict:
        """A read under /v2 (blotato_analytics.py builds its reads on this)."""
        return self._call("GET", path, params=params)

    def _call(self, method: str, path: str, *, json: dict | None = None, params=None, timeout=None) -> dict:
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=json,  # requests sets Content-Type only when there is a body
                params=params,
                headers={KEY_HEADER: self._key, "Accept": "application/json"},
                timeout=timeout or self.timeout,
                allow_redirects=False,  # a redirected POST would come back as a GET
            )
        except requests.RequestException as error:
            failure = error_for_exception(error)
            self._log(method, path, type(failure).__name__, started)
            raise failure from None
        self._log(method, path, response.status_code, started)
        return self._read(response)

    def _read(self, response: requests.Response) -> dict:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if 200 <= status < 300:
            if status == 204:
                return {}
            if not isinstance(data, dict):
                raise UnknownOutcome(f"HTTP {status} without a JSON object", status, server_answered=True)
            return data
        message = data.get("message") if isinstance(data, dict) else None
        message = message if isinstance(message, str) else ""
        if self._key and self._key in message:  # Blotato should never echo it; make sure.
            message = message.replace(self._key, "[api key]")
        raise error_for_status(status, message, response.headers)

    @staticmethod
    def _log(method: str, path: str, outcome: object, started: float) -> None:
        elapsed = (time.monotonic() - started) * 1000
        # A send is worth a line on the console; the polls and list reads that follow it are not.
        answered = isinstance(outcome, int) and outcome < 400
        level = (logging.INFO if method != "GET" else logging.DEBUG) if answered else logging.WARNING
        logger.log(level, "blotato %s %s -> %s in %d ms", method, path, outcome, elapsed)
