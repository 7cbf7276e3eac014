"""Remind the liaisons of invited units that have not replied to a meeting of today or tomorrow
(run daily by cron, like meetings_cadence_check; each invitation is reminded once)."""

from django.core.management.base import BaseCommand

from meetings.services import reply_reminders


class Command(BaseCommand):
    help = "提醒尚未回执的受邀单位联络员（今明两天召开的会议，每个邀请只提醒一次；可由 cron 每天执行）"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行（django-tasks）")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from meetings.tasks import reply_reminders_task

            result = reply_reminders_task.enqueue()
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        self.stdout.write(f"已发送回执提醒 {reply_reminders()} 条")
