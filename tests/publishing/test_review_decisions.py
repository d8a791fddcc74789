"""A post Blotato never confirmed (needs_review): its owner decides, from the page and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from publishing.models import PostEvent, ScheduledPost, SocialAccount, Status

from .page_clock import frozen_clock  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db
WORDS = "Could not confirm — check the platform before retrying."


def unconfirmed(owner, status=Status.NEEDS_REVIEW) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    return ScheduledPost.objects.create(
        owner=owner,
        platform="twitter",
        account=account,
        caption="Did it go out?",
        scheduled_time=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        status=status,
        attempts=1,
        last_error=WORDS,
    )


def test_the_post_page_asks_the_owner_to_check_the_platform(browser, alice):
    post = unconfirmed(alice)
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert WORDS in page
    assert "It is live — mark as published" in page
    assert "It is not there — send it" in page
    assert "Publish now" not in page  # the plain retry would hide that a person decided


def test_it_is_live_marks_it_published_with_the_link_and_who_said_so(browser, alice):
    post = unconfirmed(alice)
    response = browser.post(
        f"/calendar/posts/{post.pk}/its-live", {"platform_url": "https://x.com/demo_twitter/status/42"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.platform_url) == (Status.PUBLISHED, "https://x.com/demo_twitter/status/42")
    assert post.last_error == WORDS  # the story stays
    event = PostEvent.objects.get(post=post)
    assert (event.status, event.actor, event.message) == (
        Status.PUBLISHED,
        alice,
        "Checked the platform: it is live at https://x.com/demo_twitter/status/42.",
    )
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert "(alice)" in page and "Earlier problem:" in page


def test_it_is_live_refuses_a_link_that_is_not_a_web_address(browser, alice):
    post = unconfirmed(alice)
    response = browser.post(f"/calendar/posts/{post.pk}/its-live", {"platform_url": "javascript:alert(1)"}, follow=True)
    assert "That link is not a web address" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.NEEDS_REVIEW
    assert not PostEvent.objects.filter(post=post).exists()


def test_send_it_schedules_it_now_and_records_the_decision(browser, alice):
    post = unconfirmed(alice)
    browser.post(f"/calendar/posts/{post.pk}/send-it")
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED
    assert post.scheduled_time == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # now, on the frozen clock
    event = PostEvent.objects.get(post=post)
    assert event.actor == alice and "it is not there" in event.message


def test_send_it_is_only_for_posts_that_need_review(browser, alice):
    post = unconfirmed(alice, status=Status.FAILED)
    response = browser.post(f"/calendar/posts/{post.pk}/send-it", follow=True)
    assert "This post is failed; that is not possible any more." in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.FAILED


def review(api, post, body) -> tuple[int, dict]:
    response = api.post(
        f"/api/publishing/calendar/{post.pk}/review", data=json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_the_api_takes_either_verdict(alice, alice_api):
    live, absent = unconfirmed(alice), unconfirmed(alice)
    status, body = review(alice_api, live, {"decision": "live", "platform_url": "https://x.com/a/status/1"})
    assert (status, body["status"], body["platform_url"]) == (200, "published", "https://x.com/a/status/1")
    status, body = review(alice_api, absent, {"decision": "send"})
    assert (status, body["status"]) == (200, "scheduled")
    assert PostEvent.objects.filter(actor=alice).count() == 2


def test_it_is_live_also_ends_a_search_still_running(alice, alice_api):
    post = unconfirmed(alice, status=Status.VERIFYING)
    assert review(alice_api, post, {"decision": "live"})[1]["status"] == "published"


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, 'decision must be "live" (it is on the platform) or "send" (it is not).'),
        ({"decision": "maybe"}, 'decision must be "live" (it is on the platform) or "send" (it is not).'),
        ({"decision": "live", "platform_url": "javascript:alert(1)"}, "platform_url must be an https://"),
        ({"decision": "live", "platform_url": 42}, "platform_url must be an https://"),
        ({"decision": "send", "platform_url": "https://x.com/a"}, 'platform_url goes with decision "live" only.'),
        ({"decision": "send", "why": "because"}, "why"),
    ],
)
def test_the_api_refuses_a_malformed_verdict_and_changes_nothing(alice, alice_api, body, message):
    post = unconfirmed(alice)
    status, answer = review(alice_api, post, body)
    assert status == 400 and message in answer["error"]
    post.refresh_from_db()
    assert post.status == Status.NEEDS_REVIEW
    assert not PostEvent.objects.filter(post=post).exists()


def test_the_api_answers_409_for_a_post_that_needs_no_review_and_404_for_others_posts(alice, bob, alice_api):
    published = unconfirmed(alice, status=Status.PUBLISHED)
    status, answer = review(alice_api, published, {"decision": "send"})
    assert (status, answer["details"]) == (409, {"status": "published"})
    assert review(alice_api, unconfirmed(bob), {"decision": "live"})[0] == 404


def test_a_link_that_is_not_a_web_address_is_never_rendered(browser, alice):
    post = unconfirmed(alice, status=Status.PUBLISHED)
    ScheduledPost.objects.filter(pk=post.pk).update(platform_url="javascript:alert(document.cookie)")
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert "javascript:" not in page and "See it live" not in page


def test_the_resend_once_setting_is_off_by_default_and_set_through_the_api(alice, alice_api):
    assert alice_api.get("/api/me").json()["resend_unconfirmed"] is False
    response = alice_api.patch(
        "/api/me", data=json.dumps({"resend_unconfirmed": True}), content_type="application/json"
    )
    assert response.json()["resend_unconfirmed"] is True
    refused = alice_api.patch(
        "/api/me", data=json.dumps({"resend_unconfirmed": "yes"}), content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["error"] == "resend_unconfirmed must be true or false."
    alice.profile.refresh_from_db()
    assert alice.profile.resend_unconfirmed is True


def test_the_settings_page_states_the_risk_of_resending_and_saves_the_choice(browser, alice):
    page = browser.get("/settings/").content.decode()
    assert "Send once more when a post cannot be confirmed" in page
    assert "posts it twice if the first send did go out" in page
    form = {"timezone": "Europe/Paris", "late_grace_minutes": "30", "resend_unconfirmed": "on"}
    assert browser.post("/settings/profile", form).status_code == 302
    alice.profile.refresh_from_db()
    assert alice.profile.resend_unconfirmed is True
    del form["resend_unconfirmed"]  # an unticked box is not sent
    browser.post("/settings/profile", form)
    alice.profile.refresh_from_db()
    assert alice.profile.resend_unconfirmed is False


def test_a_published_post_links_to_itself_on_the_platform(browser, alice):
    post = unconfirmed(alice, status=Status.PUBLISHED)
    ScheduledPost.objects.filter(pk=post.pk).update(platform_url="https://x.com/demo_twitter/status/7")
    page = browser.get(f"/calendar/posts/{post.pk}/").content.decode()
    assert (
        '<a href="https://x.com/demo_twitter/status/7" rel="noopener noreferrer" target="_blank">See it live</a>'
        in page
    )
