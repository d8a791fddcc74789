"""Pausing publishing: what the dispatcher may take while paused, what resuming does, and the switches.

The clock stands still (tests/publishing/page_clock.py's Wednesday); the real beat and workers
are in test_pause_workers.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from publishing import dispatch, pause, transitions
from publishing.models import PostEvent, PublishingPause, ScheduledPost, SocialAccount, Status
from tests.publishing.page_clock import NOW, frozen_clock  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


def post_for(user, minutes_from_now: float, caption: str = "hello", **fields) -> ScheduledPost:
    account = SocialAccount.objects.get(owner=user, platform="twitter")
    return ScheduledPost.objects.create(
        owner=user,
        platform="twitter",
        account=account,
        caption=caption,
        scheduled_time=NOW + minutes_from_now * MINUTE,
        **fields,
    )


def status_of(post: ScheduledPost) -> str:
    return ScheduledPost.objects.get(pk=post.pk).status


# --- what the dispatcher may take ----------------------------------------------------------------


def test_a_paused_users_due_posts_are_not_due_and_cannot_be_claimed(alice, bob):
    mine, theirs = post_for(alice, -1), post_for(bob, -1)
    pause.pause(alice, by="alice")
    assert list(ScheduledPost.objects.due(NOW)) == [theirs]
    assert transitions.claim(mine.pk, at=NOW) is None
    assert status_of(mine) == Status.SCHEDULED
    assert [hint.post_id for hint in dispatch.hint_due_posts(at=NOW)] == [theirs.pk]


def test_the_install_pause_holds_every_users_posts(alice, bob):
    posts = [post_for(alice, -1), post_for(bob, -1)]
    call_command("pause_publishing")
    assert not ScheduledPost.objects.due(NOW).exists()
    assert dispatch.claim_due_posts(at=NOW) == []
    assert [status_of(p) for p in posts] == [Status.SCHEDULED, Status.SCHEDULED]


def test_a_post_claimed_just_before_the_pause_is_handed_back_unsent(alice, fake_blotato):
    post = post_for(alice, -1)
    token = transitions.claim(post.pk, at=NOW)
    pause.pause(alice, by="alice")
    dispatch.publish(post.pk, token)
    post.refresh_from_db()
    assert (post.status, post.attempts, post.claim_token) == (Status.SCHEDULED, 0, None)
    assert fake_blotato.requests("POST", "/v2/posts") == []
    assert not post.attempt_log.exists()


def test_nothing_turns_missed_while_paused_however_late(alice):
    post = post_for(alice, -600)  # ten hours late, far past the 30-minute grace
    pause.pause(None, by="operator")
    assert dispatch.mark_missed_posts(at=NOW) == 0
    assert status_of(post) == Status.SCHEDULED


def test_pausing_twice_keeps_the_first_pause(alice):
    first = pause.pause(alice, by="alice")
    assert pause.pause(alice, by="alice again") == first
    assert PublishingPause.objects.open().count() == 1


# --- resuming ------------------------------------------------------------------------------------


def test_resuming_misses_what_is_past_its_grace_and_frees_the_rest(alice):
    pause.pause(alice, by="alice", at=NOW - 90 * MINUTE)
    stale = post_for(alice, -45, "stale")
    fresh = post_for(alice, -10, "fresh", hinted_at=NOW - 20 * MINUTE)
    later = post_for(alice, 60, "later")

    outcome = pause.resume(alice, by="alice")

    assert outcome == pause.Resumed(was_paused=True, missed=1)
    stale.refresh_from_db()
    assert stale.status == Status.MISSED
    assert "publishing was paused" in stale.last_error and "more than 30 minutes late" in stale.last_error
    assert list(ScheduledPost.objects.due(NOW)) == [fresh]
    assert ScheduledPost.objects.get(pk=fresh.pk).hinted_at is None  # hinted afresh by the next beat
    assert status_of(later) == Status.SCHEDULED


def test_resuming_ones_own_pause_sends_nothing_while_the_install_is_paused(alice):
    pause.pause(alice, by="alice", at=NOW - 90 * MINUTE)
    pause.pause(None, by="operator", at=NOW - 80 * MINUTE)
    stale = post_for(alice, -45)
    assert pause.resume(alice, by="alice").missed == 0
    assert status_of(stale) == Status.SCHEDULED
    assert not ScheduledPost.objects.due(NOW).exists()
    assert pause.resume(None, by="operator").missed == 1
    assert status_of(stale) == Status.MISSED


def test_resuming_what_is_not_paused_changes_nothing(alice):
    post = post_for(alice, -45)
    assert pause.resume(alice, by="alice") == pause.Resumed(was_paused=False)
    assert status_of(post) == Status.SCHEDULED


def test_the_missed_list_holds_only_posts_a_pause_made_missed(alice, bob):
    pause.pause(None, by="operator", at=NOW - 120 * MINUTE)
    during = [post_for(alice, -100, "first"), post_for(alice, -50, "second")]
    theirs = post_for(bob, -60, "bob's")
    pause.resume(None, by="operator")
    missed_before = post_for(alice, -300, "an outage last night", status=Status.MISSED)
    assert list(pause.missed_while_paused(alice)) == during
    assert list(pause.missed_while_paused(bob)) == [theirs]
    assert missed_before not in pause.missed_while_paused(alice)


def test_reschedule_all_spreads_the_missed_posts_in_order_and_says_so(alice):
    pause.pause(alice, by="alice", at=NOW - 120 * MINUTE)
    posts = [post_for(alice, minutes) for minutes in (-110, -100, -90, -40)]
    pause.resume(alice, by="alice")

    assert pause.reschedule_missed(alice, hours=2) == 4

    moved = ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).order_by("scheduled_time")
    assert [p.pk for p in moved] == [p.pk for p in posts]
    first = NOW + 5 * MINUTE
    assert [p.scheduled_time for p in moved] == [first + n * 30 * MINUTE for n in range(4)]
    assert {p.status for p in moved} == {Status.SCHEDULED}
    event = PostEvent.objects.filter(post=posts[0]).last()
    assert event.actor == alice and "missed while publishing was paused" in event.message
    assert not pause.missed_while_paused(alice).exists()


# --- the management commands ---------------------------------------------------------------------


def test_the_commands_pause_and_resume_the_whole_install(alice, capsys):
    stale = post_for(alice, -45)
    call_command("pause_publishing")
    assert pause.install_paused_since() == NOW
    call_command("resume_publishing")
    out = capsys.readouterr().out
    assert "Paused all publishing" in out
    assert "Resumed all publishing. 1 post(s) were later than their grace period" in out
    assert pause.install_paused_since() is None
    assert status_of(stale) == Status.MISSED
    [record] = PublishingPause.objects.all()
    assert (record.owner, record.started_by, record.ended_by) == (
        None,
        "manage.py pause_publishing",
        "manage.py resume_publishing",
    )


def test_the_commands_can_pause_one_user(alice, bob):
    call_command("pause_publishing", user="alice")
    assert pause.state_for(alice).user_since == NOW
    assert not pause.state_for(bob).held
    call_command("resume_publishing", user="alice")
    assert not pause.state_for(alice).held


def test_the_commands_refuse_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("pause_publishing", user="nobody")
    assert not PublishingPause.objects.exists()


def test_resume_says_when_nothing_was_paused(db, capsys):
    call_command("resume_publishing")
    assert "Nothing to resume: all publishing was not paused." in capsys.readouterr().out


# --- the API field -------------------------------------------------------------------------------


def test_me_reports_the_pause_switches(alice_api, alice):
    body = alice_api.get("/api/me").json()
    assert (body["publishing_paused"], body["publishing_paused_since"], body["install_publishing_paused"]) == (
        False,
        None,
        False,
    )
    pause.pause(None, by="operator")
    assert alice_api.get("/api/me").json()["install_publishing_paused"] is True


def test_patch_me_pauses_and_resumes_my_publishing(alice_api, alice):
    stale = post_for(alice, -45)
    answer = alice_api.patch("/api/me", {"publishing_paused": True}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["publishing_paused"] is True
    assert answer.json()["publishing_paused_since"] == "2026-11-25T09:00:00Z"
    assert PublishingPause.objects.open().get().owner == alice

    answer = alice_api.patch("/api/me", {"publishing_paused": False}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["publishing_paused"] is False
    assert status_of(stale) == Status.MISSED


@pytest.mark.parametrize("value", ["yes", 1, None, [], {}])
def test_patch_me_refuses_a_pause_that_is_not_a_boolean_and_changes_nothing(alice_api, alice, value):
    answer = alice_api.patch(
        "/api/me", {"publishing_paused": value, "late_grace_minutes": 5}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "publishing_paused must be true or false.",
        "details": {"publishing_paused": "invalid"},
    }
    alice.profile.refresh_from_db()
    assert alice.profile.late_grace_minutes == 30
    assert not PublishingPause.objects.exists()


def test_pausing_through_the_api_touches_only_my_posts(alice_api, bob_api, bob):
    alice_api.patch("/api/me", {"publishing_paused": True}, content_type="application/json")
    assert bob_api.get("/api/me").json()["publishing_paused"] is False
    theirs = post_for(bob, -1)
    assert list(ScheduledPost.objects.due(NOW)) == [theirs]


# --- the settings page and the header ------------------------------------------------------------


def test_the_settings_switch_pauses_resumes_and_the_header_says_so(browser, alice):
    assert "paused-indicator" not in browser.get(reverse("publishing:calendar")).content.decode()
    response = browser.post(reverse("publishing:pause_publishing"), follow=True)
    assert "Publishing paused: none of your posts will be sent until you resume." in response.content.decode()
    assert pause.state_for(alice).user_since == NOW
    page = browser.get(reverse("publishing:calendar")).content.decode()
    assert 'class="paused-indicator"' in page and ">Publishing paused</a>" in page

    response = browser.post(reverse("publishing:resume_publishing"), follow=True)
    assert "Publishing resumed." in response.content.decode()
    assert not pause.state_for(alice).held


def test_the_header_shows_the_install_pause_to_everyone(browser):
    pause.pause(None, by="operator")
    page = browser.get(reverse("publishing:settings")).content.decode()
    assert ">Publishing paused for everyone</a>" in page
    assert "This installation's operator paused all publishing" in page


def test_the_settings_page_lists_what_was_missed_and_reschedules_it(browser, alice):
    pause.pause(alice, by="alice", at=NOW - 120 * MINUTE)
    posts = [post_for(alice, -100, "first missed"), post_for(alice, -50, "second missed")]
    response = browser.post(reverse("publishing:resume_publishing"), follow=True)
    page = response.content.decode()
    assert "2 post(s) were later than your grace period" in page
    assert "first missed" in page and "second missed" in page and "Reschedule all 2" in page

    response = browser.post(reverse("publishing:reschedule_missed"), {"hours": "1"}, follow=True)
    assert "Rescheduled 2 post(s) over the next 1 h." in response.content.decode()
    assert [status_of(p) for p in posts] == [Status.SCHEDULED, Status.SCHEDULED]


@pytest.mark.parametrize("hours", ["", "0", "5", "many", "100000"])
def test_reschedule_all_refuses_a_spread_it_does_not_offer(browser, alice, hours):
    pause.pause(alice, by="alice", at=NOW - 120 * MINUTE)
    post = post_for(alice, -100)
    pause.resume(alice, by="alice")
    response = browser.post(reverse("publishing:reschedule_missed"), {"hours": hours})
    assert response.status_code == 422
    assert status_of(post) == Status.MISSED


def test_the_pause_pages_need_a_login_and_a_post(browser):
    assert Client().post(reverse("publishing:pause_publishing")).status_code == 302
    assert browser.get(reverse("publishing:pause_publishing")).status_code == 405
    assert not PublishingPause.objects.exists()


# --- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def boss_client(client, db):
    from django.contrib.auth.models import User

    boss = User.objects.create_user("boss", password="boss-password-123", is_staff=True, is_superuser=True)
    client.force_login(boss)
    return client


def test_the_admin_pauses_the_install_and_its_action_resumes_it(boss_client, alice):
    stale = post_for(alice, -45)
    response = boss_client.post(reverse("admin:publishing_publishingpause_add"), {"owner": ""})
    assert response.status_code == 302
    paused = PublishingPause.objects.open().get()
    assert (paused.owner, paused.started_by) == (None, "boss (admin)")
    assert not ScheduledPost.objects.due(NOW).exists()

    response = boss_client.post(
        reverse("admin:publishing_publishingpause_changelist"),
        {"action": "resume_publishing", "_selected_action": [paused.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Resumed 1 pause(s); 1 post(s) were too late and are now missed."
    )
    assert pause.install_paused_since() is None
    assert status_of(stale) == Status.MISSED


def test_a_second_admin_pause_of_the_same_owner_keeps_the_first(boss_client, alice):
    first = pause.pause(alice, by="alice")
    boss_client.post(reverse("admin:publishing_publishingpause_add"), {"owner": str(alice.pk)})
    assert list(PublishingPause.objects.all()) == [first]


def test_a_missed_post_retried_on_its_own_leaves_the_list(alice):
    pause.pause(alice, by="alice", at=NOW - 120 * MINUTE)
    post = post_for(alice, -100)
    pause.resume(alice, by="alice")
    transitions.retry(ScheduledPost.objects.get(pk=post.pk), at=NOW, actor=alice)
    assert ScheduledPost.objects.get(pk=post.pk).missed_in_pause is None
    assert not pause.missed_while_paused(alice).exists()
