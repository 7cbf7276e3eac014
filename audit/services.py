"""Writing the audit log. Domain services call these; audit imports no domain app."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from core.masking import mask_value

from . import chain
from .middleware import current_ip
from .models import AuditAction, AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (FKs by their str()), for a later diff."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(
    old: dict[str, Any], new: dict[str, Any], *, personal: dict[str, str] | None = None
) -> dict[str, list[Any]]:
    """{field: [old, new]} for fields that changed; personal fields (name → mask kind) masked."""
    personal = personal or {}
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in personal:
            kind = personal[key]
            before = mask_value(kind, before) if before else before
            after = mask_value(kind, after) if after else after
        changes[key] = [before, after]
    return changes


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    purpose: str = "",
) -> AuditEntry:
    """Append one entry. Call inside the service's transaction so it commits with the write."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else "匿名"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        purpose=purpose[:200],
        ip=chain.normalize_ip(current_ip.get()),
    )
    # Stored JSON comes back with sorted keys and plain types: hash what will be read back.
    entry.changes = json.loads(json.dumps(entry.changes, cls=DjangoJSONEncoder))
    with transaction.atomic():
        chain.lock_head()
        last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "entry_hash").first()
        entry.seq, entry.prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        entry.at = timezone.now()
        entry.entry_hash = chain.entry_digest(entry)
        entry.save()
    return entry


def record_pii_view(*, actor, obj: models.Model, fields: list[str], purpose: str) -> AuditEntry:
    """A read of unmasked personal data, with its stated purpose."""
    return record(
        actor=actor, action=AuditAction.VIEW_PII, obj=obj, changes={"fields": fields}, purpose=purpose
    )
