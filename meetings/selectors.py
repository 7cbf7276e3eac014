"""Reads of bodies and meetings within the data scope, and the cadence arithmetic."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import get_in_scope_or_404, roles_of, scope_filter, scope_paths
from cobuild.models import ResidentUnit

from .models import (
    DEFAULT_CADENCES,
    Attendance,
    AttendanceStatus,
    Body,
    BodyMember,
    CadenceRule,
    ChairTurn,
    Meeting,
    MeetingStatus,
    Resolution,
)
from .rules import P


def cadence_rules() -> dict[str, CadenceRule]:
    have = {r.body_kind: r for r in CadenceRule.objects.all()}
    missing = [CadenceRule(body_kind=k, months=m, year_end=y, note=n) for k, m, y, n in DEFAULT_CADENCES
               if k not in have]
    if missing:
        CadenceRule.objects.bulk_create(missing, ignore_conflicts=True)
        have = {r.body_kind: r for r in CadenceRule.objects.all()}
    return have


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    key: str

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            return f"{self.start.year} 年"
        if self.start.month == self.end.month:
            return f"{self.start.year} 年 {self.start.month} 月"
        return f"{self.start.year} 年 {self.start.month}–{self.end.month} 月"


def period_of(d: date, months: int) -> Period:
    idx = (d.month - 1) // months
    start = date(d.year, idx * months + 1, 1)
    end_month = start.month + months
    end = (date(start.year + 1, 1, 1) if end_month > 12 else date(start.year, end_month, 1)) - timedelta(days=1)
    return Period(start, end, f"{d.year}-{idx + 1:02d}")


def previous_period(today: date, months: int) -> Period:
    return period_of(period_of(today, months).start - timedelta(days=1), months)


def bodies(actor, perm: str = P.VIEW) -> QuerySet[Body]:
    return scope_filter(Body.objects.select_related("region", "secretary"), actor, perm)


def body_get(actor, pk, perm: str = P.VIEW) -> Body:
    return get_in_scope_or_404(bodies(actor, perm), actor, perm, pk=pk)


def meetings(actor, perm: str = P.VIEW) -> QuerySet[Meeting]:
    return scope_filter(Meeting.objects.select_related("body", "body__region", "chair_unit"), actor, perm)


def meeting_get(actor, pk, perm: str = P.VIEW) -> Meeting:
    return get_in_scope_or_404(meetings(actor, perm), actor, perm, pk=pk)


@dataclass
class BodyStatus:
    body: Body
    rule: CadenceRule | None
    last_held: date | None
    missed: Period | None       # the last complete period, when no meeting was held in it
    current: Period | None
    current_done: bool
    next_meeting: Meeting | None = None

    @property
    def planned_in_period(self) -> bool:
        return bool(self.next_meeting and self.current and self.next_meeting.date <= self.current.end)


def body_statuses(body_list: list[Body], today: date | None = None) -> list[BodyStatus]:
    """Cadence status of each body: last meeting, whether the last complete period was missed."""
    today = today or timezone.localdate()
    rules = cadence_rules()
    ids = [b.pk for b in body_list]
    held: dict[int, list[date]] = defaultdict(list)
    for body_id, d in (Meeting.objects.filter(body_id__in=ids, status=MeetingStatus.HELD)
                       .values_list("body_id", "date").order_by("date")):
        held[body_id].append(d)
    upcoming = {}
    for m in Meeting.objects.filter(body_id__in=ids, status=MeetingStatus.PLANNED, date__gte=today).order_by("-date"):
        upcoming[m.body_id] = m
    result = []
    for b in body_list:
        rule = rules.get(b.kind)
        dates = held.get(b.pk, [])
        missed = current = None
        current_done = False
        if rule and rule.months:
            current = period_of(today, rule.months)
            current_done = any(current.start <= d <= current.end for d in dates)
            prev = previous_period(today, rule.months)
            if b.active and b.since <= prev.end and not any(prev.start <= d <= prev.end for d in dates):
                missed = prev
        result.append(BodyStatus(b, rule, dates[-1] if dates else None, missed, current, current_done,
                                 upcoming.get(b.pk)))
    return result


def calendar(actor, year: int, month: int) -> QuerySet[Meeting]:
    return meetings(actor).filter(date__year=year, date__month=month).order_by("date", "id")


# --- a resident unit's liaison: the meetings of their own unit ------------------------------------

def liaison_units(actor) -> QuerySet[ResidentUnit]:
    """The units whose liaison is `actor` that serve (or sit in) a subtree where they hold the
    liaison role (a unit whose liaison lost the role is no longer theirs). A unit is one record
    for all the communities it serves: it is the liaison's in all of them."""
    if not getattr(actor, "is_authenticated", False):
        return ResidentUnit.objects.none()
    qs = ResidentUnit.objects.filter(liaison=actor).select_related("region", "region__parent")
    roots = scope_paths(actor, P.UNIT)
    if roots is not None:
        qs = qs.serving_any(roots)
    return qs.order_by("name")


def is_unit_liaison(user) -> bool:
    """Whether the account is some unit's liaison (shows 我单位的会议 in the menu)."""
    if Role.UNIT_LIAISON not in roles_of(user):
        return False
    cached = getattr(user, "_meetings_unit_liaison", None)
    if cached is None:
        cached = user._meetings_unit_liaison = liaison_units(user).exists()
    return cached


def liaison_next_meeting(actor) -> Meeting | None:
    """The next planned meeting of the liaison's units (for the liaison's home card)."""
    return (liaison_meetings(actor).filter(date__gte=timezone.localdate())
            .filter(status=MeetingStatus.PLANNED).order_by("date", "start_time", "id").first())


def _unit_meeting_q(units) -> Q:
    """Meetings of the bodies the units belong to, and any meeting they were invited to."""
    return (Q(body_id__in=BodyMember.objects.filter(unit__in=units).values("body_id"))
            | Q(pk__in=Attendance.objects.filter(unit__in=units).values("meeting_id")))


def liaison_meetings(actor) -> QuerySet[Meeting]:
    return Meeting.objects.filter(_unit_meeting_q(liaison_units(actor))).select_related(
        "body", "body__region", "chair_unit")


def liaison_meeting_get(actor, pk) -> Meeting:
    try:
        return liaison_meetings(actor).get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404("不存在或不是贵单位参加的会议") from exc


def unit_resolutions(units) -> QuerySet[Resolution]:
    """Resolutions that concern the units: tasks assigned to them, or their co-building projects."""
    return (Resolution.objects.filter(Q(unit__in=units) | Q(project__unit__in=units))
            .select_related("meeting", "meeting__body", "project", "unit", "project__unit"))


@dataclass
class UnitMembership:
    member: BodyMember
    rule: CadenceRule | None
    next_turn: ChairTurn | None


@dataclass
class UnitMeetings:
    """What a unit's liaison sees on 我单位的会议 (only this unit's own records)."""

    unit: ResidentUnit
    memberships: list[UnitMembership]
    next_turn: ChairTurn | None
    upcoming: list[tuple[Meeting, Attendance | None]]
    chaired: list[Meeting]       # upcoming meetings the unit chairs (轮值会长单位)
    past: Page
    resolutions: list[Resolution]
    visible_meeting_ids: set[int]


def unit_meetings(unit: ResidentUnit, *, today: date | None = None, page=None) -> UnitMeetings:
    today = today or timezone.localdate()
    rules = cadence_rules()
    members = list(BodyMember.objects.filter(unit=unit, body__active=True)
                   .select_related("body", "body__region").order_by("body__region__path", "body__kind"))
    turns: dict[int, ChairTurn] = {}
    for t in ChairTurn.objects.filter(unit=unit, end__gte=today).select_related("body").order_by("start"):
        turns.setdefault(t.body_id, t)
    memberships = [UnitMembership(m, rules.get(m.body.kind), turns.get(m.body_id) if m.body.rotating_chair else None)
                   for m in members]
    next_turn = min((ms.next_turn for ms in memberships if ms.next_turn), key=lambda t: t.start, default=None)

    visible = Meeting.objects.filter(_unit_meeting_q([unit])).select_related("body", "chair_unit")
    upcoming = list(visible.filter(date__gte=today, status=MeetingStatus.PLANNED)
                    .order_by("date", "start_time", "id"))
    # Held or past meetings, and cancelled ones (shown as 已取消).
    past = Paginator(visible.filter(Q(date__lt=today) | ~Q(status=MeetingStatus.PLANNED),
                                    pk__in=Attendance.objects.filter(unit=unit).values("meeting_id"))
                     .order_by("-date", "-id"), 20).get_page(page)
    shown = [m.pk for m in upcoming] + [m.pk for m in past.object_list]
    own = {a.meeting_id: a for a in Attendance.objects.filter(unit=unit, meeting_id__in=shown)}
    past.object_list = [(m, own.get(m.pk)) for m in past.object_list]
    resolutions = list(unit_resolutions([unit]).order_by("done", "deadline", "id"))
    return UnitMeetings(
        unit=unit, memberships=memberships, next_turn=next_turn,
        upcoming=[(m, own.get(m.pk)) for m in upcoming], chaired=[m for m in upcoming if m.chair_unit_id == unit.pk],
        past=past, resolutions=resolutions,
        visible_meeting_ids=set(visible.filter(pk__in={r.meeting_id for r in resolutions})
                                .values_list("pk", flat=True)),
    )


# --- read by the co-building pages of dashboards/ (star board, chronicle) -------------------------------

def unit_attendance(unit_ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """{unit id: (present, expected)} over the year's held meetings; excused absences are neutral."""
    from .models import Attendance

    rows = (Attendance.objects.filter(unit_id__in=unit_ids, meeting__status=MeetingStatus.HELD,
                                      meeting__date__year=year)
            .values("unit_id")
            .annotate(present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
                      absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)))
            .order_by())
    return {r["unit_id"]: (r["present"], r["present"] + r["absent"]) for r in rows}


def chronicle_lines(region_qs, year: int) -> list[tuple]:
    """Meetings held in the year, as chronicle lines for cobuild.services.chronicle_generate."""
    rows = []
    qs = (Meeting.objects.filter(status=MeetingStatus.HELD, date__year=year, body__region__in=region_qs)
          .select_related("body").prefetch_related("resolutions"))
    for m in qs:
        body = m.minutes[:300]
        res = "；".join(r.text for r in m.resolutions.all())
        if res:
            body = (body + "\n" if body else "") + f"决议：{res}"
        rows.append((m.body.region_id, m.date, f"召开{m.body.name}：{m.title}", body, "meeting", m.pk))
    return rows
