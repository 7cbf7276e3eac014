"""The background worker: first puts right the import jobs a previous worker left unfinished (see
bulkimport.recovery), then runs django-tasks' ``db_worker`` with the same arguments
(``manage.py run_worker --queue-name '*'``)."""

import sys

from django.core.management import execute_from_command_line
from django.core.management.base import BaseCommand


def recover() -> None:
    from bulkimport.recovery import recover_stuck_jobs

    done = recover_stuck_jobs()
    if done:
        sys.stdout.write(f"已恢复 {len(done)} 个中断的导入任务\n")


class Command(BaseCommand):
    help = "Recover interrupted import jobs, then run db_worker (every argument is passed on to it)"

    def run_from_argv(self, argv):
        # Everything after `run_worker` belongs to db_worker (its own parser checks it).
        recover()
        execute_from_command_line([argv[0], "db_worker", *argv[2:]])

    def handle(self, *args, **options):
        recover()
        execute_from_command_line(["manage.py", "db_worker"])
