"""Every write of the network: `<entity>_<verb>(*, actor, ...)`, one transaction, audited, Chinese
messages naming the field and the reason, nothing saved half-way."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core import treepaths
from regions.models import Region, RegionKind

from .models import (
    COMMITTEE_LEVEL,
    STAGE_ORDER,
    Committee,
    CommitteeKind,
    CommitteeMember,
    CompoundBody,
    CompoundBodyKind,
    CompoundBodyMember,
    CountyLeader,
    GuideRole,
    IncubationStage,
    LeaderAssignment,
    LeaderProblem,
    LeaderVisit,
    NetworkRules,
    ProblemStatus,
    SocialOrg,
    SocialOrgGuide,
    SocialOrgStage,
    VisitKind,
)
from .rules import P


def today() -> date:
    return timezone.localdate()


# --- checks -----------------------------------------------------------------------------------

def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    return value


def a_date(value, field: str, label: str, *, not_future: bool = False, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return None
    if not isinstance(value, date):
        raise ValidationError({field: f"{label}格式不正确"})
    if value.year < 1950:
        raise ValidationError({field: f"{label}（{value:%Y-%m-%d}）过早，请核对"})
    if not_future and value > today():
        raise ValidationError({field: f"{label}不能晚于今天（{today():%Y-%m-%d}）"})
    return value


def collect(*checks) -> dict:
    """Run (field, callable) checks; raise one ValidationError naming every bad field."""
    errors, out = {}, {}
    for field, check in checks:
        try:
            out[field] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def _require(actor, perm: str, region: Region, what: str) -> None:
    if not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有{what}“{region.name}”的权限")


def _kind(region, kind: str, field: str, label: str) -> Region:
    if not isinstance(region, Region) or region.kind != kind:
        raise ValidationError({field: f"请选择{label}"})
    return region


def _audit_create(actor, obj, fields) -> None:
    record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=diff({}, snapshot(obj, fields)))


def _term(start, end, prefix: str = "term") -> tuple[date, date | None]:
    out = collect((f"{prefix}_start", lambda: a_date(start, f"{prefix}_start", "任期开始日期")),
                  (f"{prefix}_end", lambda: a_date(end, f"{prefix}_end", "任期结束日期", required=False)))
    s, e = out[f"{prefix}_start"], out[f"{prefix}_end"]
    if e is not None and e < s:
        raise ValidationError({f"{prefix}_end": f"任期结束日期（{e:%Y-%m-%d}）不能早于任期开始日期（{s:%Y-%m-%d}）"})
    return s, e


# --- the rule ---------------------------------------------------------------------------------

@transaction.atomic
def rules_update(*, actor, leaders_per_community, visit_months) -> NetworkRules:
    rules = NetworkRules.current()
    district = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    if district is None or not has_perm_at(actor, P.LEADERS, district.path):
        raise ValidationError("只有区委组织部管理员可以修改县领导联系社区规则")
    errors = {}
    if not isinstance(leaders_per_community, int) or not 1 <= leaders_per_community <= 20:
        errors["leaders_per_community"] = "每个社区联系县领导人数应为 1 至 20 之间的整数"
    if visit_months not in (1, 2, 3, 6, 12):
        errors["visit_months"] = "走访周期应为 1、2、3、6 或 12 个月"
    if errors:
        raise ValidationError(errors)
    if leaders_per_community < rules.leaders_per_community:
        crowded = [r.name for r in _crowded(leaders_per_community)]
        if crowded:
            raise ValidationError({"leaders_per_community": (
                f"已有社区联系的县领导多于 {leaders_per_community} 名（{'、'.join(crowded[:5])}），请先调整联系安排")})
    before = snapshot(rules, ["leaders_per_community", "visit_months"])
    rules.leaders_per_community, rules.visit_months = leaders_per_community, visit_months
    rules.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=rules,
           changes=diff(before, snapshot(rules, ["leaders_per_community", "visit_months"])))
    return rules


def _crowded(limit: int) -> list[Region]:
    """Communities with more active leaders than `limit`."""
    from django.db.models import Count

    ids = (LeaderAssignment.objects.filter(ended_on__isnull=True).values("community")
           .annotate(n=Count("id")).filter(n__gt=limit).values_list("community", flat=True))
    return list(Region.objects.filter(pk__in=list(ids)).order_by("path"))


# --- county leaders ---------------------------------------------------------------------------

@transaction.atomic
def leader_create(*, actor, region: Region, name, post, user=None) -> CountyLeader:
    _kind(region, RegionKind.DISTRICT, "region", "区（县）")
    if not has_perm_at(actor, P.LEADERS, region.path):
        raise ValidationError("只有区委组织部管理员可以登记县领导")
    clean = collect(("name", lambda: text(name, "name", "姓名", max_len=50)),
                    ("post", lambda: text(post, "post", "职务", max_len=100)))
    leader = CountyLeader.objects.create(region=region, user=user, **clean)
    _audit_create(actor, leader, ["name", "post", "user"])
    return leader


@transaction.atomic
def leader_assign(*, actor, leader: CountyLeader, community: Region, since: date | None = None) -> LeaderAssignment:
    """Assign a leader to a community — refused, with the names, when the community already has as many
    leaders as the rule says (the community's row is locked, so two assignments at once cannot both pass)."""
    _kind(community, RegionKind.COMMUNITY, "community", "社区")
    if not has_perm_at(actor, P.LEADERS, leader.region.path):
        raise ValidationError("只有区委组织部管理员可以安排县领导联系社区")
    if not treepaths.is_under(community.path, leader.region.path):
        raise ValidationError({"community": f"{community.name}不在{leader.region.name}范围内"})
    since = a_date(since or today(), "since", "联系起始日期", not_future=False)
    Region.objects.select_for_update().get(pk=community.pk)
    if not leader.active:
        raise ValidationError(f"{leader.name}已不在任，不能安排联系社区")
    current = list(LeaderAssignment.objects.filter(community=community, ended_on__isnull=True)
                   .select_related("leader").order_by("id"))
    if any(a.leader_id == leader.pk for a in current):
        raise ValidationError({"community": f"{leader.name}已在联系{community.name}"})
    limit = NetworkRules.current().leaders_per_community
    if len(current) >= limit:
        names = "、".join(a.leader.name for a in current)
        raise ValidationError({"community": (
            f"{community.name}已有 {len(current)} 名联系县领导（{names}），按规定每个社区确定 {limit} 名县领导，"
            f"请先结束其中一人的联系后再安排{leader.name}")})
    a = LeaderAssignment.objects.create(leader=leader, community=community, since=since)
    _audit_create(actor, a, ["leader", "community", "since"])
    return a


@transaction.atomic
def assignment_end(*, actor, assignment: LeaderAssignment, ended_on: date | None = None) -> LeaderAssignment:
    if not has_perm_at(actor, P.LEADERS, assignment.leader.region.path):
        raise ValidationError("只有区委组织部管理员可以调整县领导联系社区")
    a = LeaderAssignment.objects.select_for_update().get(pk=assignment.pk)
    if a.ended_on is not None:
        raise ValidationError("该联系安排已经结束")
    end = a_date(ended_on or today(), "ended_on", "结束日期", not_future=True)
    if end < a.since:
        raise ValidationError({"ended_on": f"结束日期（{end:%Y-%m-%d}）不能早于联系起始日期（{a.since:%Y-%m-%d}）"})
    a.ended_on = end
    a.save(update_fields=["ended_on"])
    record(actor=actor, action=AuditAction.UPDATE, obj=a, changes={"ended_on": [None, str(end)]})
    return a


def _assigned(leader: CountyLeader, community: Region, day: date) -> bool:
    return LeaderAssignment.objects.filter(leader=leader, community=community, since__lte=day).exclude(
        ended_on__lt=day).exists()


def joint_meetings(community: Region):
    """The meetings a leader's visit may name: of the community's 党建联席会 and of the 县领导联系社区督导
    bodies at the community or above it (meetings keeps them; this app only links)."""
    from meetings.models import BodyKind, Meeting, MeetingStatus

    ids = [*treepaths.ancestor_ids(community.path), community.pk]
    return (Meeting.objects.filter(body__region_id__in=ids, body__kind__in=[BodyKind.JOINT, BodyKind.LEADER_LIAISON])
            .exclude(status=MeetingStatus.CANCELLED).select_related("body").order_by("-date"))


@transaction.atomic
def visit_record(*, actor, leader: CountyLeader, community: Region, date, findings, kind=VisitKind.INSPECTION,
                 attended_joint_meeting: bool = False, meeting=None) -> LeaderVisit:
    _kind(community, RegionKind.COMMUNITY, "community", "社区")
    _require(actor, P.MANAGE, community, "登记县领导走访")
    clean = collect(("date", lambda: a_date(date, "date", "走访日期", not_future=True)),
                    ("findings", lambda: text(findings, "findings", "了解到的情况", max_len=2000)),
                    ("kind", lambda: kind if kind in VisitKind.values else _bad("kind", "请选择走访方式")))
    day = clean["date"]
    if not _assigned(leader, community, day):
        raise ValidationError({"leader": f"{leader.name}在 {day:%Y-%m-%d} 不是{community.name}的联系县领导"})
    if kind == VisitKind.JOINT_MEETING:
        attended_joint_meeting = True
    if meeting is not None:
        if not joint_meetings(community).filter(pk=meeting.pk).exists():
            raise ValidationError({"meeting": f"所选会议不是{community.name}的联席会议或县领导联系社区督导会议"})
        if meeting.date != day:
            raise ValidationError({"meeting": (
                f"所选会议在 {meeting.date:%Y-%m-%d} 召开，与走访日期 {day:%Y-%m-%d} 不一致")})
        attended_joint_meeting = True
    v = LeaderVisit.objects.create(leader=leader, community=community, date=day, kind=clean["kind"],
                                   findings=clean["findings"], attended_joint_meeting=attended_joint_meeting,
                                   meeting=meeting, recorded_by=actor)
    _audit_create(actor, v, ["leader", "community", "date", "kind", "attended_joint_meeting", "meeting"])
    return v


def _bad(field: str, msg: str):
    raise ValidationError({field: msg})


@transaction.atomic
def problem_create(*, actor, leader: CountyLeader, community: Region, problem, owner, deadline,
                   visit: LeaderVisit | None = None) -> LeaderProblem:
    _kind(community, RegionKind.COMMUNITY, "community", "社区")
    _require(actor, P.MANAGE, community, "登记县领导领办问题")
    clean = collect(("problem", lambda: text(problem, "problem", "问题", max_len=300)),
                    ("owner", lambda: text(owner, "owner", "责任人（单位）", max_len=100)),
                    ("deadline", lambda: a_date(deadline, "deadline", "办结期限")))
    if not LeaderAssignment.objects.filter(leader=leader, community=community).exists():
        raise ValidationError({"leader": f"{leader.name}不是{community.name}的联系县领导"})
    if visit is not None and (visit.leader_id != leader.pk or visit.community_id != community.pk):
        raise ValidationError({"visit": "所选走访不是该县领导对该社区的走访"})
    start = visit.date if visit else today()
    if clean["deadline"] < start:
        raise ValidationError({"deadline": f"办结期限（{clean['deadline']:%Y-%m-%d}）不能早于 {start:%Y-%m-%d}"})
    p = LeaderProblem.objects.create(leader=leader, community=community, visit=visit, created_by=actor, **clean)
    _audit_create(actor, p, ["leader", "community", "problem", "owner", "deadline"])
    return p


@transaction.atomic
def problem_update(*, actor, problem: LeaderProblem, status, resolution="", resolved_on=None) -> LeaderProblem:
    _require(actor, P.MANAGE, problem.community, "办理县领导领办问题")
    p = LeaderProblem.objects.select_for_update().get(pk=problem.pk)
    if status not in ProblemStatus.values:
        raise ValidationError({"status": "请选择状态"})
    fields = ["status", "resolution", "resolved_on"]
    before = snapshot(p, fields)
    resolution = text(resolution, "resolution", "解决情况", max_len=2000, required=status == ProblemStatus.RESOLVED)
    if status == ProblemStatus.RESOLVED:
        resolved_on = a_date(resolved_on or today(), "resolved_on", "解决日期", not_future=True)
        if resolved_on < p.created_at.date():
            raise ValidationError({"resolved_on": f"解决日期不能早于登记日期（{p.created_at:%Y-%m-%d}）"})
    else:
        resolved_on = None
    p.status, p.resolution, p.resolved_on = status, resolution, resolved_on
    p.save(update_fields=fields)
    record(actor=actor, action=AuditAction.UPDATE, obj=p, changes=diff(before, snapshot(p, fields)))
    return p


# --- 委员制 -------------------------------------------------------------------------------------

@transaction.atomic
def committee_create(*, actor, region: Region, kind, name="", since=None) -> Committee:
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": "请选择类别"})
    level = COMMITTEE_LEVEL[kind]
    _kind(region, level, "region", "街道（镇）" if level == RegionKind.STREET else "社区")
    _require(actor, P.MANAGE, region, "设立委员制组织于")
    if Committee.objects.filter(region=region, kind=kind).exists():
        raise ValidationError({"kind": f"{region.name}已有{CommitteeKind(kind).label}"})
    name = text(name or f"{region.name}{CommitteeKind(kind).label}", "name", "名称", max_len=120)
    c = Committee.objects.create(region=region, kind=kind, name=name,
                                 since=a_date(since, "since", "设立日期", not_future=True, required=False))
    _audit_create(actor, c, ["region", "kind", "name"])
    return c


def _unit_serves(unit, community: Region) -> bool:
    """Does the resident unit serve this community: where it sits, or through a co-building agreement
    with it (a unit serves many communities, one agreement each)."""
    return unit.region_id == community.pk or unit.agreements.filter(region=community).exists()


@transaction.atomic
def committee_member_add(*, actor, committee: Committee, person_name, unit_post, term_start, term_end=None,
                         unit=None, unit_community: Region | None = None, org_name="",
                         committee_post="委员") -> CommitteeMember:
    _require(actor, P.MANAGE, committee.region, "登记兼职委员于")
    checks = [("person_name", lambda: text(person_name, "person_name", "兼职委员姓名", max_len=50)),
              ("unit_post", lambda: text(unit_post, "unit_post", "单位职务", max_len=100)),
              ("committee_post", lambda: text(committee_post, "committee_post", "委员会职务", max_len=30)),
              ("term", lambda: _term(term_start, term_end))]
    if unit is None:
        checks.append(("org_name", lambda: text(org_name, "org_name", "成员单位", max_len=120)))
    clean = collect(*checks)
    if unit is not None:
        if unit_community is None or unit_community.kind != RegionKind.COMMUNITY:
            raise ValidationError({"unit_community": "驻区单位须注明它在哪个社区参加共建"})
        if not treepaths.is_under(unit_community.path, committee.region.path):
            raise ValidationError({"unit_community": f"{unit_community.name}不在{committee.region.name}范围内"})
        if not _unit_serves(unit, unit_community):
            raise ValidationError({"unit": f"{unit.name}不是{unit_community.name}的共建单位"})
        clean["org_name"] = unit.name
    else:
        unit_community = None
    start, end = clean.pop("term")
    m = CommitteeMember.objects.create(committee=committee, unit=unit, unit_community=unit_community,
                                       term_start=start, term_end=end, **clean)
    _audit_create(actor, m, ["committee", "unit", "unit_community", "org_name", "person_name", "unit_post",
                             "term_start", "term_end"])
    return m


@transaction.atomic
def committee_member_end(*, actor, member: CommitteeMember, term_end) -> CommitteeMember:
    _require(actor, P.MANAGE, member.committee.region, "调整兼职委员于")
    m = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    _, end = _term(m.term_start, term_end)
    if end is None:
        raise ValidationError({"term_end": "请填写任期结束日期"})
    before = snapshot(m, ["term_end"])
    m.term_end = end
    m.save(update_fields=["term_end"])
    record(actor=actor, action=AuditAction.UPDATE, obj=m, changes=diff(before, snapshot(m, ["term_end"])))
    return m


# --- owners' committees and property firms -------------------------------------------------------

def _party_org_at(party_org, compound: Region):
    if party_org is not None and not treepaths.is_under(party_org.region.path, compound.path) \
            and not treepaths.is_under(compound.path, party_org.region.path):
        raise ValidationError({"party_org": f"{party_org.name}不在{compound.name}所在的社区"})
    return party_org


@transaction.atomic
def compound_body_create(*, actor, compound: Region, kind, name, party_org=None, since=None) -> CompoundBody:
    _kind(compound, RegionKind.COMPOUND, "compound", "小区")
    _require(actor, P.MANAGE, compound, "登记业委会（物业）于")
    if kind not in CompoundBodyKind.values:
        raise ValidationError({"kind": "请选择类别"})
    clean = collect(("name", lambda: text(name, "name", "名称", max_len=120)),
                    ("since", lambda: a_date(since, "since", "成立（进驻）日期", not_future=True, required=False)))
    if CompoundBody.objects.filter(compound=compound, kind=kind).exists():
        raise ValidationError({"kind": f"{compound.name}已登记{CompoundBodyKind(kind).label}"})
    b = CompoundBody.objects.create(compound=compound, kind=kind, party_org=_party_org_at(party_org, compound), **clean)
    _audit_create(actor, b, ["compound", "kind", "name", "party_org"])
    return b


@transaction.atomic
def compound_body_member_add(*, actor, body: CompoundBody, person_name, post, party_member=False,
                             community_post="") -> CompoundBodyMember:
    _require(actor, P.MANAGE, body.compound, "登记业委会（物业）成员于")
    clean = collect(("person_name", lambda: text(person_name, "person_name", "姓名", max_len=50)),
                    ("post", lambda: text(post, "post", "职务", max_len=50)),
                    ("community_post", lambda: text(community_post, "community_post", "社区两委职务", max_len=50,
                                                    required=False)))
    m = CompoundBodyMember.objects.create(body=body, party_member=bool(party_member), **clean)
    _audit_create(actor, m, ["body", "person_name", "post", "party_member", "community_post"])
    return m


# --- social organizations -----------------------------------------------------------------------

@transaction.atomic
def social_org_create(*, actor, community: Region, name, field, leader_name, leader_is_member=False,
                      party_org=None, cultivated_on=None) -> SocialOrg:
    _kind(community, RegionKind.COMMUNITY, "community", "社区")
    _require(actor, P.MANAGE, community, "登记社会组织于")
    clean = collect(("name", lambda: text(name, "name", "名称", max_len=120)),
                    ("field", lambda: text(field, "field", "服务领域", max_len=50)),
                    ("leader_name", lambda: text(leader_name, "leader_name", "负责人", max_len=50)),
                    ("cultivated_on", lambda: a_date(cultivated_on, "cultivated_on", "入驻培育日期", not_future=True)))
    if SocialOrg.objects.filter(community=community, name=clean["name"]).exists():
        raise ValidationError({"name": f"{community.name}已有名为“{clean['name']}”的社会组织"})
    cultivated_on = clean.pop("cultivated_on")
    org = SocialOrg.objects.create(community=community, leader_is_member=bool(leader_is_member),
                                   party_org=_party_org_at(party_org, community), **clean)
    SocialOrgStage.objects.create(org=org, stage=IncubationStage.CULTIVATE, date=cultivated_on)
    _audit_create(actor, org, ["community", "name", "field", "leader_name"])
    return org


@transaction.atomic
def social_org_stage_add(*, actor, org: SocialOrg, stage, date, note="", party_org=None) -> SocialOrgStage:
    """The next stage of incubation, in order (培育 → 登记 → 建立党组织 → 出壳), dated no earlier than the
    stage before it; 建立党组织 names the Party organization."""
    _require(actor, P.MANAGE, org.community, "登记社会组织孵化阶段于")
    org = SocialOrg.objects.select_for_update().get(pk=org.pk)
    if stage not in IncubationStage.values:
        raise ValidationError({"stage": "请选择阶段"})
    clean = collect(("date", lambda: a_date(date, "date", "日期", not_future=True)),
                    ("note", lambda: text(note, "note", "说明", max_len=200, required=False)))
    done = {s.stage: s for s in org.stages.all()}
    if stage in done:
        raise ValidationError({"stage": f"{org.name}已登记过“{IncubationStage(stage).label}”"})
    idx = STAGE_ORDER.index(stage)
    missing = [s.label for s in STAGE_ORDER[:idx] if s not in done]
    if missing:
        raise ValidationError({"stage": f"请先登记“{'、'.join(missing)}”阶段"})
    if idx and clean["date"] < done[STAGE_ORDER[idx - 1]].date:
        prev = done[STAGE_ORDER[idx - 1]]
        raise ValidationError({"date": f"日期不能早于上一阶段“{prev.get_stage_display()}”（{prev.date:%Y-%m-%d}）"})
    if stage == IncubationStage.PARTY_ORG:
        if party_org is None and org.party_org_id is None:
            raise ValidationError({"party_org": "建立党组织阶段须选择建立的党组织"})
        if party_org is not None:
            org.party_org = _party_org_at(party_org, org.community)
            org.save(update_fields=["party_org"])
    s = SocialOrgStage.objects.create(org=org, stage=stage, **clean)
    _audit_create(actor, s, ["org", "stage", "date"])
    return s


@transaction.atomic
def social_org_guide_add(*, actor, org: SocialOrg, role, person_name, unit, since) -> SocialOrgGuide:
    _require(actor, P.MANAGE, org.community, "派驻党建指导员（联络员）于")
    if role not in GuideRole.values:
        raise ValidationError({"role": "请选择身份"})
    clean = collect(("person_name", lambda: text(person_name, "person_name", "姓名", max_len=50)),
                    ("unit", lambda: text(unit, "unit", "所在单位", max_len=120)),
                    ("since", lambda: a_date(since, "since", "派驻日期", not_future=True)))
    g = SocialOrgGuide.objects.create(org=org, role=role, **clean)
    _audit_create(actor, g, ["org", "role", "person_name", "unit", "since"])
    return g
