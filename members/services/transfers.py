"""Transfers of members between organizations, one by one or in batches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from orgs.models import PartyOrg

from ..models import (
    ACTIVE_STATUSES,
    Decision,
    PartyMember,
    Transfer,
    TransferBatch,
)
from ..perms import MembersPerm
from .common import _event, _no_markup, _require

# --------------------------------------------------------------------------
# Transfers
# --------------------------------------------------------------------------


def _new_transfer(actor, member, to_org, note, batch=None) -> Transfer:
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": f"{member.name}：转入党组织与当前党组织相同"})
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError({"member": f"{member.name}：当前状态不能转接"})
    if Transfer.objects.filter(member=member, status=Decision.PENDING).exists():
        raise ValidationError({"member": f"{member.name}：已有待确认的转接"})
    return Transfer.objects.create(member=member, from_org=member.org, to_org=to_org, batch=batch, note=note,
                                   requested_by=actor)


@transaction.atomic
def transfer_request(*, actor, member: PartyMember, to_org: PartyOrg, note: str = "") -> Transfer:
    _require(actor, MembersPerm.EDIT, member.org.region.path, "转出此党员")
    t = _new_transfer(actor, member, to_org, _no_markup(note, "note", "说明"))
    _event(member, "转接申请", member.org, to_org, actor=actor, note=note)
    record(actor=actor, action=AuditAction.CREATE, obj=t, changes={"from": [None, str(member.org)],
                                                                   "to": [None, str(to_org)]})
    return t


def _apply_transfer(t: Transfer, actor, confirm: bool, reason: str) -> None:
    t.status = Decision.CONFIRMED if confirm else Decision.RETURNED
    t.reason = reason
    t.decided_by = actor
    t.decided_at = timezone.now()
    t.save()
    if confirm:
        PartyMember.objects.filter(pk=t.member_id).update(org=t.to_org, updated_at=timezone.now())
        _event(t.member, "组织关系转入", t.from_org, t.to_org, actor=actor)
    else:
        _event(t.member, "转接退回", t.from_org, t.to_org, actor=actor, note=reason)


@transaction.atomic
def transfer_decide(*, actor, transfer: Transfer, confirm: bool, reason: str = "") -> Transfer:
    t = (Transfer.objects.select_for_update().select_related("to_org__region", "member", "from_org")
         .get(pk=transfer.pk))
    _require(actor, MembersPerm.CONFIRM, t.to_org.region.path, f"确认转入“{t.to_org}”")
    if t.status != Decision.PENDING:
        raise ValidationError("该转接已处理，不能重复处理")
    reason = _no_markup(reason, "reason", "退回原因")
    if not confirm and not reason:
        raise ValidationError({"reason": "退回时请填写原因"})
    _apply_transfer(t, actor, confirm, reason)
    record(actor=actor, action=AuditAction.TRANSITION, obj=t, changes={"status": ["pending", t.status]},
           purpose=reason)
    return t


@transaction.atomic
def transfer_batch_create(*, actor, title: str, from_org: PartyOrg, moves: list[tuple[PartyMember, PartyOrg]],
                          ) -> TransferBatch:
    """Batch transfer (e.g. a firm's retirees to their residence communities): one request per member."""
    _require(actor, MembersPerm.EDIT, from_org.region.path, f"从“{from_org}”批量转出")
    title = _no_markup(title, "title", "名称")
    if not title:
        raise ValidationError({"title": "请填写批次名称"})
    if not moves:
        raise ValidationError("没有需要转接的党员")
    batch = TransferBatch.objects.create(title=title, from_org=from_org, created_by=actor)
    errors = []
    for member, to_org in moves:
        if member.org_id != from_org.pk:
            errors.append(f"{member.name}：不在“{from_org}”")
            continue
        try:
            _new_transfer(actor, member, to_org, title, batch)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    record(actor=actor, action=AuditAction.CREATE, obj=batch, changes={"count": [None, len(moves)]})
    return batch


@transaction.atomic
def transfer_batch_confirm(*, actor, batch: TransferBatch, to_org: PartyOrg) -> int:
    """The receiving organization confirms all of its pending transfers of a batch at once."""
    _require(actor, MembersPerm.CONFIRM, to_org.region.path, f"确认转入“{to_org}”")
    pending = list(Transfer.objects.select_for_update().select_related("member", "from_org", "to_org")
                   .filter(batch=batch, to_org=to_org, status=Decision.PENDING))
    if not pending:
        raise ValidationError("没有待确认的转接")
    for t in pending:
        _apply_transfer(t, actor, True, "")
    record(actor=actor, action=AuditAction.TRANSITION, obj=batch,
           changes={"confirmed": [0, len(pending)], "to_org": [None, str(to_org)]})
    return len(pending)
