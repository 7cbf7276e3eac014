"""Resident demands (接诉即办 / 民声驿站): categories with deadlines as data, the demand and its
append-only timeline, photos, handling units, and API keys for Open311 clients."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField


class Channel(models.TextChoices):
    HOTLINE = "hotline", "服务热线"
    WALK_IN = "walk_in", "来访（民声驿站）"
    MAILBOX = "mailbox", "民情信箱"
    STREET = "street", "网格员街面上报"
    PORTAL = "portal", "居民网上提交"
    OPEN311 = "open311", "Open311 接口"
    ZONE = "zone", "党员责任区上报"  # a Party member's zone contact (vanguard checks the member and the zone)
    PATROL = "patrol", "巡逻上报"  # found on a patrol shift (stability checks the reporter is on the shift or staff)


class Level(models.TextChoices):
    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道（镇）"
    DEPARTMENT = "department", "职能部门"


class State(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派单"
    ON_SITE = "on_site", "已到场"
    HANDLED = "handled", "已办结"
    FOLLOW_UP = "follow_up", "回访中"
    CLOSED = "closed", "已关闭"


OPEN_STATES = [State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.ON_SITE]


class Escalation(models.IntegerChoices):
    NONE = 0, "未升级"
    WEEKLY = 1, "周纪实（社区）"
    MONTHLY = 2, "月调度（街道）"
    QUARTERLY = 3, "季化解（区）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "职能部门"
    RESIDENT_UNIT = "resident_unit", "驻区单位"


class Category(models.Model):
    """A kind of demand, with its deadlines (rules are data: seed 003's 10/30 minutes)."""

    code = models.SlugField("编码", max_length=40, unique=True, help_text="Open311 service_code")
    name = models.CharField("名称", max_length=60)
    group = models.CharField("分组", max_length=40, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    response_minutes = models.PositiveIntegerField("响应时限（分钟）", help_text="到场或首次响应的时限")
    handling_minutes = models.PositiveIntegerField("办结时限（分钟）")
    working_hours_only = models.BooleanField("仅计工作时间", default=False,
                                             help_text="勾选后时限只在工作日 9:00–17:00 内计算")
    default_level = models.CharField("默认办理层级", max_length=16, choices=Level.choices, default=Level.COMMUNITY)
    needs_location = models.BooleanField("必须提供位置", default=False)
    active = models.BooleanField("启用", default=True)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class HandlingUnit(models.Model):
    """A department or resident unit that can receive a dispatched demand (kept here on purpose:
    the co-building app's resident units are not a dependency of this app)."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    region = models.ForeignKey("regions.Region", verbose_name="所在节点", on_delete=models.PROTECT,
                               related_name="handling_units")
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="联系人账户", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField("启用", default=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


def new_tracking_code() -> str:
    # 12 characters of a 31-letter alphabet without look-alikes: about 59 bits, not guessable.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def new_secret_code() -> str:
    """The resident's 查询码: like a tracking code, never published (the public id is another value)."""
    return new_tracking_code()


def normalize_secret_code(value: str) -> str:
    return "".join((value or "").split()).upper()


def new_api_key() -> str:
    return secrets.token_urlsafe(24)


class ApiKey(models.Model):
    """A key an Open311 client posts with (`api_key`); its requests belong to `region`."""

    name = models.CharField("名称", max_length=100)
    key = models.CharField("密钥", max_length=64, unique=True, default=new_api_key)
    region = models.ForeignKey("regions.Region", verbose_name="默认归属节点", on_delete=models.PROTECT,
                               related_name="+")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"

    def __str__(self) -> str:
        return self.name


class Demand(models.Model):
    # The public id (编号): Open311's service_request_id, on lists and public pages. Not a secret.
    tracking_code = models.CharField("编号", max_length=16, unique=True, default=new_tracking_code)
    # The resident's secret 查询码: rating, closing, reopening and adding information from the portal
    # need it. Encrypted; found by its keyed hash. Never in Open311, the API or a list.
    secret_code = EncryptedCharField("查询码", max_length=16, blank=True, default=new_secret_code,
                                     hash_field="secret_code_hash", hash_purpose="demand_secret",
                                     normalizer="demands.models.normalize_secret_code")
    secret_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="demands")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容")  # ID and mobile numbers in it masked (core.pii_text)
    # The description as typed, when masking changed it: encrypted, revealed like the phone (audited).
    description_full = EncryptedCharField("诉求内容（原文）", blank=True, default="")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度（WGS-84）", null=True, blank=True)
    lng = models.FloatField("经度（WGS-84）", null=True, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属节点", on_delete=models.PROTECT,
                               related_name="demands")
    household_id = models.IntegerField("户编号", null=True, blank=True)
    caller_name = models.CharField("诉求人", max_length=50, blank=True)
    caller_phone = EncryptedCharField("联系电话", max_length=20, blank=True, default="",
                                      hash_field="caller_phone_hash", hash_purpose="mobile",
                                      normalizer="core.phone.normalize_mobile")
    caller_phone_hash = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    anonymous = models.BooleanField("匿名", default=False)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    version = models.PositiveIntegerField("版本", default=1)
    escalation = models.PositiveSmallIntegerField("升级层级", choices=Escalation.choices, default=Escalation.NONE)
    overdue = models.BooleanField("已超期", default=False)
    assignee_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="assigned_demands")
    assignee_unit = models.ForeignKey(HandlingUnit, verbose_name="承办单位", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="demands")
    dispatch_from = models.ForeignKey("regions.Region", verbose_name="派单来源节点", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey("self", verbose_name="合并到", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    submitted_at = models.DateTimeField("提交时间")
    response_due = models.DateTimeField("响应时限", db_index=True)
    handling_due = models.DateTimeField("办结时限", db_index=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    handled_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    satisfaction_note = models.CharField("评价说明", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # On PostgreSQL migration 0003 rebuilds this one as a covering index (INCLUDE the columns
            # of the three rates); SQLite has no INCLUDE.
            models.Index(fields=["region", "submitted_at"], name="demand_region_submitted"),
            models.Index(fields=["region", "state", "handling_due"], name="demand_region_state_due"),
            models.Index(fields=["assignee_user", "state", "handling_due"], name="demand_assignee_queue"),
            models.Index(fields=["state", "handling_due"], name="demand_state_due"),
            models.Index(fields=["escalation", "region"], name="demand_escalation"),
            models.Index(fields=["category", "submitted_at"], name="demand_category_submitted"),
            models.Index(fields=["lat", "lng"], name="demand_latlng"),
            models.Index(fields=["-submitted_at"], name="demand_submitted_desc"),  # Open311 public list
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def public_status(self) -> str:
        return "closed" if self.state in (State.HANDLED, State.FOLLOW_UP, State.CLOSED) else "open"

    @property
    def caller_phone_masked(self) -> str:
        from core.masking import mask_mobile

        return mask_mobile(self.caller_phone) if self.caller_phone else ""

    @property
    def caller_name_masked(self) -> str:
        from core.masking import mask_name

        if self.anonymous:
            return "匿名"
        return mask_name(self.caller_name) if self.caller_name else ""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("诉求处理记录只能追加，不能修改")

    def delete(self):
        raise PermissionError("诉求处理记录只能追加，不能删除")


class DemandEvent(models.Model):
    """One entry of a demand's timeline: append-only."""

    demand = models.ForeignKey(Demand, verbose_name="诉求", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=20)
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField("操作人", max_length=60, blank=True)
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("对诉求人可见", default=True)
    created_at = models.DateTimeField("时间", db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "处理记录"
        verbose_name_plural = "处理记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("诉求处理记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("诉求处理记录只能追加，不能删除")

    def get_action_label(self) -> str:
        from .rules import EVENT_LABELS

        return EVENT_LABELS.get(self.action, self.action)


def _photo_path(instance, filename):
    return f"demands/{instance.demand_id}/{secrets.token_hex(8)}.{filename.rsplit('.', 1)[-1][:5].lower()}"


class DemandPhoto(models.Model):
    demand = models.ForeignKey(Demand, verbose_name="诉求", on_delete=models.CASCADE, related_name="photos")
    # No database constraint: on PostgreSQL the events are partitioned by month (core/partitions.py),
    # keyed by (id, created_at); the ORM still sets the link to NULL if an event goes.
    event = models.ForeignKey(DemandEvent, verbose_name="处理记录", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="photos", db_constraint=False)
    image = models.ImageField("照片", upload_to=_photo_path)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return self.image.name


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", "放假"
    WORKDAY = "workday", "调休上班"


class WorkCalendarDay(models.Model):
    """An exception to the Mon–Fri working week: a statutory holiday (法定节假日) or other day off,
    or a weekend day worked instead (调休上班). One row per date; the deployment's single calendar
    (holidays are national). Read through `demands.workcalendar`, written through the services."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=30, help_text="如 国庆节、国庆调休")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}（{self.name}）"

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.WORKDAY
