from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry
from .perms import AUDIT_VIEW


def audit_entries(*, actor, q: str = "", action: str = "", date_from=None, date_to=None, object_type: str = "",
                  object_id: str = "") -> QuerySet[AuditEntry]:
    """The log, for the audit admin only (它不是业务数据: no territorial scope applies)."""
    if not actor.has_perm(AUDIT_VIEW):
        raise PermissionDenied("只有审计管理员可以查看审计日志")
    qs = AuditEntry.objects.all()
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q) | Q(object_type__icontains=q))
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    return qs


def chain_report(*, actor, latest: int = 10_000):
    """The hash chain's state over the newest `latest` entries, for the audit admin only."""
    from .chain import verify

    if not actor.has_perm(AUDIT_VIEW):
        raise PermissionDenied("只有审计管理员可以校验审计日志")
    return verify(latest=latest)
