"""Key people (重点人员): registration on a resident record, who is responsible (the secretary leads the
most serious categories, seed 000), the 帮教 plan, visits at the category's frequency, status changes,
and the daily check that flags an overdue visit to the community secretary."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditAction
from audit.services import record
from core.masking import mask_name
from notifications.services import notify

from ..models import KeyCategory, KeyEvent, KeyPerson, KeyStatus, KeyVisit, RiskLevel, VisitWay
from ..rules import P
from .common import past_date, raise_if, require, secretaries_of, text, texts, today, users_with_role_at


def _event(person: KeyPerson, actor, action: str, note: str = "") -> None:
    KeyEvent.objects.create(person=person, actor=actor if getattr(actor, "is_authenticated", False) else None,
                            action=action, note=note[:300])


def _label(person: KeyPerson) -> str:
    """How a notification names a key person: category and masked name only."""
    return f"{person.category.name} {mask_name(person.resident.name)}"


def _link(person: KeyPerson) -> str:
    return reverse("stability:person", args=[person.pk])


def _grid_worker(grid):
    from grid.models import GridProfile

    profile = GridProfile.objects.filter(region=grid).select_related("primary_worker").first()
    if profile and profile.primary_worker_id and profile.primary_worker.is_active:
        return profile.primary_worker
    return users_with_role_at(grid, Role.GRID_WORKER).first()


def _check_leader(category: KeyCategory, grid, leader, errors: dict):
    """The most serious categories are led by the community's Party secretary (seed 000)."""
    secretaries = list(secretaries_of(grid))
    if category.secretary_leads:
        if leader is None:
            if not secretaries:
                errors["leader"] = [f"“{category.name}”须由社区党组织书记亲自包联，但该社区尚未设置书记账号"]
            return secretaries[0] if secretaries else None
        if leader not in secretaries:
            errors["leader"] = [f"“{category.name}”须由社区党组织书记亲自包联，{leader.display_name}不是该社区书记"]
    return leader


@transaction.atomic
def key_person_register(*, actor, resident, category: KeyCategory | None, reason: str,
                        registered_on: date | None, risk: str = RiskLevel.MEDIUM, leader=None, worker=None,
                        helpers: str = "", plan: str = "") -> KeyPerson:
    """List a resident as a key person. No resident record, no key person: the record comes first."""
    from grid.models import ResidentStatus

    if resident is None:
        raise ValidationError({"resident": "请选择居民档案：重点人员须关联网格中已登记的居民，请先登记该居民"})
    require(actor, P.KEY_MANAGE, resident.grid.path, "在该网格登记重点人员")
    errors: dict = {}
    if resident.status != ResidentStatus.ACTIVE:
        errors["resident"] = [f"居民{resident.name}已{resident.get_status_display()}，不能列为重点人员"]
    if category is None or not category.active:
        errors["category"] = ["请选择重点人员类别"]
    if risk not in RiskLevel.values:
        errors["risk"] = ["请选择风险等级"]
    registered_on = past_date(registered_on, "registered_on", "列管日期", errors)
    try:
        clean = texts(("reason", "列管原因", reason, 300, True), ("helpers", "帮教小组", helpers, 200, False),
                      ("plan", "帮教计划", plan, 2000, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    if category is not None and "category" not in errors:
        leader = _check_leader(category, resident.grid, leader, errors)
        if KeyPerson.objects.filter(resident=resident, category=category).exclude(
                status=KeyStatus.RELEASED).exists():
            errors["category"] = [f"{resident.name}已列为{category.name}，不能重复登记"]
    raise_if(errors)
    person = KeyPerson.objects.create(
        resident=resident, grid=resident.grid, category=category, risk=risk, registered_on=registered_on,
        reason=clean["reason"], helpers=clean["helpers"], plan=clean["plan"], leader=leader or actor,
        worker=worker or _grid_worker(resident.grid),
        next_visit_due=registered_on + timedelta(days=category.visit_days))
    _event(person, actor, "列管", f"{category.name}：{clean['reason']}")
    record(actor=actor, action=AuditAction.CREATE, obj=person,
           changes={"category": [None, category.code], "grid": [None, str(resident.grid)]})
    return person


def _locked(person: KeyPerson) -> KeyPerson:
    return KeyPerson.objects.select_for_update().select_related("category", "resident", "grid").get(pk=person.pk)


@transaction.atomic
def key_person_update(*, actor, person: KeyPerson, risk: str, helpers: str, plan: str, leader=None,
                      worker=None, expected_version=None) -> KeyPerson:
    """The 帮教 plan, the risk level and who is responsible."""
    person = _locked(person)
    require(actor, P.KEY_MANAGE, person.grid.path, "修改该重点人员的帮教计划")
    errors: dict = {}
    if risk not in RiskLevel.values:
        errors["risk"] = ["请选择风险等级"]
    try:
        clean = texts(("helpers", "帮教小组", helpers, 200, False), ("plan", "帮教计划", plan, 2000, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    leader = _check_leader(person.category, person.grid, leader or person.leader, errors)
    raise_if(errors)
    from .common import bump

    bump(person, expected_version)
    pairs = (("风险等级", person.risk, risk), ("帮教小组", person.helpers, clean["helpers"]),
             ("帮教计划", person.plan, clean["plan"]), ("包联责任人", person.leader_id, leader.pk))
    changed = [label for label, old, new in pairs if old != new]
    person.risk, person.helpers, person.plan, person.leader = risk, clean["helpers"], clean["plan"], leader
    if worker is not None:
        person.worker = worker
    person.save()
    _event(person, actor, "修改", "、".join(changed) or "未改动")
    record(actor=actor, action=AuditAction.UPDATE, obj=person, changes={"fields": changed})
    return person


@transaction.atomic
def key_person_set_status(*, actor, person: KeyPerson, status: str, on: date | None, note: str) -> KeyPerson:
    """外出 suspends the visits, 在管 resumes them from `on`, 已解除 ends the listing (kept as history)."""
    person = _locked(person)
    require(actor, P.KEY_MANAGE, person.grid.path, "变更该重点人员的状态")
    errors: dict = {}
    if status not in KeyStatus.values or status == person.status:
        errors["status"] = ["请选择新的状态"]
    if person.status == KeyStatus.RELEASED:
        errors["status"] = ["该人员已解除列管，不能再变更状态"]
    on = past_date(on, "on", "变更日期", errors)
    if on and on < person.registered_on:
        errors["on"] = [f"变更日期（{on:%Y-%m-%d}）不能早于列管日期（{person.registered_on:%Y-%m-%d}）"]
    try:
        note = text(note, "note", "变更说明", max_len=300)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    before = person.get_status_display()
    person.status = status
    if status == KeyStatus.ACTIVE:
        person.next_visit_due = on + timedelta(days=person.category.visit_days)
    else:
        person.next_visit_due = None
    person.released_on = on if status == KeyStatus.RELEASED else None
    person.overdue_notified_on = None
    person.version += 1
    person.save()
    _event(person, actor, "状态变更", f"{before} → {person.get_status_display()}（{on:%Y-%m-%d}）：{note}")
    record(actor=actor, action=AuditAction.TRANSITION, obj=person, changes={"status": [before, status]})
    return person


@transaction.atomic
def key_visit_record(*, actor, person: KeyPerson, visited_on: date | None, way: str, findings: str,
                     concern: bool = False) -> KeyVisit:
    """A visit: never before the person was registered nor in the future; it sets the next due date."""
    person = _locked(person)
    require(actor, P.KEY_VISIT, person.grid.path, "走访该重点人员")
    errors: dict = {}
    if person.status == KeyStatus.RELEASED:
        errors["person"] = ["该人员已解除列管，无需再登记走访"]
    if way not in VisitWay.values:
        errors["way"] = ["请选择走访方式"]
    visited_on = past_date(visited_on, "visited_on", "走访日期", errors)
    if visited_on and visited_on < person.registered_on:
        errors["visited_on"] = [f"走访日期（{visited_on:%Y-%m-%d}）早于该人员的列管日期"
                                f"（{person.registered_on:%Y-%m-%d}），请核对"]
    try:
        findings = text(findings, "findings", "现实表现", max_len=2000)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    visit = KeyVisit.objects.create(person=person, visited_on=visited_on, way=way, visitor=actor,
                                    findings=findings, concern=bool(concern))
    if person.last_visit_on is None or visited_on >= person.last_visit_on:
        person.last_visit_on = visited_on
        if person.status == KeyStatus.ACTIVE:
            person.next_visit_due = visited_on + timedelta(days=person.category.visit_days)
            person.overdue_notified_on = None
    person.save(update_fields=["last_visit_on", "next_visit_due", "overdue_notified_on"])
    _event(person, actor, "走访",
           f"{visit.get_way_display()}（{visited_on:%Y-%m-%d}）" + ("，发现异常" if concern else ""))
    record(actor=actor, action=AuditAction.CREATE, obj=visit, object_repr=f"走访 {_label(person)}")
    if concern:
        notify(recipients=[person.leader, *secretaries_of(person.grid)],
               title=f"重点人员走访发现异常：{_label(person)}",
               body=f"{visited_on:%Y-%m-%d} {actor.display_name}走访时发现异常，请及时研判", link=_link(person),
               source=person)
    return visit


@transaction.atomic
def key_visits_check(*, on: date | None = None) -> int:
    """Flag each visit gone past its due date once, to the community secretary, the person responsible
    and the grid worker (the daily `manage.py stability_visits_check`). Returns how many were flagged."""
    on = on or today()
    due = list(KeyPerson.objects.select_for_update(of=("self",)).filter(
        status=KeyStatus.ACTIVE, next_visit_due__lt=on, overdue_notified_on__isnull=True)
        .select_related("category", "resident", "grid", "leader", "worker"))
    for person in due:
        late = (on - person.next_visit_due).days
        notify(recipients=[*secretaries_of(person.grid), person.leader, person.worker],
               title=f"重点人员走访逾期：{_label(person)}",
               body=f"应于 {person.next_visit_due:%Y-%m-%d} 前走访（每 {person.category.visit_days} 天一次），"
                    f"已逾期 {late} 天", link=_link(person), source=person)
        person.overdue_notified_on = on
        person.save(update_fields=["overdue_notified_on"])
        _event(person, None, "走访逾期", f"已逾期 {late} 天，已提醒社区书记")
    return len(due)
