"""Reads of bodies and meetings within the data scope, and the cadence arithmetic."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, scope_filter

from .models import DEFAULT_CADENCES, AttendanceStatus, Body, CadenceRule, Meeting, MeetingStatus
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


def meetings(actor) -> QuerySet[Meeting]:
    return scope_filter(Meeting.objects.select_related("body", "body__region", "chair_unit"), actor, P.VIEW)


def meeting_get(actor, pk) -> Meeting:
    return get_in_scope_or_404(meetings(actor), actor, P.VIEW, pk=pk)


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


# --- hooks cobuild reads (registered in apps.ready) ------------------------------------------------

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
    """Meetings held in the year, as chronicle lines for cobuild."""
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
