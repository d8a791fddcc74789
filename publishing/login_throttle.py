"""Failed logins are rate limited, per username and per client address, with Redis counters.

After LOGIN_FAILURES_PER_USERNAME failures for one username (from anywhere), or
LOGIN_FAILURES_PER_ADDRESS from one address (for any usernames), within LOGIN_LOCKOUT_SECONDS of
the first, further attempts are refused without checking the password until the window ends.

An attempt is counted before its password is checked, in one Lua script, so simultaneous
attempts cannot all slip under the limit; a successful login gives its count back (and clears its
username's). The script uses only Redis 2.6 commands: the Redis 6.2 that `make run` embeds runs
it. Without Redis nothing can be counted, so logins are refused (503) rather than left unlimited.
The login page answers 429 while locked out; the admin's login uses the same form.
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

from .redis_connection import shared_redis

logger = logging.getLogger(__name__)

UNAVAILABLE = "Sign-in is unavailable right now: the server cannot reach Redis. Try again shortly."

# KEYS: the username's counter, the address's. ARGV: their limits, the window in seconds.
# Returns 0 when the attempt was counted and may go ahead, else the seconds until it may.
_TAKE_ATTEMPT = """
local limits = {tonumber(ARGV[1]), tonumber(ARGV[2])}
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= limits[i] then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then redis.call('EXPIRE', key, ARGV[3]); ttl = tonumber(ARGV[3]) end
    return math.max(1, ttl)
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[3]) end
end
return 0
"""

# A success: the username starts afresh, and the address gets its attempt back (DECR keeps the TTL).
_GIVE_BACK = """
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
return 0
"""


class ThrottleUnavailable(Exception):
    pass


def connection() -> redis.Redis:
    """The Redis holding the counters (a function of its own, so a test can point it elsewhere)."""
    return shared_redis()


def client_address(request) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw."""
    if request is None:
        return ""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Each trusted proxy appends the address it received from; entries left of those are the
    # client's to invent, so only the one our outermost proxy wrote is believed.
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _keys(username: str, address: str) -> tuple[str, str]:
    # Hashed, so odd usernames cannot make odd keys; lower-cased, so "Alice" counts as "alice".
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:user:{name}", f"login-failures:addr:{address}"


def take_attempt(username: str, address: str) -> int:
    """Count one attempt: 0 when it may go ahead, else the seconds until one may."""
    limits = (settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_FAILURES_PER_ADDRESS)
    try:
        wait = connection().eval(_TAKE_ATTEMPT, 2, *_keys(username, address), *limits, settings.LOGIN_LOCKOUT_SECONDS)
    except redis.RedisError as error:
        logger.error("login refused: the login throttle cannot reach Redis (%s)", error.__class__.__name__)
        raise ThrottleUnavailable from error
    return int(wait)


def give_back_attempt(username: str, address: str) -> None:
    try:
        connection().eval(_GIVE_BACK, 2, *_keys(username, address))
    except redis.RedisError as error:  # the login itself was counted and checked: let it stand
        logger.error("login throttle could not clear a success: %s", error.__class__.__name__)


class LoginThrottle:
    """Mixed into a Django login form: count each attempt, and refuse it over the limit."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):  # the form refuses it without checking any password
            return super().clean()
        address = client_address(self.request)
        try:
            wait = take_attempt(username, address)
        except ThrottleUnavailable:
            raise forms.ValidationError(UNAVAILABLE, code="unavailable") from None
        if wait:
            raise forms.ValidationError(
                f"Too many failed login attempts. Try again in {math.ceil(wait / 60)} minute(s).", code="throttled"
            )
        cleaned = super().clean()  # a wrong password raises, and its attempt stays counted
        give_back_attempt(username, address)
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
        elif form.has_error(forms.forms.NON_FIELD_ERRORS, "unavailable"):
            response.status_code = 503
        return response
