"""A real HTTP server in the test process that receives webhooks and answers as told."""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Records every request; answers with the next of `answers` (status, body, headers), then 200."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[tuple[int, bytes, dict[str, str]]] = []
        self.always: tuple[int, bytes, dict[str, str]] | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    if receiver.answers:
                        status, reply, headers = receiver.answers.pop(0)
                    else:
                        status, reply, headers = receiver.always or (200, b'{"ok":true}', {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.answers.append((status, body, headers))

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What docs/webhooks.md tells a receiver to do."""
    timestamp = headers["X-MediaPoster-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-MediaPoster-Signature"], f"sha256={expected}")
