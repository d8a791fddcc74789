"""The Series page (a user's recurring posts: pause, resume, end, change the caption) and the
post page's "skip this one". Thin views over series.py; the rules are the API's (series_input)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import series as series_domain
from .bad_input import BadInput
from .lifecycle import WrongStatus
from .models import ScheduledPost, Series, Status
from .platforms import Platform
from .series_input import parse_series_edit
from .zones import user_zone

UPCOMING_SHOWN = 6


@login_required
@require_GET
def series_page(request):
    now = timezone.now()
    rows = []
    for series in Series.objects.owned_by(request.user).select_related("clip"):
        rule = series_domain.rule_of(series)
        upcoming = ScheduledPost.objects.filter(series=series, status=Status.SCHEDULED, scheduled_time__gt=now)
        rows.append(
            {
                "series": series,
                "description": rule.describe(),
                "platforms": [Platform(target["platform"]).label for target in series.targets],
                "state": state_of(series, now=now),
                "next": series_domain.next_occurrence(series, now=now),
                "upcoming": list(upcoming.order_by("scheduled_time", "platform")[:UPCOMING_SHOWN]),
                "skips": list(series.skips.all()),
            }
        )
    return render(request, "publishing/series.html", {"rows": rows, "timezone": user_zone(request.user).key})


def state_of(series: Series, *, now) -> str:
    if series.ended_at:
        return "ended"
    if series.paused:
        return "paused"
    return "running" if series_domain.next_occurrence(series, now=now) else "finished"


def _owned_series(request, series_id) -> Series:
    return get_object_or_404(Series, pk=series_id, owner=request.user)


def _back(series: Series):
    return redirect(f"/series/#series-{series.pk}")


@login_required
@require_POST
def change_series(request, series_id):
    """Pause, resume or end a series, or give it a new caption (its future occurrences follow)."""
    series = _owned_series(request, series_id)
    now = timezone.now()
    action = request.POST.get("action", "")
    if series.ended_at:
        messages.error(request, "This series has ended; start a new one from the calendar.")
    elif action in ("pause", "resume"):
        series_domain.set_paused(series, action == "pause", now=now)
        messages.success(request, f"Series {'paused' if action == 'pause' else 'resumed'}.")
    elif action == "end":
        cancelled = series_domain.end_series(series, now=now, by=request.user)
        messages.success(request, f"Series ended; {cancelled} future post{'s' if cancelled != 1 else ''} cancelled.")
    elif action == "caption":
        try:
            change = parse_series_edit({"caption": request.POST.get("caption", "")}, series)
        except BadInput as problem:
            messages.error(request, problem.message)
        else:
            changed = series_domain.edit_series(series, change, now=now, by=request.user)
            messages.success(request, f"Caption saved; {changed} upcoming post{'s' if changed != 1 else ''} changed.")
    else:
        messages.error(request, "Choose pause, resume, end or a new caption.")
    return _back(series)


@login_required
@require_POST
def skip_occurrence(request, post_id):
    """Cancel this occurrence of its series, on every platform; the series goes on."""
    post = get_object_or_404(ScheduledPost, pk=post_id, owner=request.user, series__isnull=False)
    try:
        cancelled = series_domain.skip_occurrence(post, by=request.user)
    except WrongStatus as refused:
        messages.error(request, f"This post is {refused.status}; only a scheduled occurrence can be skipped.")
    else:
        messages.success(
            request,
            f"Occurrence {post.occurrence_index + 1} skipped ({len(cancelled)} post{'s' * (len(cancelled) != 1)}).",
        )
    return redirect("publishing:post_detail", post_id=post.pk)
