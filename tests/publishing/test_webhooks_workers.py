"""A webhook delivered by a real Celery worker when a post fails at the fake Blotato."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from publishing import webhooks
from publishing.models import (
    DeliveryState,
    Notification,
    NotificationKind,
    ScheduledPost,
    SocialAccount,
    Status,
    WebhookDelivery,
)
from tests.conftest import TEST_KEY
from tests.processes import wait_until, watched_processes
from tests.webhook_receiver import WebhookReceiver, verify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def celery_processes(tmp_path, fake_blotato):
    # The receiver listens on loopback over http: this install allows it (production would not).
    with watched_processes(
        tmp_path,
        fake_blotato.url,
        TEST_KEY,
        WEBHOOKS_ALLOW_PRIVATE="1",
        WEBHOOKS_ALLOW_HTTP="1",
        WEBHOOK_RETRY_BASE_SECONDS="1",
        WEBHOOK_SWEEP_INTERVAL_SECONDS="1",
    ) as processes:
        yield processes


def test_a_post_failing_at_blotato_reaches_its_webhook_via_a_worker(alice, fake_blotato, receiver, celery_processes):
    endpoint, secret = webhooks.register(alice, receiver.url, ["post.failed", "post.published"])
    receiver.answer(500, b"try again")  # the first try fails; the sweep (beat) sends it again
    fake_blotato.inject("status", status=422, message="Caption too long for this platform")
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    post = ScheduledPost.objects.create(
        owner=alice, platform="twitter", account=account, caption="Too long", scheduled_time=timezone.now()
    )

    celery_processes.start_worker()
    celery_processes.start_beat()
    wait_until(
        lambda: WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).exists(),
        timeout=90,
        describe=lambda: (
            f"{list(WebhookDelivery.objects.values('state', 'attempts', 'last_error'))}, "
            f"post {ScheduledPost.objects.get(pk=post.pk).status}, {len(receiver.received)} received"
        ),
    )

    post.refresh_from_db()
    assert post.status == Status.FAILED
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (delivery.event_type, delivery.attempts, delivery.last_status_code) == ("post.failed", 2, 200)
    first, second = receiver.received
    assert first.headers["X-MediaPoster-Event-Id"] == second.headers["X-MediaPoster-Event-Id"] == str(delivery.event_id)
    assert verify(secret, second.headers, second.body)
    payload = json.loads(second.body)
    assert payload["type"] == "post.failed"
    assert payload["data"]["post"]["id"] == str(post.pk)
    assert "Caption too long for this platform" in payload["data"]["message"]
    assert Notification.objects.filter(user=alice, kind=NotificationKind.POST_FAILED, post=post).count() == 1
