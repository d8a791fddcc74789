"""A fake Blotato API server for tests, sandbox mode and `manage.py fake_blotato`.

Faithful to shared/blotato-api.md §7: Blotato's validation and error shapes, submissions going
in-progress → published/failed, per-route rate limits, and injectable faults (500, 429 with a
delay, timeouts, accept-then-drop...). It never deduplicates, and counts what it would have
published per account so tests can assert "exactly once". Standard library only; no Django.
"""

from __future__ import annotations

import threading

from .server import Server
from .state import SANDBOX_PLATFORMS, FakeState, Fault, KeyData

__all__ = ["FakeBlotato"]


class FakeBlotato:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeState()
        self._server = Server((host, port), self.state, self)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # --- running ------------------------------------------------------------------------------

    def start(self) -> FakeBlotato:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-blotato", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeBlotato:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- fixtures -----------------------------------------------------------------------------

    def add_key(
        self,
        key: str,
        accounts: list[dict],
        *,
        subaccounts: dict | None = None,
        boards: dict | None = None,
        no_plan: bool = False,
    ) -> None:
        with self.state.lock:
            self.state.keys[key] = KeyData([dict(a) for a in accounts], subaccounts or {}, boards or {}, no_plan)

    def add_sandbox_key(self, key: str = "sandbox") -> None:
        """One account per platform, ids 1001..1009, plus a Facebook Page, a LinkedIn Page and a board."""
        accounts = [
            {
                "id": str(1001 + n),
                "platform": platform,
                "fullname": f"Demo {platform.title()}",
                "username": f"demo_{platform}",
            }
            for n, platform in enumerate(SANDBOX_PLATFORMS)
        ]
        self.add_key(
            key,
            accounts,
            subaccounts={
                "1003": [{"id": "2001", "accountId": "1003", "name": "Demo Page"}],
                "1002": [{"id": "2002", "accountId": "1002", "name": "Demo Company"}],
            },
            boards={"1005": [{"id": "3001", "name": "Demo Board"}]},
        )

    def remove_key(self, key: str) -> None:
        with self.state.lock:
            self.state.keys.pop(key, None)

    def rotate_key(self, old: str, new: str) -> None:
        with self.state.lock:
            self.state.keys[new] = self.state.keys.pop(old)

    # --- behaviour ----------------------------------------------------------------------------

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
        known = {
            "status",
            "rate_limit",
            "timeout",
            "drop",
            "accept_then_drop",
            "accept_then_hang",
            "accept_then_500",
            "platform_fail",
            "stuck",
        }
        if fault not in known:
            raise ValueError(f"unknown fault {fault!r}")
        with self.state.lock:
            self.state.faults.append(
                Fault(fault, route, times, account_id, marker, status, message, retry_after, seconds)
            )

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def reset(self) -> None:
        self.state.reset()

    def advance(self, seconds: float) -> None:
        with self.state.lock:
            self.state.offset += seconds

    def force_outcome(self, submission_id: str, outcome: str, message: str | None = None) -> None:
        if outcome not in ("published", "failed", "stuck"):
            raise ValueError(f"unknown outcome {outcome!r}")
        with self.state.lock:
            submission = self.state.submissions[submission_id]
            submission.outcome, submission.error_message = outcome, message
            submission.publish_delay = 0.0

    # --- inspection ---------------------------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict]:
        with self.state.lock:
            return [
                dict(r)
                for r in self.state.request_log
                if (method is None or r["method"] == method) and (path is None or r["path"] == path)
            ]

    def submissions(self, account_id: str | None = None) -> list[dict]:
        now = self.state.now()
        return [s.as_dict(now) for s in self.state.submissions_of(account_id=account_id)]

    def publications(self, account_id: str | None = None, marker: str | None = None) -> list[dict]:
        """What would reach the public: every accepted submission not failed (pending ones count)."""
        return [
            s
            for s in self.submissions(account_id)
            if s["status"] != "failed" and (marker is None or marker in s["text"])
        ]

    def publication_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for publication in self.publications():
            counts[publication["account_id"]] = counts.get(publication["account_id"], 0) + 1
        return counts
