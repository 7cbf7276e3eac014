"""Flag Party organizations that missed a required session and tell them and the level above
(run daily by cron or the task worker)."""

from django.core.management.base import BaseCommand

from orglife.services import cadence_check


class Command(BaseCommand):
    help = "检查党组织是否按规定频次开展三会一课和主题党日，未按期的提醒本组织和上级党组织"

    def handle(self, *args, **options):
        flags = cadence_check()
        for f in flags:
            self.stdout.write(f"未按期开展：{f}")
        self.stdout.write(f"新发现 {len(flags)} 项未按期开展的组织生活（已提醒）")
