"""manage.py restore FILE --verify: restore a backup into a scratch database and check it (row counts of
every table against the manifest, the audit hash chain and its head, the files); the scratch database
is dropped afterwards (--keep-scratch keeps it). Exit 1 on any difference.

manage.py restore FILE --into postgres://…/newdb --files-dir DIR: the disaster-recovery restore into an
empty database and an empty folder (then point DATABASE_URL and PRIVATE_MEDIA_ROOT at them)."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from core.backup import (
    BackupError,
    Database,
    create_database,
    drop_database,
    restore_database,
    restore_files,
    unpack,
    verify_restored,
)


class Command(BaseCommand):
    help = "把备份恢复到临时库并核对（--verify），或恢复到新建的空库（--into）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--verify", action="store_true", help="恢复到临时库，核对行数、审计链与文件")
        parser.add_argument("--keep-scratch", action="store_true", help="核对后保留临时库")
        parser.add_argument("--into", help="目标空库的 postgres:// 地址（灾难恢复）")
        parser.add_argument("--files-dir", help="私有文件恢复到的空目录（与 --into 同用）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到备份文件 {path}")
        if options["verify"] == bool(options["into"]):
            raise CommandError("请指定 --verify（核对）或 --into（恢复到空库）之一")
        try:
            with tempfile.TemporaryDirectory(prefix="dangjian-restore-") as tmp:
                parts, manifest = unpack(path, Path(tmp))
                if options["verify"]:
                    self._verify(parts, manifest, keep=options["keep_scratch"], tmp=Path(tmp))
                else:
                    self._restore(parts, options["into"], options["files_dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None

    def _verify(self, parts, manifest, *, keep: bool, tmp: Path) -> None:
        server = Database.from_settings()
        name = f"{server.name}_verify_{secrets.token_hex(4)}"[:63]
        scratch = create_database(server, name)
        try:
            restore_database(parts["database.dump"], scratch)
            problems = verify_restored(scratch, manifest)
            files = restore_files(parts["files.tar"], tmp / "files")
            if (files["count"], files["bytes"]) != (manifest["files"]["count"], manifest["files"]["bytes"]):
                problems.append(f"文件：备份时 {manifest['files']['count']} 个，恢复出 {files['count']} 个")
        finally:
            if not keep:
                drop_database(server, name)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"备份核对未通过：{len(problems)} 处不符")
        rows = sum(manifest["tables"].values())
        head = manifest.get("audit_head") or {}
        self.stdout.write(f"备份核对通过：{len(manifest['tables'])} 张表 {rows} 行与清单一致，审计链完整"
                          f"（第 {head.get('seq', 0)} 条），{files['count']} 个文件"
                          + (f"；临时库 {name} 已保留" if keep else ""))

    def _restore(self, parts, url: str, files_dir: str | None) -> None:
        if not files_dir:
            raise CommandError("--into 需要同时给出 --files-dir")
        folder = Path(files_dir)
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} 不是空目录")
        conf = dj_database_url.parse(url)
        target = Database(host=conf.get("HOST") or "127.0.0.1", port=int(conf.get("PORT") or 5432),
                          user=conf.get("USER") or "", password=conf.get("PASSWORD") or "", name=conf["NAME"])
        restore_database(parts["database.dump"], target)
        files = restore_files(parts["files.tar"], folder)
        self.stdout.write(f"已恢复到 {target.name}，文件 {files['count']} 个到 {folder}；"
                          "请把 DATABASE_URL 与 PRIVATE_MEDIA_ROOT 指向它们")
