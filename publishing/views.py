"""HTML pages: the calendar (with drag to reschedule) and the post detail page.

The post page's status, history and actions are one fragment that polls itself while the post
is on its way out, so the buttons always match the status without a reload.

Views return the whole page, or for an HTMX request just the piece that changed. A refused move
answers 409/422 with the grid redrawn from the database, so the card snaps back with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from analytics.engagement_figures import readings_of

from . import calendar, lifecycle, series, timeline
from .forms import CalendarQueryForm, MovePostForm
from .models import EDITABLE, RETRYABLE, ScheduledPost, Status, web_url
from .zones import user_zone


def _owned_post(request, post_id) -> ScheduledPost:
    post = ScheduledPost.objects.owned_by(request.user).select_related("account", "clip").filter(pk=post_id).first()
    if post is None:
        raise Http404("No post with that id.")
    return post


def _grid(request, params):
    """The grid asked for, the user's zone, and why the day asked for is not shown (if it is not)."""
    tz = user_zone(request.user)
    today = timezone.now().astimezone(tz).date()
    query = CalendarQueryForm(params)
    view, anchor, filters = query.settings(today)
    return calendar.grid_for(request.user, view, anchor, tz, today=today, filters=filters), tz, query.date_problem()


@login_required
@require_GET
def calendar_page(request):
    grid, tz, problem = _grid(request, request.GET)
    context = {
        "grid": grid,
        "form": CalendarQueryForm(request.GET),
        "timezone": tz.key,
        "query": request.GET,
        "problem": problem,
    }
    status = 422 if problem else 200  # a form error, which htmx swaps in (base.html's responseHandling)
    if request.htmx:
        return render(request, "publishing/partials/_calendar_grid.html", context, status=status)
    return render(request, "publishing/calendar.html", context, status=status)


@login_required
@require_POST
def move_post(request, post_id):
    post = _owned_post(request, post_id)
    tz = user_zone(request.user)
    # A drop sends the slot of the cell it landed on; the post page's form and the calendar's
    # "Move…" picker (`picked`) send any local time.
    slot_only = bool(request.htmx) and request.POST.get("picked") != "1"
    form = MovePostForm(request.POST, post=post, tz=tz, now=timezone.now(), slot_only=slot_only)
    status, problem = 200, None
    if not form.is_valid():
        status, problem = 422, form.errors["scheduled_time"][0]
    else:
        try:
            # A draft dropped on the calendar (or given a time on its page) is scheduled by it; a
            # missed post moved to a future time is scheduled again.
            lifecycle.edit_post(
                post, scheduled_time=form.cleaned_data["scheduled_time"], schedule=True, by=request.user
            )
        except lifecycle.WrongStatus as refused:
            status, problem = 409, f"This post is {refused.status} and can no longer be moved."
    if not request.htmx:  # the "move to…" form on the post page
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, "Moved." if post.status == Status.SCHEDULED else "Saved.")
        return redirect("publishing:post_detail", post.pk)
    grid, tz, grid_problem = _grid(request, request.POST)
    context = {"grid": grid, "problem": problem or grid_problem, "timezone": tz.key, "query": request.POST}
    return render(request, "publishing/partials/_calendar_grid.html", context, status=status)


@login_required
@require_GET
def post_detail(request, post_id):
    post = _owned_post(request, post_id)
    context = post_context(request, post)
    if request.htmx:
        return render(request, "publishing/partials/_post_status.html", context)
    if post.series_id:
        context["series_part"] = {
            "series": post.series,
            "description": series.rule_of(post.series).describe(),
            "occurrence": post.occurrence_index + 1,
            "skippable": post.status == Status.SCHEDULED and not post.series.ended_at,
        }
    return render(request, "publishing/post_detail.html", context)


# A post in one of these is on its way out: its page polls until it settles.
ON_ITS_WAY = (Status.PUBLISHING, Status.SUBMITTED, Status.VERIFYING)


def post_context(request, post: ScheduledPost) -> dict:
    tz = user_zone(request.user)
    now = timezone.now()
    due = post.status == Status.SCHEDULED and post.scheduled_time <= now
    return {
        "post": post,
        "attempts": post.attempt_log.order_by("number"),
        "story": timeline.story(post),
        "engagement": _engagement(post),
        "local_time": post.scheduled_time.astimezone(tz) if post.scheduled_time else None,
        "timezone": tz.key,
        "siblings": ScheduledPost.objects.filter(group_id=post.group_id).exclude(pk=post.pk).order_by("platform"),
        "retryable": post.status in RETRYABLE and post.status != Status.NEEDS_REVIEW,
        "needs_review": post.status == Status.NEEDS_REVIEW,
        "editable": post.status in EDITABLE,
        "movable": post.status in (Status.SCHEDULED, Status.MISSED, Status.DRAFT),
        "cancellable": post.status in EDITABLE,
        "undoable": post.status == Status.CANCELLED and post.scheduled_time is not None and post.scheduled_time > now,
        # A due post is about to be claimed: poll it too, so "Publishing now" gives way to the outcome.
        "settling": post.status in ON_ITS_WAY or due,
    }


def _engagement(post: ScheduledPost) -> list:
    """The post's own engagement readings from Blotato, once the harvest has some."""
    if post.published_at is None:
        return []
    readings = list(post.snapshots.values_list("fetched_at", "metrics"))
    return readings_of(post.platform, post.published_at, readings)


@login_required
@require_POST
def post_action(request, post_id, action: str):
    post = _owned_post(request, post_id)
    try:
        # Publish now and retry say so in the status fragment while the post is on its way, not in
        # a flash message that would outlive the outcome.
        if action == "cancel":
            lifecycle.cancel_post(post, by=request.user)
            messages.success(request, "Cancelled. It will not be published.")
        elif action == "undo-cancel":
            lifecycle.undo_cancel(post, at=timezone.now(), by=request.user)
            messages.success(request, "Cancel undone: it is scheduled again.")
        elif action == "publish-now":
            lifecycle.edit_post(post, scheduled_time=timezone.now(), by=request.user)
        elif action == "retry":
            lifecycle.retry_post(post, at=timezone.now(), by=request.user)
        elif action == "send-it":  # needs review: the owner looked, and it is not on the platform
            lifecycle.send_after_review(post, at=timezone.now(), by=request.user)
            messages.success(request, "Sending it now, as you decided.")
        elif action == "its-live":  # needs review: the owner found it on the platform
            url = request.POST.get("platform_url", "").strip()
            if url and not web_url(url):
                messages.error(request, "That link is not a web address (https://...); nothing was changed.")
            else:
                lifecycle.confirm_live(post, by=request.user, url=url)
                messages.success(request, "Marked as published. It will not be sent again.")
        else:
            raise Http404("No such action.")
    except lifecycle.WrongStatus as refused:
        messages.error(request, f"This post is {refused.status}; that is not possible any more.")
    except lifecycle.TooLateToUndo:
        messages.error(request, "Its time has passed, so it stays cancelled. Duplicate it to post it again.")
    return redirect(reverse("publishing:post_detail", args=[post.pk]))
