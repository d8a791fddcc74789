"""Per-platform default best hours and weekdays: the prior the engine starts from.

Hours are in the audience's local time, best first. Days use Python's weekday(): 0 = Monday.
The first five platforms keep the original service's lists exactly; the others come from
published studies, cited per entry.
Treat all of them as a weak prior: the studies disagree with each other and drift year to year.
"""

from __future__ import annotations

from dataclasses import dataclass

TUE_TO_SAT: tuple[int, ...] = (1, 2, 3, 4, 5)
EVERY_DAY: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
WEEKDAYS_MIDWEEK_FIRST: tuple[int, ...] = (1, 2, 3, 0, 4)  # Tue, Wed, Thu, Mon, Fri


@dataclass(frozen=True)
class PlatformDefault:
    hours: tuple[int, ...]  # best first
    days: tuple[int, ...]  # best first; every day listed means "no weekday preference"


DEFAULTS: dict[str, PlatformDefault] = {
    # The original service's defaults, kept exactly: users moving over see the same suggestions.
    "instagram": PlatformDefault(hours=(11, 14, 17, 20), days=TUE_TO_SAT),
    "tiktok": PlatformDefault(hours=(9, 12, 19, 21), days=EVERY_DAY),
    "youtube": PlatformDefault(hours=(14, 15, 16, 20), days=TUE_TO_SAT),
    "facebook": PlatformDefault(hours=(9, 13, 15, 19), days=TUE_TO_SAT),
    "twitter": PlatformDefault(hours=(8, 12, 17, 20), days=EVERY_DAY),
    # LinkedIn: Sprout Social "Best times to post on social media" (2023, 34k+ customers, local
    # time): Tue & Wed 10-12 best, weekends weak; HubSpot LinkedIn guide (2016): Tue-Thu mornings,
    # so 8-9 as the early shoulder.
    "linkedin": PlatformDefault(hours=(10, 9, 11, 8), days=WEEKDAYS_MIDWEEK_FIRST),
    # Threads: no vendor study found; a blend of the X/Twitter anchors
    # (Sprout Social 2023: weekday mornings from 9, tapering at noon; Buffer X: Tue 8:00) and the
    # Instagram ones (Buffer Instagram 2026: Wed 12:00, Wed 18:00), since Threads grows from IG.
    "threads": PlatformDefault(hours=(9, 12, 18, 8), days=WEEKDAYS_MIDWEEK_FIRST),
    # Bluesky: no vendor study; X-like audience. Sprout Social 2023 (X: Tue-Fri from 9) and a
    # scheduler blog, mediafa.st (2024/2025, weak): weekdays 8-10 and 12-13, Tue/Wed best.
    "bluesky": PlatformDefault(hours=(9, 8, 12, 10), days=WEEKDAYS_MIDWEEK_FIRST),
    # Pinterest: Sprout Social 2023 ("afternoons" for Pinterest) and Bitly (2012, clicks on
    # bit.ly links: Pinterest best on Saturday mornings, evenings 20-23 ET strong).
    "pinterest": PlatformDefault(hours=(14, 20, 15, 21), days=(5, 6, 4, 1)),
}

PLATFORMS: tuple[str, ...] = tuple(DEFAULTS)


def default_for(platform: str) -> PlatformDefault:
    """The platform's defaults; unknown platforms get Instagram's (the most general audience)."""
    return DEFAULTS.get(platform, DEFAULTS["instagram"])
