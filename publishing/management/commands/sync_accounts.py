from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from publishing.accounts import sync_accounts
from publishing.blotato import BlotatoError


class Command(BaseCommand):
    help = "Fetch connected social accounts from Blotato for one user, or for every user."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="default: every active user")

    def handle(self, usernames, **options):
        users = get_user_model().objects.filter(is_active=True)
        if usernames:
            users = users.filter(username__in=usernames)
            if users.count() != len(set(usernames)):
                raise CommandError("Unknown username among: " + ", ".join(usernames))
        for user in users:
            try:
                accounts = sync_accounts(user)
            except BlotatoError as error:
                self.stderr.write(f"{user.username}: Blotato said {error.message}")
                continue
            self.stdout.write(f"{user.username}: {len(accounts)} account(s)")
