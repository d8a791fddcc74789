"""The analytics JSON API: optimal posting times, and importing the history they learn from."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, JsonResponse
from django.utils import timezone

from publishing.api_support import api_endpoint
from publishing.bad_input import BadInput
from publishing.json_body import read_body, read_json, refuse_unknown_fields
from publishing.platforms import Platform, normalise_platform
from publishing.timeparse import BadTime, check_supported_year, iso_utc
from publishing.zones import user_zone

from . import importers
from .history import WINDOW_DAYS
from .models import PostMetric
from .scheduling import engine_answer, free_slots

MAX_ALTERNATIVES = 3


def _platform(name: str) -> str:
    platform = normalise_platform(name)
    if platform is None:
        raise Http404(f"Unknown platform '{name}'. Known platforms: {', '.join(Platform.values)}.")
    return platform


def _engine_answer(user, platform: str):
    tz = user_zone(user)
    return tz, engine_answer(user, platform, tz, now=timezone.now())


@api_endpoint("GET")
def platform_times(request, platform: str):
    tz, answer = _engine_answer(request.user, _platform(platform))
    return JsonResponse(
        {
            "platform": answer.platform,
            "timezone": tz.key,
            "best_hours": answer.best_hours,
            "best_days": answer.best_days,
            "hour_scores": [round(s, 1) for s in answer.hour_scores],
            "day_scores": [round(s, 1) for s in answer.day_scores],
            "sample_size": answer.sample_size,
            "source": answer.source,
            "confidence": round(answer.confidence, 3),
            "window_days": WINDOW_DAYS,
        }
    )


@api_endpoint("POST")
def recommend(request):
    data = read_json(request)
    refuse_unknown_fields(data, {"platform", "preferred_date"})
    if not isinstance(data.get("platform"), str):
        raise BadInput('platform is required, like "instagram".', {"platform": "required"})
    platform = _platform(data["platform"])
    tz, answer = _engine_answer(request.user, platform)
    now = timezone.now()
    day = _preferred_date(data.get("preferred_date"))
    if day < now.astimezone(tz).date():
        raise BadInput(f"preferred_date {day.isoformat()} is in the past in {tz.key}.", {"preferred_date": "past"})
    slots = free_slots(request.user, platform, day, tz, answer, now=now)
    if not slots:
        raise BadInput(
            f"No free hour is left on {day.isoformat()} for {platform}; pick another date.",
            {"preferred_date": "no free slot"},
            status=409,
        )
    best, *others = slots
    return JsonResponse(
        {
            "platform": platform,
            "recommended_time": iso_utc(best.at),
            "local_time": best.local.isoformat(),
            "score": best.score,
            "alternatives": [
                {"time": iso_utc(s.at), "local_time": s.local.isoformat(), "score": s.score}
                for s in others[:MAX_ALTERNATIVES]
            ],
            "source": answer.source,
        }
    )


def _preferred_date(value: object) -> date:
    """A calendar date; of a datetime string, the date part as written (not converted)."""
    if not isinstance(value, str) or len(value) < 10:
        raise BadInput("preferred_date must be a date like 2026-11-27.", {"preferred_date": "invalid"})
    try:
        if len(value) > 10:
            datetime.fromisoformat(value)  # the whole value must still be a valid datetime
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise BadInput(
            f"preferred_date '{value}' is not a date like 2026-11-27.", {"preferred_date": "invalid"}
        ) from None
    try:
        check_supported_year(day, value)
    except BadTime as error:
        raise BadInput(f"preferred_date: {error}", {"preferred_date": "out of range"}) from None
    return day


@api_endpoint("POST", "DELETE")
def metrics(request):
    if request.method == "DELETE":
        platform = _platform(request.GET.get("platform", "")) if request.GET.get("platform") else None
        found = PostMetric.objects.filter(owner=request.user)
        if platform:
            found = found.filter(platform=platform)
        deleted, _ = found.delete()
        return JsonResponse({"deleted": deleted})
    rows = _uploaded_rows(request)
    try:
        result = importers.import_metrics(request.user, rows, user_zone(request.user))
    except importers.BadRows as bad:
        details = {"rows": [{"row": n, "errors": errors} for n, errors in sorted(bad.problems.items())]}
        raise BadInput(str(bad), details) from None
    return JsonResponse(
        {"imported": result.imported, "updated": result.updated, "already_harvested": result.already_harvested}
    )


def _uploaded_rows(request) -> list[dict]:
    if request.content_type == "text/csv":
        try:
            text = read_body(request).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInput("The CSV is not valid UTF-8.") from None
        try:
            return importers.rows_from_csv(text)
        except importers.BadRows as bad:
            raise BadInput(str(bad), {"rows": [{"row": 1, "errors": bad.problems[1]}]}) from None
    if request.content_type != "application/json":
        raise BadInput('Send text/csv, or application/json with {"metrics": [...]}.', status=415)
    data = read_json(request)
    refuse_unknown_fields(data, {"metrics"})
    if not isinstance(data.get("metrics"), list):
        raise BadInput("metrics must be a list of rows.", {"metrics": "required"})
    return data["metrics"]
