"""The Party member registry: members, their history, dual registration, mobile members,
transfers, dues and deeds. Rules (dues tiers, quotas, flag thresholds) are data."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField
from core.storage import PrivateStorage as CorePrivateStorage


class PrivateStorage(CorePrivateStorage):
    """Member photos' storage (kept as its own class: migrations name it). See core.storage."""

    def url(self, name):
        raise ValueError("成员照片没有公开地址，请通过党员照片页面读取")


private_storage = PrivateStorage()


PHOTO_DIR = "members/photos"  # under PRIVATE_MEDIA_ROOT


def member_photo_path(instance, filename: str) -> str:
    """A random name (photos are re-encoded to JPEG): nothing to guess from the member or the upload."""
    return f"{PHOTO_DIR}/{uuid.uuid4().hex}.jpg"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Category(models.TextChoices):
    EMPLOYED = "employed", "在职党员"
    RETIRED = "retired", "离退休党员"
    UNEMPLOYED = "unemployed", "下岗失业党员"
    MOBILE = "mobile", "流动党员"
    HARDSHIP = "hardship", "困难党员"
    STUDENT = "student", "学生党员"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    DECEASED = "deceased", "已去世"


ACTIVE_STATUSES = [MemberStatus.PROBATIONARY, MemberStatus.FULL]


class Education(models.TextChoices):
    GRADUATE = "graduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专/高中"
    JUNIOR = "junior", "初中及以下"


ETHNICITIES = ["汉族", "哈萨克族", "维吾尔族", "回族", "蒙古族", "满族", "壮族", "藏族", "柯尔克孜族", "锡伯族", "其他"]


class PartyMember(models.Model):
    """One Party member. Scope: the organization that holds the membership (its territory node)."""

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False)
    name_initials = models.CharField("姓名首字母", max_length=50, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number = EncryptedCharField(
        "身份证号", max_length=18, hash_field="id_number_hash", hash_purpose="id_number",
        normalizer="core.idnumber.normalize_id_number",
    )
    id_number_hash = models.CharField(max_length=64, null=True, editable=False)
    mobile = EncryptedCharField(
        "手机号", max_length=11, blank=True, hash_field="mobile_hash", hash_purpose="mobile",
        normalizer="core.phone.normalize_mobile",
    )
    mobile_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    joined_on = models.DateField("入党日期")
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    status = models.CharField("党员状态", max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL)
    category = models.CharField("党员类别", max_length=20, choices=Category.choices)
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="所在党组织", on_delete=models.PROTECT,
                            related_name="members", db_index=False)  # member_org_status_cat leads with org
    residence = models.ForeignKey("regions.Region", verbose_name="居住地（区划）", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    address = models.CharField("居住地址", max_length=200, blank=True)
    employer = models.CharField("工作单位", max_length=120, blank=True)
    unit_org = models.ForeignKey("orgs.PartyOrg", verbose_name="单位党组织", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="unit_members")
    monthly_income = models.DecimalField("月收入（税后，元）", max_digits=10, decimal_places=2, null=True,
                                         blank=True, help_text="用于按比例计算党费，不公开显示")
    photo = models.FileField("照片", upload_to=member_photo_path, storage=private_storage, blank=True,
                             max_length=200)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="party_member")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org_id", "name_pinyin", "id"]
        # Every index costs each insert (the bulk import writes 50,000 rows at a time), so only the
        # ones a query uses: no LIKE-variant copies of hash columns, no single-column indexes on
        # low-cardinality status/category (the composite, leading with the organization, serves
        # the scoped lists), pattern-ops indexes that serve both equality and prefix search.
        indexes = [
            models.Index(fields=["org", "status", "category"], name="member_org_status_cat"),
            models.Index(fields=["name_pinyin"], name="member_pinyin_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_initials_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["mobile_hash"], name="member_mobile_hash"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="member_id_number_hash_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def age_on(self, day) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a member's history entry."""


class MemberEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("党员变动记录只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("党员变动记录只能追加，不能删除")


class MemberEvent(models.Model):
    """Append-only history: status, category and organization changes, transfers, mobility. Three guards,
    as for the audit log and the pledge trail: this model, its queryset and a database trigger (migration
    0005) refuse to change an entry. Only the actor link may become empty (a deleted account), and the
    entries go with their member when a member record is deleted."""

    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=30)
    old_value = models.CharField("原值", max_length=200, blank=True)
    new_value = models.CharField("新值", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    on = models.DateField("日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = MemberEventQuerySet.as_manager()

    class Meta:
        verbose_name = "党员变动记录"
        verbose_name_plural = "党员变动记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("党员变动记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("党员变动记录只能追加，不能删除")


class RegistrySettings(models.Model):
    """Quotas and thresholds (one row; defaults from the seeds and the national rules)."""

    deed_quota_min = models.PositiveSmallIntegerField("在职党员每年实事下限", default=1)
    deed_quota_max = models.PositiveSmallIntegerField("在职党员每年实事上限", default=2)
    mobile_no_contact_months = models.PositiveSmallIntegerField("流动党员失联提醒（月）", default=6)
    arrears_months = models.PositiveSmallIntegerField("欠缴党费提醒（月）", default=6)
    student_monthly_dues = models.DecimalField("学生、下岗失业、困难党员每月党费（元）", max_digits=6,
                                               decimal_places=2, default=Decimal("0.20"))

    class Meta:
        verbose_name = "党员管理规则"
        verbose_name_plural = "党员管理规则"

    def __str__(self) -> str:
        return "党员管理规则"

    @classmethod
    def current(cls) -> RegistrySettings:
        obj = cls.objects.order_by("id").first()
        return obj or cls.objects.create()


class DuesBase(models.TextChoices):
    INCOME = "income", "在职党员（按月税后收入）"
    RETIREE = "retiree", "离退休党员（按月离退休费）"


class DuesTier(models.Model):
    """A band of the national dues rule: income in (lower, upper] pays rate percent."""

    base = models.CharField("适用", max_length=10, choices=DuesBase.choices)
    lower = models.DecimalField("收入下限（不含）", max_digits=10, decimal_places=2, default=0)
    upper = models.DecimalField("收入上限（含，空为无上限）", max_digits=10, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField("比例（%）", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "党费档次"
        verbose_name_plural = "党费档次"
        ordering = ["base", "lower"]

    def __str__(self) -> str:
        return f"{self.get_base_display()} {self.lower}-{self.upper or ''}: {self.rate}%"


class DuesPayment(models.Model):
    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.CASCADE, related_name="dues")
    month = models.DateField("所属月份")  # first day of the month
    amount = models.DecimalField("金额（元）", max_digits=8, decimal_places=2)
    paid_on = models.DateField("缴纳日期")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="收缴党组织", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "党费缴纳"
        verbose_name_plural = "党费缴纳"
        ordering = ["-month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_one_per_month")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.month:%Y-%m}"


class Decision(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "已退回"


class DualRegistration(models.Model):
    """双报到: a member (or a unit Party organization) registers with a community."""

    class Kind(models.TextChoices):
        MEMBER = "member", "在职党员到居住地社区报到"
        UNIT = "unit", "单位党组织到所在社区报到"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    member = models.ForeignKey(PartyMember, verbose_name="党员", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="dual_registrations")
    unit_org = models.ForeignKey("orgs.PartyOrg", verbose_name="单位党组织", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("regions.Region", verbose_name="报到社区", on_delete=models.PROTECT,
                                  related_name="+")
    status = models.CharField("状态", max_length=10, choices=Decision.choices, default=Decision.PENDING,
                              db_index=True)
    note = models.CharField("报到说明", max_length=300, blank=True)
    reason = models.CharField("退回原因", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "双报到"
        verbose_name_plural = "双报到"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.member or self.unit_org} → {self.community}"


class MemberDeed(models.Model):
    """A deed (实事) of a member; co-building links its own records through source_type/source_id."""

    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.CASCADE, related_name="deeds")
    date = models.DateField("日期")
    title = models.CharField("事项", max_length=200)
    hours = models.DecimalField("时长（小时）", max_digits=6, decimal_places=1, default=0)
    source_type = models.CharField("来源类型", max_length=50, blank=True)
    source_id = models.CharField("来源编号", max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "member__org__region__path"

    class Meta:
        verbose_name = "党员实事"
        verbose_name_plural = "党员实事"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="deed_source")]

    def __str__(self) -> str:
        return self.title


class MobileRecord(models.Model):
    """双报一领: an outflowing member reports to the origin organization and registers (inflow)
    at the destination organization, taking a task there. Both organizations see the record."""

    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.CASCADE, related_name="mobility")
    origin_org = models.ForeignKey("orgs.PartyOrg", verbose_name="流出地党组织", on_delete=models.PROTECT,
                                   related_name="+")
    destination = models.CharField("流入地", max_length=200)
    destination_org = models.ForeignKey("orgs.PartyOrg", verbose_name="流入地党组织", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    left_on = models.DateField("外出日期")
    contact = models.CharField("联系方式", max_length=100, blank=True)
    card_number = models.CharField("流动党员活动证号", max_length=50, blank=True)
    origin_task = models.CharField("流出地任务", max_length=200, blank=True)
    destination_task = models.CharField("流入地任务", max_length=200, blank=True)
    registered_on = models.DateField("流入地报到日期", null=True, blank=True)
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    ended_on = models.DateField("返回日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "流动党员"
        verbose_name_plural = "流动党员"
        ordering = ["-left_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"


class TransferBatch(models.Model):
    """A batch of transfers (e.g. a state firm's retirees to their residence communities)."""

    title = models.CharField("名称", max_length=200)
    from_org = models.ForeignKey("orgs.PartyOrg", verbose_name="转出党组织", on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "批量转接"
        verbose_name_plural = "批量转接"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Transfer(models.Model):
    """组织关系转接: requested by the sending organization, confirmed by the receiving one."""

    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey("orgs.PartyOrg", verbose_name="转出党组织", on_delete=models.PROTECT,
                                 related_name="+")
    to_org = models.ForeignKey("orgs.PartyOrg", verbose_name="转入党组织", on_delete=models.PROTECT,
                               related_name="+")
    batch = models.ForeignKey(TransferBatch, verbose_name="批次", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="transfers")
    status = models.CharField("状态", max_length=10, choices=Decision.choices, default=Decision.PENDING,
                              db_index=True)
    note = models.CharField("说明", max_length=300, blank=True)
    reason = models.CharField("退回原因", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=models.Q(status="pending"),
                                               name="one_pending_transfer_per_member")]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_org} → {self.to_org}"

