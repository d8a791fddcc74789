"""The fake Blotato's HTTP side: Blotato's routes under /v2, test controls under /__fake__/."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .state import FakeState, Submission, iso
from .validation import Invalid, caption_too_long, check_post

EMPTY_BODY_MESSAGE = "Body cannot be empty when content-type is set to 'application/json'"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address, state: FakeState, controls) -> None:
        super().__init__(address, Handler)
        self.state = state
        self.controls = controls  # the FakeBlotato object: /__fake__/ routes call its methods


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format, *args) -> None:  # quiet, and never a header or key
        pass

    # --- plumbing ------------------------------------------------------------------------------

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def _handle(self) -> None:
        url = urlparse(self.path)
        self.query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        self.status_sent: int | None = None
        if url.path.startswith("/__fake__/"):
            self._control(url.path[len("/__fake__/") :])
            return
        latency = self.server.state.knobs["latency_s"]
        if latency:
            time.sleep(latency)
        self.body = None
        try:
            self._blotato(url.path)
        finally:
            self.server.state.record(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": dict(self.query.items()),
                    "headers": {k: v for k, v in self.headers.items() if k.lower() != "blotato-api-key"},
                    "body": self.body,
                    "status": self.status_sent,
                    "at": time.time(),
                }
            )

    def _send(
        self,
        status: int,
        payload=None,
        *,
        headers: dict | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
        self.status_sent = status
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data)

    def _hang_up(self) -> None:
        """Close the socket without a word: the client cannot know what happened."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _rate_limited(self, seconds: int, message: str | None = None) -> None:
        knobs = self.server.state.knobs
        headers = {}
        if knobs["retry_after_header"]:
            headers["retry-after"] = seconds
        if knobs["ratelimit_headers"]:
            headers.update({"x-ratelimit-remaining": 0, "x-ratelimit-reset": seconds})
        self._send(
            429,
            {
                "statusCode": 429,
                "error": "Too Many Requests",
                "message": message or f"Rate limit exceeded, retry in {seconds} seconds",
            },
            headers=headers,
        )

    # --- Blotato ---------------------------------------------------------------------------------

    ROUTES = [
        ("POST", re.compile(r"^/v2/posts$"), "POST /posts"),
        ("GET", re.compile(r"^/v2/posts/(?P<id>[^/]+)$"), "GET /posts/{id}"),
        ("GET", re.compile(r"^/v2/posts$"), "GET /posts"),
        ("GET", re.compile(r"^/v2/users/me$"), "GET /users/me"),
        ("GET", re.compile(r"^/v2/users/me/accounts$"), "GET /users/me/accounts"),
        ("GET", re.compile(r"^/v2/users/me/accounts/(?P<id>[^/]+)/subaccounts$"), "GET /subaccounts"),
        ("GET", re.compile(r"^/v2/social/pinterest/boards$"), "GET /social/pinterest/boards"),
        ("POST", re.compile(r"^/v2/media$"), "POST /media"),
        ("POST", re.compile(r"^/v2/media/uploads$"), "POST /media/uploads"),
        ("GET", re.compile(r"^/v2/schedules$"), "GET /schedules"),
        ("GET", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "GET /schedules/{id}"),
        ("PATCH", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "PATCH /schedules/{id}"),
        ("DELETE", re.compile(r"^/v2/schedules/(?P<id>[^/]+)$"), "DELETE /schedules/{id}"),
    ]

    def _blotato(self, path: str) -> None:
        state = self.server.state
        for method, pattern, route in self.ROUTES:  # noqa: B007 (route is used after the loop)
            found = pattern.match(path)
            if method == self.command and found:
                break
        else:
            self._send(404, {"statusCode": 404, "message": "Not found"})
            return
        key = self.headers.get("blotato-api-key")
        key_data = state.keys.get(key) if key is not None else None
        if key_data is None:
            self._send(401, {"statusCode": 401, "message": "Unauthorized"})
            return
        if key_data.no_plan:
            self._send(403, {"statusCode": 403, "message": "Your plan does not include API access"})
            return
        if self.command in ("POST", "PATCH", "DELETE") and "json" in (self.headers.get("Content-Type") or ""):
            if not self.raw.strip():
                self._send(400, {"statusCode": 400, "error": "Bad Request", "message": EMPTY_BODY_MESSAGE})
                return
            try:
                self.body = json.loads(self.raw)
            except (ValueError, RecursionError):
                self._send(400, {"statusCode": 400, "error": "Bad Request", "message": "Unexpected token in JSON body"})
                return
        fault = state.take_fault(route, self.body)
        if fault and self._apply_fault(fault):
            return
        wait = state.over_rate_limit(key, route)
        if wait is not None:
            self._rate_limited(wait)
            return
        handler = getattr(self, "route_" + re.sub(r"\W+", "_", route).strip("_").lower())
        handler(key, key_data, *found.groups(), fault=fault)

    def _apply_fault(self, fault) -> bool:
        """Faults that answer instead of Blotato; True when the request is fully handled."""
        kind = fault.fault
        if kind in ("status",):
            status = fault.status or 500
            if status == 429:
                self._rate_limited(fault.retry_after or 30, fault.message)
            elif status == 500:
                self._send(500, {"code": 9999, "message": fault.message or "An unknown error occurred."})
            elif status in (502, 503, 504):
                self._send(
                    status, raw=f"<html><body>{status} Bad Gateway</body></html>".encode(), content_type="text/html"
                )
            elif status == 200:
                self._send(200, raw=b"<html>maintenance</html>", content_type="text/html")
            else:
                self._send(status, {"statusCode": status, "message": fault.message or f"HTTP {status}"})
            return True
        if kind == "rate_limit":
            self._rate_limited(fault.retry_after or 30, fault.message)
            return True
        if kind == "timeout":
            time.sleep(fault.seconds if fault.seconds is not None else self.server.state.knobs["hang_seconds"])
            self._hang_up()
            return True
        if kind == "drop":
            self._hang_up()
            return True
        return False  # accept_then_*, platform_fail, stuck: the route handles them

    def route_post_posts(self, key, key_data, *, fault) -> None:
        state = self.server.state
        body = self.body if isinstance(self.body, dict) else {}
        try:
            scheduled = check_post(body, now=datetime.fromtimestamp(state.now(), UTC))
        except Invalid as problem:
            self._send(422, {"message": str(problem)})
            return
        post = body["post"]
        platform, text = post["content"]["platform"], post["content"]["text"]
        account = next((a for a in key_data.accounts if a["id"] == post["accountId"]), None)
        outcome, error = "published", None
        if account is None or account.get("platform") not in (platform, None):
            if state.knobs["account_not_found_mode"] == "reject_422":
                self._send(422, {"message": "post.accountId: account not found"})
                return
            account, outcome, error = {"id": post["accountId"]}, "failed", "Account not found"
        if caption_too_long(platform, text):
            mode = state.knobs["caption_limit_mode"]
            if mode == "reject_422":
                self._send(422, {"message": f"post.content.text: too long for {platform}"})
                return
            if mode == "fail_async":
                outcome, error = "failed", "Text exceeds the platform's character limit"
        if platform == "threads" and len(post["content"]["mediaUrls"]) > 1:
            if state.knobs["threads_multi_media_mode"] == "reject_422":
                self._send(422, {"message": "post.content.mediaUrls: threads accepts one media item"})
                return
            outcome, error = "failed", "Threads posts take a single image or video"
        if fault and fault.fault == "platform_fail":
            outcome, error = "failed", fault.message or "Invalid account credentials"
        if fault and fault.fault == "stuck":
            outcome = "stuck"
        submission = state.create(key, account, body, scheduled.timestamp() if scheduled else None, outcome, error)
        if fault and fault.fault in ("accept_then_drop", "accept_then_hang"):
            if fault.fault == "accept_then_hang":
                time.sleep(fault.seconds if fault.seconds is not None else state.knobs["hang_seconds"])
            self._hang_up()
            return
        if fault and fault.fault == "accept_then_500":
            self._send(500, {"code": 9999, "message": "An unknown error occurred."})
            return
        answer = {"postSubmissionId": submission.id}
        if scheduled:
            answer["scheduledTime"] = iso(submission.scheduled_at)
        self._send(201, answer)

    def route_get_posts_id(self, key, key_data, submission_id, *, fault) -> None:
        state = self.server.state
        submission = state.submissions.get(submission_id)
        if submission is None or submission.key != key:
            if state.knobs["unknown_id_mode"] == "404":
                self._send(404, {"statusCode": 404, "message": "Not found"})
            else:
                self._send(200, {"postSubmissionId": submission_id, "status": "in-progress"})
            return
        now = state.now()
        status = submission.status(now)
        answer = {"postSubmissionId": submission.id, "status": status}
        if status == "published" and submission.public_url:
            answer["publicUrl"] = submission.public_url
        if status == "failed":
            answer["errorMessage"] = submission.error_message
        if status == "scheduled":
            answer["scheduledTime"] = iso(submission.scheduled_at)
        self._send(200, answer)

    def route_get_posts(self, key, key_data, *, fault) -> None:
        state = self.server.state
        now = state.now()
        since = self._time_param("since", now - 7 * 86400)
        until = self._time_param("until", now + 7 * 86400)
        wanted = set(self.query.get("status", [])) or {"scheduled", "published", "failed"}
        platform = (self.query.get("platform") or [None])[0]
        limit = min(250, int((self.query.get("limit") or ["20"])[0]))
        offset = int((self.query.get("cursor") or ["0"])[0] or 0)
        items = []
        for s in sorted(state.submissions_of(key), key=lambda s: s.scheduled_at or s.created_at, reverse=True):
            status = s.status(now)
            post_time = s.scheduled_at or s.created_at
            if status not in wanted or not since <= post_time <= until or (platform and s.platform != platform):
                continue
            items.append(self._listed(s, status))
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        self._send(200, {"items": page, "cursor": str(offset + limit) if more else None})

    def _listed(self, s: Submission, status: str) -> dict:
        knobs = self.server.state.knobs
        state = {"type": status}
        if status == "published":
            state["postUrl"] = s.public_url
        if status == "failed":
            state["errorMessage"] = s.error_message
        item = {
            "id": s.listing_id,
            "platform": s.platform,
            "text": s.text,
            "mediaUrls": s.media_urls,
            "postTime": iso(s.scheduled_at or s.created_at),
            "state": state,
        }
        if knobs["list_includes_account_id"]:
            item["accountId"] = s.account_id
        if knobs["list_includes_submission_id"]:
            item["postSubmissionId"] = s.id
        return item

    def _time_param(self, name: str, default: float) -> float:
        value = (self.query.get(name) or [None])[0]
        if not value:
            return default
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return default

    def route_get_users_me(self, key, key_data, *, fault) -> None:
        self._send(200, {"id": f"user_{abs(hash(key)) % 10**8}", "subscriptionStatus": "active_pro", "apiKey": key})

    def route_get_users_me_accounts(self, key, key_data, *, fault) -> None:
        platform = (self.query.get("platform") or [None])[0]
        items = [a for a in key_data.accounts if not platform or a.get("platform") == platform]
        self._send(200, {"items": items})

    def route_get_subaccounts(self, key, key_data, account_id, *, fault) -> None:
        self._send(200, {"items": key_data.subaccounts.get(account_id, [])})

    def route_get_social_pinterest_boards(self, key, key_data, *, fault) -> None:
        account_id = (self.query.get("accountId") or [""])[0]
        self._send(200, {"items": key_data.boards.get(account_id, [])})

    def route_post_media(self, key, key_data, *, fault) -> None:
        url = (self.body or {}).get("url") if isinstance(self.body, dict) else None
        if not isinstance(url, str) or not re.match(r"^(https?://|data:[\w/+.-]+;base64,)", url):
            self._send(422, {"message": "body.url: must be a public URL or a base64 data URI"})
            return
        ext = "mp4" if url.endswith(".mp4") else "jpg"
        self._send(201, {"url": f"https://database.blotato.io/{uuid.uuid4()}.{ext}", "id": f"media_{uuid.uuid4()}"})

    def route_post_media_uploads(self, key, key_data, *, fault) -> None:
        filename = (self.body or {}).get("filename") if isinstance(self.body, dict) else None
        if not isinstance(filename, str) or "." not in filename:
            self._send(422, {"message": "body.filename: must have an extension"})
            return
        token = uuid.uuid4().hex
        self._send(
            201,
            {
                "presignedUrl": f"{self.server.controls.url}/__fake__/upload/{token}",
                "publicUrl": f"https://database.blotato.io/uploads/{token}/{filename}",
            },
        )

    def _schedule_of(self, key, schedule_id) -> Submission | None:
        now = self.server.state.now()
        return next(
            (
                s
                for s in self.server.state.submissions_of(key)
                if s.schedule_id == schedule_id and not s.cancelled and s.status(now) == "scheduled"
            ),
            None,
        )

    def _schedule_item(self, s: Submission) -> dict:
        return {
            "id": s.schedule_id,
            "scheduledAt": iso(s.scheduled_at),
            "draft": {
                "accountId": s.account_id,
                "content": {"text": s.text, "mediaUrls": s.media_urls, "platform": s.platform},
                "target": s.target,
            },
            "account": {"id": s.account_id, "name": s.username, "username": s.username},
        }

    def route_get_schedules(self, key, key_data, *, fault) -> None:
        now = self.server.state.now()
        items = sorted(
            (
                s
                for s in self.server.state.submissions_of(key)
                if s.schedule_id and not s.cancelled and s.status(now) == "scheduled"
            ),
            key=lambda s: s.scheduled_at,
        )
        self._send(200, {"items": [self._schedule_item(s) for s in items], "count": str(len(items)), "cursor": None})

    def route_get_schedules_id(self, key, key_data, schedule_id, *, fault) -> None:
        found = self._schedule_of(key, schedule_id)
        if found is None:
            self._send(404, {"message": "Schedule not found"})
        else:
            self._send(200, {"schedule": self._schedule_item(found)})

    def route_patch_schedules_id(self, key, key_data, schedule_id, *, fault) -> None:
        found = self._schedule_of(key, schedule_id)
        if found is None:
            self._send(404, {"message": "Schedule not found"})
            return
        patch = (self.body or {}).get("patch") if isinstance(self.body, dict) else None
        if not isinstance(patch, dict) or not patch:
            self._send(422, {"message": "patch: must NOT have fewer than 1 properties"})
            return
        if "scheduledTime" in patch:
            try:
                moment = datetime.fromisoformat(str(patch["scheduledTime"]).replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None or moment.timestamp() <= self.server.state.now():
                self._send(422, {"message": "scheduledTime must be in the future"})
                return
            found.scheduled_at = moment.timestamp()
        if isinstance(patch.get("draft"), dict):  # Blotato replaces the draft wholesale
            content = patch["draft"].get("content") or {}
            found.text = content.get("text", "")
            found.media_urls = list(content.get("mediaUrls") or [])
            found.target = dict(patch["draft"].get("target") or {})
        self._send(204)

    def route_delete_schedules_id(self, key, key_data, schedule_id, *, fault) -> None:
        found = self._schedule_of(key, schedule_id)
        if found is None:
            self._send(404, {"message": "Schedule not found"})
            return
        found.cancelled = True
        self._send(204)

    # --- test controls -------------------------------------------------------------------------

    def _control(self, path: str) -> None:
        controls = self.server.controls
        if path.startswith("upload/") and self.command == "PUT":
            controls.state.uploads[path[len("upload/") :]] = len(self.raw)
            self._send(200, {})
            return
        try:
            body = json.loads(self.raw) if self.raw.strip() else {}
        except ValueError:
            self._send(400, {"message": "malformed JSON"})
            return
        outcome = re.match(r"^submissions/(?P<id>[^/]+)/outcome$", path)
        actions = {
            ("POST", "reset"): lambda: controls.reset(),
            ("POST", "keys"): lambda: (
                controls.add_sandbox_key(body["key"])
                if body.get("sandbox")
                else controls.add_key(
                    body["key"],
                    body.get("accounts", []),
                    subaccounts=body.get("subaccounts"),
                    boards=body.get("boards"),
                    no_plan=body.get("no_plan", False),
                )
            ),
            ("POST", "knobs"): lambda: controls.set_knobs(**body),
            ("POST", "faults"): lambda: controls.inject(body.pop("fault"), **body),
            ("DELETE", "faults"): lambda: controls.clear_faults(),
            ("POST", "advance"): lambda: controls.advance(float(body.get("seconds", 0))),
            ("GET", "requests"): lambda: controls.requests(),
            ("GET", "submissions"): lambda: controls.submissions(),
            ("GET", "publications"): lambda: controls.publications(),
            ("GET", "publication-counts"): lambda: controls.publication_counts(),
        }
        if outcome and self.command == "POST":
            action = lambda: controls.force_outcome(outcome["id"], body["outcome"], body.get("message"))  # noqa: E731
        else:
            action = actions.get((self.command, path))
        if action is None:
            self._send(404, {"message": "Not found"})
            return
        try:
            result = action()
        except (KeyError, TypeError, ValueError) as problem:
            self._send(400, {"message": str(problem)})
            return
        self._send(200, {"ok": True} if result is None else result)
