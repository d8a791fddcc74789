"""Failed logins are rate limited, per username and per client address, with Redis counters.

After LOGIN_FAILURES_PER_USERNAME failures for one username (from anywhere), or
LOGIN_FAILURES_PER_ADDRESS from one address (for any usernames), within LOGIN_LOCKOUT_SECONDS of
the first, further attempts are refused without checking the password until the window ends. A
successful login clears its username's count. The login page answers 429 while locked out; the
admin's login uses the same form.
"""

from __future__ import annotations

import hashlib
import logging
import math

import redis
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView

from .rate_limit import shared_redis

logger = logging.getLogger(__name__)


def _keys(username: str, address: str) -> tuple[str, str]:
    # Hashed, so odd usernames cannot make odd keys; lower-cased, so "Alice" counts as "alice".
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:user:{name}", f"login-failures:addr:{address}"


def seconds_locked_out(username: str, address: str) -> int:
    """0 when a login attempt may go ahead, else how long until it may."""
    user_key, address_key = _keys(username, address)
    try:
        client = shared_redis()
        user_failures, address_failures = (int(n or 0) for n in client.mget(user_key, address_key))
        if user_failures >= settings.LOGIN_FAILURES_PER_USERNAME:
            return max(1, client.ttl(user_key))
        if address_failures >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(1, client.ttl(address_key))
    except redis.RedisError as error:  # no Redis: logins still work (and the dispatcher alarm shows)
        logger.warning("login throttle unavailable: %s", error.__class__.__name__)
    return 0


def record_failure(username: str, address: str) -> None:
    try:
        pipe = shared_redis().pipeline()
        for key in _keys(username, address):
            pipe.incr(key)
            pipe.expire(key, settings.LOGIN_LOCKOUT_SECONDS, nx=True)  # the window runs from the first failure
        pipe.execute()
    except redis.RedisError as error:
        logger.warning("login throttle unavailable: %s", error.__class__.__name__)


def record_success(username: str) -> None:
    try:
        shared_redis().delete(_keys(username, "")[0])
    except redis.RedisError as error:
        logger.warning("login throttle unavailable: %s", error.__class__.__name__)


class LoginThrottle:
    """Mixed into a Django login form: refuse attempts while the username or address is locked out."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        wait = seconds_locked_out(username, address)
        if wait:
            raise forms.ValidationError(
                f"Too many failed login attempts. Try again in {math.ceil(wait / 60)} minute(s).", code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(username, address)
            raise
        record_success(username)
        return cleaned


class ThrottledLoginForm(LoginThrottle, AuthenticationForm):
    pass


class ThrottledAdminLoginForm(LoginThrottle, AdminAuthenticationForm):
    pass


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledLoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response
