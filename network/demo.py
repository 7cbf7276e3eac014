"""Demo on the seed county (seed 000, 001, 002): 20 county leaders, each linked to one or two of the eight
communities so that every community has exactly three (为每个社区确定了3名县领导); a year of their visits,
mostly once a quarter at the community's joint meeting (迎宾路社区 neglected for the last two quarters), the
problems they took on (some resolved, some overdue); the 委员制 of member units in each town's
社区党建协调委员会, the county seat's 大工委 and each community's 兼职委员; owners' committees and property
firms for the compounds with a few cross-appointments; two social organizations in incubation."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from cobuild.models import ResidentUnit
from core.synthetic import person_name
from meetings.models import BodyKind, Meeting, MeetingStatus
from meetings.selectors import period_of
from orgs.models import PartyOrg
from regions.models import Region, RegionKind

from .models import (
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

POSTS = ["县委书记", "县长", "县委副书记", "县委常委、组织部部长", "县委常委、宣传部部长", "县委常委、政法委书记",
         "县委常委、纪委书记", "县委常委、常务副县长", "县委常委、统战部部长", "县委常委、县委办主任", "副县长",
         "副县长", "副县长", "县人大常委会主任", "县人大常委会副主任", "县人大常委会副主任", "县政协主席",
         "县政协副主席", "县政协副主席", "县法院院长"]
NEGLECTED = "迎宾路社区"
FINDINGS = [
    "查看党群服务中心运行情况，听取社区党组织书记汇报本季度共驻共建开展情况。",
    "参加社区党建工作联席会议，听取驻区单位通报结对共建活动，协调解决老旧小区改造问题。",
    "走访重点关爱户和困难党员，了解网格员走访和诉求办理情况。",
    "督查社区党建阵地建设和“一厅一校四室”使用情况，提出整改意见。",
    "调研小区物业服务和业委会运行情况，听取居民对停车、绿化的意见。",
]
PROBLEMS = [
    ("老旧小区雨污管网堵塞，雨季积水", "县住建局"), ("社区活动室面积不足，需协调共建单位场地", "县机关事务中心"),
    ("小区无物业管理，垃圾清运不及时", "县城市管理局"), ("社区卫生服务站缺少全科医生", "县卫健委"),
    ("背街小巷路灯损坏", "县城市管理局"), ("居民区停车位紧张", "县公安局交警大队"),
    ("社区网格员待遇偏低", "县人社局"), ("驻区单位参加共驻共建积极性不高", "县委组织部"),
]
RESOLUTIONS = ["已协调专项资金完成改造，居民满意。", "已落实场地，签订共建协议。", "已纳入年度计划并完成。"]


def _quarters(today: date, n: int) -> list:
    """The last n quarters, oldest first (the current one last)."""
    out, p = [], period_of(today, 3)
    for _ in range(n):
        out.append(p)
        p = period_of(p.start - timedelta(days=1), 3)
    return out[::-1]


def _units_of(community: Region) -> list[ResidentUnit]:
    """Resident units serving the community: where they sit or through an agreement with it."""
    return list(ResidentUnit.objects.filter(Q(region=community) | Q(agreements__region=community))
                .distinct().order_by("pk"))


def load() -> None:
    rng = random.Random(20)
    today = timezone.localdate()
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    if county is None:
        return
    NetworkRules.current()
    admin = User.objects.filter(username="qw_zzb").first()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    towns = list(Region.objects.filter(kind=RegionKind.STREET).order_by("path"))
    year_ago = today - timedelta(days=365)

    # --- county leaders: 20, the first four with two communities, every community three -----------
    leaders = [CountyLeader.objects.create(region=county, name=person_name(rng), post=post) for post in POSTS]
    assignments = []
    for k in range(3 * len(communities)):
        ldr = leaders[k % len(leaders)] if k < len(leaders) else leaders[k - len(leaders)]
        assignments.append(LeaderAssignment(leader=ldr, community=communities[k % len(communities)],
                                            since=date(today.year - 1, 1, 1)))
    LeaderAssignment.objects.bulk_create(assignments)

    # --- a year of visits, mostly at the quarterly joint meeting ------------------------------------
    quarters = _quarters(today, 5)
    joint = {}
    for m in (Meeting.objects.filter(body__kind=BodyKind.JOINT, date__lte=today)
              .exclude(status=MeetingStatus.CANCELLED).order_by("date")):
        joint.setdefault(m.body.region_id, []).append(m)
    visits, problems = [], []
    for a in assignments:
        comm = a.community
        for qi, q in enumerate(quarters):
            if q.end < year_ago:
                continue
            current = qi == len(quarters) - 1
            if comm.name == NEGLECTED and qi >= len(quarters) - 2:
                continue  # the neglected community: nobody came last quarter nor this one
            if current and rng.random() < 0.35:
                continue  # not yet this quarter
            meetings_in_q = [m for m in joint.get(comm.pk, []) if q.start <= m.date <= q.end]
            if meetings_in_q and rng.random() < 0.75:
                m = rng.choice(meetings_in_q)
                visits.append(LeaderVisit(leader=a.leader, community=comm, date=m.date, kind=VisitKind.JOINT_MEETING,
                                          findings=FINDINGS[1], attended_joint_meeting=True, meeting=m,
                                          recorded_by=admin))
            else:
                last = min(q.end, today)
                span = (last - q.start).days
                d = q.start + timedelta(days=rng.randint(0, max(span, 0)))
                visits.append(LeaderVisit(leader=a.leader, community=comm, date=d,
                                          kind=rng.choice([VisitKind.INSPECTION, VisitKind.SURVEY]),
                                          findings=rng.choice([FINDINGS[0], FINDINGS[2], FINDINGS[3], FINDINGS[4]]),
                                          recorded_by=admin))
    visits = LeaderVisit.objects.bulk_create(visits)
    # Roughly one problem taken on per leader and community, from an older visit.
    for i, a in enumerate(assignments):
        mine = sorted([v for v in visits if v.leader_id == a.leader_id and v.community_id == a.community_id],
                      key=lambda v: v.date)
        if not mine or i % 3 == 2:
            continue
        v = mine[0] if i % 2 else mine[len(mine) // 2]
        text, owner = PROBLEMS[i % len(PROBLEMS)]
        deadline = v.date + timedelta(days=rng.choice([30, 60, 90]))
        if deadline < today - timedelta(days=20) and i % 4:
            status, resolution, resolved_on = ProblemStatus.RESOLVED, rng.choice(RESOLUTIONS), deadline - timedelta(
                days=rng.randint(1, 20))
        elif deadline < today:
            status, resolution, resolved_on = ProblemStatus.IN_PROGRESS, "", None  # overdue
        else:
            status, resolution, resolved_on = rng.choice([ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS]), "", None
        problems.append(LeaderProblem(leader=a.leader, community=a.community, visit=v, problem=text, owner=owner,
                                      deadline=deadline, status=status, resolution=resolution,
                                      resolved_on=resolved_on, created_by=admin))
    LeaderProblem.objects.bulk_create(problems)

    # --- 委员制 ------------------------------------------------------------------------------------
    term = date(today.year - 1, 3, 1)
    members = []
    for town in towns:
        coord = Committee.objects.create(region=town, kind=CommitteeKind.COORDINATION,
                                         name=f"{town.name}社区党建协调委员会", since=date(today.year - 3, 3, 1))
        town_comms = [c for c in communities if c.parent_id == town.pk]
        for c in town_comms:
            for u in _units_of(c)[:2]:
                members.append(CommitteeMember(committee=coord, unit=u, unit_community=c, org_name=u.name,
                                               person_name=u.leader_name or person_name(rng), unit_post="党组织书记",
                                               term_start=term, term_end=date(today.year + 2, 2, 28)))
        if town.name == "库额尔齐斯镇":
            big = Committee.objects.create(region=town, kind=CommitteeKind.WORKING, name=f"{town.name}大工委",
                                           since=date(today.year - 2, 6, 1))
            for post, org in [("党组书记", "县住建局"), ("党组书记", "县人社局"), ("教导员", "县公安局城区派出所"),
                              ("党委书记", "县农村信用社")]:
                members.append(CommitteeMember(committee=big, org_name=org, person_name=person_name(rng),
                                               unit_post=post, committee_post="兼职委员", term_start=term,
                                               term_end=date(today.year + 2, 2, 28)))
    for c in communities:
        cc = Committee.objects.create(region=c, kind=CommitteeKind.COMMUNITY, name=f"{c.name}党组织兼职委员",
                                      since=date(today.year - 1, 3, 1))
        for u in _units_of(c)[:2]:
            members.append(CommitteeMember(committee=cc, unit=u, unit_community=c, org_name=u.name,
                                           person_name=u.leader_name or person_name(rng), unit_post="党组织书记",
                                           committee_post="兼职委员", term_start=term))
        members.append(CommitteeMember(committee=cc, org_name="县公安局城区派出所", person_name=person_name(rng),
                                       unit_post="社区民警", committee_post="兼职委员", term_start=term))
        # One whose term ended: the list shows 已期满.
        members.append(CommitteeMember(committee=cc, org_name="县供销社", person_name=person_name(rng),
                                       unit_post="党支部书记", committee_post="兼职委员",
                                       term_start=date(today.year - 4, 3, 1), term_end=term - timedelta(days=1)))
    CommitteeMember.objects.bulk_create(members)

    # --- owners' committees and property firms ------------------------------------------------------
    firms = ["金山物业服务有限公司", "额河物业管理有限公司", "阳光物业服务有限公司", "安居物业有限公司"]
    orgs_at = {o.region_id: o for o in PartyOrg.objects.filter(region__kind=RegionKind.COMPOUND)}
    bodies, body_members, cross_left = [], [], 6
    compounds = list(Region.objects.filter(kind=RegionKind.COMPOUND).order_by("path"))
    for i, comp in enumerate(compounds):
        if i % 5 != 4:  # four compounds in five have a property firm
            bodies.append(CompoundBody(compound=comp, kind=CompoundBodyKind.PROPERTY,
                                       name=f"{firms[i % 4]}（{comp.name}）",
                                       party_org=orgs_at.get(comp.pk) if i % 3 == 0 else None,
                                       since=date(today.year - 3 + i % 3, 1 + i % 12, 1)))
        if i % 5 in (0, 2):
            bodies.append(CompoundBody(compound=comp, kind=CompoundBodyKind.OWNERS, name=f"{comp.name}业主委员会",
                                       party_org=orgs_at.get(comp.pk), since=date(today.year - 2, 1 + i % 12, 1)))
    bodies = CompoundBody.objects.bulk_create(bodies)
    for b in bodies:
        posts = ["主任", "副主任", "委员"] if b.kind == CompoundBodyKind.OWNERS else ["项目经理", "客服主管"]
        for j, post in enumerate(posts):
            cross = ""
            if j == 0 and cross_left and b.kind == CompoundBodyKind.OWNERS and b.party_org_id:
                cross, cross_left = rng.choice(["社区党支部委员", "居委会委员"]), cross_left - 1
            body_members.append(CompoundBodyMember(body=b, person_name=person_name(rng), post=post,
                                                   party_member=bool(cross) or rng.random() < 0.3,
                                                   community_post=cross))
    CompoundBodyMember.objects.bulk_create(body_members)

    # --- two social organizations in incubation (双孵化) -----------------------------------------------
    by_name = {(c.parent.name, c.name): c for c in communities}
    elder = by_name.get(("库额尔齐斯镇", "文化东路社区")) or communities[0]
    org = SocialOrg.objects.create(community=elder, name="文化东路社区老年服务协会", field="助老服务",
                                   leader_name=person_name(rng), leader_is_member=True)
    SocialOrgStage.objects.bulk_create([
        SocialOrgStage(org=org, stage=IncubationStage.CULTIVATE, date=today - timedelta(days=240),
                       note="入驻社区孵化基地"),
        SocialOrgStage(org=org, stage=IncubationStage.REGISTER, date=today - timedelta(days=120),
                       note="在县民政局备案"),
    ])
    SocialOrgGuide.objects.create(org=org, role=GuideRole.INSTRUCTOR, person_name=person_name(rng),
                                  unit="库额尔齐斯镇党委", since=today - timedelta(days=240))
    good = by_name.get(("可可托海镇", "团结路社区")) or communities[-1]
    good_org = PartyOrg.objects.filter(name="好人协会党支部").first()
    org2 = SocialOrg.objects.create(community=good, name="团结路社区好人协会", field="邻里互助、群防群治",
                                    leader_name=person_name(rng), leader_is_member=good_org is not None,
                                    party_org=good_org)
    stages = [SocialOrgStage(org=org2, stage=IncubationStage.CULTIVATE, date=today - timedelta(days=400)),
              SocialOrgStage(org=org2, stage=IncubationStage.REGISTER, date=today - timedelta(days=300))]
    if good_org is not None:
        stages.append(SocialOrgStage(org=org2, stage=IncubationStage.PARTY_ORG, date=today - timedelta(days=150),
                                     note="把协会负责人发展成党员，成立党支部"))
    SocialOrgStage.objects.bulk_create(stages)
    SocialOrgGuide.objects.bulk_create([
        SocialOrgGuide(org=org2, role=GuideRole.INSTRUCTOR, person_name=person_name(rng), unit="可可托海镇党委",
                       since=today - timedelta(days=400)),
        SocialOrgGuide(org=org2, role=GuideRole.CONTACT, person_name=person_name(rng), unit="团结路社区党支部",
                       since=today - timedelta(days=300)),
    ])


DEMO_STEPS = [("network", load)]
