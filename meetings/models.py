"""Steering bodies and their meetings (三会): bodies with members, cadences as data, a rotating
chair, meetings with invitations, attendance, minutes and resolutions."""

from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone


def _now() -> datetime:
    return timezone.now()


class BodyKind(models.TextChoices):
    STEERING = "steering", "社区大党建指导委员会"
    COORDINATION = "coordination", "社区党建协调委员会"
    JOINT = "joint", "社区党建联席会"
    LEADER_LIAISON = "leader_liaison", "县领导联系社区督导"
    MEMBER_COUNCIL = "member_council", "党员议事会"
    DELIBERATION = "deliberation", "1+N 协商议事会"


class CadenceRule(models.Model):
    """How often a kind of body must meet (rules as data; defaults from seed 000)."""

    body_kind = models.CharField("机构类别", max_length=20, choices=BodyKind.choices, unique=True)
    months = models.PositiveSmallIntegerField("周期（月）", default=0, help_text="0 表示不定期")
    year_end = models.BooleanField("在年底召开", default=False)
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "会议频次规则"
        verbose_name_plural = "会议频次规则"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_body_kind_display()

    @property
    def cadence_label(self) -> str:
        named = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年年底" if self.year_end else "每年"}
        if not self.months:
            return "不定期"
        return named.get(self.months, f"每 {self.months} 个月")


# (kind, months, at year end, basis) — seed 000, 3621 model.
DEFAULT_CADENCES = [
    (BodyKind.STEERING, 12, True, "每年年底召开一次，通报、表彰全年共驻共建情况"),
    (BodyKind.COORDINATION, 6, False, "由镇党委牵头，每半年召开一次"),
    (BodyKind.JOINT, 1, False, "由社区党组织牵头，原则上每月一次，也可临时召开"),
    (BodyKind.LEADER_LIAISON, 3, False, "联系社区县领导每季度督查指导一次"),
    (BodyKind.MEMBER_COUNCIL, 0, False, "按需召开"),
    (BodyKind.DELIBERATION, 0, False, "按需召开"),
]


class Body(models.Model):
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类别", max_length=20, choices=BodyKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT,
                               related_name="meeting_bodies")
    secretary = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="秘书（负责召集）", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    rotating_chair = models.BooleanField("轮值会长制", default=False)
    since = models.DateField("设立日期")
    active = models.BooleanField("启用", default=True)
    last_alert_period = models.CharField("最近提醒周期", max_length=10, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "议事机构"
        verbose_name_plural = "议事机构"
        ordering = ["region__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    body = models.ForeignKey(Body, verbose_name="议事机构", on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="成员单位", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="body_memberships")
    person_name = models.CharField("成员姓名", max_length=50, blank=True)
    title = models.CharField("职务", max_length=50, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "成员"
        verbose_name_plural = "成员"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["body", "unit"], condition=models.Q(unit__isnull=False),
                                               name="meetings_member_body_unit")]

    def __str__(self) -> str:
        return str(self.unit) if self.unit_id else self.person_name


class ChairTurn(models.Model):
    """One period of the rotating chair schedule (轮值会长制)."""

    body = models.ForeignKey(Body, verbose_name="议事机构", on_delete=models.CASCADE, related_name="chair_turns")
    start = models.DateField("开始")
    end = models.DateField("结束")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="轮值单位", on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        verbose_name = "轮值安排"
        verbose_name_plural = "轮值安排"
        ordering = ["start"]
        constraints = [models.UniqueConstraint(fields=["body", "start"], name="meetings_chair_body_start")]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m} {self.unit}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "已安排"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    body = models.ForeignKey(Body, verbose_name="议事机构", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField("会议名称", max_length=150)
    date = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    ad_hoc = models.BooleanField("临时召开", default=False)
    chair_unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="轮值会长单位", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    status = models.CharField("状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "body__region__path"

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def starts_at(self) -> datetime:
        """When the meeting starts (aware, local time); a meeting without a start time counts from
        the beginning of its day."""
        return timezone.make_aware(datetime.combine(self.date, self.start_time or time(0, 0)))

    @property
    def cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def editable(self) -> bool:
        """Scheduled and not started: it may still be edited or cancelled."""
        return self.status == MeetingStatus.PLANNED and not self.started

    @property
    def started(self) -> bool:
        return self.status == MeetingStatus.HELD or _now() >= self.starts_at


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "已邀请"
    PRESENT = "present", "出席"
    EXCUSED = "excused", "请假"
    ABSENT = "absent", "无故缺席"


class AttendanceReply(models.TextChoices):
    """A unit's reply to the invitation (回执), given by its liaison before the meeting starts."""

    ATTEND = "attend", "参加"
    LEAVE = "leave", "请假"


class Attendance(models.Model):
    """An invitation, the invitee's reply (回执) before the meeting, and, once the meeting is held,
    whether the invitee came (recorded by the community)."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendances")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="单位", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="meeting_attendances")
    person_name = models.CharField("参会人", max_length=50, blank=True)
    status = models.CharField("出席情况", max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.INVITED)
    reply = models.CharField("回执", max_length=10, choices=AttendanceReply.choices, blank=True)
    reply_name = models.CharField("参会人员", max_length=50, blank=True)
    reply_reason = models.CharField("请假事由", max_length=200, blank=True)
    replied_at = models.DateTimeField("回执时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回执人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # When the unit's liaison was reminded to reply (once per invitation; services.reply_reminders).
    reminded_at = models.DateTimeField("回执提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "邀请与出席"
        verbose_name_plural = "邀请与出席"
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.unit) if self.unit_id else self.person_name


class ResolutionKind(models.TextChoices):
    PROJECT = "project", "共建项目"
    TASK = "task", "工作任务"


class Resolution(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="resolutions")
    text = models.CharField("决议事项", max_length=300)
    kind = models.CharField("落实方式", max_length=10, choices=ResolutionKind.choices, default=ResolutionKind.TASK)
    owner_name = models.CharField("责任人", max_length=50)
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="承办单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="meeting_resolutions")
    deadline = models.DateField("完成期限")
    project = models.ForeignKey("cobuild.Project", verbose_name="共建项目", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    done = models.BooleanField("已落实", default=False)

    class Meta:
        verbose_name = "决议"
        verbose_name_plural = "决议"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
