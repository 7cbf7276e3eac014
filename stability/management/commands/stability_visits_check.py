from django.core.management.base import BaseCommand

from stability.services import key_visits_check


class Command(BaseCommand):
    help = "Key people whose visit is overdue: flagged once to the community secretary (safe to run twice)."

    def handle(self, *args, **options):
        n = key_visits_check()
        self.stdout.write(f"flagged {n} overdue key-person visits")
