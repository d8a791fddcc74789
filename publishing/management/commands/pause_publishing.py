from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from publishing import pause


class Command(BaseCommand):
    help = "Hold every due post of the install (or of one user with --user) until resume_publishing."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="pause only this user's posts")

    def handle(self, user=None, **options):
        owner = user_named(user) if user else None
        paused = pause.pause(owner, by="manage.py pause_publishing")
        whose = f"{owner.get_username()}'s posts" if owner else "all publishing"
        since = f"{paused.started_at:%Y-%m-%d %H:%M:%S} UTC"
        self.stdout.write(f"Paused {whose} (since {since}). Nothing is sent until resumed.")


def user_named(username: str):
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise CommandError(f"No user named {username!r}.")
    return owner
