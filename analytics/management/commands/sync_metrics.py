import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.harvest import harvest


class Command(BaseCommand):
    help = (
        "Read the engagement Blotato has collected for published posts (all users, or those named) "
        "and store each snapshot once; what beat runs twice a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", metavar="USERNAME")
        parser.add_argument("--days", type=int, default=None, help="posts published this many days back (default 35)")

    def handle(self, usernames, days, **options):
        if days is not None and not 1 <= days <= 400:
            raise CommandError("--days must be from 1 to 400.")
        users = None
        if usernames:
            users = list(get_user_model().objects.filter(username__in=usernames))
            missing = sorted(set(usernames) - {u.get_username() for u in users})
            if missing:
                raise CommandError(f"No user named {', '.join(missing)}.")
        read = 0

        def progress(what: str) -> None:
            nonlocal read
            read += 1
            sys.stderr.write(f"\r{read:>5} read · {what[:60]:<60}")
            sys.stderr.flush()

        report = harvest(users, at=timezone.now(), days=days, progress=progress)
        if read:
            sys.stderr.write("\n")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        self.stdout.write(report.line())
