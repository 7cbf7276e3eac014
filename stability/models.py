"""The defence line (筑牢维护稳定第一道防线, seed 000): key people with their 帮教 and visits, petitions
and mediation cases, stability reports upward, the community police officer and patrol teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField

# ------------------------------------------------------------------------------------ key people


class KeyCategory(models.Model):
    """A category of key people (重点人员) with the visit frequency it requires: rules are data."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30)
    visit_days = models.PositiveSmallIntegerField("走访周期（天）", help_text="两次走访之间最多间隔的天数")
    # seed 000: “重点人员社区党组织书记要亲自包” — the most serious categories are led by the secretary.
    secretary_leads = models.BooleanField("书记亲自包联", default=False)
    basis = models.CharField("依据", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "重点人员类别"
        verbose_name_plural = "重点人员类别"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


# (code, name, visit_days, secretary_leads, basis): the defaults a deployment edits.
DEFAULT_CATEGORIES = [
    ("correction", "社区矫正人员", 7, True, "社区矫正对象每周至少走访或联系 1 次"),
    ("released", "刑满释放人员", 30, False, "安置帮教期内每月走访 1 次"),
    ("drug", "吸毒人员", 15, True, "社区戒毒、社区康复人员每半月走访 1 次"),
    ("mental", "严重精神障碍患者", 14, True, "肇事肇祸风险评估后每两周随访 1 次"),
    ("petition", "重点信访人员", 30, False, "每月走访 1 次，掌握诉求动态"),
    ("other", "其他重点人员", 90, False, "每季度走访 1 次"),
]


class KeyStatus(models.TextChoices):
    ACTIVE = "active", "在管"
    AWAY = "away", "外出"
    RELEASED = "released", "已解除"


class RiskLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class KeyPerson(models.Model):
    """One resident registered as a key person: the category, who is responsible (包联), the 帮教
    plan and the next visit's due date, kept by the services (an indexed deadline a job scans)."""

    resident = models.ForeignKey("grid.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                 related_name="key_records")
    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(KeyCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="people")
    risk = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    status = models.CharField("状态", max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    registered_on = models.DateField("列管日期")
    reason = models.CharField("列管原因", max_length=300)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="包联责任人", on_delete=models.PROTECT,
                               related_name="key_people_led")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访网格员", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="key_people_visited")
    helpers = models.CharField("帮教小组", max_length=200, blank=True, help_text="民警、家属、志愿者等")
    plan = models.TextField("帮教计划", max_length=2000, blank=True)
    last_visit_on = models.DateField("最近走访", null=True, blank=True)
    next_visit_due = models.DateField("下次走访期限", null=True, blank=True)
    overdue_notified_on = models.DateField("逾期提醒日期", null=True, blank=True)
    released_on = models.DateField("解除日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = "重点人员"
        verbose_name_plural = "重点人员"
        ordering = ["next_visit_due", "id"]
        indexes = [
            models.Index(fields=["status", "next_visit_due"], name="stab_key_due"),
            models.Index(fields=["grid", "status"], name="stab_key_grid"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["resident", "category"], condition=~models.Q(status="released"),
                                    name="stab_key_one_open_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name} {self.resident.name}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return (self.status == KeyStatus.ACTIVE and self.next_visit_due is not None
                and self.next_visit_due < timezone.localdate())


class KeyEvent(models.Model):
    """An append-only line of a key person's history (registered, plan changed, status changed, visit)."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("事项", max_length=20)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点人员动态"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.note}"


class VisitWay(models.TextChoices):
    HOME = "home", "入户走访"
    TALK = "talk", "约谈"
    PHONE = "phone", "电话联系"


class KeyVisit(models.Model):
    person = models.ForeignKey(KeyPerson, verbose_name="重点人员", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    way = models.CharField("方式", max_length=10, choices=VisitWay.choices, default=VisitWay.HOME)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT,
                                related_name="+")
    findings = models.TextField("现实表现", max_length=2000)
    concern = models.BooleanField("发现异常", default=False)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点人员走访"
        verbose_name_plural = "重点人员走访"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["person", "visited_on"], name="stab_visit_person")]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_way_display()}"


# 四知四清四掌握 (seed 000): the grid's checklist per household.
CHECKLIST = [
    ("know_people", "知人口", "家庭人口及基本情况"),
    ("know_economy", "知经济", "家庭经济及就业状况"),
    ("know_relations", "知关系", "社会关系和联系方式"),
    ("know_thoughts", "知思想", "思想动态和诉求"),
    ("clear_floating", "清流动", "流动人口和出租房屋情况清"),
    ("clear_key", "清重点", "重点人员情况清"),
    ("clear_disputes", "清矛盾", "矛盾纠纷情况清"),
    ("clear_hardship", "清困难", "困难群众情况清"),
    ("grasp_opinion", "掌握社情民意", "掌握社情民意"),
    ("grasp_instability", "掌握不稳定因素", "掌握不稳定因素"),
    ("grasp_security", "掌握治安状况", "掌握治安状况"),
    ("grasp_needs", "掌握服务需求", "掌握居民服务需求"),
]


class HouseholdCheck(models.Model):
    """One household's 四知四清四掌握 check by a grid worker (the latest one counts)."""

    household = models.ForeignKey("grid.Household", verbose_name="住户", on_delete=models.CASCADE,
                                  related_name="stability_checks")
    grid = models.ForeignKey("regions.Region", verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField("核查日期")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField("已掌握事项", default=list)
    note = models.CharField("说明", max_length=300, blank=True)

    scope_path_field = "grid__path"

    class Meta:
        verbose_name = verbose_name_plural = "四知四清四掌握"
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["household", "checked_on"], name="stab_check_hh")]

    def __str__(self) -> str:
        return f"四知四清四掌握 {self.checked_on:%Y-%m-%d}"


# ---------------------------------------------------------------------------- petitions, mediation


class CaseKind(models.TextChoices):
    MEDIATION = "mediation", "民事调解"
    PETITION = "petition", "信访"


class DisputeType(models.TextChoices):
    NEIGHBOUR = "neighbour", "邻里纠纷"
    FAMILY = "family", "婚姻家庭纠纷"
    PROPERTY = "property", "物业纠纷"
    DAMAGE = "damage", "损害赔偿纠纷"
    LABOUR = "labour", "劳动争议"
    HOUSING = "housing", "房屋土地纠纷"
    OTHER = "other", "其他"


class CaseSource(models.TextChoices):
    WALK_IN = "walk_in", "来访"
    DEMAND = "demand", "诉求转入"
    VISIT = "visit", "走访发现"
    REFERRAL = "referral", "上级交办"


class CaseStatus(models.TextChoices):
    OPEN = "open", "调解中"
    AGREED = "agreed", "已达成协议"
    FAILED = "failed", "调解不成"
    CLOSED = "closed", "已结案"


class Case(models.Model):
    """A petition (信访) or a civil mediation (民事调解) of a community."""

    number = models.CharField("案号", max_length=30, unique=True)
    kind = models.CharField("类别", max_length=10, choices=CaseKind.choices, default=CaseKind.MEDIATION)
    region = models.ForeignKey("regions.Region", verbose_name="所属社区或网格", on_delete=models.PROTECT,
                               related_name="+")
    dispute_type = models.CharField("纠纷类型", max_length=12, choices=DisputeType.choices)
    source = models.CharField("来源", max_length=10, choices=CaseSource.choices, default=CaseSource.WALK_IN)
    demand = models.OneToOneField("demands.Demand", verbose_name="来源诉求", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="stability_case")
    title = models.CharField("事由", max_length=100)
    facts = models.TextField("纠纷事实", max_length=4000)
    received_on = models.DateField("受理日期")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调解员", on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    agreement = models.TextField("协议内容", max_length=4000, blank=True)
    agreed_on = models.DateField("协议日期", null=True, blank=True)
    performance = models.CharField("履行方式与期限", max_length=300, blank=True)
    follow_up_due = models.DateField("回访期限", null=True, blank=True)
    followed_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.CharField("回访情况", max_length=500, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "信访与调解案件"
        verbose_name_plural = "信访与调解案件"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["region", "received_on"], name="stab_case_region_day")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"
    THIRD = "third", "第三人"


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField("身份", max_length=12, choices=PartyRole.choices)
    name = models.CharField("姓名或名称", max_length=50)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, default="")
    address = models.CharField("住址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解当事人"
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return self.name


class CaseStep(models.Model):
    """An append-only step of a case: received, investigated, mediated, agreed, followed up, closed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    on = models.DateField("日期")
    action = models.CharField("事项", max_length=20)
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调解步骤"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.action}"


# ---------------------------------------------------------------------------------- reports upward


class ReportKind(models.TextChoices):
    DISPUTE = "dispute", "矛盾纠纷"
    GROUP = "group", "群体性事件苗头"
    SAFETY = "safety", "治安与安全隐患"
    KEY_PERSON = "key_person", "重点人员动态"
    OTHER = "other", "其他不稳定因素"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    PRIORITY = "priority", "较急"
    URGENT = "urgent", "紧急"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "已报送"
    READ = "read", "已阅"
    HANDLED = "handled", "已处置"


class StabilityReport(models.Model):
    """社会稳定信息反馈: a structured report from a grid or a community upward."""

    region = models.ForeignKey("regions.Region", verbose_name="报送网格或社区", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField("类别", max_length=12, choices=ReportKind.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("情况", max_length=4000)
    occurred_at = models.DateTimeField("发生时间")
    people = models.PositiveIntegerField("涉及人数", default=0)
    measures = models.CharField("已采取措施", max_length=500, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                                 related_name="+")
    reported_at = models.DateTimeField("报送时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="阅处人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField("阅处时间", null=True, blank=True)
    reply = models.CharField("处置意见", max_length=500, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社会稳定信息"
        verbose_name_plural = "社会稳定信息"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["region", "reported_at"], name="stab_report_region_at")]

    def __str__(self) -> str:
        return self.title


# ------------------------------------------------------------------------------- police, patrols


class PoliceOfficer(models.Model):
    """一社区一民警: the community's police officer and the 警务室."""

    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    badge = models.CharField("警号", max_length=20, blank=True)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, default="")
    station = models.CharField("所属派出所", max_length=100, blank=True)
    office = models.CharField("社区警务室", max_length=100, blank=True)
    duty = models.CharField("驻勤安排", max_length=200, blank=True)
    active = models.BooleanField("在岗", default=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "社区民警"
        verbose_name_plural = "社区民警"
        constraints = [models.UniqueConstraint(fields=["community"], condition=models.Q(active=True),
                                               name="stab_one_officer_per_community")]

    def __str__(self) -> str:
        return self.name


class PatrolTeam(models.Model):
    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("队伍名称", max_length=60)
    leader_name = models.CharField("队长", max_length=50, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_on = models.DateField("成立日期", null=True, blank=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "治安联防队"
        verbose_name_plural = "治安联防队"
        ordering = ["community__path", "id"]

    def __str__(self) -> str:
        return self.name


class PatrolKind(models.TextChoices):
    MEMBER_ON_DUTY = "member", "在职党员"
    RETIRED_MEMBER = "retired", "离退休党员"
    VOLUNTEER = "volunteer", "志愿者"
    STAFF = "staff", "社区干部"


class PatrolMember(models.Model):
    team = models.ForeignKey(PatrolTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("身份", max_length=10, choices=PatrolKind.choices, default=PatrolKind.VOLUNTEER)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="patrol_memberships")
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, default="")
    active = models.BooleanField("在队", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "巡逻队员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ShiftKind(models.TextChoices):
    DAILY = "daily", "日常巡逻"
    HOLIDAY = "holiday", "节假日联防"
    STAGGERED = "staggered", "错时巡逻"


class PatrolShift(models.Model):
    team = models.ForeignKey(PatrolTeam, verbose_name="队伍", on_delete=models.CASCADE, related_name="shifts")
    kind = models.CharField("班次类型", max_length=10, choices=ShiftKind.choices, default=ShiftKind.DAILY)
    occasion = models.CharField("节日或事由", max_length=30, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    route = models.CharField("巡逻路线", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "巡逻班次"
        verbose_name_plural = "巡逻班次"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at"], name="stab_shift_team_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftPost(models.Model):
    """One member on one shift, with the check-in on patrol."""

    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="posts")
    member = models.ForeignKey(PatrolMember, verbose_name="队员", on_delete=models.PROTECT, related_name="posts")
    # Copied from the shift so a person's overlapping shifts are one indexed range query.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "巡逻排班签到"
        ordering = ["id"]
        indexes = [models.Index(fields=["member", "starts_at"], name="stab_post_member_start")]
        constraints = [models.UniqueConstraint(fields=["shift", "member"], name="stab_post_once")]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_at:%Y-%m-%d %H:%M}"


class PatrolIncident(models.Model):
    """Something found on patrol; it becomes a demand (an event) handled in the demand workflow."""

    shift = models.ForeignKey(PatrolShift, on_delete=models.CASCADE, related_name="incidents")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField("发现时间")
    place = models.CharField("地点", max_length=200)
    description = models.CharField("情况", max_length=500)
    demand = models.OneToOneField("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="patrol_incident")

    class Meta:
        verbose_name = verbose_name_plural = "巡逻发现情况"
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {self.description[:30]}"


def restore_default_categories(sender, using="default", apps=None, **kwargs):
    """post_migrate: a database without key-person categories (new, or emptied by ``flush``) gets the
    defaults; one that has any is left alone (a deployment's edits stand)."""
    from django.apps import apps as global_apps

    try:
        model = (apps or global_apps).get_model("stability", "KeyCategory")
    except LookupError:
        return
    if model.objects.using(using).exists():
        return
    for i, (code, name, days, secretary, basis) in enumerate(DEFAULT_CATEGORIES):
        model.objects.using(using).create(code=code, name=name, visit_days=days, secretary_leads=secretary,
                                          basis=basis, sort_order=i * 10)
