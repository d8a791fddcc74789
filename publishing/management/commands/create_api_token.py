from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from publishing.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it (on the last line); it is shown only once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API token")

    def handle(self, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _, token = ApiToken.issue(user, name)
        self.stdout.write(f"New API token for {username} (store it now; it is not shown again):")
        self.stdout.write(token)
