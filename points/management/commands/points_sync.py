from django.core.management.base import BaseCommand
from django.utils import timezone

from points import services


class Command(BaseCommand):
    help = "按已记录的事实更新党员积分台账（新事实计分，已撤销的事实冲销）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        result = services.points_sync(year=year)
        self.stdout.write(f"{year} 年：新增 {result['added']} 条，冲销 {result['reversed']} 条")
