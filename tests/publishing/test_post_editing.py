"""Editing, drafting and undoing through the JSON API: the fields, their validation, their races."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from publishing.models import Clip, PostEvent, ScheduledPost, SocialAccount, Status

from .test_api import schedule, send

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def url(post_id) -> str:
    return f"/api/publishing/calendar/{post_id}"


def cross_post(client, clip, **fields) -> list[dict]:
    body = schedule(client, clip_id=str(clip.pk), platforms=["tiktok", "youtube", "twitter"], **fields)
    assert body.status_code == 201, body.json()
    return body.json()["posts"]


def test_every_editable_field_of_a_scheduled_post_changes(alice_api, alice, alice_clip):
    other_clip = Clip.objects.create(owner=alice, title="Evening swim", media_url="https://cdn.example.com/swim.mp4")
    second = SocialAccount.objects.create(owner=alice, platform="tiktok", blotato_account_id="7007", username="alt")
    tiktok = cross_post(alice_api, alice_clip)[0]
    response = send(
        alice_api,
        "patch",
        url(tiktok["id"]),
        {
            "caption": "Swim!",
            "clip_id": str(other_clip.pk),
            "scheduled_time": "2026-12-30T09:00:00Z",
            "options": {"privacyLevel": "SELF_ONLY", "account_id": "7007"},
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["caption"], body["clip_id"], body["scheduled_time"]) == (
        "Swim!",
        str(other_clip.pk),
        "2026-12-30T09:00:00Z",
    )
    assert (body["options"], body["account_id"]) == ({"privacyLevel": "SELF_ONLY"}, "7007")
    post = ScheduledPost.objects.get(pk=tiktok["id"])
    assert post.account == second
    assert post.status == Status.SCHEDULED
    story = PostEvent.objects.get(post=post).message
    assert (
        "Caption changed." in story
        and "Account changed to @alt." in story
        and "Clip changed to Evening swim." in story
        and "Options changed." in story
    )


def test_editing_one_cross_post_leaves_its_siblings_alone(alice_api, alice_clip):
    tiktok, youtube, twitter = cross_post(alice_api, alice_clip, caption="Shared")
    send(alice_api, "patch", url(youtube["id"]), {"caption": "Only YouTube", "options": {"title": "A title"}})
    captions = dict(ScheduledPost.objects.values_list("platform", "caption"))
    assert captions == {"tiktok": "Shared", "youtube": "Only YouTube", "twitter": "Shared"}
    assert ScheduledPost.objects.get(pk=youtube["id"]).options == {"title": "A title"}


def test_apply_to_group_gives_the_shared_fields_to_every_sibling_still_editable(alice_api, alice_clip):
    tiktok, youtube, twitter = cross_post(alice_api, alice_clip, caption="Shared")
    ScheduledPost.objects.filter(pk=twitter["id"]).update(status=Status.PUBLISHED)
    response = send(
        alice_api,
        "patch",
        url(tiktok["id"]),
        {
            "caption": "All of them",
            "scheduled_time": "2026-12-28T10:00:00Z",
            "options": {"privacyLevel": "SELF_ONLY"},
            "apply_to_group": True,
        },
    )
    assert response.status_code == 200
    assert sorted(response.json()["group_updated"]) == sorted([tiktok["id"], youtube["id"]])
    youtube_post = ScheduledPost.objects.get(pk=youtube["id"])
    assert (youtube_post.caption, youtube_post.scheduled_time) == (
        "All of them",
        datetime(2026, 12, 28, 10, tzinfo=UTC),
    )
    assert youtube_post.options == {}  # options are each platform's own
    assert ScheduledPost.objects.get(pk=twitter["id"]).caption == "Shared"  # published: left alone


def test_apply_to_group_checks_each_sibling_platforms_rules(alice_api, alice_clip):
    tiktok, youtube, twitter = cross_post(alice_api, alice_clip, caption="Shared")
    response = send(alice_api, "patch", url(tiktok["id"]), {"caption": "x" * 300, "apply_to_group": True})
    assert response.status_code == 400
    assert response.json()["error"] == "The caption is 300 characters; Twitter/X allows at most 280."
    assert set(ScheduledPost.objects.values_list("caption", flat=True)) == {"Shared"}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"clip_id": None}, "TikTok needs media: choose a clip (clip_id)."),
        ({"clip_id": "nope"}, "clip_id must be a clip's UUID."),
        ({"caption": 5}, "caption must be a string."),
        (
            {"options": {"privacyLevel": "EVERYONE"}},
            "options.tiktok.privacyLevel must be one of SELF_ONLY, "
            "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR.",
        ),
        (
            {"options": {"boardId": "1"}},
            "options.tiktok.boardId is not an option for tiktok (options: disabledComments, "
            "disabledDuet, disabledStitch, isAiGenerated, isBrandedContent, isYourBrand, privacyLevel, title, "
            "videoCoverTimestamp).",
        ),
        ({"options": []}, "options must be an object keyed by platform."),
        (
            {"scheduled_time": "2026-11-01T10:00:00Z"},
            "scheduled_time 2026-11-01T10:00:00Z is in the past; pick a future time or set publish_now.",
        ),
        ({"status": "published"}, 'status may only be set to "scheduled" (to schedule a draft); cancel with DELETE.'),
        ({"apply_to_group": "yes", "caption": "x"}, "apply_to_group must be true or false."),
        ({"apply_to_group": True}, "Nothing to change: send scheduled_time, caption, clip_id, options or status."),
        ({"title": "x"}, "Unknown field(s): title."),
    ],
)
def test_bad_edits_are_refused_precisely_and_change_nothing(alice_api, alice_clip, body, message):
    tiktok = cross_post(alice_api, alice_clip, caption="Before")[0]
    response = send(alice_api, "patch", url(tiktok["id"]), body)
    assert response.status_code == 400
    assert response.json()["error"] == message
    post = ScheduledPost.objects.get(pk=tiktok["id"])
    assert (post.caption, post.clip_id, post.options) == ("Before", alice_clip.pk, {})
    assert not PostEvent.objects.filter(post=post).exists()


def test_another_users_clip_or_account_is_a_404(alice_api, alice_clip, bob_clip):
    tiktok = cross_post(alice_api, alice_clip)[0]
    assert send(alice_api, "patch", url(tiktok["id"]), {"clip_id": str(bob_clip.pk)}).status_code == 404
    missing_account = send(alice_api, "patch", url(tiktok["id"]), {"options": {"account_id": "999999"}})
    assert missing_account.status_code == 404
    assert missing_account.json()["error"] == "No connected TikTok account with id 999999."


def test_another_users_post_cannot_be_edited_or_undone(alice_api, bob_api, alice_clip):
    tiktok = cross_post(alice_api, alice_clip, caption="Mine")[0]
    assert send(bob_api, "patch", url(tiktok["id"]), {"caption": "Bob's"}).status_code == 404
    assert send(bob_api, "post", url(tiktok["id"]) + "/undo-cancel").status_code == 404
    assert ScheduledPost.objects.get(pk=tiktok["id"]).caption == "Mine"


def test_a_post_being_published_is_a_409_and_nothing_changes(alice_api, alice_clip):
    tiktok = cross_post(alice_api, alice_clip, caption="Before")[0]
    ScheduledPost.objects.filter(pk=tiktok["id"]).update(
        status=Status.PUBLISHING, claim_token=uuid.uuid4(), lease_until=NOW + timedelta(minutes=1)
    )
    response = send(alice_api, "patch", url(tiktok["id"]), {"caption": "During"})
    assert response.status_code == 409
    assert response.json() == {
        "error": "This post is publishing; only scheduled or draft posts can be changed this way.",
        "details": {"status": "publishing"},
    }
    assert ScheduledPost.objects.get(pk=tiktok["id"]).caption == "Before"


def test_a_draft_needs_no_time_and_is_never_due(alice_api, alice_clip):
    response = schedule(alice_api, status="draft", scheduled_time=None, caption="Idea")
    assert response.status_code == 201
    draft = response.json()["posts"][0]
    assert (draft["status"], draft["scheduled_time"]) == ("draft", None)
    timed = schedule(alice_api, status="draft", scheduled_time="2026-11-25T12:00:30Z").json()["posts"][0]
    assert timed["status"] == "draft"
    assert not ScheduledPost.objects.due(NOW + timedelta(days=400)).exists()


def test_a_draft_can_be_edited_then_scheduled(alice_api):
    draft = schedule(alice_api, status="draft", scheduled_time=None, caption="Idea").json()["posts"][0]
    edited = send(alice_api, "patch", url(draft["id"]), {"caption": "Better idea"})
    assert edited.json()["status"] == "draft"
    no_time = send(alice_api, "patch", url(draft["id"]), {"status": "scheduled"})
    assert no_time.status_code == 400
    assert no_time.json()["error"] == "This draft has no time yet: send scheduled_time with it."
    scheduled = send(
        alice_api, "patch", url(draft["id"]), {"status": "scheduled", "scheduled_time": "2026-12-01T08:00"}
    )
    assert scheduled.status_code == 200
    assert (scheduled.json()["status"], scheduled.json()["scheduled_time"]) == ("scheduled", "2026-12-01T07:00:00Z")
    assert PostEvent.objects.filter(post_id=draft["id"], status="scheduled").exists()


def test_a_draft_whose_time_passed_is_scheduled_only_with_a_new_time(alice_api):
    draft = schedule(alice_api, status="draft", scheduled_time="2026-11-26T08:00:00Z").json()["posts"][0]
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        response = send(alice_api, "patch", url(draft["id"]), {"status": "scheduled"})
    assert response.status_code == 400
    assert response.json()["error"] == "This draft's time has passed: send a future scheduled_time with it."
    assert ScheduledPost.objects.get(pk=draft["id"]).status == Status.DRAFT


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": "cancelled"}, 'status must be "scheduled" or "draft".'),
        ({"status": "draft", "publish_now": True}, "A draft is never published: leave out publish_now."),
    ],
)
def test_bad_draft_requests_are_refused(alice_api, fields, message):
    response = schedule(alice_api, **fields)
    assert response.status_code == 400
    assert response.json()["error"] == message
    assert not ScheduledPost.objects.exists()


def test_a_missed_post_can_be_moved_and_nothing_else(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]
    ScheduledPost.objects.filter(pk=post_id).update(status=Status.MISSED, last_error="late")
    assert (
        send(alice_api, "patch", url(post_id), {"caption": "new", "scheduled_time": "2026-12-02T10:00:00Z"}).status_code
        == 409
    )
    moved = send(alice_api, "patch", url(post_id), {"scheduled_time": "2026-12-02T10:00:00Z"})
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["scheduled_time"]) == ("scheduled", "2026-12-02T10:00:00Z")


def test_a_cancel_is_undone_while_the_time_is_ahead_and_not_after(alice_api):
    post_id = schedule(alice_api).json()["posts"][0]["id"]  # 2026-12-27T14:00Z
    send(alice_api, "delete", url(post_id))
    undone = send(alice_api, "post", url(post_id) + "/undo-cancel")
    assert undone.status_code == 200
    assert undone.json()["status"] == "scheduled"
    assert send(alice_api, "post", url(post_id) + "/undo-cancel").status_code == 409  # not cancelled now
    send(alice_api, "delete", url(post_id))
    with time_machine.travel(datetime(2026, 12, 28, tzinfo=UTC), tick=False):
        late = send(alice_api, "post", url(post_id) + "/undo-cancel")
    assert late.status_code == 409
    assert late.json()["error"] == "This post's time has passed: it stays cancelled. Duplicate it to post it again."
    assert ScheduledPost.objects.get(pk=post_id).status == Status.CANCELLED


def test_scheduling_a_group_of_drafts_schedules_every_sibling_at_the_same_time(alice_api, alice_clip):
    body = schedule(
        alice_api, status="draft", scheduled_time=None, clip_id=str(alice_clip.pk), platforms=["tiktok", "youtube"]
    )
    tiktok, youtube = body.json()["posts"]
    send(alice_api, "patch", url(youtube["id"]), {"scheduled_time": "2026-12-03T10:00:00Z"})  # its own time
    response = send(
        alice_api,
        "patch",
        url(tiktok["id"]),
        {"status": "scheduled", "scheduled_time": "2026-12-02T10:00:00Z", "apply_to_group": True},
    )
    assert response.status_code == 200
    assert sorted(ScheduledPost.objects.values_list("status", "scheduled_time")) == [
        (Status.SCHEDULED, datetime(2026, 12, 2, 10, tzinfo=UTC)),
        (Status.SCHEDULED, datetime(2026, 12, 2, 10, tzinfo=UTC)),
    ]
