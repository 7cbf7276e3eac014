"""Demo: the seed county's 398 Party members (seed 000) in its eight community organizations, plus
a dozen members of the resident-unit organizations who dual-register with their communities; dues,
a few mobile members, pending transfers (one retiree batch from the mining bureau) and a pending
dual registration at 文化东路社区 (库额尔齐斯镇), where the demo secretary works."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from core.idnumber import synthetic_id_number
from core.phone import generate_mobile
from core.pinyin import name_initials, name_pinyin
from core.synthetic import person_name
from orgs.models import OrgLevel, PartyOrg
from regions.models import Region, RegionKind

from .models import (
    Category,
    Decision,
    DualRegistration,
    DuesPayment,
    Education,
    MemberDeed,
    MemberEvent,
    MemberStatus,
    MobileRecord,
    PartyMember,
    RegistrySettings,
    Transfer,
    TransferBatch,
)
from .services import dues_tiers, member_photo_set, monthly_dues

TOTAL = 398
# On the books of the county's community organizations at the end of each of the five years before
# this one (seed 004's series), then seed 000's 398 today. Most of the growth came by transfer
# (enterprises handing their retired members to the residence community, members moving in); a few
# each year are new members the communities developed.
GROWTH = [147, 190, 284, 323, 354]
NEW_PER_YEAR = 5
RETIREE_SOURCES = ["可可托海矿务局", "富蕴县水电公司", "县供销合作社", "县汽车运输公司", "县农机公司"]
MOVER_SOURCES = ["阿勒泰市", "乌鲁木齐市", "福海县", "青河县", "县直机关工委", "克拉玛依市"]
CATEGORIES = [(Category.RETIRED, 44), (Category.EMPLOYED, 26), (Category.UNEMPLOYED, 9), (Category.HARDSHIP, 8),
              (Category.MOBILE, 0), (Category.STUDENT, 3)]
EDUCATION = [(Education.GRADUATE, 3), (Education.BACHELOR, 22), (Education.COLLEGE, 25), (Education.SECONDARY, 30),
             (Education.JUNIOR, 20)]
ETHNIC = [("汉族", 62), ("哈萨克族", 28), ("维吾尔族", 4), ("回族", 4), ("蒙古族", 2)]
OCCUPATIONS = {Category.EMPLOYED: ["教师", "医生", "工程师", "公务员", "会计", "技术员"],
               Category.RETIRED: ["退休职工", "退休教师", "退休干部"], Category.STUDENT: ["学生"],
               Category.UNEMPLOYED: ["待业"], Category.HARDSHIP: ["个体", "务农"]}


def _pick(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def _join_age(rng) -> int:
    """Age on joining the Party: mostly between 18 and 40 (students, young workers and cadres), a
    few later (the median of today's members is in the mid-twenties)."""
    x = rng.random()
    if x < 0.93:
        return min(40, max(18, round(rng.gauss(27, 5.5))))
    return rng.randint(41, 50)


def _member(rng, org, residence, category, today, *, joined: date | None = None, **extra) -> PartyMember:
    """A member with an age fitting the category and, unless `joined` is given, a 入党日期 at a plausible
    age, at least five years back (recent joiners are chosen apart, see `_new_joiners`)."""
    name = person_name(rng)
    age = {Category.RETIRED: (60, 88), Category.STUDENT: (19, 24)}.get(category, (25, 58))
    born = today - timedelta(days=rng.randint(age[0] * 365 + 30, age[1] * 365))
    gender = rng.choice("MMF") if category != Category.STUDENT else rng.choice("MF")
    earliest = date(born.year + 18, born.month, 1) + timedelta(days=31)
    if joined is None:
        joined = date(born.year + _join_age(rng), rng.randint(1, 12), rng.randint(1, 28))
        settled = date(today.year - 5, 12, 31)
        if joined > settled:  # a young member: joined between 18 and five years back, if at all possible
            joined = earliest + timedelta(days=rng.randint(0, max(0, (settled - earliest).days)))
    joined = min(max(joined, earliest), today)
    probation = (today - joined).days < 365
    income = None
    if category == Category.EMPLOYED:
        income = Decimal(rng.choice([2800, 3600, 4500, 5200, 6800, 8500, 11000]))
    elif category == Category.RETIRED:
        income = Decimal(rng.choice([2600, 3400, 4200, 5100, 6300]))
    return PartyMember(
        name=name, name_pinyin=name_pinyin(name), name_initials=name_initials(name), gender=gender,
        ethnicity=_pick(rng, ETHNIC), birth_date=born,
        id_number=synthetic_id_number(birth_date=born, gender=gender), mobile=generate_mobile(rng),
        education=_pick(rng, EDUCATION), occupation=rng.choice(OCCUPATIONS.get(category, ["职工"])),
        joined_on=joined, full_member_on=None if probation else joined + timedelta(days=365),
        status=MemberStatus.PROBATIONARY if probation else MemberStatus.FULL, category=category, org=org,
        residence=residence, address=f"{residence.name if residence else ''}{rng.randint(1, 30)}号楼"
                                     f"{rng.randint(1, 6)}单元{rng.randint(101, 1802)}",
        monthly_income=income, **extra,
    )


def _age(m: PartyMember, day: date) -> int:
    return day.year - m.birth_date.year - ((day.month, day.day) < (m.birth_date.month, m.birth_date.day))


def _some_day(rng, year: int, today: date, after: date | None = None) -> date:
    start = max(date(year, 1, 1), after + timedelta(days=1) if after else date(year, 1, 1))
    end = min(date(year, 12, 31), today)
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _settle(rng, members: list[PartyMember], today: date) -> dict[int, tuple[date, str]]:
    """When each member came onto a community's books, so that the growth series is seed 004's: new
    members (the students, a few young workers a year) join in the year they are counted; the rest
    of each year's growth is transfers in, mostly retirees. Returns {index: (date, where from)} for
    the transfers in; a new member is on the books from their 入党日期."""
    years = list(range(today.year - 4, today.year + 1))
    quota = {y: b - a for y, a, b in zip(years, GROWTH, GROWTH[1:] + [len(members)], strict=True)}
    order = list(range(len(members)))
    rng.shuffle(order)
    slots = [y for y in years for _ in range(NEW_PER_YEAR)]
    young = ([i for i in order if members[i].category == Category.STUDENT]
             + [i for i in order if members[i].category in (Category.EMPLOYED, Category.UNEMPLOYED)
                and members[i].user_id is None and _age(members[i], today) <= 36])
    new = set()
    for i in young:
        m = members[i]
        fit = [y for y in slots if y - m.birth_date.year >= 19]
        if not fit:
            continue
        y = rng.choice(fit)
        slots.remove(y)
        joined = _some_day(rng, y, today)
        m.joined_on = joined
        probation = (today - joined).days < 365
        m.full_member_on = None if probation else joined + timedelta(days=365)
        m.status = MemberStatus.PROBATIONARY if probation else MemberStatus.FULL
        quota[y] -= 1
        new.add(i)
        if not slots:
            break
    # Transfers in: weighted towards retirees (three to one), the rest stayed on the books all along.
    rest = [i for i in order if i not in new]
    rest.sort(key=lambda i: -rng.random() ** (1 / (3 if members[i].category == Category.RETIRED else 1)))
    movers = iter(rest)
    out = {}
    for y in years:
        for _ in range(quota[y]):
            i = next(movers)
            m = members[i]
            source = (f"{rng.choice(RETIREE_SOURCES)}（退休党员移交社区管理）" if m.category == Category.RETIRED
                      else f"{rng.choice(MOVER_SOURCES)}（迁居转入）")
            out[i] = (_some_day(rng, y, today, after=m.joined_on), source)
    return out


def demo_photo_png(size: tuple[int, int] = (360, 480)) -> bytes:
    """A synthetic ID-photo-like picture (blue background, a plain grey silhouette): drawn, not a person."""
    import io

    from PIL import Image, ImageDraw

    w, h = size
    img = Image.new("RGB", size, (67, 142, 219))  # the usual light blue of a Chinese ID photo
    draw = ImageDraw.Draw(img)
    body = (92, 98, 110)
    draw.ellipse((w * 0.10, h * 0.66, w * 0.90, h * 1.25), fill=body)  # shoulders
    draw.rectangle((w * 0.42, h * 0.50, w * 0.58, h * 0.70), fill=body)  # neck
    draw.ellipse((w * 0.30, h * 0.16, w * 0.70, h * 0.60), fill=body)  # head
    draw.polygon([(w * 0.44, h * 0.70), (w * 0.56, h * 0.70), (w * 0.50, h * 0.86)], fill=(240, 240, 240))  # collar
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def load() -> None:
    rng = random.Random(398)
    today = timezone.localdate()
    community_orgs = list(PartyOrg.objects.filter(level=OrgLevel.COMMUNITY).select_related("region").order_by("id"))
    if not community_orgs:
        return
    grids = {}
    for org in community_orgs:
        grids[org.pk] = list(Region.objects.filter(parent=org.region, kind=RegionKind.GRID)) or [org.region]
    # Spread by the number of grids (a proxy for residents).
    weights = [len(grids[o.pk]) for o in community_orgs]
    members = []
    for i in range(TOTAL):
        org = rng.choices(community_orgs, weights)[0] if i >= len(community_orgs) else community_orgs[i]
        members.append(_member(rng, org, rng.choice(grids[org.pk]), _pick(rng, CATEGORIES), today))
    # The demo Party member account gets a record in 库额尔齐斯镇文化东路社区.
    home = next((o for o in community_orgs if o.name.startswith("库额尔齐斯镇文化东路社区")), community_orgs[0])
    dangyuan = User.objects.filter(username="dangyuan").first()
    if dangyuan is not None:
        members[0] = _member(rng, home, grids[home.pk][0], Category.EMPLOYED, today, user=dangyuan)
        members[0].name, members[0].name_pinyin, members[0].name_initials = "张建国", "zhangjianguo", "zjg"
    moved_in = _settle(rng, members, today)
    # Unit organizations: employed members who live in a community (dual registration), and the
    # mining bureau's retirees awaiting transfer to their residence communities.
    unit_orgs = {o.name: o for o in PartyOrg.objects.filter(level__in=[OrgLevel.RESIDENT_UNIT,
                                                                       OrgLevel.NEW_ECONOMIC])}
    unit_members = []
    for name, org in unit_orgs.items():
        for _ in range(2 if "矿务局" not in name else 0):
            comm_org = rng.choice(community_orgs)
            m = _member(rng, org, rng.choice(grids[comm_org.pk]), Category.EMPLOYED, today, employer=org.host_name,
                        unit_org=org)
            unit_members.append(m)
    bureau = next((o for o in unit_orgs.values() if "矿务局" in o.name), None)
    retirees = []
    if bureau is not None:
        for k in range(10):
            comm_org = home if k < 3 else rng.choice(community_orgs)
            retirees.append(_member(rng, bureau, rng.choice(grids[comm_org.pk]), Category.RETIRED, today,
                                    employer=bureau.host_name))
    created = PartyMember.objects.bulk_create(members + unit_members + retirees)
    MemberEvent.objects.bulk_create([
        MemberEvent(member=m, kind="登记", new_value=m.get_status_display(), on=m.joined_on) for m in created]
        + [MemberEvent(member=created[i], kind="组织关系转入", old_value=source, new_value=created[i].org.name, on=on)
           for i, (on, source) in moved_in.items()])
    main = created[:TOTAL]
    if dangyuan is not None:
        # A drawn placeholder photo for 张建国, stored like an upload (private storage, re-encoded, audited).
        from django.core.files.uploadedfile import SimpleUploadedFile

        member_photo_set(actor=None, member=created[0],
                         photo=SimpleUploadedFile("演示照片.png", demo_photo_png(), content_type="image/png"))

    # Mobile members: eight went out to work; two have not been in touch for over half a year. Three
    # of them work in another community of the county and registered there (双报一领): they take part
    # in that organization's life on site and in their own online (one of them at 文化东路社区).
    places = ["乌鲁木齐市", "克拉玛依市", "北京市朝阳区", "阿勒泰市", "昌吉市", "伊宁市"]
    mobile = [m for m in main if m.category == Category.EMPLOYED and m.user_id is None][:8]
    recs = []
    for k, m in enumerate(mobile):
        left = today - timedelta(days=rng.randint(60, 700))
        last = today - timedelta(days=260 if k < 2 else rng.randint(5, 90))
        rec = MobileRecord(member=m, origin_org=m.org, destination=rng.choice(places), left_on=left,
                           contact="微信联系", card_number=f"LD{today.year}{k + 1:04d}", origin_task="线上学习",
                           last_contact_on=max(last, left))
        if k >= 5:
            there = [o for o in community_orgs if o.pk != m.org_id]
            dest = home if k == 5 and m.org_id != home.pk else rng.choice(there)
            rec.destination, rec.destination_org = dest.name, dest
            rec.registered_on = left + timedelta(days=rng.randint(3, 20))
            rec.destination_task = rng.choice(["小区治安巡逻", "政策宣传员", "楼栋志愿服务"])
            rec.last_contact_on = max(rec.last_contact_on, rec.registered_on)
        recs.append(rec)
        m.category = Category.MOBILE
    MobileRecord.objects.bulk_create(recs)
    PartyMember.objects.bulk_update(mobile, ["category"])

    # Dues: most members paid through last month; a few are six or more months behind.
    payments = []
    tiers, rules = dues_tiers(), RegistrySettings.current()
    this_month = today.replace(day=1)
    for m in main:
        amount = monthly_dues(m, tiers=tiers, settings_=rules) or Decimal("0.20")
        behind = 1 if rng.random() > 0.06 else rng.randint(7, 10)
        for k in range(behind, 13):
            y, mo = divmod(this_month.year * 12 + this_month.month - 1 - k, 12)
            month = date(y, mo + 1, 1)
            if month < m.joined_on.replace(day=1):
                continue
            payments.append(DuesPayment(member=m, month=month, amount=amount, org=m.org,
                                        paid_on=min(today, month + timedelta(days=rng.randint(3, 25)))))
    DuesPayment.objects.bulk_create(payments, batch_size=2000)

    # Dual registration: unit members registered with their residence community, with deeds.
    regs, deeds = [], []
    for k, m in enumerate(unit_members):
        community = m.residence.parent if m.residence.kind == RegionKind.GRID else m.residence
        pending = k == 0
        if pending:
            community = home.region
        regs.append(DualRegistration(kind=DualRegistration.Kind.MEMBER, member=m, community=community,
                                     status=Decision.PENDING if pending else Decision.CONFIRMED,
                                     note="到居住地社区报到", decided_at=None if pending else timezone.now()))
        for _ in range(0 if pending else rng.randint(0, 2)):
            deeds.append(MemberDeed(member=m, date=today - timedelta(days=rng.randint(1, max(1, today.timetuple()
                                                                                              .tm_yday - 1))),
                                    title=rng.choice(["清理楼道杂物", "为独居老人代购", "义务政策宣讲", "治安巡逻"]),
                                    hours=Decimal(rng.choice([2, 3, 4]))))
    for org in list(unit_orgs.values())[:3]:
        regs.append(DualRegistration(kind=DualRegistration.Kind.UNIT, unit_org=org, community=org.region,
                                     status=Decision.CONFIRMED, decided_at=timezone.now()))
    DualRegistration.objects.bulk_create(regs)
    MemberDeed.objects.bulk_create(deeds)

    # Transfers: three single requests between communities and the mining bureau's retirees.
    others = [m for m in main if m.category == Category.RETIRED][:3]
    for k, m in enumerate(others):
        to = home if k == 0 and m.org_id != home.pk else rng.choice([o for o in community_orgs if o.pk != m.org_id])
        Transfer.objects.create(member=m, from_org=m.org, to_org=to, note="随子女迁居")
    if bureau is not None and retirees:
        batch = TransferBatch.objects.create(title="可可托海矿务局退休党员社会化移交", from_org=bureau)
        by_comm = {o.region_id: o for o in community_orgs}
        for m in retirees:
            community = m.residence.parent if m.residence.kind == RegionKind.GRID else m.residence
            Transfer.objects.create(member=m, from_org=bureau, to_org=by_comm[community.pk], batch=batch,
                                    note=batch.title)


DEMO_STEPS = [("members", load)]
