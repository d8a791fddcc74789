"""An account's queue through the JSON API: GET and PUT /api/publishing/accounts/{id}/queue, and
POST …/queue/shuffle. The same moves as the queue page (queue.py): the times stay, the posts move."""

from __future__ import annotations

import uuid

from django.http import JsonResponse
from django.utils import timezone

from . import queue
from .api_support import api_endpoint
from .bad_input import BadInput
from .json_body import read_json, refuse_unknown_fields
from .models import SocialAccount
from .slots_api import owned_account
from .timeparse import iso_utc
from .zones import user_zone

CAPTION_PREVIEW = 80  # characters of each caption in the listing


def parse_order(data: dict) -> list[uuid.UUID]:
    """`{"order": ["<post id>", ...]}`: every queued post once, in the order wanted."""
    refuse_unknown_fields(data, {"order"})
    items = data.get("order")
    if not isinstance(items, list):
        raise BadInput('order must be a list of post ids, e.g. {"order": ["…", "…"]}.', {"order": "required"})
    order: dict[uuid.UUID, None] = {}  # in the order given, and a repeat found at once
    for number, item in enumerate(items):
        try:
            post_id = uuid.UUID(item) if isinstance(item, str) else None
        except ValueError:
            post_id = None
        if post_id is None:
            raise BadInput(f"order[{number}] is not a post id.", {f"order[{number}]": "not a post id"})
        if post_id in order:
            raise BadInput(f"order[{number}] repeats post {post_id}.", {f"order[{number}]": "duplicate"})
        order[post_id] = None
    return list(order)


def queue_json(account: SocialAccount, *, moved: int | None = None) -> dict:
    now = timezone.now()
    posts = queue.queued_posts(account, now=now)
    answer = {
        "account_id": account.blotato_account_id,
        "platform": account.platform,
        "timezone": user_zone(account.owner).key,
        "posts": [
            {
                "id": str(post.pk),
                "scheduled_time": iso_utc(post.scheduled_time),
                "caption": post.caption[:CAPTION_PREVIEW],
                "clip_id": str(post.clip_id) if post.clip_id else None,
            }
            for post in posts
        ],
        "count": len(posts),
        "next_free_slot": iso_utc(next(iter(queue.free_slot_times(account, now=now)), None)),
    }
    if moved is not None:
        answer["moved"] = moved
    return answer


@api_endpoint("GET", "PUT")
def account_queue(request, account_id: str):
    """GET lists the queued posts in time order; PUT gives them the queue's times in a new order."""
    account = owned_account(request.user, account_id)
    if request.method == "GET":
        return JsonResponse(queue_json(account))
    order = parse_order(read_json(request))
    moved = queue.reorder(account, order, now=timezone.now(), by=request.user)
    return JsonResponse(queue_json(account, moved=moved))


@api_endpoint("POST")
def shuffle_queue(request, account_id: str):
    account = owned_account(request.user, account_id)
    moved = queue.shuffle(account, now=timezone.now(), by=request.user)
    return JsonResponse(queue_json(account, moved=moved))
