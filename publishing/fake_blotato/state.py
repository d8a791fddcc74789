"""The fake Blotato's memory: keys, knobs, faults, rate windows, submissions, uploads, requests.

Everything sits behind one lock, and everything handed out is a copy. Time is a fake clock (real
time plus `advance()` seconds), so tests move scheduled posts and rate windows without sleeping.
Lists and dicts inside records are replaced, never changed in place, so shallow copies are safe.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import random
import threading
import time
import uuid
from dataclasses import dataclass

from . import engagement
from .records import ACCEPTING_FAULTS, MEDIA_ACCEPTING_FAULTS, REFUSING_FAULTS, Fault, KeyData, Submission, public_url

# Route names as faults and rate limits spell them (method + path under /v2).
ANALYTICS_ROUTES = (
    "GET /posts/{id}/analytics",
    "GET /published-posts",
    "GET /analytics",
    "GET /analytics/platforms",
    "GET /analytics/summary",
)
ROUTE_NAMES = (
    "POST /posts",
    "GET /posts/{id}",
    "GET /posts",
    "GET /users/me",
    "GET /users/me/accounts",
    "GET /users/me/accounts/{id}/subaccounts",
    "GET /social/pinterest/boards",
    "POST /media",
    "POST /media/uploads",
    "GET /schedules",
    "GET /schedules/{id}",
    "PATCH /schedules/{id}",
    "DELETE /schedules/{id}",
    *ANALYTICS_ROUTES,
)
DEFAULT_RATE_LIMITS = {  # per minute and key (docs/blotato.md, "Rate limits")
    "POST /posts": 30,
    "GET /posts/{id}": 60,
    "GET /posts": 60,
    "POST /media": 30,
    "POST /media/uploads": 120,
    "GET /social/pinterest/boards": 45,
    # Only the per-post analytics route's limit is documented; the others are taken to match it.
    **dict.fromkeys(ANALYTICS_ROUTES, 60),
}
DEFAULT_KNOBS = {
    "latency_s": 0.0,
    "publish_delay_s": 0.0,
    # Seconds (or a [low, high] range drawn per post) a created post stays out of GET /posts, as a
    # video Blotato is still processing does: a lost create cannot be found there until then.
    "list_delay_s": 0.0,
    "caption_limit_mode": "reject_422",
    "unknown_id_mode": "in_progress",
    "account_not_found_mode": "reject_422",
    "threads_multi_media_mode": "fail_async",
    "omit_public_url": False,
    "rate_limits": DEFAULT_RATE_LIMITS,
    "ratelimit_headers": True,
    "retry_after_header": True,
    "list_includes_account_id": False,
    "list_includes_submission_id": False,
    # Whether GET /posts honours since/until is not documented well: this lists every post.
    "list_ignores_window": False,
    "hang_seconds": 30.0,
    # POST /v2/media: the largest file it hosts (Blotato documents 200 MB at the least, more on some
    # plans), and what a create's mediaUrls may hold: "hosted_or_public_https" (media this fake
    # hosts, or an https URL on a public host) or "any" (no check). Otherwise 422, as Blotato's
    # fetch would fail: a laptop's http://127.0.0.1 file is nothing a platform can download.
    "media_max_bytes": 200 * 1024 * 1024,
    "media_urls_mode": "hosted_or_public_https",
    # Probabilistic faults: {route: [{"fault": ..., "share": 0.1, ...inject() options}]}. Each
    # request of that route draws at most one, after any injected fault had its turn.
    "fault_mix": None,
    **engagement.ANALYTICS_KNOBS,
}
KNOB_CHOICES = {
    "caption_limit_mode": ("reject_422", "fail_async", "accept"),
    "unknown_id_mode": ("in_progress", "404"),
    "account_not_found_mode": ("reject_422", "fail_async"),
    "threads_multi_media_mode": ("fail_async", "reject_422"),
    "media_urls_mode": ("hosted_or_public_https", "any"),
    **engagement.ANALYTICS_CHOICES,
}
FAULTS = REFUSING_FAULTS | ACCEPTING_FAULTS
MIX_FIELDS = {"fault", "share", "status", "message", "retry_after", "seconds"}
OUTCOMES = ("published", "failed", "stuck")


@dataclass(frozen=True)
class RateCount:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    limited: bool


class FakeState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._keys: dict[str, KeyData] = {}
        self.reset()

    def reset(self) -> None:
        """Forget everything but the keys; knobs back to their defaults."""
        with self.lock:
            self._knobs = dict(DEFAULT_KNOBS)
            self._faults: list[Fault] = []
            self._submissions: dict[str, Submission] = {}
            self._requests: list[dict] = []
            self._windows: dict[tuple[str, str], tuple[float, int]] = {}  # (opened at, requests)
            self._uploads: dict[str, dict] = {}
            self._media: dict[str, dict] = {}  # hosted by POST /v2/media, by file name (id.ext)
            self._offset = 0.0
            self._mix: dict[str, list[tuple[float, Fault]]] = {}

    # --- clock ----------------------------------------------------------------------------------

    def now(self) -> float:
        with self.lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the fake clock only moves forward")
        with self.lock:
            self._offset += seconds

    # --- keys -----------------------------------------------------------------------------------

    def add_key(self, key: str, data: KeyData) -> None:
        with self.lock:
            if key in self._keys:  # re-adding a key keeps the same user (and their submissions)
                data = dataclasses.replace(data, user_id=self._keys[key].user_id)
            self._keys[key] = data

    def remove_key(self, key: str) -> None:
        with self.lock:
            self._keys.pop(key, None)

    def rotate_key(self, old: str, new: str) -> None:
        with self.lock:
            if old not in self._keys:
                raise ValueError("no such key to rotate")  # never echo a key
            self._keys[new] = self._keys.pop(old)

    def key_data(self, key: str | None) -> KeyData | None:
        with self.lock:
            data = self._keys.get(key) if key is not None else None
            return dataclasses.replace(data) if data else None

    # --- knobs and faults -----------------------------------------------------------------------

    def set_knobs(self, knobs: dict) -> None:
        unknown = set(knobs) - set(DEFAULT_KNOBS)
        if unknown:
            raise ValueError(f"unknown knob(s): {', '.join(sorted(unknown))}")
        for name, value in knobs.items():
            if name in KNOB_CHOICES and str(value) not in KNOB_CHOICES[name]:
                raise ValueError(f"{name} must be one of {', '.join(KNOB_CHOICES[name])}")
        limits = knobs.get("rate_limits")
        if limits and set(limits) - set(ROUTE_NAMES):
            raise ValueError(f"unknown route(s) in rate_limits: {', '.join(sorted(set(limits) - set(ROUTE_NAMES)))}")
        engagement.check_knobs(knobs)
        mix = _fault_mix(knobs["fault_mix"]) if "fault_mix" in knobs else None
        with self.lock:
            for name, value in knobs.items():
                self._knobs[name] = str(value) if name in KNOB_CHOICES else copy.deepcopy(value)
            self._knobs["rate_limits"] = dict(self._knobs["rate_limits"] or {})
            if mix is not None:
                self._mix = mix

    def knob(self, name: str):
        with self.lock:
            return self._knobs[name]

    def add_fault(self, fault: Fault) -> None:
        _check_fault(fault)
        with self.lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def take_fault(self, route: str, body: object, kinds: set[str]) -> Fault | None:
        """The oldest matching fault of these kinds, used up once (a copy)."""
        with self.lock:
            for fault in self._faults:
                if fault.fault in kinds and fault.matches(route, body):
                    fault.use()
                    return dataclasses.replace(fault)
        return None

    def draw_fault(self, route: str) -> Fault | None:
        """The fault mix's pick for one request of `route` (a copy), or None for a normal answer."""
        with self.lock:
            mix = self._mix.get(route)
            if not mix:
                return None
            draw = random.random()
            for share, fault in mix:
                if draw < share:
                    return dataclasses.replace(fault)
                draw -= share
        return None

    def count_request(self, user_id: str, route: str) -> RateCount | None:
        """Count a request in its 60 s window; None when the route has no limit.

        As in @fastify/rate-limit, a window opens with the first request and lasts 60 s (on the
        fake clock), so advance(60) always frees the budget."""
        with self.lock:
            limit = (self._knobs["rate_limits"] or {}).get(route)
            if not limit:
                return None
            now = self.now()
            opened, used = self._windows.get((user_id, route), (now, 0))
            if now >= opened + 60:
                opened, used = now, 0
            reset = max(1, math.ceil(opened + 60 - now))
            if used >= limit:  # a refused request does not use up the window further
                return RateCount(limit, 0, reset, limited=True)
            self._windows[(user_id, route)] = (opened, used + 1)
            return RateCount(limit, limit - used - 1, reset, limited=False)

    # --- submissions ----------------------------------------------------------------------------

    def accept(
        self,
        data: KeyData,
        account: dict,
        body: dict,
        scheduled_at: float | None,
        outcome: str,
        error: str | None,
        drawn: Fault | None = None,
    ) -> tuple[Submission, Fault | None]:
        """Store a new submission (never deduplicated), applying any accepting fault that matches,
        else the accepting fault the fault mix drew for this request (`drawn`)."""
        post = body["post"]
        content = post["content"]
        with self.lock:
            fault = self.take_fault("POST /posts", body, ACCEPTING_FAULTS) or drawn
            if fault and fault.fault == "platform_fail":
                outcome, error = "failed", fault.message or "Invalid account credentials"
            elif fault and fault.fault == "stuck":
                outcome, error = "stuck", None
            delay = _drawn(self._knobs["publish_delay_s"])
            url = None if self._knobs["omit_public_url"] else public_url(content["platform"], account, post["target"])
            submission = Submission(
                id=str(uuid.uuid4()),
                user_id=data.user_id,
                account_id=post["accountId"],
                platform=content["platform"],
                text=content["text"],
                media_urls=list(content["mediaUrls"]),
                target=dict(post["target"]),
                draft=post,
                created_at=self.now(),
                publish_delay=delay,
                listed_after=self.now() + _drawn(self._knobs["list_delay_s"]),
                outcome=outcome,
                error_message=error if outcome == "failed" else None,
                public_url=url,
                scheduled_at=scheduled_at,
                schedule_id=f"sch_{uuid.uuid4().hex[:16]}" if scheduled_at is not None else None,
            )
            self._submissions[submission.id] = submission
            return dataclasses.replace(submission), fault

    def backfill(
        self, data: KeyData, account: dict, text: str, media_urls: list[str], published_at: float
    ) -> Submission:
        """A post that went out at `published_at` (in the past): sandbox history for the demo."""
        with self.lock:
            if published_at > self.now():
                raise ValueError("a backfilled post was published in the past")
            platform = account["platform"]
            submission = Submission(
                id=str(uuid.uuid4()),
                user_id=data.user_id,
                account_id=account["id"],
                platform=platform,
                text=text,
                media_urls=list(media_urls),
                target={"targetType": platform},
                draft={},
                created_at=published_at,
                publish_delay=0.0,
                outcome="published",
                error_message=None,
                public_url=public_url(platform, account, {}),
            )
            self._submissions[submission.id] = submission
            return dataclasses.replace(submission)

    def submissions(self, user_id: str | None = None, account_id: str | None = None) -> list[Submission]:
        """Copies, oldest first."""
        with self.lock:
            return [
                dataclasses.replace(s)
                for s in self._submissions.values()
                if (user_id is None or s.user_id == user_id) and (account_id is None or s.account_id == account_id)
            ]

    def submission(self, user_id: str, submission_id: str) -> Submission | None:
        with self.lock:
            found = self._submissions.get(submission_id)
            return dataclasses.replace(found) if found and found.user_id == user_id else None

    def force_outcome(self, submission_id: str, outcome: str, message: str | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        with self.lock:
            if submission_id not in self._submissions:
                raise LookupError(f"no submission {submission_id}")
            submission = self._submissions[submission_id]
            submission.outcome = outcome
            submission.error_message = (message or "Failed to publish") if outcome == "failed" else None
            submission.forced_at = self.now()

    # --- schedules ------------------------------------------------------------------------------

    def scheduled(self, user_id: str, schedule_id: str | None = None) -> list[Submission]:
        """The user's posts still waiting for their time, soonest first (copies)."""
        with self.lock:
            now = self.now()
            found = [
                s
                for s in self.submissions(user_id)
                if s.schedule_id and s.status(now) == "scheduled" and schedule_id in (None, s.schedule_id)
            ]
        return sorted(found, key=lambda s: s.scheduled_at or 0)

    def patch_schedule(self, user_id: str, schedule_id: str, scheduled_at: float | None, draft: dict | None) -> bool:
        with self.lock:
            if not self.scheduled(user_id, schedule_id):
                return False
            submission = next(s for s in self._submissions.values() if s.schedule_id == schedule_id)
            if scheduled_at is not None:
                submission.scheduled_at = scheduled_at
            if draft is not None:  # Blotato replaces the draft wholesale: a partial one wipes the rest
                content = draft.get("content") if isinstance(draft.get("content"), dict) else {}
                submission.draft = draft
                submission.text = content.get("text") if isinstance(content.get("text"), str) else ""
                submission.media_urls = [u for u in content.get("mediaUrls") or [] if isinstance(u, str)]
                submission.target = dict(draft["target"]) if isinstance(draft.get("target"), dict) else {}
            return True

    def cancel_schedule(self, user_id: str, schedule_id: str) -> bool:
        with self.lock:
            if not self.scheduled(user_id, schedule_id):
                return False
            next(s for s in self._submissions.values() if s.schedule_id == schedule_id).cancelled = True
            return True

    # --- uploads and the request log ------------------------------------------------------------

    def new_upload(self, filename: str) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self._uploads[token] = {"public_url": f"https://database.blotato.io/uploads/{token}/{filename}"}
        return token

    def public_upload_url(self, token: str) -> str:
        with self.lock:
            return self._uploads[token]["public_url"]

    def store_upload(self, token: str, size: int) -> bool:
        with self.lock:
            if token not in self._uploads:
                return False
            self._uploads[token]["bytes"] = size
            return True

    def uploads(self) -> dict[str, int]:
        with self.lock:
            return {u["public_url"]: u["bytes"] for u in self._uploads.values() if "bytes" in u}

    def host_media(self, name: str, data: bytes | None, content_type: str, source: str) -> None:
        """Keep what POST /v2/media hosted: the bytes of a data URI, or the URL it was imported from."""
        with self.lock:
            self._media[name] = {"bytes": data, "content_type": content_type, "source": source, "at": self.now()}

    def hosted_media(self, name: str) -> dict | None:
        with self.lock:
            found = self._media.get(name)
            return dict(found) if found else None

    def media(self) -> dict[str, dict]:
        """Every hosted file by name: its size (None for a URL import), type and source (a URL, or "data")."""
        with self.lock:
            return {
                name: {
                    "bytes": len(m["bytes"]) if m["bytes"] is not None else None,
                    "content_type": m["content_type"],
                    "source": m["source"],
                }
                for name, m in self._media.items()
            }

    def hosts(self, url: str, base_url: str) -> bool:
        """Whether `url` is media this fake hosts: a POST /v2/media answer, or a presigned upload's publicUrl."""
        with self.lock:
            if url.startswith(f"{base_url}/media/") and url.removeprefix(f"{base_url}/media/") in self._media:
                return True
            return any(u.get("public_url") == url and "bytes" in u for u in self._uploads.values())

    def record(self, entry: dict) -> None:
        with self.lock:
            self._requests.append(entry)

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict]:
        with self.lock:
            return [
                dict(r)
                for r in self._requests
                if (method is None or r["method"] == method.upper()) and (path is None or r["path"] == path)
            ]


def _drawn(seconds: object) -> float:
    """A delay knob's value: a number, or a [low, high] range drawn from uniformly."""
    if isinstance(seconds, (list, tuple)):
        return random.uniform(float(seconds[0]), float(seconds[1]))
    return float(seconds)


def _check_fault(fault: Fault) -> None:
    if fault.fault not in FAULTS:
        raise ValueError(f"unknown fault {fault.fault!r}; one of {', '.join(sorted(FAULTS))}")
    if fault.route not in ROUTE_NAMES:
        raise ValueError(f"unknown route {fault.route!r}; one of {', '.join(ROUTE_NAMES)}")
    media_fault = fault.route == "POST /media" and fault.fault in MEDIA_ACCEPTING_FAULTS
    if (
        fault.route != "POST /posts"
        and not media_fault
        and (fault.fault in ACCEPTING_FAULTS or fault.account_id or fault.marker)
    ):
        raise ValueError(f"{fault.fault} with account_id/marker only applies to 'POST /posts'")
    if fault.fault == "status" and fault.status is None:
        raise ValueError("a 'status' fault needs status=")


def _fault_mix(mix: object) -> dict[str, list[tuple[float, Fault]]]:
    """The `fault_mix` knob checked and parsed: per route, (share, fault) pairs summing to <= 1."""
    if not mix:
        return {}
    if not isinstance(mix, dict):
        raise ValueError("fault_mix must map route names to lists of faults")
    parsed = {}
    for route, entries in mix.items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError(f"fault_mix[{route!r}] must be a list of objects")
        pairs = []
        for entry in entries:
            if set(entry) - MIX_FIELDS or not {"fault", "share"} <= set(entry):
                raise ValueError(
                    f"a fault_mix entry takes fault, share and {', '.join(sorted(MIX_FIELDS - {'fault', 'share'}))}"
                )
            share = entry["share"]
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                raise ValueError("a fault_mix share is a fraction from 0 to 1")
            options = {name: value for name, value in entry.items() if name not in ("fault", "share")}
            fault = Fault(entry["fault"], route, -1, **options)
            _check_fault(fault)
            pairs.append((float(share), fault))
        if sum(share for share, _ in pairs) > 1 + 1e-9:
            raise ValueError(f"the shares of fault_mix[{route!r}] add up to more than 1")
        parsed[route] = pairs
    return parsed
