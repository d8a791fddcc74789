"""What every page shows: sandbox mode, whether publishing is paused and whether the publisher runs."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from . import health, pause

# The banner may lag this far behind; in exchange a user clicking around reads Redis and counts
# their waiting posts once every few seconds at most, not on every page.
HEALTH_KEPT_SECONDS = 5


def publisher_status(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    status = {"sandbox": settings.BLOTATO_SANDBOX}
    if not request.htmx:  # an HTMX answer is a piece of a page that already shows the banner
        status["publisher_health"] = health_of_users_posts(request.user)
        status["pause_state"] = pause.state_for(request.user)  # never cached: the switch shows at once
    return status


def health_of_users_posts(user) -> health.Health:
    """The banner's health check, kept briefly in this process's cache (the user's own posts only)."""
    key = f"publisher-health:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = health.check(user)
        cache.set(key, found, HEALTH_KEPT_SECONDS)
    return found
