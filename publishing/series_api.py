"""The recurring posts' JSON API: a series is created by POST /api/publishing/schedule with
`repeat`; read, changed, paused, resumed and ended under /api/publishing/series/{id}."""

from __future__ import annotations

import uuid

from django.http import Http404, JsonResponse
from django.utils import timezone

from . import series as series_domain
from .api_support import api_endpoint, error_response
from .json_body import read_json
from .models import ScheduledPost, Series
from .recurrence import occurrence_instant
from .series_input import parse_series_edit
from .timeparse import iso_utc


def owned_series(user, series_id) -> Series:
    """The user's series, or a 404 that looks the same whether it is missing or someone else's."""
    try:
        wanted = uuid.UUID(str(series_id))
    except ValueError:
        raise Http404("No series with that id.") from None
    found = Series.objects.owned_by(user).filter(pk=wanted).first()
    if found is None:
        raise Http404("No series with that id.")
    return found


def series_json(series: Series, *, now) -> dict:
    rule = series_domain.rule_of(series)
    posts = ScheduledPost.objects.filter(series=series).order_by("occurrence_index", "platform")
    upcoming = posts.filter(scheduled_time__gt=now)
    return {
        "id": str(series.pk),
        "caption": series.caption,
        "clip_id": str(series.clip_id) if series.clip_id else None,
        "platforms": [target["platform"] for target in series.targets],
        "options": {target["platform"]: target["options"] for target in series.targets},
        "repeat": {
            "frequency": series.frequency,
            "interval": series.interval,
            "weekdays": list(series.weekdays) if series.frequency == "weekly" else None,
            "until": series.until.isoformat() if series.until else None,
            "count": series.count,
        },
        "description": rule.describe(),
        "start": iso_utc(occurrence_instant(rule, 0, series_domain.zone_of(series))),
        "timezone": series.timezone,
        "paused": series.paused,
        "ended_at": iso_utc(series.ended_at) if series.ended_at else None,
        "next_occurrence": iso_utc(when) if (when := series_domain.next_occurrence(series, now=now)) else None,
        "occurrences_created": posts.values("occurrence_index").distinct().count(),
        "skipped": [
            {
                "first_index": skip.first_index,
                "last_index": skip.last_index,
                "first_time": iso_utc(skip.first_time),
                "last_time": iso_utc(skip.last_time),
                "platform": skip.platform or None,
                "reason": skip.reason,
            }
            for skip in series.skips.all()
        ],
        "upcoming": [
            {
                "post_id": str(post.pk),
                "occurrence": post.occurrence_index,
                "platform": post.platform,
                "scheduled_time": iso_utc(post.scheduled_time),
                "status": post.status,
                "edited_alone": post.series_detached,
            }
            for post in upcoming
        ],
        "created_at": iso_utc(series.created_at),
        "updated_at": iso_utc(series.updated_at),
    }


@api_endpoint("GET")
def series_list(request):
    now = timezone.now()
    found = [series_json(s, now=now) for s in Series.objects.owned_by(request.user)]
    return JsonResponse({"series": found, "count": len(found)})


@api_endpoint("GET", "PATCH", "DELETE")
def series_detail(request, series_id: str):
    series = owned_series(request.user, series_id)
    now = timezone.now()
    if request.method == "PATCH":
        if series.ended_at:
            return error_response(
                409, "This series has ended; start a new one.", {"ended_at": iso_utc(series.ended_at)}
            )
        change = parse_series_edit(read_json(request), series)
        series_domain.edit_series(series, change, now=now, by=request.user)
        series.refresh_from_db()
    elif request.method == "DELETE":
        series_domain.end_series(series, now=now, by=request.user)
    return JsonResponse(series_json(series, now=now))
