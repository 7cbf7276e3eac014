"""Every write of community stewardship: `<entity>_<verb>(*, actor, ...)`, one transaction, audited,
Chinese messages naming the field and the reason, nothing saved half-way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.scope import has_perm, has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.images import check_image
from regions.models import Region, RegionKind

from . import selectors
from .models import (
    REQUIRED_FUNCTIONS,
    Asset,
    AssetCategory,
    AssetStatus,
    BudgetLine,
    CommunityProfile,
    CommunityType,
    CountResult,
    Disposal,
    DisposalMethod,
    DisposalStatus,
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
    SpendingCategory,
    StewardshipRules,
    VenueLoan,
    Voucher,
)
from .rules import P

MAX_AMOUNT = Decimal("100000000")  # 1 亿元: no community's line is larger
MAX_AREA = Decimal("100000")
MAX_VOUCHER_BYTES = 10 * 1024 * 1024
MAX_VOUCHERS = 9

__all__ = ["REQUIRED_FUNCTIONS"]


# --- checks -----------------------------------------------------------------------------------

def today() -> date:
    return timezone.localdate()


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise ValidationError({field: f"{label}包含无法识别的控制字符"})
    return value


def money(value, field: str, label: str, *, allow_zero: bool = False, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{label}应为数字"})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: f"{label}应大于 0" if not allow_zero else f"{label}不能小于 0"})
    if amount >= maximum:
        raise ValidationError({field: f"{label}不能超过 {maximum:,.0f} 元，请核对"})
    return amount


def area(value, field: str, label: str) -> Decimal:
    try:
        a = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not a.is_finite() or a <= 0:
        raise ValidationError({field: f"{label}应大于 0"})
    if a >= MAX_AREA:
        raise ValidationError({field: f"{label}不能超过 {MAX_AREA:,.0f} 平方米，请核对"})
    return a


def past_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if value > today():
        raise ValidationError({field: f"{label}不能晚于今天（{today():%Y-%m-%d}）"})
    if value.year < 1950:
        raise ValidationError({field: f"{label}（{value:%Y-%m-%d}）过早，请核对"})
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


def _community(region) -> Region:
    if not isinstance(region, Region) or region.kind != RegionKind.COMMUNITY:
        raise ValidationError({"region": "请选择社区"})
    return region


def _require(actor, perm: str, region: Region, what: str) -> None:
    if not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有{what}“{region.name}”的权限")


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"请选择{label}"})
    return value


def _audit_create(actor, obj, fields) -> None:
    record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=diff({}, snapshot(obj, fields)))


# --- rules ------------------------------------------------------------------------------------

@transaction.atomic
def standards_update(*, actor, amounts: dict[str, object], min_area=None) -> None:
    """The yearly funding standard of each community type, and the premises' minimum area: all or none."""
    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改经费标准和阵地规则")
    standards = selectors.standards()
    errors, clean = {}, {}
    for key, value in amounts.items():
        if key not in standards:
            raise ValidationError("没有这类社区的经费标准，请刷新后重试")
        label = f"{standards[key].get_community_type_display()}的年度经费标准"
        try:
            clean[key] = money(value, f"amount_{key}", label)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    new_area = None
    if min_area is not None:
        try:
            new_area = area(min_area, "min_area", "办公活动场所最低面积")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for key, amount in clean.items():
        st = standards[key]
        if st.yearly_amount != amount:
            before = snapshot(st, ["yearly_amount"])
            st.yearly_amount = amount
            st.save(update_fields=["yearly_amount", "updated_at"])
            record(actor=actor, action=AuditAction.UPDATE, obj=st,
                   changes=diff(before, snapshot(st, ["yearly_amount"])))
    if new_area is not None:
        rules = StewardshipRules.current()
        if rules.min_premises_area != new_area:
            before = snapshot(rules, ["min_premises_area"])
            rules.min_premises_area = new_area
            rules.save(update_fields=["min_premises_area", "updated_at"])
            record(actor=actor, action=AuditAction.UPDATE, obj=rules,
                   changes=diff(before, snapshot(rules, ["min_premises_area"])))


@transaction.atomic
def community_type_set(*, actor, region: Region, community_type: str) -> CommunityProfile:
    _community(region)
    if not has_perm_at(actor, P.RULES, region.path):
        raise ValidationError("只有区委组织部管理员可以设定社区类型")
    _choice(community_type, CommunityType, "community_type", "社区类型")
    profile = CommunityProfile.objects.filter(region=region).first()
    before = snapshot(profile, ["community_type"]) if profile else {}
    if profile is None:
        profile = CommunityProfile.objects.create(region=region, community_type=community_type)
    else:
        profile.community_type = community_type
        profile.save(update_fields=["community_type"])
    record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=profile,
           changes=diff(before, snapshot(profile, ["community_type"])))
    return profile


# --- funds ------------------------------------------------------------------------------------

def _budget(budget: dict[str, object]) -> dict[str, Decimal]:
    errors, out = {}, {}
    labels = dict(SpendingCategory.choices)
    for cat, value in (budget or {}).items():
        if cat not in labels:
            errors["budget"] = ["预算中有无法识别的支出类别"]
            continue
        if value in (None, ""):
            continue
        try:
            amount = money(value, f"budget_{cat}", f"{labels[cat]}预算", allow_zero=True)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if amount > 0:
            out[cat] = amount
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def fund_year_open(*, actor, region: Region, year: int, budget: dict[str, object], note: str = "") -> FundYear:
    """Open a community's funds year: its type and standard as they are today, and the budget per category."""
    _community(region)
    _require(actor, P.MANAGE, region, "建立经费账")
    this_year = today().year
    clean = collect(
        ("year", lambda: _year(year, this_year)),
        ("budget", lambda: _budget(budget)),
        ("note", lambda: text(note, "note", "说明", max_len=300, required=False)),
    )
    if FundYear.objects.filter(region=region, year=clean["year"]).exists():
        raise ValidationError({"year": f"{region.name} {clean['year']} 年的经费账已经建立"})
    ctype = selectors.community_type_of(region)
    standard = selectors.standards()[ctype].yearly_amount
    fy = FundYear.objects.create(region=region, year=clean["year"], community_type=ctype, standard=standard,
                                 note=clean["note"], created_by=actor)
    BudgetLine.objects.bulk_create([BudgetLine(fund_year=fy, category=c, amount=a) for c, a in clean["budget"].items()])
    record(actor=actor, action=AuditAction.CREATE, obj=fy,
           changes={"standard": [None, str(standard)],
                    "budget": [None, {c: str(a) for c, a in clean["budget"].items()}]})
    return fy


def _year(value, this_year: int) -> int:
    if not isinstance(value, int) or not (2000 <= value <= this_year + 1):
        raise ValidationError({"year": f"年度应在 2000 年至 {this_year + 1} 年之间"})
    return value


@transaction.atomic
def budget_update(*, actor, fund_year: FundYear, budget: dict[str, object]) -> None:
    _require(actor, P.MANAGE, fund_year.region, "修改经费预算")
    clean = _budget(budget)
    before = {b.category: str(b.amount) for b in fund_year.budget.all()}
    fund_year.budget.all().delete()
    BudgetLine.objects.bulk_create([BudgetLine(fund_year=fund_year, category=c, amount=a) for c, a in clean.items()])
    after = {c: str(a) for c, a in clean.items()}
    if before != after:
        record(actor=actor, action=AuditAction.UPDATE, obj=fund_year, changes={"budget": [before, after]})


def check_voucher(f) -> None:
    """A voucher: a PDF or a scanned image (JPG, PNG), not empty, at most 10 MB."""
    name = getattr(f, "name", "凭证")
    size = getattr(f, "size", 0) or 0
    if size == 0:
        raise ValidationError({"vouchers": f"凭证“{name}”是空文件"})
    if size > MAX_VOUCHER_BYTES:
        raise ValidationError({"vouchers": f"凭证“{name}”超过 10 MB"})
    f.seek(0)
    head = f.read(5)
    f.seek(0)
    if head == b"%PDF-":
        return
    try:
        check_image(f, field="vouchers", label=f"凭证“{name}”", formats=("JPEG", "PNG"), max_bytes=MAX_VOUCHER_BYTES)
    except ValidationError as exc:
        raise ValidationError({"vouchers": f"凭证“{name}”应为 PDF 或 JPG、PNG 图片"}) from exc


def _store_vouchers(actor, entry: LedgerEntry, files) -> None:
    for f in files:
        v = Voucher(entry=entry, original_name=(getattr(f, "name", "") or "凭证")[-150:], uploaded_by=actor)
        v.file.save(getattr(f, "name", "voucher"), f, save=False)
        v.save()
        record(actor=actor, action=AuditAction.CREATE, obj=v, changes={"entry": [None, entry.pk]})


@transaction.atomic
def entry_record(*, actor, fund_year: FundYear, kind: str, date: date, amount, summary: str,
                 source: str = "", category: str = "", counterparty: str = "", voucher_no: str = "",
                 vouchers=(), request_approval: bool = False, approval_reason: str = "") -> LedgerEntry:
    """Post an income or a spending. A spending needs a voucher; one beyond the balance or in a category
    without a budget is refused, unless approval is asked for (then it waits, uncounted, for the street)."""
    # Lock the year: two spendings at once must not both pass the balance check.
    fund_year = FundYear.objects.select_for_update().select_related("region").get(pk=fund_year.pk)
    _require(actor, P.MANAGE, fund_year.region, "记账")
    vouchers = list(vouchers or [])
    checks = [
        ("kind", lambda: _choice(kind, EntryKind, "kind", "收入或支出")),
        ("amount", lambda: money(amount, "amount", "金额")),
        ("date", lambda: _entry_date(date, fund_year)),
        ("summary", lambda: text(summary, "summary", "摘要", max_len=200)),
        ("counterparty", lambda: text(counterparty, "counterparty", "付款/收款单位", max_len=100, required=False)),
        ("voucher_no", lambda: text(voucher_no, "voucher_no", "凭证号", max_len=30, required=False)),
        ("approval_reason", lambda: text(approval_reason, "approval_reason", "申请审批理由", max_len=300,
                                         required=bool(request_approval))),
    ]
    if kind == EntryKind.INCOME:
        checks.append(("source", lambda: _choice(source, IncomeSource, "source", "收入来源")))
    elif kind == EntryKind.SPENDING:
        checks.append(("category", lambda: _choice(category, SpendingCategory, "category", "支出类别")))
        checks.append(("vouchers", lambda: _vouchers(vouchers, required=True)))
    if vouchers and kind == EntryKind.INCOME:
        checks.append(("vouchers", lambda: _vouchers(vouchers, required=False)))
    clean = collect(*checks)
    status = EntryStatus.POSTED
    if kind == EntryKind.SPENDING:
        problems = []
        balance = selectors.balance(fund_year)
        if clean["amount"] > balance:
            problems.append(f"支出 {clean['amount']:,.2f} 元超过当前结余 {balance:,.2f} 元")
        budget = {b.category: b.amount for b in fund_year.budget.all()}
        label = dict(SpendingCategory.choices)[category]
        if category not in budget:
            problems.append(f"“{label}”不在 {fund_year.year} 年预算的支出类别中")
        else:
            spent = selectors.spent_by_category(fund_year).get(category, Decimal(0))
            if spent + clean["amount"] > budget[category]:
                problems.append(f"“{label}”预算 {budget[category]:,.2f} 元，已支出 {spent:,.2f} 元，"
                                f"本笔支出后超出预算")
        if problems and not request_approval:
            raise ValidationError({"amount": "；".join(problems) + "。社区经费不得挪用、挤占：请核对，"
                                             "确需支出的请勾选“申请审批”并写明理由，经街道审批后入账"})
        if problems:
            status = EntryStatus.PENDING
    elif request_approval:
        raise ValidationError({"approval_reason": "收入不需要审批"})
    entry = LedgerEntry.objects.create(
        fund_year=fund_year, kind=kind, source=source if kind == EntryKind.INCOME else "",
        category=category if kind == EntryKind.SPENDING else "", date=clean["date"], amount=clean["amount"],
        summary=clean["summary"], counterparty=clean["counterparty"], voucher_no=clean["voucher_no"],
        status=status, approval_reason=clean["approval_reason"] if status == EntryStatus.PENDING else "",
        created_by=actor)
    _audit_create(actor, entry, ["kind", "source", "category", "date", "amount", "summary", "status"])
    _store_vouchers(actor, entry, vouchers)
    return entry


def _entry_date(value, fund_year: FundYear) -> date:
    d = past_date(value, "date", "日期")
    if d.year != fund_year.year:
        raise ValidationError({"date": f"日期（{d:%Y-%m-%d}）不在 {fund_year.year} 年度内"})
    return d


def _vouchers(files, *, required: bool) -> int:
    if required and not files:
        raise ValidationError({"vouchers": "支出须上传凭证（发票或收据的扫描件、照片）"})
    if len(files) > MAX_VOUCHERS:
        raise ValidationError({"vouchers": f"凭证最多 {MAX_VOUCHERS} 个文件"})
    for f in files:
        check_voucher(f)
    return len(files)


@transaction.atomic
def voucher_add(*, actor, entry: LedgerEntry, files) -> None:
    _require(actor, P.MANAGE, entry.fund_year.region, "上传凭证到")
    files = list(files or [])
    if not files:
        raise ValidationError({"vouchers": "请选择凭证文件"})
    if entry.vouchers.count() + len(files) > MAX_VOUCHERS:
        raise ValidationError({"vouchers": f"每笔收支最多 {MAX_VOUCHERS} 个凭证文件"})
    _vouchers(files, required=True)
    _store_vouchers(actor, entry, files)


@transaction.atomic
def entry_decide(*, actor, entry: LedgerEntry, approve: bool, note: str = "") -> LedgerEntry:
    """The street (or district) approves a spending waiting for approval, which then counts, or refuses it."""
    entry = LedgerEntry.objects.select_for_update().select_related("fund_year__region").get(pk=entry.pk)
    _require(actor, P.APPROVE, entry.fund_year.region, "审批")
    if entry.status != EntryStatus.PENDING:
        raise ValidationError(f"这笔支出{entry.get_status_display()}，不需要再审批")
    if entry.created_by_id == actor.pk:
        raise ValidationError("不能审批自己登记的支出")
    note = text(note, "note", "审批意见", max_len=300, required=not approve)
    before = snapshot(entry, ["status", "decision_note"])
    entry.status = EntryStatus.POSTED if approve else EntryStatus.REJECTED
    entry.decided_by, entry.decided_at, entry.decision_note = actor, timezone.now(), note
    entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=entry,
           changes=diff(before, snapshot(entry, ["status", "decision_note"])))
    return entry


# --- premises ---------------------------------------------------------------------------------

@transaction.atomic
def premises_create(*, actor, region: Region, name: str, ownership: str, area_m2, address: str = "",
                    built_year: int | None = None) -> Premises:
    _community(region)
    _require(actor, P.MANAGE, region, "登记场所到")
    this_year = today().year
    clean = collect(
        ("name", lambda: text(name, "name", "场所名称", max_len=100)),
        ("address", lambda: text(address, "address", "地址", max_len=200, required=False)),
        ("ownership", lambda: _choice(ownership, Ownership, "ownership", "产权")),
        ("area", lambda: area(area_m2, "area", "建筑面积")),
        ("built_year", lambda: _built(built_year, this_year)),
    )
    p = Premises.objects.create(region=region, **clean)
    _audit_create(actor, p, ["name", "ownership", "area", "built_year"])
    return p


def _built(value, this_year: int):
    if value in (None, ""):
        return None
    if not isinstance(value, int) or not (1949 <= value <= this_year):
        raise ValidationError({"built_year": f"建成年份应在 1949 年至 {this_year} 年之间"})
    return value


@transaction.atomic
def room_add(*, actor, premises: Premises, function: str, name: str, area_m2, lendable: bool = False) -> Room:
    premises = Premises.objects.select_for_update().select_related("region").get(pk=premises.pk)
    _require(actor, P.MANAGE, premises.region, "登记功能室到")
    clean = collect(
        ("function", lambda: _choice(function, RoomFunction, "function", "功能")),
        ("name", lambda: text(name or dict(RoomFunction.choices).get(function, ""), "name", "名称", max_len=60)),
        ("area", lambda: area(area_m2, "area", "面积")),
    )
    used = sum((r.area for r in premises.rooms.all()), Decimal(0))
    if used + clean["area"] > premises.area:
        raise ValidationError({"area": f"各功能室面积合计（{used + clean['area']:.1f} 平方米）超过场所建筑面积"
                                       f"（{premises.area:.1f} 平方米）"})
    room = Room.objects.create(premises=premises, lendable=bool(lendable), **clean)
    _audit_create(actor, room, ["function", "name", "area", "lendable"])
    return room


@transaction.atomic
def loan_create(*, actor, room: Room, unit, start: date, end: date, purpose: str, project=None) -> VenueLoan:
    """Lend a room to a resident unit for a period; two loans of one room may not overlap."""
    room = Room.objects.select_for_update().select_related("premises__region").get(pk=room.pk)
    region = room.premises.region
    _require(actor, P.MANAGE, region, "出借场地于")
    if not room.lendable:
        raise ValidationError({"room": f"“{room.name}”未设为可向驻区单位开放"})
    if unit is None or not selectors.lendable_units(actor, region).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": "请选择服务本社区的驻区单位（与本社区签有共建协议）"})
    if project is not None and not selectors.unit_projects(unit, region).filter(pk=project.pk).exists():
        raise ValidationError({"project": "该共建项目不属于所选驻区单位在本社区的项目"})
    clean = collect(("purpose", lambda: text(purpose, "purpose", "用途", max_len=150)),
                    ("start", lambda: _need(start, "start", "开始日期")),
                    ("end", lambda: _need(end, "end", "结束日期")))
    if clean["end"] < clean["start"]:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if (clean["end"] - clean["start"]).days > 366:
        raise ValidationError({"end": "一次出借不能超过一年，请分次登记"})
    clash = room.loans.filter(start__lte=clean["end"], end__gte=clean["start"]).select_related("unit").first()
    if clash:
        raise ValidationError({"start": f"“{room.name}”在 {clash.start:%Y-%m-%d} 至 {clash.end:%Y-%m-%d} "
                                        f"已借给{clash.unit.name}，时间冲突"})
    loan = VenueLoan.objects.create(room=room, unit=unit, project=project, created_by=actor, **clean)
    _audit_create(actor, loan, ["room", "unit", "project", "start", "end", "purpose"])
    return loan


def _need(value, field, label) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    return value


# --- assets -----------------------------------------------------------------------------------

@transaction.atomic
def asset_create(*, actor, region: Region, code: str, name: str, category: str, value, acquired_on: date,
                 location: str, custodian: str, model: str = "") -> Asset:
    _community(region)
    _require(actor, P.MANAGE, region, "登记资产到")
    clean = collect(
        ("code", lambda: text(code, "code", "资产编号", max_len=30)),
        ("name", lambda: text(name, "name", "名称", max_len=100)),
        ("category", lambda: _choice(category, AssetCategory, "category", "类别")),
        ("model", lambda: text(model, "model", "规格型号", max_len=100, required=False)),
        ("value", lambda: money(value, "value", "原值")),
        ("acquired_on", lambda: past_date(acquired_on, "acquired_on", "取得日期")),
        ("location", lambda: text(location, "location", "存放地点", max_len=100)),
        ("custodian", lambda: text(custodian, "custodian", "保管人", max_len=50)),
    )
    if Asset.objects.filter(region=region, code=clean["code"]).exists():
        raise ValidationError({"code": f"资产编号“{clean['code']}”在{region.name}已经使用"})
    asset = Asset.objects.create(region=region, **clean)
    _audit_create(actor, asset, ["code", "name", "category", "value", "acquired_on", "location", "custodian"])
    return asset


@transaction.atomic
def inventory_open(*, actor, region: Region, year: int) -> Inventory:
    _community(region)
    _require(actor, P.MANAGE, region, "清查资产于")
    this_year = today().year
    if not isinstance(year, int) or not (2000 <= year <= this_year):
        raise ValidationError({"year": f"清查年度应在 2000 年至 {this_year} 年之间"})
    if Inventory.objects.filter(region=region, year=year).exists():
        raise ValidationError({"year": f"{region.name} {year} 年的资产清查已经开始"})
    if Inventory.objects.filter(region=region, closed_on__isnull=True).exists():
        raise ValidationError({"year": f"{region.name}还有未结束的资产清查，请先结束"})
    inv = Inventory.objects.create(region=region, year=year, started_on=today(), started_by=actor)
    _audit_create(actor, inv, ["year", "started_on"])
    return inv


@transaction.atomic
def inventory_count(*, actor, inventory: Inventory, asset: Asset, result: str, found_location: str = "",
                    note: str = "") -> InventoryLine:
    """Count one asset: found where the ledger says, found elsewhere, or not found."""
    inventory = Inventory.objects.select_for_update().select_related("region").get(pk=inventory.pk)
    _require(actor, P.MANAGE, inventory.region, "清查资产于")
    if inventory.closed_on:
        raise ValidationError(f"{inventory}已于 {inventory.closed_on:%Y-%m-%d} 结束，不能再清点")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.region_id != inventory.region_id:
        raise ValidationError({"asset": "该资产不属于本次清查的社区"})
    if asset.status == AssetStatus.DISPOSED:
        raise ValidationError({"asset": f"资产“{asset}”已处置，不在账上，不能清点"})
    clean = collect(
        ("result", lambda: _choice(result, CountResult, "result", "清查结果")),
        ("found_location", lambda: text(found_location, "found_location", "实际地点", max_len=100,
                                        required=result == CountResult.MOVED)),
        ("note", lambda: text(note, "note", "说明", max_len=200, required=result == CountResult.MISSING)),
    )
    line, created = InventoryLine.objects.update_or_create(
        inventory=inventory, asset=asset, defaults={**clean, "counted_by": actor})
    record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=inventory,
           changes={"asset": [None, str(asset)], "result": [None, line.get_result_display()]})
    return line


@transaction.atomic
def inventory_close(*, actor, inventory: Inventory) -> dict[str, int]:
    """Close the count: every asset on the ledger must be counted; a missing one becomes 盘亏, one found
    elsewhere moves in the ledger, one missing before and found now is back in use."""
    inventory = Inventory.objects.select_for_update().select_related("region").get(pk=inventory.pk)
    _require(actor, P.MANAGE, inventory.region, "清查资产于")
    if inventory.closed_on:
        raise ValidationError(f"{inventory}已经结束")
    uncounted = selectors.uncounted(inventory)
    if uncounted:
        names = "、".join(str(a) for a in uncounted[:5])
        raise ValidationError(f"还有 {len(uncounted)} 件资产未清点（{names}{' 等' if len(uncounted) > 5 else ''}），"
                              f"请逐件清点后再结束")
    counts = {"missing": 0, "moved": 0, "recovered": 0}
    for line in inventory.lines.select_related("asset"):
        asset = line.asset
        before = snapshot(asset, ["status", "location"])
        if line.result == CountResult.MISSING and asset.status == AssetStatus.IN_USE:
            asset.status = AssetStatus.MISSING
            counts["missing"] += 1
        elif line.result != CountResult.MISSING and asset.status == AssetStatus.MISSING:
            asset.status = AssetStatus.IN_USE
            counts["recovered"] += 1
        if line.result == CountResult.MOVED:
            asset.location = line.found_location
            counts["moved"] += 1
        after = snapshot(asset, ["status", "location"])
        if after != before:
            asset.save(update_fields=["status", "location"])
            record(actor=actor, action=AuditAction.UPDATE, obj=asset, changes=diff(before, after),
                   purpose=str(inventory))
    inventory.closed_on = today()
    inventory.save(update_fields=["closed_on"])
    changes = {"closed_on": [None, str(today())], **{k: [None, v] for k, v in counts.items()}}
    record(actor=actor, action=AuditAction.TRANSITION, obj=inventory, changes=changes)
    return counts


@transaction.atomic
def disposal_request(*, actor, asset: Asset, method: str, reason: str) -> Disposal:
    asset = Asset.objects.select_for_update().select_related("region").get(pk=asset.pk)
    _require(actor, P.MANAGE, asset.region, "处置资产于")
    if asset.status == AssetStatus.DISPOSED:
        raise ValidationError(f"资产“{asset}”已处置")
    if asset.status == AssetStatus.DISPOSAL_PENDING:
        raise ValidationError(f"资产“{asset}”的处置申请正在审批")
    clean = collect(("method", lambda: _choice(method, DisposalMethod, "method", "处置方式")),
                    ("reason", lambda: text(reason, "reason", "处置理由", max_len=300)))
    if clean["method"] == DisposalMethod.LOSS and asset.status != AssetStatus.MISSING:
        raise ValidationError({"method": "只有清查中盘亏的资产才能盘亏核销"})
    d = Disposal.objects.create(asset=asset, prior_status=asset.status, requested_by=actor, **clean)
    asset.status = AssetStatus.DISPOSAL_PENDING
    asset.save(update_fields=["status"])
    _audit_create(actor, d, ["asset", "method", "reason"])
    return d


@transaction.atomic
def disposal_decide(*, actor, disposal: Disposal, approve: bool, note: str = "") -> Disposal:
    disposal = Disposal.objects.select_for_update().select_related("asset__region").get(pk=disposal.pk)
    asset = disposal.asset
    _require(actor, P.APPROVE, asset.region, "审批资产处置于")
    if disposal.status != DisposalStatus.PENDING:
        raise ValidationError(f"这项处置申请{disposal.get_status_display()}，不需要再审批")
    if disposal.requested_by_id == actor.pk:
        raise ValidationError("不能审批自己提出的处置申请")
    note = text(note, "note", "审批意见", max_len=300, required=not approve)
    disposal.status = DisposalStatus.APPROVED if approve else DisposalStatus.REJECTED
    disposal.decided_by, disposal.decided_at, disposal.decision_note = actor, timezone.now(), note
    disposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    before = snapshot(asset, ["status"])
    asset.status = AssetStatus.DISPOSED if approve else disposal.prior_status
    asset.save(update_fields=["status"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=disposal,
           changes={"status": [DisposalStatus.PENDING.label, disposal.get_status_display()]})
    record(actor=actor, action=AuditAction.UPDATE, obj=asset, changes=diff(before, snapshot(asset, ["status"])))
    return disposal
