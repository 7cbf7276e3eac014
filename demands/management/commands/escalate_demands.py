from django.core.management.base import BaseCommand

from demands.services import escalate_overdue


class Command(BaseCommand):
    help = "标记超期诉求，并按超期时长升级到 周纪实 / 月调度 / 季化解（可由 cron 定时执行）"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行（django-tasks）")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from demands.tasks import escalate_demands_task

            result = escalate_demands_task.enqueue()
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        out = escalate_overdue()
        self.stdout.write(f"新标记超期 {out['flagged']} 件，升级 {out['escalated']} 件")
