"""Demo: the seed county's year of the command system (seed 002's shape on seed 000's county): a
published list of 5 aspects and 18 key tasks, 交办书 to the towns and on to the communities, progress
with evidence linked to meetings held, a weekly 纪实 per community, twelve monthly 调度 of the county,
a quarterly 会商 problem register, and the overdue tasks raised up the tree."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from meetings.models import Meeting, MeetingStatus
from regions.models import Region, RegionKind

from . import services
from .models import (
    Aspect,
    Assignment,
    AssignmentStatus,
    Dispatch,
    DispatchItem,
    Evidence,
    EvidenceKind,
    KeyTask,
    ListStatus,
    Problem,
    ProblemStatus,
    ProgressReport,
    TaskList,
    WeeklyLog,
)

S, C, B = "street", "community", "branch"
# (aspect, [(task, content, levels, month of deadline, evidence)]) — 5 aspects, 18 key tasks.
PLAN = [
    ("组织体系建设", [
        ("健全五级党组织架构", "完善区委—街道—社区—小区—楼栋五级党组织架构，理顺隶属关系", [S, C], 3,
         "组织架构图、党组织设立批复"),
        ("小区党组织全覆盖", "符合条件的小区全部建立党支部，楼栋设党小组", [C, B], 6, "党支部成立批复、党小组名单"),
        ("深化兼职委员制", "选聘驻区单位党员负责人担任街道、社区兼职委员", [S, C], 5, "兼职委员名单、聘书"),
        ("在职党员双报到", "机关在职党员到居住地社区报到，每人每年办实事 1-2 件", [C], 12, "报到名册、实事台账"),
    ]),
    ("治理体系建设", [
        ("推行1+N议事协商", "以社区党组织为核心，业委会、物业、社会组织多方参与议事协商", [C], 9, "议事会记录"),
        ("网格化服务管理", "整合网格、人员和入格事项，网格员每月走访全覆盖", [C], 12, "走访记录、网格台账"),
        ("接诉即办闭环", "民声驿站接件、派单、办理、回访闭环，按期办结", [S, C], 12, "诉求办结记录、回访满意度"),
        ("社会组织双孵化", "培育社区社会组织，选派党建指导员", [S], 10, "孵化名单、指导员名册"),
    ]),
    ("工作体系建设", [
        ("周纪实月调度季会商", "社区干部每周下访纪实，街道每月调度，难题每季会商", [S, C], 12, "纪实台账、调度记录"),
        ("共驻共建联席会", "社区党建联席会每月召开，签订共建协议，落实需求、资源、项目三张清单", [C], 12,
         "会议纪要、共建协议"),
        ("审批权限下放", "承接下放到街道、社区的服务事项审批权限，简化办事流程", [S], 6, "承接事项目录"),
        ("一社一品创建", "围绕居民需求打造社区党建特色品牌", [C], 11, "品牌方案、活动照片"),
    ]),
    ("保障体系建设", [
        ("党群服务阵地达标", "社区党群服务中心面积不少于 400 平方米，功能完善", [C], 8, "阵地照片、面积测量表"),
        ("社区工作者队伍建设", "社区工作者培训全覆盖，落实待遇保障", [S, C], 10, "培训签到表"),
        ("社区工作经费保障", "落实社区工作经费和服务群众专项经费，费随事转", [S], 7, "经费拨付凭证"),
    ]),
    ("督查考核", [
        ("四不两直督查整改", "对督查发现的问题建立整改台账，按期销号", [S, C], 12, "整改台账、销号材料"),
        ("书记抓党建述职", "街道、社区党组织书记年底述职评议", [S, C], 12, "述职报告、评议结果"),
        ("社区工作准入", "未签订委托合同的工作事项不得进入社区", [S], 9, "委托合同、准入目录"),
    ]),
]
LOG_LINES = ["入户走访 {v} 户，收集诉求 {d} 件，当场解答政策咨询", "联合网格员排查安全隐患，发现问题 {d} 处已交办物业",
             "走访困难家庭和独居老人 {v} 户，协调志愿者上门服务", "召开楼栋长碰头会，收集居民意见 {d} 条"]
DECISIONS = ["限期两周完成，街道派员督导", "纳入下月调度重点，责任人每周报告进度", "协调相关部门联合办理，月底前销号"]
PROBLEMS = [
    ("老旧小区房产办证难", "小区居民因开发商遗留问题无法办理房产证", "区住建局、司法局联合协调", "区住建局"),
    ("小区停车位严重不足", "车位不足引发邻里纠纷，居民多次反映", "利用闲置空地改建停车场", "镇城建办"),
    ("物业企业退出后无人管理", "物业合同到期退出，小区环境卫生无人负责", "引入国有物业托底服务", "镇党委"),
    ("背街小巷路灯缺失", "居民夜间出行不便，存在安全隐患", "纳入年度市政维修计划", "县城市管理局"),
    ("社区活动场地不足", "老年人活动场所面积小，冬季活动受限", "协调驻区单位开放活动室", "社区党组织"),
    ("供暖不达标投诉集中", "部分楼栋室温长期低于标准", "供热企业限期整改并上门测温", "县住建局"),
]


def _d(year: int, month: int, day: int) -> date:
    import calendar

    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def load() -> None:
    rng = random.Random(1802)
    today = timezone.localdate()
    year = today.year
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    admin = User.objects.filter(username="qw_zzb").first()
    if county is None or admin is None:
        return
    street_user = User.objects.filter(username="jd_staff").first()
    secretary = User.objects.filter(username="sq_shuji").first()
    towns = list(Region.objects.filter(kind=RegionKind.STREET).under(county.path).order_by("path"))
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).under(county.path).order_by("path"))
    demo_comm = (secretary.role_assignments.filter(region__kind=RegionKind.COMMUNITY).first().region
                 if secretary and secretary.role_assignments.exists() else communities[0])

    tl = TaskList.objects.create(region=county, year=year, title=f"{year}年城市基层党建责任清单和任务清单",
                                 status=ListStatus.PUBLISHED, published_at=_at(date(year, 1, 15)), created_by=admin)
    tasks: list[KeyTask] = []
    for i, (aspect_name, rows) in enumerate(PLAN, 1):
        aspect = Aspect.objects.create(task_list=tl, order=i, name=aspect_name)
        for j, (title, content, levels, month, evidence) in enumerate(rows, 1):
            tasks.append(KeyTask.objects.create(aspect=aspect, order=j, title=title, content=content,
                                                levels=",".join(levels), deadline=_d(year, month, 31 if month != 12
                                                                                      else 20),
                                                evidence=evidence))

    held = {}  # community id → meetings held this year (evidence to link)
    for m in (Meeting.objects.filter(status=MeetingStatus.HELD, date__year=year, body__region__kind="community")
              .order_by("date")):
        held.setdefault(m.body.region_id, []).append(m)

    assigned_on = date(year, 1, 20)
    seq = 0
    made: list[Assignment] = []

    def create(task, region, parent, number, signer, by, on):
        a = Assignment.objects.create(task=task, region=region, parent=parent, number=number, content=task.content,
                                      requirements=f"按期完成，报送佐证材料：{task.evidence}", assigned_on=on,
                                      deadline=task.deadline, signer=signer, assigned_by=by,
                                      status=AssignmentStatus.ACKNOWLEDGED, acknowledged_at=_at(on, 15))
        made.append(a)
        return a

    for task in tasks:
        levels = task.level_list
        if S in levels:
            for town in towns:
                seq += 1
                top = create(task, town, None, f"组交〔{year}〕{seq:03d}号", "县委组织部部长", admin, assigned_on)
                if C in levels or B in levels:
                    for k, comm in enumerate(c for c in communities if c.parent_id == town.pk):
                        create(task, comm, top, f"{top.number}-{k + 1:02d}", f"{town.name}党委书记",
                               street_user if street_user else None, assigned_on + timedelta(days=3))
        else:
            for comm in communities:
                seq += 1
                create(task, comm, None, f"组交〔{year}〕{seq:03d}号", "县委组织部部长", admin, assigned_on)

    # Progress: what is due is done (a few late, two still open); what is not due is on its way.
    reports, evidence = [], []
    open_late = 0
    for a in sorted(made, key=lambda x: (x.region.kind != RegionKind.COMMUNITY, x.pk)):
        span = (a.deadline - a.assigned_on).days or 1
        if a.deadline < today:
            late = rng.random() < 0.08
            if late and a.region.kind == RegionKind.COMMUNITY and open_late < 3:
                a.progress = rng.choice([50, 60, 70])
                open_late += 1
            else:
                a.progress, a.status = 100, AssignmentStatus.DONE
                a.done_at = _at(a.deadline - timedelta(days=rng.randint(0, 20)) if not late
                                else a.deadline + timedelta(days=rng.randint(3, 12)))
                a.overdue = late
        else:
            pace = (today - a.assigned_on).days * 100 // span
            a.progress = max(0, min(95, pace + rng.randint(-25, 10)))
        if a.region_id == demo_comm.pk and a.deadline >= today and a.task.level_list == [C]:
            a.progress = min(a.progress, 40)
        a.save()
        steps = [a.progress // 2, a.progress] if a.progress >= 40 else ([a.progress] if a.progress else [])
        for pct in steps:
            when = a.assigned_on + timedelta(days=max(1, (span * pct) // 100))
            when = min(when, today, a.done_at.date() if a.done_at else today)
            text = "已完成，材料已报送" if pct == 100 else f"按计划推进，已完成约 {pct}%"
            reports.append((a, ProgressReport(assignment=a, progress=pct, reported_by=None, text=text), when))
    ProgressReport.objects.bulk_create([r for _, r, _ in reports], batch_size=500)
    for a, r, when in reports:  # reported_at is auto_now_add: set the dates that look like life
        ProgressReport.objects.filter(pk=r.pk).update(reported_at=_at(when, 16))
        meetings = held.get(a.region_id)
        if meetings and r.progress >= 40:
            m = min(meetings, key=lambda x: abs((x.date - when).days))
            evidence.append(Evidence(report=r, kind=EvidenceKind.MEETING, record_id=m.pk,
                                     label=f"{m.date:%Y-%m-%d} {m.title}"))
    Evidence.objects.bulk_create(evidence, batch_size=500)

    # A letter still to sign in the demo community (handed over this week).
    fresh = Assignment.objects.filter(region=demo_comm, parent__isnull=True, deadline__gte=today).order_by("-pk")
    Assignment.objects.filter(pk__in=list(fresh.values_list("pk", flat=True)[:1])).update(
        status=AssignmentStatus.ASSIGNED, acknowledged_at=None, assigned_on=today - timedelta(days=2), progress=0)
    ProgressReport.objects.filter(assignment__in=fresh[:1]).delete()

    # Weekly 纪实 of every community, this year's weeks.
    logs = []
    monday = services.week_monday(date(year, 1, 5))
    while monday <= today:
        for comm in communities:
            if monday > today - timedelta(days=7) and comm.pk == demo_comm.pk:
                continue  # this week's is still to write
            v, dn = rng.randint(18, 60), rng.randint(1, 6)
            text = "；".join(rng.sample(LOG_LINES, 2)).format(v=v, d=dn)
            logs.append(WeeklyLog(region=comm, week_start=monday, text=text, visits=v, written_by=secretary
                                  if comm.pk == demo_comm.pk else None))
        monday += timedelta(days=7)
    WeeklyLog.objects.bulk_create(logs, batch_size=1000)

    # Twelve monthly 调度 of the county: the tasks behind at the time, each with a decision.
    for month in range(1, 13):
        held_on = _d(year, month, 25)
        if held_on > today:
            held_on = today - timedelta(days=1)
        if held_on.month != month:
            break
        d = Dispatch.objects.create(region=county, month=date(year, month, 1), held_on=held_on, held_by=admin,
                                    summary=f"通报{month}月重点任务推进情况，研究滞后任务整改措施。")
        items = []
        for a in made:
            if a.region.kind != RegionKind.COMMUNITY or a.assigned_on > held_on:
                continue
            done_by = a.done_at.date() if a.done_at else None
            if done_by and done_by <= held_on:
                continue
            expected = services.expected_progress(a, held_on)
            late = a.deadline < held_on
            if late or (a.progress + 25 < expected and rng.random() < 0.15):
                items.append(DispatchItem(dispatch=d, assignment=a, progress=min(a.progress, expected),
                                          decision=rng.choice(DECISIONS), owner=f"{a.region.name}党组织书记",
                                          due=held_on + timedelta(days=14)))
        DispatchItem.objects.bulk_create(items[:12])

    # The quarterly 会商 register.
    for k, (title, desc, decision, owner) in enumerate(PROBLEMS):
        comm = communities[k % len(communities)] if k else demo_comm
        raised = _d(year, 2 + 2 * k, 10)
        if raised > today:
            break
        p = Problem(region=comm, title=title, description=desc, raised_by=None, raised_on=raised)
        q_meet = _d(year, ((raised.month - 1) // 3 + 1) * 3, 28)
        if q_meet <= today:
            p.quarter, p.discussion = services.quarter_of(q_meet), "会商认为需多部门协同"
            p.decision, p.owner, p.due, p.status = decision, owner, q_meet + timedelta(days=45), ProblemStatus.DECIDED
            if k % 3 != 1 and p.due < today:
                p.status, p.resolution, p.closed_on = ProblemStatus.CLOSED, "已按议定事项化解，居民满意", p.due
        p.save()
    _inspections(county, towns, communities, demo_comm, admin, today, held)
    services.escalate_overdue()
    _assessment(county, communities, demo_comm, admin, secretary, year, rng)
    _admission(county, towns, communities, demo_comm, admin, street_user, secretary, today)


CATALOGUE = [("老年人优待证初审", "县民政局", 6000), ("城乡居民医保参保登记", "县医保局", 8000),
             ("退役军人信息采集", "县退役军人事务局", 3000), ("流动人口居住登记", "县公安局", 5000),
             ("残疾人两项补贴初审", "县残联", 4000)]
POWERS = [("居住证申领初审", "县公安局"), ("老年人优待证办理", "县民政局"), ("低保申请受理", "县民政局"),
          ("临时救助审批", "县民政局"), ("灵活就业人员登记", "县人社局")]


def _admission(county, towns, communities, demo_comm, admin, street_user, secretary, today) -> None:
    """准入制: the catalogue, the powers delegated to each town, this year's contracts (one refused
    with a reason, one waiting for the demo community), funds paid, and a refusal of work that came
    without a contract."""
    from .models import AdmittedItem, Contract, ContractStatus, DelegatedPower, Refusal

    items = [AdmittedItem.objects.create(region=county, name=n, department=d, funding=f, basis="社区工作准入目录")
             for n, d, f in CATALOGUE]
    DelegatedPower.objects.bulk_create([DelegatedPower(region=t, name=n, department=d, since=date(today.year, 3, 1))
                                        for t in towns for n, d in POWERS])
    for k, comm in enumerate(communities):
        it = items[k % len(items)]
        accepted = _at(date(today.year, 2 + k % 6, 10))
        Contract.objects.create(region=comm, item=it, department=it.department, task=f"{it.name}（{today.year}年）",
                                quality="材料齐全、信息准确", standard="按准入目录标准办理", funds=it.funding,
                                deadline=date(today.year, 12, 31), status=ContractStatus.ACCEPTED,
                                funds_paid=it.funding if k % 3 else it.funding / 2, decided_at=accepted,
                                created_by=street_user)
    Contract.objects.create(region=demo_comm, department="县住建局", task="辖区房屋安全隐患排查鉴定",
                            quality="逐栋出具鉴定意见", standard="符合房屋安全鉴定规范", funds=3000,
                            deadline=today + timedelta(days=20), status=ContractStatus.REFUSED,
                            reason="房屋安全鉴定属住建部门专业职责，社区无鉴定资质", decided_by=secretary,
                            decided_at=_at(today - timedelta(days=12)), created_by=street_user)
    Contract.objects.create(region=demo_comm, department="县卫健局", task="老年人健康档案入户核查",
                            quality="核查率 100%", standard="逐户签字确认", funds=20000,
                            deadline=today + timedelta(days=40), created_by=street_user)
    Refusal.objects.create(region=demo_comm, department="县市场监管局", work="代为收集商户营业执照信息",
                           date=today - timedelta(days=30), refused_by=secretary)


# Seed 000: co-building at least 20 % of the score; seed 002: 述职评议, 优秀比例核减3%—5%.
COMMUNITY_SCHEME = [
    ("召开党建联席会", 10, "count", "meetings_held", 12, True),
    ("驻区单位共建实事", 10, "count", "deeds", 24, True),
    ("星光榜四星以上单位占比", 5, "rate", "stars", None, True),
    ("入户走访覆盖率", 10, "rate", "visit_coverage", None, False),
    ("诉求解决率", 10, "rate", "demand_resolution", None, False),
    ("诉求满意率", 10, "rate", "demand_satisfaction", None, False),
    ("诉求按时办结率", 5, "rate", "demand_on_time", None, False),
    ("党员承诺践诺率", 5, "rate", "pledges", None, False),
    ("重点任务按期完成率", 10, "rate", "tasks_on_time", None, False),
    ("每周纪实", 5, "count", "weekly_logs", 48, False),
    ("督查检查", 5, "checklist", "", None, False),
    ("书记抓党建述职评议", 15, "committee", "", None, False),
]
UNIT_SCHEME = [
    ("在社区办理实事", 40, "count", "unit_deeds", 4, True),
    ("联席会出席率", 30, "rate", "unit_attendance", None, True),
    ("社区党组织评议", 30, "committee", "", None, False),
]


def _assessment(county, communities, demo_comm, admin, secretary, year, rng) -> None:
    """The year-end assessment: the communities' scheme computed from the year's records with the
    述职评议 as the committee's score; the resident units' scheme with the community's opinion asked
    for the demo community's units (the others still waiting for it)."""
    from cobuild.models import ResidentUnit

    from . import scoring
    from .models import Rating, SchemeItem

    def scheme(level, title, rows):
        sch = scoring.scheme_create(actor=admin, region=county, year=year, level=level, title=title)
        SchemeItem.objects.bulk_create([SchemeItem(scheme=sch, order=i, name=n, weight=w, method=m, source=src,
                                                   target=t, cobuild=c) for i, (n, w, m, src, t, c)
                                        in enumerate(rows, 1)])
        return scoring.scheme_publish(actor=admin, scheme=sch)

    sch = scheme("community", f"{year}年社区党建工作目标考核", COMMUNITY_SCHEME)
    scoring.scores_compute(actor=admin, scheme=sch)
    committee = sch.items.get(method="committee")
    for comm in communities:
        good, total = rng.randint(12, 20), 20
        rating = Rating.GOOD if good >= 17 else Rating.FAIR_GOOD if good >= 14 else Rating.FAIR
        scoring.review_record(actor=admin, scheme=sch, region=comm, reporter=f"{comm.name}党组织书记", rating=rating,
                              good_votes=good, total_votes=total, note="述职评议会议评议")
        scoring.score_enter(actor=admin, item=committee, region=comm, value=round(15 * good / total, 2),
                            note=f"述职评议“好”票 {good}/{total}")
    units = scheme("unit", f"{year}年驻区单位共驻共建考核", UNIT_SCHEME)
    scoring.scores_compute(actor=admin, scheme=units)
    if secretary is not None:
        item = units.items.get(method="committee")
        for u in ResidentUnit.objects.serving(demo_comm.path).order_by("pk")[:6]:
            scoring.opinion_give(actor=secretary, scheme=units, unit=u, rating=Rating.GOOD,
                                 opinion="积极参加联席会，认领需求清单，共建实事落实到位")
            scoring.score_enter(actor=admin, item=item, unit=u, value=rng.randint(22, 29),
                                note="参考社区党组织意见评定")


def _meeting_evidence(finding, meetings, after: date) -> None:
    """The rectification's evidence: the first meeting the community held after the inspection."""
    m = next((m for m in meetings or [] if m.date >= after), None) or (meetings or [None])[-1]
    if m is not None:
        Evidence.objects.create(finding=finding, kind=EvidenceKind.MEETING, record_id=m.pk,
                                label=f"{m.date:%Y-%m-%d} {m.title}")


def _inspections(county, towns, communities, demo_comm, admin, today, held) -> None:
    """Two inspections: a planned one of a town in spring, all rectified with evidence; an
    unannounced (四不两直) one of the demo community last month, one item rectified, one overdue,
    and a 约谈 of the community's secretary."""
    from .models import (
        DEFAULT_CHECKLIST,
        CheckItem,
        CheckResult,
        Finding,
        Inspection,
        InspectionKind,
        RectificationStatus,
        Sanction,
    )

    def inspect(region, kind, on, failed):
        ins = Inspection.objects.create(region=region, kind=kind, date=on, created_by=admin,
                                        inspectors="县委组织部督查组",
                                        summary="听取汇报，查阅台账，实地查看阵地和小区党支部")
        CheckItem.objects.bulk_create([
            CheckItem(inspection=ins, order=i, text=t, note="见问题清单" if i in failed else "",
                      result=CheckResult.FAIL if i in failed else CheckResult.PASS)
            for i, t in enumerate(DEFAULT_CHECKLIST, 1)])
        return ins

    spring = min(date(today.year, 4, 16), today - timedelta(days=30))
    ins = inspect(towns[0], InspectionKind.PLANNED, spring, {2})
    for comm, text in zip([c for c in communities if c.parent_id == towns[0].pk][:2],
                          ["兼职委员履职记录不全", "小区党支部组建进度滞后"], strict=False):
        f = Finding.objects.create(inspection=ins, region=comm, text=text, requirement="一个月内整改到位",
                                   owner=f"{comm.name}党组织书记", deadline=spring + timedelta(days=30),
                                   status=RectificationStatus.CLOSED, closed_at=_at(spring + timedelta(days=25)),
                                   closing_note="已整改，材料已报送")
        _meeting_evidence(f, held.get(comm.pk), spring)
    recent = today - timedelta(days=25)
    ins = inspect(demo_comm, InspectionKind.UNANNOUNCED, recent, {2, 5})
    f = Finding.objects.create(inspection=ins, region=demo_comm, text="党员活动室被挪作仓库",
                               requirement="清理恢复",
                               owner="社区党组织书记", deadline=recent + timedelta(days=7),
                               status=RectificationStatus.CLOSED, closed_at=_at(recent + timedelta(days=5)),
                               closing_note="仓库物品已清走，活动室恢复开放")
    _meeting_evidence(f, held.get(demo_comm.pk), recent)
    Finding.objects.create(inspection=ins, region=demo_comm, text="每周纪实缺三周", requirement="补齐并建立提醒",
                           owner="社区党组织书记", deadline=recent + timedelta(days=10))
    Sanction.objects.create(region=demo_comm, kind="talk", date=recent + timedelta(days=1), inspection=ins,
                            subject=f"{demo_comm.name}党组织书记", reason="四不两直督查发现重点任务推进滞后",
                            created_by=admin)


def _load_campaigns() -> None:
    from .demo_campaigns import load as load_campaigns

    load_campaigns()


DEMO_STEPS = [("assessment", load), ("assessment_campaigns", _load_campaigns)]
