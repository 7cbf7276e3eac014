"""Demo: every community of the seed county gets its service systems — a catalogue of the seed's
services (家政, 物业, 养老托幼, 医疗保健, 日常维修, 代办) with registered providers (its resident units'
service teams, the Party member volunteers, a business), a year of residents' orders (about 46
上门服务 a community, seed 003's figure, mostly rated, a few waiting), 全程代办 errands, jobs offered by
its units filled through the broker with trainings, a charity-shop year (大米、面粉、衣物 … seed 000,
donations in and hand-outs out balancing), three venues with their bookings and the 24-hour duty
roster of this week and last with hand-over notes. The demo liaison (dw_lly) is the account of their
unit's service team: 我的服务订单 shows its orders only."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cobuild.models import ResidentUnit
from core.phone import generate_mobile
from core.synthetic import person_name
from grid.models import Household, Resident
from regions.models import Region, RegionKind

from .models import (
    Booking,
    Category,
    Channel,
    CharityEntry,
    CharityItem,
    DutyPost,
    DutyShift,
    Errand,
    ErrandState,
    ErrandStep,
    JobPost,
    JobSeeker,
    JobState,
    Offering,
    Order,
    OrderState,
    Placement,
    Provider,
    ProviderKind,
    SeekerState,
    Service,
    Training,
    Venue,
)

CATALOGUE = [
    (Category.REPAIR, "上门维修", "水电、门窗、灯具、家电小修"),
    (Category.HOUSEKEEPING, "家庭保洁", "日常保洁、开荒保洁、油烟机清洗"),
    (Category.PROPERTY, "物业报修", "楼道照明、单元门、公共管道"),
    (Category.CARE, "老人助餐", "为高龄、独居老人送餐上门"),
    (Category.CARE, "放学托管", "小学生放学后作业辅导与照看"),
    (Category.HEALTH, "上门健康检查", "量血压、测血糖、慢病随访"),
    (Category.ERRAND, "代缴水电燃气费", "为行动不便的居民代缴费用"),
]
NEEDS = {
    "上门维修": ["厨房水龙头漏水", "卫生间灯不亮了", "门锁坏了打不开", "暖气片漏水", "插座冒火花"],
    "家庭保洁": ["春节前大扫除", "油烟机清洗", "老人家里需要打扫"],
    "物业报修": ["楼道灯坏了", "单元门禁失灵", "下水道堵塞"],
    "老人助餐": ["独居老人每天送午餐", "老伴住院，需送餐一周"],
    "放学托管": ["孩子放学后无人照看", "暑假托管"],
    "上门健康检查": ["老人高血压需定期测量", "糖尿病患者测血糖"],
    "代缴水电燃气费": ["代缴本季度水费", "代缴燃气费"],
}
ERRANDS = [("办理高龄津贴", "县民政局",
            ["收取身份证和户口本复印件", "到民政局窗口递交", "领取审批结果", "送还材料并请居民确认"]),
           ("办理居住证", "县公安局户政窗口", ["收取材料", "窗口递交", "领取居住证", "送到居民家中"]),
           ("申请残疾人两项补贴", "县残联", ["收取材料", "递交申请", "跟踪审批", "告知结果"]),
           ("办理医保异地备案", "县医保中心", ["收取材料", "线上提交", "打印备案回执", "送还居民"]),
           ("补办社保卡", "县人社局", ["收取材料", "窗口递交", "领取新卡", "送到居民家中"])]
JOBS = [("保洁员", "每月 2800 元", "保洁 家政"), ("保安员", "每月 3200 元，包午餐", "保安 巡逻"),
        ("抄表员", "每月 3000 元", "电工 抄表"), ("收银员", "每月 2900 元", "收银 电脑"),
        ("厨师助理", "每月 3300 元", "厨师 面点"), ("仓库管理员", "每月 3500 元", "仓库 电脑 叉车")]
SKILLS = ["保洁", "家政", "保安", "电工", "收银 电脑", "厨师", "面点", "叉车", "驾驶", "缝纫", "育婴"]
TRAININGS = [("家政服务员技能培训", "县人社局"), ("电工上岗培训", "县供电公司"), ("面点制作培训", "县职业技术学校"),
             ("育婴员培训", "县妇联")]
ITEMS = [("大米", "袋"), ("面粉", "袋"), ("食用油", "桶"), ("衣物", "件"), ("棉被", "床")]
VENUES = [("多功能活动室", 80, "投影仪、音响、80 把座椅"), ("会议室", 30, "会议桌、投影仪"),
          ("文体活动室", 50, "乒乓球台、棋牌桌")]
BORROWERS = [("党员大会", 40), ("职工培训", 30), ("舞蹈队排练", 20), ("书法协会活动", 15), ("志愿者培训", 25),
             ("红歌合唱排练", 30), ("主题党日活动", 35)]
NOTES = ["接到 3 号楼居民求助，水管爆裂，已联系维修队", "夜间巡查一次，无异常", "李奶奶来电反映身体不适，已通知家属",
         "移交钥匙两把，值班电话正常", "有居民咨询居住证办理，已约明天上午来社区", "无异常"]
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _code(rng: random.Random, taken: set) -> str:
    while True:
        code = "FW" + "".join(rng.choice(ALPHABET) for _ in range(10))
        if code not in taken:
            taken.add(code)
            return code


def _aware(d: date, h: int, m: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(h, m)))


def load() -> None:
    rng = random.Random(2121)
    today = timezone.localdate()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    liaison = User.objects.filter(username="dw_lly").first()
    # the liaison's unit serves several communities; their provider account is the one where they sit
    liaison_home = (liaison.role_assignments.filter(role="unit_liaison").values_list("region_id", flat=True).first()
                    if liaison else None)
    codes = set(Order.objects.values_list("code", flat=True))
    for comm in communities:
        residents = list(Resident.objects.filter(grid__parent=comm, status="active")
                         .select_related("household__house", "grid").order_by("pk")[:400])
        if not residents:
            continue
        units = list(ResidentUnit.objects.serving(comm.path).order_by("pk"))
        svc = Service.objects.bulk_create([Service(region=comm, category=c, name=n, description=d)
                                           for c, n, d in CATALOGUE])
        providers = []
        team_units = [u for u in units if u.liaison_id] + [u for u in units if not u.liaison_id][:2]
        for u in team_units[:2]:
            providers.append(Provider(region=comm, name=f"{u.name}党员服务队", kind=ProviderKind.UNIT, unit=u,
                                      contact_name=person_name(rng), contact_phone=generate_mobile(rng),
                                      account=liaison if u.liaison_id and liaison and comm.pk == liaison_home
                                      else None))
        providers.append(Provider(region=comm, name=f"{comm.name}党员志愿服务队", kind=ProviderKind.VOLUNTEER,
                                  contact_name=person_name(rng), contact_phone=generate_mobile(rng)))
        providers.append(Provider(region=comm, name=f"{comm.name[:-2]}便民家政服务部", kind=ProviderKind.BUSINESS,
                                  contact_name=person_name(rng), contact_phone=generate_mobile(rng)))
        providers.append(Provider(region=comm, name=f"{comm.name}卫生服务站", kind=ProviderKind.SOCIAL,
                                  contact_name=person_name(rng), contact_phone=generate_mobile(rng)))
        providers = Provider.objects.bulk_create(providers)
        by_name = {s.name: s for s in svc}
        plan = {  # provider index → services (price, unit); None: free
            0: [("上门维修", None, ""), ("物业报修", None, "")],
            1: [("上门维修", Decimal("30"), "次"), ("代缴水电燃气费", None, "")],
            2: [("上门维修", None, ""), ("老人助餐", None, ""), ("代缴水电燃气费", None, ""), ("放学托管", None, "")],
            3: [("家庭保洁", Decimal("35"), "小时"), ("上门维修", Decimal("50"), "次"),
                ("老人助餐", Decimal("12"), "餐")],
            4: [("上门健康检查", None, "")],
        }
        offerings = []
        for idx, rows in plan.items():
            if idx >= len(providers):
                continue
            for name, price, unit in rows:
                offerings.append(Offering(provider=providers[idx], service=by_name[name], price=price,
                                          price_unit=unit))
        offerings = Offering.objects.bulk_create(offerings)
        by_service = {}
        for o in offerings:
            by_service.setdefault(o.service_id, []).append(o)
        _orders(rng, comm, svc, by_service, residents, today, codes)
        _errands(rng, comm, residents, today)
        _jobs(rng, comm, units, residents, today)
        _charity(rng, comm, units, residents, today)
        _venues(rng, comm, units, today)
        _duty(rng, comm, today)


def _orders(rng, comm, svc, by_service, residents, today, codes) -> None:
    rows = []
    weights = [8, 4, 3, 3, 1, 2, 2]
    n = 40 + rng.randint(0, 12)
    for i in range(n):
        s = rng.choices(svc, weights=weights)[0]
        r = rng.choice(residents)
        back = rng.randint(0, 360) if i >= 5 else rng.randint(0, 2)
        created = _aware(today - timedelta(days=back), rng.randint(8, 19), rng.randint(0, 59))
        offer = rng.choice(by_service.get(s.pk, [None]))
        channel = rng.choices([Channel.PORTAL, Channel.GRID, Channel.HOTLINE, Channel.COUNTER], [4, 3, 3, 1])[0]
        o = Order(code=_code(rng, codes), region=comm, grid=r.grid if channel == Channel.GRID else None, service=s,
                  channel=channel, resident=r, requester_name=r.name, requester_phone=generate_mobile(rng),
                  address=r.household.house.address[:200], description=rng.choice(NEEDS[s.name]),
                  created_at=created)
        if i < 2:       # waiting for dispatch
            o.state = OrderState.NEW
        elif offer is None:
            o.state = OrderState.NEW
        else:
            o.provider, o.price_label = offer.provider, offer.price_label
            o.assigned_at = created + timedelta(minutes=rng.randint(10, 90))
            if i < 5:
                o.state = OrderState.ASSIGNED
            else:
                o.done_at = o.assigned_at + timedelta(hours=rng.randint(1, 30))
                o.done_note = "已上门处理完毕"
                if rng.random() < 0.85:
                    o.state, o.rating = OrderState.RATED, rng.choices([5, 4, 3, 2], [70, 22, 6, 2])[0]
                    o.rating_note = {5: "非常满意，师傅很耐心", 4: "满意", 3: "来得有点晚", 2: "没有彻底修好"}[o.rating]
                    o.rated_at = o.done_at + timedelta(hours=rng.randint(1, 48))
                else:
                    o.state = OrderState.DONE
        rows.append(o)
    created = [o.created_at for o in rows]
    Order.objects.bulk_create(rows)
    # auto_now_add ignores the value given: set the dates of the year afterwards.
    for o, when in zip(rows, created, strict=True):
        Order.objects.filter(pk=o.pk).update(created_at=when)


def _errands(rng, comm, residents, today) -> None:
    for i in range(8):
        subject, agency, steps = ERRANDS[i % len(ERRANDS)]
        r = rng.choice(residents)
        accepted = today - timedelta(days=rng.randint(0, 200) if i >= 2 else rng.randint(0, 3))
        state = ErrandState.OPEN if i < 2 else ErrandState.WAITING if i == 2 else ErrandState.CONFIRMED
        e = Errand.objects.create(region=comm, resident=r, resident_name=r.name, subject=subject, agency=agency,
                                  taker_name=person_name(rng), state=state, accepted_on=accepted,
                                  promised_on=accepted + timedelta(days=7))
        done_upto = 1 if i == 0 else 2 if i == 1 else len(steps)
        rows = []
        for k, title in enumerate(steps, 1):
            done = _aware(accepted + timedelta(days=k), 10) if k <= done_upto else None
            if done and done > timezone.now():
                done = timezone.now()
            rows.append(ErrandStep(errand=e, position=k, title=title, done_at=done, note="已办" if done else ""))
        ErrandStep.objects.bulk_create(rows)
        if state == ErrandState.CONFIRMED:
            e.confirmed_at = _aware(accepted + timedelta(days=len(steps) + 1), 16)
            e.confirmation = "已收到办理结果，感谢党员同志"
            e.save(update_fields=["confirmed_at", "confirmation"])


def _jobs(rng, comm, units, residents, today) -> None:
    if not units:
        return
    adults = [r for r in residents if r.birth_date and 20 <= (today - r.birth_date).days // 365 <= 55]
    rng.shuffle(adults)
    seekers = JobSeeker.objects.bulk_create([
        JobSeeker(region=comm, resident=r, consent_on=today - timedelta(days=200 - 10 * k),
                  registered_on=today - timedelta(days=200 - 10 * k), skills=rng.choice(SKILLS),
                  wanted=rng.choice(["就近上班", "白班", "不限"])) for k, r in enumerate(adults[:10])])
    jobs = []
    for k in range(4):
        title, wage, skills = JOBS[(k + comm.pk) % len(JOBS)]
        jobs.append(JobPost(region=comm, unit=units[k % len(units)], title=title, openings=rng.randint(1, 3),
                            wage=wage, skills=skills, requirements="身体健康，能吃苦耐劳",
                            posted_on=today - timedelta(days=150 - 35 * k)))
    jobs = JobPost.objects.bulk_create(jobs)
    free = list(seekers)
    for j in jobs[:3]:
        for _ in range(j.openings):
            if not free:
                break
            s = free.pop()
            placed_on = min(today, j.posted_on + timedelta(days=rng.randint(5, 25)))
            Placement.objects.create(job=j, seeker=s, state=Placement.State.PLACED, proposed_on=j.posted_on
                                     + timedelta(days=2), placed_on=placed_on)
            s.state = SeekerState.PLACED
            s.save(update_fields=["state"])
        j.state = JobState.FILLED
        j.save(update_fields=["state"])
    if free:
        Placement.objects.create(job=jobs[3], seeker=free[-1], proposed_on=today - timedelta(days=1))
    for k, (title, org) in enumerate(TRAININGS[:3]):
        t = Training.objects.create(region=comm, title=title, organizer=org, hours=rng.choice([8, 16, 24]),
                                    held_on=today - timedelta(days=40 + 60 * k))
        t.seekers.set(rng.sample(seekers, min(len(seekers), rng.randint(4, 8))))


def _charity(rng, comm, units, residents, today) -> None:
    items = CharityItem.objects.bulk_create([CharityItem(region=comm, name=n, unit=u) for n, u in ITEMS])
    stock = {i.pk: Decimal(0) for i in items}
    cash = Decimal(0)
    households = list(Household.objects.filter(grid__parent=comm).order_by("pk")[:60])
    rows = []
    for back in range(12, -1, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        first = date(y, m + 1, 1)
        last_day = today if back == 0 else (date(y + (m == 11), (m + 1) % 12 + 1, 1) - timedelta(days=1))
        span = (last_day - first).days
        for _ in range(rng.randint(2, 4)):  # donations
            on = first + timedelta(days=rng.randint(0, span))
            if rng.random() < 0.3:
                amt = Decimal(rng.choice([200, 500, 800, 1000, 2000]))
                cash += amt
                donor = rng.choice(units).name if units else person_name(rng)
                rows.append(CharityEntry(region=comm, date=on, direction="in", kind="money", amount=amt,
                                         party_kind="unit" if units else "member", party_name=donor))
            else:
                item = rng.choice(items)
                qty = Decimal(rng.choice([10, 20, 30, 50]))
                stock[item.pk] += qty
                kind, name = rng.choice([("unit", rng.choice(units).name if units else "驻区单位"),
                                         ("member", person_name(rng)), ("resident", person_name(rng))])
                rows.append(CharityEntry(region=comm, date=on, direction="in", kind="goods", item=item, quantity=qty,
                                         party_kind=kind, party_name=name))
        for _ in range(rng.randint(3, 6)):  # hand-outs, never more than what is there
            on = first + timedelta(days=rng.randint(0, span))
            hh = rng.choice(households) if households else None
            name = hh.head_name if hh else person_name(rng)
            item = rng.choice(items)
            if stock[item.pk] >= 2:
                qty = Decimal(min(int(stock[item.pk]), rng.choice([1, 2, 3])))
                stock[item.pk] -= qty
                pts = rng.choice([0, 20, 30, 50])
                rows.append(CharityEntry(region=comm, date=on, direction="out", kind="goods", item=item, quantity=qty,
                                         party_kind="household", party_name=name, household=hh, points=pts,
                                         reason="积分兑换" if pts else "困难家庭救助"))
            elif cash >= 300:
                cash -= Decimal(300)
                rows.append(CharityEntry(region=comm, date=on, direction="out", kind="money", amount=Decimal(300),
                                         party_kind="household", party_name=name, household=hh,
                                         reason="低保户临时救助"))
    CharityEntry.objects.bulk_create(rows)
    for i in items:
        CharityItem.objects.filter(pk=i.pk).update(stock=stock[i.pk])


def _venues(rng, comm, units, today) -> None:
    venues = Venue.objects.bulk_create([Venue(region=comm, name=n, capacity=c, equipment=e) for n, c, e in VENUES])
    rows = []
    for v in venues:
        taken = set()
        for _ in range(rng.randint(6, 10)):
            d = today + timedelta(days=rng.randint(-30, 14))
            h = rng.choice([9, 14, 16, 19])
            if (d, h) in taken:
                continue
            taken.add((d, h))
            purpose, people = rng.choice(BORROWERS)
            unit = rng.choice(units) if units and rng.random() < 0.6 else None
            borrower = unit.name if unit else rng.choice(["社区舞蹈队", "老年书法协会", "社区合唱团", "青年志愿者协会"])
            rows.append(Booking(venue=v, start=_aware(d, h), end=_aware(d, h + 2), borrower=borrower, unit=unit,
                                purpose=purpose, attendees=min(people, v.capacity)))
    Booking.objects.bulk_create(rows)


def _duty(rng, comm, today) -> None:
    staff = [person_name(rng) for _ in range(6)]
    now = timezone.now()
    monday = today - timedelta(days=today.weekday())
    rows = []
    for k in range(-7, 7):
        d = monday + timedelta(days=k)
        for post, slots in ((DutyPost.STATION, [(0, 8), (8, 16), (16, 24)]),
                            (DutyPost.COMMUNITY, [(8, 14), (14, 20), (20, 24)])):  # 错时: evenings too
            for j, (a, b) in enumerate(slots):
                person = staff[(k + j + (3 if post == DutyPost.COMMUNITY else 0)) % len(staff)]
                start = _aware(d, a)
                end = _aware(d + timedelta(days=1), 0) if b == 24 else _aware(d, b)
                s = DutyShift(region=comm, post=post, start=start, end=end, person_name=person,
                              phone=f"0906-{rng.randint(6200000, 6299999)}")
                if end <= now:
                    s.handover_note, s.handed_over_at = rng.choice(NOTES), end
                rows.append(s)
    DutyShift.objects.bulk_create(rows)


DEMO_STEPS = [("services_systems", load)]
