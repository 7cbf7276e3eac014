"""Delete member photo files that no member record names any more (left behind when a process died
between writing a new photo and committing it), once they are older than a grace period, so a photo
being saved right now is never touched. Safe to run from cron (e.g. daily); `--dry-run` only lists."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete unreferenced member photo files older than --hours (default 24) from PRIVATE_MEDIA_ROOT"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0, help="grace period (files younger are kept)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    def handle(self, *args, hours: float, dry_run: bool, **options):
        from members.services import sweep_orphan_photos

        if hours < 1:
            self.stderr.write("--hours 不能小于 1：正在保存的照片可能还没有提交")
            return
        orphans, total = sweep_orphan_photos(hours=hours, dry_run=dry_run)
        if options["verbosity"] > 1:
            for name in orphans:
                self.stdout.write(name)
        if options["verbosity"]:
            verb = "可删除" if dry_run else "已删除"
            self.stdout.write(f"{verb} {len(orphans)} 个无人引用的照片文件"
                              f"（共 {total} 个，保留 {hours:g} 小时内的新文件）")
