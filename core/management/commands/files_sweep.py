"""Daily sweep of uploaded files (see core.filesweep): old public uploads moved into private storage,
workbooks of finished imports and files no record names deleted. `--dry-run` only lists."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Move old uploads out of MEDIA_ROOT, delete finished import workbooks and unreferenced files"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0, help="grace period (younger orphans are kept)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be done, change nothing")

    def handle(self, *args, hours: float, dry_run: bool, **options):
        from core.filesweep import sweep_files

        if hours < 1:
            self.stderr.write("--hours 不能小于 1：正在保存的文件可能还没有提交")
            return
        result = sweep_files(hours=hours, dry_run=dry_run)
        if options["verbosity"] > 1:
            for name in result.moved + result.workbooks + result.orphans:
                self.stdout.write(name)
        if options["verbosity"]:
            verb = "将" if dry_run else "已"
            self.stdout.write(f"{verb}移入私有存储 {len(result.moved)} 个旧文件，{verb}删除已结束导入的工作簿 "
                              f"{len(result.workbooks)} 个、无人引用的文件 {len(result.orphans)} 个"
                              f"（保留 {hours:g} 小时内的新文件）")
