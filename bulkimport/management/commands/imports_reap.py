"""Put right import jobs left 排队中/校验中/保存中 by a process that died (see bulkimport.recovery).
Safe at any time: a job whose process is alive is never touched. Cron: every 10 minutes."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Finish import jobs whose worker died: DONE if their rows were committed, FAILED (nothing saved) if not"

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=None,
                            help="only jobs started at least this long ago (workers on several hosts)")

    def handle(self, *args, minutes, **options):
        from bulkimport.recovery import recover_stuck_jobs

        done = recover_stuck_jobs(minutes=minutes)
        if options["verbosity"]:
            self.stdout.write(f"已恢复 {len(done)} 个中断的导入任务" + "".join(f"\n  #{pk} → {status}"
                                                                   for pk, status in done))
