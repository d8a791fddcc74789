"""The posting slots of one account through the JSON API: GET and PUT /api/publishing/accounts/{id}/slots."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils import timezone

from . import queue
from .api_support import api_endpoint
from .bad_input import BadInput
from .json_body import read_json, refuse_unknown_fields
from .models import SocialAccount
from .posting_slots import WEEKDAYS, WeeklySlot, parse_slot_time
from .timeparse import iso_utc
from .zones import user_zone

UPCOMING = 5  # free slot instants listed in the answer, so a client sees what the slots mean


def owned_account(user, account_id: str) -> SocialAccount:
    """The user's account by its Blotato id (the API's account id), or a 404 like a missing one."""
    account = SocialAccount.objects.owned_by(user).filter(blotato_account_id=account_id).first()
    if account is None:
        raise Http404(f"No connected account with id {account_id}.")
    return account


def parse_slots(data: dict) -> set[WeeklySlot]:
    """`{"slots": [{"weekday": 0, "time": "09:00"}, ...]}` as slots, or a BadInput naming the item."""
    refuse_unknown_fields(data, {"slots"})
    items = data.get("slots")
    if not isinstance(items, list):
        raise BadInput('slots must be a list like [{"weekday": 0, "time": "09:00"}].', {"slots": "required"})
    slots: set[WeeklySlot] = set()
    for number, item in enumerate(items):
        where = f"slots[{number}]"
        if not isinstance(item, dict):
            raise BadInput(f"{where} must be an object with weekday and time.", {where: "must be an object"})
        unknown = sorted(set(item) - {"weekday", "time"})
        if unknown:
            raise BadInput(f"{where} has unknown field(s): {', '.join(unknown)}.", {where: {"unknown": unknown}})
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise BadInput(f"{where}.weekday must be 0 (Monday) to 6 (Sunday).", {f"{where}.weekday": "invalid"})
        text = item.get("time")
        try:
            at = parse_slot_time(text) if isinstance(text, str) else None
        except ValueError as error:
            raise BadInput(f"{where}.time: {error}.", {f"{where}.time": "invalid"}) from None
        if at is None:
            raise BadInput(f'{where}.time must be a string like "09:00".', {f"{where}.time": "required"})
        slot = WeeklySlot(weekday, at)
        if slot in slots:
            raise BadInput(f"{where} repeats {slot.label()}.", {where: "duplicate"})
        slots.add(slot)
    return slots


def slots_json(account: SocialAccount) -> dict:
    slots = sorted(queue.account_slots(account))
    return {
        "account_id": account.blotato_account_id,
        "platform": account.platform,
        "timezone": user_zone(account.owner).key,
        "queue_gap_minutes": int(queue.queue_gap(account.owner_id).total_seconds() // 60),
        "slots": [{"weekday": s.weekday, "day": WEEKDAYS[s.weekday], "time": f"{s.at:%H:%M}"} for s in slots],
        "next_free_slots": [iso_utc(at) for at in queue.free_slot_times(account, now=timezone.now(), count=UPCOMING)],
    }


@api_endpoint("GET", "PUT")
def account_slots(request, account_id: str):
    account = owned_account(request.user, account_id)
    if request.method == "PUT":
        queue.replace_slots(account, parse_slots(read_json(request)))
    return JsonResponse(slots_json(account))
