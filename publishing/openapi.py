"""The OpenAPI 3.1 description of the JSON API (api.py), served at /api/openapi.json.

Platforms, statuses, per-platform options and caption limits are read from the code so the
document cannot drift from what api_input.py accepts; the rest is written out to match api.py.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .api_support import error_response
from .models import Status
from .platforms import ALIASES, RULES, Platform, TargetField


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def _object(properties: dict, *, required: list[str] | None = None, closed: bool = False) -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:  # api_input.refuse_unknown_fields answers 400 to any other key
        schema["additionalProperties"] = False
    return schema


def _record(properties: dict) -> dict:
    """A response object: api.py always writes every key, null where there is no value."""
    return _object(properties, required=list(properties))


def _options_name(platform: str) -> str:
    return f"{Platform(platform).name.title()}Options"


def _target_field(spec: TargetField, default: object) -> dict:
    if spec.kind is bool:
        schema: dict = {"type": "boolean"}
    elif spec.kind is list:
        schema = {"type": "array", "items": {"type": "string"}}
    else:
        schema = {"type": "string"}
        if spec.choices:
            schema["enum"] = list(spec.choices)
        if spec.max_length:
            schema["maxLength"] = spec.max_length
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
    schema = _object(fields, closed=True)
    schema["description"] = f"Blotato target fields for {Platform(platform).label}."
    return schema


def _caption_limits() -> str:
    limits = [
        f"{platform} {rules.caption_limit} {'bytes' if rules.count_bytes else 'characters'}"
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
COUNT = {"type": "integer", "minimum": 0}
SETTINGS = {
    "timezone": {"type": "string", "description": "IANA zone name, e.g. Europe/Paris."},
    "late_grace_minutes": {
        "type": "integer",
        "minimum": 1,
        "maximum": 7 * 24 * 60,
        "description": "How late a post may still be sent before it is marked missed.",
    },
    "resend_unconfirmed": {
        "type": "boolean",
        "description": "Send a post once more when Blotato never confirmed it and it cannot be found there, "
        "instead of asking you (needs_review). Risks a duplicate post; off by default.",
    },
}

SCHEMAS: dict = {
    "Error": _record(
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
    "Post": _record(
        {
            "id": UUID,
            "group_id": {**UUID, "description": "Shared by the posts created by one schedule request."},
            "clip_id": _nullable("string", format="uuid"),
            "platform": _ref("Platform"),
            "account_id": {"type": "string", "description": "The Account id the post goes out on."},
            "caption": {"type": "string"},
            "scheduled_time": INSTANT,
            "status": _ref("Status"),
            "attempts": {"type": "integer", "minimum": 0},
            "last_error": _nullable("string"),
            "platform_url": _nullable("string", format="uri"),
            "platform_post_id": _nullable("string"),
            "blotato_submission_id": _nullable("string"),
            "published_at": _nullable("string", format="date-time"),
            "created_at": INSTANT,
            "updated_at": INSTANT,
        }
    ),
    "Clip": _record(
        {
            "id": UUID,
            "title": {"type": "string"},
            "media_url": {"type": "string", "format": "uri"},
            "thumbnail_url": _nullable("string", format="uri"),
            "duration_s": _nullable("number"),
            "created_at": INSTANT,
        },
    ),
    "Account": _record(
        {
            "id": {"type": "string", "description": "Blotato's account id."},
            "platform": _ref("Platform"),
            "name": {"type": "string"},
            "username": {"type": "string"},
            "page_id": _nullable("string", description="Default Facebook Page."),
            "board_id": _nullable("string", description="Default Pinterest board."),
            "is_active": {"type": "boolean", "description": "False once the account disappeared from Blotato."},
            "synced_at": _nullable("string", format="date-time"),
        },
    ),
    "Me": _record({"username": {"type": "string"}, **SETTINGS, "has_blotato_key": {"type": "boolean"}}),
    "MeUpdate": _object(SETTINGS, closed=True),
    "ScheduleRequest": {
        **_object(
            {
                "platforms": {
                    "type": "array",
                    "items": _ref("PlatformName"),
                    "minItems": 1,
                    "description": "One post is created per platform; repeats are ignored.",
                },
                "clip_id": _nullable("string", format="uuid", description="One of your clips. " + _media_required()),
                "caption": {"type": "string", "default": "", "description": _caption_limits()},
                "scheduled_time": {
                    **INPUT_TIME,
                    "description": "Required unless publish_now. " + INPUT_TIME["description"],
                },
                "publish_now": {
                    "type": "boolean",
                    "default": False,
                    "description": "If true, scheduled_time is ignored.",
                },
                "options": _ref("ScheduleOptions"),
            },
            required=["platforms"],
            closed=True,
        ),
        "anyOf": [
            {"required": ["scheduled_time"]},
            {"required": ["publish_now"], "properties": {"publish_now": {"const": True}}},
        ],
        "description": "A caption, a clip, or both. Either every post is created or none is.",
    },
    "ScheduleOptions": {
        **_object(
            {platform: _ref(_options_name(platform)) for platform in Platform.values}
            | {alias: _ref(_options_name(platform)) for alias, platform in ALIASES.items()},
            closed=True,
        ),
        "description": "Per-platform settings, keyed by a platform that is also in `platforms`. Facebook needs "
        "pageId and Pinterest boardId unless the account has a default (see Account).",
    },
    **{_options_name(platform): _platform_options(platform) for platform in Platform.values},
    "ScheduleResult": _record({"group_id": UUID, "posts": {"type": "array", "items": _ref("Post")}}),
    "ReviewDecision": {
        **_object(
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
        **_object({"scheduled_time": INPUT_TIME, "caption": {"type": "string"}}, closed=True),
        "minProperties": 1,
        "description": "Only scheduled posts can be edited (409 otherwise).",
    },
    "Calendar": _record(
        {
            "posts": {"type": "array", "items": _ref("Post")},
            "count": COUNT,
            "start_date": {**INSTANT, "description": "The range actually used, inclusive, as a UTC instant."},
            "end_date": {**INSTANT, "description": "The range actually used, exclusive, as a UTC instant."},
        },
    ),
    "ClipCreate": _object(
        {
            "title": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Trimmed of spaces."},
            "media_url": {"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 2000},
            "thumbnail_url": _nullable("string", pattern="^(https://.*)?$", maxLength=2000),
            "duration_s": _nullable("number", minimum=0),
        },
        required=["title", "media_url"],
        closed=True,
    ),
    "ClipList": _record({"clips": {"type": "array", "items": _ref("Clip"), "maxItems": 500}, "count": COUNT}),
    "AccountList": _record({"accounts": {"type": "array", "items": _ref("Account")}, "count": COUNT}),
}

RESPONSES = {
    "BadRequest": _json(_ref("Error"), "The input was refused; `error` says exactly why."),
    "Unauthorized": _json(_ref("Error"), "No session and no valid `Authorization: Bearer` token."),
    "CsrfRefused": _json(_ref("Error"), "A browser session sent a change without a valid CSRF token."),
    "NotFound": _json(_ref("Error"), "No such object among yours (other users' objects are 404 too)."),
    "MethodNotAllowed": _json(_ref("Error"), "Another HTTP method was used; `details.allowed` lists the right ones."),
    "Conflict": _json(_ref("Error"), "The post's status does not allow this; `details.status` is its status."),
    "TooLarge": _json(_ref("Error"), "The request body is larger than the server accepts."),
    "KeyRejected": _json(_ref("Error"), "Blotato rejected the API key; set a working one in Settings."),
    "BlotatoDown": _json(_ref("Error"), "Blotato could not be reached or answered with an error."),
}


ERRORS = {"400": "BadRequest", "404": "NotFound", "409": "Conflict", "422": "KeyRejected", "503": "BlotatoDown"}
SUCCESS = {200: "OK", 201: "Created"}


def _op(op_id: str, summary: str, success: tuple[int, str], *errors: str, body: str = "", query=()) -> dict:
    """One operation: its success, the errors api.py raises for it, and what reading a body adds."""
    status, schema = success
    responses = {str(status): _json(_ref(schema), SUCCESS[status])}
    responses |= {code: _response(ERRORS[code]) for code in errors}
    operation: dict = {"operationId": op_id, "summary": summary, "responses": responses}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
        responses |= {"400": _response("BadRequest"), "413": _response("TooLarge")}
    if query:
        operation["parameters"] = list(query)
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


def _path(tag: str, summary: str, parameters=(), **operations: dict) -> dict:
    """A path of one api_endpoint view: 401 anywhere, 403 on a session's change, 405 for other methods."""
    for method, operation in operations.items():
        operation["tags"] = [tag]
        operation["responses"]["401"] = _response("Unauthorized")
        if method != "get":
            operation["responses"]["403"] = _response("CsrfRefused")
        operation["responses"] = dict(sorted(operation["responses"].items()))
    allowed = ", ".join(method.upper() for method in operations)
    path = {
        "summary": summary,
        "description": f"Other methods than {allowed} get a 405 (MethodNotAllowed).",
        **operations,
    }
    if parameters:
        path["parameters"] = list(parameters)
    return path


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    parameter = {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}
    if schema:  # a comma-separated list, as calendar_filters splits it
        parameter |= {"style": "form", "explode": False}
    return parameter


POST_ID = {"name": "post_id", "in": "path", "required": True, "schema": UUID, "description": "A Post id."}
DAY_OR_INSTANT = "A date (YYYY-MM-DD: a whole day in your zone) or an ISO 8601 instant"
CALENDAR_QUERY = [
    _query("start_date", f"{DAY_OR_INSTANT}; default: the 1st of this month in your zone."),
    _query("end_date", f"{DAY_OR_INSTANT}, exclusive; default: the 1st of next month. At most 400 days after start."),
    _query("platform", "Comma-separated platforms.", {"type": "array", "items": _ref("PlatformName")}),
    _query("status", "Comma-separated statuses.", {"type": "array", "items": _ref("Status")}),
    _query("q", "Text the caption contains, ignoring case (only the first 200 characters are used)."),
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
CLIPS_QUERY = [_query("q", "Text the title contains, ignoring case (only the first 200 characters are used).")]

PATHS = {
    "/api/publishing/schedule": _path(
        "posts",
        "Schedule posts",
        post=_op(
            "schedulePosts",
            "Schedule a caption and/or clip on platforms",
            (201, "ScheduleResult"),
            "404",
            body="ScheduleRequest",
        ),
    ),
    "/api/publishing/calendar": _path(
        "posts",
        "The calendar",
        get=_conditional(
            _op("listCalendar", "Your posts in a range, by time", (200, "Calendar"), "400", query=CALENDAR_QUERY)
        ),
    ),
    "/api/publishing/calendar/{post_id}": _path(
        "posts",
        "One post",
        parameters=[POST_ID],
        get=_op("getPost", "One of your posts", (200, "Post"), "404"),
        patch=_op("editPost", "Move and/or re-word a scheduled post", (200, "Post"), "404", "409", body="PostEdit"),
        delete=_op("cancelPost", "Cancel a scheduled post (it stays, as cancelled)", (200, "Post"), "404", "409"),
    ),
    "/api/publishing/calendar/{post_id}/retry": _path(
        "posts",
        "Retry a post",
        parameters=[POST_ID],
        post=_op("retryPost", "Send a failed, missed or needs_review post again, now", (200, "Post"), "404", "409"),
    ),
    "/api/publishing/calendar/{post_id}/review": _path(
        "posts",
        "Decide about an unconfirmed post",
        parameters=[POST_ID],
        post=_op(
            "reviewPost",
            "For a needs_review post: 'live' marks it published (never sent again), 'send' sends it again",
            (200, "Post"),
            "400",
            "404",
            "409",
            body="ReviewDecision",
        ),
    ),
    "/api/clips": _path(
        "clips",
        "Clips",
        get=_op("listClips", "Your clips, newest first (at most 500)", (200, "ClipList"), "400", query=CLIPS_QUERY),
        post=_op("createClip", "Add a clip by URL", (201, "Clip"), body="ClipCreate"),
    ),
    "/api/accounts": _path(
        "accounts",
        "Connected accounts",
        get=_op("listAccounts", "Your connected accounts, as last synced", (200, "AccountList")),
    ),
    "/api/accounts/sync": _path(
        "accounts",
        "Sync accounts",
        post=_op("syncAccounts", "Mirror your accounts from Blotato", (200, "AccountList"), "422", "503"),
    ),
    "/api/me": _path(
        "me",
        "You",
        get=_op("getMe", "Your settings", (200, "Me")),
        patch=_op("updateMe", "Change your zone or late-grace period", (200, "Me"), body="MeUpdate"),
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
    """This module's paths plus the analytics app's (imported late: it builds on the helpers here)."""
    from analytics import openapi as analytics

    document = dict(OPENAPI, paths={**PATHS, **analytics.PATHS})
    document["components"] = dict(
        OPENAPI["components"],
        schemas={**SCHEMAS, **analytics.SCHEMAS},
        responses={**RESPONSES, **analytics.RESPONSES},
    )
    return document
