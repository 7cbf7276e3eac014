"""Every write of bodies and meetings: one transaction each, audited. Co-building records
(criticisms, projects) are written through cobuild's services, never directly."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.scope import has_perm, has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from cobuild import services as cobuild_services
from core.treepaths import is_under
from regions.models import Region

from . import selectors
from .models import (
    Attendance,
    AttendanceReply,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    CadenceRule,
    ChairTurn,
    Meeting,
    MeetingStatus,
    Resolution,
    ResolutionKind,
)
from .rules import P

log = logging.getLogger(__name__)
CRITICISM_SOURCE = "meetings.attendance"


def _today() -> date:
    return timezone.localdate()


def _text(value, field, label, *, max_len, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    return value


def _plain(value, field, label, *, max_len, required) -> str:
    """Free text typed by someone outside the community staff: no markup at all."""
    value = _text(value, field, label, max_len=max_len, required=required)
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    return value


def _require_edit(actor, path: str, what: str) -> None:
    if not has_perm_at(actor, P.EDIT, path):
        raise ValidationError(f"您没有管理{what}的权限")


@transaction.atomic
def cadence_update(*, actor, body_kind: str, months: int, year_end: bool = False) -> CadenceRule:
    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改会议频次")
    rule = selectors.cadence_rules()[body_kind]
    if months not in (0, 1, 2, 3, 4, 6, 12):
        raise ValidationError({"months": "周期应为 0（不定期）、1、2、3、4、6 或 12 个月"})
    before = snapshot(rule, ["months", "year_end"])
    rule.months, rule.year_end = months, bool(year_end) and months == 12
    rule.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=rule, changes=diff(before, snapshot(rule, ["months",
                                                                                               "year_end"])))
    return rule


@transaction.atomic
def cadences_update(*, actor, values: dict[str, tuple[int, bool]]) -> None:
    """Update several cadence rules at once: all or none."""
    for kind, (months, year_end) in values.items():
        cadence_update(actor=actor, body_kind=kind, months=months, year_end=year_end)


@transaction.atomic
def body_create(*, actor, name, kind, region: Region, secretary=None, rotating_chair=False,
                since: date | None = None) -> Body:
    _require_edit(actor, region.path, f"“{region}”的议事机构")
    if kind not in BodyKind.values:
        raise ValidationError({"kind": "请选择机构类别"})
    since = since or _today()
    body = Body.objects.create(name=_text(name, "name", "名称", max_len=120), kind=kind, region=region,
                               secretary=secretary, rotating_chair=bool(rotating_chair), since=since)
    record(actor=actor, action=AuditAction.CREATE, obj=body,
           changes=diff({}, snapshot(body, ["name", "kind", "region", "secretary", "rotating_chair"])))
    return body


def _lock_body(body: Body) -> Body:
    """Serialize the writes that match members with meetings (adding or removing a member,
    scheduling a meeting), so that no invitation is missed or made twice."""
    return Body.objects.select_for_update(of=("self",)).select_related("region").get(pk=body.pk)


def _upcoming(body: Body) -> list[Meeting]:
    """The body's meetings that are scheduled and have not started yet."""
    qs = (body.meetings.filter(status=MeetingStatus.PLANNED, date__gte=_today())
          .select_related("body", "chair_unit").order_by("date", "start_time", "id"))
    return [m for m in qs if not m.started]


def unit_community(unit, region):
    """The community a unit's record of a meeting of `region` belongs to: the region itself when
    it is a community, else the first community under it that the unit serves."""
    if region.kind == "community":
        return region
    return next((c for c in unit.communities() if c.kind == "community" and is_under(c.path, region.path)), region)


@transaction.atomic
def member_add(*, actor, body: Body, unit=None, person_name="", title="") -> BodyMember:
    """Add a member unit or person. The new member is invited to the body's meetings that are
    scheduled and have not started (a unit's liaison is notified), and is listed on the
    returned member as `invited_meetings`."""
    _require_edit(actor, body.region.path, f"“{body}”")
    person_name = _text(person_name, "person_name", "成员姓名", max_len=50, required=False)
    if unit is None and not person_name:
        raise ValidationError({"unit": "请选择成员单位或填写成员姓名"})
    body = _lock_body(body)
    if unit is not None:
        if not unit.serves(body.region.path):
            raise ValidationError({"unit": f"“{unit}”未与“{body.region}”辖区内的社区签订共建协议"})
        if body.members.filter(unit=unit).exists():
            raise ValidationError({"unit": f"“{unit}”已是成员单位"})
    order = (body.members.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    m = BodyMember.objects.create(body=body, unit=unit, person_name=person_name, order=order,
                                  title=_text(title, "title", "职务", max_len=50, required=False))
    invited = [mt for mt in _upcoming(body)
               if unit is None or not mt.attendances.filter(unit=unit).exists()]
    Attendance.objects.bulk_create([Attendance(meeting=mt, unit=unit, person_name=person_name) for mt in invited])
    changes = {"members": [None, str(m)]}
    if invited:
        changes["invited_to"] = [None, "、".join(f"{mt.date:%Y-%m-%d} {mt.title}" for mt in invited)]
    record(actor=actor, action=AuditAction.UPDATE, obj=body, changes=changes)
    if unit is not None:
        for mt in invited:
            _notify_invited(mt, [unit], actor=actor)
    m.invited_meetings = invited
    return m


@transaction.atomic
def member_remove(*, actor, member: BodyMember) -> list[Meeting]:
    """A member leaves the body: its invitations to the meetings that have not started are
    withdrawn (a unit's liaison is told which); its past invitations, replies and attendance stay.
    Returns the meetings it was withdrawn from."""
    body = member.body
    _require_edit(actor, body.region.path, f"“{body}”")
    body = _lock_body(body)
    member = BodyMember.objects.select_related("unit", "unit__liaison").filter(pk=member.pk, body=body).first()
    if member is None:
        raise ValidationError("该成员已不在本机构中，请刷新页面")
    withdrawn = []
    for mt in _upcoming(body):
        rows = mt.attendances.filter(status=AttendanceStatus.INVITED)
        if member.unit_id:
            rows = rows.filter(unit_id=member.unit_id)
        else:  # a person: one row of that name (two members may share a name)
            rows = rows.filter(unit__isnull=True, person_name=member.person_name).order_by("id")[:1]
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            Attendance.objects.filter(pk__in=ids).delete()
            withdrawn.append(mt)
    label, unit = str(member), member.unit
    member.delete()
    changes = {"members": [label, None]}
    if withdrawn:
        changes["uninvited_from"] = ["、".join(f"{mt.date:%Y-%m-%d} {mt.title}" for mt in withdrawn), None]
    record(actor=actor, action=AuditAction.UPDATE, obj=body, changes=changes)
    if unit is not None and withdrawn:
        _notify_withdrawn(body, unit, withdrawn, actor=actor)
    return withdrawn


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


@transaction.atomic
def chair_schedule_generate(*, actor, body: Body, year: int) -> list[ChairTurn]:
    """Rotate the chair among the member units, one per cadence period of `year` (monthly when
    the body has no fixed cadence), continuing after whoever chaired last."""
    _require_edit(actor, body.region.path, f"“{body}”")
    if not body.rotating_chair:
        raise ValidationError("该机构未实行轮值会长制")
    units = [m.unit for m in body.members.filter(unit__isnull=False).select_related("unit")]
    if not units:
        raise ValidationError({"unit": "请先添加成员单位，再生成轮值安排"})
    rule = selectors.cadence_rules().get(body.kind)
    months = rule.months if rule and rule.months else 1
    last = body.chair_turns.filter(start__lt=date(year, 1, 1)).order_by("-start").first()
    start_idx = (next((i for i, u in enumerate(units) if u.pk == last.unit_id), -1) + 1) if last else 0
    body.chair_turns.filter(start__year=year).delete()
    turns, d, i = [], date(year, 1, 1), start_idx
    while d.year == year:
        nxt = _add_months(d, months)
        turns.append(ChairTurn(body=body, start=d, end=nxt - timedelta(days=1), unit=units[i % len(units)]))
        d, i = nxt, i + 1
    ChairTurn.objects.bulk_create(turns)
    record(actor=actor, action=AuditAction.UPDATE, obj=body, changes={"chair_schedule": [None, str(year)]})
    return turns


def chair_for(body: Body, d: date):
    turn = body.chair_turns.filter(start__lte=d, end__gte=d).select_related("unit").first()
    return turn.unit if turn else None


@transaction.atomic
def meeting_create(*, actor, body: Body, title, date, agenda="", place="", ad_hoc=False,
                   start_time: time | None = None) -> Meeting:
    """Schedule a meeting; every member is invited."""
    _require_edit(actor, body.region.path, f"“{body}”的会议")
    if not isinstance(date, type(_today())):
        raise ValidationError({"date": "请填写会议日期"})
    if start_time is not None and not isinstance(start_time, time):
        raise ValidationError({"start_time": "开始时间格式不正确"})
    body = _lock_body(body)
    meeting = Meeting.objects.create(
        body=body, title=_text(title, "title", "会议名称", max_len=150), date=date, start_time=start_time,
        agenda=_text(agenda, "agenda", "议程", max_len=4000, required=False),
        place=_text(place, "place", "地点", max_len=100, required=False), ad_hoc=bool(ad_hoc),
        chair_unit=chair_for(body, date) if body.rotating_chair else None,
    )
    members = list(body.members.select_related("unit", "unit__liaison"))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, unit=m.unit, person_name=m.person_name)
                                    for m in members])
    record(actor=actor, action=AuditAction.CREATE, obj=meeting,
           changes=diff({}, snapshot(meeting, ["body", "title", "date", "start_time", "agenda", "chair_unit"])))
    _notify_invited(meeting, [m.unit for m in members if m.unit_id], actor=actor)
    return meeting


_EDIT_FIELDS = ["title", "date", "start_time", "place", "agenda", "chair_unit"]


def _lock_editable(actor, meeting: Meeting, verb: str) -> Meeting:
    """The meeting, locked, once the actor may edit it and it is still scheduled and not started."""
    _require_edit(actor, meeting.body.region.path, f"“{meeting.body}”的会议")
    meeting = (Meeting.objects.select_for_update(of=("self",)).select_related("body", "body__region", "chair_unit")
               .get(pk=meeting.pk))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(f"会议已取消，不能{verb}")
    if meeting.status == MeetingStatus.HELD or meeting.started:
        raise ValidationError(f"会议已开始或已召开，不能{verb}")
    return meeting


def _invited_units(meeting: Meeting) -> list:
    return [a.unit for a in meeting.attendances.filter(unit__isnull=False, status=AttendanceStatus.INVITED)
            .select_related("unit", "unit__liaison")]


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, title, date, start_time: time | None = None, place="",
                   agenda="") -> dict:
    """Edit a scheduled meeting that has not started (title, date, start time, place, agenda). The
    same checks as scheduling it, plus: no markup, not in the past. A changed date, time or place is
    announced to the liaison of each invited unit; replies already given stay (a changed date or time
    asks them to confirm, and the reminder before the new date is sent again). Returns the audited
    changes ({} when nothing changed)."""
    meeting = _lock_editable(actor, meeting, "修改")
    errors = {}
    clean = {}
    for field, label, value, max_len, required in (("title", "会议名称", title, 150, True),
                                                   ("place", "地点", place, 100, False),
                                                   ("agenda", "议程", agenda, 4000, False)):
        try:
            clean[field] = _plain(value, field, label, max_len=max_len, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not isinstance(date, type(_today())):
        errors["date"] = ["请填写会议日期"]
    elif date < _today():
        errors["date"] = [f"会议日期不能早于今天（{_today():%Y-%m-%d}）"]
    if start_time is not None and not isinstance(start_time, time):
        errors["start_time"] = ["开始时间格式不正确"]
    if not errors and timezone.make_aware(datetime.combine(date, start_time or time(0, 0))) <= timezone.now():
        errors["start_time" if start_time else "date"] = ["会议开始时间已过，请填写今后的时间"]
    if errors:
        raise ValidationError(errors)
    before = snapshot(meeting, _EDIT_FIELDS)
    old_when, old_place = _when(meeting), meeting.place
    date_changed = (date, start_time) != (meeting.date, meeting.start_time)
    meeting.title, meeting.date, meeting.start_time = clean["title"], date, start_time
    meeting.place, meeting.agenda = clean["place"], clean["agenda"]
    if meeting.body.rotating_chair and date_changed:
        meeting.chair_unit = chair_for(meeting.body, date)
    changes = diff(before, snapshot(meeting, _EDIT_FIELDS))
    if not changes:
        return {}
    meeting.save(update_fields=["title", "date", "start_time", "place", "agenda", "chair_unit"])
    if date_changed:  # the reminder the day before is due again for the new date
        meeting.attendances.update(reminded_at=None)
    record(actor=actor, action=AuditAction.UPDATE, obj=meeting, changes=changes)
    if date_changed or old_place != meeting.place:
        _notify_changed(meeting, _invited_units(meeting), actor=actor, old_when=old_when if date_changed else None,
                        old_place=old_place if old_place != meeting.place else None)
    return changes


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting that has not started, with a reason. It leaves the upcoming lists,
    replies are closed, it never counts as held; the liaison of each invited unit is told."""
    meeting = _lock_editable(actor, meeting, "取消")
    reason = _plain(reason, "reason", "取消原因", max_len=200, required=True)
    meeting.status, meeting.cancel_reason, meeting.cancelled_at = MeetingStatus.CANCELLED, reason, timezone.now()
    meeting.save(update_fields=["status", "cancel_reason", "cancelled_at"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=meeting,
           changes={"status": [MeetingStatus.PLANNED.label, MeetingStatus.CANCELLED.label],
                    "cancel_reason": [None, reason]})
    _notify_cancelled(meeting, _invited_units(meeting), actor=actor)
    return meeting


def _reply_snapshot(a: Attendance) -> dict:
    return {"reply": a.get_reply_display() if a.reply else "", "reply_name": a.reply_name,
            "reply_reason": a.reply_reason}


@transaction.atomic
def attendance_reply(*, actor, meeting: Meeting, unit, reply: str, name: str = "", reason: str = "") -> Attendance:
    """A resident unit's liaison replies to its invitation (回执) before the meeting starts:
    参加 with the name of who attends, or 请假 with a reason. The reply informs the community; the
    attendance itself is still recorded by the community once the meeting is held (where a 请假
    reply is offered as 请假)."""
    if unit is None or not selectors.liaison_units(actor).filter(pk=unit.pk).exists():
        raise ValidationError("只有该单位的联络员可以为其提交回执")
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body").get(pk=meeting.pk)
    a = Attendance.objects.select_for_update(of=("self",)).filter(meeting=meeting, unit=unit).first()
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"reply": f"会议已取消（{meeting.cancel_reason}），无需再提交回执"})
    if a is None:
        raise ValidationError(f"“{unit}”不在本次会议的邀请名单中，如需参会请联系会议召集人")
    if meeting.started or a.status != AttendanceStatus.INVITED:
        when = f"{meeting.date:%Y-%m-%d}" + (f" {meeting.start_time:%H:%M}" if meeting.start_time else "")
        raise ValidationError({"reply": f"会议已于 {when} 开始，不能再提交或修改回执；如有变化请直接联系会议召集人"})
    errors = {}
    if reply not in AttendanceReply.values:
        errors["reply"] = "请选择 参加 或 请假"
    clean = {}
    for field, label, value, max_len, required in (
            ("reply_name", "参会人员姓名", name, 50, reply == AttendanceReply.ATTEND),
            ("reply_reason", "请假事由", reason, 200, reply == AttendanceReply.LEAVE)):
        try:
            clean[field] = _plain(value, field, label, max_len=max_len, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if reply == AttendanceReply.ATTEND:
        clean["reply_reason"] = ""
    before, prev_reply = _reply_snapshot(a), a.reply
    a.reply, a.reply_name, a.reply_reason = reply, clean["reply_name"], clean["reply_reason"]
    changes = diff(before, _reply_snapshot(a), personal={"reply_reason": "text"})
    if not changes:
        return a
    a.replied_at, a.replied_by = timezone.now(), actor
    a.save(update_fields=["reply", "reply_name", "reply_reason", "replied_at", "replied_by"])
    record(actor=actor, action=AuditAction.UPDATE, obj=a, object_repr=f"{meeting.title}：{unit}的回执",
           changes=changes)
    _notify_reply(meeting, a, unit=unit, actor=actor, before=prev_reply)
    return a


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, statuses: dict[int, str]) -> Meeting:
    """Record who came. An unexcused absence of a unit records a public criticism in cobuild;
    correcting it later (to present or excused) withdraws that criticism."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body", "body__region").get(pk=meeting.pk)
    _require_edit(actor, meeting.body.region.path, f"“{meeting.body}”的会议")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("会议已取消，不能登记出席情况")
    if meeting.date > _today():
        raise ValidationError({"date": f"会议日期（{meeting.date:%Y-%m-%d}）还未到，不能登记出席情况"})
    valid = {AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT}
    rows = {a.pk: a for a in meeting.attendances.select_related("unit", "unit__region")}
    body_region = meeting.body.region
    for pk, status in statuses.items():
        if pk not in rows:
            raise ValidationError({"attendance": "出席名单与邀请名单不符，请刷新后重试"})
        if status not in valid:
            raise ValidationError({"attendance": f"“{rows[pk]}”的出席情况请选择 出席、请假 或 无故缺席"})
    changes = {}
    for pk, status in statuses.items():
        a = rows[pk]
        if a.status == status:
            continue
        changes[str(a)] = [a.get_status_display(), AttendanceStatus(status).label]
        was_absent = a.status == AttendanceStatus.ABSENT
        a.status = status
        a.save(update_fields=["status"])
        if a.unit_id and status == AttendanceStatus.ABSENT:
            cobuild_services.criticism_record(
                actor=actor, unit=a.unit, date=meeting.date, source_type=CRITICISM_SOURCE, source_id=a.pk,
                region=unit_community(a.unit, body_region),
                reason=f"无故缺席{meeting.date:%Y年%m月%d日}{meeting.body.name}“{meeting.title}”")
        elif a.unit_id and was_absent:
            cobuild_services.criticism_withdraw(actor=actor, unit=a.unit, source_type=CRITICISM_SOURCE,
                                                source_id=a.pk)
    if meeting.status != MeetingStatus.HELD:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
        changes["status"] = ["已安排", "已召开"]
    record(actor=actor, action=AuditAction.UPDATE, obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def minutes_save(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body", "body__region").get(pk=meeting.pk)
    _require_edit(actor, meeting.body.region.path, f"“{meeting.body}”的会议")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"minutes": "会议已取消，不能填写纪要"})
    if meeting.date > _today():
        raise ValidationError({"minutes": "会议尚未召开，不能填写纪要"})
    before = snapshot(meeting, ["minutes"])
    meeting.minutes = _text(minutes, "minutes", "会议纪要", max_len=20000)
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "status"])
    record(actor=actor, action=AuditAction.UPDATE, obj=meeting, changes=diff(before, snapshot(meeting,
                                                                                               ["minutes"])))
    return meeting


@transaction.atomic
def resolution_create(*, actor, meeting: Meeting, text, kind, owner_name, deadline, budget=0,
                      unit=None) -> Resolution:
    """A resolution becomes a task (owner, deadline) or a co-building project (through cobuild); the
    unit it concerns (承办单位), if any, sees it among its meetings."""
    _require_edit(actor, meeting.body.region.path, f"“{meeting.body}”的会议")
    if meeting.cancelled:
        raise ValidationError(f"会议已取消（{meeting.cancel_reason}），不能登记决议")
    if kind not in ResolutionKind.values:
        raise ValidationError({"kind": "请选择落实方式"})
    if not isinstance(deadline, date):
        raise ValidationError({"deadline": "请填写完成期限"})
    if deadline < _today():
        raise ValidationError({"deadline": "完成期限不能早于今天"})
    text = _text(text, "text", "决议事项", max_len=300)
    owner_name = _text(owner_name, "owner_name", "责任人", max_len=50)
    if unit is not None and not unit.serves(meeting.body.region.path):
        raise ValidationError({"unit": f"“{unit}”未与“{meeting.body.region}”辖区内的社区签订共建协议"})
    res = Resolution.objects.create(meeting=meeting, text=text, kind=kind, owner_name=owner_name,
                                    deadline=deadline, unit=unit)
    if kind == ResolutionKind.PROJECT:
        res.project = cobuild_services.project_create(
            actor=actor, region=meeting.body.region, title=text[:150], owner_name=owner_name, deadline=deadline,
            budget=budget, unit=unit, source_type="meetings.resolution", source_id=res.pk)
        res.save(update_fields=["project"])
    record(actor=actor, action=AuditAction.CREATE, obj=res,
           changes=diff({}, snapshot(res, ["meeting", "text", "kind", "owner_name", "unit", "deadline",
                                           "project"])))
    return res


@transaction.atomic
def resolution_done(*, actor, resolution: Resolution) -> Resolution:
    _require_edit(actor, resolution.meeting.body.region.path, "该决议")
    resolution.done = True
    resolution.save(update_fields=["done"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=resolution, changes={"done": [False, True]})
    return resolution


def _notify(*, recipients, title, body, link, source) -> bool:
    try:
        from notifications.services import notify
    except ImportError:
        return False
    return bool(notify(recipients=recipients, title=title, body=body, link=link, source=source))


# --- notifications about invitations and replies ----------------------------------------------------
# Sent inside the transaction of the change they announce, only to accounts that can open the page
# they link to: a unit's liaison gets the meeting as their unit sees it (我单位的会议), the body's
# secretary the staff meeting page. Nobody is told about their own action.

_WEEKDAYS = "一二三四五六日"


def _when(m: Meeting) -> str:
    d = m.date
    return (f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS[d.weekday()]}）"
            + (f"{m.start_time:%H:%M}" if m.start_time else ""))


def _where(m: Meeting) -> str:
    return f"在{m.place}召开" if m.place else "召开（地点另行通知）"


def _liaisons_of(units) -> list[tuple]:
    """[(liaison, [their units])]: each unit's liaison, kept only where that account can open the
    unit's meeting pages (active, and holding the liaison role over the unit)."""
    groups: dict[int, list] = {}
    for u in units:
        if u is not None and u.liaison_id:
            groups.setdefault(u.liaison_id, []).append(u)
    out = []
    for own in groups.values():
        user = own[0].liaison
        if not user.is_active:
            continue
        theirs = set(selectors.liaison_units(user).values_list("pk", flat=True))
        mine = [u for u in own if u.pk in theirs]
        if mine:
            out.append((user, mine))
    return out


def _notify_invited(meeting: Meeting, units, *, actor=None) -> int:
    """Tell the liaison of each invited unit about a meeting that has not started: one message per
    liaison (naming their units), linking to the meeting's page in 我单位的会议."""
    if meeting.started:  # a meeting entered after the fact invites nobody to reply
        return 0
    link = reverse("meetings:unit_meeting", args=[meeting.pk])
    sent = 0
    for user, mine in _liaisons_of(units):
        if actor is not None and user.pk == actor.pk:
            continue
        text = (f"{meeting.body.name}定于{_when(meeting)}{_where(meeting)}“{meeting.title}”，邀请"
                f"{'、'.join(u.name for u in mine)}参加。请在会议开始前填写回执（参加或请假）。")
        if meeting.chair_unit_id and meeting.chair_unit_id in {u.pk for u in mine}:
            text += f"{meeting.chair_unit.name}是本次会议的轮值会长单位，请提前与社区沟通议题。"
        if meeting.agenda:
            text += f"\n议程：{meeting.agenda[:300]}"
        sent += _notify(recipients=[user], title=f"会议通知：{meeting.title}", body=text, link=link, source=meeting)
    return sent


def _notify_changed(meeting: Meeting, units, *, actor, old_when: str | None, old_place: str | None) -> int:
    """Tell the liaison of each invited unit that the date/time or place of a meeting changed."""
    link = reverse("meetings:unit_meeting", args=[meeting.pk])
    parts = []
    if old_when is not None:
        parts.append(f"时间由{old_when}改为{_when(meeting)}")
    if old_place is not None:
        parts.append(f"地点由{old_place or '待通知'}改为{meeting.place or '待通知'}")
    sent = 0
    for user, mine in _liaisons_of(units):
        if user.pk == actor.pk:
            continue
        text = f"{meeting.body.name}“{meeting.title}”（邀请{'、'.join(u.name for u in mine)}参加）{'；'.join(parts)}。"
        if old_when is not None:
            text += "已提交的回执仍然保留，请确认能否按新的时间参加；如有变化，请在会议开始前修改回执。"
        else:
            text += "已提交的回执不受影响。"
        sent += _notify(recipients=[user], title=f"会议变更：{meeting.title}", body=text, link=link, source=meeting)
    return sent


def _notify_cancelled(meeting: Meeting, units, *, actor) -> int:
    """Tell the liaison of each invited unit that a meeting is cancelled, with the reason."""
    link = reverse("meetings:unit_meeting", args=[meeting.pk])
    sent = 0
    for user, mine in _liaisons_of(units):
        if user.pk == actor.pk:
            continue
        text = (f"{meeting.body.name}原定于{_when(meeting)}{_where(meeting)}的“{meeting.title}”已取消，"
                f"{'、'.join(u.name for u in mine)}无需参会，也无需回执。取消原因：{meeting.cancel_reason}")
        sent += _notify(recipients=[user], title=f"会议取消：{meeting.title}", body=text, link=link, source=meeting)
    return sent


def _notify_withdrawn(body: Body, unit, meetings: list[Meeting], *, actor) -> int:
    """Tell a unit's liaison that the unit, having left the body, is no longer invited to these
    meetings (linking to the unit's meeting list, which they can still open)."""
    link = reverse("meetings:unit_meetings") + f"?unit={unit.pk}"
    sent = 0
    for user, _mine in _liaisons_of([unit]):
        if user.pk == actor.pk:
            continue
        text = (f"{unit.name}已不再是{body.name}的成员单位，以下尚未召开的会议不再邀请贵单位参加：" +
                "；".join(f"{_when(m)}“{m.title}”" for m in meetings) + "。如有疑问请联系会议召集人。")
        sent += _notify(recipients=[user], title=f"会议邀请已取消：{unit.name}已退出{body.name}", body=text,
                        link=link, source=body)
    return sent


def _notify_reply(meeting: Meeting, a: Attendance, *, unit, actor, before: str) -> int:
    """Tell the body's secretary (who convenes it) that a unit replied or changed its reply, with
    the count of replies so far. The reason for a 请假 stays on the meeting page (it is masked in the
    audit log too)."""
    sec = meeting.body.secretary
    if sec is None or sec.pk == actor.pk or not sec.is_active:
        return 0
    if not has_perm_at(sec, P.VIEW, meeting.body.region.path):
        return 0
    label = a.get_reply_display()
    if not before:
        title = f"会议回执：{unit.name}{label}“{meeting.title}”"
    elif before != a.reply:
        title = f"回执变更：{unit.name}改为{label}“{meeting.title}”"
    else:
        title = f"回执变更：{unit.name}{label}“{meeting.title}”（信息有修改）"
    detail = f"参会人员：{a.reply_name}" if a.reply == AttendanceReply.ATTEND else "请假事由请在会议页面查看"
    rows = list(meeting.attendances.filter(unit__isnull=False).values_list("reply", flat=True))
    attend = sum(1 for r in rows if r == AttendanceReply.ATTEND)
    leave = sum(1 for r in rows if r == AttendanceReply.LEAVE)
    text = (f"{detail}\n会议时间：{_when(meeting)}\n目前回执：参加 {attend}、请假 {leave}、未回执 "
            f"{len(rows) - attend - leave}（共邀请 {len(rows)} 个单位）")
    return int(_notify(recipients=[sec], title=title, body=text, link=reverse("meetings:meeting", args=[meeting.pk]),
                       source=a))


def reply_reminders(*, now=None) -> int:
    """Remind, through its liaison, each invited unit that has not replied to a meeting of today or
    tomorrow that has not started — once per invitation (`Attendance.reminded_at`), so a daily job
    may run it any number of times. Each meeting's reminders commit on their own. Returns the number
    of messages sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = (Attendance.objects.filter(meeting__status=MeetingStatus.PLANNED, meeting__body__active=True,
                                      meeting__date__gte=today, meeting__date__lte=today + timedelta(days=1),
                                      unit__isnull=False, unit__liaison__isnull=False, reply="",
                                      status=AttendanceStatus.INVITED, reminded_at__isnull=True)
            .select_related("meeting", "meeting__body", "unit", "unit__liaison").order_by("meeting_id", "id"))
    by_meeting: dict[int, list[Attendance]] = {}
    for a in rows:
        if a.meeting.starts_at > now:
            by_meeting.setdefault(a.meeting_id, []).append(a)
    sent = 0
    for group in by_meeting.values():
        meeting = group[0].meeting
        row_of = {a.unit_id: a.pk for a in group}
        link = reverse("meetings:unit_meeting", args=[meeting.pk])
        day = "今天" if meeting.date == today else "明天"
        for user, mine in _liaisons_of([a.unit for a in group]):
            with transaction.atomic():
                # Claim each row first: a concurrent run, or a reply in between, leaves it out.
                mine = [u for u in mine if Attendance.objects.filter(
                    pk=row_of[u.pk], reminded_at__isnull=True, reply="").update(reminded_at=now)]
                if not mine:
                    continue
                text = (f"{'、'.join(u.name for u in mine)}还没有回复{meeting.body.name}“{meeting.title}”的邀请。"
                        f"会议定于{_when(meeting)}{_where(meeting)}，请在会议开始前填写回执（参加或请假）。")
                sent += _notify(recipients=[user], title=f"请回执：“{meeting.title}”{day}召开", body=text,
                                link=link, source=meeting)
    return sent


@transaction.atomic
def cadence_check(*, actor=None, today: date | None = None, body_qs=None) -> list[Body]:
    """Flag bodies that missed their cadence in the last complete period and notify each one's
    secretary once per missed period. Run by a periodic job or from the bodies page."""
    from django.urls import reverse

    today = today or _today()
    qs = body_qs if body_qs is not None else Body.objects.filter(active=True)
    flagged = []
    for st in selectors.body_statuses(list(qs.select_related("secretary", "region")), today):
        if st.missed is None or st.body.last_alert_period == st.missed.key:
            continue
        body = st.body
        body.last_alert_period = st.missed.key
        body.save(update_fields=["last_alert_period"])
        flagged.append(body)
        record(actor=actor, action=AuditAction.UPDATE, obj=body,
               changes={"missed_period": [None, st.missed.label]})
        if body.secretary_id:
            _notify(recipients=[body.secretary], title=f"{body.name}未按期召开会议",
                    body=f"按规定{body.name}应在{st.missed.label}召开会议，但没有已召开的会议记录，请尽快安排。",
                    link=reverse("meetings:body", args=[body.pk]), source=body)
    return flagged
