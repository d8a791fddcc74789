"""publishing/platforms.py owns every per-platform rule: adding a platform is that file, its
optimal-time defaults and the fake Blotato. These tests say so, and pin the targets we send."""

from __future__ import annotations

import pytest

from analytics.platform_defaults import DEFAULTS
from publishing.fake_blotato.validation import SOCIAL_PLATFORMS
from publishing.models import Clip, ScheduledPost, SocialAccount
from publishing.platforms import RULES, Platform, blotato_target

from .page_clock import HTMX, frozen_clock  # noqa: F401 (frozen_clock: autouse fixture)

TIKTOK_DEFAULTS = {
    "privacyLevel": "PUBLIC_TO_EVERYONE",
    "disabledComments": False,
    "disabledDuet": False,
    "disabledStitch": False,
    "isBrandedContent": False,
    "isYourBrand": False,
    "isAiGenerated": False,
}
YOUTUBE_DEFAULTS = {"privacyStatus": "public", "shouldNotifySubscribers": True}

# What dispatch sent before the rules moved here: (platform, account has page/board, options) -> target.
# The post has the clip "Morning run" and the caption "Hello".
EXPECTED_TARGETS = [
    ("twitter", False, {}, {}),
    ("twitter", True, {}, {}),
    ("bluesky", True, {}, {}),
    ("threads", True, {"replyControl": "everyone"}, {"replyControl": "everyone"}),
    ("linkedin", False, {}, {}),
    ("linkedin", True, {}, {"pageId": "P1"}),
    ("linkedin", True, {"pageId": "mine"}, {"pageId": "mine"}),
    ("facebook", False, {}, {}),
    ("facebook", True, {}, {"pageId": "P1"}),
    ("facebook", True, {"mediaType": "reel"}, {"pageId": "P1", "mediaType": "reel"}),
    ("instagram", True, {}, {}),
    ("instagram", True, {"mediaType": "story"}, {"mediaType": "story"}),
    ("pinterest", False, {}, {}),
    ("pinterest", True, {}, {"boardId": "B1"}),
    ("pinterest", True, {"boardId": "mine", "title": "T"}, {"boardId": "mine", "title": "T"}),
    ("tiktok", True, {}, TIKTOK_DEFAULTS),
    ("tiktok", True, {"privacyLevel": "SELF_ONLY"}, {**TIKTOK_DEFAULTS, "privacyLevel": "SELF_ONLY"}),
    ("youtube", False, {}, {**YOUTUBE_DEFAULTS, "title": "Morning run"}),
    ("youtube", True, {"title": "Mine"}, {**YOUTUBE_DEFAULTS, "title": "Mine"}),
    (
        "youtube",
        True,
        {"privacyStatus": "unlisted"},
        {"privacyStatus": "unlisted", "shouldNotifySubscribers": True, "title": "Morning run"},
    ),
]


def unsaved_post(
    platform: str, *, placed: bool, options: dict, clip_title: str | None = "Morning run", caption="Hello"
):
    account = SocialAccount(platform=platform, page_id="P1" if placed else "", board_id="B1" if placed else "")
    clip = Clip(title=clip_title) if clip_title is not None else None
    return ScheduledPost(platform=platform, account=account, clip=clip, caption=caption, options=options)


@pytest.mark.parametrize(("platform", "placed", "options", "expected"), EXPECTED_TARGETS)
def test_the_blotato_target_is_what_dispatch_always_sent(platform, placed, options, expected):
    assert blotato_target(unsaved_post(platform, placed=placed, options=options)) == expected


def test_the_table_covers_every_platform():
    assert {row[0] for row in EXPECTED_TARGETS} == set(Platform.values)


@pytest.mark.parametrize(
    ("clip_title", "caption", "title"),
    [(None, "Just words", "Just words"), (None, "", "Untitled"), ("", "Hello", "Untitled"), ("t" * 150, "", "t" * 100)],
)
def test_a_youtube_title_comes_from_the_clip_else_the_caption(clip_title, caption, title):
    post = unsaved_post("youtube", placed=False, options={}, clip_title=clip_title, caption=caption)
    assert blotato_target(post)["title"] == title


@pytest.mark.parametrize("platform", Platform.values)
def test_every_platform_has_complete_rules(platform):
    rules = RULES[platform]
    assert rules.caption_limit > 0
    assert isinstance(rules.media_required, bool)
    assert set(rules.target_defaults) <= set(rules.target_fields)
    for name in rules.dialog_options:
        assert rules.target_fields[name].label, f"{platform}.{name} is offered in the dialog without a label"
    if rules.destination:
        assert rules.destination.target_key in rules.target_fields
        assert hasattr(SocialAccount, rules.destination.account_field)
    if rules.title_from_post:
        assert rules.target_fields["title"].max_length


def test_every_platform_has_time_defaults_and_a_fake_sandbox_account():
    assert set(DEFAULTS) == set(Platform.values)
    assert sorted(SOCIAL_PLATFORMS) == sorted(Platform.values)


def test_every_platform_has_an_options_schema(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for platform in Platform.values:
        options = schemas[f"{Platform(platform).name.title()}Options"]["properties"]
        assert set(RULES[platform].target_fields) | {"account_id"} == set(options)


@pytest.mark.django_db
def test_the_dialog_offers_each_platforms_options_with_their_labels(browser):
    body = browser.get("/calendar/new?date=2026-11-27", headers=HTMX).content.decode()
    for platform, rules in RULES.items():
        for name in rules.dialog_options:
            assert f'name="options.{platform}.{name}"' in body
            assert rules.target_fields[name].label in body
    for label in ["Who can watch", "Visibility", "Facebook Page id", "Pinterest board id", "Post as", "Title"]:
        assert label in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("platform", "field", "message"),
    [
        ("facebook", "page_id", "Facebook posts go to a Page: set options.facebook.pageId."),
        ("pinterest", "board_id", "Pinterest pins go on a board: set options.pinterest.boardId."),
    ],
)
def test_a_platform_needing_a_page_or_board_says_so(alice, alice_api, alice_clip, platform, field, message):
    alice.social_accounts.filter(platform=platform).update(**{field: ""})
    body = {"platforms": [platform], "clip_id": str(alice_clip.pk), "publish_now": True}
    response = alice_api.post("/api/publishing/schedule", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == message
    key = message.split("set ")[1].rstrip(".")
    assert response.json()["details"] == {key: "required"}


@pytest.mark.django_db
def test_a_linkedin_page_is_optional(alice, alice_api):
    body = {"platforms": ["linkedin"], "caption": "Hello", "publish_now": True}
    response = alice_api.post("/api/publishing/schedule", body, content_type="application/json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_sync_picks_a_page_or_board_only_where_one_is_required(alice, alice_api, fake_blotato):
    alice.social_accounts.all().delete()
    assert alice_api.post("/api/accounts/sync").status_code == 200
    places = {a.platform: (a.page_id, a.board_id) for a in alice.social_accounts.all()}
    # The fake also lists a LinkedIn Page (2002); LinkedIn posts to the profile unless one is set.
    chosen = {"facebook": ("2001", ""), "pinterest": ("", "3001")}
    assert places == {platform: chosen.get(platform, ("", "")) for platform in Platform.values}
