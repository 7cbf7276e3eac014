"""Co-building with resident units (共驻共建): units, agreements and their three lists, deeds and
the ledger, pairings, chronicle, public criticisms and the star board, with the yearly rules as data."""

from django.conf import settings
from django.db import models


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", "党政机关"
    INSTITUTION = "institution", "事业单位"
    STATE_FIRM = "state_firm", "国有企业"
    PRIVATE_FIRM = "private_firm", "非公有制企业"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    SOCIAL_ORG = "social_org", "社会组织"
    OTHER = "other", "其他"


class Activity(models.TextChoices):
    """The six co-building activities of the 3621 model (seed 000)."""

    PARTY = "party", "党建联创"
    IDEAS = "ideas", "思想联做"
    SERVICE = "service", "服务联办"
    SECURITY = "security", "治安联防"
    ENVIRONMENT = "environment", "环境卫生联抓"
    CULTURE = "culture", "文体活动联营"


class ResourceKind(models.TextChoices):
    VENUE = "venue", "场地"
    FUNDS = "funds", "资金"
    SKILL = "skill", "技能"
    VOLUNTEER = "volunteer", "志愿者"
    JOB = "job", "就业岗位"


class CobuildRules(models.Model):
    """The yearly rules (one row; defaults are the seeds' numbers). Edited by the district admin.
    The 双报到 members' deed quota is not here: it is one rule of the members app
    (`members.selectors.deed_quota`)."""

    min_unit_deeds = models.PositiveSmallIntegerField("每个驻区单位每年至少实事（件）", default=1)
    min_team_services = models.PositiveSmallIntegerField("每支单位志愿服务队每年至少服务（次）", default=2)
    weight_deeds = models.PositiveSmallIntegerField("星级权重：实事（%）", default=40)
    weight_projects = models.PositiveSmallIntegerField("星级权重：完成项目（%）", default=20)
    weight_attendance = models.PositiveSmallIntegerField("星级权重：会议出席（%）", default=20)
    weight_rating = models.PositiveSmallIntegerField("星级权重：群众评价（%）", default=20)
    deeds_full_marks = models.PositiveSmallIntegerField("实事满分件数", default=6)
    projects_full_marks = models.PositiveSmallIntegerField("完成项目满分个数", default=2)
    star2_from = models.PositiveSmallIntegerField("二星最低得分", default=20)
    star3_from = models.PositiveSmallIntegerField("三星最低得分", default=40)
    star4_from = models.PositiveSmallIntegerField("四星最低得分", default=60)
    star5_from = models.PositiveSmallIntegerField("五星最低得分", default=80)
    criticisms_disqualify = models.PositiveSmallIntegerField("年度通报批评达到（次）取消评先资格", default=2)
    assessment_weight = models.PositiveSmallIntegerField("共驻共建在党建考核中的分值占比（%）", default=20)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "共驻共建规则"
        verbose_name_plural = "共驻共建规则"

    def __str__(self) -> str:
        return "共驻共建规则"


class ResidentUnitQuerySet(models.QuerySet):
    def serving(self, path: str) -> "ResidentUnitQuerySet":
        """Units with an agreement signed at a node under `path` (a community or street they
        serve), or located under it; each unit once."""
        from core.treepaths import under

        ids = Agreement.objects.filter(under("region__path", path)).values("unit_id")
        return self.filter(under("region__path", path) | models.Q(pk__in=ids))

    def serving_any(self, paths: list[str]) -> "ResidentUnitQuerySet":
        from core.treepaths import under_any

        if not paths:
            return self.none()
        ids = Agreement.objects.filter(under_any("region__path", paths)).values("unit_id")
        return self.filter(under_any("region__path", paths) | models.Q(pk__in=ids))


class ResidentUnit(models.Model):
    """A resident organization (驻区单位): one record per real organization, located somewhere
    (`region`: a community, a street or the county), serving the communities it has agreements
    with. Everything community-specific (needs, resources, deeds, projects, pairings, criticisms,
    star ratings) carries its community explicitly."""

    name = models.CharField("单位名称", max_length=120)
    kind = models.CharField("单位类别", max_length=20, choices=UnitKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所在地", on_delete=models.PROTECT,
                               related_name="resident_units",
                               help_text="单位所在的社区、街道（镇）或县；所服务的社区以共建协议为准")
    party_org = models.ForeignKey("orgs.PartyOrg", verbose_name="单位党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="resident_units")
    leader_name = models.CharField("单位负责人", max_length=50, blank=True)
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="联络员账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="liaison_units")
    has_volunteer_team = models.BooleanField("有志愿服务队", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ResidentUnitQuerySet.as_manager()

    scope_path_field = "region__path"  # where it is located; cobuild.selectors.units adds the communities served

    class Meta:
        verbose_name = "驻区单位"
        verbose_name_plural = "驻区单位"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="cobuild_unit_name")]

    def __str__(self) -> str:
        return self.name

    def serves(self, path: str) -> bool:
        """Does the unit serve (by agreement) or sit at a node under `path`?"""
        from core.treepaths import is_under, under

        if self.region_id and is_under(self.region.path, path):
            return True
        return self.agreements.filter(under("region__path", path)).exists()

    def communities(self):
        """The communities (or streets) the unit has agreements with, each once, in tree order."""
        from regions.models import Region

        return Region.objects.filter(pk__in=self.agreements.values("region_id")).select_related("parent") \
            .order_by("path")


class Agreement(models.Model):
    """A co-building agreement between a community (or street) and a unit."""

    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", on_delete=models.PROTECT, related_name="agreements")
    region = models.ForeignKey("regions.Region", verbose_name="签约社区（街道）", on_delete=models.PROTECT,
                               related_name="cobuild_agreements")
    title = models.CharField("协议名称", max_length=150)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    activities = models.JSONField("共建活动", default=list)
    document = models.FileField("签字盖章文本", upload_to="cobuild/agreements/%Y/", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "共建协议"
        verbose_name_plural = "共建协议"
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_labels(self) -> list[str]:
        labels = dict(Activity.choices)
        return [labels[a] for a in self.activities if a in labels]


class NeedStatus(models.TextChoices):
    OPEN = "open", "待对接"
    MATCHED = "matched", "已对接"


class Need(models.Model):
    """An item of the community's needs list (需求清单)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="cobuild_needs")
    agreement = models.ForeignKey(Agreement, verbose_name="所属协议", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="needs")
    kind = models.CharField("需求类别", max_length=16, choices=ResourceKind.choices)
    title = models.CharField("需求", max_length=150)
    quantity = models.PositiveIntegerField("需要数量", default=1)
    description = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "需求清单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """An item of a unit's resources list (资源清单)."""

    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", on_delete=models.CASCADE, related_name="resources")
    region = models.ForeignKey("regions.Region", verbose_name="服务社区", on_delete=models.PROTECT,
                               related_name="cobuild_resources")
    agreement = models.ForeignKey(Agreement, verbose_name="所属协议", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="resources")
    kind = models.CharField("资源类别", max_length=16, choices=ResourceKind.choices)
    title = models.CharField("资源", max_length=150)
    capacity = models.IntegerField("可提供数量", default=1)
    availability = models.CharField("可用时间", max_length=100, blank=True)
    available = models.BooleanField("可用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源清单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.unit}）"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "实施中"
    DONE = "done", "已完成"


class Project(models.Model):
    """An item of the projects list (项目清单): a matched need, or a meeting's resolution."""

    region = models.ForeignKey("regions.Region", verbose_name="社区（街道）", on_delete=models.PROTECT,
                               related_name="cobuild_projects")
    unit = models.ForeignKey(ResidentUnit, verbose_name="承办单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="projects")
    need = models.OneToOneField(Need, verbose_name="对应需求", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="project")
    resource = models.ForeignKey(Resource, verbose_name="使用资源", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="projects")
    agreement = models.ForeignKey(Agreement, verbose_name="所属协议", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="projects")
    title = models.CharField("项目名称", max_length=150)
    owner_name = models.CharField("负责人", max_length=50)
    deadline = models.DateField("完成期限")
    budget = models.DecimalField("预算（元）", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    done_on = models.DateField("完成日期", null=True, blank=True)
    source_type = models.CharField("来源类型", max_length=50, blank=True)
    source_id = models.CharField("来源编号", max_length=50, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目清单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Deed(models.Model):
    """One activity or good deed of a unit, entered in the ledger (台帐)."""

    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", on_delete=models.PROTECT, related_name="deeds")
    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="cobuild_deeds")
    project = models.ForeignKey(Project, verbose_name="所属项目", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deeds")
    activity = models.CharField("活动类别", max_length=16, choices=Activity.choices)
    date = models.DateField("日期", db_index=True)
    title = models.CharField("实事内容", max_length=150)
    description = models.TextField("详细情况", blank=True)
    beneficiaries = models.PositiveIntegerField("受益群众（人）", default=0)
    hours = models.DecimalField("志愿服务时长（小时）", max_digits=8, decimal_places=1, default=0)
    money = models.DecimalField("投入资金（元）", max_digits=12, decimal_places=2, default=0)
    team_service = models.BooleanField("志愿服务队服务", default=False)
    rating = models.DecimalField("群众评价（1-5）", max_digits=3, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "实事"
        verbose_name_plural = "共驻共建台帐"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="cobuild_deed_unit_date")]

    def __str__(self) -> str:
        return self.title


class DeedMember(models.Model):
    """A Party member who took part in a deed (a soft reference to members.PartyMember)."""

    deed = models.ForeignKey(Deed, verbose_name="实事", on_delete=models.CASCADE, related_name="participants")
    member_id = models.BigIntegerField("党员编号", null=True, blank=True, db_index=True)
    name = models.CharField("党员姓名", max_length=50)
    hours = models.DecimalField("服务时长（小时）", max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = "参与党员"
        verbose_name_plural = "参与党员"

    def __str__(self) -> str:
        return self.name


class DeedPhoto(models.Model):
    deed = models.ForeignKey(Deed, verbose_name="实事", on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="cobuild/deeds/%Y/")

    class Meta:
        verbose_name = "实事照片"
        verbose_name_plural = "实事照片"

    def __str__(self) -> str:
        return self.image.name


class Pairing(models.Model):
    """One-to-one pairing of a member with a household in hardship (结对帮扶)."""

    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                               related_name="cobuild_pairings")
    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="pairings")
    member_id = models.BigIntegerField("党员编号", null=True, blank=True)
    member_name = models.CharField("党员", max_length=50)
    household = models.CharField("困难户户主", max_length=50)
    hardship = models.CharField("困难类别", max_length=50)
    since = models.DateField("结对日期")

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["-since", "-id"]

    def __str__(self) -> str:
        return f"{self.member_name}—{self.household}"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, verbose_name="结对", on_delete=models.CASCADE, related_name="visits")
    date = models.DateField("走访日期")
    note = models.CharField("走访情况", max_length=300)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class ChronicleEntry(models.Model):
    """A line of the chronicle (大事记): generated from the ledger and meetings, then editable."""

    region = models.ForeignKey("regions.Region", verbose_name="社区（街道）", on_delete=models.PROTECT,
                               related_name="cobuild_chronicle")
    date = models.DateField("日期", db_index=True)
    title = models.CharField("事件", max_length=200)
    body = models.TextField("内容", blank=True)
    source_type = models.CharField("来源", max_length=50, blank=True)
    source_id = models.CharField("来源编号", max_length=50, blank=True)
    edited = models.BooleanField("已人工修改", default=False)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "大事记"
        verbose_name_plural = "大事记"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(
            fields=["region", "source_type", "source_id"], condition=~models.Q(source_type=""),
            name="cobuild_chronicle_source")]

    def __str__(self) -> str:
        return self.title


class Criticism(models.Model):
    """A public criticism (通报批评) of a unit, e.g. for an unexcused absence from a meeting."""

    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", on_delete=models.PROTECT,
                             related_name="criticisms")
    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    reason = models.CharField("事由", max_length=300)
    leader_name = models.CharField("单位负责人", max_length=50, blank=True)
    source_type = models.CharField("来源", max_length=50, blank=True)
    source_id = models.CharField("来源编号", max_length=50, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "通报批评"
        verbose_name_plural = "通报批评"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.unit}：{self.reason}"


class StarRating(models.Model):
    """A unit's star rating in one community for one year (星光榜): computed from what it did there,
    optionally overridden with a reason. A unit serving three communities has three ratings."""

    unit = models.ForeignKey(ResidentUnit, verbose_name="驻区单位", on_delete=models.CASCADE,
                             related_name="star_ratings")
    region = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    deeds = models.PositiveIntegerField("实事（件）", default=0)
    projects_done = models.PositiveIntegerField("完成项目（个）", default=0)
    attendance_rate = models.DecimalField("会议出席率（%）", max_digits=5, decimal_places=1, null=True, blank=True)
    resident_rating = models.DecimalField("群众评价", max_digits=3, decimal_places=1, null=True, blank=True)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, default=0)
    computed_stars = models.PositiveSmallIntegerField("计算星级", default=1)
    stars = models.PositiveSmallIntegerField("星级", default=1)
    override_reason = models.CharField("调整理由", max_length=300, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    criticisms = models.PositiveSmallIntegerField("通报批评（次）", default=0)
    disqualified = models.BooleanField("取消评先资格", default=False)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "星级评定"
        verbose_name_plural = "星光榜"
        ordering = ["-stars", "-score", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "region", "year"], name="cobuild_star_unit_region_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.stars}星"
