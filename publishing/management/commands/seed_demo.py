import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from publishing.accounts import sync_accounts
from publishing.blotato import BlotatoError
from publishing.demo import seed_demo_calendar
from publishing.models import ApiToken, Clip

MAKE_RUN_TOKEN = "make run"
DEMO_CLIPS = [
    ("Behind the scenes", "https://cdn.example.com/demo/behind-the-scenes.mp4"),
    ("Product teaser", "https://cdn.example.com/demo/product-teaser.mp4"),
    ("Customer story", "https://cdn.example.com/demo/customer-story.mp4"),
]


class Command(BaseCommand):
    help = "Create the demo user (demo / demo-password) with clips, synced accounts and an API token."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-password")
        parser.add_argument(
            "--token-file",
            help="write the demo's API token to this file (mode 0600, replacing the previous one) "
            "instead of printing it",
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="sandbox only: two months of published posts (with engagement) and a month around today",
        )

    def handle(self, username, password, history, token_file=None, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
        if created:
            user.set_password(password)
            user.save()
        for title, url in DEMO_CLIPS:
            Clip.objects.get_or_create(owner=user, title=title, defaults={"media_url": url})
        try:
            accounts = sync_accounts(user)
            self.stdout.write(f"Synced {len(accounts)} social account(s) from Blotato.")
        except BlotatoError as error:
            self.stderr.write(
                f"Could not sync accounts from Blotato yet ({error.message}); "
                "run `python manage.py sync_accounts` later."
            )
        if history:
            made = seed_demo_calendar(user)
            if made:
                self.stdout.write(
                    f"Demo calendar: {made['published']} published posts ({made['harvested']} engagement "
                    f"snapshots), {made['upcoming']} upcoming, 1 failed, 1 to review."
                )
        if token_file:
            # One token for `make run` at a time: the file always holds the one that works.
            ApiToken.objects.filter(user=user, name=MAKE_RUN_TOKEN).delete()
            _, token = ApiToken.issue(user, MAKE_RUN_TOKEN)
            write_secret(Path(token_file), token)
            self.stdout.write(f"API token for {username} written to {token_file}")
            return
        _, token = ApiToken.issue(user, MAKE_RUN_TOKEN)
        self.stdout.write(f"Demo login: {username} / {password} (at /login/)")
        self.stdout.write(f"API token for {username}:")
        self.stdout.write(token)


def write_secret(path: Path, text: str) -> None:
    """Write a file only its owner can read: created 0600, never readable by others in between."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
