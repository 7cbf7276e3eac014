"""Demo: a year of 三会一课 and 主题党日 for every Party organization of the seed county that has
members (its eight community organizations), with attendance (mobile members online), records, and
a few missed months that the cadence check flags."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from core.synthetic import person_name
from members.models import ACTIVE_STATUSES, MobileRecord, PartyMember
from orgs.models import PartyOrg

from .models import AttendanceStatus, Holiday, Session, SessionAttendance, SessionKind, SessionStatus

THEMES = ["学习贯彻党的二十届四中全会精神", "重温入党誓词", "“我为群众办实事”入户走访", "清理小区环境卫生",
          "学习《中国共产党章程》", "学习《中国共产党纪律处分条例》", "慰问困难党员和老党员", "政策宣讲进小区",
          "垃圾分类志愿服务", "民族团结一家亲联谊活动", "观看红色电影", "参观红色教育基地"]
LECTURES = ["党的创新理论", "全面从严治党", "基层治理现代化", "铸牢中华民族共同体意识"]
COMMITTEE = ["研究本月工作安排", "研究发展党员工作", "研究党费收缴和使用", "研究困难党员帮扶"]
RESOLUTION = "按要求完成本月党员入户走访任务。"
REASONS = ["外出就医", "家中有事", "出差", "照顾病人"]
PLACES = ["社区党群服务中心", "社区会议室", "新时代文明实践站"]


def _month_start(today: date, back: int) -> date:
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return date(y, m + 1, 1)


def load() -> None:
    rng = random.Random(17)
    today = timezone.localdate()
    orgs = list(PartyOrg.objects.filter(pk__in=PartyMember.objects.filter(status__in=ACTIVE_STATUSES)
                                        .values("org_id"), form__in=["branch", "general_branch"])
                .select_related("region").order_by("id"))
    if not orgs:
        return
    open_recs = list(MobileRecord.objects.filter(ended_on__isnull=True))
    away = {r.member_id: r.left_on for r in open_recs}
    inflow: dict[int, list[MobileRecord]] = {}
    for r in open_recs:
        if r.destination_org_id and r.registered_on:
            inflow.setdefault(r.destination_org_id, []).append(r)
    members = {}
    for m in PartyMember.objects.filter(org__in=orgs, status__in=ACTIVE_STATUSES).only("id", "org_id"):
        members.setdefault(m.org_id, []).append(m.pk)
    # A few missed months: two organizations skipped last month's 主题党日, one a 支委会 in spring.
    skip = {(orgs[1].pk, SessionKind.THEME_DAY, 1), (orgs[min(5, len(orgs) - 1)].pk, SessionKind.THEME_DAY, 1),
            (orgs[min(3, len(orgs) - 1)].pk, SessionKind.COMMITTEE, 7),
            (orgs[min(6, len(orgs) - 1)].pk, SessionKind.THEME_DAY, 4)}
    sessions, plan = [], []
    for org in orgs:
        host = org.secretary_name or person_name(rng)
        for back in range(12, -1, -1):
            month = _month_start(today, back)
            kinds = [SessionKind.THEME_DAY, SessionKind.COMMITTEE]
            if month.month % 3 == 0:
                kinds += [SessionKind.ASSEMBLY, SessionKind.LECTURE]
            for kind in kinds:
                if (org.pk, kind, back) in skip:
                    continue
                day = month + timedelta(days={SessionKind.THEME_DAY: 14, SessionKind.COMMITTEE: 4,
                                              SessionKind.ASSEMBLY: 20, SessionKind.LECTURE: 24}[kind]
                                        + rng.randint(0, 3))
                if back == 0 and day > today:
                    if kind != SessionKind.THEME_DAY:
                        continue
                held = day <= today
                topic = {SessionKind.THEME_DAY: rng.choice(THEMES), SessionKind.COMMITTEE: rng.choice(COMMITTEE),
                         SessionKind.ASSEMBLY: f"{month.year}年第{(month.month - 1) // 3 + 1}季度党员大会",
                         SessionKind.LECTURE: rng.choice(LECTURES)}[kind]
                s = Session(org=org, kind=kind, date=day, place=rng.choice(PLACES), topic=topic, host_name=host,
                            lecturer=host if kind == SessionKind.LECTURE else "", recorder_name=person_name(rng),
                            agenda=f"一、{topic}\n二、交流发言\n三、部署下阶段工作" if held else "",
                            minutes=f"{host}主持会议，围绕“{topic}”进行学习和讨论，参会党员逐一发言。" if held else "",
                            resolutions=RESOLUTION if held and kind != SessionKind.LECTURE else "",
                            status=SessionStatus.HELD if held else SessionStatus.PLANNED)
                sessions.append(s)
                plan.append(held)
    Session.objects.bulk_create(sessions, batch_size=500)
    rows = []
    for s, held in zip(sessions, plan, strict=True):
        if not held:
            continue
        ids = members.get(s.org_id, [])
        if s.kind == SessionKind.COMMITTEE:  # the committee: five members of the organization
            ids = ids[:5]
        for mid in ids:
            if mid in away and s.date >= away[mid]:
                status = AttendanceStatus.ONLINE if rng.random() < 0.8 else AttendanceStatus.EXCUSED
            else:
                x = rng.random()
                status = (AttendanceStatus.PRESENT if x < 0.82 else AttendanceStatus.ONLINE if x < 0.86
                          else AttendanceStatus.EXCUSED if x < 0.96 else AttendanceStatus.ABSENT)
            reason = rng.choice(REASONS) if status == AttendanceStatus.EXCUSED else ""
            rows.append(SessionAttendance(session=s, member_id=mid, status=status, reason=reason))
        if s.kind != SessionKind.COMMITTEE:  # members who flowed in take part on site where they are
            for r in inflow.get(s.org_id, []):
                if s.date >= r.registered_on:
                    status = AttendanceStatus.PRESENT if rng.random() < 0.85 else AttendanceStatus.EXCUSED
                    rows.append(SessionAttendance(session=s, member_id=r.member_id, status=status, inflow=True,
                                                  reason=rng.choice(REASONS) if status != "present" else ""))
    SessionAttendance.objects.bulk_create(rows, batch_size=2000)
    from .services import cadence_check

    cadence_check(today_=today)




def load_pipeline() -> None:
    """People at every stage of 发展党员 before 转正 in each community organization (one of them a
    social organization's leader), their steps dated as the rules allow."""
    from core.idnumber import synthetic_id_number

    from .models import STAGE_DATE, STAGES, Applicant, PipelineStep
    from .selectors import stage_rules

    rng = random.Random(1701)
    today = timezone.localdate()
    rules = stage_rules()
    orgs = list(PartyOrg.objects.filter(level="community").order_by("id"))
    people = []
    for i, org in enumerate(orgs):
        for n in range(4):  # 申请人, 积极分子, 发展对象, 预备党员
            dates = [today - timedelta(days=rng.randint(20, 300))]
            for j in range(n, 0, -1):  # back from the current stage: each held longer than its rule asks
                rule = rules.get(STAGES[j])
                dates.insert(0, dates[0] - timedelta(days=(rule.min_months if rule else 0) * 31 + rng.randint(30, 120)))
            born = date(today.year - rng.randint(22, 45), rng.randint(1, 12), rng.randint(1, 28))
            gender = rng.choice("MF")
            a = Applicant(org=org, name=person_name(rng), gender=gender, birth_date=born,
                          id_number=synthetic_id_number(birth_date=born, gender=gender), stage=STAGES[n],
                          occupation=rng.choice(["个体经营", "教师", "社区工作者", "企业职工"]),
                          social_org="好人协会" if (i, n) == (1, 2) else "",
                          contacts=f"{person_name(rng)}、{person_name(rng)}")
            for s, d in zip(STAGES, dates, strict=False):
                setattr(a, STAGE_DATE[s], d)
            people.append((a, dates))
    Applicant.objects.bulk_create([a for a, _ in people])
    PipelineStep.objects.bulk_create([
        PipelineStep(applicant=a, stage=s, on=d, documents=rules[s].document_list if s in rules else ["入党申请书"])
        for a, dates in people for s, d in zip(STAGES, dates, strict=False)])




def load_reviews() -> None:
    """Last year's 民主评议党员 in every community organization, closed: most members 合格, about one
    in six 优秀, a few 基本合格, one 不合格 with 限期改正."""
    from .models import FollowUp, Rating, Review, ReviewEntry

    rng = random.Random(1702)
    today = timezone.localdate()
    year = today.year - 1
    first = True
    for org in PartyOrg.objects.filter(level="community").order_by("id"):
        ids = list(PartyMember.objects.filter(org=org, status__in=ACTIVE_STATUSES, joined_on__year__lt=year + 1)
                   .values_list("id", flat=True))
        if not ids:
            continue
        r = Review.objects.create(org=org, year=year, opened_on=date(year + 1, 1, 10), closed_on=date(year + 1, 2, 28))
        n, entries = len(ids), []
        for k, mid in enumerate(ids):
            x = rng.random()
            rating = (Rating.UNQUALIFIED if first and k == 3 else Rating.EXCELLENT if x < 0.16
                      else Rating.BASIC if x > 0.96 else Rating.QUALIFIED)
            top = int(n * rng.uniform(0.7, 0.9))
            votes = {"votes_excellent": 0, "votes_qualified": 0, "votes_basic": 0, "votes_unqualified": 0}
            votes[f"votes_{rating}"] = top
            votes["votes_qualified" if rating != Rating.QUALIFIED else "votes_excellent"] += rng.randint(0, n - top)
            e = ReviewEntry(review=r, member_id=mid, rating=rating, **votes,
                            self_assessment="对照党员标准，按时参加组织生活，积极参加志愿服务；不足是理论学习还不够系统。")
            if rating == Rating.UNQUALIFIED:
                e.follow_up, e.follow_up_due = FollowUp.CORRECT, date(year + 1, 6, 30)
                e.follow_up_note = "无正当理由连续半年不参加组织生活，支部谈话提醒，限期改正"
                first = False
            entries.append(e)
        ReviewEntry.objects.bulk_create(entries)


def load_care() -> None:
    """关爱党员 in every community organization: a year of 送学上门 to old and sick members, holiday
    visits (春节, 古尔邦节, 七一, 中秋, 重阳) to veterans and members in hardship, the 党员互助金 with
    contributions and a few grants for members' small projects, and every mobile member but one paired
    with a member at home, with a log of their contacts (the two out of touch for half a year stop
    there)."""
    from decimal import Decimal

    from members.models import Category

    from .models import CareKind, CareVisit, ContactLog, FundEntry, FundKind, MobilePair

    rng = random.Random(1703)
    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    visits, entries = [], []
    for org in PartyOrg.objects.filter(level="community").order_by("id"):
        people = list(PartyMember.objects.filter(org=org, status__in=ACTIVE_STATUSES).order_by("id"))
        if not people:
            continue
        secretary = org.secretary_name or person_name(rng)
        old = [m for m in people if m.age_on(today) >= 78]
        veterans = [m for m in people if (today - m.joined_on).days >= 50 * 365]
        hardship = [m for m in people if m.category == Category.HARDSHIP]
        for m in rng.sample(old, min(len(old), rng.randint(3, 6))):
            for _ in range(rng.randint(1, 3)):
                visits.append(CareVisit(
                    org=org, kind=CareKind.STUDY, member=m, date=year_ago + timedelta(days=rng.randint(1, 364)),
                    reason=rng.choice(["old", "old", "sick", "disabled"]), visitors=f"{secretary}、{person_name(rng)}",
                    content=rng.choice(STUDY_TOPICS)))
        for occasion, (month, day) in HOLIDAYS:
            on = date(today.year, month, day)
            on = on if on <= today else date(today.year - 1, month, day)
            chosen = {m.pk: m for m in rng.sample(veterans, min(len(veterans), 3))
                      + rng.sample(hardship, min(len(hardship), 2))}
            for m in chosen.values():
                amount = Decimal(rng.choice([200, 300, 300, 500]))
                visits.append(CareVisit(
                    org=org, kind=CareKind.HOLIDAY, member=m, date=on + timedelta(days=rng.randint(-5, 0)),
                    occasion=occasion, reason="veteran" if m in veterans else "hardship",
                    visitors=f"{secretary}、{person_name(rng)}", content=rng.choice(GIFTS), amount=amount))
        # 党员互助金: contributions through the year, grants to members in hardship with a project.
        balance, moves = Decimal("0"), []
        start = today - timedelta(days=rng.randint(400, 600))
        moves.append((start, FundKind.INCOME, Decimal(rng.choice([5000, 8000, 10000])), "街道党工委拨付启动资金",
                      "库额尔齐斯镇党委", None, ""))
        for _ in range(rng.randint(3, 5)):
            moves.append((start + timedelta(days=rng.randint(20, 380)), FundKind.INCOME,
                          Decimal(rng.choice([600, 1200, 1500, 2000, 3000])),
                          rng.choice(["党员自愿捐助", "七一党员自愿捐助", "驻区单位党组织捐助"]),
                          rng.choice(["社区党员", "可可托海矿务局党委", "县供电公司党支部"]), None, ""))
        for m in hardship[:rng.randint(1, 3)]:
            moves.append((start + timedelta(days=rng.randint(60, 390)), FundKind.PAYOUT,
                          Decimal(rng.choice([800, 1000, 1500, 2000])), rng.choice(PROJECTS), "", m,
                          "支委会研究同意"))
        for on, kind, amount, purpose, counterpart, member, decided in sorted(moves, key=lambda x: x[0]):
            on = min(on, today)
            if kind == FundKind.PAYOUT and amount > balance:
                continue
            balance = balance + amount if kind == FundKind.INCOME else balance - amount
            entries.append(FundEntry(org=org, kind=kind, date=on, amount=amount, purpose=purpose,
                                     counterpart=counterpart, member=member, decided_by=decided, balance=balance))
    CareVisit.objects.bulk_create(visits)
    FundEntry.objects.bulk_create(entries)  # in date order, so the balance column reads down the ledger
    # 结对联系: every mobile member but the last has a member at home in touch with them.
    logs = []
    recs = list(MobileRecord.objects.filter(ended_on__isnull=True).select_related("member", "origin_org")
                .order_by("id"))
    for r in recs[:-1]:
        home = [m for m in PartyMember.objects.filter(org=r.origin_org, status__in=ACTIVE_STATUSES)
                .exclude(category=Category.MOBILE).order_by("id")[:40]]
        if not home:
            continue
        contact = rng.choice([m for m in home if m.category == Category.RETIRED] or home)
        last = r.last_contact_on or today
        started = max(r.left_on, min(r.left_on + timedelta(days=rng.randint(3, 15)), last))
        pair = MobilePair.objects.create(record=r, contact=contact, started_on=started)
        day = started
        while day < last:
            logs.append(ContactLog(pair=pair, date=day, way=rng.choice(["wechat", "wechat", "phone", "video"]),
                                   content=rng.choice(CONTACTS), effect=rng.choice(EFFECTS)))
            day += timedelta(days=rng.randint(25, 45))
        if r.last_contact_on:
            logs.append(ContactLog(pair=pair, date=last, way="phone", content=rng.choice(CONTACTS),
                                   effect=rng.choice(EFFECTS)))
    ContactLog.objects.bulk_create(logs)


STUDY_TOPICS = ["学习党的二十届四中全会精神，读报并交流体会", "送去《中国共产党章程》大字本，逐条讲解",
                "学习《习近平新时代中国特色社会主义思想学习纲要》一章", "传达社区党组织本月主题党日内容",
                "观看党员教育片并交流", "讲解医保和养老政策新变化"]
GIFTS = ["大米一袋、食用油一桶", "面粉一袋、牛奶一箱", "慰问金", "月饼一盒、慰问金", "羊肉五公斤", "棉衣一件、慰问金"]
HOLIDAYS = [(Holiday.SPRING, (1, 28)), (Holiday.CORBAN, (6, 6)), (Holiday.JULY_FIRST, (7, 1)),
            (Holiday.MID_AUTUMN, (10, 5)), (Holiday.DOUBLE_NINTH, (10, 28))]
PROJECTS = ["资助发展庭院养殖（购买羊羔）", "资助开办小卖部", "资助大棚蔬菜种植", "子女上学困难临时救助",
            "资助购置缝纫设备开展来料加工"]
CONTACTS = ["传达社区党组织本月学习内容，发送学习资料", "了解在外务工情况，提醒按时交纳党费",
            "通报家中老人近况，请其放心", "征求对社区工作的意见建议", "提醒参加流出地线上主题党日",
            "了解流入地报到和参加组织生活情况"]
EFFECTS = ["已按时在线学习并交流体会", "已交纳党费", "表示安心在外工作", "提出两条建议，已转社区研究",
           "参加了线上主题党日", "已在流入地参加志愿服务"]


DEMO_STEPS = [("orglife_sessions", load), ("orglife_pipeline", load_pipeline), ("orglife_reviews", load_reviews),
              ("orglife_care", load_care)]
