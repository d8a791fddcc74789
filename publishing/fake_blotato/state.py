"""The fake Blotato's memory: keys and accounts, submissions and what they publish, faults, knobs.

Everything sits behind one lock. Time is a fake clock (real time plus `advance()` seconds), so
tests can move scheduled posts and rate-limit windows along without sleeping.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .validation import SOCIAL_PLATFORMS

SANDBOX_PLATFORMS = SOCIAL_PLATFORMS

DEFAULT_RATE_LIMITS = {
    "POST /posts": 30,
    "GET /posts/{id}": 60,
    "GET /posts": 60,
    "POST /media": 30,
    "POST /media/uploads": 120,
    "GET /social/pinterest/boards": 45,
}

DEFAULT_KNOBS = {
    "latency_s": 0.0,
    "publish_delay_s": 0.0,
    "caption_limit_mode": "reject_422",  # | fail_async | accept
    "unknown_id_mode": "in_progress",  # | 404
    "account_not_found_mode": "reject_422",  # | fail_async
    "threads_multi_media_mode": "fail_async",  # | reject_422
    "omit_public_url": False,
    "rate_limits": DEFAULT_RATE_LIMITS,
    "ratelimit_headers": True,
    "retry_after_header": True,
    "list_includes_account_id": False,
    "list_includes_submission_id": False,
    "hang_seconds": 30.0,
}

PUBLIC_URLS = {
    "twitter": "https://x.com/{user}/status/{n}",
    "tiktok": "https://www.tiktok.com/@{user}/video/{n}",
    "instagram": "https://www.instagram.com/reel/{code}/",
    "youtube": "https://www.youtube.com/watch?v={code}",
    "facebook": "https://www.facebook.com/{user}/posts/{n}",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:share:{n}",
    "threads": "https://www.threads.net/@{user}/post/{code}",
    "bluesky": "https://bsky.app/profile/{user}/post/{code}",
    "pinterest": "https://www.pinterest.com/pin/{n}/",
}


@dataclass
class KeyData:
    accounts: list[dict]
    subaccounts: dict[str, list[dict]] = field(default_factory=dict)
    boards: dict[str, list[dict]] = field(default_factory=dict)
    no_plan: bool = False


@dataclass
class Fault:
    fault: str
    route: str
    times: int
    account_id: str | None = None
    marker: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    seconds: float | None = None

    def matches(self, route: str, body: dict | None) -> bool:
        if self.route != route:
            return False
        post = (body or {}).get("post") if isinstance(body, dict) else None
        post = post if isinstance(post, dict) else {}
        if self.account_id is not None and post.get("accountId") != self.account_id:
            return False
        if self.marker is not None:
            content = post.get("content") if isinstance(post.get("content"), dict) else {}
            if self.marker not in str(content.get("text", "")):
                return False
        return True


@dataclass
class Submission:
    id: str
    key: str
    account_id: str
    username: str
    platform: str
    text: str
    media_urls: list[str]
    target: dict
    created_at: float  # fake clock
    scheduled_at: float | None = None
    publish_delay: float = 0.0
    outcome: str = "published"  # | failed | stuck
    error_message: str | None = None
    public_url: str | None = None
    listing_id: str = field(default_factory=lambda: str(random.randint(10**17, 10**18)))
    schedule_id: str | None = None
    cancelled: bool = False

    def status(self, now: float) -> str:
        if self.cancelled or self.outcome == "stuck":
            return "in-progress"
        if self.scheduled_at is not None and now < self.scheduled_at:
            return "scheduled"
        start = self.scheduled_at if self.scheduled_at is not None else self.created_at
        return "in-progress" if now < start + self.publish_delay else self.outcome

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


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.keys: dict[str, KeyData] = {}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.knobs = dict(DEFAULT_KNOBS)
            self.faults: list[Fault] = []
            self.submissions: dict[str, Submission] = {}
            self.request_log: list[dict] = []
            self.windows: dict[tuple[str, str], tuple[int, int]] = {}
            self.uploads: dict[str, int] = {}
            self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    # --- faults and knobs ---------------------------------------------------------------------

    def set_knobs(self, knobs: dict) -> None:
        unknown = set(knobs) - set(DEFAULT_KNOBS)
        if unknown:
            raise ValueError(f"unknown knob(s): {', '.join(sorted(unknown))}")
        with self.lock:
            self.knobs.update(knobs)

    def take_fault(self, route: str, body: dict | None) -> Fault | None:
        """The first injected fault matching this request, consumed once."""
        with self.lock:
            for fault in self.faults:
                if fault.times != 0 and fault.matches(route, body):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    def over_rate_limit(self, key: str, route: str) -> int | None:
        """Seconds until the window resets when this request is over the route's limit."""
        with self.lock:
            limits = self.knobs["rate_limits"] or {}
            limit = limits.get(route)
            if not limit:
                return None
            now = self.now()
            window = int(now // 60)
            start, count = self.windows.get((key, route), (window, 0))
            if start != window:
                count = 0
            if count >= limit:
                return max(1, int((window + 1) * 60 - now))
            self.windows[(key, route)] = (window, count + 1)
            return None

    # --- submissions ----------------------------------------------------------------------------

    def create(
        self,
        key: str,
        account: dict,
        body: dict,
        scheduled_at: float | None,
        outcome: str = "published",
        error_message: str | None = None,
    ) -> Submission:
        post = body["post"]
        delay = self.knobs["publish_delay_s"]
        if isinstance(delay, (list, tuple)):
            delay = random.uniform(*delay)
        n = random.randint(10**17, 10**18)
        code = uuid.uuid4().hex[:11]
        platform = post["content"]["platform"]
        user = account.get("username") or account["id"]
        url = (
            None
            if self.knobs["omit_public_url"]
            else PUBLIC_URLS.get(platform, "https://example.com/{n}").format(user=user, n=n, code=code)
        )
        submission = Submission(
            id=str(uuid.uuid4()),
            key=key,
            account_id=post["accountId"],
            username=user,
            platform=platform,
            text=post["content"]["text"],
            media_urls=list(post["content"]["mediaUrls"]),
            target=dict(post["target"]),
            created_at=self.now(),
            scheduled_at=scheduled_at,
            publish_delay=float(delay),
            outcome=outcome,
            error_message=error_message,
            public_url=url,
            schedule_id=f"sch_{uuid.uuid4().hex[:12]}" if scheduled_at is not None else None,
        )
        with self.lock:
            self.submissions[submission.id] = submission
        return submission

    def submissions_of(self, key: str | None = None, account_id: str | None = None) -> list[Submission]:
        with self.lock:
            return [
                s
                for s in self.submissions.values()
                if (key is None or s.key == key) and (account_id is None or s.account_id == account_id)
            ]

    def record(self, entry: dict) -> None:
        with self.lock:
            self.request_log.append(entry)
