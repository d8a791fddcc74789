"""Time zones: the one each signed-in user's pages and API answers are in, and the ones offered.

The settings picker offers real places only: the zones of the IANA database's zone.tab (one
current name per region, e.g. Asia/Kolkata) and UTC. Not the machine's `localtime`, `Factory`,
`posixrules`, the `Etc/GMT+5` style offsets or legacy aliases (`US/Eastern`, `Asia/Calcutta`);
an alias a browser reports is read as the zone it links to.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

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


class UnknownZone(ValueError):
    """Not a zone we offer; the message says what is."""


@cache
def offered_zones() -> tuple[str, ...]:
    """The zone names the picker lists, sorted: zone.tab's regions and UTC."""
    installed = available_timezones()
    return tuple(sorted({"UTC", *(n for n in _tzdata_lines("zone.tab", 2) if n in installed)}))


def offered_zone(name: str) -> str:
    """The offered zone `name` means (an alias read as its current name), or UnknownZone."""
    name = name.strip()
    offered = set(offered_zones())
    if name in offered:
        return name
    current = _links().get(name)
    if current in offered:
        return current
    raise UnknownZone(
        f"'{name[:64]}' is not a time zone we offer: pick a place from the list "
        "(an IANA name like Europe/Paris, America/New_York or UTC)."
    )


@cache
def _links() -> dict[str, str]:
    """Legacy name -> the zone it links to, from tzdata.zi's `L target alias` lines."""
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


def _tzdata_lines(filename: str, column: int) -> list[str]:
    rows = (line.split("\t") for line in _tzdata_text(filename).splitlines() if not line.startswith("#"))
    return [row[column].strip() for row in rows if len(row) > column]


def _tzdata_text(filename: str) -> str:
    """A file of the IANA database: the system's (which zoneinfo reads first), else the tzdata package's."""
    for directory in TZPATH:
        path = Path(directory) / filename
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath(filename).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""
