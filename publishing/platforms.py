"""The platforms we publish to and each one's rules: caption limit, media, Blotato target fields.

Limits follow shared/blotato-api.md §4. Captions are counted in Unicode code points, YouTube
descriptions in UTF-8 bytes (as YouTube counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    FACEBOOK = "facebook", "Facebook"
    TWITTER = "twitter", "Twitter/X"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"
    BLUESKY = "bluesky", "Bluesky"
    PINTEREST = "pinterest", "Pinterest"


ALIASES = {"x": Platform.TWITTER}


@dataclass(frozen=True)
class TargetField:
    """One field of Blotato's per-platform `target` object that a user may set."""

    kind: type  # str, bool or list
    choices: tuple[str, ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class PlatformRules:
    caption_limit: int
    media_required: bool
    count_bytes: bool = False
    # What we send when the user says nothing; required Blotato fields always get a value.
    target_defaults: dict = field(default_factory=dict)
    target_fields: dict[str, TargetField] = field(default_factory=dict)

    def caption_length(self, caption: str) -> int:
        return len(caption.encode("utf-8")) if self.count_bytes else len(caption)


_BOOL = TargetField(bool)

RULES: dict[str, PlatformRules] = {
    Platform.TWITTER: PlatformRules(280, media_required=False),
    Platform.BLUESKY: PlatformRules(300, media_required=False),
    Platform.THREADS: PlatformRules(
        500,
        media_required=False,
        target_fields={"replyControl": TargetField(str, ("everyone", "accounts_you_follow", "mentioned_only"))},
    ),
    Platform.LINKEDIN: PlatformRules(3000, media_required=False, target_fields={"pageId": TargetField(str)}),
    Platform.FACEBOOK: PlatformRules(
        63206,
        media_required=False,
        target_fields={
            "pageId": TargetField(str),
            "mediaType": TargetField(str, ("video", "reel", "story")),
            "link": TargetField(str, max_length=2000),
        },
    ),
    Platform.INSTAGRAM: PlatformRules(
        2200,
        media_required=True,
        target_fields={
            "mediaType": TargetField(str, ("reel", "story")),
            "altText": TargetField(str, max_length=1000),
            "collaborators": TargetField(list),
            "coverImageUrl": TargetField(str, max_length=2000),
            "shareToFeed": _BOOL,
        },
    ),
    Platform.TIKTOK: PlatformRules(
        2200,
        media_required=True,
        target_defaults={
            "privacyLevel": "PUBLIC_TO_EVERYONE",
            "disabledComments": False,
            "disabledDuet": False,
            "disabledStitch": False,
            "isBrandedContent": False,
            "isYourBrand": False,
            "isAiGenerated": False,
        },
        target_fields={
            "privacyLevel": TargetField(
                str, ("SELF_ONLY", "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR")
            ),
            "disabledComments": _BOOL,
            "disabledDuet": _BOOL,
            "disabledStitch": _BOOL,
            "isBrandedContent": _BOOL,
            "isYourBrand": _BOOL,
            "isAiGenerated": _BOOL,
            "title": TargetField(str, max_length=90),
        },
    ),
    Platform.YOUTUBE: PlatformRules(
        5000,
        media_required=True,
        count_bytes=True,
        target_defaults={"privacyStatus": "public", "shouldNotifySubscribers": True},
        target_fields={
            "title": TargetField(str, max_length=100),
            "privacyStatus": TargetField(str, ("private", "public", "unlisted")),
            "shouldNotifySubscribers": _BOOL,
            "isMadeForKids": _BOOL,
        },
    ),
    Platform.PINTEREST: PlatformRules(
        500,
        media_required=True,
        target_fields={
            "boardId": TargetField(str),
            "title": TargetField(str, max_length=100),
            "altText": TargetField(str, max_length=500),
            "link": TargetField(str, max_length=2000),
        },
    ),
}


def normalise_platform(name: str) -> str | None:
    """The canonical platform value for a user-supplied name, or None if we do not know it."""
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in Platform.values else None
