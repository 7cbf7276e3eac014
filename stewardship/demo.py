"""Demo: each of the seed county's eight communities with this year's funds (the county seat's 6 万, the
other towns' 5 万 allocated by the county treasury, the returned share of dues, a unit's donation, spending
in the budget's categories each with its voucher, one spending waiting for the street's approval), its
premises of over 400 m² (一厅一校四室, owned), the office equipment bought for 16 万 (seed 000) and the
rest of its fixed assets, last year's inventory closed (one camera missing in one community) and a
room lent to a resident unit."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from core.synthetic import person_name
from regions.models import Region, RegionKind

from .models import (
    Asset,
    AssetStatus,
    BudgetLine,
    CommunityProfile,
    CommunityType,
    CountResult,
    EntryKind,
    EntryStatus,
    FundYear,
    IncomeSource,
    Inventory,
    InventoryLine,
    LedgerEntry,
    Ownership,
    Premises,
    Room,
    RoomFunction,
    VenueLoan,
    Voucher,
)
from .selectors import standards

COUNTY_SEAT = "库额尔齐斯镇"
BUDGET = {"office": 12000, "utilities": 14000, "education": 9000, "service": 6000, "culture": 5000,
          "repair": 4000, "publicity": 2000}
SPENDING = [  # (category, summary, amount, counterparty)
    ("utilities", "第一季度水电暖费", 3200, "县供电公司"), ("office", "购买打印纸、硒鼓", 860, "文化用品商店"),
    ("education", "“七一”主题党日活动资料", 1450, "新华书店"), ("culture", "社区春节联欢活动用品", 1280, "百货商店"),
    ("service", "便民服务代办大厅耗材", 640, "文化用品商店"), ("utilities", "第二季度水电暖费", 2900, "县供电公司"),
    ("repair", "活动室门窗维修", 1150, "县建筑维修队"), ("publicity", "政策宣传展板制作", 780, "广告制作部"),
    ("education", "党员冬训教材", 980, "新华书店"), ("office", "办公桌椅配件", 540, "家具店"),
    ("utilities", "第三季度水电暖费", 2750, "县供电公司"), ("service", "重点关爱户慰问品", 1600, "超市"),
]
ROOMS = [(RoomFunction.SERVICE_HALL, 120), (RoomFunction.CITIZEN_SCHOOL, 80), (RoomFunction.E_CLASSROOM, 50),
         (RoomFunction.READING, 45), (RoomFunction.ACTIVITY, 70), (RoomFunction.POLICE, 25),
         (RoomFunction.OFFICE, 40)]
# 16 万 of office equipment for the eight communities: 2 万 each (seed 000).
EQUIPMENT = [("computer", "台式电脑", "联想 启天 M450", 4600, 2),
             ("office_equipment", "激光打印机", "惠普 M233", 1900, 1),
             ("av", "数码照相机", "佳能 EOS 200D", 3800, 1), ("computer", "移动硬盘", "西部数据 2TB", 520, 2),
             ("computer", "笔记本电脑", "联想 昭阳 E5", 4060, 1)]
OTHER = [("furniture", "会议桌", "", 2400, 1), ("furniture", "文件柜", "", 680, 4),
         ("av", "投影仪", "爱普生 CB-X06", 3300, 1), ("sports", "乒乓球台", "", 1800, 1),
         ("furniture", "阅览室书架", "", 950, 3)]
PDF = b"%PDF-1.4\n% demo voucher\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _voucher(entry: LedgerEntry, n: int) -> None:
    v = Voucher(entry=entry, original_name=f"凭证{entry.date:%Y%m%d}-{n:03d}.pdf")
    v.file.save("voucher.pdf", ContentFile(PDF), save=False)
    v.save()


def load() -> None:
    rng = random.Random(20)
    today = timezone.localdate()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    if not communities:
        return
    st = standards()
    units = _units()
    for i, c in enumerate(communities):
        ctype = CommunityType.COUNTY_SEAT if c.parent and c.parent.name == COUNTY_SEAT else (
            CommunityType.TOWN if c.parent and c.parent.town else CommunityType.CITY)
        CommunityProfile.objects.get_or_create(region=c, defaults={"community_type": ctype})
        _funds(rng, c, ctype, st[ctype].yearly_amount, today, i)
        _premises(rng, c, today, units.get(c.pk, []))
        _assets(rng, c, today, missing=(i == 2))


def _units() -> dict[int, list]:
    """The units serving each community (by their co-building agreements)."""
    from cobuild.models import Agreement

    out: dict[int, list] = {}
    for a in Agreement.objects.select_related("unit").order_by("unit_id", "id"):
        if all(u.pk != a.unit_id for u in out.get(a.region_id, [])):
            out.setdefault(a.region_id, []).append(a.unit)
    return out


def _funds(rng, c: Region, ctype: str, standard: Decimal, today: date, i: int) -> None:
    fy = FundYear.objects.create(region=c, year=today.year, community_type=ctype, standard=standard,
                                 note="社区办公活动经费纳入县财政预算")
    scale = standard / Decimal(60000)
    BudgetLine.objects.bulk_create([BudgetLine(fund_year=fy, category=k, amount=(Decimal(v) * scale).quantize(
        Decimal("1"))) for k, v in BUDGET.items()])
    n = 0
    for month, source, amount, summary, party in (
            (1, IncomeSource.ALLOCATION, standard / 2, "县财政拨付上半年办公活动经费", "县财政局"),
            (3, IncomeSource.DUES_SHARE, Decimal(1200 + 150 * i), "上年度党费按比例返还", "县委组织部"),
            (7, IncomeSource.ALLOCATION, standard / 2, "县财政拨付下半年办公活动经费", "县财政局"),
            (9, IncomeSource.DONATION, Decimal(2000), "驻区单位捐赠文体活动经费", "县供电公司")):
        d = date(today.year, month, 8)
        if d > today:
            continue
        n += 1
        LedgerEntry.objects.create(fund_year=fy, kind=EntryKind.INCOME, source=source, date=d, amount=amount,
                                   summary=summary, counterparty=party, voucher_no=f"收-{n:03d}")
    for k, (cat, summary, amount, party) in enumerate(SPENDING):
        d = date(today.year, 1, 20) + timedelta(days=26 * k + rng.randint(0, 5))
        if d > today:
            break
        n += 1
        value = (Decimal(amount) * (Decimal("0.8") + Decimal(rng.randint(0, 40)) / 100)).quantize(Decimal("0.01"))
        e = LedgerEntry.objects.create(fund_year=fy, kind=EntryKind.SPENDING, category=cat, date=d, amount=value,
                                       summary=summary, counterparty=party, voucher_no=f"付-{n:03d}")
        _voucher(e, n)
    if i % 3 == 0:  # a repair outside the budget's remaining amount, waiting for the street
        n += 1
        e = LedgerEntry.objects.create(
            fund_year=fy, kind=EntryKind.SPENDING, category="equipment",
            date=max(date(today.year, 1, 1), today - timedelta(days=2)), amount=Decimal("3600"),
            summary="更换电教室投影幕布和音响", counterparty="电器商店", voucher_no=f"付-{n:03d}",
            status=EntryStatus.PENDING, approval_reason="原设备损坏无法使用，“设备购置”未列入年初预算")
        _voucher(e, n)


def _premises(rng, c: Region, today: date, units: list) -> None:
    area = Decimal(410 + rng.randint(0, 18) * 10)
    p = Premises.objects.create(region=c, name=f"{c.name}党群服务中心", address=f"{c.parent.name}{c.name[:-2]}",
                                ownership=Ownership.OWNED, area=area, built_year=rng.choice([2012, 2014, 2016]))
    rooms = [Room(premises=p, function=f, name=RoomFunction(f).label, area=Decimal(a),
                  lendable=f in (RoomFunction.ACTIVITY, RoomFunction.CITIZEN_SCHOOL)) for f, a in ROOMS]
    Room.objects.bulk_create(rooms)
    activity = Room.objects.get(premises=p, function=RoomFunction.ACTIVITY)
    if units:
        start = today - timedelta(days=rng.randint(10, 60))
        VenueLoan.objects.create(room=activity, unit=units[0], start=start, end=start + timedelta(days=1),
                                 purpose="单位党支部主题党日活动")


def _assets(rng, c: Region, today: date, *, missing: bool) -> None:
    custodian = person_name(rng)
    rows, n = [], 0
    for items, bought in ((EQUIPMENT, date(today.year - 3, 6, 18)), (OTHER, date(today.year - 5, 4, 9))):
        for cat, name, model, value, count in items:
            for _ in range(count):
                n += 1
                rows.append(Asset(region=c, code=f"ZC-{bought.year}-{n:03d}", name=name, category=cat, model=model,
                                  value=Decimal(value), acquired_on=bought,
                                  location="阅览室" if cat == "furniture" and "书架" in name else "办公室",
                                  custodian=custodian))
    Asset.objects.bulk_create(rows)
    assets = list(Asset.objects.filter(region=c).order_by("code"))
    inv = Inventory.objects.create(region=c, year=today.year - 1, started_on=date(today.year - 1, 12, 10),
                                   closed_on=date(today.year - 1, 12, 20))
    lines = []
    for a in assets:
        lost = missing and a.name == "数码照相机"
        lines.append(InventoryLine(inventory=inv, asset=a, result=CountResult.MISSING if lost else CountResult.FOUND,
                                   note="活动结束后未归还，正在查找" if lost else ""))
        if lost:
            a.status = AssetStatus.MISSING
            a.save(update_fields=["status"])
    InventoryLine.objects.bulk_create(lines)


DEMO_STEPS = [("stewardship", load)]
