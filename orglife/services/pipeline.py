"""发展党员: an applicant registered with a branch moves through the stages one at a time, each step
dated, audited and taken on the documents its rule asks for, after the minimum time in the stage
before; on 转正 the person becomes a full member of the registry (members.services.member_create)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from members.models import Category, MemberStatus, PartyMember
from orgs.models import PartyOrg

from .. import selectors
from ..models import STAGE_DATE, STAGES, Applicant, PipelineStep, Stage, StageRule
from ..rules import P
from .common import need_date, require_manage, texts, today

PERSONAL = {"id_number": "id_number"}


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    day = min(d.day, [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31,
                      30, 31, 30, 31][m])
    return date(y, m + 1, day)


def due_on(applicant: Applicant, rules: dict[str, StageRule] | None = None) -> date | None:
    """The first day the applicant may take the next step (None at the end)."""
    nxt = applicant.next_stage
    if nxt is None:
        return None
    rules = rules if rules is not None else selectors.stage_rules()
    rule = rules.get(nxt)
    start = applicant.stage_date(applicant.stage)
    return add_months(start, rule.min_months) if rule and rule.min_months else start


@transaction.atomic
def applicant_create(*, actor, org: PartyOrg, name: str, id_number: str, applied_on: date, occupation: str = "",
                     social_org: str = "", contacts: str = "") -> Applicant:
    """Register an application (入党申请书) with a branch."""
    require_manage(actor, org, "发展党员工作")
    errors = {}
    try:
        clean = texts(("name", "姓名", name, 50, True), ("occupation", "职业", occupation, 50, False),
                      ("social_org", "所在社会组织", social_org, 120, False),
                      ("contacts", "培养联系人", contacts, 100, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    info = None
    try:
        info = parse_id_number(id_number or "", today=today())
    except ValidationError as exc:
        errors["id_number"] = ["；".join(exc.messages) if id_number else "身份证号不能为空"]
    try:
        need_date(applied_on, "applied_on", "递交申请日期")
        if applied_on > today():
            errors["applied_on"] = ["递交申请日期不能晚于今天"]
        elif info and applied_on < add_months(info.birth_date, 18 * 12):
            errors["applied_on"] = ["递交申请时未满 18 周岁"]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if info and not errors:
        field = Applicant._meta.get_field("id_number")
        h = field.blind_index_for(info.number)
        if Applicant.objects.filter(id_number_hash=h).exists():
            errors["id_number"] = ["该身份证号已登记为入党申请人"]
        elif PartyMember.objects.filter(id_number_hash=PartyMember._meta.get_field("id_number").blind_index_for(
                info.number)).exists():
            errors["id_number"] = ["该身份证号已是党员"]
    if errors:
        raise ValidationError(errors)
    a = Applicant(org=org, id_number=info.number, gender=info.gender, birth_date=info.birth_date,
                  applied_on=applied_on, created_by=actor, **clean)
    try:
        with transaction.atomic():
            a.save()
    except IntegrityError:
        raise ValidationError({"id_number": "该身份证号已登记为入党申请人"}) from None
    PipelineStep.objects.create(applicant=a, stage=Stage.APPLICANT, on=applied_on, documents=["入党申请书"],
                                actor=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=a,
           changes=diff({}, snapshot(a, ["name", "id_number", "org", "stage", "applied_on", "social_org"]),
                        personal=PERSONAL))
    return a


@transaction.atomic
def applicant_advance(*, actor, applicant: Applicant, stage: str, on: date, documents: list[str],
                      note: str = "", category: str = Category.EMPLOYED) -> Applicant:
    """Take the next step. Refused: a step out of order, a date in the future or before the last
    step, before the minimum time of the stage before, a missing document."""
    a = Applicant.objects.select_for_update(of=("self",)).select_related("org", "org__region").get(pk=applicant.pk)
    require_manage(actor, a.org, "发展党员工作")
    nxt = a.next_stage
    label = Stage(a.stage).label
    if stage not in Stage.values:
        raise ValidationError({"stage": "请选择要进入的阶段"})
    if nxt is None:
        raise ValidationError({"stage": f"{a.name}已是正式党员，发展党员工作已完成"})
    if stage != nxt:
        raise ValidationError({"stage": f"{a.name}目前是{label}，下一步应为“{Stage(nxt).label}”，"
                                        f"不能直接进入“{Stage(stage).label}”"})
    need_date(on, "on", "日期")
    errors = {}
    last = a.stage_date(a.stage)
    rule = selectors.stage_rules().get(stage)
    if on > today():
        errors["on"] = [f"日期不能晚于今天（{today():%Y-%m-%d}）"]
    elif on < last:
        errors["on"] = [f"日期不能早于成为{label}的日期（{last:%Y-%m-%d}）"]
    elif rule and rule.min_months and on < add_months(last, rule.min_months):
        what = "转正" if stage == Stage.FULL else f"进入“{Stage(stage).label}”"
        errors["on"] = [f"{a.name}于 {last:%Y-%m-%d} 成为{label}，须满 {rule.min_months} 个月"
                        f"（{add_months(last, rule.min_months):%Y-%m-%d} 起）才能{what}"]
    given = [d for d in (documents or []) if isinstance(d, str)]
    missing = [d for d in (rule.document_list if rule else []) if d not in given]
    if missing:
        errors["documents"] = [f"缺少材料：{'、'.join(missing)}"]
    try:
        note = texts(("note", "说明", note, 300, False))["note"]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    old = a.stage
    a.stage = stage
    setattr(a, STAGE_DATE[stage], on)
    if stage == Stage.FULL:
        from members.services import member_create

        a.member = member_create(actor=actor, org=a.org, name=a.name, id_number=a.id_number, gender=a.gender,
                                 birth_date=a.birth_date, joined_on=a.probationary_on, full_member_on=on,
                                 status=MemberStatus.FULL, category=category, occupation=a.occupation,
                                 employer=a.social_org)
    a.save()
    PipelineStep.objects.create(applicant=a, stage=stage, on=on, documents=given, note=note, actor=actor)
    record(actor=actor, action=AuditAction.TRANSITION, obj=a,
           changes={"stage": [Stage(old).label, Stage(stage).label], STAGE_DATE[stage]: [None, on.isoformat()],
                    **({"member": [None, str(a.member_id)]} if a.member_id else {})})
    return a


def _check_rules_perm(actor):
    from accounts.scope import has_perm

    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改发展党员规则")


@transaction.atomic
def stage_rule_update(*, actor, stage: str, min_months: int, documents: str) -> StageRule:
    _check_rules_perm(actor)
    rule = selectors.stage_rules().get(stage)
    if rule is None:
        raise ValidationError({"stage": "没有这条规则"})
    if not isinstance(min_months, int) or not 0 <= min_months <= 60:
        raise ValidationError({"min_months": "最短时间应为 0 到 60 个月"})
    docs = texts(("documents", "所需材料", documents, 2000, False))["documents"]
    before = snapshot(rule, ["min_months", "documents"])
    rule.min_months, rule.documents = min_months, docs
    rule.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=rule, changes=diff(before, snapshot(rule, ["min_months",
                                                                                               "documents"])))
    return rule


STAGES_ORDER = STAGES
