"""The district's command system: responsibility and task lists (versioned data), assignments
down the tree with a 交办书, progress with evidence, the weekly 纪实, the monthly 调度 and the
quarterly 会商 problem register. Overdue work climbs the tree on the ladder the demands use."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Escalation(models.IntegerChoices):
    """The same ladder as the demands': the community's weekly log, the street's monthly
    scheduling meeting, the district's quarterly consultation."""

    NONE = 0, "未升级"
    WEEKLY = 1, "周纪实（社区）"
    MONTHLY = 2, "月调度（街道）"
    QUARTERLY = 3, "季会商（区）"


# Days past the deadline after which open work rises to each level (as the demands' default).
ESCALATION_DAYS = {1: 0, 2: 7, 3: 30}


class Escalating(models.Model):
    """Open work with a date that climbs the ladder when late — an assignment (its deadline), a
    decided problem (its date), a rectification (its deadline): the same three fields and the same
    two questions (which are still open, is this one closed), asked by `services.escalate_overdue`.
    Abstract: each table keeps its own columns."""

    overdue = models.BooleanField("已超期", default=False)
    escalation = models.PositiveSmallIntegerField("升级", choices=Escalation.choices, default=Escalation.NONE)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    due_field: str = "deadline"   # the date past which the item climbs
    closed_status: str = ""       # the status in which it no longer climbs

    class Meta:
        abstract = True

    @classmethod
    def open_items(cls) -> models.QuerySet:
        return cls.objects.exclude(status=cls.closed_status)

    @property
    def is_closed(self) -> bool:
        return self.status == self.closed_status


class Level(models.TextChoices):
    STREET = "street", "街道（镇）"
    COMMUNITY = "community", "社区"
    BRANCH = "branch", "小区（网格）党支部"


class ListStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本替代"


class TaskList(models.Model):
    """A district's responsibility and task list for a year. Published versions are frozen; a
    change is a new version (the old one stays readable, its assignments keep pointing at it)."""

    region = models.ForeignKey("regions.Region", verbose_name="发布单位（区县）", on_delete=models.PROTECT,
                               related_name="task_lists")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编制人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "责任清单和任务清单"
        verbose_name_plural = "责任清单和任务清单"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "version"], name="assessment_list_version")]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"


class Aspect(models.Model):
    task_list = models.ForeignKey(TaskList, verbose_name="清单", on_delete=models.CASCADE, related_name="aspects")
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("方面", max_length=80)

    class Meta:
        verbose_name = "方面"
        verbose_name_plural = "方面"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class KeyTask(models.Model):
    aspect = models.ForeignKey(Aspect, verbose_name="方面", on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("重点任务", max_length=120)
    content = models.TextField("任务内容", max_length=2000)
    levels = models.CharField("适用层级", max_length=40, help_text="逗号分隔：street, community, branch")
    evidence = models.CharField("佐证材料要求", max_length=300, blank=True)
    deadline = models.DateField("完成时限")

    class Meta:
        verbose_name = "重点任务"
        verbose_name_plural = "重点任务"
        ordering = ["aspect__order", "order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def level_list(self) -> list[str]:
        return [x for x in self.levels.split(",") if x]

    @property
    def level_labels(self) -> str:
        names = dict(Level.choices)
        return "、".join(names.get(x, x) for x in self.level_list)


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "待签收"
    ACKNOWLEDGED = "acknowledged", "已签收"
    DONE = "done", "已完成"


class Assignment(Escalating):
    """A key task handed to one node (a street, a community) with a 交办书; a street hands it on
    to its communities as child assignments."""

    task = models.ForeignKey(KeyTask, verbose_name="重点任务", on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey("regions.Region", verbose_name="承办单位", on_delete=models.PROTECT,
                               related_name="task_assignments")
    parent = models.ForeignKey("self", verbose_name="上级交办", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    number = models.CharField("交办书编号", max_length=40, unique=True)
    content = models.TextField("交办内容", max_length=2000)
    requirements = models.TextField("工作要求", max_length=2000)
    assigned_on = models.DateField("交办日期")
    deadline = models.DateField("完成时限", db_index=True)
    signer = models.CharField("签发人", max_length=50)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交办人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=12, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED, db_index=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    closed_status = AssignmentStatus.DONE
    scope_path_field = "region__path"

    class Meta:
        verbose_name = "任务交办"
        verbose_name_plural = "任务交办"
        ordering = ["deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "region"], name="assessment_assignment_once")]

    def __str__(self) -> str:
        return f"{self.number} {self.task.title}"

    @property
    def is_open(self) -> bool:
        return self.status != AssignmentStatus.DONE

    @property
    def late(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


class ProgressReport(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name="任务交办", on_delete=models.CASCADE,
                                   related_name="reports")
    text = models.TextField("进展情况", max_length=2000)
    progress = models.PositiveSmallIntegerField("进度（%）")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报告人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField("报告时间", auto_now_add=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment.number} {self.progress}%"


class EvidenceKind(models.TextChoices):
    FILE = "file", "文件"
    PHOTO = "photo", "照片"
    MEETING = "meeting", "会议记录"
    DEMAND = "demand", "已办结诉求"
    DEED = "deed", "共建实事"
    VISIT = "visit", "入户走访"


RECORD_KINDS = (EvidenceKind.MEETING, EvidenceKind.DEMAND, EvidenceKind.DEED, EvidenceKind.VISIT)


class Evidence(models.Model):
    """A file, a photo or a link to a record the platform already holds (by kind and id, with the
    label it had when linked), of a progress report, a rectification or a campaign entry."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报告", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="evidence")
    finding = models.ForeignKey("Finding", verbose_name="督查问题", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="evidence")
    entry = models.ForeignKey("Entry", verbose_name="评选申报", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="evidence")
    kind = models.CharField("类别", max_length=10, choices=EvidenceKind.choices)
    file = models.FileField("文件", upload_to="assessment/evidence/%Y/", blank=True)
    record_id = models.PositiveBigIntegerField("记录编号", null=True, blank=True)
    label = models.CharField("说明", max_length=200)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.label}"


class WeeklyLog(models.Model):
    """周纪实: what a community did in a week (visits made, things recorded)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="weekly_logs")
    week_start = models.DateField("周一日期")
    text = models.TextField("本周纪实", max_length=3000)
    visits = models.PositiveIntegerField("本周走访户数", default=0)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField("填写时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "每周纪实"
        verbose_name_plural = "每周纪实"
        ordering = ["-week_start", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "week_start"], name="assessment_weekly_once")]

    def __str__(self) -> str:
        return f"{self.region} {self.week_start:%Y-%m-%d} 周纪实"


class Dispatch(models.Model):
    """月调度: a street's or the district's monthly scheduling meeting over the tasks behind."""

    region = models.ForeignKey("regions.Region", verbose_name="调度单位", on_delete=models.PROTECT,
                               related_name="dispatches")
    month = models.DateField("月份", help_text="该月 1 日")
    held_on = models.DateField("召开日期")
    summary = models.TextField("调度情况", max_length=3000, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="主持人", null=True,
                                on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "月调度"
        verbose_name_plural = "月调度"
        ordering = ["-month", "region__path"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="assessment_dispatch_once")]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y年%m月}调度"


class DispatchItem(models.Model):
    """One task behind, as reviewed at the 调度: the decision, its owner and new date."""

    dispatch = models.ForeignKey(Dispatch, verbose_name="月调度", on_delete=models.CASCADE, related_name="items")
    assignment = models.ForeignKey(Assignment, verbose_name="任务交办", on_delete=models.PROTECT,
                                   related_name="dispatch_items")
    progress = models.PositiveSmallIntegerField("调度时进度（%）", default=0)
    decision = models.CharField("调度决定", max_length=300, blank=True)
    owner = models.CharField("责任人", max_length=50, blank=True)
    due = models.DateField("落实时限", null=True, blank=True)

    class Meta:
        verbose_name = "调度事项"
        verbose_name_plural = "调度事项"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["dispatch", "assignment"], name="assessment_dispatch_item")]

    def __str__(self) -> str:
        return str(self.assignment)


class ProblemStatus(models.TextChoices):
    RAISED = "raised", "已提出"
    DISCUSSED = "discussed", "已会商"
    DECIDED = "decided", "已议定"
    CLOSED = "closed", "已化解"


class Problem(Escalating):
    """季会商 problem register: a hard problem raised, discussed at the quarter's consultation,
    decided (owner, date) and closed; an open problem past its date climbs the tree."""

    region = models.ForeignKey("regions.Region", verbose_name="所在单位", on_delete=models.PROTECT,
                               related_name="assessment_problems")
    title = models.CharField("难题", max_length=120)
    description = models.TextField("情况说明", max_length=3000)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_on = models.DateField("提出日期")
    status = models.CharField("状态", max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.RAISED,
                              db_index=True)
    quarter = models.CharField("会商季度", max_length=7, blank=True, help_text="如 2026Q3")
    discussion = models.TextField("会商意见", max_length=3000, blank=True)
    decision = models.CharField("议定事项", max_length=300, blank=True)
    owner = models.CharField("责任单位（人）", max_length=80, blank=True)
    due = models.DateField("化解时限", null=True, blank=True, db_index=True)
    resolution = models.TextField("化解情况", max_length=3000, blank=True)
    closed_on = models.DateField("化解日期", null=True, blank=True)

    due_field, closed_status = "due", ProblemStatus.CLOSED
    scope_path_field = "region__path"

    class Meta:
        verbose_name = "难题会商"
        verbose_name_plural = "难题会商"
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------- inspections (督查)

class InspectionKind(models.TextChoices):
    PLANNED = "planned", "计划督查"
    UNANNOUNCED = "unannounced", "四不两直"


# Seed 002: “既督任务、督进度、督成效，又查认识、查责任、查作风”.
DEFAULT_CHECKLIST = ["督任务：重点任务是否落地", "督进度：是否按交办时限推进", "督成效：群众是否满意",
                     "查认识：党组织书记是否履行第一责任人职责", "查责任：责任是否压实到人", "查作风：是否存在形式主义"]


class Inspection(models.Model):
    """A 督查 of a node: planned, or unannounced (四不两直: no notice, no greeting, straight to the
    ground), with its checklist and findings."""

    region = models.ForeignKey("regions.Region", verbose_name="被督查单位", on_delete=models.PROTECT,
                               related_name="inspections")
    kind = models.CharField("方式", max_length=12, choices=InspectionKind.choices)
    date = models.DateField("督查日期", db_index=True)
    inspectors = models.CharField("督查组成员", max_length=200)
    summary = models.TextField("督查情况", max_length=3000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "督查"
        verbose_name_plural = "督查"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.region}{self.get_kind_display()}"


class CheckResult(models.TextChoices):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NA = "na", "不适用"


class CheckItem(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name="督查", on_delete=models.CASCADE,
                                   related_name="checks")
    order = models.PositiveSmallIntegerField("序号", default=1)
    text = models.CharField("检查项", max_length=120)
    result = models.CharField("结果", max_length=6, choices=CheckResult.choices, default=CheckResult.PASS)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "检查项"
        verbose_name_plural = "检查项"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    CLOSED = "closed", "已销号"


class Finding(Escalating):
    """A problem found, and its rectification item (owner, deadline); it closes only with evidence."""

    inspection = models.ForeignKey(Inspection, verbose_name="督查", on_delete=models.CASCADE,
                                   related_name="findings")
    region = models.ForeignKey("regions.Region", verbose_name="整改单位", on_delete=models.PROTECT,
                               related_name="rectifications")
    text = models.CharField("发现问题", max_length=300)
    photo = models.FileField("现场照片", upload_to="assessment/inspections/%Y/", blank=True)
    requirement = models.CharField("整改要求", max_length=300)
    owner = models.CharField("整改责任人", max_length=50)
    deadline = models.DateField("整改时限", db_index=True)
    status = models.CharField("状态", max_length=8, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN, db_index=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="销号人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closing_note = models.TextField("整改情况", max_length=2000, blank=True)

    closed_status = RectificationStatus.CLOSED
    scope_path_field = "region__path"

    class Meta:
        verbose_name = "问题与整改"
        verbose_name_plural = "问题与整改"
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text


class SanctionKind(models.TextChoices):
    NOTICE = "notice", "督办通报"
    TALK = "talk", "约谈"


class Sanction(models.Model):
    """督办通报 or 约谈: recorded against a node (and, where it follows one, an inspection)."""

    region = models.ForeignKey("regions.Region", verbose_name="对象单位", on_delete=models.PROTECT,
                               related_name="sanctions")
    kind = models.CharField("方式", max_length=8, choices=SanctionKind.choices)
    date = models.DateField("日期")
    subject = models.CharField("对象（人员）", max_length=80)
    reason = models.TextField("事由", max_length=2000)
    inspection = models.ForeignKey(Inspection, verbose_name="相关督查", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="sanctions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "督办通报与约谈"
        verbose_name_plural = "督办通报与约谈"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject}"


# ---------------------------------------------------------------- assessment (考核)

class SchemeLevel(models.TextChoices):
    STREET = "street", "街道（镇）"
    COMMUNITY = "community", "社区"
    UNIT = "unit", "驻区单位"


class Method(models.TextChoices):
    COUNT = "count", "平台计数"
    RATE = "rate", "平台比率"
    CHECKLIST = "checklist", "督查检查清单"
    COMMITTEE = "committee", "评议评分"


class Scheme(models.Model):
    """An assessment scheme for a year and a level, as data: items with weights and how each is
    scored. Validated when published (weights sum to 100; co-building at least `cobuild_min` %)."""

    region = models.ForeignKey("regions.Region", verbose_name="考核单位（区县）", on_delete=models.PROTECT,
                               related_name="assessment_schemes")
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("考核对象", max_length=10, choices=SchemeLevel.choices)
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT)
    cobuild_min = models.DecimalField("共驻共建分值不低于（%）", max_digits=5, decimal_places=2, default=20)
    excellent_ratio = models.DecimalField("优秀比例（%）", max_digits=5, decimal_places=2, default=30)
    reduction = models.DecimalField("平时考核不力核减优秀比例（%）", max_digits=5, decimal_places=2, default=5,
                                    help_text="种子：核减 3%—5%")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "level"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "level"], name="assessment_scheme_once")]

    def __str__(self) -> str:
        return self.title


class SchemeItem(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("考核项目", max_length=80)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=2)
    method = models.CharField("评分方式", max_length=10, choices=Method.choices)
    source = models.CharField("数据来源", max_length=30, blank=True)
    target = models.DecimalField("满分标准（件）", max_digits=9, decimal_places=2, null=True, blank=True,
                                 help_text="平台计数：达到该数即得满分")
    cobuild = models.BooleanField("属于共驻共建", default=False)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """One item's score of one assessed node (or resident unit): computed from the platform's records
    (raw figure, formula, evidence) or, where no record exists, entered by hand with a note."""

    item = models.ForeignKey(SchemeItem, verbose_name="考核项目", on_delete=models.CASCADE, related_name="scores")
    region = models.ForeignKey("regions.Region", verbose_name="被考核单位", on_delete=models.PROTECT,
                               related_name="assessment_scores")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assessment_scores")
    value = models.DecimalField("得分", max_digits=6, decimal_places=2)
    raw = models.DecimalField("原始数据", max_digits=12, decimal_places=4, null=True, blank=True)
    formula = models.CharField("计算方法", max_length=300)
    hand = models.BooleanField("手工录入", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField("时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "region"], condition=models.Q(unit__isnull=True),
                                    name="assessment_score_region"),
            models.UniqueConstraint(fields=["item", "unit"], condition=models.Q(unit__isnull=False),
                                    name="assessment_score_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.value}"


class Rating(models.TextChoices):
    GOOD = "good", "好"
    FAIR_GOOD = "fair_good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class Review(models.Model):
    """述职评议: a secretary's report-back and the rating it received."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="reviews")
    region = models.ForeignKey("regions.Region", verbose_name="述职单位", on_delete=models.PROTECT,
                               related_name="assessment_reviews")
    reporter = models.CharField("述职人", max_length=50)
    rating = models.CharField("评议等次", max_length=10, choices=Rating.choices)
    good_votes = models.PositiveIntegerField("“好”票数", default=0)
    total_votes = models.PositiveIntegerField("参评人数", default=0)
    note = models.CharField("评议意见", max_length=300, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        constraints = [models.UniqueConstraint(fields=["scheme", "region"], name="assessment_review_once")]

    def __str__(self) -> str:
        return f"{self.region} {self.get_rating_display()}"


class Opinion(models.Model):
    """The community Party organization's opinion on a resident unit, asked in every assessment of
    the unit (seed 000: “都要征询社区党组织的意见”); without it the unit's assessment cannot close."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="opinions")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", on_delete=models.PROTECT,
                             related_name="assessment_opinions")
    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField("社区意见等次", max_length=10, choices=Rating.choices)
    opinion = models.TextField("社区党组织意见", max_length=1000)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField("填写时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社区党组织意见"
        verbose_name_plural = "社区党组织意见"
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"], name="assessment_opinion_once")]

    def __str__(self) -> str:
        return f"{self.unit}：{self.get_rating_display()}"


# ---------------------------------------------------------------- 准入制 (work entering a community)

class AdmittedItem(models.Model):
    """The catalogue of work that may enter a community, with its funding standard (费随事转)."""

    region = models.ForeignKey("regions.Region", verbose_name="发布单位（区县）", on_delete=models.PROTECT,
                               related_name="admitted_items")
    name = models.CharField("准入事项", max_length=120)
    department = models.CharField("主管部门", max_length=80)
    funding = models.DecimalField("经费标准（元/年）", max_digits=12, decimal_places=2)
    basis = models.CharField("依据", max_length=200, blank=True)
    active = models.BooleanField("有效", default=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社区工作准入事项"
        verbose_name_plural = "社区工作准入事项"
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    PENDING = "pending", "待社区确认"
    ACCEPTED = "accepted", "已接受"
    REFUSED = "refused", "已拒绝"


class Contract(models.Model):
    """An entrustment contract from a department to a community (委托合同: task, quality, standard,
    deadline, funds); the community accepts it or refuses it with a reason."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="entrustment_contracts")
    department = models.CharField("委托部门", max_length=80)
    item = models.ForeignKey(AdmittedItem, verbose_name="准入事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="contracts")
    task = models.CharField("委托任务", max_length=200)
    quality = models.CharField("质量要求", max_length=300)
    standard = models.CharField("完成标准", max_length=300)
    deadline = models.DateField("完成期限")
    funds = models.DecimalField("委托经费（元）", max_digits=12, decimal_places=2)
    funds_paid = models.DecimalField("已拨付经费（元）", max_digits=12, decimal_places=2, default=0)
    attachment = models.FileField("合同文本", upload_to="assessment/contracts/%Y/", blank=True)
    status = models.CharField("状态", max_length=10, choices=ContractStatus.choices, default=ContractStatus.PENDING,
                              db_index=True)
    reason = models.CharField("拒绝理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "委托合同"
        verbose_name_plural = "委托合同"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department}：{self.task}"


class Refusal(models.Model):
    """Work that arrived without a contract, refused by the community in one step (and recorded)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="work_refusals")
    department = models.CharField("部门", max_length=80)
    work = models.CharField("工作事项", max_length=200)
    date = models.DateField("日期")
    refused_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="拒绝人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "无合同工作拒绝记录"
        verbose_name_plural = "无合同工作拒绝记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.department}：{self.work}"


class DelegatedPower(models.Model):
    """An approval power delegated to a street (seed 002: 下放100余项服务事项审批权限)."""

    region = models.ForeignKey("regions.Region", verbose_name="街道（镇）", on_delete=models.PROTECT,
                               related_name="delegated_powers")
    name = models.CharField("审批事项", max_length=120)
    department = models.CharField("原审批部门", max_length=80)
    since = models.DateField("下放日期")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "下放审批权限"
        verbose_name_plural = "下放审批权限"
        ordering = ["region__path", "department", "name"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- campaigns (创建评选) and the organization's record

class CampaignKind(models.TextChoices):
    FIVE_GOOD = "five_good", "“五个好”社区党组织创建"
    BRAND = "brand", "“一社一品”党建品牌"
    CONTEST = "contest", "党建工作大比武"
    MODEL = "model", "党建工作示范社区评选"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "申报中"
    REVIEW = "review", "评审中"
    CLOSED = "closed", "已评定"


class Campaign(models.Model):
    """A district's creation or selection campaign (seed 000: 五个好; seed 002: 党建工作大比武 and
    一社一品): criteria as data, entries by the Party organizations of the district, rated by the
    district and the best awarded (the award goes on the organization's record)."""

    region = models.ForeignKey("regions.Region", verbose_name="组织单位（区县）", on_delete=models.PROTECT,
                               related_name="campaigns")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=10, choices=CampaignKind.choices)
    title = models.CharField("名称", max_length=120)
    description = models.TextField("活动要求", max_length=3000, blank=True)
    org_level = models.CharField("参评党组织", max_length=16, default="community",
                                 help_text="orgs.OrgLevel：community（社区党组织）、compound（小区党支部）等")
    entry_deadline = models.DateField("申报截止日期")
    award_title = models.CharField("授予称号", max_length=60)
    award_quota = models.PositiveSmallIntegerField("评选名额")
    status = models.CharField("状态", max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("评定时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "创建评选活动"
        verbose_name_plural = "创建评选活动"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One criterion of a campaign with its weight (the weights sum to 100 when the campaign opens)."""

    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("评选标准", max_length=80)
    description = models.CharField("说明", max_length=300, blank=True)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "评选标准"
        verbose_name_plural = "评选标准"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", "已申报"
    RATED = "rated", "已评分"
    AWARDED = "awarded", "已获评"
    NOT_AWARDED = "not_awarded", "未获评"


class Entry(models.Model):
    """A Party organization's entry (申报) to a campaign: what it did or its brand, with evidence."""

    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="entries")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="申报党组织", on_delete=models.PROTECT,
                            related_name="campaign_entries")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT,
                               related_name="campaign_entries")
    title = models.CharField("申报题目（品牌名称）", max_length=120)
    summary = models.TextField("创建情况", max_length=3000)
    status = models.CharField("状态", max_length=12, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED,
                              db_index=True)
    total = models.DecimalField("评审得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_note = models.CharField("评审意见", max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("申报时间", auto_now_add=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评审人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "评选申报"
        verbose_name_plural = "评选申报"
        ordering = ["-total", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="assessment_entry_once")]

    def __str__(self) -> str:
        return f"{self.org}：{self.title}"


class EntryScore(models.Model):
    entry = models.ForeignKey(Entry, verbose_name="评选申报", on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name="评选标准", on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField("得分", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "评选得分"
        verbose_name_plural = "评选得分"
        ordering = ["criterion__order", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "criterion"], name="assessment_entry_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion} {self.value}"


class HonorKind(models.TextChoices):
    AWARD = "award", "表彰"
    CRITICISM = "criticism", "通报批评"


class Honor(models.Model):
    """An award or a criticism on a Party organization's record (shown on the organization's page):
    from a campaign's award, or recorded directly by the district or street."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="honors")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT,
                               related_name="org_honors")
    kind = models.CharField("类别", max_length=10, choices=HonorKind.choices)
    title = models.CharField("称号或事由", max_length=120)
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("日期")
    conferred_by = models.CharField("授予（通报）单位", max_length=80)
    basis = models.CharField("依据", max_length=300, blank=True)
    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="honors")
    entry = models.OneToOneField(Entry, verbose_name="评选申报", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="honor")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "党组织表彰与批评"
        verbose_name_plural = "党组织表彰与批评"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"
