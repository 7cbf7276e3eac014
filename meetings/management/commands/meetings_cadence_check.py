"""Flag bodies that missed their cadence and notify their secretaries (run daily by cron/tasks)."""

from django.core.management.base import BaseCommand

from meetings.services import cadence_check


class Command(BaseCommand):
    help = "检查议事机构是否按规定频次召开会议，未按期的提醒其秘书"

    def handle(self, *args, **options):
        flagged = cadence_check()
        for body in flagged:
            self.stdout.write(f"未按期开会：{body}")
        self.stdout.write(f"共 {len(flagged)} 个议事机构未按期开会（已提醒）")
