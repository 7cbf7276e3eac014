"""三会一课 and 主题党日: sessions, attendance, minutes, photos; the cadence rules and the check that
flags a missed period to the organization and the one above it."""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from accounts.models import RoleAssignment
from accounts.roles import ROLE_PERMISSIONS
from accounts.scope import has_perm
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.images import check_image, to_jpeg
from orgs.models import PartyOrg

from .. import selectors
from ..models import (
    AttendanceStatus,
    CadenceFlag,
    Session,
    SessionAttendance,
    SessionKind,
    SessionPhoto,
    SessionStatus,
)
from ..rules import P
from .common import need_date, require_manage, texts, today

MAX_PHOTOS = 9
_FIELDS = ["org", "kind", "date", "start_time", "place", "online", "topic", "host_name", "lecturer",
           "recorder_name", "agenda", "status"]


@transaction.atomic
def cadence_update(*, actor, values: dict[tuple[str, str], int]) -> None:
    """Set the cadences (months per organizational form and kind): all or none."""
    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改组织生活频次")
    rules = selectors.cadence_rules()
    for key, months in values.items():
        rule = rules.get(key)
        if rule is None:
            raise ValidationError("没有这条频次规则，请刷新后重试")
        if months not in (0, 1, 2, 3, 6, 12):
            raise ValidationError({"months": f"{rule}的周期应为 0（不作要求）、1、2、3、6 或 12 个月"})
        if rule.months != months:
            before = snapshot(rule, ["months"])
            rule.months = months
            rule.save(update_fields=["months"])
            record(actor=actor, action=AuditAction.UPDATE, obj=rule, changes=diff(before, snapshot(rule, ["months"])))


@transaction.atomic
def session_create(*, actor, org: PartyOrg, kind: str, date: date, topic: str, host_name: str,
                   place: str = "", online: bool = False, lecturer: str = "", recorder_name: str = "",
                   agenda: str = "", start_time: time | None = None, held: bool = False) -> Session:
    """Plan a session, or enter one already held (`held`; its date must not be in the future)."""
    require_manage(actor, org, "组织生活")
    errors = {}
    if kind not in SessionKind.values:
        errors["kind"] = ["请选择组织生活类别"]
    try:
        need_date(date, "date", "日期")
        if held and date > today():
            errors["date"] = [f"日期（{date:%Y-%m-%d}）还未到，不能登记为已召开；请先安排，召开后再登记参加情况"]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if start_time is not None and not isinstance(start_time, time):
        errors["start_time"] = ["开始时间格式不正确"]
    try:
        clean = texts(("topic", "主题", topic, 150, True), ("host_name", "主持人", host_name, 50, True),
                      ("place", "地点", place, 100, not online), ("lecturer", "授课人", lecturer, 50,
                                                                  kind == SessionKind.LECTURE),
                      ("recorder_name", "记录人", recorder_name, 50, False), ("agenda", "议程", agenda, 4000, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    if errors:
        raise ValidationError(errors)
    s = Session.objects.create(org=org, kind=kind, date=date, start_time=start_time, online=bool(online),
                               status=SessionStatus.HELD if held else SessionStatus.PLANNED, created_by=actor,
                               **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=s, changes=diff({}, snapshot(s, _FIELDS)))
    return s


def _lock(actor, session: Session, what: str) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("org", "org__region").get(pk=session.pk)
    require_manage(actor, session.org, what)
    return session


@transaction.atomic
def attendance_record(*, actor, session: Session, rows: dict[int, tuple[str, str]]) -> Session:
    """Record who attended: {member id: (status, reason)}. Only the organization's members and the
    mobile members who flowed into it; 请假 needs its reason. The session becomes held (its date must
    have come)."""
    session = _lock(actor, session, "组织生活")
    if session.date > today():
        raise ValidationError({"date": f"{session.get_kind_display()}日期（{session.date:%Y-%m-%d}）还未到，"
                                       "不能登记为已召开或登记参加情况"})
    eligible = {m.pk: (m, inflow) for m, inflow in selectors.eligible_members(session.org)}
    existing = {a.member_id: a for a in session.attendances.select_related("member")}
    errors = []
    clean = {}
    for member_id, (status, reason) in rows.items():
        if member_id not in eligible and member_id not in existing:
            from members.models import PartyMember

            who = PartyMember.objects.filter(pk=member_id).values_list("name", flat=True).first() or f"编号 {member_id}"
            errors.append(f"{who}不是“{session.org}”的党员，也不是流入该组织的流动党员，不能登记参加情况")
            continue
        member = eligible[member_id][0] if member_id in eligible else existing[member_id].member
        if status not in AttendanceStatus.values:
            errors.append(f"{member.name}的参加情况请选择 现场参加、线上参加、请假 或 缺席")
            continue
        reason = (reason or "").strip()
        if status == AttendanceStatus.EXCUSED and not reason:
            errors.append(f"{member.name}请假，请填写请假事由")
            continue
        if len(reason) > 200 or "<" in reason or ">" in reason or any(ord(c) < 32 for c in reason):
            errors.append(f"{member.name}的请假事由不能超过 200 个字，也不能包含 < > 或控制字符")
            continue
        clean[member_id] = (status, reason if status == AttendanceStatus.EXCUSED else "")
    if errors:
        raise ValidationError({"attendance": errors})
    changes = {}
    for member_id, (status, reason) in clean.items():
        a = existing.get(member_id)
        if a is None:
            m, inflow = eligible[member_id]
            SessionAttendance.objects.create(session=session, member=m, status=status, reason=reason, inflow=inflow)
            changes[m.name] = [None, AttendanceStatus(status).label]
        elif (a.status, a.reason) != (status, reason):
            changes[a.member.name] = [a.get_status_display(), AttendanceStatus(status).label]
            a.status, a.reason = status, reason
            a.save(update_fields=["status", "reason"])
    if session.status != SessionStatus.HELD:
        session.status = SessionStatus.HELD
        session.save(update_fields=["status"])
        changes["status"] = [SessionStatus.PLANNED.label, SessionStatus.HELD.label]
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, obj=session, changes=changes)
    return session


@transaction.atomic
def session_minutes_save(*, actor, session: Session, minutes: str, resolutions: str = "",
                         recorder_name: str = "") -> Session:
    session = _lock(actor, session, "组织生活")
    if session.date > today():
        raise ValidationError({"minutes": "尚未召开，不能填写会议记录"})
    clean = texts(("minutes", "会议记录", minutes, 20000, True), ("resolutions", "决议", resolutions, 4000, False),
                  ("recorder_name", "记录人", recorder_name, 50, False))
    before = snapshot(session, ["minutes", "resolutions", "recorder_name", "status"])
    session.minutes, session.resolutions = clean["minutes"], clean["resolutions"]
    session.recorder_name = clean["recorder_name"] or session.recorder_name
    session.status = SessionStatus.HELD
    session.save(update_fields=["minutes", "resolutions", "recorder_name", "status"])
    record(actor=actor, action=AuditAction.UPDATE, obj=session,
           changes=diff(before, snapshot(session, ["minutes", "resolutions", "recorder_name", "status"])))
    return session


@transaction.atomic
def session_photo_add(*, actor, session: Session, photo) -> SessionPhoto:
    session = _lock(actor, session, "组织生活")
    if session.date > today():
        raise ValidationError({"photo": "尚未召开，不能上传照片"})
    if session.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photo": f"每次组织生活最多上传 {MAX_PHOTOS} 张照片"})
    check_image(photo, field="photo", label=f"照片“{getattr(photo, 'name', '')}”")
    p = SessionPhoto(session=session, uploaded_by=actor)
    p.photo.save("photo.jpg", ContentFile(to_jpeg(photo, box=(1600, 1600))), save=False)
    p.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=session,
           changes={"photos": [None, f"第 {session.photos.count()} 张"]})
    return p


# --- the cadence check -------------------------------------------------------------------------------

def _managers_at(regions) -> list:
    """Active accounts holding a role that manages organizational life at one of these nodes."""
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if P.MANAGE in perms]
    rows = (RoleAssignment.objects.filter(region__in=regions, role__in=roles, user__is_active=True)
            .select_related("user"))
    return [ra.user for ra in rows]


def flag_recipients(org: PartyOrg) -> list:
    """The organization (its secretary's account, whoever manages at its node) and the level above."""
    regions = [org.region_id] + ([org.parent.region_id] if org.parent_id else [])
    users = _managers_at(regions)
    if org.secretary_id and org.secretary.is_active:
        users.append(org.secretary)
    return users


@transaction.atomic
def cadence_check(*, actor=None, today_: date | None = None, org_qs=None) -> list[CadenceFlag]:
    """Flag every organization that held no session of a required kind in its last complete period,
    once per period, and tell the organization and the level above. Run daily (manage.py
    orglife_cadence_check) or from the cadence page."""
    from notifications.services import notify

    day = today_ or today()
    if org_qs is None:
        org_qs = PartyOrg.objects.filter(pk__in=selectors.living_orgs_all().values("pk"))
    made = []
    for st in selectors.org_statuses(list(org_qs.select_related("region", "parent", "parent__region", "secretary")),
                                     day):
        for ks in st.missed:
            flag, created = CadenceFlag.objects.get_or_create(
                org=st.org, kind=ks.kind, period_key=ks.missed.key, defaults={"period_label": ks.missed.label})
            if not created:
                continue
            made.append(flag)
            record(actor=actor, action=AuditAction.CREATE, obj=flag,
                   changes={"missed": [None, f"{ks.missed.label}{ks.label}"]})
            notify(recipients=flag_recipients(st.org), title=f"{st.org.name}{ks.missed.label}未开展{ks.label}",
                   body=(f"按规定{st.org.name}应{ks.rule.cadence_label}开展{ks.label}（{ks.rule.note}），"
                         f"{ks.missed.label}没有已召开的记录，请尽快安排并补登。"),
                   link=reverse("orglife:cadence") + f"?org={st.org.pk}", source=flag)
    return made
