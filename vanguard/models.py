"""What Party members do where they live: posts (设岗定责), pledges (六诺), responsibility zones
(党员责任区), volunteering (志愿服务), consent to the 三亮 board and quarterly service stars (服务标兵).
Rules (capacities, members per zone, contact cadence, star criteria) are data."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from members.models import private_storage


def _token() -> str:
    return secrets.token_urlsafe(16)


def evidence_photo_path(instance, filename: str) -> str:
    return f"vanguard/evidence/{secrets.token_hex(16)}.jpg"


class VanguardRules(models.Model):
    """One row; defaults from the seeds (003: 每个责任区由2至3名党员负责; 000: 一人一职)."""

    posts_per_member = models.PositiveSmallIntegerField("每名党员最多认领岗位数", default=1)
    zone_min_members = models.PositiveSmallIntegerField("每个责任区最少党员数", default=2)
    zone_max_members = models.PositiveSmallIntegerField("每个责任区最多党员数", default=3)
    zone_contact_weeks = models.PositiveSmallIntegerField("责任区联系提醒（周）", default=4)
    star_min_fulfilled = models.PositiveSmallIntegerField("服务标兵：本季度至少践诺（件）", default=1)
    star_min_contacts = models.PositiveSmallIntegerField("服务标兵：本季度至少联系住户（次）", default=3)
    star_min_hours = models.DecimalField("服务标兵：本季度至少志愿服务（小时）", max_digits=5, decimal_places=1,
                                         default=4)

    class Meta:
        verbose_name = "党员作用发挥规则"
        verbose_name_plural = "党员作用发挥规则"

    def __str__(self) -> str:
        return "党员作用发挥规则"

    @classmethod
    def current(cls) -> VanguardRules:
        return cls.objects.order_by("id").first() or cls.objects.create()


# ---------------------------------------------------------------- posts


class PostKind(models.TextChoices):
    VANGUARD = "vanguard", "党员先锋岗"
    POLICY = "policy", "政策宣传岗"
    ENVIRONMENT = "environment", "环境监督岗"
    MEDIATION = "mediation", "矛盾调解岗"
    CARE = "care", "帮扶关爱岗"
    CIVILITY = "civility", "文明劝导岗"
    PATROL = "patrol", "治安巡逻岗"
    OTHER = "other", "其他岗位"


class Post(models.Model):
    """A post a community (or grid, or a resident unit's Party organization) sets for members."""

    region = models.ForeignKey("regions.Region", verbose_name="设岗社区（网格）", on_delete=models.PROTECT,
                               related_name="+")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="设岗党组织", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("岗位类别", max_length=20, choices=PostKind.choices)
    title = models.CharField("岗位名称", max_length=60)
    duties = models.TextField("岗位职责", max_length=1000)
    capacity = models.PositiveSmallIntegerField("名额", default=2)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设岗人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("设岗时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "党员岗位"
        verbose_name_plural = "党员岗位"
        ordering = ["region_id", "kind", "title"]

    def __str__(self) -> str:
        return self.title


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    CONFIRMED = "confirmed", "在岗"
    RETURNED = "returned", "已退回"
    ENDED = "ended", "已离岗"


OPEN_CLAIM = [ClaimStatus.PENDING, ClaimStatus.CONFIRMED]


class PostClaim(models.Model):
    """A member chooses a post (选岗); the community approves it (定岗)."""

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="post_claims")
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    note = models.CharField("认岗说明", max_length=200, blank=True)
    reason = models.CharField("退回原因", max_length=200, blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    scope_path_field = "post__region__path"

    class Meta:
        verbose_name = "认岗"
        verbose_name_plural = "认岗"
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["post", "member"], condition=models.Q(status__in=OPEN_CLAIM),
                                               name="vanguard_one_open_claim")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.post}"


# ---------------------------------------------------------------- pledges (六诺)


class PledgeKind(models.TextChoices):
    POST = "post", "岗位承诺"
    DEED = "deed", "实事承诺"


class PledgeState(models.TextChoices):
    DRAFT = "draft", "申诺"            # drafted (or returned and edited) by the member
    DELIBERATED = "deliberated", "已议诺"  # discussed by the branch
    APPROVED = "approved", "已审诺"     # approved by the superior organization
    PUBLISHED = "published", "示诺中"   # on the 三亮 board
    FULFILLED = "fulfilled", "已践诺"   # fulfilment recorded with evidence
    RATED = "rated", "已评诺"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_PLEDGE = [PledgeState.DRAFT, PledgeState.DELIBERATED, PledgeState.APPROVED, PledgeState.PUBLISHED]
DONE_PLEDGE = [PledgeState.FULFILLED, PledgeState.RATED]


class Pledge(models.Model):
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="pledges")
    post = models.ForeignKey(Post, verbose_name="岗位", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="pledges")
    # Where the pledge is served: seen by the member's organization and by this community (a member of a
    # unit's organization serves where they registered, 双报到).
    community = models.ForeignKey("regions.Region", verbose_name="服务社区", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("承诺类型", max_length=10, choices=PledgeKind.choices)
    title = models.CharField("承诺事项", max_length=100)
    content = models.TextField("承诺内容", max_length=1000)
    due_on = models.DateField("承诺完成日期")
    state = models.CharField("状态", max_length=12, choices=PledgeState.choices, default=PledgeState.DRAFT)
    returned_reason = models.CharField("退回原因", max_length=200, blank=True)
    meeting_on = models.DateField("议诺会议日期", null=True, blank=True)
    meeting_note = models.CharField("议诺会议意见", max_length=300, blank=True)
    fulfilled_on = models.DateField("践诺日期", null=True, blank=True)
    fulfilment = models.TextField("践诺情况", max_length=1000, blank=True)
    hours = models.DecimalField("服务时长（小时）", max_digits=6, decimal_places=1, default=0)
    households_reached = models.PositiveIntegerField("服务户数", default=0)
    photo = models.FileField("践诺照片", upload_to=evidence_photo_path, storage=private_storage, blank=True,
                             max_length=200)
    reminded_on = models.DateField("最近提醒", null=True, blank=True)
    created_at = models.DateTimeField("申诺时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_path_field = "member__org__region__path"

    class Meta:
        verbose_name = "党员承诺"
        verbose_name_plural = "党员承诺"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "due_on"], name="pledge_state_due"),
                   models.Index(fields=["member", "state"], name="pledge_member_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PLEDGE

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today


class AppendOnly(Exception):
    pass


class PledgeEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("承诺流转记录只能追加，不能修改")

    def delete(self):
        raise AppendOnly("承诺流转记录只能追加，不能删除")


class PledgeEvent(models.Model):
    """Append-only trail of the 六诺 cycle: who moved the pledge, from which state to which, why."""

    pledge = models.ForeignKey(Pledge, verbose_name="承诺", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("环节", max_length=20)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=50, blank=True)
    note = models.CharField("意见", max_length=300, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = PledgeEventQuerySet.as_manager()

    class Meta:
        verbose_name = "承诺流转记录"
        verbose_name_plural = "承诺流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.pledge_id}:{self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("承诺流转记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("承诺流转记录只能追加，不能删除")


class RatingLevel(models.TextChoices):
    BRANCH = "branch", "支部评议"
    COMMUNITY = "community", "社区评议"


class Grade(models.TextChoices):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"


class PledgeRating(models.Model):
    """评诺: one rating per level (branch, then community); the community's closes the cycle."""

    pledge = models.ForeignKey(Pledge, verbose_name="承诺", on_delete=models.CASCADE, related_name="ratings")
    level = models.CharField("评议层级", max_length=10, choices=RatingLevel.choices)
    grade = models.CharField("评议等次", max_length=10, choices=Grade.choices)
    raters = models.CharField("评议人", max_length=200)
    note = models.CharField("评议意见", max_length=300, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("评议时间", auto_now_add=True)

    class Meta:
        verbose_name = "承诺评议"
        verbose_name_plural = "承诺评议"
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["pledge", "level"], name="vanguard_one_rating_per_level")]

    def __str__(self) -> str:
        return f"{self.pledge_id}:{self.level}:{self.grade}"


# ---------------------------------------------------------------- responsibility zones


class Zone(models.Model):
    """党员责任区: a set of households of one community looked after by 2-3 members (rule as data)."""

    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("责任区名称", max_length=60)
    description = models.CharField("范围说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="划分人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("划分时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "党员责任区"
        verbose_name_plural = "党员责任区"
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="vanguard_zone_name")]

    def __str__(self) -> str:
        return self.name


class ZoneHousehold(models.Model):
    zone = models.ForeignKey(Zone, verbose_name="责任区", on_delete=models.CASCADE, related_name="households")
    household = models.OneToOneField("grid.Household", verbose_name="住户", on_delete=models.CASCADE,
                                     related_name="zone_link")  # a household lies in at most one zone

    class Meta:
        verbose_name = "责任区住户"
        verbose_name_plural = "责任区住户"

    def __str__(self) -> str:
        return f"{self.zone_id}:{self.household_id}"


class ZoneMember(models.Model):
    zone = models.ForeignKey(Zone, verbose_name="责任区", on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="zone_links")
    since = models.DateField("负责起始日期")

    class Meta:
        verbose_name = "责任区党员"
        verbose_name_plural = "责任区党员"
        constraints = [models.UniqueConstraint(fields=["zone", "member"], name="vanguard_zone_member")]

    def __str__(self) -> str:
        return f"{self.zone_id}:{self.member_id}"


class ZoneContact(models.Model):
    """A member's contact with a household of their zone; a problem may become a demand in one step."""

    zone = models.ForeignKey(Zone, verbose_name="责任区", on_delete=models.CASCADE, related_name="contacts")
    household = models.ForeignKey("grid.Household", verbose_name="住户", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="zone_contacts")
    on = models.DateField("联系日期")
    note = models.CharField("联系情况", max_length=300)
    problem = models.CharField("发现的问题", max_length=300, blank=True)
    demand_id = models.IntegerField("转为诉求编号", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "zone__community__path"

    class Meta:
        verbose_name = "责任区联系记录"
        verbose_name_plural = "责任区联系记录"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "on"], name="zone_contact_member_on")]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.household_id} {self.on}"


# ---------------------------------------------------------------- volunteering


class Activity(models.Model):
    """A volunteer activity published by a community, grid or resident unit's organization."""

    region = models.ForeignKey("regions.Region", verbose_name="发布社区（网格）", on_delete=models.PROTECT,
                               related_name="+")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="组织单位党组织", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    title = models.CharField("活动名称", max_length=80)
    description = models.TextField("活动内容", max_length=1000, blank=True)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    places = models.PositiveSmallIntegerField("名额")
    skills = models.CharField("所需技能", max_length=100, blank=True)
    open_to_residents = models.BooleanField("居民可报名", default=False)
    cancelled = models.BooleanField("已取消", default=False)
    checkin_token = models.CharField(max_length=40, default=_token, editable=False)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组织人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="vanguard_activity_start")]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="signups")
    # None: registered on site by the organizer (a member without a phone or an account).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报名账号", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="signups")
    name = models.CharField("姓名", max_length=50)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    hours = models.DecimalField("确认时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    scope_path_field = "activity__region__path"

    class Meta:
        verbose_name = "志愿服务报名"
        verbose_name_plural = "志愿服务报名"
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="vanguard_one_signup"),
                       models.UniqueConstraint(fields=["activity", "member"], name="vanguard_one_member_signup")]
        indexes = [models.Index(fields=["member", "confirmed_at"], name="vanguard_signup_member")]

    def __str__(self) -> str:
        return f"{self.name}@{self.activity_id}"


# ---------------------------------------------------------------- 三亮 and service stars


class PublicityConsent(models.Model):
    """Append-only consents: the latest row says whether name and photo may be shown publicly."""

    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="publicity_consents")
    show_name = models.BooleanField("同意公开姓名", default=False)
    show_photo = models.BooleanField("同意公开照片", default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "三亮公开授权"
        verbose_name_plural = "三亮公开授权"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.show_name}/{self.show_photo}"


class StarState(models.TextChoices):
    PROPOSED = "proposed", "社区推荐"
    APPROVED = "approved", "街道审定"
    RETURNED = "returned", "已退回"


class ServiceStar(models.Model):
    """服务标兵: proposed by the community each quarter, approved by the street, shown with the reason."""

    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="service_stars")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    reason = models.CharField("推荐理由", max_length=300)
    state = models.CharField("状态", max_length=10, choices=StarState.choices, default=StarState.PROPOSED)
    returned_reason = models.CharField("退回原因", max_length=200, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="推荐人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审定人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("推荐时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "服务标兵"
        verbose_name_plural = "服务标兵"
        ordering = ["-year", "-quarter", "community_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year", "quarter"], name="vanguard_one_star")]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.member_id}"
