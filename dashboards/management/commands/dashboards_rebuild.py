"""Nightly: recount every rollup table of the leaders' dashboards (the scheduler runs commands without
arguments; this is `dashboards_refresh --full`)."""

from django.core.management.base import BaseCommand

from dashboards.rollup import rollup_refresh


class Command(BaseCommand):
    help = "全部重算数据驾驶舱的汇总表（每晚运行）"

    def handle(self, *args, **options):
        run = rollup_refresh(full=True)
        self.stdout.write(f"数据驾驶舱汇总已全部重算，用时 {run.seconds:.1f} 秒")
