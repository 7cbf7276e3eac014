"""Community stewardship (经费、阵地、资产): the yearly funding standards per community type, each
community's funds year with its budget and ledger (income, spending with vouchers, approvals), its
premises with rooms by function (一厅一校四室), the fixed-asset ledger with yearly inventories and
disposals, and venues lent to resident units."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from core.storage import PrivateStorage

private_storage = PrivateStorage()


def voucher_path(instance, filename: str) -> str:
    return f"stewardship/vouchers/{uuid.uuid4().hex}"


class CommunityType(models.TextChoices):
    COUNTY_SEAT = "county_seat", "县城所在镇社区"
    TOWN = "town", "建制镇社区"
    CITY = "city", "城市社区"


class FundingStandard(models.Model):
    """The yearly operating funds a community of a type must receive at least (seed 000: 县城所在镇
    不低于 6 万元，建制镇不少于 5 万元; seed 002: 城市社区运转经费 50 万元/年)."""

    community_type = models.CharField("社区类型", max_length=20, choices=CommunityType.choices, unique=True)
    yearly_amount = models.DecimalField("年度经费标准（元）", max_digits=12, decimal_places=2)
    basis = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "社区经费标准"
        verbose_name_plural = "社区经费标准"
        ordering = ["yearly_amount", "id"]

    def __str__(self) -> str:
        return f"{self.get_community_type_display()}每年不低于 {self.yearly_amount:.0f} 元"


DEFAULT_STANDARDS = [
    (CommunityType.COUNTY_SEAT, Decimal("60000"), "社区办公活动经费每年按照县城所在镇不低于 6 万元的标准配备"),
    (CommunityType.TOWN, Decimal("50000"), "建制镇社区办公活动经费每年不少于 5 万元"),
    (CommunityType.CITY, Decimal("500000"), "城市社区运转经费提标至 50 万元/年"),
]


class StewardshipRules(models.Model):
    """The one row of rules that are not per type: the premises' minimum area (seed 000: 400 m²)."""

    min_premises_area = models.DecimalField("办公活动场所最低面积（平方米）", max_digits=8, decimal_places=1,
                                            default=Decimal("400"))
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "阵地规则"
        verbose_name_plural = "阵地规则"

    def __str__(self) -> str:
        return "阵地规则"

    @classmethod
    def current(cls) -> StewardshipRules:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class CommunityProfile(models.Model):
    """What type a community is (decides its funding standard)."""

    region = models.OneToOneField("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="stewardship_profile")
    community_type = models.CharField("社区类型", max_length=20, choices=CommunityType.choices)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社区类型"
        verbose_name_plural = "社区类型"

    def __str__(self) -> str:
        return f"{self.region.name}：{self.get_community_type_display()}"


class SpendingCategory(models.TextChoices):
    OFFICE = "office", "办公用品"
    UTILITIES = "utilities", "水电暖物业"
    EDUCATION = "education", "党员教育活动"
    SERVICE = "service", "便民服务"
    CULTURE = "culture", "文体活动"
    REPAIR = "repair", "设施维修"
    PUBLICITY = "publicity", "宣传资料"
    EQUIPMENT = "equipment", "设备购置"
    TRAINING = "training", "培训"
    OTHER = "other", "其他"


class IncomeSource(models.TextChoices):
    ALLOCATION = "allocation", "财政拨款"
    DUES_SHARE = "dues_share", "党费返还"
    DONATION = "donation", "捐赠"
    OTHER = "other", "其他收入"


class FundYear(models.Model):
    """A community's funds for one year: its type and the standard at opening, the budget lines."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="fund_years")
    year = models.PositiveSmallIntegerField("年度")
    community_type = models.CharField("社区类型", max_length=20, choices=CommunityType.choices)
    standard = models.DecimalField("经费标准（元）", max_digits=12, decimal_places=2)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="建账人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("建账时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社区经费年度账"
        verbose_name_plural = "社区经费年度账"
        ordering = ["-year", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="stewardship_fundyear_region_year")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} 年经费"


class BudgetLine(models.Model):
    """The budget of one spending category in a funds year; spending in a category without a line needs
    an approval (不得挪用、挤占)."""

    fund_year = models.ForeignKey(FundYear, verbose_name="年度账", on_delete=models.CASCADE, related_name="budget")
    category = models.CharField("支出类别", max_length=20, choices=SpendingCategory.choices)
    amount = models.DecimalField("预算（元）", max_digits=12, decimal_places=2)

    scope_path_field = "fund_year__region__path"

    class Meta:
        verbose_name = "预算"
        verbose_name_plural = "预算"
        ordering = ["fund_year", "category"]
        constraints = [models.UniqueConstraint(fields=["fund_year", "category"], name="stewardship_budget_cat")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount:.2f} 元"


class EntryKind(models.TextChoices):
    INCOME = "income", "收入"
    SPENDING = "spending", "支出"


class EntryStatus(models.TextChoices):
    POSTED = "posted", "已入账"
    PENDING = "pending", "待审批"
    REJECTED = "rejected", "未批准"


class LedgerEntry(models.Model):
    """One line of the funds ledger. Only posted lines count in the balance; a spending beyond the
    balance or outside the budget's categories waits for an approval (street or district)."""

    fund_year = models.ForeignKey(FundYear, verbose_name="年度账", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("收支", max_length=10, choices=EntryKind.choices)
    source = models.CharField("收入来源", max_length=20, choices=IncomeSource.choices, blank=True)
    category = models.CharField("支出类别", max_length=20, choices=SpendingCategory.choices, blank=True)
    date = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    summary = models.CharField("摘要", max_length=200)
    counterparty = models.CharField("付款/收款单位", max_length=100, blank=True)
    voucher_no = models.CharField("凭证号", max_length=30, blank=True)
    status = models.CharField("状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.POSTED)
    approval_reason = models.CharField("申请审批理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记账人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    scope_path_field = "fund_year__region__path"

    class Meta:
        verbose_name = "经费收支"
        verbose_name_plural = "经费收支"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["fund_year", "status", "date"], name="stewardship_entry_year_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:.2f} 元：{self.summary}"

    @property
    def label(self) -> str:
        return self.get_source_display() if self.kind == EntryKind.INCOME else self.get_category_display()


class Voucher(models.Model):
    """A scanned voucher (发票、收据) of a ledger line, stored privately."""

    entry = models.ForeignKey(LedgerEntry, verbose_name="收支", on_delete=models.CASCADE, related_name="vouchers")
    file = models.FileField("凭证", upload_to=voucher_path, storage=private_storage)
    original_name = models.CharField("文件名", max_length=150)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_path_field = "entry__fund_year__region__path"

    class Meta:
        verbose_name = "凭证"
        verbose_name_plural = "凭证"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


# ---------------------------------------------------------------------------------------- premises

class Ownership(models.TextChoices):
    OWNED = "owned", "自有产权"
    RENTED = "rented", "租赁"
    LENT = "lent", "共建单位提供"
    BORROWED = "borrowed", "无偿借用"


class RoomFunction(models.TextChoices):
    """一厅一校四室 (seed 000), and what else a community's premises hold."""

    SERVICE_HALL = "service_hall", "全程为民代办大厅"
    CITIZEN_SCHOOL = "citizen_school", "市民学校"
    E_CLASSROOM = "e_classroom", "党员电教室"
    READING = "reading", "阅览室"
    ACTIVITY = "activity", "活动室"
    POLICE = "police", "警务室"
    OFFICE = "office", "办公室"
    MEETING = "meeting", "会议室"
    OTHER = "other", "其他"


REQUIRED_FUNCTIONS = [RoomFunction.SERVICE_HALL, RoomFunction.CITIZEN_SCHOOL, RoomFunction.E_CLASSROOM,
                      RoomFunction.READING, RoomFunction.ACTIVITY, RoomFunction.POLICE]


class Premises(models.Model):
    """A building (or floor) a community works in (办公活动场所)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="premises")
    name = models.CharField("场所名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    ownership = models.CharField("产权", max_length=20, choices=Ownership.choices)
    area = models.DecimalField("建筑面积（平方米）", max_digits=8, decimal_places=1)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "办公活动场所"
        verbose_name_plural = "办公活动场所"
        ordering = ["region__path", "id"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    premises = models.ForeignKey(Premises, verbose_name="场所", on_delete=models.CASCADE, related_name="rooms")
    function = models.CharField("功能", max_length=20, choices=RoomFunction.choices)
    name = models.CharField("名称", max_length=60)
    area = models.DecimalField("面积（平方米）", max_digits=7, decimal_places=1)
    lendable = models.BooleanField("可向驻区单位开放", default=False)

    scope_path_field = "premises__region__path"

    class Meta:
        verbose_name = "功能室"
        verbose_name_plural = "功能室"
        ordering = ["premises", "function", "id"]

    def __str__(self) -> str:
        return self.name


class VenueLoan(models.Model):
    """A room lent to a resident unit for a co-building activity (活动场所便利的，要向社区开放 — and
    the community's rooms open to the units)."""

    room = models.ForeignKey(Room, verbose_name="场地", on_delete=models.PROTECT, related_name="loans")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", on_delete=models.PROTECT,
                             related_name="venue_loans")
    project = models.ForeignKey("cobuild.Project", verbose_name="共建项目", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="venue_loans")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    purpose = models.CharField("用途", max_length=150)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "room__premises__region__path"

    class Meta:
        verbose_name = "场地出借"
        verbose_name_plural = "场地出借"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.room}借给{self.unit}"


# ------------------------------------------------------------------------------------------ assets

class AssetCategory(models.TextChoices):
    COMPUTER = "computer", "电脑及外设"
    OFFICE_EQUIPMENT = "office_equipment", "办公设备"
    FURNITURE = "furniture", "家具"
    AV = "av", "音视频设备"
    SPORTS = "sports", "文体器材"
    OTHER = "other", "其他"


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    MISSING = "missing", "盘亏"
    DISPOSAL_PENDING = "disposal_pending", "处置待批"
    DISPOSED = "disposed", "已处置"


class Asset(models.Model):
    """One item of the fixed-asset ledger (固定资产台帐)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="assets")
    code = models.CharField("资产编号", max_length=30)
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=AssetCategory.choices)
    model = models.CharField("规格型号", max_length=100, blank=True)
    value = models.DecimalField("原值（元）", max_digits=12, decimal_places=2)
    acquired_on = models.DateField("取得日期")
    location = models.CharField("存放地点", max_length=100)
    custodian = models.CharField("保管人", max_length=50)
    status = models.CharField("状态", max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "固定资产"
        verbose_name_plural = "固定资产台帐"
        ordering = ["region__path", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="stewardship_asset_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inventory(models.Model):
    """The yearly count of a community's assets (年度资产清查)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="inventories")
    year = models.PositiveSmallIntegerField("年度")
    started_on = models.DateField("开始日期")
    closed_on = models.DateField("结束日期", null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="清查人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "资产清查"
        verbose_name_plural = "资产清查"
        ordering = ["-year", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="stewardship_inventory_year")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} 年资产清查"


class CountResult(models.TextChoices):
    FOUND = "found", "账实相符"
    MOVED = "moved", "地点不符"
    MISSING = "missing", "未找到"


class InventoryLine(models.Model):
    inventory = models.ForeignKey(Inventory, verbose_name="清查", on_delete=models.CASCADE, related_name="lines")
    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="counts")
    result = models.CharField("清查结果", max_length=10, choices=CountResult.choices)
    found_location = models.CharField("实际地点", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="清点人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    counted_at = models.DateTimeField("清点时间", auto_now=True)

    scope_path_field = "inventory__region__path"

    class Meta:
        verbose_name = "清查记录"
        verbose_name_plural = "清查记录"
        ordering = ["asset__code"]
        constraints = [models.UniqueConstraint(fields=["inventory", "asset"], name="stewardship_count_once")]

    def __str__(self) -> str:
        return f"{self.asset}：{self.get_result_display()}"


class DisposalMethod(models.TextChoices):
    SCRAP = "scrap", "报废"
    TRANSFER = "transfer", "调拨"
    SALE = "sale", "出售"
    DONATE = "donate", "捐赠"
    LOSS = "loss", "盘亏核销"


class DisposalStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Disposal(models.Model):
    """A request to take an asset off the ledger; it leaves only once approved (street or district)."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="disposals")
    method = models.CharField("处置方式", max_length=20, choices=DisposalMethod.choices)
    reason = models.CharField("处置理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=DisposalStatus.choices, default=DisposalStatus.PENDING)
    prior_status = models.CharField("申请前状态", max_length=20, choices=AssetStatus.choices,
                                    default=AssetStatus.IN_USE)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    scope_path_field = "asset__region__path"

    class Meta:
        verbose_name = "资产处置"
        verbose_name_plural = "资产处置"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset}{self.get_method_display()}"
