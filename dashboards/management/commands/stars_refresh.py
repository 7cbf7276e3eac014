"""Nightly: bring every unit's star-board figures of the current year up to date (cron, see
docs/deployment.md). Committee overrides stay."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cobuild.services import star_board_nightly
from meetings.selectors import unit_attendance


class Command(BaseCommand):
    help = "按最新台帐刷新本年度星光榜（每晚运行）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        n = star_board_nightly(year=year, attendance_of=unit_attendance)
        self.stdout.write(f"已刷新 {year} 年度星光榜：{n} 个单位")
