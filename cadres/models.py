"""The community workforce (社区工作者队伍): the roster of the people who run communities (one record per
person, the community they serve now, dated joining, appointments, transfers and leaving), their contracts,
certificates, yearly ratings, awards, reserve and selected cadres with their tracking, the staffing quotas per
community type and the training courses with attendance and the yearly minimums. Rules (quotas, minimums) are
data with the seeds' numbers as defaults."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField
from members.models import Education, Gender

COLLEGE_AND_ABOVE = (Education.GRADUATE, Education.BACHELOR, Education.COLLEGE)


class Position(models.TextChoices):
    SECRETARY = "secretary", "党组织书记"
    DEPUTY_SECRETARY = "deputy_secretary", "党组织副书记"
    DIRECTOR = "director", "居委会主任"
    DEPUTY_DIRECTOR = "deputy_director", "居委会副主任"
    MEMBER = "member", "委员"
    PARTY_WORKER = "party_worker", "专职党务工作者"
    GRID_WORKER = "grid_worker", "网格员"
    SOCIAL_WORKER = "social_worker", "社区工作者"


class Employment(models.TextChoices):
    """国家干部 are the administrative and career posts (seed 000: 国家干部 48 人); 聘用人员 the hired and the
    public-welfare posts (55 人)."""

    ADMIN = "admin", "国家行政编制"
    CAREER = "career", "事业编制"
    HIRED = "hired", "聘用人员"
    WELFARE = "welfare", "公益性岗位"


NATIONAL = (Employment.ADMIN, Employment.CAREER)


class CadreStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    LEFT = "left", "已离职"


class Cadre(models.Model):
    """One person of the community workforce. `region` is the community served now (the last one when the
    person has left); the movements keep the history."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
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
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    member = models.ForeignKey("members.PartyMember", verbose_name="党员档案", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="cadre_records")
    region = models.ForeignKey("regions.Region", verbose_name="所在社区", on_delete=models.PROTECT,
                               related_name="cadres")
    position = models.CharField("职务", max_length=20, choices=Position.choices)
    one_shoulder = models.BooleanField("书记、主任“一肩挑”", default=False)
    two_committees = models.BooleanField("“两委”班子成员", default=False)
    branch_committee = models.BooleanField("支委成员", default=False)
    employment = models.CharField("身份类别", max_length=20, choices=Employment.choices)
    monthly_allowance = models.DecimalField("月补贴（元）", max_digits=9, decimal_places=2, default=Decimal(0))
    joined_on = models.DateField("到社区工作时间")
    status = models.CharField("状态", max_length=10, choices=CadreStatus.choices, default=CadreStatus.ACTIVE)
    left_on = models.DateField("离职日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "社区工作者"
        verbose_name_plural = "社区工作者"
        ordering = ["region__path", "position", "name", "id"]
        indexes = [models.Index(fields=["region", "status"], name="cadres_cadre_region_status")]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="cadres_cadre_id_hash_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.employment in NATIONAL

    @property
    def is_active(self) -> bool:
        return self.status == CadreStatus.ACTIVE

    def age_on(self, day) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def position_label(self) -> str:
        label = self.get_position_display()
        return f"{label}、居委会主任" if self.one_shoulder else label


class MovementKind(models.TextChoices):
    JOIN = "join", "入职"
    APPOINT = "appoint", "任职"
    TRANSFER = "transfer", "调动"
    LEAVE = "leave", "离职"
    REJOIN = "rejoin", "重新入职"


class Movement(models.Model):
    """A dated, append-only record of a cadre's joining, appointment, transfer between communities or leaving."""

    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField("类别", max_length=10, choices=MovementKind.choices)
    date = models.DateField("日期")
    from_region = models.ForeignKey("regions.Region", verbose_name="原社区", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey("regions.Region", verbose_name="新社区", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    position_before = models.CharField("原职务", max_length=40, blank=True)
    position_after = models.CharField("新职务", max_length=40, blank=True)
    document = models.CharField("文号", max_length=60, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "任职变动"
        verbose_name_plural = "任职变动"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.get_kind_display()} {self.date:%Y-%m-%d}"


class Contract(models.Model):
    """A contract period (一聘三年)."""

    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="contracts")
    start = models.DateField("起始日期")
    end = models.DateField("终止日期")
    employer = models.CharField("聘用单位", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "聘用合同"
        verbose_name_plural = "聘用合同"
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="cadres_contract_end_after_start")]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


class Certificate(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE,
                              related_name="certificates")
    name = models.CharField("证书名称", max_length=60)
    number = models.CharField("证书编号", max_length=40, blank=True)
    issued_on = models.DateField("取得日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "职业资格证书"
        verbose_name_plural = "职业资格证书"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class Appraisal(models.Model):
    """The yearly performance rating (年度考核)."""

    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="appraisals")
    year = models.PositiveSmallIntegerField("年度")
    rating = models.CharField("考核等次", max_length=20, choices=Rating.choices)
    note = models.CharField("评语", max_length=300, blank=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="cadres_appraisal_cadre_year")]

    def __str__(self) -> str:
        return f"{self.year} 年 {self.get_rating_display()}"


class Award(models.Model):
    """An award on the cadre's record (最辛苦社区干部 …)."""

    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="awards")
    title = models.CharField("荣誉名称", max_length=100)
    date = models.DateField("授予日期")
    issuer = models.CharField("授予单位", max_length=100)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "表彰奖励"
        verbose_name_plural = "表彰奖励"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class TrackKind(models.TextChoices):
    RESERVE = "reserve", "后备干部"
    SELECTED = "selected", "选派干部"


class Track(models.Model):
    """A reserve cadre (后备干部) or a cadre selected into the community (选派干部, seed 000: 选派到社区工作
    2-3 年), with the tracking notes kept below."""

    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="tracks")
    kind = models.CharField("类别", max_length=10, choices=TrackKind.choices)
    since = models.DateField("起始日期")
    until = models.DateField("截止日期", null=True, blank=True)
    origin = models.CharField("选派单位 / 培养方向", max_length=100)
    note = models.CharField("说明", max_length=300, blank=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "后备和选派干部"
        verbose_name_plural = "后备和选派干部"
        ordering = ["-since", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.cadre.name}"


class TrackNote(models.Model):
    track = models.ForeignKey(Track, verbose_name="后备/选派", on_delete=models.CASCADE, related_name="notes")
    date = models.DateField("日期")
    text = models.CharField("跟踪记录", max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "track__cadre__region__path"

    class Meta:
        verbose_name = "跟踪记录"
        verbose_name_plural = "跟踪记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


# ----------------------------------------------------------------------------------------- quotas

class StaffingQuota(models.Model):
    """The staffing a community of a type must have (seed 000: 县城所在镇社区国家行政编制不少于 2 名，事业编制
    不少于 7 名，社会公益性岗位不少于 12 名；建制镇社区 1 / 4 / 8), the least head count and the residents one
    grid worker serves at most. The type is the stewardship's community type."""

    community_type = models.CharField("社区类型", max_length=20, unique=True)
    min_admin = models.PositiveSmallIntegerField("国家行政编制不少于（名）", default=0)
    min_career = models.PositiveSmallIntegerField("事业编制不少于（名）", default=0)
    min_welfare = models.PositiveSmallIntegerField("公益性岗位不少于（名）", default=0)
    min_staff = models.PositiveSmallIntegerField("工作人员不少于（名）", default=10)
    residents_per_grid_worker = models.PositiveIntegerField("每名网格员服务居民不超过（人）", default=500)
    basis = models.CharField("依据", max_length=300, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "社区人员配备标准"
        verbose_name_plural = "社区人员配备标准"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.community_type} 人员配备标准"


DEFAULT_QUOTAS = [  # (type, admin, career, welfare, staff, residents per grid worker, basis)
    ("county_seat", 2, 7, 12, 10, 500,
     "县城所在镇社区国家行政编制不少于2名，事业编制不少于7名，社会公益性岗位不少于12名"),
    ("town", 1, 4, 8, 10, 500, "建制镇社区国家行政编制不少于1名，事业编制不少于4名，公益性岗位不少于8名"),
    ("city", 0, 0, 0, 10, 500, "每个社区工作人员不少于10名，每名网格员服务居民不超过500人"),
]


# --------------------------------------------------------------------------------------- training

class CourseKind(models.TextChoices):
    COUNTY_SCHOOL = "county_school", "县委党校集中培训"
    TOWN_SCHOOL = "town_school", "镇党校集中培训"
    ONLINE = "online", "网络培训"
    ON_JOB = "on_job", "岗位培训"


class Course(models.Model):
    """A training course, organised at a node of the tree (the county's Party school, a town, a street)."""

    title = models.CharField("培训名称", max_length=120)
    kind = models.CharField("培训类别", max_length=20, choices=CourseKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="举办层级", on_delete=models.PROTECT,
                               related_name="cadre_courses")
    organizer = models.CharField("举办单位", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    days = models.DecimalField("培训天数", max_digits=5, decimal_places=1)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, default=Decimal(0))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="cadres_course_end_after_start")]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A cadre's attendance of a course: the days and hours actually attended."""

    course = models.ForeignKey(Course, verbose_name="培训班", on_delete=models.CASCADE, related_name="attendances")
    cadre = models.ForeignKey(Cadre, verbose_name="社区工作者", on_delete=models.CASCADE, related_name="attendances")
    days = models.DecimalField("参训天数", max_digits=5, decimal_places=1)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, default=Decimal(0))
    passed = models.BooleanField("结业", default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "cadre__region__path"

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["-course__start", "-id"]
        constraints = [models.UniqueConstraint(fields=["course", "cadre"], name="cadres_attendance_course_cadre")]

    def __str__(self) -> str:
        return f"{self.cadre.name}：{self.course.title}"


class TrainingMinimum(models.Model):
    """A yearly training minimum by course kind (seed 000: 每年在县党校集中培训不少于 1 次，每次不少于 20 天；
    在镇党校集中培训不少于 2 次，每次不少于 10 天)."""

    kind = models.CharField("培训类别", max_length=20, choices=CourseKind.choices, unique=True)
    min_sessions = models.PositiveSmallIntegerField("每年不少于（次）", default=1)
    min_days = models.DecimalField("每年累计不少于（天）", max_digits=5, decimal_places=1)
    basis = models.CharField("依据", max_length=300, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "年度培训要求"
        verbose_name_plural = "年度培训要求"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}每年不少于 {self.min_sessions} 次、{self.min_days:.0f} 天"


DEFAULT_MINIMUMS = [
    (CourseKind.COUNTY_SCHOOL, 1, Decimal(20), "社区干部每年在县党校集中培训不少于1次，每次不少于20天"),
    (CourseKind.TOWN_SCHOOL, 2, Decimal(20), "在镇党校集中培训不少于2次，每次不少于10天"),
]
