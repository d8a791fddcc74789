"""Sending webhook deliveries: at least once, retried with exponential backoff, never to private addresses.

A delivery is taken with one conditional UPDATE (pending and due -> sending, with a lease), so a
duplicated message does nothing; a worker that dies mid-send leaves a lease the sweep expires,
and the delivery goes again with the same event id (receivers deduplicate on it). Retries are
rows with `next_attempt_at`, found by the sweep (beat); no worker sleeps and no message waits
with a countdown. After WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row the endpoint is
switched off and its owner is notified.

Before each send the URL's host is resolved and every address it has must be public (unless
WEBHOOKS_ALLOW_PRIVATE), and the address the connection actually reached is checked again once
connected, so a DNS answer that changes between the check and the connection (DNS rebinding)
cannot reach an internal service either; redirects are never followed, so a public URL cannot
bounce a delivery to an internal one.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import notifications, webhooks
from .models import DeliveryState, NotificationKind, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # longer than a send: connect + read timeouts
EXCERPT_CHARS = 500
# A first send is hinted when its post's change commits; the sweep sends it only if that hint
# seems lost, so a busy queue does not get a second copy of every new delivery.
FIRST_HINT_GRACE = timedelta(seconds=30)


class Refused(Exception):
    """We will not send to this URL (its host resolves to a private address, or not at all)."""


class PrivatePeer(OSError):
    """The connection reached a private address after all (an OSError, so requests reports it)."""


class _PublicPeerOnly:
    """Checks the address a new connection really reached, before a byte of the delivery is sent."""

    def _new_conn(self):
        sock = super()._new_conn()
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        if not settings.WEBHOOKS_ALLOW_PRIVATE and not webhooks.is_public(peer):
            sock.close()
            raise PrivatePeer(f"the connection reached {peer}, a private, loopback, link-local or reserved address")
        return sock


class _PublicHTTPConnection(_PublicPeerOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicPeerOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicPeersAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


_session = requests.Session()
for _scheme in ("http://", "https://"):
    _session.mount(_scheme, _PublicPeersAdapter())


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: base × 2^(n-1), at most the cap (docs/webhooks.md lists it)."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_CAP_SECONDS))


def due_deliveries(*, at: datetime, limit: int = 500) -> list[int]:
    """Deliveries to (re)send now; first, those whose sender died mid-send are pending again."""
    WebhookDelivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=at).update(
        state=DeliveryState.PENDING, lease_until=None, next_attempt_at=at
    )
    due = WebhookDelivery.objects.filter(state=DeliveryState.PENDING).filter(
        Q(attempts=0, next_attempt_at__lte=at - FIRST_HINT_GRACE) | Q(attempts__gt=0, next_attempt_at__lte=at)
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def deliver(delivery_id: int) -> str | None:
    """Send one delivery if it is due and nobody else holds it; its new state, or None if not taken."""
    now = timezone.now()
    taken = WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(state=DeliveryState.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    if not taken:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return _finish(delivery, DeliveryState.FAILED, error="Not sent: the webhook is switched off.")
    body = webhooks.body_of(delivery)
    headers = webhooks.headers_for(delivery, endpoint.secret, body, timestamp=int(now.timestamp()))
    try:
        code, excerpt = send(endpoint.url, body, headers)
    except Refused as refused:
        return _failed(delivery, error=f"Not sent: {refused}")
    except requests.RequestException as error:
        return _failed(delivery, error=f"Could not deliver: {type(error).__name__}: {error}"[:2000])
    if 200 <= code < 300:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return _finish(delivery, DeliveryState.DELIVERED, code=code, excerpt=excerpt, delivered_at=timezone.now())
    why = f"The receiver answered HTTP {code}." + (" Redirects are not followed." if 300 <= code < 400 else "")
    return _failed(delivery, error=why, code=code, excerpt=excerpt)


def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST the body; the status code and the start of the answer. Refused before any connection if private."""
    parts = urlsplit(url)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        check_public(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    timeout = (settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, settings.WEBHOOK_READ_TIMEOUT_SECONDS)
    with _session.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True) as answer:
        start = next(answer.iter_content(EXCERPT_CHARS * 4), b"")
        return answer.status_code, start.decode("utf-8", "replace")[:EXCERPT_CHARS]


def check_public(host: str, port: int) -> None:
    """Every address the host resolves to must be public; otherwise Refused, naming the address."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"the host {host} could not be resolved ({error}).") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if not webhooks.is_public(ip):
            raise Refused(
                f"{host} resolves to {ip}, a private, loopback, link-local or reserved address "
                "(this install delivers to public addresses only: WEBHOOKS_ALLOW_PRIVATE)."
            )


def _failed(delivery: WebhookDelivery, *, error: str, code: int | None = None, excerpt: str = "") -> str:
    """One more failed attempt: try again later, or give up; the endpoint may be switched off."""
    if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        state = _finish(
            delivery,
            DeliveryState.PENDING,
            error=error,
            code=code,
            excerpt=excerpt,
            next_attempt_at=timezone.now() + retry_delay(delivery.attempts),
        )
    else:
        state = _finish(delivery, DeliveryState.FAILED, error=f"Gave up after {delivery.attempts} attempts. {error}")
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    _switch_off_if_failing(delivery.endpoint)
    return state


def _switch_off_if_failing(endpoint: WebhookEndpoint) -> None:
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    reason = f"Switched off after {limit} failed deliveries in a row."
    switched = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True, consecutive_failures__gte=limit).update(
        is_active=False, disabled_reason=reason
    )
    if switched:
        logger.warning("webhook %s switched off after %d failures", endpoint.pk, limit)
        notifications.notify(
            endpoint.owner_id,
            NotificationKind.WEBHOOK_DISABLED,
            f"Your webhook {endpoint.url} was switched off after {limit} failed deliveries in a row. "
            "Check the delivery log in Settings, then switch it on again.",
        )
        WebhookDelivery.objects.filter(endpoint_id=endpoint.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error="Not sent: the webhook was switched off."
        )


def _finish(
    delivery: WebhookDelivery,
    state: str,
    *,
    error: str = "",
    code: int | None = None,
    excerpt: str = "",
    **changes,
) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
        state=state, lease_until=None, last_error=error, last_status_code=code, last_response=excerpt, **changes
    )
    return state
