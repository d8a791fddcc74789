"""What a Blotato call's failure means for the caller (docs/blotato.md, "Errors").

`Rejected` (never retry), `RateLimited` (wait `retry_after`), `NotSent` (provably never reached
Blotato: safe to resend) and `UnknownOutcome` (Blotato may have acted: look before resending).
Pure Python + requests/urllib3, so the Celery tasks and the tests need no Django settings.
"""

from __future__ import annotations

import math
import re
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util.ssl_match_hostname import CertificateError

DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 6 * 3600.0  # urllib3's own clamp for a silly Retry-After
_RETRY_IN = re.compile(r"retry in (\d+(?:\.\d+)?)\s*(second|minute)", re.IGNORECASE)


class BlotatoError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class Rejected(BlotatoError):
    """Blotato refused the request (4xx): nothing was created; never retry it as it is."""


class AuthRejected(Rejected):
    """The key is missing, wrong, or its plan has no API access (401/403)."""


class RateLimited(BlotatoError):
    """429: nothing was created; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, 429)
        self.retry_after = retry_after


class NotSent(BlotatoError):
    """The request never reached Blotato (DNS, refused, connect timeout, TLS handshake): resend."""


class UnknownOutcome(BlotatoError):
    """Blotato may have acted on the request: no answer after sending, a 5xx, or a garbled 2xx."""

    def __init__(self, message: str, status: int | None = None, *, server_answered: bool):
        super().__init__(message, status)
        self.server_answered = server_answered


# --- answers ---------------------------------------------------------------------------------


def error_for_status(status: int, message: str, headers) -> BlotatoError:
    """The error for a non-2xx answer; `message` is Blotato's own, or "" when it sent none."""
    text = message or f"HTTP {status}"
    if status == 429:
        return RateLimited(text, retry_after_seconds(headers.get("Retry-After"), message))
    if status in (401, 403):
        return AuthRejected(text, status)
    if 400 <= status < 500:
        return Rejected(text, status)
    # 5xx, and 1xx/3xx that no Blotato route gives: the request may have been acted on.
    return UnknownOutcome(text, status, server_answered=True)


def retry_after_seconds(header: str | None, message: str) -> float:
    """Retry-After (seconds or HTTP date), else "retry in N seconds|minutes" in `message`, else 60."""
    if header:
        seconds = _header_seconds(header.strip())
        if seconds is not None:
            return min(seconds, MAX_RETRY_AFTER)
    found = _RETRY_IN.search(message or "")
    if found:
        return min(float(found.group(1)) * (60 if found.group(2).lower() == "minute" else 1), MAX_RETRY_AFTER)
    return DEFAULT_RETRY_AFTER


def _header_seconds(header: str) -> float | None:
    try:
        seconds = float(header)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


# --- no answer -------------------------------------------------------------------------------


def error_for_exception(error: requests.RequestException) -> BlotatoError:
    """Classify a transport failure by whether the request could have left this machine."""
    kind = type(error).__name__
    if isinstance(error, requests.exceptions.InvalidHeader):
        # Only the key is variable; requests' own message would quote it.
        return AuthRejected("the API key contains characters an HTTP header cannot carry")
    if isinstance(
        error,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidJSONError,
        ),
    ):
        return NotSent(f"the request could not be built ({kind})")
    if isinstance(error, requests.ConnectTimeout) or _never_reached(error):
        return NotSent(f"could not connect to Blotato ({_reason(error)})")
    if isinstance(error, requests.ReadTimeout):
        return UnknownOutcome("no answer from Blotato before the read timeout", server_answered=False)
    if isinstance(error, requests.ConnectionError):
        return UnknownOutcome(
            f"the connection to Blotato broke before an answer ({_reason(error)})", server_answered=False
        )
    return UnknownOutcome(f"the request to Blotato failed ({kind})", server_answered=False)


def _never_reached(error: BaseException) -> bool:
    """True when the failure happened while connecting: before a byte of the request was sent."""
    causes = list(_causes(error))
    if any(isinstance(c, (NameResolutionError, NewConnectionError, ConnectTimeoutError)) for c in causes):
        return True
    # TLS: a bad certificate, or anything (reset, EOF, timeout) raised inside the handshake.
    return any(
        isinstance(c, (ssl.SSLCertVerificationError, CertificateError)) or _raised_in_handshake(c) for c in causes
    )


def _causes(error: BaseException):
    """The error and what it wraps, most specific links first (at most 12 deep)."""
    seen: BaseException | None = error
    for _ in range(12):
        if seen is None:
            return
        yield seen
        inner = seen.reason if isinstance(seen, MaxRetryError) else getattr(seen, "original_error", None)
        if inner is None and seen.args and isinstance(seen.args[0], BaseException):
            inner = seen.args[0]  # requests wraps urllib3's error in args, not as __cause__
        seen = inner if isinstance(inner, BaseException) else (seen.__cause__ or seen.__context__)


def _raised_in_handshake(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name == "do_handshake":
            return True
        frame = frame.tb_next
    return False


def _reason(error: BaseException) -> str:
    """The innermost error's class name: says what broke, never quotes a header."""
    names = [type(cause).__name__ for cause in _causes(error)]
    return names[-1] if names else type(error).__name__
