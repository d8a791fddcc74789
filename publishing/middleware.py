"""Render every page in the signed-in user's time zone; security headers on every answer."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_vary_headers

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


class HtmxCachingMiddleware:
    """A page and its htmx fragment share a URL: never let a cache hand one out for the other.

    Back after leaving the calendar reloads a URL htmx pushed; without `Vary: HX-Request` the
    browser may answer it with the cached fragment (a bare grid), and a fragment is never worth
    keeping (htmx keeps its own history snapshots), so it is not stored at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ["HX-Request"])
        if request.headers.get("HX-Request") == "true":
            response["Cache-Control"] = "no-store"
        return response
