"""A work-calendar change that moves an open demand's deadline tells its assignee: one notification per demand
per change, only to an assignee who can open the demand, never to the admin who changed the calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from demands import services
from demands.models import Category, DayKind, Demand, DemandEvent, State, WorkCalendarDay
from demands.workcalendar import WorkCalendar, calendar_changed
from notifications.models import Notification

pytestmark = pytest.mark.django_db

TITLE = "诉求时限调整："


def _at(day: date, hh: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, tzinfo=timezone.get_current_timezone())


def _weekday_on_or_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def _weekday_after(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


@pytest.fixture
def quick(db):
    return Category.objects.create(code="quick-notice", name="工作时间测试", response_minutes=60,
                                   handling_minutes=120, working_hours_only=True)


def _notices(**kw):
    return Notification.objects.filter(title__startswith=TITLE, **kw)


def test_assignees_who_can_open_the_demand_are_told_once_per_change(personas, tree, quick):
    day = _weekday_on_or_before(date(timezone.localdate().year - 1, 9, 30))
    first_off, last_off = day + timedelta(days=1), day + timedelta(days=7)
    mk = dict(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1, description="d",
              submitted_at=_at(day, 16))

    def dispatched(title, grid):
        d = services.demand_create(title=title, **mk)
        return services.demand_transition(actor=personas.secretary, demand=d, action="dispatch", target_region=grid)

    mine = dispatched("一号楼道灯", tree.east1_grid1)             # grid_worker
    theirs = dispatched("二号井盖", tree.east1_grid2)             # other_grid_worker
    unassigned = services.demand_create(title="无人承办", **mk)
    admins = services.demand_create(title="管理员承办", **mk)
    no_view = services.demand_create(title="无权查看", **mk)
    other_scope = services.demand_create(title="他人辖区", **mk)
    closed = dispatched("已办结", tree.east1_grid1)
    Demand.objects.filter(pk=admins.pk).update(assignee_user=personas.district_admin)
    Demand.objects.filter(pk=no_view.pk).update(assignee_user=personas.member)
    Demand.objects.filter(pk=other_scope.pk).update(assignee_user=personas.west_secretary)
    Demand.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    before = set(Notification.objects.values_list("pk", flat=True))

    change = services.calendar_add_days_off(actor=personas.district_admin, start=first_off, end=last_off,
                                            name="国庆节")
    assert change.recomputed == 6   # every open one moved; the closed one keeps its deadline

    new = Notification.objects.exclude(pk__in=before)
    assert sorted((n.recipient.username, n.title) for n in new) == [
        ("grid_worker", f"{TITLE}一号楼道灯"), ("other_grid_worker", f"{TITLE}二号井盖")]
    n = new.get(recipient=personas.grid_worker)
    event = DemandEvent.objects.get(demand=mine, action="deadline")
    assert n.body == event.note and "国庆节" in n.body and "办结时限由" in n.body
    after = _weekday_after(last_off)
    assert f"调整为 {after:%Y-%m-%d} 10:00" in n.body
    assert n.link == f"/demands/{mine.pk}/" and (n.source_type, n.source_id) == ("demands.demand", str(mine.pk))
    assert not _notices(recipient__in=[personas.district_admin, personas.member, personas.west_secretary]).exists()
    assert not _notices(source_id__in=[str(x.pk) for x in (unassigned, closed)]).exists()

    # Another change that moves them again: one more each, none for a change that moves nothing.
    services.calendar_add_days_off(actor=personas.district_admin, start=after, end=after, name="补假")
    assert _notices(recipient=personas.grid_worker, source_id=str(mine.pk)).count() == 2
    assert _notices(recipient=personas.other_grid_worker, source_id=str(theirs.pk)).count() == 2
    count = _notices().count()
    far = date(timezone.localdate().year - 1, 3, 3)
    assert services.calendar_add_days_off(actor=personas.district_admin, start=far, end=far,
                                          name="无关").recomputed == 0
    assert _notices().count() == count


def test_the_assignee_who_changed_the_calendar_is_not_told(personas, tree, quick):
    day = _weekday_on_or_before(date(timezone.localdate().year - 1, 9, 30))
    d = services.demand_create(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1,
                               title="自己承办", description="d", submitted_at=_at(day, 16))
    Demand.objects.filter(pk=d.pk).update(assignee_user=personas.district_admin)
    off = _weekday_after(day)
    assert services.calendar_add_days_off(actor=personas.district_admin, start=off, end=off,
                                          name="调休").recomputed == 1
    assert not _notices().exists()
    # A recompute without an actor (the demo's) tells the assignee.
    Demand.objects.filter(pk=d.pk).update(assignee_user=personas.secretary)
    nxt = _weekday_after(off)
    services.recompute_open_deadlines(actor=None, changed={nxt}, reason="演示")
    assert [n.recipient for n in _notices()] == []  # no calendar row for `nxt`: nothing moved
    WorkCalendarDay.objects.create(date=nxt, kind=DayKind.DAY_OFF, name="演示")
    calendar_changed()
    assert services.recompute_open_deadlines(actor=None, changed={nxt}, reason="演示",
                                             calendar=WorkCalendar.load()) == 1
    assert [(n.recipient, n.title) for n in _notices()] == [(personas.secretary, f"{TITLE}自己承办")]
