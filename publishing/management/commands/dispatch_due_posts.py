import time

from django.conf import settings
from django.core.management.base import BaseCommand

from publishing import dispatch


class Command(BaseCommand):
    help = "Publish due posts in this process, without Celery: once, or every DISPATCH_INTERVAL_SECONDS."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, once, **options):
        while True:
            sent = dispatch.run_once()
            self.stdout.write(f"dispatched {sent} post(s)")
            if once:
                return
            time.sleep(settings.DISPATCH_INTERVAL_SECONDS)
