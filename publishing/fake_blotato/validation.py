"""How Blotato checks a create-post body (blotato-api.md §2.2, §4, §7): AJV-style 422 messages.

Pure functions over the parsed JSON; no server state. `Invalid` carries the message Blotato
would send.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The social platforms Blotato publishes to; "other" is its webhook target.
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
PLATFORMS = (*SOCIAL_PLATFORMS, "other")

# Required target fields per targetType, and enum values where Blotato has them.
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
    ("facebook", "mediaType"): ("video", "reel", "story"),
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
    "shareToFeed",
    "autoAddMusic",
    "isDraft",
    "containsSyntheticMedia",
}
MAX_LENGTH = {
    ("youtube", "title"): 100,
    ("tiktok", "title"): 90,
    ("instagram", "altText"): 1000,
    ("pinterest", "title"): 100,
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
    "youtube": 5000,
    "pinterest": 500,
}
HORIZON = timedelta(days=270)  # Blotato schedules at most ~9 months ahead


class Invalid(Exception):
    """A body Blotato refuses synchronously (422)."""


def check_post(body: dict, *, now: datetime) -> datetime | None:
    """Validate a POST /v2/posts body; returns the root scheduledTime (UTC) if there is one."""
    post = body.get("post")
    if not isinstance(post, dict):
        raise Invalid("body must have required property 'post'")
    if not isinstance(post.get("accountId"), str):
        raise Invalid(
            "post.accountId: must be string" if "accountId" in post else "post: must have required property 'accountId'"
        )
    content, target = post.get("content"), post.get("target")
    if not isinstance(content, dict):
        raise Invalid("post: must have required property 'content'")
    if not isinstance(target, dict):
        raise Invalid("post: must have required property 'target'")
    if not isinstance(content.get("text"), str):
        raise Invalid("post.content.text: must be string")
    media = content.get("mediaUrls")
    if not isinstance(media, list) or not all(isinstance(u, str) for u in media):
        raise Invalid("post.content.mediaUrls: must be array of strings")
    platform = content.get("platform")
    if platform not in PLATFORMS:
        raise Invalid(f"post.content.platform: must be equal to one of the allowed values: {', '.join(PLATFORMS)}")
    target_type = target.get("targetType")
    if not isinstance(target_type, str):
        raise Invalid("post.target: must have required property 'targetType'")
    if target_type != platform and not (platform == "other" and target_type == "webhook"):
        raise Invalid("post.target.targetType: must match post.content.platform")
    for name in REQUIRED_TARGET.get(target_type, ()):
        if name not in target:
            raise Invalid(f"post.target: must have required property '{name}'")
    for name, value in target.items():
        allowed = ENUMS.get((target_type, name))
        if allowed and value not in allowed:
            raise Invalid(f"post.target.{name}: must be equal to one of the allowed values: {', '.join(allowed)}")
        if name in BOOLEAN_TARGET and not isinstance(value, bool):
            raise Invalid(f"post.target.{name}: must be boolean")
        limit = MAX_LENGTH.get((target_type, name))
        if limit and isinstance(value, str) and len(value) > limit:
            raise Invalid(f"post.target.{name}: must NOT have more than {limit} characters")
        if limit and isinstance(value, str) and not value:
            raise Invalid(f"post.target.{name}: must NOT have fewer than 1 characters")
    if target_type == "youtube" and any(c in target.get("title", "") for c in "<>"):
        raise Invalid("post.target.title: must not contain < or >")
    collaborators = target.get("collaborators")
    if collaborators is not None and (not isinstance(collaborators, list) or len(collaborators) > 3):
        raise Invalid("post.target.collaborators: must NOT have more than 3 items")
    if content.get("additionalPosts") is not None and platform not in THREAD_PLATFORMS:
        raise Invalid("post.content.additionalPosts: only allowed for twitter, bluesky and threads")
    if platform in MEDIA_REQUIRED and not media:
        raise Invalid(f"post.content.mediaUrls: {platform} requires at least one media URL")
    # Nested post.scheduledTime / post.useNextFreeSlot are accepted and ignored, as Blotato does.
    return _scheduled_time(body, now=now)


def _scheduled_time(body: dict, *, now: datetime) -> datetime | None:
    if body.get("useNextFreeSlot") is True and "scheduledTime" not in body:
        raise Invalid("useNextFreeSlot: no schedule slot is configured for this account")
    value = body.get("scheduledTime")
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("scheduledTime: must be string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid('scheduledTime: must match format "date-time"') from None
    if moment.tzinfo is None:
        raise Invalid("scheduledTime: must include a timezone offset")
    if moment <= now:
        raise Invalid("scheduledTime must be in the future")
    if moment > now + HORIZON:
        raise Invalid("scheduledTime must be within 9 months")
    return moment.astimezone(UTC)


def caption_too_long(platform: str, text: str) -> bool:
    limit = CAPTION_LIMITS.get(platform)
    if limit is None:
        return False
    length = len(text.encode("utf-8")) if platform == "youtube" else len(text)
    return length > limit
