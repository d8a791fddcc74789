"""How Blotato checks a create-post body (docs/blotato.md, "Creating a post"), with AJV-style messages.

Pure functions over parsed JSON; no server state. `Invalid` carries the 422 message Blotato would
send. Checks that Blotato may make either at submit time or later (caption length, Threads media)
return a message instead of raising, so the caller can pick per knob.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

SOCIAL_PLATFORMS = (
    "twitter",
    "linkedin",
    "facebook",
    "instagram",
    "pinterest",
    "tiktok",
    "threads",
    "bluesky",
    "youtube",
)
PLATFORMS = (*SOCIAL_PLATFORMS, "other")  # "other" is Blotato's webhook target

REQUIRED_TARGET = {
    "facebook": ("pageId",),
    "tiktok": (
        "privacyLevel",
        "disabledComments",
        "disabledDuet",
        "disabledStitch",
        "isBrandedContent",
        "isYourBrand",
        "isAiGenerated",
    ),
    "youtube": ("title", "privacyStatus", "shouldNotifySubscribers"),
    "pinterest": ("boardId",),
    "webhook": ("url",),
}
ENUMS = {
    ("tiktok", "privacyLevel"): ("SELF_ONLY", "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR"),
    ("youtube", "privacyStatus"): ("private", "public", "unlisted"),
    ("threads", "replyControl"): ("everyone", "accounts_you_follow", "mentioned_only"),
    ("instagram", "mediaType"): ("reel", "story"),
    ("facebook", "mediaType"): ("video", "reel", "story"),  # G2 and G3 disagree; accept both sets
}
BOOLEAN_TARGET = {
    "disabledComments",
    "disabledDuet",
    "disabledStitch",
    "isBrandedContent",
    "isYourBrand",
    "isAiGenerated",
    "shouldNotifySubscribers",
    "isMadeForKids",
    "containsSyntheticMedia",
    "shareToFeed",
    "autoAddMusic",
    "isDraft",
}
TEXT_LIMITS = {  # (targetType, field): (min, max) characters
    ("youtube", "title"): (1, 100),
    ("tiktok", "title"): (0, 90),
    ("pinterest", "title"): (0, 100),
    ("instagram", "altText"): (0, 1000),
    ("pinterest", "altText"): (0, 500),
}
MEDIA_REQUIRED = {"instagram", "tiktok", "youtube", "pinterest"}
THREAD_PLATFORMS = {"twitter", "bluesky", "threads"}
CAPTION_LIMITS = {
    "twitter": 280,
    "threads": 500,
    "bluesky": 300,
    "linkedin": 3000,
    "facebook": 63206,
    "instagram": 2200,
    "tiktok": 2200,
    "youtube": 5000,  # bytes of UTF-8, not characters
    "pinterest": 500,
}
HORIZON_MONTHS = 9


class Invalid(Exception):
    """A body Blotato refuses synchronously (422)."""


def check_post(body: object, *, now: datetime) -> datetime | None:
    """Validate a POST /v2/posts body; return the root scheduledTime in UTC, if any."""
    if not isinstance(body, dict):
        raise Invalid("body must be object")
    post = _required_object(body, "post", "body")
    _required(post, "accountId", str, "post")
    content = _required_object(post, "content", "post")
    target = _required_object(post, "target", "post")
    _required(content, "text", str, "post.content")
    media = _string_list(content, "mediaUrls", "post.content")
    platform = _required(content, "platform", str, "post.content")
    if platform not in PLATFORMS:
        raise Invalid(f"post.content.platform: must be equal to one of the allowed values: {', '.join(PLATFORMS)}")
    target_type = _required(target, "targetType", str, "post.target")
    if target_type != platform and (platform, target_type) != ("other", "webhook"):
        raise Invalid("post.target.targetType: must be equal to post.content.platform")
    _check_target(target, target_type)
    _check_additional_posts(content, platform)
    if platform in MEDIA_REQUIRED and not media:
        raise Invalid("post.content.mediaUrls: must NOT have fewer than 1 items")
    if platform == "youtube" and len(media) > 1:
        raise Invalid("post.content.mediaUrls: must NOT have more than 1 items")
    # A nested post.scheduledTime / post.useNextFreeSlot is accepted and ignored, as Blotato does:
    # the post goes out at once. That is the foot-gun our own tests must be able to catch.
    return _root_schedule(body, now=now)


def _required(parent: dict, name: str, kind: type, where: str):
    if name not in parent:
        # Fastify words the root as "body must ..."; Blotato's nested paths take a colon.
        separator = " " if where == "body" else ": "
        raise Invalid(f"{where}{separator}must have required property '{name}'")
    value = parent[name]
    if not isinstance(value, kind):
        raise Invalid(f"{where}.{name}: must be {_type_name(kind)}")
    return value


def _required_object(parent: dict, name: str, where: str) -> dict:
    return _required(parent, name, dict, where)


def _string_list(parent: dict, name: str, where: str) -> list[str]:
    values = _required(parent, name, list, where)
    for n, value in enumerate(values):
        if not isinstance(value, str):
            raise Invalid(f"{where}.{name}.{n}: must be string")
    return values


def _type_name(kind: type) -> str:
    return {str: "string", dict: "object", list: "array", bool: "boolean"}[kind]


def _check_target(target: dict, target_type: str) -> None:
    for name in REQUIRED_TARGET.get(target_type, ()):
        if name not in target:
            raise Invalid(f"post.target: must have required property '{name}'")
    for name, value in target.items():
        where = f"post.target.{name}"
        allowed = ENUMS.get((target_type, name))
        if allowed and value not in allowed:
            raise Invalid(f"{where}: must be equal to one of the allowed values: {', '.join(allowed)}")
        if name in BOOLEAN_TARGET and not isinstance(value, bool):
            raise Invalid(f"{where}: must be boolean")
        limits = TEXT_LIMITS.get((target_type, name))
        if limits:
            if not isinstance(value, str):
                raise Invalid(f"{where}: must be string")
            if len(value) < limits[0]:
                raise Invalid(f"{where}: must NOT have fewer than {limits[0]} characters")
            if len(value) > limits[1]:
                raise Invalid(f"{where}: must NOT have more than {limits[1]} characters")
    if target_type == "youtube" and any(c in target["title"] for c in "<>"):
        raise Invalid("post.target.title: must NOT contain '<' or '>'")
    for name in ("firstComment", "coverImageUrl", "thumbnailUrl", "link"):
        if name in target and not isinstance(target[name], str):
            raise Invalid(f"post.target.{name}: must be string")
    if target.get("mediaType") == "story":
        for name in ("firstComment", "coverImageUrl"):
            if target.get(name):
                raise Invalid(f"post.target.{name}: not allowed for stories")
    for name in ("videoCoverTimestamp", "imageCoverIndex"):
        value = target.get(name)
        if name in target and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise Invalid(f"post.target.{name}: must be integer >= 0")
    if "collaborators" in target:
        collaborators = target["collaborators"]
        if not isinstance(collaborators, list) or not all(isinstance(c, str) for c in collaborators):
            raise Invalid("post.target.collaborators: must be array of strings")
        if len(collaborators) > 3:
            raise Invalid("post.target.collaborators: must NOT have more than 3 items")


def _check_additional_posts(content: dict, platform: str) -> None:
    if "additionalPosts" not in content:
        return
    if platform not in THREAD_PLATFORMS:
        raise Invalid("post.content.additionalPosts: only allowed for twitter, bluesky and threads")
    extra = _required(content, "additionalPosts", list, "post.content")
    for n, item in enumerate(extra):
        where = f"post.content.additionalPosts.{n}"
        if not isinstance(item, dict):
            raise Invalid(f"{where}: must be object")
        _required(item, "text", str, where)
        _string_list(item, "mediaUrls", where)


def _root_schedule(body: dict, *, now: datetime) -> datetime | None:
    slot = body.get("useNextFreeSlot")
    if slot is not None and not isinstance(slot, bool):
        raise Invalid("useNextFreeSlot: must be boolean")
    if "scheduledTime" not in body:
        if slot:  # the fake has no calendar slots, so there is never a free one
            raise Invalid("useNextFreeSlot: no schedule slot is configured for this account")
        return None
    # With both, G2 says useNextFreeSlot is ignored; we follow G2.
    return check_schedule_time(body["scheduledTime"], "scheduledTime", now=now)


def check_schedule_time(value: object, where: str, *, now: datetime) -> datetime:
    """An ISO 8601 time with an offset, in the future, within Blotato's 9-month horizon."""
    moment = parse_time(value)
    if moment is None:
        raise Invalid(f'{where}: must match format "date-time"')
    if moment <= now:
        raise Invalid("scheduledTime must be in the future")
    if moment > add_months(now, HORIZON_MONTHS):
        raise Invalid("scheduledTime must be within 9 months")
    return moment.astimezone(UTC)


def parse_time(value: object) -> datetime | None:
    """An aware datetime, or None when the value is not ISO 8601 with an offset (AJV's date-time)."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def caption_problem(content: dict) -> str | None:
    """The AJV-style message when the caption (or a thread item) exceeds the platform's limit."""
    platform = content["platform"]
    limit = CAPTION_LIMITS.get(platform)
    if limit is None:
        return None
    unit = "bytes" if platform == "youtube" else "characters"
    texts = [("post.content.text", content["text"])]
    texts += [
        (f"post.content.additionalPosts.{n}.text", item["text"])
        for n, item in enumerate(content.get("additionalPosts", []))
    ]
    for where, text in texts:
        length = len(text.encode("utf-8")) if platform == "youtube" else len(text)
        if length > limit:
            return f"{where}: must NOT have more than {limit} {unit}"
    return None


def threads_media_problem(content: dict) -> str | None:
    """Threads takes one image or video per post, in the main post and in each thread item."""
    if content["platform"] != "threads":
        return None
    items = [("post.content.mediaUrls", content["mediaUrls"])]
    items += [
        (f"post.content.additionalPosts.{n}.mediaUrls", item["mediaUrls"])
        for n, item in enumerate(content.get("additionalPosts", []))
    ]
    for where, media in items:
        if len(media) > 1:
            return f"{where}: must NOT have more than 1 items"
    return None
