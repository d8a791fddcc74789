"""The platforms we publish to and every rule that differs between them.

Caption limit and how it is counted, whether media is required, the Page or board a post goes
to, Blotato's target fields and how the target is built, and what the schedule dialog offers.
Adding a platform is a `Platform` member and a `RULES` entry here, its optimal-time defaults
(analytics/platform_defaults.py) and the fake Blotato's account for it.

Limits are the platforms' own as Blotato enforces them (docs/blotato.md). Each platform measures a
caption its own way (caption_length.py: X weighs characters, Bluesky counts graphemes, YouTube
bytes...); `PlatformRules.measure` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models

from .caption_length import EMOJI_AS_BYTES, GRAPHEMES, UTF8_BYTES, UTF16_UNITS, X_WEIGHTED, Measure
from .media_types import human_size

if TYPE_CHECKING:
    from .models import ScheduledPost, SocialAccount


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

    kind: type  # str, bool, int or list
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    label: str = ""  # what the schedule dialog calls it, for the fields it offers
    minimum: int | None = None  # for an int
    https_url: bool = False  # a public https:// URL Blotato downloads (a cover image, a thumbnail)
    not_for_stories: bool = False  # refused with mediaType "story" (Blotato: reels and feed posts only)
    # The dialog asks for an int in larger units: seconds for a timestamp Blotato takes in ms.
    form_scale: int = 1
    help: str = ""  # one line under the dialog's field

    def from_form(self, text: str) -> object:
        """The dialog's text as the API takes it (ValueError with the reason when it is not)."""
        if self.kind is bool:
            if text not in ("true", "false"):
                raise ValueError("must be yes or no")
            return text == "true"
        if self.kind is int:
            try:
                number = float(text)
            except ValueError:
                raise ValueError("must be a number" + (" of seconds" if self.form_scale == 1000 else "")) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError("must be a number")
            return round(number * self.form_scale)
        return text

    def to_form(self, value: object) -> str:
        """The stored value as the dialog shows it (the inverse of from_form)."""
        if self.kind is bool:
            return "true" if value else "false"
        if self.kind is int and isinstance(value, int):
            shown = value / self.form_scale
            return f"{shown:g}"
        return str(value)


@dataclass(frozen=True)
class Destination:
    """A Page or board inside an account that posts go to: Blotato's pageId or boardId."""

    target_key: str  # "pageId" (a subaccount) or "boardId" (a Pinterest board)
    account_field: str  # the SocialAccount field holding the one sync chose or the user saved
    required_because: str = ""  # told to the user when it is missing; empty if the post can go without

    @property
    def is_board(self) -> bool:
        return self.target_key == "boardId"

    def saved_on(self, account: SocialAccount) -> str:
        return getattr(account, self.account_field)

    def is_missing(self, account: SocialAccount, options: dict) -> bool:
        """A required Page/board that is neither saved on the account nor given in the options."""
        return bool(self.required_because) and not (self.saved_on(account) or options.get(self.target_key))


def _page(required_because: str = "") -> Destination:
    return Destination("pageId", "page_id", required_because)


def _board(required_because: str) -> Destination:
    return Destination("boardId", "board_id", required_because)


@dataclass(frozen=True)
class EngagementFields:
    """Which of Blotato's analytics fields carry this platform's views, replies and reposts.

    One field each (the first present wins), so synonyms are never added up: a platform that
    reports both commentsCount and repliesCount would otherwise count every reply twice. Quotes
    are not counted as reposts.
    """

    views: tuple[str, ...]  # empty: the platform reports no exposure (Bluesky)
    replies: tuple[str, ...] = ("commentsCount", "repliesCount")
    reposts: tuple[str, ...] = ("sharesCount",)


@dataclass(frozen=True)
class PlatformRules:
    caption_limit: int
    media_required: bool
    measure: Measure = UTF16_UNITS  # how the limit is counted; UTF-16 where the platform does not say
    # What we send when the user says nothing; required Blotato fields always get a value.
    target_defaults: dict = field(default_factory=dict)
    target_fields: dict[str, TargetField] = field(default_factory=dict)
    destination: Destination | None = None
    # Blotato requires a title: the clip's title, else the caption, cut to the title's max_length.
    title_from_post: bool = False
    dialog_options: tuple[str, ...] = ()  # the target fields the schedule dialog offers, in order
    # Where Blotato's analytics keep this platform's numbers; None: Blotato has no analytics for it.
    engagement: EngagementFields | None = None

    def caption_length(self, caption: str) -> int:
        return self.measure.count(caption)


_BOOL = TargetField(bool)
# Blotato documents no limit for a first comment; these are the platforms' own comment limits.
INSTAGRAM_COMMENT_LIMIT = 2200
FACEBOOK_COMMENT_LIMIT = 8000

RULES: dict[str, PlatformRules] = {
    Platform.TWITTER: PlatformRules(
        280,
        media_required=False,
        measure=X_WEIGHTED,
        engagement=EngagementFields(("impressionsCount", "viewsCount"), ("repliesCount",), ("twitterRetweetsCount",)),
    ),
    Platform.BLUESKY: PlatformRules(
        300,
        media_required=False,
        measure=GRAPHEMES,
        engagement=EngagementFields((), ("repliesCount",), ("blueskyRepostsCount",)),
    ),
    Platform.THREADS: PlatformRules(
        500,
        media_required=False,
        measure=EMOJI_AS_BYTES,
        target_fields={"replyControl": TargetField(str, ("everyone", "accounts_you_follow", "mentioned_only"))},
        engagement=EngagementFields(("impressionsCount", "viewsCount"), ("repliesCount",), ("threadsRepostsCount",)),
    ),
    # LinkedIn posts to the profile unless a Page is set.
    Platform.LINKEDIN: PlatformRules(
        3000, media_required=False, target_fields={"pageId": TargetField(str)}, destination=_page()
    ),
    Platform.FACEBOOK: PlatformRules(
        63206,
        media_required=False,
        target_fields={
            "pageId": TargetField(str, label="Facebook Page id"),
            "mediaType": TargetField(str, ("video", "reel", "story")),
            "link": TargetField(str, max_length=2000),
            "firstComment": TargetField(
                str,
                max_length=FACEBOOK_COMMENT_LIMIT,
                label="First comment",
                not_for_stories=True,
                help="Posted as the first comment under the post (not on stories).",
            ),
        },
        destination=_page("Facebook posts go to a Page"),
        dialog_options=("pageId", "firstComment"),
        engagement=EngagementFields(("impressionsCount", "reachCount")),
    ),
    Platform.INSTAGRAM: PlatformRules(
        2200,
        media_required=True,
        target_fields={
            "mediaType": TargetField(str, ("reel", "story"), label="Post as"),
            "altText": TargetField(str, max_length=1000),
            "collaborators": TargetField(list),
            "coverImageUrl": TargetField(
                str,
                max_length=2000,
                label="Reel cover image",
                https_url=True,
                not_for_stories=True,
                help="An https:// image URL (JPEG or PNG, at most 8 MB); empty: Instagram picks a frame.",
            ),
            "shareToFeed": _BOOL,
            "firstComment": TargetField(
                str,
                max_length=INSTAGRAM_COMMENT_LIMIT,
                label="First comment",
                not_for_stories=True,
                help="Posted as the first comment (hashtags often go here); not on stories.",
            ),
        },
        dialog_options=("mediaType", "firstComment", "coverImageUrl"),
        engagement=EngagementFields(("playsCount", "viewsCount", "reachCount")),
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
                str,
                ("SELF_ONLY", "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR"),
                label="Who can watch",
            ),
            "disabledComments": _BOOL,
            "disabledDuet": _BOOL,
            "disabledStitch": _BOOL,
            "isBrandedContent": _BOOL,
            "isYourBrand": _BOOL,
            "isAiGenerated": _BOOL,
            "title": TargetField(str, max_length=90),
            # Blotato: "videoCoverTimestamp (ms, videos)"; the dialog asks in seconds.
            "videoCoverTimestamp": TargetField(
                int,
                minimum=0,
                label="Cover frame (seconds into the video)",
                form_scale=1000,
                help="The frame TikTok shows as the cover; empty: the first frame.",
            ),
        },
        dialog_options=("privacyLevel", "videoCoverTimestamp"),
        engagement=EngagementFields(("viewsCount", "playsCount")),
    ),
    Platform.YOUTUBE: PlatformRules(
        5000,
        media_required=True,
        measure=UTF8_BYTES,
        target_defaults={"privacyStatus": "public", "shouldNotifySubscribers": True},
        target_fields={
            "title": TargetField(str, max_length=100, label="Title"),
            "privacyStatus": TargetField(str, ("private", "public", "unlisted"), label="Visibility"),
            "shouldNotifySubscribers": TargetField(bool, label="Notify subscribers"),
            "isMadeForKids": _BOOL,
            "thumbnailUrl": TargetField(
                str,
                max_length=2000,
                label="Thumbnail",
                https_url=True,
                help="An https:// image URL; empty: YouTube picks a frame.",
            ),
        },
        title_from_post=True,
        dialog_options=("title", "privacyStatus", "shouldNotifySubscribers", "thumbnailUrl"),
        engagement=EngagementFields(("viewsCount",)),
    ),
    Platform.PINTEREST: PlatformRules(
        500,
        media_required=True,
        target_fields={
            "boardId": TargetField(str, label="Pinterest board id"),
            "title": TargetField(str, max_length=100, label="Title"),
            "altText": TargetField(str, max_length=500),
            "link": TargetField(str, max_length=2000),
        },
        destination=_board("Pinterest pins go on a board"),
        dialog_options=("boardId", "title"),
        engagement=EngagementFields(("impressionsCount",), (), ()),
    ),
}


PLATFORM_VALUES = frozenset(Platform.values)  # Platform.values builds a new list on every call


def is_story(options: dict) -> bool:
    return options.get("mediaType") == "story"


# Where a cover image chosen from the clip goes (covers.py); TikTok takes the frame's time instead.
COVER_IMAGE_FIELDS = {Platform.INSTAGRAM: "coverImageUrl", Platform.YOUTUBE: "thumbnailUrl"}


def takes_cover_image(platform: str, options: dict) -> bool:
    """Whether a cover made from the clip goes with this post: not a story, not an image URL typed instead."""
    field_name = COVER_IMAGE_FIELDS.get(platform)
    return bool(field_name) and not is_story(options) and not options.get(field_name)


def shown_options(platform: str, options: dict) -> list[tuple[str, str]]:
    """What the post page lists: each option the user set, and the defaults that decide something."""
    rules = RULES.get(platform)
    if rules is None:
        return []
    shown = []
    for name in dict.fromkeys([*rules.dialog_options, *options]):
        spec = rules.target_fields.get(name)
        label = (spec.label if spec and spec.label else name).removesuffix(" (seconds into the video)")
        if name in options:
            value = options[name]
            if spec and spec.kind is bool:
                text = "yes" if value else "no"
            elif spec and spec.form_scale == 1000 and isinstance(value, int):
                text = f"{value / 1000:g} s"
            else:
                text = str(value)
        elif name in rules.target_defaults:
            default = rules.target_defaults[name]
            text = ("yes" if default else "no") if isinstance(default, bool) else str(default)
            text += " (default)"
        elif name == "mediaType" and platform == Platform.INSTAGRAM:
            text = "reel (default)"
        else:
            continue
        shown.append((label, text))
    return shown


def normalise_platform(name: str) -> str | None:
    """The canonical platform value for a user-supplied name, or None if we do not know it."""
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in PLATFORM_VALUES else None


def blotato_target(post: ScheduledPost) -> dict:
    """Blotato's target fields: platform defaults, the account's page/board, the user's choices."""
    rules = RULES[post.platform]
    target = dict(rules.target_defaults)
    destination = rules.destination
    if destination and destination.saved_on(post.account):
        target[destination.target_key] = destination.saved_on(post.account)
    if rules.title_from_post:
        longest = rules.target_fields["title"].max_length
        target["title"] = (post.clip.title if post.clip else post.caption)[:longest] or "Untitled"
    target.update(post.options)
    if post.cover_id and post.cover.media_url and takes_cover_image(post.platform, post.options):
        target[COVER_IMAGE_FIELDS[post.platform]] = post.cover.media_url
    return target


# --- media limits --------------------------------------------------------------------------------
#
# What each platform takes of an image or a video, from the platforms' own documentation and
# Blotato's notes (docs/media.md lists the sources and what is uncertain). Only a clip a platform
# cannot take at all (an image on YouTube) is refused; everything else is a warning, because
# the figures disagree between sources, change often, and Blotato converts some videos itself.

MB = 1024**2


@dataclass(frozen=True)
class MediaLimits:
    """One kind of media on one platform; None where nothing is documented."""

    min_duration_s: float | None = None
    max_duration_s: float | None = None
    max_bytes: int | None = None
    aspect: tuple[float, float] | None = None  # width/height, inclusive
    aspect_said: str = ""  # the same range as the platform words it
    content_types: tuple[str, ...] = ()  # empty: any image (or video) we accept
    preferred: str = ""  # advice shown with a warning, e.g. "9:16 vertical"


@dataclass(frozen=True)
class MediaWarning:
    platform: str
    message: str
    certain: bool = False  # the platform refuses it for sure: scheduling it is refused (422)

    def as_json(self) -> dict:
        return {"platform": self.platform, "message": self.message, "certain": self.certain}


NO_IMAGES = "no_images"
MEDIA_LIMITS: dict[str, dict[str, MediaLimits | str]] = {
    Platform.TIKTOK: {
        # TikTok's Content Posting API; the longest allowed depends on the creator (10 min for most).
        "video": MediaLimits(3, 600, 1024 * MB, preferred="9:16 vertical"),
        "image": MediaLimits(max_bytes=20 * MB, content_types=("image/jpeg", "image/webp")),
    },
    Platform.INSTAGRAM: {
        # Reels through the Graph API: 3 s to 15 min; feed images 4:5 to 1.91:1, JPEG, 8 MB.
        "video": MediaLimits(3, 15 * 60, 300 * MB, (0.01, 10), preferred="9:16 vertical"),
        "image": MediaLimits(max_bytes=8 * MB, aspect=(0.8, 1.91), aspect_said="4:5 to 1.91:1"),
    },
    Platform.YOUTUBE: {
        # Shorts are up to 3 min and vertical or square; longer ones are ordinary videos. Accounts
        # that are not verified upload at most 15 min.
        "video": MediaLimits(max_duration_s=15 * 60, preferred="up to 3 min and 9:16 for a Short"),
        "image": NO_IMAGES,
    },
    Platform.TWITTER: {
        "video": MediaLimits(0.5, 140, 512 * MB, (1 / 3, 3), aspect_said="1:3 to 3:1"),
        "image": MediaLimits(max_bytes=5 * MB),
    },
    Platform.FACEBOOK: {
        # A Page video may be long; Reels (and stories) are 3 to 90 (60) seconds, 9:16.
        "video": MediaLimits(1, 240 * 60, 1024 * MB),
        "image": MediaLimits(max_bytes=8 * MB),
    },
    Platform.LINKEDIN: {
        "video": MediaLimits(3, 30 * 60, 500 * MB, (1 / 2.4, 2.4), aspect_said="1:2.4 to 2.4:1"),
        "image": MediaLimits(max_bytes=8 * MB),
    },
    Platform.THREADS: {
        "video": MediaLimits(max_duration_s=5 * 60, max_bytes=1024 * MB, aspect=(0.01, 10)),
        "image": MediaLimits(max_bytes=8 * MB, aspect=(0.01, 10)),
    },
    Platform.BLUESKY: {
        # Bluesky takes videos up to 3 min (100 MB) and images of about 1 MB; Blotato may shrink images.
        "video": MediaLimits(max_duration_s=180, max_bytes=100 * MB),
        "image": MediaLimits(max_bytes=1 * MB),
    },
    Platform.PINTEREST: {
        "video": MediaLimits(4, 15 * 60, 2048 * MB, preferred="2:3 or 9:16 vertical"),
        "image": MediaLimits(max_bytes=20 * MB, preferred="2:3 vertical"),
    },
}
# Facebook's Reels and stories, and Instagram's stories, are shorter than the account's videos.
STORY_OR_REEL_LIMITS = {
    (Platform.FACEBOOK, "reel"): MediaLimits(3, 90, preferred="9:16 vertical"),
    (Platform.FACEBOOK, "story"): MediaLimits(3, 60, preferred="9:16 vertical"),
    (Platform.INSTAGRAM, "story"): MediaLimits(3, 60, preferred="9:16 vertical"),
}


def media_warnings(clip, platform: str, options: dict | None = None) -> list[MediaWarning]:
    """What this platform is known to refuse (or may refuse) of this clip, as messages."""
    if clip is None or platform not in MEDIA_LIMITS:
        return []
    label = Platform(platform).label
    kind = clip.media_kind
    limits = MEDIA_LIMITS[platform][kind]
    if limits == NO_IMAGES:
        return [MediaWarning(platform, f"{label} takes only videos; “{clip.title}” is an image.", certain=True)]
    if kind == "video":
        limits = STORY_OR_REEL_LIMITS.get((platform, (options or {}).get("mediaType")), limits)
    return [MediaWarning(platform, f"{label}: {problem}") for problem in _problems(clip, kind, limits)]


def media_refusal(clip, platform: str, options: dict | None = None) -> MediaWarning | None:
    return next((w for w in media_warnings(clip, platform, options) if w.certain), None)


def _problems(clip, kind: str, limits: MediaLimits) -> list[str]:
    problems = []
    seconds = clip.duration_s if kind == "video" else None
    if seconds is not None and limits.max_duration_s is not None and seconds > limits.max_duration_s:
        longest = _clock(limits.max_duration_s)
        problems.append(f"this video is {_clock(seconds)} long; the longest it takes is {longest}.")
    if seconds is not None and limits.min_duration_s is not None and seconds < limits.min_duration_s:
        problems.append(f"this video is {seconds:.1f} s long; the shortest it takes is {limits.min_duration_s:g} s.")
    if clip.size_bytes and limits.max_bytes and clip.size_bytes > limits.max_bytes:
        problems.append(
            f"this {kind} is {human_size(clip.size_bytes)}; the largest it takes is {human_size(limits.max_bytes)}."
        )
    ratio = clip.aspect_ratio
    if ratio and limits.aspect and not limits.aspect[0] <= ratio <= limits.aspect[1]:
        said = limits.aspect_said or f"{limits.aspect[0]:.2f}:1 to {limits.aspect[1]:.2f}:1"
        problems.append(f"this {kind} is {clip.width}×{clip.height}; it takes {said} (width to height).")
    if clip.content_type and limits.content_types and clip.content_type not in limits.content_types:
        wanted = " or ".join(t.split("/")[1].upper() for t in limits.content_types)
        problems.append(f"it takes {wanted} images, and this is {clip.content_type.split('/')[1].upper()}.")
    if problems and limits.preferred:
        problems[-1] += f" Best: {limits.preferred}."
    return problems


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else f"{whole} s"
