"""Every write of co-building: one transaction each, validated first, audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import has_perm, has_perm_at, scope_paths
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.images import check_image, stored_photo
from core.treepaths import SEGMENT, is_under
from regions.models import Region, RegionKind

from . import selectors
from .models import (
    Activity,
    Agreement,
    ChronicleEntry,
    CobuildRules,
    Criticism,
    Deed,
    DeedMember,
    DeedPhoto,
    Need,
    NeedStatus,
    Pairing,
    PairingVisit,
    Project,
    ProjectStatus,
    ResidentUnit,
    Resource,
    ResourceKind,
    StarRating,
    UnitKind,
)
from .rules import P, can_edit_at, can_edit_unit, can_log_for_unit, can_rate, unit_only

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def _today() -> date:
    return timezone.localdate()


def _text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    return value


def _decimal(value, field: str, label: str, *, minimum: Decimal = Decimal(0)) -> Decimal:
    try:
        d = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: f"{label}应为数字"}) from exc
    if not d.is_finite() or d < minimum:
        raise ValidationError({field: f"{label}不能小于 {minimum}"})
    return d


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValidationError(message)


def _past_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if value > _today():
        raise ValidationError({field: f"{label}不能晚于今天（{_today():%Y-%m-%d}）"})
    return value


# --- files ------------------------------------------------------------------------------------

def validate_image(f) -> None:
    """A photo: an image in a common format, at most 5 MB (core.images.check_image)."""
    check_image(f, field="photos", label=f"照片“{f.name}”", formats=PHOTO_FORMATS, max_bytes=MAX_PHOTO_BYTES)


def validate_document(f) -> None:
    """A signed agreement: a PDF or a scanned image, at most 10 MB."""
    if f.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": "协议文本文件超过 10 MB"})
    f.seek(0)
    head = f.read(5)
    f.seek(0)
    if head == b"%PDF-":
        return
    try:
        validate_image(f)
    except ValidationError as exc:
        raise ValidationError({"document": "协议文本应为 PDF 或图片（JPG、PNG）扫描件"}) from exc


# --- rules ------------------------------------------------------------------------------------

RULE_FIELDS = [f.name for f in CobuildRules._meta.fields if f.name not in ("id", "updated_at")]


@transaction.atomic
def rules_update(*, actor, **values) -> CobuildRules:
    _require(has_perm(actor, P.RULES), "只有区委组织部管理员可以修改共驻共建规则")
    unknown = sorted(set(values) - set(RULE_FIELDS))
    if unknown:
        raise TypeError(f"rules_update() does not set {', '.join(unknown)} (the members' deed quota is "
                        "members.services.settings_update)")
    obj = selectors.rules()
    obj = CobuildRules.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(obj, RULE_FIELDS)
    for name in RULE_FIELDS:
        if name in values and values[name] is not None:
            setattr(obj, name, int(values[name]))
    if obj.weight_deeds + obj.weight_projects + obj.weight_attendance + obj.weight_rating != 100:
        raise ValidationError({"weight_deeds": "四项星级权重之和应为 100%"})
    if not (0 < obj.star2_from < obj.star3_from < obj.star4_from < obj.star5_from <= 100):
        raise ValidationError({"star2_from": "二星至五星的最低得分应逐级递增且不超过 100"})
    if obj.assessment_weight < 20 or obj.assessment_weight > 100:
        raise ValidationError({"assessment_weight": "共驻共建在考核中的分值占比不得低于 20%（且不超过 100%）"})
    if obj.deeds_full_marks < 1 or obj.projects_full_marks < 1:
        raise ValidationError({"deeds_full_marks": "满分件数至少为 1"})
    if obj.criticisms_disqualify < 1:
        raise ValidationError({"criticisms_disqualify": "取消评先的通报批评次数至少为 1"})
    obj.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=diff(before, snapshot(obj, RULE_FIELDS)))
    return obj


# --- units ------------------------------------------------------------------------------------

_UNIT_FIELDS = ["name", "kind", "address", "region", "party_org", "leader_name", "liaison", "has_volunteer_team"]


def _check_unit(*, name, kind, address, region, party_org, leader_name, liaison):
    name = _text(name, "name", "单位名称", max_len=120)
    if "<" in name or ">" in name:
        raise ValidationError({"name": "单位名称不能包含 < 或 > 符号"})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": "请选择单位类别"})
    if region is None or region.kind not in (RegionKind.COMMUNITY, RegionKind.STREET, RegionKind.DISTRICT):
        raise ValidationError({"region": "请选择单位所在地（社区、街道（镇）或县）"})
    base = region.path[: -SEGMENT] if region.kind == RegionKind.COMMUNITY else region.path
    if party_org is not None and not (is_under(party_org.region.path, base) or is_under(base, party_org.region.path)):
        raise ValidationError({"party_org": f"单位党组织“{party_org}”不在单位所在地“{region}”范围内"})
    if liaison is not None:
        from accounts.models import RoleAssignment

        if not RoleAssignment.objects.filter(user=liaison, role=Role.UNIT_LIAISON).exists():
            raise ValidationError({"liaison": f"账号“{liaison}”不是驻区单位联络员，请先为其分配该角色"})
    return name, _text(address, "address", "地址", max_len=200, required=False), \
        _text(leader_name, "leader_name", "单位负责人", max_len=50, required=False)


def _may_register_at(actor, region: Region) -> bool:
    """A unit may be registered where the actor edits, or above it (a community registers the
    county bureau that serves it)."""
    if unit_only(actor):
        return False
    roots = scope_paths(actor, P.EDIT)
    if roots is None:
        return True
    return any(is_under(region.path, r) or is_under(r, region.path) for r in roots)


def _name_taken(name: str, exclude_pk=None) -> None:
    other = ResidentUnit.objects.filter(name=name).exclude(pk=exclude_pk).select_related("region").first()
    if other is not None:
        raise ValidationError({"name": f"“{name}”已登记为驻区单位（所在地：{other.region}），一个单位只登记一次："
                                       f"请直接与它签订本社区的共建协议"})


@transaction.atomic
def unit_create(*, actor, name, kind, region: Region, address="", party_org=None, leader_name="", liaison=None,
                has_volunteer_team=True) -> ResidentUnit:
    """Register an organization once (`region`: where it is located); the communities it serves
    come from its agreements."""
    _require(region is not None and _may_register_at(actor, region), "您没有在该地登记驻区单位的权限")
    name, address, leader_name = _check_unit(name=name, kind=kind, address=address, region=region,
                                             party_org=party_org, leader_name=leader_name, liaison=liaison)
    _name_taken(name)
    unit = ResidentUnit.objects.create(name=name, kind=kind, region=region, address=address, party_org=party_org,
                                       leader_name=leader_name, liaison=liaison,
                                       has_volunteer_team=has_volunteer_team)
    record(actor=actor, action=AuditAction.CREATE, obj=unit, changes=diff({}, snapshot(unit, _UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: ResidentUnit, name, kind, address="", party_org=None, leader_name="",
                liaison=None, has_volunteer_team=True) -> ResidentUnit:
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("region").get(pk=unit.pk)
    _require(can_edit_unit(actor, unit), "您没有修改该驻区单位的权限")
    before = snapshot(unit, _UNIT_FIELDS)
    name, address, leader_name = _check_unit(name=name, kind=kind, address=address, region=unit.region,
                                             party_org=party_org, leader_name=leader_name, liaison=liaison)
    _name_taken(name, exclude_pk=unit.pk)
    unit.name, unit.kind, unit.address, unit.party_org = name, kind, address, party_org
    unit.leader_name, unit.liaison, unit.has_volunteer_team = leader_name, liaison, has_volunteer_team
    unit.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=unit, changes=diff(before, snapshot(unit, _UNIT_FIELDS)))
    return unit


# --- agreements and the three lists -------------------------------------------------------------

_AGREEMENT_FIELDS = ["unit", "region", "title", "start", "end", "activities", "document"]


@transaction.atomic
def agreement_create(*, actor, unit: ResidentUnit, region: Region, title, start, end, activities,
                     document=None) -> Agreement:
    _require(region is not None and can_edit_at(actor, region.path), "您没有在该社区（街道）签订共建协议的权限")
    title = _text(title, "title", "协议名称", max_len=150)
    if region.kind not in (RegionKind.COMMUNITY, RegionKind.STREET):
        raise ValidationError({"region": "共建协议应由社区或街道（镇）签订"})
    if unit is None:
        raise ValidationError({"unit": "请选择驻区单位"})
    if not isinstance(start, date):
        raise ValidationError({"start": "请填写开始日期"})
    if not isinstance(end, date):
        raise ValidationError({"end": "请填写结束日期"})
    if end < start:
        raise ValidationError({"end": f"结束日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）"})
    activities = [a for a in Activity.values if a in set(activities or [])]
    if not activities:
        raise ValidationError({"activities": "请至少选择一项共建活动"})
    overlap = Agreement.objects.filter(unit=unit, region=region, start__lte=end, end__gte=start).first()
    if overlap is not None:
        raise ValidationError({"start": f"“{unit}”与“{region}”已有协议“{overlap}”（{overlap.start:%Y-%m-%d} 至 "
                                        f"{overlap.end:%Y-%m-%d}），期间重叠"})
    if document:
        validate_document(document)
    ResidentUnit.objects.select_for_update().filter(pk=unit.pk).first()  # one agreement at a time per unit
    agreement = Agreement(unit=unit, region=region, title=title, start=start, end=end, activities=activities)
    if document:
        agreement.document = document
    agreement.save()
    record(actor=actor, action=AuditAction.CREATE, obj=agreement,
           changes=diff({}, snapshot(agreement, _AGREEMENT_FIELDS)))
    return agreement


@transaction.atomic
def agreement_attach_document(*, actor, agreement: Agreement, document) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("region").get(pk=agreement.pk)
    _require(can_edit_at(actor, agreement.region.path), "您没有修改该协议的权限")
    if not document:
        raise ValidationError({"document": "请选择要上传的文件"})
    validate_document(document)
    before = snapshot(agreement, ["document"])
    agreement.document = document
    agreement.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=agreement,
           changes=diff(before, snapshot(agreement, ["document"])))
    return agreement


def _quantity(value, field: str, label: str, *, minimum: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: f"{label}应为整数"}) from exc
    if n < minimum:
        raise ValidationError({field: f"{label}不能小于 {minimum}"})
    return n


@transaction.atomic
def need_create(*, actor, region: Region, kind, title, quantity=1, description="",
                agreement: Agreement | None = None) -> Need:
    _require(region is not None and can_edit_at(actor, region.path), "您没有在该社区登记需求的权限")
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": "请选择需求类别"})
    if agreement is not None and not is_under(region.path, agreement.region.path):
        raise ValidationError({"agreement": "需求所在社区不属于该协议的签约范围"})
    need = Need.objects.create(
        region=region, kind=kind, agreement=agreement, title=_text(title, "title", "需求", max_len=150),
        quantity=_quantity(quantity, "quantity", "需要数量", minimum=1),
        description=_text(description, "description", "说明", max_len=2000, required=False),
    )
    record(actor=actor, action=AuditAction.CREATE, obj=need,
           changes=diff({}, snapshot(need, ["region", "kind", "title", "quantity"])))
    return need


def community_for(actor, unit: ResidentUnit, region: Region | None = None, *, field: str = "region") -> Region:
    """The community a unit's record belongs to: the one given (which the unit must serve), or
    the only one it serves that the actor may log for; otherwise the user is asked to choose."""
    if region is not None:
        if not unit.serves(region.path):
            raise ValidationError({field: f"“{unit}”未与“{region}”签订共建协议"})
        return region
    served = list(unit.communities())
    if unit.region.kind == RegionKind.COMMUNITY and all(r.pk != unit.region_id for r in served):
        served.append(unit.region)  # located in a community it has no agreement with yet
    served = [r for r in served if r.kind == RegionKind.COMMUNITY and can_log_for_unit(actor, unit, r)]
    if len(served) == 1:
        return served[0]
    if not served:
        raise ValidationError({field: f"“{unit}”尚未与您管辖范围内的社区签订共建协议，请先签订协议"})
    raise ValidationError({field: f"“{unit}”服务 {len(served)} 个社区，请选择服务社区"})


@transaction.atomic
def resource_create(*, actor, unit: ResidentUnit, kind, title, capacity, availability="", available=True,
                    agreement: Agreement | None = None, region: Region | None = None) -> Resource:
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": "请选择资源类别"})
    capacity = _quantity(capacity, "capacity", "可提供数量", minimum=0)
    if agreement is not None and agreement.unit_id != unit.pk:
        raise ValidationError({"agreement": "该协议不是本单位签订的"})
    region = community_for(actor, unit, agreement.region if agreement is not None else region)
    _require(can_log_for_unit(actor, unit, region), f"您没有为“{unit}”在“{region}”登记资源的权限")
    res = Resource.objects.create(
        unit=unit, region=region, kind=kind, agreement=agreement, title=_text(title, "title", "资源", max_len=150),
        capacity=capacity, availability=_text(availability, "availability", "可用时间", max_len=100, required=False),
        available=bool(available),
    )
    record(actor=actor, action=AuditAction.CREATE, obj=res,
           changes=diff({}, snapshot(res, ["unit", "region", "kind", "title", "capacity", "availability",
                                           "available"])))
    return res


@transaction.atomic
def need_accept(*, actor, need: Need, resource: Resource, owner_name, deadline, budget=0, title="") -> Project:
    """The community accepts a proposed resource for a need: a project is created."""
    need = Need.objects.select_for_update(of=("self",)).select_related("region").get(pk=need.pk)
    _require(can_edit_at(actor, need.region.path), "您没有对接该需求的权限")
    if need.status != NeedStatus.OPEN:
        raise ValidationError({"resource": "该需求已对接，不能重复对接"})
    resource = (Resource.objects.select_for_update(of=("self",)).select_related("unit", "region")
                .get(pk=resource.pk))
    if resource.pk not in {p.resource.pk for p in selectors.proposals(need, limit=1000)}:
        raise ValidationError({"resource": "该资源不在推荐范围内（类别不同、不可用、无余量或不在本街道）"})
    owner_name = _text(owner_name, "owner_name", "负责人", max_len=50)
    if not isinstance(deadline, date):
        raise ValidationError({"deadline": "请填写完成期限"})
    if deadline < _today():
        raise ValidationError({"deadline": "完成期限不能早于今天"})
    budget = _decimal(budget, "budget", "预算")
    project = Project.objects.create(
        region=need.region, unit=resource.unit, need=need, resource=resource, agreement=need.agreement,
        title=_text(title, "title", "项目名称", max_len=150, required=False) or need.title,
        owner_name=owner_name, deadline=deadline, budget=budget,
    )
    taken = min(need.quantity, resource.capacity)
    before = snapshot(resource, ["capacity", "available"])
    resource.capacity -= taken
    resource.available = resource.capacity > 0
    resource.save(update_fields=["capacity", "available"])
    need.status = NeedStatus.MATCHED
    need.save(update_fields=["status"])
    record(actor=actor, action=AuditAction.CREATE, obj=project,
           changes=diff({}, snapshot(project, ["title", "need", "resource", "unit", "owner_name", "deadline",
                                               "budget"])))
    record(actor=actor, action=AuditAction.UPDATE, obj=resource,
           changes=diff(before, snapshot(resource, ["capacity", "available"])))
    return project


@transaction.atomic
def project_create(*, actor, region: Region, title, owner_name, deadline, budget=0, unit=None,
                   source_type="", source_id="") -> Project:
    """A project not born from a need (e.g. a meeting's resolution)."""
    _require(region is not None and can_edit_at(actor, region.path), "您没有在该社区（街道）建立项目的权限")
    if not isinstance(deadline, date):
        raise ValidationError({"deadline": "请填写完成期限"})
    if deadline < _today():
        raise ValidationError({"deadline": "完成期限不能早于今天"})
    if unit is not None and not unit.serves(region.path):
        raise ValidationError({"unit": f"“{unit}”未与“{region}”签订共建协议"})
    project = Project.objects.create(
        region=region, unit=unit, title=_text(title, "title", "项目名称", max_len=150),
        owner_name=_text(owner_name, "owner_name", "负责人", max_len=50), deadline=deadline,
        budget=_decimal(budget, "budget", "预算"), source_type=source_type, source_id=str(source_id),
    )
    record(actor=actor, action=AuditAction.CREATE, obj=project,
           changes=diff({}, snapshot(project, ["title", "unit", "owner_name", "deadline", "budget", "source_type"])))
    return project


@transaction.atomic
def project_complete(*, actor, project: Project, done_on: date | None = None) -> Project:
    project = Project.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=project.pk)
    allowed = can_edit_at(actor, project.region.path) or (
        project.unit and can_log_for_unit(actor, project.unit, project.region))
    _require(bool(allowed), "您没有更新该项目的权限")
    if project.status == ProjectStatus.DONE:
        raise ValidationError({"status": "该项目已完成"})
    done_on = _past_date(done_on or _today(), "done_on", "完成日期")
    project.status, project.done_on = ProjectStatus.DONE, done_on
    project.save(update_fields=["status", "done_on"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=project, changes={"status": ["实施中", "已完成"]})
    return project


# --- deeds and the ledger -----------------------------------------------------------------------

def _member_deed_record(*, actor, member_id, deed: Deed) -> None:
    """Count the deed against the member's dual-registration quota, when the members app offers it."""
    try:
        from members.models import PartyMember
        from members.services import member_deed_record
    except ImportError:
        return
    member = PartyMember.objects.filter(pk=member_id).first()
    if member is None:
        return
    title = deed.title.replace("<", "").replace(">", "")
    member_deed_record(actor=actor, member=member, date=deed.date, title=title,
                       hours=float(next((p.hours for p in deed.participants.all() if p.member_id == member_id), 0)),
                       source_type="cobuild.deed", source_id=str(deed.pk))


@transaction.atomic
def deed_create(*, actor, unit: ResidentUnit, activity, date, title, description="", beneficiaries=0, hours=0,
                money=0, team_service=False, rating=None, project: Project | None = None,
                participants: list[dict] | None = None, photos=(), region: Region | None = None) -> Deed:
    """Log a deed in the ledger, in the community it was done for (`region`; the project's, or
    the unit's only community in the actor's reach). `participants`: [{"name", "hours", "member_id"?}]."""
    if activity not in Activity.values:
        raise ValidationError({"activity": "请选择六项共建活动之一"})
    the_date = _past_date(date, "date", "日期")
    if project is not None and project.unit_id not in (None, unit.pk):
        raise ValidationError({"project": "该项目不由本单位承办"})
    if project is not None and region is not None and project.region_id != region.pk:
        raise ValidationError({"region": f"项目“{project}”属于“{project.region}”，与所选服务社区不一致"})
    region = community_for(actor, unit, project.region if project is not None else region)
    _require(can_log_for_unit(actor, unit, region), f"您没有为“{unit}”在“{region}”登记实事的权限")
    try:
        beneficiaries = int(beneficiaries or 0)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"beneficiaries": "受益群众人数应为整数"}) from exc
    if beneficiaries < 0:
        raise ValidationError({"beneficiaries": "受益群众人数不能为负数"})
    if rating not in (None, ""):
        rating = _decimal(rating, "rating", "群众评价", minimum=Decimal(1))
        if rating > 5:
            raise ValidationError({"rating": "群众评价应在 1 到 5 之间"})
    else:
        rating = None
    people = []
    for i, p in enumerate(participants or [], start=1):
        name = _text(p.get("name"), "participants", f"第 {i} 名参与党员的姓名", max_len=50)
        people.append(DeedMember(name=name, member_id=p.get("member_id") or selectors.member_for_name(unit, name),
                                 hours=_decimal(p.get("hours"), "participants", f"“{name}”的服务时长")))
    for f in photos:
        validate_image(f)
    deed = Deed.objects.create(
        unit=unit, region=region, project=project, activity=activity, date=the_date,
        title=_text(title, "title", "实事内容", max_len=150),
        description=_text(description, "description", "详细情况", max_len=4000, required=False),
        beneficiaries=beneficiaries, hours=_decimal(hours, "hours", "志愿服务时长"),
        money=_decimal(money, "money", "投入资金"), team_service=bool(team_service), rating=rating,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for p in people:
        p.deed = deed
    DeedMember.objects.bulk_create(people)
    for f in photos:
        DeedPhoto.objects.create(deed=deed, image=stored_photo(f))  # re-encoded: no EXIF/GPS kept
    record(actor=actor, action=AuditAction.CREATE, obj=deed,
           changes=diff({}, snapshot(deed, ["unit", "region", "activity", "date", "title", "beneficiaries", "hours",
                                            "money", "project"])))
    for p in people:
        if p.member_id:
            _member_deed_record(actor=actor, member_id=p.member_id, deed=deed)
    return deed


# --- pairings ---------------------------------------------------------------------------------

@transaction.atomic
def pairing_create(*, actor, region: Region, member_name, household, hardship, since, unit=None,
                   member_id=None) -> Pairing:
    if unit is not None:
        region = community_for(actor, unit, region)
        _require(can_log_for_unit(actor, unit, region), f"您没有为“{unit}”登记结对帮扶的权限")
    else:
        _require(region is not None and can_edit_at(actor, region.path), "您没有在该社区登记结对帮扶的权限")
    pairing = Pairing.objects.create(
        region=region, unit=unit, member_id=member_id,
        member_name=_text(member_name, "member_name", "党员", max_len=50),
        household=_text(household, "household", "困难户户主", max_len=50),
        hardship=_text(hardship, "hardship", "困难类别", max_len=50),
        since=_past_date(since, "since", "结对日期"),
    )
    record(actor=actor, action=AuditAction.CREATE, obj=pairing,
           changes=diff({}, snapshot(pairing, ["member_name", "household", "hardship", "since", "unit"])))
    return pairing


@transaction.atomic
def pairing_visit(*, actor, pairing: Pairing, date, note) -> PairingVisit:
    allowed = (can_log_for_unit(actor, pairing.unit, pairing.region) if pairing.unit_id
               else can_edit_at(actor, pairing.region.path))
    _require(allowed, "您没有登记该结对走访的权限")
    the_date = _past_date(date, "date", "走访日期")
    if the_date < pairing.since:
        raise ValidationError({"date": "走访日期不能早于结对日期"})
    visit = PairingVisit.objects.create(pairing=pairing, date=the_date,
                                        note=_text(note, "note", "走访情况", max_len=300))
    record(actor=actor, action=AuditAction.CREATE, obj=pairing, changes={"visit": ["", f"{the_date} {visit.note}"]})
    return visit


# --- criticism --------------------------------------------------------------------------------

@transaction.atomic
def criticism_record(*, actor, unit: ResidentUnit, date, reason, source_type="", source_id="",
                     region: Region | None = None) -> Criticism:
    """A public criticism of a unit in a community (通报批评); meetings call this for an unexcused
    absence, with the meeting body's community."""
    the_date = _past_date(date, "date", "日期")
    if region is None:
        served = list(unit.communities())
        region = served[0] if len(served) == 1 else unit.region
    if source_type and Criticism.objects.filter(unit=unit, source_type=source_type,
                                                source_id=str(source_id)).exists():
        return Criticism.objects.get(unit=unit, source_type=source_type, source_id=str(source_id))
    c = Criticism.objects.create(unit=unit, region=region, date=the_date, year=the_date.year,
                                 reason=_text(reason, "reason", "事由", max_len=300), leader_name=unit.leader_name,
                                 source_type=source_type, source_id=str(source_id))
    record(actor=actor, action=AuditAction.CREATE, obj=c,
           changes=diff({}, snapshot(c, ["unit", "date", "reason", "leader_name"])))
    return c


@transaction.atomic
def criticism_withdraw(*, actor, unit: ResidentUnit, source_type: str, source_id) -> int:
    """Withdraw the criticism recorded from a source (an absence later corrected to excused)."""
    qs = Criticism.objects.filter(unit=unit, source_type=source_type, source_id=str(source_id))
    n = 0
    for c in qs:
        record(actor=actor, action=AuditAction.DELETE, obj=c, changes=diff(snapshot(c, ["unit", "reason"]), {}))
        c.delete()
        n += 1
    return n


# --- star board -------------------------------------------------------------------------------

def _stars_for(score: Decimal, r: CobuildRules) -> int:
    for stars, floor in ((5, r.star5_from), (4, r.star4_from), (3, r.star3_from), (2, r.star2_from)):
        if score >= floor:
            return stars
    return 1


def star_score(*, deeds: int, projects_done: int, attended: int, invited: int, rating, r: CobuildRules) -> Decimal:
    """The transparent formula: each criterion's share of its full marks times its weight.
    No meeting invitations counts as full attendance; no residents' rating counts as 3 of 5."""
    deeds_part = min(Decimal(deeds) / r.deeds_full_marks, Decimal(1))
    projects_part = min(Decimal(projects_done) / r.projects_full_marks, Decimal(1))
    attendance_part = Decimal(attended) / invited if invited else Decimal(1)
    rating_part = (Decimal(rating) - 1) / 4 if rating is not None else Decimal("0.5")
    score = (deeds_part * r.weight_deeds + projects_part * r.weight_projects
             + attendance_part * r.weight_attendance + rating_part * r.weight_rating)
    return score.quantize(Decimal("0.1"))


# Meeting attendance from another domain: fn(unit_ids, year) -> {unit id: (attended, invited)}.
AttendanceOf = Callable[[list[int], int], dict[int, tuple[int, int]]]


def _links(actor, perm: str | None) -> list[tuple[ResidentUnit, Region]]:
    """(unit, community) pairs in the actor's scope for `perm` (everything when None): one rating
    each (see selectors.unit_community_pairs)."""
    return selectors.unit_community_pairs(actor, perm)


@transaction.atomic
def star_board_compute(*, actor, year: int, region: Region | None = None,
                       attendance_of: AttendanceOf | None = None) -> int:
    """(Re)compute the year's ratings for every unit in every community of the actor's scope (or
    under `region`): one rating per unit and community, from what the unit did there.
    Committee overrides are kept; the computed figures are refreshed.

    `attendance_of(unit_ids, year) -> {unit id: (attended, invited)}` gives the meeting attendance
    (meetings.selectors.unit_attendance, passed by the star board page); without it every unit
    counts as never invited."""
    _require(can_rate(actor), "只有街道（镇）及以上的评定委员会可以计算星光榜")
    links = _links(actor, P.RATE)
    if region is not None:
        links = [(u, c) for u, c in links if is_under(c.path, region.path)]
    return _star_board(actor=actor, year=year, links=links, attendance_of=attendance_of)


@transaction.atomic
def star_board_refresh(*, actor, year: int, attendance_of: AttendanceOf | None = None) -> int:
    """Community staff refresh the figures of the units in their scope (the committee's overrides
    stay: only what the rules compute from the ledger is brought up to date)."""
    _require(has_perm(actor, P.EDIT) and not unit_only(actor), "您没有刷新星光榜的权限")
    return _star_board(actor=actor, year=year, links=_links(actor, P.EDIT), attendance_of=attendance_of)


@transaction.atomic
def star_board_nightly(*, year: int, attendance_of: AttendanceOf | None = None) -> int:
    """The nightly run (command stars_refresh): every unit in every community, figures brought up to date."""
    return _star_board(actor=None, year=year, links=_links(None, None), attendance_of=attendance_of)


def _star_board(*, actor, year: int, links: list[tuple[ResidentUnit, Region]],
                attendance_of: AttendanceOf | None) -> int:
    from django.db.models import Avg, Count

    if year > _today().year:
        raise ValidationError({"year": "不能评定未来年度"})
    r = selectors.rules()
    ids = sorted({u.pk for u, _ in links})
    region_ids = sorted({c.pk for _, c in links})

    def per_link(qs, **annotations):
        return {(row["unit_id"], row["region_id"]): row
                for row in qs.filter(unit_id__in=ids, region_id__in=region_ids).values("unit_id", "region_id")
                .annotate(**annotations).order_by()}

    deed_rows = per_link(Deed.objects.filter(date__year=year), n=Count("id"), rating=Avg("rating"))
    done_rows = per_link(Project.objects.filter(status=ProjectStatus.DONE, done_on__year=year), n=Count("id"))
    crit_rows = per_link(Criticism.objects.filter(year=year), n=Count("id"))
    attendance = attendance_of(ids, year) if attendance_of is not None else {}
    existing = {(s.unit_id, s.region_id): s for s in StarRating.objects.filter(unit_id__in=ids, year=year)}
    to_create, to_update = [], []
    now = timezone.now()
    for u, comm in links:
        key = (u.pk, comm.pk)
        d = deed_rows.get(key, {"n": 0, "rating": None})
        done = done_rows.get(key, {"n": 0})["n"]
        attended, invited = attendance.get(u.pk, (0, 0))
        rating = Decimal(str(d["rating"])).quantize(Decimal("0.1")) if d["rating"] is not None else None
        score = star_score(deeds=d["n"], projects_done=done, attended=attended, invited=invited, rating=rating, r=r)
        s = existing.get(key) or StarRating(unit=u, region=comm, year=year)
        s.deeds, s.projects_done, s.resident_rating, s.score = d["n"], done, rating, score
        s.attendance_rate = (Decimal(attended * 100) / invited).quantize(Decimal("0.1")) if invited else None
        s.computed_stars = _stars_for(score, r)
        if not s.override_reason:
            s.stars = s.computed_stars
        s.criticisms = crit_rows.get(key, {"n": 0})["n"]
        s.disqualified = s.criticisms >= r.criticisms_disqualify
        s.computed_at = now  # bulk_update does not touch auto_now fields by itself
        (to_update if s.pk else to_create).append(s)
    StarRating.objects.bulk_create(to_create, batch_size=500)
    StarRating.objects.bulk_update(
        to_update, ["deeds", "projects_done", "resident_rating", "score", "attendance_rate", "computed_stars",
                    "stars", "criticisms", "disqualified", "computed_at"], batch_size=500)
    record(actor=actor, action=AuditAction.UPDATE, object_type="cobuild.starrating", object_id=str(year),
           object_repr=f"{year} 年度星光榜", changes={"units": [None, len(links)]})
    return len(links)


@transaction.atomic
def star_override(*, actor, rating: StarRating, stars, reason) -> StarRating:
    """The committee sets a rating by hand; a reason is required and recorded."""
    _require(can_rate(actor) and has_perm_at(actor, P.RATE, rating.region.path), "只有评定委员会可以调整星级")
    try:
        stars = int(stars)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"stars": "星级应为 1 到 5 之间的整数"}) from exc
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": f"星级应为 1 到 5 之间的整数（收到 {stars}）"})
    reason = _text(reason, "override_reason", "调整理由", max_len=300)
    rating = StarRating.objects.select_for_update().get(pk=rating.pk)
    before = snapshot(rating, ["stars", "override_reason"])
    rating.stars, rating.override_reason, rating.overridden_by = stars, reason, actor
    rating.save(update_fields=["stars", "override_reason", "overridden_by"])
    record(actor=actor, action=AuditAction.UPDATE, obj=rating,
           changes=diff(before, snapshot(rating, ["stars", "override_reason"])), purpose=reason)
    return rating


# --- chronicle --------------------------------------------------------------------------------

CHRONICLE_MIN_BENEFICIARIES = 50  # a deed this large is a notable event of the year
# More chronicle lines from another domain: fn(communities, year) ->
# [(region_id, date, title, body, source_type, source_id)].
MoreLines = Callable[[QuerySet, int], list[tuple]]


@transaction.atomic
def chronicle_generate(*, actor, year: int, more_lines: MoreLines | None = None) -> int:
    """Add to the chronicle the year's notable events in the actor's scope: projects created and
    completed, deeds linked to a project or reaching many residents, criticisms, and whatever
    `more_lines(communities, year)` adds (the chronicle page passes meetings.selectors.chronicle_lines:
    meetings held). Lines already there (edited or not) are kept."""
    _require(not unit_only(actor) and bool(selectors.communities(actor).exists()), "您没有编写大事记的权限")
    rows: list[tuple] = []
    for d in selectors.deeds(actor).filter(date__year=year).filter(
            models_q_notable()).select_related("unit"):
        rows.append((d.region_id, d.date, f"{d.unit}：{d.title}",
                     f"{d.get_activity_display()}，受益群众 {d.beneficiaries} 人，志愿服务 {d.hours} 小时，"
                     f"投入资金 {d.money} 元。", "deed", d.pk))
    for p in selectors.projects(actor).filter(created_at__year=year):
        rows.append((p.region_id, timezone.localtime(p.created_at).date(), f"共建项目“{p.title}”立项",
                     f"承办单位：{p.unit or '—'}；负责人：{p.owner_name}；期限：{p.deadline:%Y-%m-%d}；"
                     f"预算 {p.budget} 元。", "project", p.pk))
    for p in selectors.projects(actor).filter(done_on__year=year):
        rows.append((p.region_id, p.done_on, f"共建项目“{p.title}”完成", f"承办单位：{p.unit or '—'}。",
                     "project_done", p.pk))
    for c in selectors.criticisms(actor).filter(year=year):
        rows.append((c.region_id, c.date, f"{c.unit}被通报批评", c.reason, "criticism", c.pk))
    if more_lines is not None:
        rows.extend(more_lines(selectors.communities(actor, P.VIEW), year))
    have = set(ChronicleEntry.objects.filter(source_type__in={r[4] for r in rows})
               .values_list("region_id", "source_type", "source_id"))
    new = [ChronicleEntry(region_id=rid, date=d, title=t[:200], body=b, source_type=st, source_id=str(sid))
           for rid, d, t, b, st, sid in rows if (rid, st, str(sid)) not in have]
    ChronicleEntry.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    record(actor=actor, action=AuditAction.CREATE, object_type="cobuild.chronicleentry", object_id=str(year),
           object_repr=f"{year} 年大事记", changes={"added": [0, len(new)]})
    return len(new)


def models_q_notable():
    from django.db.models import Q

    return Q(project__isnull=False) | Q(beneficiaries__gte=CHRONICLE_MIN_BENEFICIARIES)


@transaction.atomic
def chronicle_update(*, actor, entry: ChronicleEntry, date, title, body) -> ChronicleEntry:
    entry = ChronicleEntry.objects.select_for_update(of=("self",)).select_related("region").get(pk=entry.pk)
    _require(can_edit_at(actor, entry.region.path), "您没有修改该条大事记的权限")
    before = snapshot(entry, ["date", "title", "body"])
    entry.date = _past_date(date, "date", "日期")
    entry.title = _text(title, "title", "事件", max_len=200)
    entry.body = _text(body, "body", "内容", max_len=4000, required=False)
    entry.edited = True
    entry.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=entry, changes=diff(before, snapshot(entry, ["date", "title",
                                                                                                  "body"])))
    return entry


@transaction.atomic
def chronicle_create(*, actor, region: Region, date, title, body="") -> ChronicleEntry:
    _require(region is not None and can_edit_at(actor, region.path), "您没有在该社区编写大事记的权限")
    entry = ChronicleEntry.objects.create(region=region, date=_past_date(date, "date", "日期"),
                                          title=_text(title, "title", "事件", max_len=200),
                                          body=_text(body, "body", "内容", max_len=4000, required=False), edited=True)
    record(actor=actor, action=AuditAction.CREATE, obj=entry, changes=diff({}, snapshot(entry, ["date", "title"])))
    return entry
