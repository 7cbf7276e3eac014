from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import Role


class User(AbstractUser):
    """A person who signs in. Roles come from RoleAssignment rows, never from flags here."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    failed_login_count = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    # 等保: a password set by someone else (a new account, a reset) is changed at the next sign-in.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # The accounts of a demo deployment (README): exempt from the forced change and 2FA enrolment.
    is_demo = models.BooleanField("演示账号", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class RoleAssignment(models.Model):
    """A role held by a user within the subtree of one territory node."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="管辖范围", null=True, blank=True, on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField("分配时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="unique_role_assignment"),
        ]

    def __str__(self) -> str:
        where = f" @ {self.region}" if self.region_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class PasswordHistory(models.Model):
    """The hashes of a user's earlier passwords: a new one may not repeat the last PASSWORD_HISTORY."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
