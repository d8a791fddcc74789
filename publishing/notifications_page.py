"""The notifications page (newest first, mark read) and the unread count in every page's header."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import notifications

SHOWN = 200  # the newest; older ones stay in the database (and the admin)


def unread_notifications(request) -> dict:
    """Context processor: the header's count (not for HTMX pieces: their page has the header)."""
    if not request.user.is_authenticated or request.htmx:
        return {}
    return {"unread_notifications": notifications.unread_count(request.user)}


@login_required
@require_GET
def notifications_page(request):
    shown = list(notifications.listed(request.user)[:SHOWN])
    return render(request, "publishing/notifications.html", {"notifications": shown})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    if not notifications.mark_read(request.user, notification_id):
        raise Http404("No such notification.")
    return redirect("publishing:notifications")


@login_required
@require_POST
def mark_all_read(request):
    notifications.mark_all_read(request.user)
    return redirect("publishing:notifications")
