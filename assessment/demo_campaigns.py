"""Demo: the county's campaigns. Last year's “五个好”社区党组织创建 (every community entered, rated
by the county, three awarded — on their organizations' records), this year's “一社一品” brands under
review (two rated, the rest waiting for the county), this year's 党建工作大比武 open for entries (the
demo community has not entered yet: its workbench says so), and one 通报批评 after last month's
unannounced inspection. Brand names are made up in the seeds' manner (seed 002: 城市客厅、红莲品质,
六社联动, 御景红家)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from orgs.models import OrgLevel, PartyOrg
from regions.models import Region, RegionKind

from .campaigns import DEFAULT_CRITERIA
from .models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Criterion,
    Entry,
    EntryScore,
    EntryStatus,
    Evidence,
    EvidenceKind,
    Honor,
    HonorKind,
)

BRANDS = [("“红枫议事厅”党建+四会", "以党建引领居民理事会、道德评议会、治安协作会、好人协会，小区事务议事协商"),
          ("“六社联动”邻里帮", "社区、社会组织、社工、社会资源、社会人才、社会捐赠联动，为困难群众办实事"),
          ("“银龄先锋”志愿服务", "退休党员组成巡逻、调解、宣传三支队伍，常态化参与基层治理"),
          ("“楼院红管家”", "楼栋党小组长兼任楼院管家，楼栋事务一站办理"),
          ("“暖心食堂”助老餐", "联合驻区单位开办老年助餐点，党员志愿者送餐上门"),
          ("“书香红帆”学习社", "党员讲师进小区，夜校、读书会常态开展"),
          ("“夜巡先锋队”", "党员带头夜间巡逻，小区可防性案件明显下降"),
          ("“石榴红”同心家园", "各族居民结对互助，共建和谐家园")]
FIVE_GOOD = ["书记带头每周下访，班子成员分片包联网格，重点任务全部按期完成。",
             "建立周纪实月调度制度，诉求办结率、满意率均居全县前列。",
             "党员亮身份、作表率，在职党员双报到全覆盖，群众满意度测评优良。"]


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _criteria(c: Campaign) -> list[Criterion]:
    return [Criterion.objects.create(campaign=c, order=i, name=n, description=d, weight=Decimal(w))
            for i, (n, d, w) in enumerate(DEFAULT_CRITERIA[c.kind], 1)]


def _rate(e: Entry, crits: list[Criterion], rng: random.Random, admin, base: float) -> None:
    total = Decimal(0)
    for k in crits:
        v = (k.weight * Decimal(str(min(1.0, base + rng.uniform(-0.08, 0.08))))).quantize(Decimal("0.5"))
        EntryScore.objects.create(entry=e, criterion=k, value=v)
        total += v
    e.total, e.status, e.rated_by = total, EntryStatus.RATED, admin


def load() -> None:
    rng = random.Random(1808)
    today = timezone.localdate()
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    admin = User.objects.filter(username="qw_zzb").first()
    secretary = User.objects.filter(username="sq_shuji").first()
    if county is None or admin is None:
        return
    orgs = list(PartyOrg.objects.filter(level=OrgLevel.COMMUNITY, region__path__startswith=county.path)
                .select_related("region").order_by("region__path"))
    if not orgs:
        return
    demo_comm = (secretary.role_assignments.filter(region__kind=RegionKind.COMMUNITY).first().region
                 if secretary and secretary.role_assignments.exists() else orgs[0].region)
    body = f"中共{county.name}委组织部"
    last = today.year - 1

    # last year's 五个好: every community entered, the county rated all and awarded three
    five = Campaign.objects.create(
        region=county, year=last, kind=CampaignKind.FIVE_GOOD, title=f"{last}年度“五个好”社区党组织创建",
        description="以“领导班子好、党员干部队伍好、工作机制好、工作业绩好、群众反映好”为内容开展创建，"
                    "在创建的基础上评选党建工作示范社区。",
        org_level=OrgLevel.COMMUNITY, entry_deadline=date(last, 11, 15), award_title="“五个好”社区党组织",
        award_quota=3, status=CampaignStatus.CLOSED, created_by=admin, opened_at=_at(date(last, 3, 1)),
        closed_at=_at(date(last, 12, 20)))
    crits = _criteria(five)
    entries = []
    for i, org in enumerate(orgs):
        e = Entry.objects.create(campaign=five, org=org, region=org.region, title=f"{org.region.name}“五个好”创建",
                                 summary=FIVE_GOOD[i % len(FIVE_GOOD)], submitted_by=secretary if org.region_id ==
                                 demo_comm.pk else admin)
        Entry.objects.filter(pk=e.pk).update(submitted_at=_at(date(last, 10, 20 + i % 8)))
        Evidence.objects.create(entry=e, kind=EvidenceKind.MEETING if i % 2 else EvidenceKind.DEED,
                                label=f"{last}-0{6 + i % 3}-1{i % 9} {org.region.name}党建联席会" if i % 2 else
                                f"{last}-0{5 + i % 4}-2{i % 8} 驻区单位共建实事")
        _rate(e, crits, rng, admin, 0.93 - i * 0.035 + (0.05 if org.region_id == demo_comm.pk else 0))
        e.review_note = "创建成效明显" if i < 4 else "机制有待健全"
        e.save()
        entries.append(e)
    entries.sort(key=lambda e: -e.total)
    for e in entries[:3]:
        Honor.objects.create(org=e.org, region=e.region, kind=HonorKind.AWARD, title=five.award_title, year=last,
                             date=date(last, 12, 20), conferred_by=body, campaign=five, entry=e, created_by=admin,
                             basis=f"{five.title}（评审得分 {e.total:.1f}）")
        e.status = EntryStatus.AWARDED
        e.save(update_fields=["status"])
    Entry.objects.filter(campaign=five).exclude(pk__in=[e.pk for e in entries[:3]]).update(
        status=EntryStatus.NOT_AWARDED)

    # this year's 一社一品: entries closed, under review (two rated, the rest wait for the county)
    brand = Campaign.objects.create(
        region=county, year=today.year, kind=CampaignKind.BRAND, title=f"{today.year}年“一社一品”党建特色品牌评选",
        description="紧密围绕居民需求，打造社区党建特色品牌，在互比互看中互学互进。",
        org_level=OrgLevel.COMMUNITY, entry_deadline=today - timedelta(days=10), award_title="“一社一品”优秀党建品牌",
        award_quota=3, status=CampaignStatus.REVIEW, created_by=admin, opened_at=_at(today - timedelta(days=60)))
    bcrits = _criteria(brand)
    for i, org in enumerate(orgs[:6]):
        name, text = BRANDS[i]
        e = Entry.objects.create(campaign=brand, org=org, region=org.region, title=name, summary=text,
                                 submitted_by=admin)
        Entry.objects.filter(pk=e.pk).update(submitted_at=_at(today - timedelta(days=40 - i * 4)))
        Evidence.objects.create(entry=e, kind=EvidenceKind.MEETING, label=f"品牌议事会 {org.region.name}")
        if i < 2:
            _rate(e, bcrits, rng, admin, 0.88 - i * 0.06)
            e.review_note = "群众认可度高"
            e.save()

    # this year's 党建工作大比武: open; the demo community has not entered yet
    contest = Campaign.objects.create(
        region=county, year=today.year, kind=CampaignKind.CONTEST, title=f"{today.year}年城市基层党建工作大比武",
        description="以党建工作大比武为抓手，充分激发党组织书记抓城市基层党建的主责主业意识。",
        org_level=OrgLevel.COMMUNITY, entry_deadline=today + timedelta(days=21), award_title="党建工作大比武先进社区",
        award_quota=2, status=CampaignStatus.OPEN, created_by=admin, opened_at=_at(today - timedelta(days=7)))
    _criteria(contest)
    others = [o for o in orgs if o.region_id != demo_comm.pk][:3]
    for i, org in enumerate(others):
        name, text = BRANDS[(i + 5) % len(BRANDS)]
        e = Entry.objects.create(campaign=contest, org=org, region=org.region, title=f"{org.region.name}：{name}",
                                 summary=text, submitted_by=admin)
        Evidence.objects.create(entry=e, kind=EvidenceKind.VISIT, label=f"网格走访 {org.region.name}")

    # a criticism after last month's unannounced inspection
    target = next((o for o in orgs if o.region_id != demo_comm.pk), orgs[0])
    Honor.objects.create(org=target, region=target.region, kind=HonorKind.CRITICISM, title="“三会一课”记录不全",
                         year=today.year, date=today - timedelta(days=25), conferred_by=body,
                         basis="“四不两直”督查发现连续两个月支委会无记录，限期整改", created_by=admin)
