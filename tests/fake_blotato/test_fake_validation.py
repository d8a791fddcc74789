"""POST /v2/posts validation: Blotato's synchronous 422s with AJV-style messages, and what passes."""

from __future__ import annotations

import pytest

from tests.fake_blotato.calls import TIKTOK_TARGET, call, create, iso_in, post_body, status_of

VIDEO = ["https://cdn.example.com/v.mp4"]
YOUTUBE_TARGET = {"title": "A title", "privacyStatus": "public", "shouldNotifySubscribers": False}


def without(target: dict, name: str) -> dict:
    return {k: v for k, v in target.items() if k != name}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "body must have required property 'post'"),
        ({"post": {"content": {}, "target": {}}}, "post: must have required property 'accountId'"),
        ({"post": {**post_body()["post"], "accountId": 1001}}, "post.accountId: must be string"),
        (
            {"post": {**post_body()["post"], "content": {"text": "x", "platform": "twitter"}}},
            "post.content: must have required property 'mediaUrls'",
        ),
        (post_body(media=[5]), "post.content.mediaUrls.0: must be string"),
        (
            post_body("myspace"),
            "post.content.platform: must be equal to one of the allowed values: twitter, linkedin, facebook, "
            "instagram, pinterest, tiktok, threads, bluesky, youtube, other",
        ),
        (
            {"post": {**post_body()["post"], "target": {}}},
            "post.target: must have required property 'targetType'",
        ),
    ],
)
def test_the_body_shape_is_checked(fake, body, message):
    response = call(fake, "POST", "/v2/posts", body)
    assert (response.status_code, response.json()) == (422, {"message": message})
    assert fake.submissions() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (post_body("facebook", "1003"), "post.target: must have required property 'pageId'"),
        *[
            (
                post_body("tiktok", "1006", media=VIDEO, target=without(TIKTOK_TARGET, name)),
                f"post.target: must have required property '{name}'",
            )
            for name in TIKTOK_TARGET
        ],
        *[
            (
                post_body("youtube", "1009", media=VIDEO, target=without(YOUTUBE_TARGET, name)),
                f"post.target: must have required property '{name}'",
            )
            for name in YOUTUBE_TARGET
        ],
        (post_body("pinterest", "1005", media=VIDEO), "post.target: must have required property 'boardId'"),
    ],
)
def test_every_platforms_required_target_fields(fake, body, message):
    response = call(fake, "POST", "/v2/posts", body)
    assert (response.status_code, response.json()) == (422, {"message": message})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            post_body("tiktok", "1006", media=VIDEO, target={**TIKTOK_TARGET, "privacyLevel": "FRIENDS"}),
            "post.target.privacyLevel: must be equal to one of the allowed values: SELF_ONLY, PUBLIC_TO_EVERYONE, "
            "MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR",
        ),
        (
            post_body("tiktok", "1006", media=VIDEO, target={**TIKTOK_TARGET, "disabledDuet": "no"}),
            "post.target.disabledDuet: must be boolean",
        ),
        (
            post_body("youtube", "1009", media=VIDEO, target={**YOUTUBE_TARGET, "privacyStatus": "friends"}),
            "post.target.privacyStatus: must be equal to one of the allowed values: private, public, unlisted",
        ),
        (
            post_body("youtube", "1009", media=VIDEO, target={**YOUTUBE_TARGET, "title": "t" * 101}),
            "post.target.title: must NOT have more than 100 characters",
        ),
        (
            post_body("youtube", "1009", media=VIDEO, target={**YOUTUBE_TARGET, "title": ""}),
            "post.target.title: must NOT have fewer than 1 characters",
        ),
        (
            post_body("tiktok", "1006", media=VIDEO, target={**TIKTOK_TARGET, "title": "t" * 91}),
            "post.target.title: must NOT have more than 90 characters",
        ),
        (
            post_body("threads", "1007", target={"replyControl": "nobody"}),
            "post.target.replyControl: must be equal to one of the allowed values: everyone, accounts_you_follow, "
            "mentioned_only",
        ),
        (
            post_body("instagram", "1004", media=VIDEO, target={"mediaType": "carousel"}),
            "post.target.mediaType: must be equal to one of the allowed values: reel, story",
        ),
        (
            post_body("instagram", "1004", media=VIDEO, target={"altText": "a" * 1001}),
            "post.target.altText: must NOT have more than 1000 characters",
        ),
        (
            post_body("instagram", "1004", media=VIDEO, target={"collaborators": ["a", "b", "c", "d"]}),
            "post.target.collaborators: must NOT have more than 3 items",
        ),
    ],
)
def test_enums_and_length_limits(fake, body, message):
    response = call(fake, "POST", "/v2/posts", body)
    assert (response.status_code, response.json()) == (422, {"message": message})


@pytest.mark.parametrize(("platform", "account"), [("instagram", "1004"), ("tiktok", "1006"), ("youtube", "1009")])
def test_media_is_required_where_the_platform_needs_it(fake, platform, account):
    target = {"tiktok": TIKTOK_TARGET, "youtube": YOUTUBE_TARGET}.get(platform, {})
    response = call(fake, "POST", "/v2/posts", post_body(platform, account, target=target))
    assert response.json() == {"message": "post.content.mediaUrls: must NOT have fewer than 1 items"}


def test_pinterest_needs_media_too(fake):
    response = call(fake, "POST", "/v2/posts", post_body("pinterest", "1005", target={"boardId": "3001"}))
    assert (response.status_code, response.json()["message"]) == (
        422,
        "post.content.mediaUrls: must NOT have fewer than 1 items",
    )


def test_additional_posts_only_for_twitter_bluesky_and_threads(fake):
    body = post_body("linkedin", "1002")
    body["post"]["content"]["additionalPosts"] = [{"text": "more", "mediaUrls": []}]
    response = call(fake, "POST", "/v2/posts", body)
    assert response.json() == {"message": "post.content.additionalPosts: only allowed for twitter, bluesky and threads"}
    thread = post_body("bluesky", "1008")
    thread["post"]["content"]["additionalPosts"] = [{"text": "more", "mediaUrls": []}]
    assert call(fake, "POST", "/v2/posts", thread).status_code == 201


def test_platform_must_equal_target_type(fake):
    body = post_body()
    body["post"]["target"]["targetType"] = "bluesky"
    response = call(fake, "POST", "/v2/posts", body)
    assert response.json() == {"message": "post.target.targetType: must be equal to post.content.platform"}


def test_the_account_must_be_this_keys_and_on_the_same_platform(fake):
    unknown = call(fake, "POST", "/v2/posts", post_body(account="9999"))
    assert unknown.json() == {"message": "post.accountId: account not found"}
    wrong_platform = call(fake, "POST", "/v2/posts", post_body("bluesky", "1001"))
    assert wrong_platform.status_code == 422
    assert fake.submissions() == []


def test_an_unknown_account_can_be_accepted_and_fail_later_instead(fake):
    fake.set_knobs(account_not_found_mode="fail_async")
    submission = create(fake, post_body(account="9999"))
    assert status_of(fake, submission) == {
        "postSubmissionId": submission,
        "status": "failed",
        "errorMessage": "Account not found",
    }
    assert fake.publications() == []


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2026-12-25T15:00:00", 'scheduledTime: must match format "date-time"'),
        ("next tuesday", 'scheduledTime: must match format "date-time"'),
        ("2020-01-01T00:00:00Z", "scheduledTime must be in the future"),
        (iso_in(days=300), "scheduledTime must be within 9 months"),
    ],
)
def test_scheduled_time_needs_an_offset_the_future_and_at_most_nine_months(fake, when, message):
    response = call(fake, "POST", "/v2/posts", post_body(scheduledTime=when))
    assert (response.status_code, response.json()) == (422, {"message": message})
    assert fake.submissions() == []


def test_a_scheduled_time_with_an_offset_is_normalised_to_utc(fake):
    response = call(fake, "POST", "/v2/posts", post_body(scheduledTime=iso_in(days=30).replace("Z", "+00:00")))
    assert response.status_code == 201
    assert response.json()["scheduledTime"].endswith("Z")
    assert len(response.json()["scheduledTime"]) == len("2026-03-04T16:30:00.000Z")


def test_use_next_free_slot_without_a_slot_is_422(fake):
    response = call(fake, "POST", "/v2/posts", post_body(useNextFreeSlot=True))
    assert response.status_code == 422


def test_a_nested_scheduled_time_is_ignored_and_the_post_goes_out_now(fake):
    body = post_body(text="foot-gun")
    body["post"]["scheduledTime"] = iso_in(days=2)
    body["post"]["useNextFreeSlot"] = True
    response = call(fake, "POST", "/v2/posts", body)
    assert response.status_code == 201
    assert "scheduledTime" not in response.json()
    assert status_of(fake, response.json()["postSubmissionId"])["status"] == "published"
    assert fake.submissions()[0]["scheduled_time"] is None


def test_caption_over_the_limit_is_422_by_default(fake):
    response = call(fake, "POST", "/v2/posts", post_body(text="x" * 281))
    assert response.json() == {"message": "post.content.text: must NOT have more than 280 characters"}
    assert call(fake, "POST", "/v2/posts", post_body(text="x" * 280)).status_code == 201


def test_youtube_descriptions_count_utf8_bytes(fake):
    body = post_body("youtube", "1009", text="é" * 2501, media=VIDEO, target=YOUTUBE_TARGET)
    assert call(fake, "POST", "/v2/posts", body).json() == {
        "message": "post.content.text: must NOT have more than 5000 bytes"
    }


def test_caption_limit_can_fail_later_or_be_ignored(fake):
    fake.set_knobs(caption_limit_mode="fail_async")
    failing = create(fake, post_body(text="x" * 281))
    assert status_of(fake, failing)["status"] == "failed"
    assert "too long" in status_of(fake, failing)["errorMessage"]
    fake.set_knobs(caption_limit_mode="accept")
    accepted = create(fake, post_body(text="x" * 281))
    assert status_of(fake, accepted)["status"] == "published"
    assert [p["id"] for p in fake.publications()] == [accepted]


def test_threads_with_several_media_fail_later_or_are_refused(fake):
    two = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]
    failing = create(fake, post_body("threads", "1007", media=two))
    assert status_of(fake, failing)["status"] == "failed"
    fake.set_knobs(threads_multi_media_mode="reject_422")
    body = post_body("threads", "1007", media=two[:1])
    body["post"]["content"]["additionalPosts"] = [{"text": "2/2", "mediaUrls": two}]
    response = call(fake, "POST", "/v2/posts", body)
    assert response.json() == {"message": "post.content.additionalPosts.0.mediaUrls: must NOT have more than 1 items"}


def test_unreachable_media_fails_later(fake):
    submission = create(fake, post_body(media=["https://media.example.invalid/gone.jpg"]))
    assert status_of(fake, submission)["status"] == "failed"
    assert status_of(fake, submission)["errorMessage"].startswith("Could not download media")


def test_every_sandbox_account_accepts_a_complete_post(fake):
    bodies = [
        post_body("twitter", "1001"),
        post_body("linkedin", "1002", target={"pageId": "2002"}),
        post_body("facebook", "1003", target={"pageId": "2001"}),
        post_body("instagram", "1004", media=VIDEO, target={"mediaType": "reel", "collaborators": ["a"]}),
        post_body("pinterest", "1005", media=["https://cdn.example.com/i.jpg"], target={"boardId": "3001"}),
        post_body("tiktok", "1006", media=VIDEO, target=TIKTOK_TARGET),
        post_body("threads", "1007", target={"replyControl": "everyone"}),
        post_body("bluesky", "1008"),
        post_body("youtube", "1009", media=VIDEO, target=YOUTUBE_TARGET),
    ]
    urls = {status_of(fake, create(fake, body))["publicUrl"] for body in bodies}
    prefixes = [
        "https://x.com/demo_twitter/status/",
        "https://www.linkedin.com/feed/update/urn:li:share:",
        "https://www.facebook.com/2001/posts/",
        "https://www.instagram.com/reel/",
        "https://www.pinterest.com/pin/",
        "https://www.tiktok.com/@demo_tiktok/video/",
        "https://www.threads.net/@demo_threads/post/",
        "https://bsky.app/profile/demo_bluesky/post/",
        "https://www.youtube.com/watch?v=",
    ]
    assert all(any(url.startswith(prefix) for url in urls) for prefix in prefixes)
    assert fake.publication_counts() == {str(n): 1 for n in range(1001, 1010)}
