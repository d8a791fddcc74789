import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from publishing import dispatch, reconcile
from publishing.models import Status


class Command(BaseCommand):
    help = (
        "Publish due posts and follow up the sent ones in this process, without Celery: once, or every "
        "DISPATCH_INTERVAL_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, once, **options):
        while True:
            reaped, polled, verified = reconcile_once()
            self.stdout.write(f"checked {polled} submitted and {verified} verifying post(s); {reaped} lease(s) expired")
            self.stdout.write(f"dispatched {dispatch.run_once()} post(s)")
            if once:
                return
            time.sleep(settings.DISPATCH_INTERVAL_SECONDS)


def reconcile_once() -> tuple[int, int, int]:
    """The reconcile_posts task's sweep, with each check run here instead of sent to a worker.

    It runs before dispatching, so a post whose worker vanished can be sent again in the same pass.
    """
    at = timezone.now()
    reaped = reconcile.reap_expired_leases(at=at)
    submitted = reconcile.posts_to_check(Status.SUBMITTED, at=at)
    for post_id in submitted:
        reconcile.poll_submitted(post_id)
    verifying = reconcile.posts_to_check(Status.VERIFYING, at=at)
    for post_id in verifying:
        reconcile.verify_unknown_outcome(post_id)
    return reaped, len(submitted), len(verifying)
