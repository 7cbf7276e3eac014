"""Refresh the rollup tables of the leaders' dashboards: incremental every 10 minutes, full nightly
(cron, see docs/dashboards.md)."""

from django.core.management.base import BaseCommand

from dashboards.rollup import rollup_refresh


class Command(BaseCommand):
    help = "刷新数据驾驶舱的汇总表（默认只重算有变化的日期；--full 全部重算，每晚运行）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全部重算")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行（django-tasks）")

    def handle(self, *args, full=False, enqueue=False, **options):
        if enqueue:
            from dashboards.tasks import rollup_refresh_task

            result = rollup_refresh_task.enqueue(full=full)
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        run = rollup_refresh(full=full)
        what = "全部重算" if run.full else f"重算 {run.days} 天"
        self.stdout.write(f"数据驾驶舱汇总已刷新（{what}），用时 {run.seconds:.1f} 秒")
