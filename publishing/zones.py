"""The time zone each signed-in user's pages and API answers are in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .models import Profile
from .timeparse import zone_named


def user_zone(user) -> ZoneInfo:
    """The user's zone, read once a request: API requests bring it with the token (api_support)."""
    name = getattr(user, "zone_name", None)
    if name is None:
        name = Profile.objects.filter(user=user).values_list("timezone", flat=True).first()
        if name is None:
            name = Profile.objects.get_or_create(user=user)[0].timezone
        user.zone_name = name
    return zone_named(name)
