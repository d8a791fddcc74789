"""What every page shows: sandbox mode and whether the publisher is actually running."""

from __future__ import annotations

from django.conf import settings

from . import health


def publisher_status(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {"sandbox": settings.BLOTATO_SANDBOX, "publisher_health": health.check()}
