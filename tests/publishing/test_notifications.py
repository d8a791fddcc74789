"""Notifications: made when posts end badly, a key is refused or the publisher stops; one email per burst."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from publishing import dispatch, health, heartbeat, notifications, transitions
from publishing.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    ScheduledPost,
    SocialAccount,
    Status,
)
from tests.clock import ORDINARY_DAY

pytestmark = pytest.mark.django_db

Kind = NotificationKind


@pytest.fixture
def alice_with_email(alice):
    alice.email = "alice@example.com"
    alice.save()
    return alice


def publishing_posts(user, count: int) -> list[ScheduledPost]:
    account = SocialAccount.objects.get(owner=user, platform="twitter")
    now = timezone.now()
    return ScheduledPost.objects.bulk_create(
        ScheduledPost(
            owner=user,
            platform="twitter",
            account=account,
            caption=f"post {n}",
            scheduled_time=now,
            status=Status.PUBLISHING,
            claim_token=uuid.uuid4(),
            lease_until=now + timedelta(seconds=90),
            attempts=1,
        )
        for n in range(count)
    )


def test_a_burst_of_200_failures_is_one_email(alice_with_email):
    for post in publishing_posts(alice_with_email, 200):
        assert transitions.fail(post.pk, "Blotato refused the post (HTTP 422): caption too long")
    assert Notification.objects.filter(user=alice_with_email, kind=Kind.POST_FAILED).count() == 200
    assert mail.outbox == []  # nothing is emailed one by one

    assert notifications.send_digests() == 1
    assert notifications.send_digests() == 0  # the next run finds nothing new

    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "MediaPoster: 200 things need your attention"
    assert email.body.startswith("200 notifications since the last email:")
    assert email.body.count("caption too long") == notifications.DIGEST_LINES
    assert "... and 150 more." in email.body
    assert "http://127.0.0.1:5555/notifications/" in email.body
    assert not Notification.objects.filter(email_due=True).exists()


def test_the_next_problem_after_a_digest_is_the_next_email(alice_with_email):
    first, second = publishing_posts(alice_with_email, 2)
    transitions.fail(first.pk, "refused")
    notifications.send_digests()
    transitions.miss(second.pk, "Not sent: late", claim_token=second.claim_token)
    notifications.send_digests()
    assert [m.subject for m in mail.outbox] == ["MediaPoster: a post failed", "MediaPoster: a post was missed"]


def test_each_user_gets_their_own_digest(alice_with_email, bob):
    bob.email = "bob@example.com"
    bob.save()
    for post in publishing_posts(alice_with_email, 3) + publishing_posts(bob, 2):
        transitions.fail(post.pk, "refused")
    assert notifications.send_digests() == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("alice@example.com", "MediaPoster: 3 things need your attention"),
        ("bob@example.com", "MediaPoster: 2 things need your attention"),
    ]


def test_a_user_without_an_address_is_not_emailed_but_still_sees_the_list(alice):
    [post] = publishing_posts(alice, 1)
    transitions.fail(post.pk, "refused")
    assert notifications.send_digests() == 0
    assert mail.outbox == []
    assert notifications.unread_count(alice) == 1
    assert not Notification.objects.filter(email_due=True).exists()


def test_an_smtp_failure_keeps_the_notifications_for_the_next_digest(alice_with_email, settings):
    [post] = publishing_posts(alice_with_email, 1)
    transitions.fail(post.pk, "refused")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: connection refused
    assert notifications.send_digests() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.send_digests() == 1
    assert len(mail.outbox) == 1


def test_a_digest_claimed_by_a_process_that_died_is_sent_later(alice_with_email):
    [post] = publishing_posts(alice_with_email, 1)
    transitions.fail(post.pk, "refused")
    with time_machine.travel(ORDINARY_DAY, tick=False) as clock:
        Notification.objects.update(email_batch=uuid.uuid4(), emailed_at=timezone.now())  # claimed, never sent
        assert notifications.send_digests() == 0
        clock.shift(notifications.DIGEST_CLAIM_EXPIRES + timedelta(seconds=1))
        assert notifications.send_digests() == 1


def test_failed_missed_and_needs_review_each_notify(alice):
    failed, missed, unconfirmed = publishing_posts(alice, 3)
    transitions.fail(failed.pk, "Blotato refused the post")
    transitions.miss(missed.pk, "Not sent: late", claim_token=missed.claim_token)
    transitions.start_verifying(
        unconfirmed, error="Blotato did not confirm", window=timedelta(minutes=1), claim_token=unconfirmed.claim_token
    )
    transitions.unconfirmed(unconfirmed.pk, from_status=Status.VERIFYING, error="Could not confirm")
    kinds = dict(Notification.objects.values_list("post_id", "kind"))
    assert kinds == {failed.pk: Kind.POST_FAILED, missed.pk: Kind.POST_MISSED, unconfirmed.pk: Kind.POST_NEEDS_REVIEW}
    message = Notification.objects.get(post=failed).message
    assert message.startswith("Twitter/X post for ") and message.endswith("failed: Blotato refused the post")


def test_the_users_choices_decide_what_is_listed_and_emailed(alice_with_email):
    NotificationPreference.objects.create(
        user=alice_with_email, in_app=[Kind.POST_FAILED, Kind.POST_MISSED], email=[Kind.POST_MISSED]
    )
    failed, missed, unconfirmed = publishing_posts(alice_with_email, 3)
    transitions.fail(failed.pk, "refused")
    transitions.miss(missed.pk, "late", claim_token=missed.claim_token)
    transitions.start_verifying(
        unconfirmed, error="?", window=timedelta(minutes=1), claim_token=unconfirmed.claim_token
    )
    transitions.unconfirmed(unconfirmed.pk, from_status=Status.VERIFYING, error="Could not confirm")

    assert set(notifications.listed(alice_with_email).values_list("kind", flat=True)) == {
        Kind.POST_FAILED,
        Kind.POST_MISSED,
    }
    assert not Notification.objects.filter(kind=Kind.POST_NEEDS_REVIEW).exists()  # wanted nowhere: not made
    notifications.send_digests()
    [email] = mail.outbox
    assert email.subject == "MediaPoster: a post was missed"


def test_a_refused_key_is_said_once_however_many_posts_it_stops(alice, fake_blotato):
    alice.profile.blotato_api_key = "blt_revoked_key_0000"
    alice.profile.save()
    account = SocialAccount.objects.get(owner=alice, platform="twitter")
    for n in range(3):
        ScheduledPost.objects.create(
            owner=alice, platform="twitter", account=account, caption=f"p{n}", scheduled_time=timezone.now()
        )
    dispatch.run_once()
    assert ScheduledPost.objects.filter(status=Status.FAILED).count() == 3
    [refused] = Notification.objects.filter(user=alice, kind=Kind.KEY_REFUSED)
    assert refused.message.startswith("Blotato refused your API key")
    assert "blt_revoked_key_0000" not in refused.message
    assert Notification.objects.filter(user=alice, kind=Kind.POST_FAILED).count() == 3


def test_a_stopped_publisher_is_told_to_everyone_once_and_emailed_at_once(alice_with_email, bob, settings):
    settings.DISPATCH_INTERVAL_SECONDS = 1
    with time_machine.travel(ORDINARY_DAY, tick=False) as clock:
        heartbeat.beat("dispatcher")
        assert health.check().ok
        assert not Notification.objects.exists()

        clock.shift(timedelta(minutes=5))  # no beat since
        assert not health.check().ok
        assert not health.check(alice_with_email).ok  # seen again, by a page: no second notice
        told = Notification.objects.filter(kind=Kind.PUBLISHER_DOWN)
        assert sorted(told.values_list("user__username", flat=True)) == ["alice", "bob"]
        assert "has not run since 2026-11-25 09:00:00 UTC" in told.first().message
        # Sent right away: the workers that send digests may be what stopped. Bob has no address.
        [email] = mail.outbox
        assert (email.to, email.subject) == (["alice@example.com"], "MediaPoster: the publisher stopped")

        heartbeat.beat("dispatcher")  # it came back, and stopped again: a new outage, a new notice
        clock.shift(timedelta(minutes=5))
        health.check()
        assert told.count() == 4


def test_a_publisher_that_never_ran_is_only_bannered(alice):
    assert not health.check().ok
    assert not Notification.objects.exists()


# --- The page and the header --------------------------------------------------------------------


def test_the_header_counts_unread_notifications(browser, alice):
    assert 'id="notifications-link">Notifications</a>' in browser.get("/calendar/").content.decode()
    for n in range(2):
        notifications.notify(alice.pk, Kind.POST_FAILED, f"post {n} failed")
    assert 'aria-label="2 unread">2</span>' in browser.get("/calendar/").content.decode()


def test_mark_read_and_mark_all_read(browser, alice):
    first, *_ = [notifications.notify(alice.pk, Kind.POST_FAILED, f"post {n} failed") for n in range(3)]
    page = browser.get("/notifications/").content.decode()
    assert page.count('class="notification unread"') == 3

    assert browser.post(f"/notifications/{first.pk}/read").status_code == 302
    assert notifications.unread_count(alice) == 2
    assert browser.post("/notifications/read").status_code == 302
    assert notifications.unread_count(alice) == 0
    page = browser.get("/notifications/").content.decode()
    assert page.count('class="notification read"') == 3
    assert "Mark all read" not in page


def test_other_users_notifications_cannot_be_marked(browser, bob):
    bobs = notifications.notify(bob.pk, Kind.POST_FAILED, "bob's post failed")
    assert browser.post(f"/notifications/{bobs.pk}/read").status_code == 404
    assert "bob&#x27;s post failed" not in browser.get("/notifications/").content.decode()
    assert Notification.objects.get(pk=bobs.pk).read_at is None


def test_marking_needs_a_post(browser, alice):
    note = notifications.notify(alice.pk, Kind.POST_FAILED, "failed")
    assert browser.get(f"/notifications/{note.pk}/read").status_code == 405


def test_the_notifications_page_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302


def test_choices_are_saved_from_the_settings_page(browser, alice):
    response = browser.post(
        "/settings/notifications",
        {"email_address": "alice@example.com", "in_app": [Kind.POST_FAILED, Kind.KEY_REFUSED], "email": []},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert notifications.choices(alice.pk) == ({Kind.POST_FAILED, Kind.KEY_REFUSED}, set())


@pytest.mark.parametrize(
    "data",
    [{"email_address": "not-an-address"}, {"in_app": ["post_exploded"]}, {"email": ["nope"]}],
)
def test_bad_choices_are_a_422_and_nothing_is_saved(browser, alice, data):
    response = browser.post("/settings/notifications", data)
    assert response.status_code == 422
    assert not NotificationPreference.objects.exists()
    alice.refresh_from_db()
    assert alice.email == ""
