"""manage.py rotate_field_keys: every encrypted field under the current key and mode (docs/security.md).

The work is core.keyrotation's; this command lives in audit because it writes the audit log (core, the
lowest floor, imports no other app)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction
from audit.services import record
from core.crypto import DecryptionError
from core.keyrotation import pending, rotate


class Command(BaseCommand):
    help = ("按批次用当前密钥（与当前算法：AES 或国密 SM4/SM3）重新加密身份证号、手机号等字段并重算检索哈希；"
            "旧密钥在完成前仍可解密；中断后再次运行从断点继续；开始、每张表和结束都写入审计日志")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="每批行数（默认 1000）")
        parser.add_argument("--state", default=None,
                            help="断点文件（默认 var/key-rotation.json，或 KEY_ROTATION_STATE）")
        parser.add_argument("--check", action="store_true", help="只统计仍在旧密钥/旧算法下的行，有则退出码 1")

    def handle(self, *args, batch, state, check, **options):
        if batch < 1:
            raise CommandError("--batch 必须是正整数")
        try:
            if check:
                left = pending()
                for label, n in left.items():
                    self.stdout.write(f"{label}: {n} 行待轮换")
                if left:
                    raise CommandError(f"共 {sum(left.values())} 行仍在旧密钥或旧算法下")
                self.stdout.write("全部加密字段已在当前密钥与算法下")
                return
            state_path = Path(state or getattr(settings, "KEY_ROTATION_STATE", settings.BASE_DIR / "var"
                                                / "key-rotation.json"))
            target = _target_text()
            record(actor=None, action=AuditAction.KEY_ROTATION, object_type="core.crypto",
                   object_repr=f"字段密钥轮换开始（{target}）", changes={"status": "started", **_ids()})

            def progress(label, counts):
                self.stdout.write(f"{label}: 已检查 {counts.rows} 行，重新加密 {counts.re_encrypted}，"
                                  f"重算哈希 {counts.re_hashed}")

            result = rotate(batch=batch, state_path=state_path, progress=progress)
        except DecryptionError as exc:
            raise CommandError(f"有数据无法用当前或旧密钥解密，已停止（已完成的批次保留，可补上旧密钥后继续）：{exc}")
        for label, counts in result.tables.items():
            record(actor=None, action=AuditAction.KEY_ROTATION, object_type=label,
                   object_repr=f"字段密钥轮换：{label}", changes={"status": "table_done", **counts.as_dict()})
        left = pending()
        record(actor=None, action=AuditAction.KEY_ROTATION, object_type="core.crypto",
               object_repr=f"字段密钥轮换结束（{target}）",
               changes={"status": "finished" if not left else "incomplete", "pending": left,
                        "resumed_from": result.resumed_from, **_ids()})
        if left:
            raise CommandError(f"仍有 {sum(left.values())} 行未轮换（运行期间被修改？），请再次运行")
        state_path.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(
            "轮换完成：全部加密字段已在当前密钥与算法下；现在可以从 DANGJIAN_FIELD_KEYS_OLD 中去掉旧密钥"))


def _ids():
    from core.crypto import current_key_ids

    return current_key_ids()


def _target_text() -> str:
    ids = _ids()
    mode = "国密 SM4-GCM/HMAC-SM3" if ids["mode"] == "sm" else "AES-256-GCM/HMAC-SHA256"
    return f"{mode}，字段密钥 {ids['field_key']}，哈希密钥 {ids['hash_key']}"
