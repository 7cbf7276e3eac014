from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    MOVE = "move", "移动"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "账户锁定"
    UNLOCK = "unlock", "账户解锁"
    VIEW_PII = "view_pii", "查看个人信息"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    TRANSITION = "transition", "流转"
    ARCHIVE = "archive", "归档"
    KEY_ROTATION = "key_rotation", "密钥轮换"


class AuditEntry(models.Model):
    """One append-only line of the audit log (等保: who did what to which object, when)."""

    # Set by audit.services.record() before the entry's hash is computed (part of the hashed content).
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
    )
    # Kept as text so the entry stays readable even if the account is renamed or removed.
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    purpose = models.CharField("查看事由", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    # The hash chain (audit/chain.py): 1, 2, 3, ... without gaps; each entry's hash covers its content
    # and the previous entry's hash.
    seq = models.BigIntegerField("序号", null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField("前一条校验值", max_length=64, blank=True, editable=False)
    entry_hash = models.CharField("校验值", max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")
