"""Organizational life of Party organizations: 三会一课 and 主题党日 sessions with attendance per
member, their cadences as data per organizational form, and the missed periods flagged."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

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
