"""`manage.py import_posts FILE --user U [--dry-run]`: the bulk import from a shell (docs/import.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from publishing.bad_input import BadInput
from publishing.bulk_import import ImportRefused, check_rows, commit_rows
from publishing.import_files import read_file

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Import posts from a CSV or JSON file: every row or none. --dry-run only checks."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="The username the posts belong to.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; create nothing.")
        parser.add_argument("--format", choices=["csv", "json"], default="", help="Default: from the file's name.")

    def handle(self, file, user, dry_run, format, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            _, rows = read_file(content, name=file.name, kind=format)
            run = check_rows if dry_run else commit_rows
            check = run(owner, rows, now=timezone.now(), progress=self._progress)
        except BadInput as refused:
            raise CommandError(f"{file}: {refused.message}") from None
        except ImportRefused as refused:
            check = refused.check
        self.stderr.write("")  # end the progress bar's line
        for row in check.rows:
            for error in row.errors:
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"row {row.number}{column}: {error.message}")
        if not check.ok:
            raise CommandError(check.summary())
        done = "would create" if dry_run else "created"
        self.stdout.write(f"{file}: {len(check.rows)} rows, {done} {check.post_count} posts (times in {check.zone}).")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        self.stderr.write(f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total} rows", ending="")
        self.stderr.flush()
