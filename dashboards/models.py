"""Rollup tables of the leaders' dashboards (领导驾驶舱): figures per node of the tree, kept by
`dashboards.rollup` (a command and a task; see docs/dashboards.md), so that a dashboard of a city of
30,000 grids reads a few hundred rows instead of counting a million demands.

A row belongs to a node of kind district, street, community or grid (records under a compound or a
building count for their grid). Every level has its own rows, so a dashboard reads its node's rows
for the totals and its children's rows (`parent_id`) for the breakdown, never the leaves."""

from django.conf import settings
from django.db import models


class DayFigures(models.Model):
    """What happened under a node on one day. Demand figures count the demands submitted that day
    (the cohort), as the three rates of 接诉即办 do: the row changes while those demands progress."""

    region = models.ForeignKey("regions.Region", verbose_name="节点", on_delete=models.CASCADE, related_name="+")
    parent_id = models.IntegerField("上级节点", null=True, blank=True)
    day = models.DateField("日期")
    demands = models.PositiveIntegerField("新增诉求", default=0)
    responded = models.PositiveIntegerField("按时响应", default=0)
    resolved = models.PositiveIntegerField("已解决", default=0)
    rated = models.PositiveIntegerField("已评价", default=0)
    satisfied = models.PositiveIntegerField("满意", default=0)
    overdue = models.PositiveIntegerField("超期", default=0)
    escalated = models.PositiveIntegerField("升级督办", default=0)
    visits = models.PositiveIntegerField("走访", default=0)
    deeds = models.PositiveIntegerField("共建实事", default=0)
    pairings = models.PositiveIntegerField("结对", default=0)
    meetings = models.PositiveIntegerField("召开会议", default=0)

    FIGURES = ("demands", "responded", "resolved", "rated", "satisfied", "overdue", "escalated", "visits",
               "deeds", "pairings", "meetings")

    class Meta:
        verbose_name = "每日汇总"
        verbose_name_plural = "每日汇总"
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="dash_dayfig_region_day")]
        indexes = [models.Index(fields=["parent_id", "day"], name="dash_dayfig_parent_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class CategoryDay(models.Model):
    """Demands submitted under a node on one day, by category (the hot categories)."""

    region = models.ForeignKey("regions.Region", verbose_name="节点", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    category = models.ForeignKey("demands.Category", verbose_name="类别", on_delete=models.CASCADE,
                                 related_name="+")
    demands = models.PositiveIntegerField("诉求", default=0)

    class Meta:
        verbose_name = "每日分类汇总"
        verbose_name_plural = "每日分类汇总"
        constraints = [models.UniqueConstraint(fields=["region", "day", "category"], name="dash_catday_uniq")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.category_id}"


class NodeFigures(models.Model):
    """How things stand under a node at the last refresh (members, organizations, grids, open work)."""

    region = models.OneToOneField("regions.Region", verbose_name="节点", on_delete=models.CASCADE,
                                  related_name="+", primary_key=True)
    parent_id = models.IntegerField("上级节点", null=True, blank=True, db_index=True)
    members = models.PositiveIntegerField("党员", default=0)
    orgs = models.PositiveIntegerField("党组织", default=0)
    grids = models.PositiveIntegerField("网格", default=0)
    grids_staffed = models.PositiveIntegerField("配备网格员的网格", default=0)
    households = models.PositiveIntegerField("在册户", default=0)
    households_visited = models.PositiveIntegerField("近30天走访户", default=0)
    residents = models.PositiveIntegerField("实有人口", default=0)
    open_demands = models.PositiveIntegerField("未办结诉求", default=0)
    overdue_open = models.PositiveIntegerField("超期未办结", default=0)
    units = models.PositiveIntegerField("驻区单位", default=0)
    needs_open = models.PositiveIntegerField("待对接需求", default=0)
    needs_matched = models.PositiveIntegerField("已对接需求", default=0)
    stars_high = models.PositiveIntegerField("四星以上单位", default=0)
    bodies = models.PositiveIntegerField("议事机构", default=0)
    cadence_breaches = models.PositiveIntegerField("未按期开会", default=0)

    FIGURES = ("members", "orgs", "grids", "grids_staffed", "households", "households_visited", "residents",
               "open_demands", "overdue_open", "units", "needs_open", "needs_matched", "stars_high", "bodies",
               "cadence_breaches")

    class Meta:
        verbose_name = "节点现状汇总"
        verbose_name_plural = "节点现状汇总"

    def __str__(self) -> str:
        return str(self.region_id)


class RollupRun(models.Model):
    """One refresh of the rollup tables: when, how long, what (the freshness the pages show)."""

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    full = models.BooleanField("全量", default=False)
    days = models.PositiveIntegerField("重算天数", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = "汇总刷新记录"
        verbose_name_plural = "汇总刷新记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class BriefingKind(models.TextChoices):
    WEEK = "week", "周报"
    MONTH = "month", "月报"
    QUARTER = "quarter", "季报"


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已下发"


class Briefing(models.Model):
    """简报: a node's weekly, monthly or quarterly briefing, generated from the records as a draft,
    edited, then issued to the nodes one level below (each with a read receipt)."""

    region = models.ForeignKey("regions.Region", verbose_name="编发单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=BriefingKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文", max_length=20000)
    status = models.CharField("状态", max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下发人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "简报"
        verbose_name_plural = "简报"
        ordering = ["-end", "-id"]

    def __str__(self) -> str:
        return self.title


class BriefingReceipt(models.Model):
    """One node below that a briefing was issued to, and who there read it when."""

    briefing = models.ForeignKey(Briefing, verbose_name="简报", on_delete=models.CASCADE, related_name="receipts")
    region = models.ForeignKey("regions.Region", verbose_name="接收单位", on_delete=models.PROTECT, related_name="+")
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="阅读人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "简报回执"
        verbose_name_plural = "简报回执"
        ordering = ["region__path"]
        constraints = [models.UniqueConstraint(fields=["briefing", "region"], name="dash_receipt_uniq")]

    def __str__(self) -> str:
        return f"{self.briefing_id} → {self.region_id}"
