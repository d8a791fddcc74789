import contextlib

from django.core.management.base import BaseCommand

from publishing.fake_blotato import FakeBlotato


class Command(BaseCommand):
    help = "Run the fake Blotato API in the foreground (sandbox mode and manual testing)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5556)
        parser.add_argument("--key", action="append", default=[], help="API key to accept (repeatable)")
        parser.add_argument("--latency-ms", type=float, default=0)
        parser.add_argument("--publish-delay", type=float, default=2.0, help="seconds before a post goes live")
        parser.add_argument("--no-rate-limit", action="store_true")

    def handle(self, host, port, key, latency_ms, publish_delay, no_rate_limit, **options):
        fake = FakeBlotato(host, port)
        for each in key or ["sandbox"]:
            fake.add_sandbox_key(each)
        fake.set_knobs(latency_s=latency_ms / 1000, publish_delay_s=publish_delay)
        if no_rate_limit:
            fake.set_knobs(rate_limits=None)
        self.stdout.write(f"Fake Blotato on {fake.url}/v2 (control: {fake.url}/__fake__/); Ctrl-C stops it.")
        with contextlib.suppress(KeyboardInterrupt):
            fake.serve_forever()
