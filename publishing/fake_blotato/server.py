"""The fake Blotato's HTTP side: a threading HTTP/1.1 server, the request pipeline
(route, key, rate limit, body, faults), and hanging up without a word when a fault says so."""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from . import control
from .records import REFUSING_FAULTS
from .replies import Call, Reply, bad_request, error, fault_reply, not_found, rate_limited
from .routes import find_route, serve_media

if TYPE_CHECKING:
    from . import FakeBlotato

logger = logging.getLogger(__name__)

KEY_HEADER = "blotato-api-key"
MEDIA_PATH = re.compile(r"^/media/(?P<name>[0-9a-f]{32}\.[\w]+)$")
EMPTY_BODY_MESSAGE = "Body cannot be empty when content-type is set to 'application/json'"


def something_went_wrong() -> Reply:
    return Reply(500, {"statusCode": 500, "error": "Internal Server Error", "message": "Something went wrong"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # bursts of ~1000 POSTs from several worker processes
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeBlotato) -> None:
        super().__init__(address, Handler)
        self.fake = fake
        self.state = fake.state

    def handle_error(self, request, client_address) -> None:
        # Clients that gave up (timeouts, dropped connections) are part of the job, not errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        logger.exception("fake Blotato: unexpected error while serving a request")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    # Headers and body leave in two writes; with Nagle's algorithm on, the body then waits ~40 ms
    # for the client's delayed ACK, on every request.
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back eventually
    server: Server

    def log_message(self, format: str, *args) -> None:
        pass  # quiet; and a request line or header could carry a secret

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True  # we cannot find the end of the body, so the connection is done
            self._send(error(411, "Content-Length is required"))
            return
        try:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        except ValueError:
            self.close_connection = True
            self._send(bad_request("Invalid Content-Length"))
            return
        media = MEDIA_PATH.match(url.path)
        if media and self.command in ("GET", "HEAD"):
            self._send(serve_media(self.server.state, media["name"]))
            return
        if url.path.startswith("/__fake__/"):
            try:
                reply = control.handle(self.server.fake, self.command, url.path, query, raw)
            except Exception:
                logger.exception("fake Blotato control %s %s failed", self.command, url.path)
                reply = something_went_wrong()
            self._send(reply)
            return
        self._send(self._blotato(url.path, query, raw))

    def _blotato(self, path: str, query: dict[str, list[str]], raw: bytes) -> Reply:
        """Answer a /v2 request, recording it before the answer leaves so tests never race it."""
        state = self.server.state
        received_at = state.now()  # before the simulated latency: when the request arrived
        latency = state.knob("latency_s")
        if isinstance(latency, (list, tuple)):
            latency = random.uniform(float(latency[0]), float(latency[1]))
        if latency:
            time.sleep(latency)
        entry = {
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {name: value for name, value in self.headers.items() if name.lower() != KEY_HEADER},
            "body": None,
            "status": None,
            "at": state.now(),
            "received_at": received_at,
        }
        try:
            reply = self._answer(path, query, raw, entry)
        except Exception:
            logger.exception("fake Blotato failed on %s %s", self.command, path)
            reply = something_went_wrong()
        entry["status"] = reply.status
        state.record(entry)
        return reply

    def _answer(self, path: str, query: dict[str, list[str]], raw: bytes, entry: dict) -> Reply:
        state = self.server.state
        body, bad_body = self._parse_body(raw)
        entry["body"] = _loggable(body)
        found = find_route(self.command, path)
        if found is None:
            return not_found()
        route, handler, params = found
        key = self.headers.get(KEY_HEADER)
        data = state.key_data(key)
        if data is None:
            return error(401, "Unauthorized")
        if data.no_plan:
            return error(403, "Your plan does not include API access")

        headers = {}
        count = state.count_request(data.user_id, route)
        if count and count.limited:
            return rate_limited(
                count.reset,
                count.limit,
                retry_after=state.knob("retry_after_header"),
                ratelimit=state.knob("ratelimit_headers"),
            )
        if count and state.knob("ratelimit_headers"):
            headers = {
                "x-ratelimit-limit": str(count.limit),
                "x-ratelimit-remaining": str(count.remaining),
                "x-ratelimit-reset": str(count.reset),
            }
        if bad_body:
            return bad_body

        fault = state.take_fault(route, body, REFUSING_FAULTS)
        drawn = None if fault else state.draw_fault(route)
        if drawn and drawn.fault in REFUSING_FAULTS:
            fault, drawn = drawn, None
        if fault:
            reply = fault_reply(
                fault,
                retry_after=state.knob("retry_after_header"),
                ratelimit=state.knob("ratelimit_headers"),
                hang_seconds=state.knob("hang_seconds"),
            )
        else:
            reply = handler(Call(state, key, data, params, query, body, self.server.fake.url, drawn))
        if reply.status is not None:
            reply.headers = {**headers, **reply.headers}
        return reply

    def _parse_body(self, raw: bytes) -> tuple[object, Reply | None]:
        """Fastify's rules: JSON only, never an empty JSON body; GET bodies are not parsed."""
        if self.command == "GET":
            return None, None
        content_type = self.headers.get("Content-Type") or ""
        if "json" not in content_type.lower():
            if raw:
                return None, Reply(
                    415,
                    {
                        "statusCode": 415,
                        "error": "Unsupported Media Type",
                        "message": f"Unsupported Media Type: {content_type or 'none'}",
                    },
                )
            return None, None
        if not raw.strip():
            return None, bad_request(EMPTY_BODY_MESSAGE)
        try:
            return json.loads(raw), None
        except (ValueError, RecursionError):
            return None, bad_request("Unexpected token in JSON body")

    def _send(self, reply: Reply) -> None:
        if reply.wait:
            time.sleep(reply.wait)
        if reply.status is None:
            self._hang_up()
            return
        data = reply.payload()
        try:
            self.send_response(reply.status)
            if data:
                content_type = reply.content_type
                textual = content_type.startswith(("application/json", "text/"))
                self.send_header("Content-Type", f"{content_type}; charset=utf-8" if textual else content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client left first (its own timeout)

    def _hang_up(self) -> None:
        """Close the socket without an answer: the client cannot tell what happened."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _loggable(body: object) -> object:
    """The body as the request log keeps it: a data URI (megabytes of base64) shortened to its head and size."""
    url = body.get("url") if isinstance(body, dict) else None
    if isinstance(url, str) and url.startswith("data:") and len(url) > 200:
        return {**body, "url": f"{url[:80]}… ({len(url)} characters)"}
    return body
