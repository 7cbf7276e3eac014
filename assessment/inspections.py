"""Inspections (督查): planned or unannounced, a checklist, findings with rectification items that
close only with evidence, 督办通报 and 约谈; overdue rectifications climb the tree (services.escalate_overdue)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from notifications.services import notify
from regions.models import Region, RegionKind

from .models import (
    DEFAULT_CHECKLIST,
    CheckItem,
    CheckResult,
    Finding,
    Inspection,
    InspectionKind,
    RectificationStatus,
    Sanction,
    SanctionKind,
)
from .rules import P
from .services import (
    _check_file,
    _date,
    _receiver_users,
    _require,
    _text,
    _today,
    evidence_check,
    evidence_save,
    is_receiver,
    transition,
)


@transaction.atomic
def inspection_create(*, actor, region: Region, kind: str, date: date, inspectors: str, summary: str = "",
                      checks: list[tuple[str, str, str]] | None = None) -> Inspection:
    """Record an inspection with its checklist: (text, result, note) rows; the seed's six points
    (督任务、督进度、督成效，查认识、查责任、查作风) when none are given."""
    _require(actor, P.DIRECT, region.path, f"督查“{region}”")
    if region.kind not in (RegionKind.STREET, RegionKind.COMMUNITY):
        raise ValidationError({"region": "督查对象应为街道（镇）或社区"})
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": "请选择督查方式"})
    date = _date(date, "date", "督查日期")
    if date > _today():
        raise ValidationError({"date": "督查日期不能晚于今天"})
    checks = checks if checks is not None else [(t, CheckResult.PASS, "") for t in DEFAULT_CHECKLIST]
    rows = []
    for i, (text, result, note) in enumerate(checks, 1):
        if result not in CheckResult.values:
            raise ValidationError({"checks": f"第 {i} 个检查项的结果不正确"})
        rows.append((_text(text, "checks", f"第 {i} 个检查项", max_len=120),
                     result, _text(note, "checks", f"第 {i} 个检查项的说明", max_len=300, required=False)))
    ins = Inspection.objects.create(region=region, kind=kind, date=date, created_by=actor,
                                    inspectors=_text(inspectors, "inspectors", "督查组成员", max_len=200),
                                    summary=_text(summary, "summary", "督查情况", max_len=3000, required=False))
    CheckItem.objects.bulk_create([CheckItem(inspection=ins, order=i, text=t, result=r, note=n)
                                   for i, (t, r, n) in enumerate(rows, 1)])
    record(actor=actor, action=AuditAction.CREATE, obj=ins,
           changes=diff({}, snapshot(ins, ["region", "kind", "date", "inspectors"])))
    return ins


@transaction.atomic
def check_update(*, actor, inspection: Inspection, results: dict[int, tuple[str, str]]) -> None:
    _require(actor, P.DIRECT, inspection.region.path, "登记检查结果")
    for item in inspection.checks.all():
        if item.pk not in results:
            continue
        result, note = results[item.pk]
        if result not in CheckResult.values:
            raise ValidationError({"checks": f"“{item.text}”的结果不正确"})
        item.result, item.note = result, _text(note, "checks", "说明", max_len=300, required=False)
        item.save(update_fields=["result", "note"])
    record(actor=actor, action=AuditAction.UPDATE, obj=inspection, changes={"checks": [None, len(results)]})


def _finding_link(f: Finding) -> str:
    return reverse("assessment:inspection", args=[f.inspection_id]) + f"#finding-{f.pk}"


@transaction.atomic
def finding_add(*, actor, inspection: Inspection, text: str, requirement: str, owner: str, deadline: date,
                region: Region | None = None, photo=None) -> Finding:
    """A problem found and its rectification item; the node that must rectify is told."""
    _require(actor, P.DIRECT, inspection.region.path, "登记督查发现的问题")
    region = region or inspection.region
    if not region.path.startswith(inspection.region.path):
        raise ValidationError({"region": f"整改单位应为“{inspection.region}”或其下级"})
    deadline = _date(deadline, "deadline", "整改时限")
    if deadline < inspection.date:
        raise ValidationError({"deadline": f"整改时限不能早于督查日期（{inspection.date:%Y-%m-%d}）"})
    if photo:
        _check_file(photo, photo=True)
    f = Finding.objects.create(inspection=inspection, region=region, text=_text(text, "text", "发现问题", max_len=300),
                               requirement=_text(requirement, "requirement", "整改要求", max_len=300),
                               owner=_text(owner, "owner", "整改责任人", max_len=50), deadline=deadline,
                               photo=photo or "")
    record(actor=actor, action=AuditAction.CREATE, obj=f,
           changes=diff({}, snapshot(f, ["text", "region", "owner", "deadline"])))
    notify(recipients=_receiver_users(region), title=f"督查发现问题，请于 {deadline:%Y-%m-%d} 前整改",
           body=f.text, link=_finding_link(f), source=f)
    return f


@transaction.atomic
def finding_close(*, actor, finding: Finding, note: str, files=(), photos=(),
                  records: list[tuple[str, int]] = ()) -> Finding:
    """Close (销号) a rectification item: only the node that rectifies, only with evidence."""
    f = Finding.objects.select_for_update(of=("self",)).select_related("region", "inspection").get(pk=finding.pk)
    if not is_receiver(actor, f.region):
        raise ValidationError("只有整改单位可以报送整改情况")
    if f.status == RectificationStatus.CLOSED:
        raise ValidationError("该问题已销号")
    note = _text(note, "note", "整改情况", max_len=2000)
    links = evidence_check(actor=actor, region=f.region, files=files, photos=photos, records=records)
    if not (files or photos or links):
        raise ValidationError({"files": "整改销号须附佐证材料（文件、照片或平台记录）"})
    evidence_save({"finding": f}, files=files, photos=photos, links=links)
    f.closing_note, f.overdue = note, f.overdue or f.deadline < _today()
    transition(f, actor=actor, to=RectificationStatus.CLOSED, by="closed_by", at="closed_at",
               also=("closing_note", "overdue"))
    if f.inspection.created_by_id:
        notify(recipients=[f.inspection.created_by], title=f"{f.region}已整改销号", body=f.text,
               link=_finding_link(f), source=f)
    return f


@transaction.atomic
def sanction_record(*, actor, region: Region, kind: str, date: date, subject: str, reason: str,
                    inspection: Inspection | None = None) -> Sanction:
    """督办通报 or 约谈 of a node (its people are told of a 督办通报)."""
    _require(actor, P.DIRECT, region.path, f"对“{region}”督办通报或约谈")
    if kind not in SanctionKind.values:
        raise ValidationError({"kind": "请选择督办通报或约谈"})
    date = _date(date, "date", "日期")
    if date > _today():
        raise ValidationError({"date": "日期不能晚于今天"})
    if inspection is not None and not region.path.startswith(inspection.region.path):
        raise ValidationError({"inspection": "相关督查应是对该单位或其上级的督查"})
    s = Sanction.objects.create(region=region, kind=kind, date=date, inspection=inspection, created_by=actor,
                                subject=_text(subject, "subject", "对象（人员）", max_len=80),
                                reason=_text(reason, "reason", "事由", max_len=2000))
    record(actor=actor, action=AuditAction.CREATE, obj=s, changes=diff({}, snapshot(s, ["region", "kind", "subject"])))
    notify(recipients=_receiver_users(region), title=f"{s.get_kind_display()}：{s.subject}", body=s.reason[:200],
           link=reverse("assessment:inspections") + "?tab=sanctions", source=s)
    return s
