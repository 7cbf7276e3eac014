"""The community's service systems (便民利民服务体系, seed 000): the service catalogue and its providers,
residents' orders, 全程代办 errands, jobs through the community broker, the charity shop's ledger,
venues lent to units and groups, and the 24-hour duty roster with hand-over notes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField


def qty(d) -> str:
    """A quantity as people write it: 20.00 → "20", 2.50 → "2.5"."""
    return format(Decimal(d).normalize(), "f")


class Category(models.TextChoices):
    HOUSEKEEPING = "housekeeping", "家政服务"
    PROPERTY = "property", "物业管理"
    CARE = "care", "养老托幼"
    HEALTH = "health", "医疗保健"
    REPAIR = "repair", "日常维修"
    ERRAND = "errand", "代办服务"
    OTHER = "other", "其他"


class Service(models.Model):
    """One service of a community's catalogue (e.g. 上门维修 in 日常维修)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="services_offered")
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    name = models.CharField("服务名称", max_length=60)
    description = models.CharField("服务说明", max_length=300, blank=True)
    active = models.BooleanField("在用", default=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "便民服务"
        verbose_name_plural = "便民服务"
        ordering = ["region__path", "category", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="services_service_region_name")]

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    UNIT = "unit", "驻区单位"
    SOCIAL = "social", "社会组织"
    VOLUNTEER = "volunteer", "志愿者"
    BUSINESS = "business", "商户"


class Provider(models.Model):
    """A registered provider of a community: a unit, a social organization, a volunteer or a business.
    Its account (if any) sees the orders given to it and nothing else."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="service_providers")
    name = models.CharField("服务方名称", max_length=100)
    kind = models.CharField("服务方类别", max_length=20, choices=ProviderKind.choices)
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="service_providers")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = EncryptedCharField("联系电话", max_length=11, blank=True, normalizer="core.phone.normalize_mobile",
                                       hash_field="contact_phone_hash", hash_purpose="mobile")
    contact_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务方账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="service_providers")
    active = models.BooleanField("在用", default=True)
    services = models.ManyToManyField(Service, through="Offering", related_name="providers")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "服务方"
        verbose_name_plural = "服务方"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="services_provider_region_name")]

    def __str__(self) -> str:
        return self.name


class Offering(models.Model):
    """A provider offers a service, at a price or free (price None)."""

    provider = models.ForeignKey(Provider, verbose_name="服务方", on_delete=models.CASCADE, related_name="offerings")
    service = models.ForeignKey(Service, verbose_name="服务", on_delete=models.CASCADE, related_name="offerings")
    price = models.DecimalField("价格（元）", max_digits=9, decimal_places=2, null=True, blank=True)
    price_unit = models.CharField("计价单位", max_length=20, blank=True)

    scope_path_field = "provider__region__path"

    class Meta:
        verbose_name = "服务报价"
        verbose_name_plural = "服务报价"
        constraints = [models.UniqueConstraint(fields=["provider", "service"], name="services_offering_once")]

    def __str__(self) -> str:
        return f"{self.provider} · {self.service}"

    @property
    def price_label(self) -> str:
        if self.price is None:
            return "免费"
        amount = f"{self.price:.2f}".rstrip("0").rstrip(".")
        return f"{amount} 元" + (f"/{self.price_unit}" if self.price_unit else "")


class Channel(models.TextChoices):
    PORTAL = "portal", "网上下单"
    GRID = "grid", "网格员代下单"
    HOTLINE = "hotline", "服务热线"
    COUNTER = "counter", "服务站窗口"


class OrderState(models.TextChoices):
    NEW = "new", "待派单"
    ASSIGNED = "assigned", "已派单"
    DONE = "done", "已完成"
    RATED = "rated", "已评价"
    CANCELLED = "cancelled", "已取消"


class Order(models.Model):
    """A resident's order of a service: who, what, where; dispatched to a provider; done; rated."""

    code = models.CharField("订单号", max_length=12, unique=True)
    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="service_orders")
    grid = models.ForeignKey("regions.Region", verbose_name="网格", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grid_service_orders")
    service = models.ForeignKey(Service, verbose_name="服务", on_delete=models.PROTECT, related_name="orders")
    provider = models.ForeignKey(Provider, verbose_name="服务方", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="orders")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    resident = models.ForeignKey("grid.Resident", verbose_name="居民", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="service_orders")
    requester_name = models.CharField("联系人", max_length=50)
    requester_phone = EncryptedCharField("联系电话", max_length=11, normalizer="core.phone.normalize_mobile",
                                         hash_field="requester_phone_hash", hash_purpose="mobile")
    requester_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    address = models.CharField("服务地址", max_length=200)
    description = models.CharField("需求说明", max_length=500)
    wanted_on = models.DateField("期望日期", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=OrderState.choices, default=OrderState.NEW)
    price_label = models.CharField("价格", max_length=40, blank=True)
    done_note = models.CharField("完成情况", max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_note = models.CharField("评价", max_length=300, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("下单时间", auto_now_add=True)
    assigned_at = models.DateTimeField("派单时间", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "服务订单"
        verbose_name_plural = "服务订单"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "state"], name="services_order_region_state")]

    def __str__(self) -> str:
        return f"{self.code} {self.service}"


class ErrandState(models.TextChoices):
    OPEN = "open", "办理中"
    WAITING = "waiting", "待居民确认"
    CONFIRMED = "confirmed", "已办结"
    CANCELLED = "cancelled", "已撤销"


class Errand(models.Model):
    """全程代办: a member or staff takes on an errand for a resident, step by step, until the resident
    confirms it is done."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="errands")
    resident = models.ForeignKey("grid.Resident", verbose_name="居民", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="errands")
    resident_name = models.CharField("委托居民", max_length=50)
    subject = models.CharField("代办事项", max_length=100)
    agency = models.CharField("办理部门", max_length=100, blank=True)
    taker_name = models.CharField("代办人", max_length=50)
    taker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代办人账号", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="errands_taken")
    state = models.CharField("状态", max_length=10, choices=ErrandState.choices, default=ErrandState.OPEN)
    accepted_on = models.DateField("受理日期")
    promised_on = models.DateField("承诺办结日期", null=True, blank=True)
    confirmed_at = models.DateTimeField("居民确认时间", null=True, blank=True)
    confirmation = models.CharField("居民确认意见", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "全程代办"
        verbose_name_plural = "全程代办"
        ordering = ["-accepted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.resident_name}：{self.subject}"


class ErrandStep(models.Model):
    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("序号")
    title = models.CharField("事项", max_length=100)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    note = models.CharField("办理情况", max_length=200, blank=True)

    scope_path_field = "errand__region__path"

    class Meta:
        verbose_name = verbose_name_plural = "代办步骤"
        ordering = ["errand", "position"]
        constraints = [models.UniqueConstraint(fields=["errand", "position"], name="services_step_position")]

    def __str__(self) -> str:
        return self.title


class JobState(models.TextChoices):
    OPEN = "open", "招聘中"
    FILLED = "filled", "已招满"
    CLOSED = "closed", "已关闭"


class JobPost(models.Model):
    """A job a resident unit offers (辖区单位提供岗位)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="job_posts")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="用工单位", on_delete=models.PROTECT,
                             related_name="job_posts")
    title = models.CharField("岗位名称", max_length=60)
    openings = models.PositiveSmallIntegerField("招聘人数")
    wage = models.CharField("薪酬待遇", max_length=60, blank=True)
    requirements = models.CharField("岗位要求", max_length=300, blank=True)
    skills = models.CharField("技能关键词", max_length=100, blank=True, help_text="用空格或逗号分隔，用于匹配求职者")
    posted_on = models.DateField("发布日期")
    state = models.CharField("状态", max_length=10, choices=JobState.choices, default=JobState.OPEN)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "就业岗位"
        verbose_name_plural = "就业岗位"
        ordering = ["-posted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}"


class SeekerState(models.TextChoices):
    SEEKING = "seeking", "求职中"
    PLACED = "placed", "已就业"
    WITHDRAWN = "withdrawn", "已退出"


class JobSeeker(models.Model):
    """A registered job seeker: a resident of the grid registry who consented to being matched."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="job_seekers")
    resident = models.OneToOneField("grid.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                    related_name="job_seeker")
    consent_on = models.DateField("同意推荐日期")
    skills = models.CharField("技能特长", max_length=100, blank=True)
    wanted = models.CharField("求职意向", max_length=100, blank=True)
    state = models.CharField("状态", max_length=10, choices=SeekerState.choices, default=SeekerState.SEEKING)
    registered_on = models.DateField("登记日期")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "求职登记"
        verbose_name_plural = "求职登记"
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return self.resident.name


class Placement(models.Model):
    """The broker's recommendation of a seeker to a job and its outcome (上岗 = a placement)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "已推荐"
        PLACED = "placed", "已上岗"
        DECLINED = "declined", "未录用"

    job = models.ForeignKey(JobPost, verbose_name="岗位", on_delete=models.PROTECT, related_name="placements")
    seeker = models.ForeignKey(JobSeeker, verbose_name="求职者", on_delete=models.PROTECT, related_name="placements")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="社区经纪人", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_on = models.DateField("推荐日期")
    placed_on = models.DateField("上岗日期", null=True, blank=True)

    scope_path_field = "job__region__path"

    class Meta:
        verbose_name = "推荐上岗"
        verbose_name_plural = "推荐上岗"
        ordering = ["-proposed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "seeker"], name="services_placement_once")]

    def __str__(self) -> str:
        return f"{self.seeker} → {self.job}"


class Training(models.Model):
    """A skills training session (就业再就业技能培训)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="trainings")
    title = models.CharField("培训内容", max_length=100)
    held_on = models.DateField("培训日期")
    hours = models.PositiveSmallIntegerField("学时")
    organizer = models.CharField("承办单位", max_length=100, blank=True)
    seekers = models.ManyToManyField(JobSeeker, verbose_name="参训人员", blank=True, related_name="trainings")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "技能培训"
        verbose_name_plural = "技能培训"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CharityItem(models.Model):
    """A kind of goods the charity shop keeps, with its stock."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="charity_items")
    name = models.CharField("物品名称", max_length=50)
    unit = models.CharField("计量单位", max_length=10)
    stock = models.DecimalField("库存", max_digits=12, decimal_places=2, default=0)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "爱心超市物品"
        verbose_name_plural = "爱心超市物品"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="services_charity_item_name"),
                       models.CheckConstraint(condition=models.Q(stock__gte=0), name="services_charity_stock_ge_0")]

    def __str__(self) -> str:
        return self.name


class CharityEntry(models.Model):
    """One line of the charity shop's ledger: goods or money in (a donation) or out (a hand-out)."""

    class Direction(models.TextChoices):
        IN = "in", "捐入"
        OUT = "out", "发放"

    class Kind(models.TextChoices):
        GOODS = "goods", "物品"
        MONEY = "money", "资金"

    class Party(models.TextChoices):
        UNIT = "unit", "驻区单位"
        MEMBER = "member", "党员"
        RESIDENT = "resident", "居民"
        HOUSEHOLD = "household", "困难家庭"
        OTHER = "other", "其他"

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="charity_entries")
    date = models.DateField("日期")
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    kind = models.CharField("类别", max_length=6, choices=Kind.choices)
    item = models.ForeignKey(CharityItem, verbose_name="物品", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="entries")
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    party_kind = models.CharField("对象类别", max_length=10, choices=Party.choices)
    party_name = models.CharField("捐赠方/领取人", max_length=100)
    household = models.ForeignKey("grid.Household", verbose_name="领取住户", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="charity_handouts")
    points = models.PositiveIntegerField("兑换积分", default=0)
    reason = models.CharField("依据/说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "爱心超市台账"
        verbose_name_plural = "爱心超市台账"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["region", "date"], name="services_charity_region_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_direction_display()} {self.party_name}"


class Venue(models.Model):
    """A room the community lends to units and groups (免费为辖区单位提供会议、培训、文化娱乐场所)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="venues")
    name = models.CharField("场所名称", max_length=60)
    capacity = models.PositiveSmallIntegerField("容纳人数")
    equipment = models.CharField("设施", max_length=200, blank=True)
    free = models.BooleanField("免费", default=True)
    active = models.BooleanField("开放", default=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "活动场所"
        verbose_name_plural = "活动场所"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="services_venue_region_name")]

    def __str__(self) -> str:
        return self.name


class Booking(models.Model):
    venue = models.ForeignKey(Venue, verbose_name="场所", on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    borrower = models.CharField("使用单位/团体", max_length=100)
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="venue_bookings")
    purpose = models.CharField("用途", max_length=100)
    attendees = models.PositiveSmallIntegerField("人数", default=0)
    cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "venue__region__path"

    class Meta:
        verbose_name = "场所预约"
        verbose_name_plural = "场所预约"
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["venue", "start"], name="services_booking_venue_start")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="services_booking_end_after_start")]

    def __str__(self) -> str:
        return f"{self.venue} {self.borrower}"


class DutyPost(models.TextChoices):
    COMMUNITY = "community", "社区值班"
    STATION = "station", "邻里援助站"


class DutyShift(models.Model):
    """One shift of the 24-hour duty roster, and the note handed over to the next shift."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="duty_shifts")
    post = models.CharField("岗位", max_length=10, choices=DutyPost.choices)
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    person_name = models.CharField("值班人", max_length=50)
    phone = models.CharField("值班电话", max_length=20, blank=True)
    handover_note = models.CharField("交接班记录", max_length=500, blank=True)
    handed_over_at = models.DateTimeField("交班时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["region", "start"], name="services_duty_region_start")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="services_duty_end_after_start")]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.person_name}"
