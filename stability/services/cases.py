"""Petitions and mediation (信访, 民事调解): a case with its parties and steps, the agreement reached
(printed as a .docx), the follow-up visit and the closing; a dispute raised in a demand (a resident's
or a Party member's zone contact) becomes a case in one step."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record
from core.phone import normalize_mobile
from regions.models import RegionKind

from ..models import Case, CaseKind, CaseParty, CaseSource, CaseStatus, CaseStep, DisputeType, PartyRole
from ..rules import P
from .common import bump, past_date, raise_if, require, text, texts, today

MAX_PARTIES = 20


def _step(case: Case, actor, action: str, on: date, note: str = "") -> CaseStep:
    return CaseStep.objects.create(case=case, actor=actor, action=action, on=on, note=note[:500])


def _clean_party(p: dict, i: int, errors: dict) -> dict | None:
    role = p.get("role") or ""
    field = f"parties-{i}"
    if role not in PartyRole.values:
        errors[field] = [f"第 {i + 1} 位当事人：请选择身份"]
        return None
    try:
        clean = texts(("name", f"第 {i + 1} 位当事人姓名", p.get("name"), 50, True),
                      ("address", f"第 {i + 1} 位当事人住址", p.get("address"), 200, False))
    except ValidationError as exc:
        errors[field] = [m for ms in exc.message_dict.values() for m in ms]
        return None
    phone = (p.get("phone") or "").strip()
    if phone:
        digits = normalize_mobile(phone)
        if not (digits.isdigit() and 7 <= len(digits) <= 12):
            errors[field] = [f"第 {i + 1} 位当事人联系电话（{phone[:20]}）格式不正确"]
            return None
        phone = digits
    return {"role": role, "name": clean["name"], "address": clean["address"], "phone": phone}


def _number(case: Case) -> str:
    prefix = "访" if case.kind == CaseKind.PETITION else "调"
    return f"{prefix}{case.received_on:%Y}-{case.pk:05d}"


@transaction.atomic
def case_create(*, actor, region, kind: str, dispute_type: str, title: str, facts: str,
                received_on: date | None, parties: list[dict], mediator=None, source: str = CaseSource.WALK_IN,
                demand=None) -> Case:
    if region is None:
        raise ValidationError({"region": "请选择案件所属的社区或网格"})
    require(actor, P.MANAGE, region.path, "在该社区受理信访和调解案件")
    errors: dict = {}
    if region.kind not in (RegionKind.COMMUNITY, RegionKind.GRID):
        errors["region"] = ["案件只能归属到社区或网格"]
    if kind not in CaseKind.values:
        errors["kind"] = ["请选择案件类别"]
    if dispute_type not in DisputeType.values:
        errors["dispute_type"] = ["请选择纠纷类型"]
    if source not in CaseSource.values:
        errors["source"] = ["来源不正确"]
    received_on = past_date(received_on, "received_on", "受理日期", errors)
    try:
        clean = texts(("title", "事由", title, 100, True), ("facts", "纠纷事实", facts, 4000, True))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    if len(parties) > MAX_PARTIES:
        errors["parties"] = [f"当事人不能超过 {MAX_PARTIES} 位"]
        parties = []
    rows = [r for i, p in enumerate(parties) if (r := _clean_party(p, i, errors))]
    if not any(r["role"] == PartyRole.APPLICANT for r in rows) and not any(k.startswith("parties-") for k in errors):
        errors["parties"] = ["请至少登记一位申请人"]
    raise_if(errors)
    case = Case.objects.create(number=f"tmp-{uuid.uuid4().hex[:20]}", kind=kind, region=region,
                               dispute_type=dispute_type, source=source, demand=demand, title=clean["title"],
                               facts=clean["facts"], received_on=received_on, mediator=mediator or actor)
    case.number = _number(case)
    case.save(update_fields=["number"])
    CaseParty.objects.bulk_create([CaseParty(case=case, **r) for r in rows])
    _step(case, actor, "受理", received_on, f"{case.get_source_display()}：{clean['title']}")
    record(actor=actor, action=AuditAction.CREATE, obj=case,
           changes={"kind": [None, kind], "region": [None, str(region)]})
    return case


@transaction.atomic
def case_from_demand(*, actor, demand, dispute_type: str = "", kind: str = CaseKind.MEDIATION) -> Case:
    """One step: the demand's caller becomes the applicant, its text the facts; the case remembers it."""
    from demands.models import Demand

    demand = Demand.objects.select_for_update().select_related("region", "category").get(pk=demand.pk)
    require(actor, P.MANAGE, demand.region.path, "将该诉求转为调解案件")
    existing = Case.objects.filter(demand=demand).first()
    if existing is not None:
        raise ValidationError(f"该诉求已转为案件 {existing.number}，不能重复转入")
    if demand.region.kind not in (RegionKind.COMMUNITY, RegionKind.GRID):
        raise ValidationError("只有归属到社区或网格的诉求可以转为社区调解案件")
    if not dispute_type:
        dispute_type = DisputeType.NEIGHBOUR if demand.category.code == "neighbor-dispute" else DisputeType.OTHER
    applicant = {"role": PartyRole.APPLICANT, "name": "匿名诉求人" if demand.anonymous or not demand.caller_name
                 else demand.caller_name, "phone": demand.caller_phone or "", "address": demand.address}
    return case_create(actor=actor, region=demand.region, kind=kind, dispute_type=dispute_type,
                       title=demand.title, facts=f"（诉求 {demand.tracking_code}）{demand.description}"[:4000],
                       received_on=today(), parties=[applicant], source=CaseSource.DEMAND, demand=demand)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("region").get(pk=case.pk)


@transaction.atomic
def case_add_party(*, actor, case: Case, role: str, name: str, phone: str = "", address: str = "") -> CaseParty:
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("案件已结案，不能再添加当事人")
    if case.parties.count() >= MAX_PARTIES:
        raise ValidationError(f"当事人不能超过 {MAX_PARTIES} 位")
    row = _clean_party({"role": role, "name": name, "phone": phone, "address": address}, case.parties.count(), errors)
    raise_if(errors)
    party = CaseParty.objects.create(case=case, **row)
    _step(case, actor, "添加当事人", today(), f"{party.get_role_display()}：{party.name}")
    return party


STEP_ACTIONS = ["调查核实", "组织调解", "电话沟通", "上门调解", "移交处理"]


@transaction.atomic
def case_step_add(*, actor, case: Case, action: str, on: date | None, note: str) -> CaseStep:
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status == CaseStatus.CLOSED:
        errors["action"] = ["案件已结案，不能再登记办理过程"]
    if action not in STEP_ACTIONS:
        errors["action"] = ["请选择办理事项"]
    on = past_date(on, "on", "办理日期", errors)
    if on and on < case.received_on:
        errors["on"] = [f"办理日期（{on:%Y-%m-%d}）不能早于受理日期（{case.received_on:%Y-%m-%d}）"]
    try:
        note = text(note, "note", "办理情况", max_len=500)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    return _step(case, actor, action, on, note)


@transaction.atomic
def case_agree(*, actor, case: Case, agreement: str, agreed_on: date | None, performance: str,
               follow_up_due: date | None, expected_version=None) -> Case:
    """The agreement reached: both sides named, its terms, how and when it is performed, when to revisit."""
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status != CaseStatus.OPEN:
        errors["agreement"] = [f"案件{case.get_status_display()}，不能再登记协议"]
    roles = set(case.parties.values_list("role", flat=True))
    if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles:
        errors["parties"] = ["达成调解协议须登记申请人和被申请人"]
    agreed_on = past_date(agreed_on, "agreed_on", "协议日期", errors)
    if agreed_on and agreed_on < case.received_on:
        errors["agreed_on"] = [f"协议日期（{agreed_on:%Y-%m-%d}）不能早于受理日期（{case.received_on:%Y-%m-%d}）"]
    if follow_up_due is None:
        errors["follow_up_due"] = ["请填写回访期限"]
    elif agreed_on and follow_up_due < agreed_on:
        errors["follow_up_due"] = ["回访期限不能早于协议日期"]
    elif agreed_on and (follow_up_due - agreed_on).days > 366:
        errors["follow_up_due"] = ["回访期限不能晚于协议日期后一年"]
    try:
        clean = texts(("agreement", "协议内容", agreement, 4000, True), ("performance", "履行方式与期限",
                                                                      performance, 300, True))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    raise_if(errors)
    bump(case, expected_version)
    case.agreement, case.performance = clean["agreement"], clean["performance"]
    case.agreed_on, case.follow_up_due, case.status = agreed_on, follow_up_due, CaseStatus.AGREED
    case.save()
    _step(case, actor, "达成协议", agreed_on, clean["performance"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=case,
           changes={"status": [CaseStatus.OPEN, CaseStatus.AGREED]})
    return case


@transaction.atomic
def case_fail(*, actor, case: Case, on: date | None, note: str) -> Case:
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status != CaseStatus.OPEN:
        errors["status"] = [f"案件{case.get_status_display()}，不能登记调解不成"]
    on = past_date(on, "on", "日期", errors)
    try:
        note = text(note, "note", "调解不成的原因及引导", max_len=500)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    case.status = CaseStatus.FAILED
    case.version += 1
    case.save()
    _step(case, actor, "调解不成", on, note)
    record(actor=actor, action=AuditAction.TRANSITION, obj=case,
           changes={"status": [CaseStatus.OPEN, CaseStatus.FAILED]})
    return case


@transaction.atomic
def case_follow_up(*, actor, case: Case, on: date | None, note: str) -> Case:
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status != CaseStatus.AGREED:
        errors["status"] = ["只有已达成协议的案件需要回访"]
    on = past_date(on, "on", "回访日期", errors)
    if on and case.agreed_on and on < case.agreed_on:
        errors["on"] = [f"回访日期（{on:%Y-%m-%d}）不能早于协议日期（{case.agreed_on:%Y-%m-%d}）"]
    try:
        note = text(note, "note", "回访情况", max_len=500)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    case.followed_on, case.follow_up_note = on, note
    case.version += 1
    case.save()
    _step(case, actor, "回访", on, note)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, on: date | None) -> Case:
    case = _locked(case)
    require(actor, P.MANAGE, case.region.path, "办理该案件")
    errors: dict = {}
    if case.status == CaseStatus.OPEN:
        errors["status"] = ["案件尚未达成协议或登记调解不成，不能结案"]
    elif case.status == CaseStatus.CLOSED:
        errors["status"] = ["案件已结案"]
    elif case.status == CaseStatus.AGREED and case.followed_on is None:
        errors["status"] = ["已达成协议的案件须先回访协议履行情况，才能结案"]
    on = past_date(on, "on", "结案日期", errors)
    raise_if(errors)
    before = case.status
    case.status, case.closed_on = CaseStatus.CLOSED, on
    case.version += 1
    case.save()
    _step(case, actor, "结案", on)
    record(actor=actor, action=AuditAction.TRANSITION, obj=case, changes={"status": [before, CaseStatus.CLOSED]})
    return case
