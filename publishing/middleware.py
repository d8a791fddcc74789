"""Render every page in the signed-in user's time zone."""

from __future__ import annotations

from django.utils import timezone

from .api_support import user_zone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(user_zone(request.user))
        else:
            timezone.deactivate()
        return self.get_response(request)
