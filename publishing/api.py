"""The JSON API under /api/: thin views over lifecycle.py, accounts.py and the models."""

from __future__ import annotations

import json

from django.db.models import CharField, F, Func, Value
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import parse_etags
from django.views.decorators.csrf import csrf_exempt

from . import accounts, api_input, lifecycle, pause, queue, series
from .answer_cache import cached_answer
from .api_support import api_endpoint, error_response
from .bad_input import BadInput
from .blotato import AuthRejected, BlotatoError
from .calendar_version import calendar_version, posts_in_range
from .json_body import read_json, refuse_unknown_fields
from .media_upload import upload_from_request
from .models import EDITABLE, Clip, Profile, ScheduledPost, SocialAccount, Status, web_url
from .platforms import media_warnings
from .search_query import search_text
from .timeparse import iso_utc
from .zones import UnknownZone, offered_zone, user_zone


class UtcText(Func):
    """An instant as the API writes it (UTC, Z, whole seconds, like iso_utc), made by the database.

    Formatting in SQL spares parsing each timestamp into a datetime only to print it again.
    """

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores SQLite instants as UTC text, so strftime only has to reshape them.
        return Func(Value("%Y-%m-%dT%H:%M:%SZ"), *self.source_expressions, function="strftime").as_sql(
            compiler, connection
        )


POST_COLUMNS = {
    "account_ref": F("account__blotato_account_id"),
    "scheduled_time_text": UtcText("scheduled_time"),
    "published_at_text": UtcText("published_at"),
    "created_at_text": UtcText("created_at"),
    "updated_at_text": UtcText("updated_at"),
}
POST_FIELDS = (
    "id",
    "group_id",
    "clip_id",
    "platform",
    "caption",
    "options",
    "status",
    "attempts",
    "last_error",
    "platform_url",
    "platform_post_id",
    "blotato_submission_id",
    "series_id",
    "occurrence_index",
)


def post_rows(posts) -> list[dict]:
    """The columns post_json needs, and no more, for each post in a queryset."""
    return list(posts.values(*POST_FIELDS, **POST_COLUMNS))


def post_json(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "group_id": str(row["group_id"]),
        "clip_id": str(row["clip_id"]) if row["clip_id"] else None,
        "platform": row["platform"],
        "account_id": row["account_ref"],
        "caption": row["caption"],
        "options": row["options"],
        "scheduled_time": row["scheduled_time_text"],
        "status": row["status"],
        "attempts": row["attempts"],
        "last_error": row["last_error"] or None,
        "platform_url": row["platform_url"] or None,
        "platform_post_id": row["platform_post_id"] or None,
        "blotato_submission_id": row["blotato_submission_id"] or None,
        "series_id": str(row["series_id"]) if row["series_id"] else None,
        "occurrence": row["occurrence_index"],
        "published_at": row["published_at_text"],
        "created_at": row["created_at_text"],
        "updated_at": row["updated_at_text"],
    }


def posts_json(posts: list[ScheduledPost]) -> list[dict]:
    """The API's view of posts just changed, read back as the calendar reads them."""
    rows = {row["id"]: row for row in post_rows(ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]))}
    return [post_json(rows[p.pk]) for p in posts]


def clip_json(clip: Clip) -> dict:
    return {
        "id": str(clip.pk),
        "title": clip.title,
        "media_url": clip.media_url,
        "thumbnail_url": clip.thumbnail_url or None,
        "duration_s": clip.duration_s,
        "created_at": iso_utc(clip.created_at),
        **media_facts_json(clip),
    }


def media_facts_json(clip: Clip) -> dict:
    """An uploaded clip's file and what we learnt of it (nulls for a clip given as a URL)."""
    uploaded = bool(clip.file)
    return {
        "kind": clip.media_kind,
        "file_url": reverse("clip_file", args=[clip.pk]) if uploaded else None,
        "thumbnail": reverse("clip_thumbnail", args=[clip.pk]) if clip.thumbnail else None,
        "content_type": clip.content_type or None,
        "size_bytes": clip.size_bytes,
        "width": clip.width,
        "height": clip.height,
        "aspect_ratio": clip.aspect_ratio,
        "facts_note": clip.facts_note or None,
    }


def account_json(account: SocialAccount) -> dict:
    return {
        "id": account.blotato_account_id,
        "platform": account.platform,
        "name": account.name,
        "username": account.username,
        "page_id": account.page_id or None,
        "board_id": account.board_id or None,
        "is_active": account.is_active,
        "synced_at": iso_utc(account.synced_at),
    }


def _owned_post(request, post_id: str) -> ScheduledPost:
    """The user's post, or a 404 that looks the same whether it is missing or someone else's."""
    posts = ScheduledPost.objects.owned_by(request.user).select_related("account")
    post = posts.filter(pk=api_input.parse_post_id(post_id)).first()
    if post is None:
        raise Http404("No post with that id.")
    return post


def _owned_row(request, post_id: str) -> dict:
    """The user's post as JSON, read without building the model; the same 404 as _owned_post."""
    rows = post_rows(ScheduledPost.objects.owned_by(request.user).filter(pk=api_input.parse_post_id(post_id)))
    if not rows:
        raise Http404("No post with that id.")
    return post_json(rows[0])


@api_endpoint("POST")
def schedule(request):
    data = read_json(request)
    now = timezone.now()
    tz = user_zone(request.user)
    wanted = api_input.parse_schedule(data, request.user, tz, now=now)
    warnings = [w.as_json() for plan in wanted.plans for w in media_warnings(wanted.clip, plan.platform, plan.options)]
    if wanted.repeat:
        started, posts = series.start_series(request.user, wanted, tz, now=now)
        body = {"series_id": str(started.pk), "group_id": None, "posts": posts_json(posts), "warnings": warnings}
        return JsonResponse(body, status=201)
    group_id, posts = queue.create_as_asked(request.user, wanted, now=now)
    body = {"group_id": str(group_id), "series_id": None, "posts": posts_json(posts), "warnings": warnings}
    return JsonResponse(body, status=201)


@api_endpoint("GET")
def calendar(request):
    start, end = api_input.calendar_range(request.GET, user_zone(request.user), now=timezone.now())
    filters = api_input.calendar_filters(request.GET)
    version = calendar_version(request.user, start, end, filters)
    etag = f'W/"{version}"'
    if _client_has(request, etag):
        return HttpResponseNotModified(headers={"ETag": etag})

    def answer() -> bytes:
        items = [post_json(row) for row in post_rows(posts_in_range(request.user, start, end).filter(**filters))]
        body = {"posts": items, "count": len(items), "start_date": iso_utc(start), "end_date": iso_utc(end)}
        return json.dumps(body, separators=(",", ":")).encode()

    response = HttpResponse(cached_answer(f"calendar:{version}", answer), content_type="application/json")
    response["ETag"] = etag
    return response


def _client_has(request, etag: str) -> bool:
    """If-None-Match by weak comparison (RFC 9110 13.1.2); If-Match is not offered, so it is ignored."""
    held = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in held or any(tag.removeprefix("W/") == etag.removeprefix("W/") for tag in held)


@api_endpoint("GET", "PATCH", "DELETE")
def calendar_post(request, post_id: str):
    if request.method == "GET":
        return JsonResponse(_owned_row(request, post_id))
    post = _owned_post(request, post_id)
    if request.method == "PATCH":
        data = read_json(request)
        # A missed post may be given a new time and nothing else; a 409 says more than a 400 about the body.
        lifecycle.require_status(post, [*EDITABLE, Status.MISSED] if set(data) == {"scheduled_time"} else EDITABLE)
        edit = api_input.parse_edit(data, post, user_zone(request.user), now=timezone.now())
        if edit.apply_to_group:
            changed = lifecycle.edit_group(post, by=request.user, schedule=edit.schedule, **edit.fields)
            body = posts_json([post])[0]
            body["group_updated"] = [str(p.pk) for p in changed]
            return JsonResponse(body)
        lifecycle.edit_post(post, by=request.user, schedule=edit.schedule, **edit.fields)
    elif request.method == "DELETE":
        lifecycle.cancel_post(post)
    return JsonResponse(posts_json([post])[0])


@api_endpoint("POST")
def retry(request, post_id: str):
    post = _owned_post(request, post_id)
    lifecycle.retry_post(post, at=timezone.now(), by=request.user)
    return JsonResponse(posts_json([post])[0])


@api_endpoint("POST")
def undo_cancel(request, post_id: str):
    """Take a cancel back: scheduled again, only while the post's time is still ahead."""
    post = _owned_post(request, post_id)
    try:
        lifecycle.undo_cancel(post, at=timezone.now(), by=request.user)
    except lifecycle.TooLateToUndo:
        raise BadInput(
            "This post's time has passed: it stays cancelled. Duplicate it to post it again.",
            {"scheduled_time": "in the past"},
            status=409,
        ) from None
    return JsonResponse(posts_json([post])[0])


REVIEW_DECISIONS = ("live", "send")


@api_endpoint("POST")
def review(request, post_id: str):
    """The owner's verdict on a post Blotato never confirmed: "live" (it is there) or "send"."""
    post = _owned_post(request, post_id)
    data = read_json(request)
    refuse_unknown_fields(data, {"decision", "platform_url"})
    decision = data.get("decision")
    if decision not in REVIEW_DECISIONS:
        raise BadInput(
            'decision must be "live" (it is on the platform) or "send" (it is not).', {"decision": "invalid"}
        )
    url = data.get("platform_url") or ""
    if decision == "live" and url and (not isinstance(url, str) or not web_url(url)):
        raise BadInput("platform_url must be an https:// (or http://) link to the post.", {"platform_url": "invalid"})
    if decision == "send" and "platform_url" in data:
        raise BadInput('platform_url goes with decision "live" only.', {"platform_url": "unexpected"})
    if decision == "live":
        lifecycle.confirm_live(post, by=request.user, url=url)
    else:
        lifecycle.send_after_review(post, at=timezone.now(), by=request.user)
    return JsonResponse(posts_json([post])[0])


@api_endpoint("GET", "POST")
def clips(request):
    if request.method == "POST":
        if request.content_type == "multipart/form-data":
            stored = upload_from_request(request)
            body = clip_json(stored.clip) | ({"note": stored.note} if stored.note else {})
            return JsonResponse(body, status=201 if stored.created else 200)
        clip = Clip.objects.create(owner=request.user, **api_input.parse_clip(read_json(request)))
        return JsonResponse(clip_json(clip), status=201)
    found = Clip.objects.owned_by(request.user)
    if query := search_text(request.GET):
        found = found.filter(title__icontains=query)
    items = [clip_json(c) for c in found[:500]]
    return JsonResponse({"clips": items, "count": len(items)})


@api_endpoint("GET")
def account_list(request):
    items = [account_json(a) for a in SocialAccount.objects.owned_by(request.user)]
    return JsonResponse({"accounts": items, "count": len(items)})


@api_endpoint("POST")
def account_sync(request):
    try:
        synced = accounts.sync_accounts(request.user)
    except AuthRejected as error:
        raise BadInput(
            f"Blotato rejected the API key (HTTP {error.status}); check it in Settings.", status=422
        ) from None
    except BlotatoError as error:
        raise BadInput(f"Blotato could not be reached: {error.message}", status=503) from None
    return JsonResponse({"accounts": [account_json(a) for a in synced], "count": len(synced)})


@api_endpoint("GET", "PATCH")
def me(request):
    profile = Profile.objects.get_or_create(user=request.user)[0]
    if request.method == "PATCH":
        data = read_json(request)
        refuse_unknown_fields(
            data, {"timezone", "late_grace_minutes", "resend_unconfirmed", "queue_gap_minutes", "publishing_paused"}
        )
        if "timezone" in data:
            # The zones the settings page offers (a legacy alias is stored as its current name).
            name = data["timezone"] if isinstance(data["timezone"], str) else ""
            try:
                profile.timezone = name if name == profile.timezone else offered_zone(name)
            except UnknownZone as error:
                raise BadInput(f"timezone: {error}", {"timezone": "unknown"}) from None
            profile.zone_offer_answered = True
        if "late_grace_minutes" in data:
            grace = data["late_grace_minutes"]
            if isinstance(grace, bool) or not isinstance(grace, int) or not 1 <= grace <= 7 * 24 * 60:
                raise BadInput(
                    "late_grace_minutes must be a whole number from 1 to 10080.", {"late_grace_minutes": "invalid"}
                )
            profile.late_grace_minutes = grace
        if "queue_gap_minutes" in data:
            gap = data["queue_gap_minutes"]
            if isinstance(gap, bool) or not isinstance(gap, int) or not 0 <= gap <= 24 * 60:
                raise BadInput(
                    "queue_gap_minutes must be a whole number from 0 to 1440.", {"queue_gap_minutes": "invalid"}
                )
            profile.queue_gap_minutes = gap
        if "resend_unconfirmed" in data:
            if not isinstance(data["resend_unconfirmed"], bool):
                raise BadInput("resend_unconfirmed must be true or false.", {"resend_unconfirmed": "invalid"})
            profile.resend_unconfirmed = data["resend_unconfirmed"]
        if "publishing_paused" in data and not isinstance(data["publishing_paused"], bool):
            raise BadInput("publishing_paused must be true or false.", {"publishing_paused": "invalid"})
        profile.save()
        if data.get("publishing_paused") is True:
            pause.pause(request.user, by=request.user.get_username())
        elif data.get("publishing_paused") is False:
            pause.resume(request.user, by=request.user.get_username())
    paused = pause.state_for(request.user)
    return JsonResponse(
        {
            "username": request.user.get_username(),
            "timezone": profile.timezone,
            "late_grace_minutes": profile.late_grace_minutes,
            "resend_unconfirmed": profile.resend_unconfirmed,
            "queue_gap_minutes": profile.queue_gap_minutes,
            "has_blotato_key": bool(profile.blotato_api_key),
            "publishing_paused": paused.user_since is not None,
            "publishing_paused_since": iso_utc(paused.user_since),
            "install_publishing_paused": paused.install_since is not None,
        }
    )


@csrf_exempt  # it changes nothing, so a change sent here is a 404 like a read, not a CSRF 403
def unknown_endpoint(request, rest: str = ""):
    """Anything under /api/ that matches no endpoint: a JSON 404, never Django's HTML page."""
    return error_response(404, f"No API endpoint at {request.path}.", {"openapi": "/api/openapi.json"})
