from django.core.management.base import BaseCommand

from assessment.services import escalate_overdue


class Command(BaseCommand):
    help = "Raise overdue assignments and problems up the tree (community → street → district); idempotent."

    def handle(self, *args, **options):
        counts = escalate_overdue()
        self.stdout.write(f"escalated assignments={counts['assignments']} problems={counts['problems']}")
