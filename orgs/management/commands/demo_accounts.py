import unicodedata

from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.roles import Role
from core.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts, one per role, with their password."

    def handle(self, *args, **options):
        users = User.objects.filter(username__in=["admin"] + [u for u, *_ in _demo()]).prefetch_related(
            "role_assignments__region"
        )
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write(f"  {_pad('账号', 14)}{_pad('角色', 24)}管辖范围")
        for user in sorted(users, key=lambda u: (u.username != "admin", u.pk)):
            if user.is_superuser:
                self.stdout.write(f"  {_pad(user.username, 14)}{_pad('超级管理员（管理后台）', 24)}全部")
                continue
            for a in user.role_assignments.all():
                where = "—"
                if a.region_id:
                    where = " / ".join([*(x.name for x in a.region.ancestors()), a.region.name])
                self.stdout.write(f"  {_pad(user.username, 14)}{_pad(Role(a.role).label, 24)}{where}")
        self.stdout.write("")


def _demo():
    from orgs.demo import ACCOUNTS

    return ACCOUNTS


def _pad(text: str, width: int) -> str:
    """Left-align by display width: a CJK character takes two terminal columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)
