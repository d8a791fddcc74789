"""What every page shows: sandbox mode and whether the publisher is actually running."""

from __future__ import annotations

from django.conf import settings

from . import health


def publisher_status(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    # The user's own waiting posts only: the banner must not tell one user about another's.
    return {"sandbox": settings.BLOTATO_SANDBOX, "publisher_health": health.check(request.user)}
