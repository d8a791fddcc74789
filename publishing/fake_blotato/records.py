"""The fake's records: a key's fixtures, an injected fault, and a submission with its life cycle.

Plain dataclasses; `FakeState` owns them and guards them with its lock.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Faults that answer instead of Blotato, before anything is created.
REFUSING_FAULTS = {"status", "rate_limit", "timeout", "drop"}
# Faults that let Blotato accept the post and then change what the client or the platform sees.
ACCEPTING_FAULTS = {"accept_then_drop", "accept_then_hang", "accept_then_500", "platform_fail", "stuck"}
# Of those, the ones POST /media takes too: the file is hosted, and the answer is lost or a 500.
MEDIA_ACCEPTING_FAULTS = {"accept_then_drop", "accept_then_500"}

PUBLIC_URLS = {
    "twitter": "https://x.com/{user}/status/{n}",
    "tiktok": "https://www.tiktok.com/@{user}/video/{n}",
    "instagram": "https://www.instagram.com/reel/{code}/",
    "youtube": "https://www.youtube.com/watch?v={code}",
    "facebook": "https://www.facebook.com/{page}/posts/{n}",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:share:{n}",
    "threads": "https://www.threads.net/@{user}/post/{code}",
    "bluesky": "https://bsky.app/profile/{user}/post/{code}",
    "pinterest": "https://www.pinterest.com/pin/{n}/",
}


@dataclass
class KeyData:
    """What one API key sees. The user id survives key rotation, so do the user's submissions."""

    user_id: str
    accounts: list[dict]
    subaccounts: dict[str, list[dict]] = field(default_factory=dict)
    boards: dict[str, list[dict]] = field(default_factory=dict)
    no_plan: bool = False

    def account(self, account_id: str) -> dict | None:
        return next((a for a in self.accounts if a.get("id") == account_id), None)


@dataclass
class Fault:
    fault: str
    route: str
    times: int  # -1: until clear_faults()
    account_id: str | None = None
    marker: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    seconds: float | None = None

    def matches(self, route: str, body: object) -> bool:
        if self.times == 0 or self.route != route:
            return False
        if self.account_id is None and self.marker is None:
            return True
        post = body.get("post") if isinstance(body, dict) else None
        post = post if isinstance(post, dict) else {}
        content = post.get("content") if isinstance(post.get("content"), dict) else {}
        if self.account_id is not None and post.get("accountId") != self.account_id:
            return False
        text = content.get("text")
        return self.marker is None or (isinstance(text, str) and self.marker in text)

    def use(self) -> None:
        if self.times > 0:
            self.times -= 1


@dataclass
class Submission:
    id: str
    user_id: str
    account_id: str
    platform: str
    text: str
    media_urls: list[str]
    target: dict
    draft: dict  # the `post` object as sent (or as last replaced by PATCH /schedules)
    created_at: float  # fake clock, epoch seconds
    publish_delay: float
    outcome: str  # what it ends as: "published" | "failed" | "stuck" (in-progress forever)
    error_message: str | None
    public_url: str | None
    scheduled_at: float | None = None
    schedule_id: str | None = None
    cancelled: bool = False  # its schedule was deleted: Blotato then answers in-progress forever
    forced_at: float | None = None  # force_outcome() settles it at once
    listed_after: float = 0.0  # fake clock: hidden from GET /posts before this (list_delay_s)
    listing_id: str = field(default_factory=lambda: str(random.randint(10**17, 10**18 - 1)))

    def settles_at(self) -> float:
        if self.forced_at is not None:
            return self.forced_at
        start = self.scheduled_at if self.scheduled_at is not None else self.created_at
        return start + self.publish_delay

    def status(self, now: float) -> str:
        if self.outcome == "stuck" or (self.cancelled and self.forced_at is None):
            return "in-progress"
        if self.forced_at is None and self.scheduled_at is not None and now < self.scheduled_at:
            return "scheduled"
        return self.outcome if now >= self.settles_at() else "in-progress"

    def will_publish(self) -> bool:
        """Counted as published for "exactly once" checks: pending ones will go out too."""
        return self.outcome != "failed" and not (self.cancelled and self.forced_at is None)

    def post_time(self, status: str) -> float:
        return self.scheduled_at if status == "scheduled" else self.settles_at()

    def as_dict(self, now: float) -> dict:
        status = self.status(now)
        return {
            "id": self.id,
            "account_id": self.account_id,
            "platform": self.platform,
            "text": self.text,
            "media_urls": list(self.media_urls),
            "target": dict(self.target),
            "scheduled_time": iso(self.scheduled_at),
            "created_at": iso(self.created_at),
            "status": status,
            "public_url": self.public_url if status == "published" else None,
            "error_message": self.error_message if status == "failed" else None,
        }


def public_url(platform: str, account: dict, target: dict) -> str | None:
    template = PUBLIC_URLS.get(platform)
    if template is None:
        return None
    user = account.get("username") or account.get("id")
    return template.format(
        user=user,
        page=target.get("pageId") or user,
        n=random.randint(10**17, 10**19 - 1),
        code=uuid.uuid4().hex[:11],
    )


def iso(moment: float | None) -> str | None:
    """Blotato's UTC form: 2026-03-04T16:30:00.000Z."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
