"""Outgoing webhooks: the URLs a user registered, the events they hear, and what each event says.

An event becomes one WebhookDelivery row per subscribed endpoint, written in the same transaction
as the post's change (post_outcomes.py), so a committed change always has its deliveries and a
rolled-back one never does. The rows are hinted to a worker once the transaction commits;
webhook_delivery.py sends them, retries and gives up. Receivers: docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import uuid
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from .bad_input import BadInput
from .models import ScheduledPost, WebhookDelivery, WebhookEndpoint
from .timeparse import iso_utc

logger = logging.getLogger(__name__)

EVENTS = (
    "post.scheduled",
    "post.updated",
    "post.cancelled",
    "post.published",
    "post.failed",
    "post.missed",
    "post.needs_review",
)
EVENT_HELP = {
    "post.scheduled": "a post was scheduled (created, or sent again after a failure)",
    "post.updated": "a scheduled post was moved or edited",
    "post.cancelled": "a post was cancelled",
    "post.published": "a post is live (with its platform URL)",
    "post.failed": "a post failed",
    "post.missed": "a post was found too late and not sent",
    "post.needs_review": "a post could not be confirmed and needs you",
}
MAX_ENDPOINTS = 20
SIGNATURE_HEADER = "X-MediaPoster-Signature"
TIMESTAMP_HEADER = "X-MediaPoster-Timestamp"
EVENT_ID_HEADER = "X-MediaPoster-Event-Id"
EVENT_TYPE_HEADER = "X-MediaPoster-Event"


# --- Registering -----------------------------------------------------------------------------


def check_url(value) -> str:
    """A URL we may deliver to, or BadInput saying why not (names and addresses are checked again when sending)."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput("url must be a URL like https://example.com/hooks/mediaposter.", {"url": "invalid"})
    url = value.strip()
    if len(url) > 2000:
        raise BadInput("url must be at most 2000 characters.", {"url": "too_long"})
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadInput("url must be a URL like https://example.com/hooks/mediaposter.", {"url": "invalid"})
    if parts.scheme not in allowed:
        raise BadInput("url must use https:// (this install does not allow plain http).", {"url": "not_https"})
    if parts.username or parts.password:
        raise BadInput("url must not contain a user name or password.", {"url": "credentials"})
    try:
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        raise BadInput("url has an invalid port.", {"url": "invalid"}) from None
    if not settings.WEBHOOKS_ALLOW_PRIVATE and _names_a_private_host(parts.hostname):
        raise BadInput(
            "url points to a private, loopback or reserved address; webhooks go to public addresses only.",
            {"url": "private_address"},
        )
    return url


def _names_a_private_host(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: its addresses are checked when sending
    return not is_public(address)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Routable on the internet: not private, loopback, link-local, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_events(value) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(name, str) for name in value):
        raise BadInput(
            "events must be a non-empty list of event names.", {"events": "invalid", "allowed": list(EVENTS)}
        )
    unknown = sorted(set(value) - set(EVENTS))
    if unknown:
        raise BadInput(
            f"Unknown event(s): {', '.join(unknown)}.",
            {"events": "unknown", "unknown": unknown, "allowed": list(EVENTS)},
        )
    return [name for name in EVENTS if name in value]


def register(owner, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown to the user this once)."""
    if WebhookEndpoint.objects.owned_by(owner).count() >= MAX_ENDPOINTS:
        raise BadInput(f"At most {MAX_ENDPOINTS} webhooks per user; delete one first.", {"url": "too_many"})
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(owner=owner, url=url, events=events, secret=secret)
    return endpoint, secret


def switch_on(endpoint: WebhookEndpoint) -> None:
    """The user turns an endpoint (back) on: its failure count starts over."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True, consecutive_failures=0, disabled_reason="")
    endpoint.refresh_from_db()


# --- Events ----------------------------------------------------------------------------------


def post_event(
    post: ScheduledPost, event_type: str, message: str, *, listening: list[int] | None = None
) -> list[WebhookDelivery]:
    """Queue `event_type` about `post` for each of its owner's active endpoints that asked for it
    (`listening`, when the caller has read them already: listening_endpoints)."""
    if listening is None:
        listening = listening_endpoints([post.owner_id], event_type).get(post.owner_id, [])
    if not listening:
        return []
    event_id = uuid.uuid4()  # one event, one id, whichever endpoints hear it
    payload = {
        "id": str(event_id),
        "type": event_type,
        "created_at": iso_utc(timezone.now()),
        "data": {"post": post_json(post), "message": message},
    }
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint_id=pk, event_id=event_id, event_type=event_type, payload=payload) for pk in listening
    )
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: hint(pk))
    return deliveries


def listening_endpoints(owner_ids, event_type: str) -> dict[int, list[int]]:
    """Per owner, the ids of their active endpoints that asked for `event_type` (one query for all)."""
    listening: dict[int, list[int]] = {}
    endpoints = WebhookEndpoint.objects.filter(owner_id__in=owner_ids, is_active=True).values_list(
        "pk", "owner_id", "events"
    )
    for pk, owner_id, events in endpoints.values_list("pk", "owner_id", "events"):
        if event_type in events:
            listening.setdefault(owner_id, []).append(pk)
    return listening


def hint(delivery_id: int) -> None:
    """Ask a worker to send it now (by name: tasks.py imports this module); the sweep is the safety net."""
    try:
        current_app.send_task("publishing.deliver_webhook", args=[delivery_id])
    except (OperationalError, RedisError) as error:  # the change is committed; the sweep sends it later
        logger.warning("webhook delivery %s not hinted (the sweep will send it): %s", delivery_id, error)


def post_json(post: ScheduledPost) -> dict:
    return {
        "id": str(post.pk),
        "group_id": str(post.group_id),
        "platform": post.platform,
        "account_id": post.account.blotato_account_id,
        "caption": post.caption,
        "scheduled_time": iso_utc(post.scheduled_time),
        "status": post.status,
        "attempts": post.attempts,
        "last_error": post.last_error or None,
        "platform_url": post.live_url or None,
        "published_at": iso_utc(post.published_at),
    }


# --- What a receiver checks ------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent: the same on every attempt of a delivery."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret, as hex."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def headers_for(delivery: WebhookDelivery, secret: str, body: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "MediaPoster-Webhooks/1",
        EVENT_TYPE_HEADER: delivery.event_type,
        EVENT_ID_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"sha256={signature(secret, timestamp, body)}",
    }
