"""The calendar as files: ICS and CSV downloads of a range, and the private subscription feed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import calendar_feed
from .api_input import calendar_filters, calendar_range
from .bad_input import BadInput
from .calendar_version import posts_in_range
from .models import CalendarFeedToken
from .zones import user_zone


def _range_posts(request):
    """The posts the calendar API would answer for these query parameters (same range and filters)."""
    tz = user_zone(request.user)
    start, end = calendar_range(request.GET, tz, now=timezone.now())
    posts = posts_in_range(request.user, start, end).filter(**calendar_filters(request.GET))
    return posts.select_related("clip", "account").order_by("scheduled_time"), tz, start


def _link(request):
    return lambda post: request.build_absolute_uri(reverse("publishing:post_detail", args=[post.pk]))


def _refused(problem: BadInput) -> HttpResponse:
    return HttpResponse(problem.message, status=problem.status, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def export_ics(request):
    try:
        posts, _tz, start = _range_posts(request)
    except BadInput as problem:
        return _refused(problem)
    body = calendar_feed.ics(posts, link=_link(request), now=timezone.now(), name="MediaPoster schedule")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mediaposter-{start:%Y-%m-%d}.ics"'
    return response


@login_required
@require_GET
def export_csv(request):
    try:
        posts, tz, start = _range_posts(request)
    except BadInput as problem:
        return _refused(problem)
    body = calendar_feed.csv_text(posts, link=_link(request), tz=tz)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mediaposter-{start:%Y-%m-%d}.csv"'
    return response


@require_GET
def feed(request, token: str):
    """The subscription Google or Apple Calendar polls: no login, the secret in the URL is the key."""
    owner = calendar_feed.feed_owner(token)
    if owner is None:
        raise Http404("No calendar feed at this address (it may have been revoked).")
    now = timezone.now()
    CalendarFeedToken.objects.filter(user=owner).update(last_used_at=now)
    posts = calendar_feed.feed_posts(owner, now=now)
    body = calendar_feed.ics(posts, link=_link(request), now=now, name=f"MediaPoster · {owner.get_username()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"  # the URL is a secret: no shared cache keeps the answer
    return response
