"""The community's reminders to members who fall short (seed 004: members living here without a 制度上的保证)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from audit.models import AuditAction
from audit.services import record
from notifications.services import notify
from regions.models import Region

from .. import selectors
from ..rules import P
from .common import require_at, today

REMINDERS = {
    "not_registered": ("请到居住地社区报到", "在职党员应到居住地社区报到（双报到），参加社区的党员岗位和志愿服务。",
                       "vanguard:my_register"),
    "no_post": ("请认领社区党员岗位", "社区已设置党员岗位，请选择一个岗位，作出岗位承诺。", "vanguard:my_posts"),
    "no_pledge": ("请作出今年的承诺", "请作出岗位承诺或实事承诺（申诺），经支部议诺、上级审诺后公开示诺。",
                  "vanguard:my_pledge_new"),
    "no_hours": ("欢迎参加社区志愿服务", "社区发布了志愿服务活动，欢迎报名参加。", "vanguard:my_activities"),
}


@transaction.atomic
def members_remind(*, actor, community: Region, kind: str) -> int:
    """Notify every member of one of the community's short lists who has an account; returns how many."""
    require_at(actor, P.MANAGE, community.path, f"提醒“{community}”的党员")
    if kind not in REMINDERS:
        raise ValidationError({"kind": "提醒类型不正确"})
    members = selectors.members_short(community, today().year)[kind].filter(user__isnull=False).select_related("user")
    users = [m.user for m in members[:2000]]
    title, body, url = REMINDERS[kind]
    if users:
        notify(recipients=users, title=title, body=f"{community.name}：{body}", link=reverse(url))
    record(actor=actor, action=AuditAction.UPDATE, obj=community, changes={"reminded": [kind, len(users)]})
    return len(users)
