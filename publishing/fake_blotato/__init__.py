"""A fake Blotato API server for tests, sandbox mode and `manage.py fake_blotato`.

Faithful to what docs/blotato.md describes: Blotato's validation and error shapes, submissions going
in-progress → published/failed on a fake clock, per-route rate limits, and injectable faults
(5xx, 429, timeouts, accept-then-drop...). It never deduplicates, and tells tests what it would
have published per account so they can assert "exactly once". Standard library only; no Django.

    with FakeBlotato() as fake:
        fake.add_sandbox_key("blt_test==")
        ...  # point the client at fake.url + "/v2"
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from . import engagement
from .records import Fault, KeyData, Submission
from .server import Server
from .state import FakeState
from .validation import SOCIAL_PLATFORMS

__all__ = ["FakeBlotato"]


class FakeBlotato:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeState()
        self._server = Server((host, port), self)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # --- running --------------------------------------------------------------------------------

    def start(self) -> FakeBlotato:
        """Serve in a background (daemon) thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="fake-blotato", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever on a server never started
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeBlotato:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- keys and their fixtures ----------------------------------------------------------------

    def add_key(
        self,
        key: str,
        accounts: list[dict],
        *,
        subaccounts: dict[str, list[dict]] | None = None,
        boards: dict[str, list[dict]] | None = None,
        no_plan: bool = False,
    ) -> None:
        """Accept `key` (compared byte for byte) with these accounts, pages and boards."""
        self.state.add_key(
            key,
            KeyData(
                user_id=f"user_{uuid.uuid4().hex[:12]}",
                accounts=[dict(a) for a in accounts],
                subaccounts={k: [dict(s) for s in v] for k, v in (subaccounts or {}).items()},
                boards={k: [dict(b) for b in v] for k, v in (boards or {}).items()},
                no_plan=no_plan,
            ),
        )

    def add_sandbox_key(self, key: str = "sandbox") -> None:
        """One account per platform (ids 1001..1009), a Facebook Page 2001, a LinkedIn Page 2002
        and a Pinterest board 3001."""
        accounts = [
            {
                "id": str(1001 + n),
                "platform": platform,
                "fullname": f"Demo {platform.title()}",
                "username": f"demo_{platform}",
            }
            for n, platform in enumerate(SOCIAL_PLATFORMS)
        ]
        by_platform = {a["platform"]: a["id"] for a in accounts}
        self.add_key(
            key,
            accounts,
            subaccounts={
                by_platform["facebook"]: [{"id": "2001", "accountId": by_platform["facebook"], "name": "Demo Page"}],
                by_platform["linkedin"]: [{"id": "2002", "accountId": by_platform["linkedin"], "name": "Demo Company"}],
            },
            boards={by_platform["pinterest"]: [{"id": "3001", "name": "Demo Board"}]},
        )

    def remove_key(self, key: str) -> None:
        self.state.remove_key(key)

    def rotate_key(self, old: str, new: str) -> None:
        """Regenerate a key: `old` answers 401 from now on; the user and their posts stay."""
        self.state.rotate_key(old, new)

    # --- behaviour ------------------------------------------------------------------------------

    def set_knobs(self, **knobs) -> None:
        self.state.set_knobs(knobs)

    def inject(
        self,
        fault: str,
        *,
        route: str = "POST /posts",
        times: int = 1,
        account_id: str | None = None,
        marker: str | None = None,
        status: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        seconds: float | None = None,
    ) -> None:
        """Apply `fault` to the next `times` matching requests (-1: until clear_faults())."""
        self.state.add_fault(Fault(fault, route, times, account_id, marker, status, message, retry_after, seconds))

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def reset(self) -> None:
        """Forget submissions, requests, faults and rate windows; keep keys; knobs to defaults."""
        self.state.reset()

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward (publish delays, scheduled posts, rate windows)."""
        self.state.advance(seconds)

    def now(self) -> datetime:
        """The fake clock: real time plus every advance()."""
        return datetime.fromtimestamp(self.state.now(), UTC)

    def backfill(self, key: str, account_id: str, text: str, published_at: datetime, media_urls=()) -> dict:
        """A post of `key`'s account published at `published_at` (past): sandbox history.

        Its analytics readings are those of its age, so the demo's engine has something to learn.
        """
        data = self.state.key_data(key)
        account = data.account(account_id) if data else None
        if account is None:
            raise LookupError(f"no account {account_id} for that key")
        submission = self.state.backfill(data, account, text, list(media_urls), published_at.timestamp())
        return {"submission_id": submission.id, "public_url": submission.public_url}

    def force_outcome(self, submission_id: str, outcome: str, message: str | None = None) -> None:
        """Settle a submission now: "published", "failed" (with `message`) or "stuck"."""
        self.state.force_outcome(submission_id, outcome, message)

    # --- inspection (copies) --------------------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict]:
        """Every /v2 request received, oldest first; headers never include the API key."""
        return self.state.requests(method, path)

    def submissions(self, account_id: str | None = None) -> list[dict]:
        """Every accepted create, oldest first, with its status on the fake clock."""
        now = self.state.now()
        return [s.as_dict(now) for s in self.state.submissions(account_id=account_id)]

    def publications(self, account_id: str | None = None, marker: str | None = None) -> list[dict]:
        """What reaches (or will reach) the public: accepted submissions not bound to fail and not
        cancelled. This is what "published exactly once" is checked against."""
        now = self.state.now()
        return [
            s.as_dict(now)
            for s in self.state.submissions(account_id=account_id)
            if s.will_publish() and (marker is None or marker in s.text)
        ]

    def publication_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for publication in self.publications():
            counts[publication["account_id"]] = counts.get(publication["account_id"], 0) + 1
        return counts

    def media(self) -> dict[str, dict]:
        """What POST /v2/media hosted, by file name: bytes (None for a URL import), content_type, source."""
        return self.state.media()

    def uploads(self) -> dict[str, int]:
        """Bytes received per presigned upload, keyed by its publicUrl."""
        return self.state.uploads()

    # --- analytics' hidden truth (for tests and benchmarks; the API never shows it) -------------

    def published_id(self, submission_id: str) -> str | None:
        """The published-post id analytics know this submission by; None until it is published."""
        submission, now, _ = self._find(lambda s: s.id == submission_id, f"no submission {submission_id}")
        return submission.listing_id if submission.status(now) == "published" else None

    def snapshots(self, published_id: str) -> list[dict]:
        """The readings taken of a published post so far, oldest first, with their true values
        (whatever the empty-metrics and history knobs make the API show)."""
        submission, now, knobs = self._find(lambda s: s.listing_id == published_id, f"no post {published_id}")
        return [reading.as_dict() for reading in engagement.readings(knobs, submission, now)]

    def true_engagement_curve(self, account_id: str) -> list[list[float]]:
        """The account's hidden multiplier per weekday (Monday first) and hour, in the
        analytics_timezone knob's zone: a post's final counts are proportional to it."""
        with self.state.lock:
            knobs = {name: self.state.knob(name) for name in engagement.ANALYTICS_KNOBS}
        return engagement.curve(knobs, account_id)

    def _find(self, match, missing: str) -> tuple[Submission, float, dict]:
        with self.state.lock:
            now = self.state.now()
            knobs = {name: self.state.knob(name) for name in engagement.ANALYTICS_KNOBS}
            found = next((s for s in self.state.submissions() if match(s)), None)
        if found is None:
            raise LookupError(missing)
        return found, now, knobs
