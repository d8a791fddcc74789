"""Helpers of the browser tests: Chromium's flags, posts on local days, screenshots."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from publishing.models import ScheduledPost, SocialAccount

CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: keep Chromium from phoning home (see the env notes).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PARIS = ZoneInfo("Europe/Paris")


def local_day(days_ahead: int):
    return (timezone.now().astimezone(PARIS) + timedelta(days=days_ahead)).date()


def post_on(owner, day, hour=14, minute=15, caption="Launch teaser") -> ScheduledPost:
    account = SocialAccount.objects.get(owner=owner, platform="twitter")
    return ScheduledPost.objects.create(
        owner=owner,
        platform="twitter",
        account=account,
        caption=caption,
        scheduled_time=datetime.combine(day, time(hour, minute), PARIS),
    )


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
