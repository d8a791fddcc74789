"""The OpenAPI 3.1 description of the JSON API (api.py, plus analytics/openapi.py's paths), at /api/openapi.json.

Platforms, statuses, per-platform options and caption limits are read from the code so the
document cannot drift from what api_input.py accepts; the rest is written out to match api.py.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from analytics import openapi as analytics

from . import openapi_series as series
from . import openapi_webhooks as webhooks
from .api_support import error_response
from .models import Status
from .openapi_parts import (
    COUNT,
    json_content,
    nullable,
    object_schema,
    op,
    path_item,
    path_param,
    query_param,
    record,
    ref,
    response_ref,
)
from .platforms import ALIASES, RULES, Platform, TargetField

UPLOAD_TYPES = (
    "JPEG, PNG, GIF, WebP, MP4, MOV or WebM, recognised by content. The same file again returns its clip "
    "(200, with a note); a larger file than MAX_UPLOAD_BYTES is a 413, another type a 415."
)


def _options_name(platform: str) -> str:
    return f"{Platform(platform).name.title()}Options"


def _target_field(spec: TargetField, default: object) -> dict:
    if spec.kind is bool:
        schema: dict = {"type": "boolean"}
    elif spec.kind is list:
        schema = {"type": "array", "items": {"type": "string"}}
    elif spec.kind is int:
        schema = {"type": "integer"}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
    else:
        schema = {"type": "string"}
        if spec.choices:
            schema["enum"] = list(spec.choices)
        if spec.max_length:
            schema["maxLength"] = spec.max_length
        if spec.https_url:
            schema["format"] = "uri"
    if spec.help:
        schema["description"] = spec.help
    if default is not None:
        schema["default"] = default
    return schema


def _platform_options(platform: str) -> dict:
    rules = RULES[platform]
    fields = {name: _target_field(spec, rules.target_defaults.get(name)) for name, spec in rules.target_fields.items()}
    fields["account_id"] = {
        "type": "string",
        "description": "Which connected account to post from (an Account id); default: the first active one.",
    }
    schema = object_schema(fields, closed=True)
    schema["description"] = f"Blotato target fields for {Platform(platform).label}."
    return schema


def _caption_limits() -> str:
    limits = [
        f"{platform} {rules.caption_limit} {rules.measure.unit} ({rules.measure.explained})"
        for platform, rules in RULES.items()
    ]
    return "Caption limits: " + ", ".join(limits) + "."


def _media_required() -> str:
    needing = [platform for platform, rules in RULES.items() if rules.media_required]
    return "A clip (clip_id) is required for " + ", ".join(needing) + "."


INSTANT = {"type": "string", "format": "date-time", "examples": ["2026-12-27T14:00:00Z"]}
INPUT_TIME = {
    "type": "string",
    "description": "ISO 8601. Without an offset it is a wall-clock time in the user's zone (GET /api/me). "
    "At most 60 seconds in the past and one year ahead.",
    "examples": ["2026-12-27T14:00:00Z", "2026-12-27T15:00:00"],
}
UUID = {"type": "string", "format": "uuid"}
SETTINGS = {
    "timezone": {
        "type": "string",
        "description": "IANA zone name of a place, e.g. Europe/Paris, or UTC (not localtime, Factory or Etc/*).",
    },
    "late_grace_minutes": {
        "type": "integer",
        "minimum": 1,
        "maximum": 7 * 24 * 60,
        "description": "How late a post may still be sent before it is marked missed.",
    },
    "queue_gap_minutes": {
        "type": "integer",
        "minimum": 0,
        "maximum": 24 * 60,
        "description": "Add to queue (scheduled_time next_slot) keeps at least this long between two posts on "
        "one account.",
    },
    "resend_unconfirmed": {
        "type": "boolean",
        "description": "Send a post once more when Blotato never confirmed it and it cannot be found there, "
        "instead of asking you (needs_review). Risks a duplicate post; off by default.",
    },
    "publishing_paused": {
        "type": "boolean",
        "description": "Hold all your due posts: nothing is sent until you set it back to false. On "
        "resuming, posts later than late_grace_minutes become missed (never sent stale).",
    },
}

SCHEMAS: dict = {
    "Error": record(
        {
            "error": {"type": "string", "description": "A message meant for the person who sent the request."},
            "details": {"type": "object", "description": "Machine-readable specifics; may be empty."},
        },
    ),
    "Platform": {"type": "string", "enum": list(Platform.values)},
    "PlatformName": {
        "type": "string",
        "enum": list(Platform.values) + list(ALIASES),
        "description": "A platform as input: case and surrounding spaces are ignored; 'x' means twitter.",
    },
    "Status": {"type": "string", "enum": list(Status.values)},
    "Post": record(
        {
            "id": UUID,
            "group_id": {**UUID, "description": "Shared by the posts created by one schedule request."},
            "clip_id": nullable("string", format="uuid"),
            "platform": ref("Platform"),
            "account_id": {"type": "string", "description": "The Account id the post goes out on."},
            "caption": {"type": "string"},
            "options": {"type": "object", "description": "The Blotato target fields chosen for this platform."},
            "scheduled_time": {
                **nullable("string", format="date-time"),
                "description": "Null only for a draft that has no time yet.",
            },
            "status": ref("Status"),
            "attempts": {"type": "integer", "minimum": 0},
            "last_error": nullable("string"),
            "platform_url": nullable("string", format="uri"),
            "platform_post_id": nullable("string"),
            "blotato_submission_id": nullable("string"),
            "series_id": nullable("string", format="uuid", description="The series this post is an occurrence of."),
            "occurrence": nullable("integer", minimum=0, description="Its place in the series, 0 the first."),
            "published_at": nullable("string", format="date-time"),
            "created_at": INSTANT,
            "updated_at": INSTANT,
        }
    ),
    "Clip": record(
        {
            "id": UUID,
            "title": {"type": "string"},
            "media_url": {
                "type": "string",
                "description": "The URL Blotato fetches; empty for an uploaded file not yet hosted on Blotato.",
            },
            "thumbnail_url": nullable("string", format="uri"),
            "duration_s": nullable("number"),
            "created_at": INSTANT,
            "kind": {"type": "string", "enum": ["image", "video"]},
            "file_url": nullable("string", description="An uploaded clip's file (path on this server; owner only)."),
            "thumbnail": nullable("string", description="Our JPEG thumbnail of an uploaded clip (path; owner only)."),
            "content_type": nullable("string", description="Sniffed from the file's content."),
            "size_bytes": nullable("integer", minimum=0),
            "width": nullable("integer", minimum=0),
            "height": nullable("integer", minimum=0),
            "aspect_ratio": nullable("number", description="Width over height."),
            "facts_note": nullable("string", description="What could not be read of the file, if anything."),
        },
    ),
    "ClipUpload": object_schema(
        {
            "file": {"type": "string", "contentMediaType": "application/octet-stream", "description": UPLOAD_TYPES},
            "title": {"type": "string", "maxLength": 200, "description": "Default: the file's name."},
        },
        required=["file"],
    ),
    "Account": record(
        {
            "id": {"type": "string", "description": "Blotato's account id."},
            "platform": ref("Platform"),
            "name": {"type": "string"},
            "username": {"type": "string"},
            "page_id": nullable("string", description="Default Facebook Page."),
            "board_id": nullable("string", description="Default Pinterest board."),
            "is_active": {"type": "boolean", "description": "False once the account disappeared from Blotato."},
            "synced_at": nullable("string", format="date-time"),
        },
    ),
    "Me": record(
        {
            "username": {"type": "string"},
            **SETTINGS,
            "has_blotato_key": {"type": "boolean"},
            "publishing_paused_since": nullable("string", format="date-time"),
            "install_publishing_paused": {
                "type": "boolean",
                "description": "The operator paused every post of this installation (admin or manage.py).",
            },
        }
    ),
    "MeUpdate": object_schema(SETTINGS, closed=True),
    "ScheduleRequest": {
        **object_schema(
            {
                "platforms": {
                    "type": "array",
                    "items": ref("PlatformName"),
                    "minItems": 1,
                    "description": "One post is created per platform; repeats are ignored.",
                },
                "clip_id": nullable("string", format="uuid", description="One of your clips. " + _media_required()),
                "caption": {"type": "string", "default": "", "description": _caption_limits()},
                "scheduled_time": {
                    "anyOf": [INPUT_TIME, {"const": "next_slot"}],
                    "description": "Required unless publish_now or a draft. " + INPUT_TIME["description"] + " Or "
                    '"next_slot": each post takes its account\'s next free posting slot (see AccountSlots), at least '
                    "your queue gap from the account's other posts; 409 when an account has no free slot in the next "
                    "year.",
                },
                "status": {
                    "type": "string",
                    "enum": ["scheduled", "draft"],
                    "default": "scheduled",
                    "description": "A draft is never published; its time is optional (it waits unscheduled).",
                },
                "publish_now": {
                    "type": "boolean",
                    "default": False,
                    "description": "If true, scheduled_time is ignored.",
                },
                "options": ref("ScheduleOptions"),
                "repeat": ref("Repeat"),
                "cover_frame_s": {
                    "type": "number",
                    "minimum": 0,
                    "description": "For an uploaded video clip: the frame at this many seconds becomes the "
                    "Instagram reel cover and the YouTube thumbnail (cut with ffmpeg, hosted on Blotato before the "
                    "posts go) and TikTok's videoCoverTimestamp. A typed coverImageUrl or thumbnailUrl wins.",
                },
            },
            required=["platforms"],
            closed=True,
        ),
        "anyOf": [
            {"required": ["scheduled_time"]},
            {"required": ["publish_now"], "properties": {"publish_now": {"const": True}}},
            {"required": ["status"], "properties": {"status": {"const": "draft"}}},
        ],
        "description": "A caption, a clip, or both. Either every post is created or none is.",
    },
    "ScheduleOptions": {
        **object_schema(
            {platform: ref(_options_name(platform)) for platform in Platform.values}
            | {alias: ref(_options_name(platform)) for alias, platform in ALIASES.items()},
            closed=True,
        ),
        "description": "Per-platform settings, keyed by a platform that is also in `platforms`. Facebook needs "
        "pageId and Pinterest boardId unless the account has a default (see Account).",
    },
    **{_options_name(platform): _platform_options(platform) for platform in Platform.values},
    "ScheduleResult": record(
        {
            "group_id": {
                **nullable("string", format="uuid"),
                "description": "Null for a series: each occurrence has its own group.",
            },
            "series_id": {**nullable("string", format="uuid"), "description": "With repeat: the new series."},
            "posts": {
                "type": "array",
                "items": ref("Post"),
                "description": "With repeat: the occurrences created so far (the horizon).",
            },
            "warnings": {
                "type": "array",
                "items": ref("MediaWarning"),
                "description": "What a platform may refuse of the clip (duration, size, aspect ratio); "
                "the posts are created all the same.",
            },
        }
    ),
    "MediaWarning": record(
        {
            "platform": ref("Platform"),
            "message": {"type": "string"},
            "certain": {"type": "boolean", "description": "Always false here: a certain refusal is a 422."},
        }
    ),
    "ReviewDecision": {
        **object_schema(
            {
                "decision": {"type": "string", "enum": ["live", "send"]},
                "platform_url": {"type": "string", "format": "uri", "description": "With 'live': the post's link."},
            },
            required=["decision"],
            closed=True,
        ),
        "description": "You checked the platform: the post is there ('live') or not ('send'). 'live' also "
        "works while the post is still verifying.",
    },
    "PostEdit": {
        **object_schema(
            {
                "scheduled_time": INPUT_TIME,
                "caption": {"type": "string", "description": _caption_limits()},
                "clip_id": nullable("string", format="uuid", description="Null makes it a text post."),
                "options": {
                    "type": "object",
                    "description": "Replaces this post's own options (the same fields as when scheduling, "
                    "for its platform); account_id moves it to another connected account.",
                },
                "status": {
                    "type": "string",
                    "enum": ["scheduled"],
                    "description": "Schedules a draft; its time (sent or kept) must be ahead.",
                },
                "apply_to_group": {
                    "type": "boolean",
                    "default": False,
                    "description": "Also give scheduled_time, caption and clip_id to every cross-post of the "
                    "same group that is still scheduled or a draft; their ids come back in group_updated.",
                },
            },
            closed=True,
        ),
        "minProperties": 1,
        "description": "Only scheduled and draft posts can be edited (409 otherwise, also while publishing); "
        "a missed post can be given a new scheduled_time alone, which schedules it again.",
    },
    "Calendar": record(
        {
            "posts": {"type": "array", "items": ref("Post")},
            "count": COUNT,
            "start_date": {**INSTANT, "description": "The range actually used, inclusive, as a UTC instant."},
            "end_date": {**INSTANT, "description": "The range actually used, exclusive, as a UTC instant."},
        },
    ),
    "ClipCreate": object_schema(
        {
            "title": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Trimmed of spaces."},
            "media_url": {"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 2000},
            "thumbnail_url": nullable("string", pattern="^(https://.*)?$", maxLength=2000),
            "duration_s": nullable("number", minimum=0),
        },
        required=["title", "media_url"],
        closed=True,
    ),
    "ClipList": record({"clips": {"type": "array", "items": ref("Clip"), "maxItems": 500}, "count": COUNT}),
    "AccountList": record({"accounts": {"type": "array", "items": ref("Account")}, "count": COUNT}),
    "PostingSlot": object_schema(
        {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday ... 6 = Sunday."},
            "time": {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$", "examples": ["09:00"]},
        },
        required=["weekday", "time"],
        closed=True,
    ),
    "AccountSlots": record(
        {
            "account_id": {"type": "string", "description": "The Account id."},
            "platform": ref("Platform"),
            "timezone": {"type": "string", "description": "Your zone: slot times are wall-clock times in it."},
            "queue_gap_minutes": {"type": "integer", "minimum": 0, "description": "The queue's minimum gap."},
            "slots": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
                        "day": {"type": "string", "examples": ["Monday"]},
                        "time": {"type": "string", "examples": ["09:00"]},
                    },
                    "required": ["weekday", "day", "time"],
                },
            },
            "next_free_slots": {
                "type": "array",
                "items": INSTANT,
                "maxItems": 5,
                "description": "The next instants the queue would hand out (UTC). A slot in a DST gap moves to the "
                "end of the gap; one in the repeated hour is its first occurrence.",
            },
        }
    ),
    "AccountQueue": record(
        {
            "account_id": {"type": "string", "description": "The Account id."},
            "platform": ref("Platform"),
            "timezone": {"type": "string", "description": "Your zone."},
            "posts": {
                "type": "array",
                "description": "The account's scheduled posts from now on, in time order.",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": UUID,
                        "scheduled_time": INSTANT,
                        "caption": {"type": "string", "maxLength": 80, "description": "The caption's start."},
                        "clip_id": nullable("string", format="uuid"),
                    },
                    "required": ["id", "scheduled_time", "caption", "clip_id"],
                },
            },
            "count": COUNT,
            "next_free_slot": {
                **INSTANT,
                "type": ["string", "null"],
                "description": "The next instant the queue would hand out (UTC); null when the account has no slots.",
            },
            "moved": {
                "type": "integer",
                "minimum": 0,
                "description": "After PUT or shuffle: posts whose time changed.",
            },
        }
    ),
    "AccountQueueOrder": {
        **object_schema(
            {"order": {"type": "array", "items": UUID, "maxItems": 10000}},
            required=["order"],
            closed=True,
        ),
        "description": "Every queued post once, in the order wanted: the queue's times stay, the posts take them "
        "in this order. 409 when the list is not exactly the queued posts (one was added, sent or moved meanwhile).",
    },
    "AccountSlotsUpdate": {
        **object_schema(
            {"slots": {"type": "array", "items": ref("PostingSlot"), "maxItems": 168}},
            required=["slots"],
            closed=True,
        ),
        "description": "Replaces every slot of the account; posts already queued keep their times. Repeats are a 400.",
    },
    "ImportRequest": {
        **object_schema(
            {
                "format": {"type": "string", "enum": ["json", "csv"], "default": "json"},
                "rows": {
                    "type": "array",
                    "description": 'With "json": posts as objects keyed by column (caption, platforms, accounts, '
                    'time, clip, media_url, title, options, <platform>.<option>). With "csv": rows of strings, the '
                    "first the header. docs/import.md has the format.",
                    "items": {"type": ["object", "array"]},
                },
                "dry_run": {"type": "boolean", "default": False, "description": "Check only; create nothing."},
            },
            required=["rows"],
            closed=True,
        ),
    },
    "ImportUpload": object_schema(
        {
            "file": {"type": "string", "contentMediaType": "text/csv", "description": "A CSV or JSON file (UTF-8)."},
            "dry_run": {"type": "string", "enum": ["true", "false"], "default": "false"},
            "format": {"type": "string", "enum": ["csv", "json"], "description": "Default: from the file's name."},
        },
        required=["file"],
    ),
    "ImportResult": record(
        {
            "ok": {"type": "boolean", "description": "Every row is right."},
            "committed": {"type": "boolean", "description": "The posts were created (never when dry_run)."},
            "summary": {"type": "string"},
            "zone": {"type": "string", "description": "Your zone: local_time is in it."},
            "row_count": COUNT,
            "post_count": COUNT,
            "error_rows": {"type": "array", "items": {"type": "integer"}},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "row": {"type": "integer", "description": "CSV: the spreadsheet row (header = 1); JSON: 1.."},
                        "ok": {"type": "boolean"},
                        "clip": nullable("object"),
                        "posts": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "platform": ref("Platform"),
                                    "account_id": {"type": "string"},
                                    "account": {"type": "string"},
                                    "scheduled_time": INSTANT,
                                    "local_time": {"type": "string", "examples": ["2026-12-01 10:00"]},
                                    "slot": {"type": "boolean", "description": "The time is a queue slot."},
                                },
                            },
                        },
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"column": {"type": "string"}, "message": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        }
    ),
}

RESPONSES = {
    "BadRequest": json_content(ref("Error"), "The input was refused; `error` says exactly why."),
    "Unauthorized": json_content(ref("Error"), "No session and no valid `Authorization: Bearer` token."),
    "CsrfRefused": json_content(ref("Error"), "A browser session sent a change without a valid CSRF token."),
    "NotFound": json_content(ref("Error"), "No such object among yours (other users' objects are 404 too)."),
    "MethodNotAllowed": json_content(
        ref("Error"), "Another HTTP method was used; `details.allowed` lists the right ones."
    ),
    "Conflict": json_content(ref("Error"), "The post's status does not allow this; `details.status` is its status."),
    "TooLarge": json_content(ref("Error"), "The request body (or the uploaded file) is larger than accepted."),
    "UnsupportedMedia": json_content(ref("Error"), "The uploaded file is not an image or a video we take."),
    "MediaRefused": json_content(ref("Error"), "A platform refuses this clip for certain (an image on YouTube)."),
    "KeyRejected": json_content(ref("Error"), "Blotato rejected the API key; set a working one in Settings."),
    "BlotatoDown": json_content(ref("Error"), "Blotato could not be reached or answered with an error."),
}


def _with_upload(operation: dict) -> dict:
    operation["requestBody"]["content"]["multipart/form-data"] = {"schema": ref("ClipUpload")}
    operation["responses"]["200"] = json_content(
        {**ref("Clip"), "description": "Already uploaded: the existing clip, with `note`."}, "Already uploaded"
    )
    operation["responses"]["415"] = response_ref("UnsupportedMedia")
    return operation


def _media_refusal(operation: dict) -> dict:
    operation["responses"]["422"] = response_ref("MediaRefused")
    return operation


def _conditional(operation: dict) -> dict:
    """A GET that sends an ETag and answers If-None-Match with a 304 when nothing changed."""
    operation["parameters"] = [*operation.get("parameters", []), IF_NONE_MATCH]
    operation["responses"]["200"]["headers"] = {"ETag": ETAG}
    operation["responses"]["304"] = {
        "description": "Not Modified: the calendar is exactly the one whose ETag was sent; no body.",
        "headers": {"ETag": ETAG},
    }
    return operation


def _import_operation() -> dict:
    operation = op(
        "importPosts",
        "Check (dry_run) or create many posts from rows, all or nothing; 400 lists every row's errors",
        (201, "ImportResult"),
        body="ImportRequest",
    )
    operation["description"] = (
        "A dry run answers 200 with every row's outcome, errors included (ok false). A commit answers 201, or "
        "400 with details.rows when any row has an error, and then creates nothing. The body is JSON, or "
        "multipart/form-data with the file."
    )
    operation["requestBody"]["content"]["multipart/form-data"] = {"schema": ref("ImportUpload")}
    operation["responses"]["200"] = json_content(ref("ImportResult"), "The dry run's outcome.")
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation


POST_ID = path_param("post_id", "A Post id.", UUID)
CLIP_ID = path_param("clip_id", "A Clip id.", UUID)
ACCOUNT_ID = path_param("account_id", "An Account id.")


def _file(op_id: str, summary: str, content_types: tuple[str, ...]) -> dict:
    """A GET answering the bytes of a file (not JSON), or a JSON 404."""
    content = {kind: {"schema": {"type": "string", "contentMediaType": kind}} for kind in content_types}
    return {
        "operationId": op_id,
        "summary": summary,
        "responses": {"200": {"description": "The file", "content": content}, "404": response_ref("NotFound")},
    }


DAY_OR_INSTANT = "A date (YYYY-MM-DD: a whole day in your zone) or an ISO 8601 instant"
CALENDAR_QUERY = [
    query_param("start_date", f"{DAY_OR_INSTANT}; default: the 1st of this month in your zone."),
    query_param(
        "end_date", f"{DAY_OR_INSTANT}, exclusive; default: the 1st of next month. At most 400 days after start."
    ),
    query_param("platform", "Comma-separated platforms.", {"type": "array", "items": ref("PlatformName")}),
    query_param("status", "Comma-separated statuses.", {"type": "array", "items": ref("Status")}),
    query_param("q", "Text the caption contains, ignoring case (only the first 200 characters are used)."),
]
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "schema": {"type": "string"},
    "description": "The ETag of a calendar you hold; if nothing in it changed, the answer is a bodiless 304.",
}
ETAG = {
    "description": "A weak ETag of this answer; it changes whenever any post in it does.",
    "schema": {"type": "string", "examples": ['W/"5d41402abc4b2a76b9719d911017c592"']},
}
CLIPS_QUERY = [query_param("q", "Text the title contains, ignoring case (only the first 200 characters are used).")]

PATHS = {
    "/api/publishing/schedule": path_item(
        "posts",
        "Schedule posts",
        post=_media_refusal(
            op(
                "schedulePosts",
                "Schedule a caption and/or clip on platforms",
                (201, "ScheduleResult"),
                "404",
                body="ScheduleRequest",
            )
        ),
    ),
    "/api/publishing/calendar": path_item(
        "posts",
        "The calendar",
        get=_conditional(
            op("listCalendar", "Your posts in a range, by time", (200, "Calendar"), "400", query=CALENDAR_QUERY)
        ),
    ),
    "/api/publishing/calendar/{post_id}": path_item(
        "posts",
        "One post",
        parameters=[POST_ID],
        get=op("getPost", "One of your posts", (200, "Post"), "404"),
        patch=_media_refusal(
            op(
                "editPost",
                "Edit a scheduled post or draft, or schedule a draft",
                (200, "Post"),
                "400",
                "404",
                "409",
                body="PostEdit",
            )
        ),
        delete=op("cancelPost", "Cancel a scheduled post (it stays, as cancelled)", (200, "Post"), "404", "409"),
    ),
    "/api/publishing/calendar/{post_id}/retry": path_item(
        "posts",
        "Retry a post",
        parameters=[POST_ID],
        post=op("retryPost", "Send a failed, missed or needs_review post again, now", (200, "Post"), "404", "409"),
    ),
    "/api/publishing/calendar/{post_id}/undo-cancel": path_item(
        "posts",
        "Undo a cancel",
        parameters=[POST_ID],
        post=op(
            "undoCancel",
            "Restore a cancelled post to scheduled; 409 once its time has passed",
            (200, "Post"),
            "404",
            "409",
        ),
    ),
    "/api/publishing/calendar/{post_id}/review": path_item(
        "posts",
        "Decide about an unconfirmed post",
        parameters=[POST_ID],
        post=op(
            "reviewPost",
            "For a needs_review post: 'live' marks it published (never sent again), 'send' sends it again",
            (200, "Post"),
            "400",
            "404",
            "409",
            body="ReviewDecision",
        ),
    ),
    "/api/clips": path_item(
        "clips",
        "Clips",
        get=op("listClips", "Your clips, newest first (at most 500)", (200, "ClipList"), "400", query=CLIPS_QUERY),
        post=_with_upload(
            op("createClip", "Add a clip by URL (JSON) or upload a file (multipart)", (201, "Clip"), body="ClipCreate")
        ),
    ),
    "/api/clips/{clip_id}/file": path_item(
        "clips",
        "An uploaded clip's file",
        parameters=[CLIP_ID],
        get=_file(
            "getClipFile", "The uploaded file, as stored (404 for a clip given as a URL)", ("image/*", "video/*")
        ),
    ),
    "/api/clips/{clip_id}/thumbnail.jpg": path_item(
        "clips",
        "An uploaded clip's thumbnail",
        parameters=[CLIP_ID],
        get=_file("getClipThumbnail", "A JPEG of at most 320 px (404 when none could be made)", ("image/jpeg",)),
    ),
    "/api/accounts": path_item(
        "accounts",
        "Connected accounts",
        get=op("listAccounts", "Your connected accounts, as last synced", (200, "AccountList")),
    ),
    "/api/accounts/sync": path_item(
        "accounts",
        "Sync accounts",
        post=op("syncAccounts", "Mirror your accounts from Blotato", (200, "AccountList"), "422", "503"),
    ),
    "/api/publishing/accounts/{account_id}/slots": path_item(
        "accounts",
        "An account's posting slots (its queue's weekly times)",
        parameters=[ACCOUNT_ID],
        get=op(
            "getAccountSlots", "The account's weekly posting slots and its next free ones", (200, "AccountSlots"), "404"
        ),
        put=op(
            "putAccountSlots",
            "Replace the account's posting slots",
            (200, "AccountSlots"),
            "404",
            body="AccountSlotsUpdate",
        ),
    ),
    "/api/publishing/accounts/{account_id}/queue": path_item(
        "accounts",
        "An account's queue",
        parameters=[ACCOUNT_ID],
        get=op("getAccountQueue", "The posts queued on the account, in time order", (200, "AccountQueue"), "404"),
        put=op(
            "reorderAccountQueue",
            "Give the queued posts the queue's times in a new order",
            (200, "AccountQueue"),
            "400",
            "404",
            "409",
            body="AccountQueueOrder",
        ),
    ),
    "/api/publishing/accounts/{account_id}/queue/shuffle": path_item(
        "accounts",
        "Shuffle an account's queue",
        parameters=[ACCOUNT_ID],
        post=op(
            "shuffleAccountQueue",
            "Shuffle the queued posts over the queue's times",
            (200, "AccountQueue"),
            "404",
            "409",
        ),
    ),
    "/api/publishing/imports": path_item(
        "posts",
        "Bulk import",
        post=_import_operation(),
    ),
    "/api/me": path_item(
        "me",
        "You",
        get=op("getMe", "Your settings", (200, "Me")),
        patch=op("updateMe", "Change your zone, late-grace period, queue gap or pause", (200, "Me"), body="MeUpdate"),
    ),
    "/api/openapi.json": {
        "summary": "This document; no authentication, GET only (others get a JSON 405).",
        "get": {
            "operationId": "getOpenApi",
            "summary": "The OpenAPI 3.1 description of this API",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
            },
        },
    },
}

OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "MediaPoster API",
        "version": "1.0.0",
        "description": "Schedule clips and captions to social platforms through Blotato. Instants are returned in "
        'UTC with a Z. Every error is JSON: `{"error": "...", "details": {...}}`.',
    },
    "security": [{"bearerToken": []}, {"sessionCookie": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer <token>`; create a token with `manage.py create_api_token`.",
            },
            "sessionCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.SESSION_COOKIE_NAME,
                "description": "A logged-in browser session. Changes (POST, PATCH, DELETE) also need the CSRF token "
                "in the X-CSRFToken header.",
            },
        },
    },
}


@csrf_exempt  # a POST here must get the JSON 405, not the CSRF middleware's HTML 403
def document(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return error_response(405, f"Method {request.method} not allowed; use GET.", {"allowed": ["GET"]})
    return JsonResponse(full_document())


@cache
def full_document() -> dict:
    """This module's paths plus the webhooks' and the analytics app's."""
    document = dict(OPENAPI, paths={**PATHS, **webhooks.PATHS, **series.PATHS, **analytics.PATHS})
    document["components"] = dict(
        OPENAPI["components"],
        schemas={**SCHEMAS, **webhooks.SCHEMAS, **series.SCHEMAS, **analytics.SCHEMAS},
        responses={**RESPONSES, **analytics.RESPONSES},
    )
    return document
