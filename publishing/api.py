"""The JSON API under /api/: thin views over lifecycle.py, accounts.py and the models."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils import timezone

from . import accounts, api_input, lifecycle
from .api_support import (
    BadInput,
    api_endpoint,
    error_response,
    read_json,
    refuse_unknown_fields,
    search_text,
    user_zone,
)
from .blotato import AuthRejected, BlotatoError
from .models import Clip, Profile, ScheduledPost, SocialAccount, Status
from .timeparse import BadTime, iso_utc, zone_named


def post_json(post: ScheduledPost) -> dict:
    return {
        "id": str(post.pk),
        "group_id": str(post.group_id),
        "clip_id": str(post.clip_id) if post.clip_id else None,
        "platform": post.platform,
        "account_id": post.account.blotato_account_id,
        "caption": post.caption,
        "scheduled_time": iso_utc(post.scheduled_time),
        "status": post.status,
        "attempts": post.attempts,
        "last_error": post.last_error or None,
        "platform_url": post.platform_url or None,
        "platform_post_id": post.platform_post_id or None,
        "blotato_submission_id": post.blotato_submission_id or None,
        "published_at": iso_utc(post.published_at),
        "created_at": iso_utc(post.created_at),
        "updated_at": iso_utc(post.updated_at),
    }


def clip_json(clip: Clip) -> dict:
    return {
        "id": str(clip.pk),
        "title": clip.title,
        "media_url": clip.media_url,
        "thumbnail_url": clip.thumbnail_url or None,
        "duration_s": clip.duration_s,
        "created_at": iso_utc(clip.created_at),
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


@api_endpoint("POST")
def schedule(request):
    data = read_json(request)
    wanted = api_input.parse_schedule(data, request.user, user_zone(request.user), now=timezone.now())
    group_id, posts = lifecycle.schedule_posts(
        request.user,
        plans=wanted.plans,
        clip=wanted.clip,
        caption=wanted.caption,
        scheduled_time=wanted.scheduled_time,
    )
    return JsonResponse({"group_id": str(group_id), "posts": [post_json(p) for p in posts]}, status=201)


@api_endpoint("GET")
def calendar(request):
    start, end = api_input.calendar_range(request.GET, user_zone(request.user), now=timezone.now())
    posts = (
        ScheduledPost.objects.owned_by(request.user)
        .filter(scheduled_time__gte=start, scheduled_time__lt=end, **api_input.calendar_filters(request.GET))
        .select_related("account")
        .order_by("scheduled_time")
    )
    items = [post_json(p) for p in posts]
    return JsonResponse({"posts": items, "count": len(items), "start_date": iso_utc(start), "end_date": iso_utc(end)})


@api_endpoint("GET", "PATCH", "DELETE")
def calendar_post(request, post_id: str):
    post = _owned_post(request, post_id)
    if request.method == "PATCH":
        lifecycle.require_status(post, [Status.SCHEDULED])  # a 409 says more than a 400 about the body
        changes = api_input.parse_edit(read_json(request), post, user_zone(request.user), now=timezone.now())
        lifecycle.edit_post(post, **changes)
    elif request.method == "DELETE":
        lifecycle.cancel_post(post)
    return JsonResponse(post_json(post))


@api_endpoint("POST")
def retry(request, post_id: str):
    post = _owned_post(request, post_id)
    lifecycle.retry_post(post, at=timezone.now())
    return JsonResponse(post_json(post))


@api_endpoint("GET", "POST")
def clips(request):
    if request.method == "POST":
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
        refuse_unknown_fields(data, {"timezone", "late_grace_minutes"})
        if "timezone" in data:
            try:
                profile.timezone = zone_named(data["timezone"] if isinstance(data["timezone"], str) else "").key
            except BadTime as error:
                raise BadInput(f"timezone: {error}", {"timezone": "unknown"}) from None
        if "late_grace_minutes" in data:
            grace = data["late_grace_minutes"]
            if isinstance(grace, bool) or not isinstance(grace, int) or not 1 <= grace <= 7 * 24 * 60:
                raise BadInput(
                    "late_grace_minutes must be a whole number from 1 to 10080.", {"late_grace_minutes": "invalid"}
                )
            profile.late_grace_minutes = grace
        profile.save()
    return JsonResponse(
        {
            "username": request.user.get_username(),
            "timezone": profile.timezone,
            "late_grace_minutes": profile.late_grace_minutes,
            "has_blotato_key": bool(profile.blotato_api_key),
        }
    )


def unknown_endpoint(request, rest: str = ""):
    """Anything under /api/ that matches no endpoint: a JSON 404, never Django's HTML page."""
    return error_response(404, f"No API endpoint at {request.path}.", {"openapi": "/api/openapi.json"})
