"""Delete member photo files that no member record names any more (left behind when a process died
between writing a new photo and committing it), once they are older than a grace period, so a photo
being saved right now is never touched. Safe to run from cron (e.g. daily); `--dry-run` only lists."""

import time

from django.core.management.base import BaseCommand

PHOTO_DIR = "members/photos"


class Command(BaseCommand):
    help = "Delete unreferenced member photo files older than --hours (default 24) from PRIVATE_MEDIA_ROOT"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0, help="grace period (files younger are kept)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    def handle(self, *args, hours: float, dry_run: bool, **options):
        from members.models import PartyMember, private_storage

        if hours < 1:
            self.stderr.write("--hours 不能小于 1：正在保存的照片可能还没有提交")
            return
        try:
            _dirs, files = private_storage.listdir(PHOTO_DIR)
        except FileNotFoundError:
            files = []
        names = {f"{PHOTO_DIR}/{f}" for f in files}
        # Fetched after listing: a photo committed meanwhile is in this set, or too young to go.
        used = set(PartyMember.objects.exclude(photo="").values_list("photo", flat=True))
        cutoff = time.time() - hours * 3600
        orphans = sorted(n for n in names - used
                         if private_storage.get_modified_time(n).timestamp() < cutoff)
        for name in orphans:
            if not dry_run:
                private_storage.delete(name)
            if options["verbosity"] > 1:
                self.stdout.write(name)
        if options["verbosity"]:
            verb = "可删除" if dry_run else "已删除"
            self.stdout.write(f"{verb} {len(orphans)} 个无人引用的照片文件"
                              f"（共 {len(names)} 个，保留 {hours:g} 小时内的新文件）")
