"""Blotato's routes under /v2: the table, plus accounts, media and schedules (posts live in posts.py,
analytics in analytics.py)."""

from __future__ import annotations

import base64
import mimetypes
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from . import analytics, posts
from .records import MEDIA_ACCEPTING_FAULTS, Submission, iso
from .replies import Call, Reply, bad_request, no_content, ok, silence, unprocessable
from .validation import Invalid, check_schedule_time

DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,[A-Za-z0-9+/=\s]+$")
MAX_SCHEDULE_LIMIT = 100


# --- accounts ----------------------------------------------------------------------------------


def me(call: Call) -> Reply:
    return ok({"id": call.data.user_id, "subscriptionStatus": "active_pro", "apiKey": call.key})


def accounts(call: Call) -> Reply:
    platform = call.arg("platform")
    return ok({"items": [dict(a) for a in call.data.accounts if not platform or a.get("platform") == platform]})


def subaccounts(call: Call) -> Reply:
    return ok({"items": [dict(s) for s in call.data.subaccounts.get(call.params["id"], [])]})


def pinterest_boards(call: Call) -> Reply:
    account_id = call.arg("accountId")
    if not account_id:
        return bad_request("querystring must have required property 'accountId'")
    return ok({"items": [dict(b) for b in call.data.boards.get(account_id, [])]})


# --- media -------------------------------------------------------------------------------------


def import_media(call: Call) -> Reply:
    """Host a public URL's file or a base64 data URI's bytes; served back at <fake>/media/<id>.<ext>."""
    state = call.state
    body = call.body
    if not isinstance(body, dict) or "url" not in body:
        return unprocessable("body must have required property 'url'")
    url = body["url"]
    if not isinstance(url, str):
        return unprocessable("body.url: must be string")
    data_uri = DATA_URI.match(url)
    parts = urlsplit(url)
    data = None
    if data_uri:
        mime = data_uri["mime"]
        extension = (mimetypes.guess_extension(mime) or ".bin").lstrip(".")
        try:
            data = base64.b64decode(url.partition(",")[2], validate=False)
        except ValueError:
            return unprocessable("body.url: the data URI is not valid base64")
    elif parts.scheme in ("http", "https") and parts.hostname:
        extension = PurePosixPath(parts.path).suffix.lstrip(".").lower() or "jpg"
        mime = mimetypes.guess_type(parts.path)[0] or "application/octet-stream"
    else:
        return unprocessable("body.url: must be a public http(s) URL or a base64 data URI")
    limit = state.knob("media_max_bytes")
    if data is not None and limit and len(data) > limit:
        return unprocessable(f"body.url: media must NOT be larger than {limit} bytes (got {len(data)})")
    media_id = uuid.uuid4().hex
    name = f"{media_id}.{extension}"
    fault = state.take_fault("POST /media", body, MEDIA_ACCEPTING_FAULTS)
    if fault is None and call.drawn and call.drawn.fault in MEDIA_ACCEPTING_FAULTS:
        fault = call.drawn
    state.host_media(name, data, mime, "data" if data is not None else url)
    if fault and fault.fault == "accept_then_drop":
        return silence()
    if fault and fault.fault == "accept_then_500":
        return Reply(500, {"code": 9999, "message": fault.message or "An unknown error occurred."})
    return ok({"url": f"{call.base_url}/media/{name}", "id": f"media_{media_id}"}, 201)


def serve_media(state, name: str) -> Reply:
    """GET <fake>/media/<name>: the hosted bytes (no key, as a public CDN); a URL import redirects to its source."""
    found = state.hosted_media(name)
    if found is None:
        return Reply(404, {"statusCode": 404, "message": "Not found"})
    if found["bytes"] is None:
        return Reply(302, b"", headers={"Location": found["source"]})
    return Reply(200, found["bytes"], content_type=found["content_type"])


def upload_slot(call: Call) -> Reply:
    body = call.body
    filename = body.get("filename") if isinstance(body, dict) else None
    if not isinstance(filename, str):
        return unprocessable("body must have required property 'filename'")
    if "/" in filename or not PurePosixPath(filename).suffix:
        return unprocessable("body.filename: must be a file name with an extension")
    token = call.state.new_upload(filename)
    return ok(
        {
            "presignedUrl": f"{call.base_url}/__fake__/upload/{token}",
            "publicUrl": call.state.public_upload_url(token),
        },
        201,
    )


# --- schedules ---------------------------------------------------------------------------------


def list_schedules(call: Call) -> Reply:
    limit, offset = call.arg("limit", "20"), call.arg("cursor", "0")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_SCHEDULE_LIMIT:
        return bad_request(f"querystring/limit must be an integer from 1 to {MAX_SCHEDULE_LIMIT}")
    if not offset.isdigit():
        return bad_request("querystring/cursor is not a cursor this API gave out")
    limit, offset = int(limit), int(offset)
    waiting = call.state.scheduled(call.data.user_id)
    page = waiting[offset : offset + limit]
    more = offset + limit < len(waiting)
    return ok(
        {
            "items": [_schedule_item(call, s) for s in page],
            "count": str(len(waiting)),  # a string on Blotato too
            "cursor": str(offset + limit) if more else None,
        }
    )


def get_schedule(call: Call) -> Reply:
    found = call.state.scheduled(call.data.user_id, call.params["id"])
    if not found:
        return _schedule_not_found()
    return ok({"schedule": _schedule_item(call, found[0])})


def patch_schedule(call: Call) -> Reply:
    if not call.state.scheduled(call.data.user_id, call.params["id"]):
        return _schedule_not_found()
    body = call.body
    patch = body.get("patch") if isinstance(body, dict) else None
    if not isinstance(patch, dict):
        return unprocessable("body must have required property 'patch'")
    if not patch.keys() & {"scheduledTime", "draft"}:
        return unprocessable("patch: must NOT have fewer than 1 properties")
    scheduled_at = None
    if "scheduledTime" in patch:
        try:
            moment = check_schedule_time(
                patch["scheduledTime"], "patch.scheduledTime", now=datetime.fromtimestamp(call.state.now(), UTC)
            )
        except Invalid as problem:
            return unprocessable(str(problem))
        scheduled_at = moment.timestamp()
    draft = patch.get("draft")
    if draft is not None and not isinstance(draft, dict):
        return unprocessable("patch.draft: must be object")
    if not call.state.patch_schedule(call.data.user_id, call.params["id"], scheduled_at, draft):
        return _schedule_not_found()  # it went out meanwhile
    return no_content()


def delete_schedule(call: Call) -> Reply:
    if not call.state.cancel_schedule(call.data.user_id, call.params["id"]):
        return _schedule_not_found()
    return no_content()


def _schedule_not_found() -> Reply:
    return Reply(404, {"message": "Schedule not found"})


def _schedule_item(call: Call, submission: Submission) -> dict:
    return {
        "id": submission.schedule_id,
        "scheduledAt": iso(submission.scheduled_at),
        "draft": submission.draft,
        "account": _schedule_account(call, submission),
    }


def _schedule_account(call: Call, submission: Submission) -> dict | None:
    """The account block, or null once the social account is disconnected (FN2 saw that often)."""
    account = call.data.account(submission.account_id)
    if account is None:
        return None
    sub_id = submission.target.get("pageId") or submission.target.get("boardId")
    sub_id = str(sub_id) if sub_id is not None else None
    known = call.data.subaccounts.get(account["id"], []) + call.data.boards.get(account["id"], [])
    sub_name = next((s.get("name") for s in known if str(s.get("id")) == sub_id), None)
    return {
        "id": account["id"],
        "name": account.get("fullname"),
        "username": account.get("username"),
        "profileImageUrl": None,
        "subaccountId": sub_id,
        "subId": sub_id,
        "subaccountName": sub_name,
    }


# --- the table ---------------------------------------------------------------------------------

Handler = Callable[[Call], Reply]
ROUTES: list[tuple[str, re.Pattern, str, Handler]] = [
    ("POST", re.compile(r"^/v2/posts$"), "POST /posts", posts.create_post),
    ("GET", re.compile(r"^/v2/posts/(?P<id>[^/]+)$"), "GET /posts/{id}", posts.post_status),
    ("GET", re.compile(r"^/v2/posts$"), "GET /posts", posts.list_posts),
    ("GET", re.compile(r"^/v2/users/me$"), "GET /users/me", me),
    ("GET", re.compile(r"^/v2/users/me/accounts$"), "GET /users/me/accounts", accounts),
    (
        "GET",
        re.compile(r"^/v2/users/me/accounts/(?P<id>[^/]+)/subaccounts$"),
        "GET /users/me/accounts/{id}/subaccounts",
        subaccounts,
    ),
    ("GET", re.compile(r"^/v2/social/pinterest/boards$"), "GET /social/pinterest/boards", pinterest_boards),
    ("POST", re.compile(r"^/v2/media$"), "POST /media", import_media),
    ("POST", re.compile(r"^/v2/media/uploads$"), "POST /media/uploads", upload_slot),
    ("GET", re.compile(r"^/v2/schedules$"), "GET /schedules", list_schedules),
    ("GET", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "GET /schedules/{id}", get_schedule),
    ("PATCH", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "PATCH /schedules/{id}", patch_schedule),
    ("DELETE", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "DELETE /schedules/{id}", delete_schedule),
    ("GET", re.compile(r"^/v2/posts/(?P<id>[^/]+)/analytics$"), "GET /posts/{id}/analytics", analytics.post_analytics),
    ("GET", re.compile(r"^/v2/published-posts$"), "GET /published-posts", analytics.published_posts),
    ("GET", re.compile(r"^/v2/analytics$"), "GET /analytics", analytics.top_posts),
    ("GET", re.compile(r"^/v2/analytics/platforms$"), "GET /analytics/platforms", analytics.by_platform),
    ("GET", re.compile(r"^/v2/analytics/summary$"), "GET /analytics/summary", analytics.summary),
]


def find_route(method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
    for route_method, pattern, name, handler in ROUTES:
        found = pattern.match(path)
        if found and route_method == method:
            return name, handler, found.groupdict()
    return None
