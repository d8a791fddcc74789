"""The slots page (each account's weekly posting times, "fill from my best times") and the queue page.

"Fill from my best times" only proposes: the page shows what would be added and removed, and the
slots change when the user accepts, through the same form as a hand edit.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from analytics.scheduling import engine_answer

from . import lifecycle, queue
from .bad_input import BadInput
from .models import SocialAccount
from .posting_slots import WEEKDAYS, WeeklySlot, best_time_slots, parse_slot_time, slot_diff
from .zones import user_zone

UPCOMING = 3
PER_DAY_CHOICES = range(1, 7)
GAP_CHOICES = [(60, "1 hour"), (120, "2 hours"), (180, "3 hours"), (240, "4 hours"), (360, "6 hours")]


def _owned_account(request, account_id: int) -> SocialAccount:
    account = SocialAccount.objects.owned_by(request.user).filter(pk=account_id).first()
    if account is None:
        raise Http404("No such account.")
    return account


def slots_fields(slots) -> list[dict]:
    """Each weekday's times as the form shows them: "09:00, 18:30"."""
    by_day: dict[int, list[str]] = {d: [] for d in range(7)}
    for slot in sorted(slots):
        by_day[slot.weekday].append(f"{slot.at:%H:%M}")
    return [{"weekday": d, "name": WEEKDAYS[d], "value": ", ".join(by_day[d])} for d in range(7)]


def parse_slots_form(fields) -> set[WeeklySlot]:
    """The page's seven day-N fields (times separated by commas or spaces) as slots."""
    slots: set[WeeklySlot] = set()
    for weekday in range(7):
        for text in fields.get(f"day-{weekday}", "").replace(",", " ").split():
            try:
                slots.add(WeeklySlot(weekday, parse_slot_time(text)))
            except ValueError as error:
                raise BadInput(f"{WEEKDAYS[weekday]}: {error}.", {f"day-{weekday}": "invalid"}) from None
    return slots


def _account_rows(request, *, now, errors=None, proposal=None) -> list[dict]:
    rows = []
    for account in SocialAccount.objects.owned_by(request.user).filter(is_active=True):
        slots = queue.account_slots(account)
        rows.append(
            {
                "account": account,
                "days": slots_fields(slots),
                "count": len(slots),
                "upcoming": queue.free_slot_times(account, now=now, count=UPCOMING),
                "error": (errors or {}).get(account.pk),
                "proposal": proposal if proposal and proposal["account"] == account else None,
            }
        )
    return rows


def _render_slots(request, *, status: int = 200, errors=None, proposal=None):
    now = timezone.now()
    context = {
        "rows": _account_rows(request, now=now, errors=errors, proposal=proposal),
        "timezone": user_zone(request.user).key,
        "gap_minutes": int(queue.queue_gap(request.user).total_seconds() // 60),
        "per_day_choices": PER_DAY_CHOICES,
        "gap_choices": GAP_CHOICES,
    }
    return render(request, "publishing/slots.html", context, status=status)


@login_required
@require_GET
def slots_page(request):
    return _render_slots(request)


@login_required
@require_POST
def save_slots(request, account_id: int):
    account = _owned_account(request, account_id)
    try:
        queue.replace_slots(account, parse_slots_form(request.POST))
    except BadInput as problem:
        return _render_slots(request, status=422, errors={account.pk: problem.message})
    messages.success(request, f"Posting slots of {account} saved.")
    return redirect(f"/slots/#account-{account.pk}")


@login_required
@require_GET
def propose_best_times(request, account_id: int):
    """Slots from the optimal-times engine, shown as a diff against the current ones; nothing saved."""
    account = _owned_account(request, account_id)
    try:
        per_day = int(request.GET.get("per_day", "2"))
        gap_minutes = int(request.GET.get("min_gap", "120"))
    except ValueError:
        per_day = gap_minutes = 0
    if per_day not in PER_DAY_CHOICES or gap_minutes not in dict(GAP_CHOICES):
        problem = "Choose 1 to 6 posts a day and one of the gaps offered."
        return _render_slots(request, status=422, errors={account.pk: problem})
    tz = user_zone(request.user)
    answer = engine_answer(request.user, account.platform, tz, now=timezone.now())
    proposed = best_time_slots(answer.slot_scores, per_day=per_day, min_gap=timedelta(minutes=gap_minutes))
    proposal = {
        "account": account,
        "diff": slot_diff(queue.account_slots(account), proposed),
        "fields": slots_fields(proposed),
        "per_day": per_day,
        "gap_minutes": gap_minutes,
        "source": answer.source,
        "sample": answer.sample_size,
    }
    return _render_slots(request, proposal=proposal)


# --- the queue page ------------------------------------------------------------------------------


@login_required
@require_GET
def queue_page(request):
    context = {"queues": queue.queues(request.user, now=timezone.now()), "timezone": user_zone(request.user).key}
    return render(request, "publishing/queue.html", context)


@login_required
@require_POST
def move_in_queue(request, account_id: int):
    """Swap a queued post with its neighbour: the two posts trade times."""
    account = _owned_account(request, account_id)
    now = timezone.now()
    order = [post.pk for post in queue.queued_posts(account, now=now)]
    chosen = next((pk for pk in order if str(pk) == request.POST.get("post_id", "")), None)
    try:
        new_order = queue.moved_one_place(order, chosen, request.POST.get("direction", ""))
        queue.reorder(account, new_order, now=now, by=request.user)
    except (BadInput, lifecycle.WrongStatus) as problem:
        messages.error(request, getattr(problem, "message", "A post in this queue is being sent; reload and retry."))
    return redirect(f"/queue/#queue-{account.pk}")


@login_required
@require_POST
def shuffle_queue(request, account_id: int):
    account = _owned_account(request, account_id)
    try:
        moved = queue.shuffle(account, now=timezone.now(), by=request.user)
    except (BadInput, lifecycle.WrongStatus) as problem:
        messages.error(request, getattr(problem, "message", "A post in this queue is being sent; reload and retry."))
    else:
        messages.success(request, f"Queue of {account} shuffled: {moved} post{'s' if moved != 1 else ''} moved.")
    return redirect(f"/queue/#queue-{account.pk}")
