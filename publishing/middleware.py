"""Render every page in the signed-in user's time zone; security headers on every answer."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .zones import user_zone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(user_zone(request.user))
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every answer; API answers, which carry users' data, never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response
