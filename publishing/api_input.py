"""Validation of the publishing API's input, with messages that say exactly what is wrong."""

from __future__ import annotations

import ipaddress
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404

from . import covers
from .bad_input import BadInput
from .json_body import refuse_unknown_fields
from .lifecycle import PostPlan
from .models import EDITABLE, Clip, ScheduledPost, SocialAccount, Status
from .platforms import RULES, Platform, is_story, media_refusal, normalise_platform
from .recurrence import Rule
from .repeat_input import parse_repeat
from .search_query import search_text
from .timeparse import BadTime, parse_date, parse_instant

# Times a few seconds in the past are "now" (clock skew, a slow form); older ones are refused.
PAST_TOLERANCE = timedelta(seconds=60)
FURTHEST_AHEAD = timedelta(days=366)
SCHEDULE_FIELDS = {
    "clip_id",
    "platforms",
    "scheduled_time",
    "caption",
    "publish_now",
    "options",
    "status",
    "repeat",
    "cover_frame_s",
}
EDIT_FIELDS = {"scheduled_time", "caption", "clip_id", "options", "status", "apply_to_group"}


@dataclass
class ScheduleInput:
    plans: list[PostPlan]
    clip: Clip | None
    caption: str
    scheduled_time: datetime | None  # None: the account's next free slot (queued), or a draft without a time
    queued: bool = False
    draft: bool = False
    repeat: Rule | None = None  # a recurring post (publishing/series.py), first due at scheduled_time
    # A cover chosen from the clip (covers.py): the frame's time in seconds, or None.
    cover_frame_s: float | None = None


# `"scheduled_time": "next_slot"`: add to the queue (publishing/queue.py).
NEXT_SLOT = "next_slot"


@dataclass
class EditInput:
    """What lifecycle.edit_post / edit_group take: model fields, and whether a draft is scheduled."""

    fields: dict
    schedule: bool = False
    apply_to_group: bool = False


def parse_schedule(data: dict, owner, tz: ZoneInfo, *, now: datetime) -> ScheduleInput:
    problems = Problems()
    wanted = read_schedule(data, owner, tz, now=now, problems=problems)
    problems.raise_first()
    return wanted


@dataclass
class Problem:
    """One refusal found while reading a request, and the request field it is about."""

    field: str
    error: BadInput | Http404

    @property
    def message(self) -> str:
        return self.error.message if isinstance(self.error, BadInput) else str(self.error)

    @property
    def details(self) -> dict:
        return self.error.details if isinstance(self.error, BadInput) else {}


FAILED = object()  # what Problems.check returns for a piece it refused


class Problems:
    """The refusals of one request, in the order they were found: the API raises the first (a
    client fixes one thing at a time), the bulk import lists them all for the row."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def check(self, field: str, read, *args):
        try:
            return read(*args)
        except (BadInput, Http404) as error:
            self.found.append(Problem(field, error))
            return FAILED

    def raise_first(self) -> None:
        if self.found:
            raise self.found[0].error


FROM_DATA = object()


def read_schedule(
    data: dict, owner, tz: ZoneInfo, *, now: datetime, problems: Problems, clip=FROM_DATA, accounts=None
) -> ScheduleInput | None:
    """parse_schedule's rules, each refusal noted in `problems` and the checks that do not depend on
    a refused piece still made; None if anything was refused.

    `clip` given (a Clip, perhaps not saved yet, or None) stands for clip_id: the bulk import's
    clip made from a media URL. `accounts`, the owner's active accounts, saves a query per platform.
    """
    refuse_unknown_fields(data, SCHEDULE_FIELDS)
    platforms = problems.check("platforms", _platforms, data.get("platforms"))
    caption = problems.check("caption", _caption, data)
    if clip is FROM_DATA:
        clip = problems.check("clip_id", owned_clip, data.get("clip_id"), owner)
    when = problems.check("scheduled_time", _when, data, tz, now)
    repeat = None
    if data.get("repeat") is not None and when is not FAILED:
        repeat = problems.check("repeat", _repeat, data, when, tz)
    if caption is not FAILED and clip is not FAILED:
        problems.check("caption", _something_to_post, caption, clip)
    cover_frame_s = None
    if data.get("cover_frame_s") is not None and clip is not FAILED:
        cover_frame_s = problems.check("cover_frame_s", covers.check_frame_time, data["cover_frame_s"], clip)
    plans = []
    if platforms is not FAILED:
        if caption is not FAILED:
            problems.check("caption", check_caption, caption, platforms)
        if clip is not FAILED:
            problems.check("clip_id", _media_present, platforms, clip)
            problems.check("clip_id", refuse_media_no_platform_takes, clip, platforms)
        options = problems.check("options", _options, data.get("options"), platforms)
        if options is not FAILED and clip is not FAILED:
            problems.check("options", check_options_against_clip, options, clip)
        if options is not FAILED:
            for platform in platforms:
                fields = dict(options.get(platform, {}))
                if cover_frame_s not in (None, FAILED) and platform == Platform.TIKTOK:
                    # TikTok takes the frame's time itself; an explicit videoCoverTimestamp wins.
                    fields.setdefault("videoCoverTimestamp", round(cover_frame_s * 1000))
                wanted = fields.pop("account_id", None)
                account = problems.check("account", _account, owner, platform, wanted, fields, accounts)
                plans.append(PostPlan(platform, account, fields))
    if problems.found:
        return None
    scheduled_time, queued, draft = when
    return ScheduleInput(
        plans=plans,
        clip=clip,
        caption=caption,
        scheduled_time=scheduled_time,
        queued=queued,
        draft=draft,
        repeat=repeat,
        cover_frame_s=cover_frame_s,
    )


def _caption(data: dict) -> str:
    return _string(data, "caption", default="") if data.get("caption") is not None else ""


def _when(data: dict, tz: ZoneInfo, now: datetime) -> tuple[datetime | None, bool, bool]:
    """(scheduled_time, queued, draft) from scheduled_time, publish_now and status."""
    publish_now = data.get("publish_now", False)
    if not isinstance(publish_now, bool):
        raise BadInput("publish_now must be true or false.", {"publish_now": "must be a boolean"})
    queued = data.get("scheduled_time") == NEXT_SLOT
    if publish_now and queued:
        raise BadInput(
            'scheduled_time "next_slot" and publish_now cannot go together; choose one.',
            {"scheduled_time": "conflicts with publish_now"},
        )
    status = data.get("status", Status.SCHEDULED)
    if status not in (Status.SCHEDULED, Status.DRAFT):
        raise BadInput('status must be "scheduled" or "draft".', {"status": "invalid"})
    draft = status == Status.DRAFT
    if draft and publish_now:
        raise BadInput("A draft is never published: leave out publish_now.", {"publish_now": "not with a draft"})
    if draft and queued:
        raise BadInput(
            'A draft takes no queue slot: give it a time, or none, instead of "next_slot".',
            {"scheduled_time": "not with a draft"},
        )
    if publish_now:
        return now, False, False
    if queued:
        return None, True, False
    if draft and data.get("scheduled_time") is None:
        return None, False, True  # waits in the calendar's "unscheduled" tray
    if data.get("scheduled_time") is None:
        raise BadInput("scheduled_time is required unless publish_now is true.", {"scheduled_time": "required"})
    return future_time(data["scheduled_time"], tz, now=now), False, draft


def _repeat(data: dict, when: tuple[datetime | None, bool, bool], tz: ZoneInfo):
    """The repeat rule, anchored to the post's own time (repeat_input.parse_repeat)."""
    scheduled_time, queued, draft = when
    if data.get("publish_now") is True or queued or draft:
        raise BadInput(
            'A repeating post starts at the time you give: not with publish_now, "next_slot" or a draft.',
            {"repeat": "needs a scheduled_time"},
        )
    return parse_repeat(data["repeat"], scheduled_time, tz)


def _something_to_post(caption: str, clip: Clip | None) -> None:
    if not caption.strip() and clip is None:
        raise BadInput("Nothing to post: write a caption or choose a clip.", {"caption": "empty"})


def _media_present(platforms: list[str], clip: Clip | None) -> None:
    for platform in platforms:
        if RULES[platform].media_required and clip is None:
            label = Platform(platform).label
            raise BadInput(f"{label} needs media: choose a clip (clip_id).", {"clip_id": f"required for {platform}"})


def parse_edit(data: dict, post: ScheduledPost, tz: ZoneInfo, *, now: datetime) -> EditInput:
    """An edit of one post (and, with apply_to_group, its cross-posts): the rules of scheduling.

    `options` replaces the post's own target fields; its `account_id` picks another account on
    the same platform. The shared fields (time, caption, clip) are checked against every sibling
    they would reach, so "apply to all platforms" never leaves one sibling invalid.
    """
    refuse_unknown_fields(data, EDIT_FIELDS)
    if not set(data) - {"apply_to_group"}:
        raise BadInput(
            "Nothing to change: send scheduled_time, caption, clip_id, options or status.",
            {"allowed": sorted(EDIT_FIELDS)},
        )
    apply_to_group = data.get("apply_to_group", False)
    if not isinstance(apply_to_group, bool):
        raise BadInput("apply_to_group must be true or false.", {"apply_to_group": "must be a boolean"})
    fields: dict = {}
    if "scheduled_time" in data:
        fields["scheduled_time"] = future_time(data["scheduled_time"], tz, now=now)
    if "caption" in data:
        fields["caption"] = _string(data, "caption")
    if "clip_id" in data:
        fields["clip"] = owned_clip(data["clip_id"], post.owner)
    schedule = _edit_status(data, post, fields, now=now)
    reached = [post.platform]
    if apply_to_group:
        siblings = ScheduledPost.objects.filter(group_id=post.group_id, status__in=EDITABLE).exclude(pk=post.pk)
        reached += [p for p in siblings.values_list("platform", flat=True) if p not in reached]
    caption = fields.get("caption", post.caption)
    clip = fields.get("clip", post.clip)
    if not caption.strip() and clip is None:
        raise BadInput("Nothing to post: write a caption or choose a clip.", {"caption": "empty"})
    check_caption(caption, reached)
    for platform in reached:
        if RULES[platform].media_required and clip is None:
            label = Platform(platform).label
            raise BadInput(f"{label} needs media: choose a clip (clip_id).", {"clip_id": f"required for {platform}"})
    refuse_media_no_platform_takes(clip, reached)
    if "options" in data:
        options = _options(
            {post.platform: data["options"]} if isinstance(data["options"], dict) else data["options"], [post.platform]
        )
        target = dict(options.get(post.platform, {}))
        wanted = target.pop("account_id", None)
        account = _account(post.owner, post.platform, wanted, target) if wanted else post.account
        destination = RULES[post.platform].destination
        if not wanted and destination and destination.is_missing(account, target):
            where = f"options.{post.platform}.{destination.target_key}"
            raise BadInput(f"{destination.required_because}: set {where}.", {where: "required"})
        fields["options"] = target
        check_options_against_clip({post.platform: target}, clip)
        if account.pk != post.account_id:
            fields["account"] = account
    elif "clip" in fields:
        check_options_against_clip({post.platform: post.options}, clip)
    return EditInput(fields=fields, schedule=schedule, apply_to_group=apply_to_group)


def refuse_media_no_platform_takes(clip: Clip | None, platforms: list[str]) -> None:
    """A 422 for a clip a platform refuses for certain (an image on YouTube); the rest only warns."""
    for platform in platforms:
        if refused := media_refusal(clip, platform):
            raise BadInput(refused.message, {"clip_id": f"refused by {platform}"}, status=422)


def _edit_status(data: dict, post: ScheduledPost, fields: dict, *, now: datetime) -> bool:
    """Whether the edit schedules a draft: "status": "scheduled", with a time still ahead."""
    if "status" not in data:
        return False
    if data["status"] != Status.SCHEDULED:
        raise BadInput(
            'status may only be set to "scheduled" (to schedule a draft); cancel with DELETE.',
            {"status": "invalid"},
        )
    if post.status != Status.DRAFT:
        return False  # already scheduled: nothing to do
    if "scheduled_time" not in fields:
        if post.scheduled_time is None:
            raise BadInput("This draft has no time yet: send scheduled_time with it.", {"scheduled_time": "required"})
        if schedule_window_problem(post.scheduled_time, now=now) is not None:
            raise BadInput(
                "This draft's time has passed: send a future scheduled_time with it.",
                {"scheduled_time": IN_THE_PAST},
            )
    return True


def future_time(value: object, tz: ZoneInfo, *, now: datetime) -> datetime:
    try:
        moment = parse_instant(value, tz)
    except BadTime as error:
        raise BadInput(f"scheduled_time: {error}", {"scheduled_time": str(error)}) from None
    problem = schedule_window_problem(moment, now=now)
    if problem == IN_THE_PAST:
        raise BadInput(
            f"scheduled_time {value} is in the past; pick a future time or set publish_now.",
            {"scheduled_time": problem},
        )
    if problem == TOO_FAR_AHEAD:
        raise BadInput("scheduled_time is more than a year ahead.", {"scheduled_time": problem})
    return moment


IN_THE_PAST = "in the past"
TOO_FAR_AHEAD = "too far ahead"


def schedule_window_problem(moment: datetime, *, now: datetime) -> str | None:
    """Why a post cannot be given this time (IN_THE_PAST, TOO_FAR_AHEAD), or None if it can.

    The one rule for every way a time is set: the API, the calendar's move form and the admin.
    """
    if moment < now - PAST_TOLERANCE:
        return IN_THE_PAST
    if moment > now + FURTHEST_AHEAD:
        return TOO_FAR_AHEAD
    return None


def check_caption(caption: str, platforms: list[str]) -> None:
    """Refuse a caption too long for any of the platforms, naming every one it is too long for."""
    over = {}
    for platform in platforms:
        rules = RULES[platform]
        length = rules.caption_length(caption)
        if length > rules.caption_limit:
            over[platform] = {"length": length, "limit": rules.caption_limit, "unit": rules.measure.unit}
    if not over:
        return
    if len(over) == 1:
        [(platform, count)] = over.items()
        message = (
            f"The caption is {count['length']} {count['unit']}; "
            f"{Platform(platform).label} allows at most {count['limit']}."
        )
    else:
        parts = [
            f"{Platform(platform).label} ({count['length']} {count['unit']}; at most {count['limit']})"
            for platform, count in over.items()
        ]
        message = f"The caption is too long for {', '.join(parts[:-1])} and {parts[-1]}."
    raise BadInput(message, {"caption": over})


def calendar_range(params, tz: ZoneInfo, *, now: datetime) -> tuple[datetime, datetime]:
    """start_date/end_date as an instant range; a bare date is a whole local day; default this month."""
    local_today = now.astimezone(tz).date()
    first = local_today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    start = _bound(params.get("start_date"), tz, "start_date", end=False) or datetime.combine(first, time(), tz)
    end = _bound(params.get("end_date"), tz, "end_date", end=True) or datetime.combine(next_month, time(), tz)
    if end <= start:
        raise BadInput("end_date must be after start_date.", {"end_date": "before start_date"})
    if end - start > timedelta(days=400):
        raise BadInput("The range is longer than 400 days; ask for less at a time.")
    return start, end


def calendar_filters(params) -> dict:
    filters: dict = {}
    if params.get("platform"):
        filters["platform__in"] = [_known_platform(p) for p in params["platform"].split(",")]
    if params.get("status"):
        statuses = [s.strip().lower() for s in params["status"].split(",")]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise BadInput(f"Unknown status '{unknown[0]}'.", {"status": unknown, "known": Status.values})
        filters["status__in"] = statuses
    if query := search_text(params):
        filters["caption__icontains"] = query
    return filters


def parse_clip(data: dict) -> dict:
    refuse_unknown_fields(data, {"title", "media_url", "thumbnail_url", "duration_s"})
    title = _string(data, "title").strip()
    if not title or len(title) > 200:
        raise BadInput("title must be 1 to 200 characters.", {"title": "length"})
    clip = {
        "title": title,
        "media_url": _https_url(data, "media_url", required=True),
        "thumbnail_url": _https_url(data, "thumbnail_url", required=False),
    }
    if data.get("duration_s") is not None:
        clip["duration_s"] = _duration(data["duration_s"])
    return clip


def _duration(value: object) -> float:
    # NaN and Infinity would be stored, then written back as JSON no client can read.
    seconds = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:  # an integer too large for a float
            seconds = None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise BadInput("duration_s must be a number of seconds (zero or more).", {"duration_s": "invalid"})
    return seconds


def parse_post_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404("No post with that id.") from None


# --- pieces ------------------------------------------------------------------------------------


def _string(data: dict, name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if value is None:
        raise BadInput(f"{name} is required.", {name: "required"})
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a string.", {name: "must be a string"})
    if "\x00" in value:
        raise BadInput(f"{name} contains a NUL character.", {name: "invalid character"})
    return value


def _known_platform(name: object) -> str:
    platform = normalise_platform(name) if isinstance(name, str) else None
    if platform is None:
        raise BadInput(f"Unknown platform '{name}'.", {"platform": name, "known": Platform.values + ["x"]})
    return platform


def _platforms(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        raise BadInput('platforms must be a non-empty list, like ["tiktok", "instagram"].', {"platforms": "required"})
    platforms: list[str] = []
    for name in value:
        platform = _known_platform(name)
        if platform not in platforms:
            platforms.append(platform)
    return platforms


def owned_clip(value: object, owner) -> Clip | None:
    if value is None:
        return None
    try:
        clip_id = uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        clip_id = None
    if clip_id is None:
        raise BadInput("clip_id must be a clip's UUID.", {"clip_id": "not a UUID"})
    clip = Clip.objects.owned_by(owner).filter(pk=clip_id).first()
    if clip is None:
        raise Http404(f"No clip with id {clip_id}.")
    return clip


def _options(value: object, platforms: list[str]) -> dict[str, dict]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput("options must be an object keyed by platform.", {"options": "must be an object"})
    options: dict[str, dict] = {}
    for name, fields in value.items():
        platform = _known_platform(name)
        if platform not in platforms:
            raise BadInput(f"options given for {platform}, which is not in platforms.", {"options": name})
        if not isinstance(fields, dict):
            raise BadInput(f"options.{name} must be an object.", {"options": name})
        options[platform] = _target_fields(platform, fields)
    return options


def _target_fields(platform: str, fields: dict) -> dict:
    allowed = RULES[platform].target_fields
    checked: dict = {}
    for name, value in fields.items():
        if name == "account_id":
            if not isinstance(value, str) or not value:
                raise BadInput(
                    f"options.{platform}.account_id must be a Blotato account id string.",
                    {f"options.{platform}.account_id": "must be a string"},
                )
            checked[name] = value
            continue
        spec = allowed.get(name)
        where = f"options.{platform}.{name}"
        if spec is None:
            known = ", ".join(sorted(allowed)) or "none"
            raise BadInput(f"{where} is not an option for {platform} (options: {known}).", {where: "unknown"})
        if spec.kind is bool and not isinstance(value, bool):
            raise BadInput(f"{where} must be true or false.", {where: "must be a boolean"})
        if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise BadInput(f"{where} must be a whole number.", {where: "must be an integer"})
        if spec.kind is int and spec.minimum is not None and value < spec.minimum:
            raise BadInput(f"{where} must be at least {spec.minimum}.", {where: "too small"})
        if spec.kind is str and not isinstance(value, str):
            raise BadInput(f"{where} must be a string.", {where: "must be a string"})
        if spec.kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise BadInput(f"{where} must be a list of strings.", {where: "must be a list of strings"})
        if spec.choices and value not in spec.choices:
            raise BadInput(f"{where} must be one of {', '.join(spec.choices)}.", {where: list(spec.choices)})
        if spec.max_length and len(value) > spec.max_length:
            raise BadInput(f"{where} is longer than {spec.max_length} characters.", {where: "too long"})
        if spec.https_url:
            value = _https_url({where: value}, where, required=True)
        checked[name] = value
    if is_story(checked):
        for name, value in checked.items():
            spec = allowed.get(name)
            if spec and spec.not_for_stories and value:
                where = f"options.{platform}.{name}"
                raise BadInput(
                    f"{where} is not allowed for stories (mediaType story): Blotato takes it for reels and posts only.",
                    {where: "not for stories"},
                )
    return checked


def check_options_against_clip(plans_options: dict[str, dict], clip: Clip | None) -> None:
    """Options that depend on the clip: a TikTok cover frame must lie within the video."""
    for platform, options in plans_options.items():
        cover = options.get("videoCoverTimestamp")
        if cover is None:
            continue
        where = f"options.{platform}.videoCoverTimestamp"
        if clip is None:
            raise BadInput(f"{where} needs a video: choose a clip.", {where: "no clip"})
        if clip.duration_s is not None and cover > clip.duration_s * 1000:
            raise BadInput(
                f"{where} ({cover} ms) is past the end of the clip ({clip.duration_s:g} s).",
                {where: "past the end of the clip"},
            )


def _account(owner, platform: str, wanted: str | None, options: dict, accounts=None) -> SocialAccount:
    if accounts is None:
        accounts = SocialAccount.objects.owned_by(owner).filter(is_active=True)
    # The platform's default account is the first by name, then the oldest.
    candidates = [a for a in accounts if a.platform == platform and (not wanted or a.blotato_account_id == wanted)]
    account = min(candidates, key=lambda a: (a.name, a.pk)) if candidates else None
    label = Platform(platform).label
    if account is None:
        if wanted:
            raise Http404(f"No connected {label} account with id {wanted}.")
        raise BadInput(
            f"No connected {label} account: connect it in Blotato, then sync accounts.",
            {"platforms": f"no {platform} account"},
        )
    destination = RULES[platform].destination
    if destination and destination.is_missing(account, options):
        where = f"options.{platform}.{destination.target_key}"
        raise BadInput(f"{destination.required_because}: set {where}.", {where: "required"})
    return account


def _https_url(data: dict, name: str, *, required: bool) -> str:
    value = data.get(name)
    if value in (None, "") and not required:
        return ""
    value = _string(data, name)
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise BadInput(f"{name} must be an https:// URL.", {name: "invalid URL"}) from None
    if len(value) > 2000:
        raise BadInput(f"{name} is longer than 2000 characters.", {name: "too long"})
    if not is_public_host(urlsplit(value).hostname or ""):
        raise BadInput(
            f"{name} must point at a public host, not a private, loopback or internal address.",
            {name: "not a public host"},
        )
    return value


INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".corp")


def is_public_host(host: str) -> bool:
    """False for loopback, private, link-local and reserved addresses and internal names.

    We never fetch media ourselves, but Blotato and the platforms do, and this server may pass
    the URL to Blotato's upload endpoint: an address inside someone's network is refused.
    """
    host = host.strip("[]").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(INTERNAL_SUFFIXES) or "." not in host and ":" not in host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # 127.1, 0x7f.0.0.1 and friends: numeric forms that resolvers still read as addresses.
        return not all(re.fullmatch(r"0x[0-9a-f]*|[0-9]+", part) for part in host.split("."))
    if address in LOCAL_NAT64:
        return False
    embedded = _embedded_ipv4(address) if address.version == 6 else None
    if embedded is not None and not _is_public_address(embedded):
        return False
    return _is_public_address(address)


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: IPv4-compatible (::/96) and
# NAT64 (64:ff9b::/96); ipaddress reads IPv4-mapped and 6to4 itself. The local-use NAT64 prefix
# (RFC 8215) reaches only the operator's own network.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to, so 127.0.0.1 written as IPv6 is still loopback."""
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in IPV4_COMPATIBLE or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def _bound(value: str | None, tz: ZoneInfo, name: str, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:  # a bare date: the whole local day
            day = parse_date(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), tz)
        return parse_instant(value, tz)
    except BadTime as error:
        raise BadInput(f"{name}: {error}", {name: str(error)}) from None
