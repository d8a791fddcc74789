"""Outgoing webhooks against a real local receiver: signed, retried, switched off, never to private addresses."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from publishing import lifecycle, post_outcomes, transitions, webhook_delivery, webhooks
from publishing.models import (
    DeliveryState,
    Notification,
    NotificationKind,
    ScheduledPost,
    SocialAccount,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.clock import ORDINARY_DAY
from tests.webhook_receiver import WebhookReceiver, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def local_receiver_allowed(settings):
    """This install lets webhooks reach the receiver on loopback over http (the tests' own)."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_ALLOW_HTTP = True


@pytest.fixture
def clock():
    with time_machine.travel(ORDINARY_DAY, tick=False) as traveller:
        yield traveller


def endpoint_for(user, url: str, events=webhooks.EVENTS) -> tuple[WebhookEndpoint, str]:
    return webhooks.register(user, url, list(events))


def publishing_post(user, **fields) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=user, platform="twitter")
    return ScheduledPost.objects.create(
        owner=user,
        platform="twitter",
        account=account,
        caption=fields.pop("caption", "Hello"),
        scheduled_time=timezone.now(),
        status=Status.PUBLISHING,
        claim_token=uuid.uuid4(),
        lease_until=timezone.now() + timedelta(seconds=90),
        attempts=1,
        **fields,
    )


# --- Delivery ------------------------------------------------------------------------------------


def test_a_failed_post_is_delivered_signed_with_its_event_id(alice, receiver, local_receiver_allowed, clock):
    endpoint, secret = endpoint_for(alice, receiver.url, ["post.failed"])
    post = publishing_post(alice)
    assert transitions.fail(post.pk, "Blotato refused the post (HTTP 422): caption too long")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)

    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.DELIVERED

    [request] = receiver.received
    assert verify(secret, request.headers, request.body)
    assert not verify("whsec_someone_else", request.headers, request.body)
    payload = json.loads(request.body)
    assert request.headers["X-MediaPoster-Event-Id"] == payload["id"] == str(delivery.event_id)
    assert request.headers["X-MediaPoster-Event"] == payload["type"] == "post.failed"
    assert request.headers["X-MediaPoster-Timestamp"] == str(int(ORDINARY_DAY.timestamp()))
    assert payload["data"]["post"]["id"] == str(post.pk)
    assert payload["data"]["post"]["status"] == "failed"
    assert payload["data"]["message"] == "Blotato refused the post (HTTP 422): caption too long"
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_response, delivery.attempts) == (200, '{"ok":true}', 1)


def test_a_500_is_retried_later_with_the_same_event_id_and_body(alice, receiver, local_receiver_allowed, clock):
    endpoint, secret = endpoint_for(alice, receiver.url)
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    receiver.answer(500, b"database is down")

    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.PENDING
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_response) == (500, "database is down")
    assert delivery.next_attempt_at == ORDINARY_DAY + timedelta(seconds=30)
    assert webhook_delivery.deliver(delivery.pk) is None  # not due yet: nothing sent
    assert webhook_delivery.due_deliveries(at=timezone.now()) == []

    clock.shift(timedelta(seconds=31))
    assert webhook_delivery.due_deliveries(at=timezone.now()) == [delivery.pk]
    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.DELIVERED

    first, second = receiver.received
    assert first.headers["X-MediaPoster-Event-Id"] == second.headers["X-MediaPoster-Event-Id"]
    assert first.body == second.body
    assert verify(secret, second.headers, second.body)
    assert second.headers["X-MediaPoster-Timestamp"] == str(int(ORDINARY_DAY.timestamp()) + 31)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_the_retry_schedule_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_CAP_SECONDS = 3600
    delays = [webhook_delivery.retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_a_delivery_gives_up_after_its_attempts(alice, receiver, local_receiver_allowed, clock, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    endpoint, _ = endpoint_for(alice, receiver.url)
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    receiver.always = (503, b"", {})
    for _ in range(3):
        webhook_delivery.deliver(delivery.pk)
        clock.shift(timedelta(hours=2))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("Gave up after 3 attempts.")
    assert len(receiver.received) == 3


def test_an_endpoint_failing_n_times_in_a_row_is_switched_off_with_a_notification(
    alice, receiver, local_receiver_allowed, clock, settings
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    endpoint, _ = endpoint_for(alice, receiver.url)
    receiver.always = (500, b"no", {})
    for n in range(3):
        transitions.fail(publishing_post(alice, caption=f"post {n}").pk, "refused")
    for _ in range(3):
        for delivery_id in WebhookDelivery.objects.filter(state=DeliveryState.PENDING).values_list("pk", flat=True):
            webhook_delivery.deliver(delivery_id)
        clock.shift(timedelta(hours=2))

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "Switched off after 4 failed deliveries in a row."
    assert len(receiver.received) == 4  # nothing more once it is off
    assert not WebhookDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    [told] = Notification.objects.filter(user=alice, kind=NotificationKind.WEBHOOK_DISABLED)
    assert receiver.url in told.message

    transitions.fail(publishing_post(alice).pk, "refused")  # a switched-off endpoint hears nothing new
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 3


def test_a_success_resets_the_failure_count(alice, receiver, local_receiver_allowed, clock, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    endpoint, _ = endpoint_for(alice, receiver.url)
    for outcome in (500, 200, 500, 200):
        receiver.answer(outcome)
        transitions.fail(publishing_post(alice).pk, "refused")
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-id").first()
        webhook_delivery.deliver(delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_nothing_is_delivered_to_a_private_address(alice, receiver, clock, settings, host):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    port = receiver.server.server_port
    # Stored as an old row or a name that now resolves privately would be: registration refuses these.
    endpoint = WebhookEndpoint.objects.create(
        owner=alice, url=f"http://{host}:{port}/hooks", events=list(webhooks.EVENTS), secret="whsec_x"
    )
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)

    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.PENDING
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.last_error.startswith(f"Not sent: {host} resolves to 127.0.0.1, a private, loopback")
    assert delivery.last_status_code is None


def test_a_dns_answer_that_turns_private_after_the_check_still_reaches_nothing(
    alice, receiver, clock, settings, monkeypatch
):
    """DNS rebinding: the check sees a public address, the connection gets loopback."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOKS_ALLOW_HTTP = True
    port = receiver.server.server_port
    real_getaddrinfo = socket.getaddrinfo
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]])

    def rebinding(host, *args, **kwargs):
        # The first answer (the check's) is public; every later one is the receiver on loopback.
        if host == "rebind.example.com":
            return next(answers, None) or real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    endpoint = WebhookEndpoint.objects.create(
        owner=alice, url=f"http://rebind.example.com:{port}/hooks", events=list(webhooks.EVENTS), secret="whsec_x"
    )
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)

    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.PENDING
    assert receiver.received == []
    delivery.refresh_from_db()
    assert "the connection reached 127.0.0.1, a private, loopback" in delivery.last_error


def test_every_resolved_address_must_be_public(monkeypatch):
    answers = [(2, 1, 6, "", ("93.184.215.14", 443)), (2, 1, 6, "", ("10.1.2.3", 443))]
    monkeypatch.setattr(webhook_delivery.socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(webhook_delivery.Refused, match="resolves to 10.1.2.3"):
        webhook_delivery.check_public("mixed.example.com", 443)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"],
)  # fmt: skip
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address):
    import ipaddress

    assert not webhooks.is_public(ipaddress.ip_address(address))


def test_public_addresses_are_public():
    import ipaddress

    assert webhooks.is_public(ipaddress.ip_address("93.184.215.14"))
    assert webhooks.is_public(ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"))


def test_a_redirect_is_not_followed(alice, receiver, local_receiver_allowed, clock):
    endpoint, _ = endpoint_for(alice, receiver.url)
    receiver.answer(302, Location="http://169.254.169.254/latest/meta-data/")
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error == "The receiver answered HTTP 302. Redirects are not followed."
    assert len(receiver.received) == 1


def test_a_sender_that_died_mid_send_is_replaced_and_the_event_id_kept(alice, receiver, local_receiver_allowed, clock):
    endpoint, _ = endpoint_for(alice, receiver.url)
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(  # what a killed worker leaves behind
        state=DeliveryState.SENDING, attempts=1, lease_until=timezone.now() + timedelta(seconds=60)
    )
    assert webhook_delivery.due_deliveries(at=timezone.now()) == []
    clock.shift(timedelta(seconds=61))
    assert webhook_delivery.due_deliveries(at=timezone.now()) == [delivery.pk]
    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.DELIVERED
    assert receiver.received[0].headers["X-MediaPoster-Event-Id"] == str(delivery.event_id)


def test_a_duplicate_message_sends_nothing_twice(alice, receiver, local_receiver_allowed, clock):
    endpoint, _ = endpoint_for(alice, receiver.url)
    transitions.fail(publishing_post(alice).pk, "refused")
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert webhook_delivery.deliver(delivery.pk) == DeliveryState.DELIVERED
    assert webhook_delivery.deliver(delivery.pk) is None
    assert len(receiver.received) == 1


# --- Which events -----------------------------------------------------------------------------


def event_types(endpoint) -> list[str]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id").values_list("event_type", flat=True))


def test_the_lifecycle_of_a_post_makes_its_events(alice, local_receiver_allowed):
    endpoint, _ = endpoint_for(alice, "https://hooks.example.com/mp")
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    later = timezone.now() + timedelta(days=1)
    plan = lifecycle.PostPlan(platform="twitter", account=account)
    _, [post] = lifecycle.schedule_posts(alice, plans=[plan], clip=None, caption="Hi", scheduled_time=later)
    lifecycle.edit_post(post, caption="Hi there", by=alice)
    lifecycle.cancel_post(post, by=alice)
    assert event_types(endpoint) == ["post.scheduled", "post.updated", "post.cancelled"]


def test_published_carries_the_platform_url_and_a_retry_is_scheduled_again(alice):
    endpoint, _ = endpoint_for(alice, "https://hooks.example.com/mp")
    post = publishing_post(alice)
    transitions.submit(post.pk, attempt_number=1, submission_id="sub-1")
    transitions.published(post.pk, "https://x.com/alice/status/1", from_status=Status.SUBMITTED)
    other = publishing_post(alice)
    transitions.miss(other.pk, "late", claim_token=other.claim_token)
    other.refresh_from_db()
    lifecycle.retry_post(other, at=timezone.now(), by=alice)
    assert event_types(endpoint) == ["post.published", "post.missed", "post.scheduled"]
    published = WebhookDelivery.objects.get(endpoint=endpoint, event_type="post.published")
    assert published.payload["data"]["post"]["platform_url"] == "https://x.com/alice/status/1"


@pytest.mark.parametrize(
    ("sources", "to", "event"),
    [
        ([Status.PUBLISHING], Status.SCHEDULED, None),  # the publisher's own backoff: not news
        ([Status.VERIFYING], Status.SCHEDULED, None),
        ([Status.PUBLISHING, Status.VERIFYING], Status.SUBMITTED, None),
        ([Status.SUBMITTED], Status.NEEDS_REVIEW, "post.needs_review"),
        ([Status.SCHEDULED], Status.MISSED, "post.missed"),
    ],
)
def test_which_moves_are_events(sources, to, event):
    assert post_outcomes.event_type(sources, to) == event


def test_only_the_events_asked_for_and_only_the_owners_endpoints(alice, bob):
    failures, _ = endpoint_for(alice, "https://hooks.example.com/failures", ["post.failed"])
    published, _ = endpoint_for(alice, "https://hooks.example.com/published", ["post.published"])
    bobs, _ = endpoint_for(bob, "https://hooks.example.com/bob")
    transitions.fail(publishing_post(alice).pk, "refused")
    assert event_types(failures) == ["post.failed"]
    assert event_types(published) == []
    assert event_types(bobs) == []
