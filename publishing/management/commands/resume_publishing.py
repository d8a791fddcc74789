from django.core.management.base import BaseCommand

from publishing import pause

from .pause_publishing import user_named


class Command(BaseCommand):
    help = "End the pause made by pause_publishing; posts later than their grace period become missed."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="resume only this user's posts")

    def handle(self, user=None, **options):
        owner = user_named(user) if user else None
        whose = f"{owner.get_username()}'s posts" if owner else "all publishing"
        outcome = pause.resume(owner, by="manage.py resume_publishing")
        if not outcome.was_paused:
            self.stdout.write(f"Nothing to resume: {whose} was not paused.")
            return
        self.stdout.write(
            f"Resumed {whose}. {outcome.missed} post(s) were later than their grace period and are now missed "
            "(listed on each owner's settings page to reschedule)."
        )
