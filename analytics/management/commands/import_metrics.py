import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from analytics import importers
from publishing.zones import user_zone


class Command(BaseCommand):
    help = "Import post metrics from a CSV file for a user (all rows or none; re-importing updates)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username")

    def handle(self, file, user, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            rows = importers.rows_from_csv(file.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        except importers.BadRows as bad:
            raise CommandError(f"{bad} {bad.problems}") from None
        total = len(rows)

        def progress(done: int) -> None:
            if total >= 5000:  # a bar only where there is something to wait for
                filled = int(30 * done / total)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} rows checked")
                sys.stderr.flush()

        try:
            result = importers.import_metrics(owner, rows, user_zone(owner), progress=progress)
        except importers.BadRows as bad:
            lines = [
                f"  row {n}: " + "; ".join(f"{k}: {v}" for k, v in errs.items())
                for n, errs in sorted(bad.problems.items())
            ]
            raise CommandError(f"{bad}\n" + "\n".join(lines)) from None
        if total >= 5000:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{total} rows from {file.name}: {result.imported} imported, {result.updated} updated, "
            f"{result.already_harvested} already known from Blotato."
        )
