"""Organizational life of Party organizations: 三会一课 and 主题党日 sessions with attendance per
member, their cadences as data per organizational form, and the missed periods flagged."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from core.crypto import EncryptedCharField
from core.storage import PrivateStorage
from orgs.models import OrgForm

private_storage = PrivateStorage()


def session_photo_path(instance, filename: str) -> str:
    return f"orglife/sessions/{uuid.uuid4().hex}.jpg"


class SessionKind(models.TextChoices):
    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE = "committee", "支委会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"


class CadenceRule(models.Model):
    """How often an organization of a form must hold a kind of session (0: not required)."""

    org_form = models.CharField("组织形式", max_length=20, choices=OrgForm.choices)
    kind = models.CharField("组织生活类别", max_length=20, choices=SessionKind.choices)
    months = models.PositiveSmallIntegerField("周期（月）", default=1, help_text="0 表示不作要求")
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织生活频次规则"
        verbose_name_plural = "组织生活频次规则"
        ordering = ["org_form", "id"]
        constraints = [models.UniqueConstraint(fields=["org_form", "kind"], name="orglife_cadence_form_kind")]

    def __str__(self) -> str:
        return f"{self.get_org_form_display()}{self.get_kind_display()}"

    @property
    def cadence_label(self) -> str:
        return {0: "不作要求", 1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}.get(self.months,
                                                                                 f"每 {self.months} 个月")


# (form, kind, months, basis): 《中国共产党支部工作条例（试行）》.
_BRANCH = [
    (SessionKind.ASSEMBLY, 3, "党员大会一般每季度召开 1 次"),
    (SessionKind.COMMITTEE, 1, "支部委员会会议一般每月召开 1 次"),
    (SessionKind.LECTURE, 3, "党课每季度至少 1 次"),
    (SessionKind.THEME_DAY, 1, "每月相对固定 1 天开展主题党日"),
]
DEFAULT_CADENCES = (
    [(OrgForm.BRANCH, k, m, n) for k, m, n in _BRANCH]
    + [(OrgForm.GENERAL_BRANCH, k, m, n) for k, m, n in _BRANCH]
    + [(OrgForm.GROUP, SessionKind.GROUP, 1, "党小组会一般每月召开 1 次")]
)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "已安排"
    HELD = "held", "已召开"


class Session(models.Model):
    """One session of 三会一课 or a 主题党日 of a Party organization."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT,
                            related_name="orglife_sessions")
    kind = models.CharField("类别", max_length=20, choices=SessionKind.choices)
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    online = models.BooleanField("线上召开", default=False)
    topic = models.CharField("主题", max_length=150)
    host_name = models.CharField("主持人", max_length=50)
    lecturer = models.CharField("授课人", max_length=50, blank=True)
    recorder_name = models.CharField("记录人", max_length=50, blank=True)
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("决议", blank=True)
    status = models.CharField("状态", max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "组织生活"
        verbose_name_plural = "组织生活"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "kind", "date"], name="orglife_session_org_kind_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    @property
    def held(self) -> bool:
        return self.status == SessionStatus.HELD


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "现场参加"
    ONLINE = "online", "线上参加"
    EXCUSED = "excused", "请假"
    ABSENT = "absent", "缺席"


ATTENDED = [AttendanceStatus.PRESENT, AttendanceStatus.ONLINE]


class SessionAttendance(models.Model):
    """Whether a member attended. A mobile member appears at the organization they flowed out from
    (usually online) and at the one they flowed into (on site); both organizations see the row."""

    session = models.ForeignKey(Session, verbose_name="组织生活", on_delete=models.CASCADE,
                                related_name="attendances")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="orglife_attendances")
    status = models.CharField("参加情况", max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField("请假事由", max_length=200, blank=True)
    inflow = models.BooleanField("流入党员", default=False, help_text="在流入地党组织参加")

    class Meta:
        verbose_name = "参加情况"
        verbose_name_plural = "参加情况"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="orglife_attendance_once")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.status}"


class SessionPhoto(models.Model):
    session = models.ForeignKey(Session, verbose_name="组织生活", on_delete=models.CASCADE, related_name="photos")
    photo = models.FileField("照片", upload_to=session_photo_path, storage=private_storage, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "组织生活照片"
        verbose_name_plural = "组织生活照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id}:照片{self.pk}"


class CadenceFlag(models.Model):
    """A period in which an organization held no session of a required kind (flagged once)."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.CASCADE,
                            related_name="orglife_flags")
    kind = models.CharField("类别", max_length=20, choices=SessionKind.choices)
    period_key = models.CharField("周期", max_length=10)
    period_label = models.CharField("周期名称", max_length=40)
    flagged_at = models.DateTimeField("提醒时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "组织生活缺项"
        verbose_name_plural = "组织生活缺项"
        ordering = ["-flagged_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "kind", "period_key"], name="orglife_flag_once")]

    def __str__(self) -> str:
        return f"{self.org}：{self.period_label}未开展{self.get_kind_display()}"


# --- 发展党员: the pipeline ---------------------------------------------------------------------------

class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


STAGES = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL]
STAGE_DATE = {Stage.APPLICANT: "applied_on", Stage.ACTIVIST: "activist_on", Stage.CANDIDATE: "candidate_on",
              Stage.PROBATIONARY: "probationary_on", Stage.FULL: "full_on"}


class StageRule(models.Model):
    """What entering a stage needs: the documents, and how long the person must have spent in the
    stage before (rules as data; defaults from 《中国共产党发展党员工作细则》)."""

    stage = models.CharField("进入阶段", max_length=20, choices=Stage.choices, unique=True)
    min_months = models.PositiveSmallIntegerField("上一阶段至少（月）", default=0)
    documents = models.TextField("所需材料", blank=True, help_text="每行一项")
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "发展党员规则"
        verbose_name_plural = "发展党员规则"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_stage_display()

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


DEFAULT_STAGE_RULES = [
    (Stage.ACTIVIST, 0, ["入党申请书", "党组织派人谈话记录", "支委会研究确定积极分子的记录"],
     "递交入党申请书后，党组织一个月内派人谈话，经支委会研究确定为入党积极分子"),
    (Stage.CANDIDATE, 12, ["两名培养联系人意见", "培养教育考察登记表", "党员和群众意见"],
     "经过一年以上培养教育和考察，支委会研究同意列为发展对象"),
    (Stage.PROBATIONARY, 0, ["政治审查结论", "短期集中培训结业证明", "入党志愿书", "支部大会接收决议",
                             "上级党委审批意见", "入党宣誓记录"],
     "政治审查、集中培训、支部大会讨论、上级党委审批后，成为预备党员并进行入党宣誓"),
    (Stage.FULL, 12, ["转正申请书", "支部大会转正决议", "上级党委审批意见"],
     "预备期为一年，期满经支部大会讨论、上级党委审批转正"),
]


class Applicant(models.Model):
    """A person on the way into the Party, from the application to 转正 (then a registry member)."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    birth_date = models.DateField("出生日期")
    id_number = EncryptedCharField("身份证号", max_length=18, hash_field="id_number_hash", hash_purpose="id_number",
                                   normalizer="core.idnumber.normalize_id_number")
    id_number_hash = models.CharField(max_length=64, null=True, editable=False)
    occupation = models.CharField("职业", max_length=50, blank=True)
    social_org = models.CharField("所在社会组织（负责人）", max_length=120, blank=True,
                                  help_text="社会组织负责人入党时填写其社会组织名称")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name="培养党组织", on_delete=models.PROTECT,
                            related_name="applicants")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.APPLICANT, db_index=True)
    applied_on = models.DateField("递交申请日期")
    activist_on = models.DateField("确定为积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("列为发展对象日期", null=True, blank=True)
    probationary_on = models.DateField("接收为预备党员日期", null=True, blank=True)
    full_on = models.DateField("转正日期", null=True, blank=True)
    contacts = models.CharField("培养联系人", max_length=100, blank=True)
    member = models.OneToOneField("members.PartyMember", verbose_name="党员档案", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="applicant")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "发展党员"
        verbose_name_plural = "发展党员"
        ordering = ["org_id", "stage", "applied_on", "id"]
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="orglife_applicant_id_unique")]

    def __str__(self) -> str:
        return self.name

    def stage_date(self, stage: str):
        return getattr(self, STAGE_DATE[stage])

    @property
    def next_stage(self) -> str | None:
        i = STAGES.index(self.stage)
        return STAGES[i + 1] if i + 1 < len(STAGES) else None


class PipelineStep(models.Model):
    """One dated transition of an applicant (append-only), with the documents it was taken on."""

    applicant = models.ForeignKey(Applicant, verbose_name="发展对象", on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField("进入阶段", max_length=20, choices=Stage.choices)
    on = models.DateField("日期")
    documents = models.JSONField("已具备材料", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展党员记录"
        verbose_name_plural = "发展党员记录"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.applicant_id}:{self.stage}"


# --- 民主评议党员: the yearly review ------------------------------------------------------------------

class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class FollowUp(models.TextChoices):
    CORRECT = "correct", "限期改正"
    PERSUADE = "persuade", "劝其退党"
    REMOVE = "remove", "除名"


class Review(models.Model):
    """A branch's yearly 民主评议党员: self-assessment, then the branch's rating with the vote counts."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT,
                            related_name="orglife_reviews")
    year = models.PositiveSmallIntegerField("年度")
    opened_on = models.DateField("开始日期")
    closed_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="orglife_review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year} 年度民主评议党员"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class ReviewEntry(models.Model):
    review = models.ForeignKey(Review, verbose_name="评议", on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="orglife_reviews")
    self_assessment = models.TextField("个人自评", blank=True)
    rating = models.CharField("评定等次", max_length=12, choices=Rating.choices, blank=True)
    votes_excellent = models.PositiveSmallIntegerField("优秀票", default=0)
    votes_qualified = models.PositiveSmallIntegerField("合格票", default=0)
    votes_basic = models.PositiveSmallIntegerField("基本合格票", default=0)
    votes_unqualified = models.PositiveSmallIntegerField("不合格票", default=0)
    follow_up = models.CharField("组织处置", max_length=10, choices=FollowUp.choices, blank=True)
    follow_up_note = models.CharField("处置情况", max_length=300, blank=True)
    follow_up_due = models.DateField("改正期限", null=True, blank=True)

    class Meta:
        verbose_name = "评议结果"
        verbose_name_plural = "评议结果"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="orglife_review_entry_once")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.member_id}"


# --- 关爱党员: care for members (seed 000) ---------------------------------------------------------

class CareKind(models.TextChoices):
    STUDY = "study", "送学上门"
    HOLIDAY = "holiday", "节假日慰问"


class CareReason(models.TextChoices):
    OLD = "old", "年老体弱"
    SICK = "sick", "患病"
    DISABLED = "disabled", "行动不便"
    MOBILE = "mobile", "流动在外"
    HARDSHIP = "hardship", "生活困难"
    VETERAN = "veteran", "老党员"


class Holiday(models.TextChoices):
    SPRING = "spring", "春节"
    JULY_FIRST = "july1", "七一"
    MID_AUTUMN = "mid_autumn", "中秋节"
    NATIONAL = "national", "国庆节"
    CORBAN = "corban", "古尔邦节"
    RAMADAN = "ramadan", "肉孜节"
    DOUBLE_NINTH = "double_ninth", "重阳节"
    OTHER = "other", "其他"


class CareVisit(models.Model):
    """One visit of care to a member: 送学上门 (the study brought to an old, sick or mobile member) or a
    节假日慰问 (who visited, what was given and its value). The organization is the member's own."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT,
                            related_name="orglife_care_visits")
    kind = models.CharField("类别", max_length=10, choices=CareKind.choices)
    member = models.ForeignKey("members.PartyMember", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="orglife_care_visits")
    date = models.DateField("日期")
    reason = models.CharField("对象情况", max_length=10, choices=CareReason.choices)
    occasion = models.CharField("节日", max_length=15, choices=Holiday.choices, blank=True)
    visitors = models.CharField("走访人", max_length=100)
    content = models.CharField("内容", max_length=500, help_text="送学：学习内容；慰问：慰问品")
    amount = models.DecimalField("慰问金额（元）", max_digits=10, decimal_places=2, default=0)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "关爱走访"
        verbose_name_plural = "关爱走访"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "kind", "date"], name="orglife_care_org_kind_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.member_id} {self.date}"


class FundKind(models.TextChoices):
    INCOME = "income", "收入"
    PAYOUT = "payout", "资助"


class FundEntry(models.Model):
    """党员互助金: one entry of a community organization's fund (a contribution in, a grant out), with
    the balance after it. A grant larger than the balance is refused."""

    org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT,
                            related_name="orglife_fund_entries")
    kind = models.CharField("收支", max_length=10, choices=FundKind.choices)
    date = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    counterpart = models.CharField("缴纳人或单位", max_length=100, blank=True)
    member = models.ForeignKey("members.PartyMember", verbose_name="受助党员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="orglife_fund_grants")
    purpose = models.CharField("来源或用途", max_length=200)
    decided_by = models.CharField("决定依据", max_length=100, blank=True, help_text="如：支委会研究同意")
    balance = models.DecimalField("余额（元）", max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "org__region__path"

    class Meta:
        verbose_name = "党员互助金"
        verbose_name_plural = "党员互助金"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class ContactWay(models.TextChoices):
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    VIDEO = "video", "视频"
    VISIT = "visit", "上门走访"
    LETTER = "letter", "书信"


class MobilePair(models.Model):
    """结对联系: a member of the outflow organization (支部成员, a retired member, a volunteer) keeps in
    touch with a mobile member; one open pair per mobile record."""

    record = models.ForeignKey("members.MobileRecord", verbose_name="流动党员", on_delete=models.CASCADE,
                               related_name="orglife_pairs")
    contact = models.ForeignKey("members.PartyMember", verbose_name="联系党员", on_delete=models.PROTECT,
                                related_name="orglife_mobile_pairs")
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_path_field = "record__origin_org__region__path"

    class Meta:
        verbose_name = "流动党员结对联系"
        verbose_name_plural = "流动党员结对联系"
        ordering = ["-started_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=models.Q(ended_on__isnull=True),
                                               name="orglife_pair_one_open")]

    def __str__(self) -> str:
        return f"{self.contact_id} ↔ {self.record_id}"


class ContactLog(models.Model):
    """One contact of a pair: date, way, what was talked about or done, and the effect."""

    pair = models.ForeignKey(MobilePair, verbose_name="结对", on_delete=models.CASCADE, related_name="logs")
    date = models.DateField("联系日期")
    way = models.CharField("联系方式", max_length=10, choices=ContactWay.choices)
    content = models.CharField("联系内容", max_length=500)
    effect = models.CharField("效果", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.pair_id}:{self.date}"
