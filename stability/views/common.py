"""What the pages of the defence line share: permission guards, parsing posted values, and the stated
purpose under which key-person pages are shown (each view of them is audited with it)."""

from __future__ import annotations

import time as _time
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.scope import require_perm
from audit.models import AuditAction
from audit.services import record

PURPOSE_KEY = "stability_purpose"
PURPOSE_SECONDS = 30 * 60
PURPOSES = ["例行走访", "帮教工作", "风险研判", "矛盾调解", "上级督查", "其他"]


def need(request, perm: str, what: str = "访问此页面") -> None:
    require_perm(request.user, perm, what=what)


def flash(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def day(value):
    try:
        return parse_date((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def moment(value):
    """A datetime-local input (YYYY-MM-DDTHH:MM) in the deployment's time zone; None when unreadable."""
    try:
        dt = parse_datetime((value or "").strip()[:19]) if value else None
    except ValueError:
        return None
    if dt is not None and timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def number(value, default=0):
    value = (value or "").strip()
    if not value:
        return default
    return int(value) if value.isdigit() and len(value) <= 12 else value


def purpose_of(request) -> str | None:
    """The purpose the viewer stated for seeing key people, while it holds (30 minutes)."""
    held = request.session.get(PURPOSE_KEY)
    if not held or held.get("until", 0) < _time.time() or held.get("user") != request.user.pk:
        return None
    return held["text"]


def purpose_set(request, text: str) -> None:
    request.session[PURPOSE_KEY] = {"text": text, "until": _time.time() + PURPOSE_SECONDS, "user": request.user.pk}


def ask_purpose(request):
    return render(request, "stability/purpose.html", {"next": request.get_full_path(), "purposes": PURPOSES})


def audit_view(request, purpose: str, *, obj=None, object_repr: str = "", ids=None, page: str) -> None:
    """One audit entry per page of key people shown, with the purpose stated."""
    record(actor=request.user, action=AuditAction.VIEW_PII, obj=obj, object_type="" if obj else "stability.keyperson",
           object_repr=object_repr, changes={"page": page, **({"ids": ids} if ids is not None else {})},
           purpose=purpose)


def now_local() -> datetime:
    return timezone.localtime()
