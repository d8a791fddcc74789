"""`manage.py fake_blotato`: the fake Blotato API in the foreground, with sandbox accounts."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from publishing.fake_blotato import FakeBlotato


class Command(BaseCommand):
    help = "Run the fake Blotato API in the foreground (sandbox mode, manual testing) until Ctrl-C or SIGTERM."
    requires_system_checks = []  # it needs no database or URLs; start even while the app is half-built

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5556, help="0 picks a free port")
        parser.add_argument(
            "--key", action="append", default=[], help="API key with sandbox accounts (repeatable; default: sandbox)"
        )
        parser.add_argument("--latency-ms", type=float, default=0.0, help="added before every answer")
        parser.add_argument(
            "--publish-delay", type=float, default=2.0, help="seconds a post stays in-progress before it is live"
        )
        parser.add_argument("--no-rate-limit", action="store_true")

    def handle(self, *args, **options) -> None:
        fake = FakeBlotato(options["host"], options["port"])
        for key in options["key"] or ["sandbox"]:
            fake.add_sandbox_key(key)
        fake.set_knobs(latency_s=options["latency_ms"] / 1000, publish_delay_s=options["publish_delay"])
        if options["no_rate_limit"]:
            fake.set_knobs(rate_limits=None)

        stopping = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        fake.start()
        # Never print the keys: the sandbox key may be a real-looking secret in someone's settings.
        self.stdout.write(f"Fake Blotato on {fake.url}/v2 (controls under {fake.url}/__fake__/); Ctrl-C stops it.")
        while not stopping.wait(0.5):
            pass
        fake.stop()
