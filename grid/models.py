"""Grid governance: the facts of each grid (人地事物组织) and the visits of its grid workers.

Grids, compounds and buildings are nodes of the territory tree (regions.Region); this app extends
them with one-to-one records. Houses, households, residents, facilities, units and visits carry a
direct `grid` foreign key so the data scope is one join on the grid's path, whatever the city size.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.crypto import EncryptedCharField


def today() -> date:
    """The local date (settings.TIME_ZONE): the default of dates recorded as of the day they are written."""
    return timezone.localdate()


class GridRule(models.Model):
    """A quota or cadence as data (seed 000: ≤ 500 residents per grid worker, visits monthly)."""

    key = models.CharField("规则", max_length=40, unique=True)
    value = models.PositiveIntegerField("数值")
    label = models.CharField("说明", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网格规则"
        verbose_name_plural = "网格规则"

    def __str__(self) -> str:
        return f"{self.label or self.key}：{self.value}"


# key → (default, label)
RULE_DEFAULTS: dict[str, tuple[int, str]] = {
    "residents_per_worker": (500, "每名网格员服务居民数上限"),
    "residents_per_liaison": (500, "每名联络员联系居民数上限（1:500）"),
    "care_visit_days": (30, "关爱对象走访间隔上限（天）"),
    "visit_days_per_month": (22, "每月走访工作日数（用于生成每日走访计划）"),
}


class GridProfile(models.Model):
    """一格一档: what a grid node carries beyond its place in the tree."""

    region = models.OneToOneField(
        "regions.Region", verbose_name="网格", on_delete=models.CASCADE, related_name="grid_profile",
        limit_choices_to={"kind": "grid"},
    )
    code = models.CharField("网格编码", max_length=32, blank=True, db_index=True)
    boundary = models.TextField("边界（GeoJSON，WGS-84）", blank=True)
    center_lat = models.FloatField("中心纬度", null=True, blank=True)
    center_lng = models.FloatField("中心经度", null=True, blank=True)
    primary_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="专职网格员", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="primary_grids",
    )
    assistants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="协管网格员", blank=True, related_name="assisted_grids"
    )
    branch = models.ForeignKey(
        "orgs.PartyOrg", verbose_name="网格党支部", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "网格档案"
        verbose_name_plural = "网格档案"

    def __str__(self) -> str:
        return str(self.region)


class GridLiaison(models.Model):
    """A liaison (网格联络员 / 楼栋长): a volunteer who keeps in touch with about 500 residents."""

    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.CASCADE, related_name="liaisons")
    name = models.CharField("姓名", max_length=50)
    duty = models.CharField("职责", max_length=50, blank=True, help_text="如：楼栋长、党员联络员")

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "网格联络员"
        verbose_name_plural = "网格联络员"

    def __str__(self) -> str:
        return self.name


class BuildingInfo(models.Model):
    region = models.OneToOneField(
        "regions.Region", verbose_name="楼栋", on_delete=models.CASCADE, related_name="building_info",
        limit_choices_to={"kind": "building"},
    )
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "楼栋位置"
        verbose_name_plural = "楼栋位置"

    def __str__(self) -> str:
        return f"{self.region_id}: {self.lat:.6f}, {self.lng:.6f}"


class HouseUse(models.TextChoices):
    SELF = "self", "自住"
    RENTAL = "rental", "出租"
    VACANT = "vacant", "空置"
    COMMERCIAL = "commercial", "商用"


class House(models.Model):
    # No single-column indexes on grid and building: grid_house_grid_use and the unique
    # (building, unit, number) lead with them (each index costs every imported row).
    grid = models.ForeignKey(
        "regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="grid_houses", db_index=False
    )
    building = models.ForeignKey(
        "regions.Region", verbose_name="楼栋", on_delete=models.PROTECT, related_name="houses", db_index=False
    )
    unit = models.CharField("单元", max_length=10, blank=True)
    number = models.CharField("门牌（室号）", max_length=20)
    address = models.CharField("地址", max_length=200)  # searched with contains: a btree would not help
    use = models.CharField("房屋用途", max_length=12, choices=HouseUse.choices, default=HouseUse.SELF)
    area = models.DecimalField("面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True)

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = "房屋"
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "number"], name="grid_house_unique_number"),
        ]
        indexes = [models.Index(fields=["grid", "use"], name="grid_house_grid_use")]

    def __str__(self) -> str:
        return self.address


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "在住"
    MOVED_OUT = "moved_out", "已迁出"


class Household(models.Model):
    grid = models.ForeignKey(  # indexed by grid_hh_grid_visit, which leads with it
        "regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="grid_households",
        db_index=False,
    )
    house = models.ForeignKey(House, verbose_name="房屋", on_delete=models.PROTECT, related_name="households")
    number = models.CharField("户号", max_length=30, blank=True)
    head_name = models.CharField("户主", max_length=50)
    # Kept by the services (visit_log, resident writes) so lists stay one indexed scan at city size.
    last_visited_at = models.DateTimeField("最近走访", null=True, blank=True)
    is_care = models.BooleanField("含关爱对象", default=False)
    members = models.PositiveSmallIntegerField("人数", default=0)
    # A household that moves out is kept (history), marked and dated; counts and plans use active ones.
    status = models.CharField("状态", max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE,
                              db_default=HouseholdStatus.ACTIVE)
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    moved_out_reason = models.CharField("迁出说明", max_length=200, blank=True, default="", db_default="")

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = "住户"
        indexes = [
            models.Index(fields=["grid", "last_visited_at"], name="grid_hh_grid_visit"),
            models.Index(fields=["grid", "is_care", "last_visited_at"], name="grid_hh_grid_care"),
        ]

    def __str__(self) -> str:
        return f"{self.house.address}（户主 {self.head_name}）"


class ResidentKind(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    PERMANENT = "permanent", "常住人口"
    FLOATING = "floating", "流动人口"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    TENANT = "tenant", "租住人"
    OTHER = "other", "其他"


# Care groups as bit flags: one integer column, filterable on SQLite and PostgreSQL alike.
CARE_TAGS: list[tuple[str, int, str]] = [
    ("elderly_alone", 1, "独居老人"),
    ("disabled", 2, "残疾人"),
    ("dibao", 4, "低保"),
    ("youfu", 8, "优抚对象"),
    ("left_behind", 16, "留守儿童"),
    ("hardship", 32, "困难群众"),
]
CARE_BIT = {key: bit for key, bit, _ in CARE_TAGS}
CARE_LABEL = {key: label for key, _, label in CARE_TAGS}


def care_labels(flags: int) -> list[str]:
    return [label for _, bit, label in CARE_TAGS if flags & bit]


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", "在住"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已故"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Resident(models.Model):
    grid = models.ForeignKey(  # indexed by grid_res_grid_name, which leads with it
        "regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="grid_residents",
        db_index=False,
    )
    household = models.ForeignKey(Household, verbose_name="住户", on_delete=models.PROTECT, related_name="residents")
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名首字母", max_length=20, blank=True)
    name_pinyin = models.CharField("姓名拼音", max_length=100, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = EncryptedCharField(
        "身份证号", max_length=18, blank=True, normalizer="core.idnumber.normalize_id_number",
        hash_field="id_number_hash", hash_purpose="id_number",
    )
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # unique: Meta
    phone = EncryptedCharField(
        "手机号", max_length=11, blank=True, normalizer="core.phone.normalize_mobile",
        hash_field="phone_hash", hash_purpose="mobile",
    )
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # indexed: Meta
    kind = models.CharField("人口类型", max_length=12, choices=ResidentKind.choices, default=ResidentKind.REGISTERED)
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices, default=Relation.HEAD)
    care_flags = models.PositiveIntegerField("关爱标签", default=0)
    arrival_date = models.DateField("来本地日期", null=True, blank=True)
    permit_expiry = models.DateField("居住证到期日", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # The day the resident joined their current household: the day of registration unless given, the move's
    # date after 迁入他户 (resident_transfer). Empty only on rows a raw loader wrote: read `joined_date`.
    joined_on = models.DateField("入户日期", null=True, blank=True, default=today)
    # Moved out or deceased residents are kept (history), marked and dated, never deleted.
    status = models.CharField("状态", max_length=12, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE,
                              db_default=ResidentStatus.ACTIVE)
    left_on = models.DateField("迁出/死亡日期", null=True, blank=True)
    status_note = models.CharField("变动说明", max_length=200, blank=True, default="", db_default="")

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        # Only indexes a query uses (the bulk import writes each one for every row): exact hashes
        # without LIKE copies; pattern-ops indexes for the prefix searches by name, initials and
        # pinyin (they serve equality too, whatever the database collation).
        indexes = [
            models.Index(fields=["grid", "name"], name="grid_res_grid_name"),
            models.Index(fields=["grid", "kind", "permit_expiry"], name="grid_res_grid_permit"),
            models.Index(fields=["name"], name="grid_res_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="grid_res_initials_prefix",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_pinyin"], name="grid_res_pinyin_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_hash"], name="grid_res_phone_hash"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="grid_res_id_number_hash_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def care_labels(self) -> list[str]:
        return care_labels(self.care_flags)

    @property
    def joined_date(self) -> date | None:
        """入户日期: `joined_on`, or the day of registration on a row written without it."""
        if self.joined_on is not None:
            return self.joined_on
        return timezone.localtime(self.created_at).date() if self.created_at else None


class RentalLease(models.Model):
    """A rental house's lease: landlord, tenants and dates (seed 000: 出租房屋管理)."""

    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, verbose_name="房屋", on_delete=models.CASCADE, related_name="leases")
    landlord_name = models.CharField("房东", max_length=50)
    landlord_phone = EncryptedCharField(
        "房东电话", max_length=11, blank=True, normalizer="core.phone.normalize_mobile",
        hash_field="landlord_phone_hash", hash_purpose="mobile",
    )
    landlord_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    tenants = models.ManyToManyField(Resident, verbose_name="租户", blank=True, related_name="leases")
    start_date = models.DateField("起租日")
    end_date = models.DateField("到期日")
    ended_on = models.DateField("退租日期", null=True, blank=True, help_text="办理退租后填写；为空表示租约未终止")

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "出租房屋"
        verbose_name_plural = "出租房屋"
        indexes = [models.Index(fields=["grid", "end_date"], name="grid_lease_grid_end")]

    def __str__(self) -> str:
        return f"{self.landlord_name} {self.start_date}—{self.end_date}"


class FacilityKind(models.TextChoices):
    CAMERA = "camera", "雪亮工程摄像头"
    HYDRANT = "hydrant", "消防栓"
    AED = "aed", "AED除颤仪"
    NOTICE_BOARD = "notice_board", "宣传栏"
    PARTY_CENTER = "party_center", "党群服务阵地"  # 党群服务中心（站）、党员活动室: the map's Party positions
    OTHER = "other", "其他"


class FacilityState(models.TextChoices):
    NORMAL = "normal", "正常"
    FAULT = "fault", "故障"
    OFFLINE = "offline", "停用"


class Facility(models.Model):
    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="facilities")
    kind = models.CharField("类别", max_length=16, choices=FacilityKind.choices)
    name = models.CharField("名称", max_length=100)
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    state = models.CharField("状态", max_length=10, choices=FacilityState.choices, default=FacilityState.NORMAL)

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "设施"
        verbose_name_plural = "设施"
        indexes = [models.Index(fields=["grid", "kind"], name="grid_fac_grid_kind")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    SHOP = "shop", "商户"
    FIRM = "firm", "企业"
    SOCIAL = "social", "社会组织"


class GridUnit(models.Model):
    """A shop, firm or social organization in the grid (组织 of 人地事物组织)."""

    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="units")
    kind = models.CharField("类别", max_length=10, choices=UnitKind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = EncryptedCharField(
        "联系电话", max_length=11, blank=True, normalizer="core.phone.normalize_mobile",
        hash_field="contact_phone_hash", hash_purpose="mobile",
    )
    contact_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    has_party_org = models.BooleanField("已建党组织", default=False)
    party_org = models.ForeignKey(
        "orgs.PartyOrg", verbose_name="党组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "网格内单位"
        verbose_name_plural = "网格内单位"

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """走访: one grid worker's visit to one household."""

    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(Household, verbose_name="住户", on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="grid_visits"
    )
    visited_at = models.DateTimeField("走访时间")
    findings = models.TextField("走访情况", max_length=2000)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        indexes = [
            models.Index(fields=["grid", "visited_at"], name="grid_visit_grid_time"),
            models.Index(fields=["worker", "visited_at"], name="grid_visit_worker_time"),
            models.Index(fields=["household", "visited_at"], name="grid_visit_hh_time"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.household_id}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to="grid/visits/%Y/%m/")

    scope_path_field = "visit__grid__path"

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"

    def __str__(self) -> str:
        return self.image.name
