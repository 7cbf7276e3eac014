"""manage.py backup --dir DIR [--keep N]: the database and the private files in one encrypted file
(core.backup), recorded in the audit log; the oldest backups beyond N are deleted."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction
from audit.services import record
from core.backup import BackupError, make_backup, prune


class Command(BaseCommand):
    help = "备份数据库（pg_dump 自定义格式）与私有文件，加密写入一个文件"

    def add_arguments(self, parser):
        parser.add_argument("--dir", required=True, help="备份文件所在目录")
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的 N 份（默认全部保留）")

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        try:
            path, manifest = make_backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = path.stat().st_size
        record(actor=None, action=AuditAction.EXPORT, object_type="backup", object_repr=path.name,
               changes={"file": path.name, "bytes": size, "tables": len(manifest["tables"]),
                        "files": manifest["files"]["count"]})
        gone = prune(directory, options["keep"])
        self.stdout.write(f"备份完成：{path}（{size / 1024 / 1024:.1f} MB，{len(manifest['tables'])} 张表，"
                          f"{manifest['files']['count']} 个文件）" + (f"，删除旧备份 {len(gone)} 份" if gone else ""))
