"""The work calendar (法定节假日 / 调休上班): deadline arithmetic, its cache, the recompute of open
demands after a change, and the page (role matrix, bad input, audit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from demands import services
from demands.models import Category, DayKind, Demand, DemandEvent, State, WorkCalendarDay
from demands.rules import add_minutes
from demands.workcalendar import WorkCalendar, current_calendar

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def local(dt) -> datetime:
    return timezone.localtime(dt)


# 2026: 10-01 is a Thursday. A test calendar (not the real 2026 arrangement): 国庆节 10-01..10-07,
# 国庆调休 on Saturday 09-26 and Saturday 10-10.
NATIONAL_DAY = WorkCalendar(
    exceptions={**{date(2026, 10, d): False for d in range(1, 8)}, date(2026, 9, 26): True, date(2026, 10, 10): True},
)


# ---------------------------------------------------------------- arithmetic

def test_deadline_crossing_a_holiday_skips_it():
    wed = at(2026, 9, 30, 16, 0)
    assert add_minutes(wed, 120, working_hours_only=True, calendar=WorkCalendar()) == at(2026, 10, 1, 10, 0)
    assert add_minutes(wed, 120, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 10, 8, 10, 0)
    # A long clock (3 working days): 1 h on Wednesday, Thursday 10-08, Friday 10-09, then the rest on the
    # working Saturday 10-10.
    assert add_minutes(wed, 3 * 8 * 60, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 10, 10, 16, 0)


def test_adjusted_working_saturday_counts_nine_to_five():
    fri = at(2026, 9, 25, 16, 30)
    assert add_minutes(fri, 60, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 9, 26, 9, 30)
    # The whole Saturday counts, 9:00–17:00 and no more: 8 h 30 min from Friday 16:30 → Monday 9:00 + 0.
    assert add_minutes(fri, 8 * 60 + 30, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 9, 26, 17, 0)
    assert add_minutes(fri, 8 * 60 + 31, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 9, 28, 9, 1)
    # Sunday is still off.
    sunday_noon = at(2026, 9, 27, 12)
    assert add_minutes(sunday_noon, 30, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 9, 28, 9, 30)


def test_deadline_starting_on_a_holiday_starts_the_clock_after_it():
    assert add_minutes(at(2026, 10, 3, 10), 60, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 10, 8, 10)
    # Starting late on the last day before it, or on the night before the working Saturday.
    assert add_minutes(at(2026, 10, 9, 20), 60, working_hours_only=True, calendar=NATIONAL_DAY) == at(2026, 10, 10, 10)


def test_categories_without_working_hours_are_not_affected():
    wed = at(2026, 9, 30, 16, 0)
    assert add_minutes(wed, 120, working_hours_only=False, calendar=NATIONAL_DAY) == at(2026, 9, 30, 18, 0)


def test_plain_week_is_unchanged_without_exceptions():
    friday_1630 = at(2026, 11, 20, 16, 30)
    assert add_minutes(friday_1630, 60, working_hours_only=True) == at(2026, 11, 23, 9, 30)
    assert add_minutes(at(2026, 11, 23, 8), 0, working_hours_only=True) == at(2026, 11, 23, 9)
    assert add_minutes(at(2026, 11, 23, 17), 0, working_hours_only=True) == at(2026, 11, 24, 9)


# ---------------------------------------------------------------- helpers for dates in the editable years

def last_weekday_on_or_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def first_weekday_after(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def a_saturday(year: int) -> date:
    d = date(year, 6, 1)
    while d.weekday() != 5:
        d += timedelta(days=1)
    return d


@pytest.fixture
def quick(db):
    """A working-hours category with short clocks: 60 min response, 120 min handling."""
    return Category.objects.create(code="quick-wh", name="工作时间测试", response_minutes=60, handling_minutes=120,
                                   working_hours_only=True)


@pytest.fixture
def window():
    """(submission day: a weekday of last September, the 7 days after it off)."""
    d = last_weekday_on_or_before(date(timezone.localdate().year - 1, 9, 30))
    return d, d + timedelta(days=1), d + timedelta(days=7)


# ---------------------------------------------------------------- the calendar through the database

def test_cached_calendar_answers_without_queries_and_sees_changes(personas, django_assert_num_queries):
    start = at(2026, 9, 30, 16)
    current_calendar()
    with django_assert_num_queries(0):
        for _ in range(1000):
            add_minutes(start, 3 * 8 * 60, working_hours_only=True)
    year = timezone.localdate().year
    services.calendar_add_days_off(actor=personas.district_admin, start=date(year, 3, 2), end=date(year, 3, 6),
                                   name="测试假期")
    # The same thread sees its own change at once (and, inside the open transaction, uncached).
    assert not current_calendar().is_workday(date(year, 3, 3))


def test_a_rolled_back_change_leaves_no_stale_snapshot(personas):
    year = timezone.localdate().year
    day = date(year, 3, 3)
    assert current_calendar().is_workday(day) is (day.weekday() < 5)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.calendar_add_days_off(actor=personas.district_admin, start=day, end=day, name="回滚")
        assert not current_calendar().is_workday(day)
        raise RuntimeError("roll back")
    assert not WorkCalendarDay.objects.filter(date=day).exists()
    assert current_calendar().is_workday(day) is (day.weekday() < 5)


def test_new_demand_deadline_moves_past_days_off(personas, tree, quick, window):
    day, first_off, last_off = window
    services.calendar_add_days_off(actor=personas.district_admin, start=first_off, end=last_off, name="国庆节")
    d = services.demand_create(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1,
                               title="咨询", description="d", submitted_at=at(day.year, day.month, day.day, 16))
    after = first_weekday_after(last_off)
    assert local(d.response_due) == at(day.year, day.month, day.day, 17)  # 60 min: still that day
    assert local(d.handling_due) == at(after.year, after.month, after.day, 10)  # 120 min: 1 h + 1 h


def test_open_demands_are_recomputed_and_recorded_closed_ones_kept(personas, tree, quick, window, convenience):
    day, first_off, last_off = window
    submitted = at(day.year, day.month, day.day, 16)
    mk = dict(actor=personas.secretary, channel="hotline", region=tree.east1, title="t", description="d",
              submitted_at=submitted)
    open_one = services.demand_create(category=quick, **mk)
    closed = services.demand_create(category=quick, **mk)
    Demand.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    round_the_clock = services.demand_create(category=convenience, **mk)
    before = {x.pk: (x.response_due, x.handling_due) for x in (open_one, closed, round_the_clock)}
    nxt = first_weekday_after(day)
    assert local(open_one.handling_due) == at(nxt.year, nxt.month, nxt.day, 10)

    change = services.calendar_add_days_off(actor=personas.district_admin, start=first_off, end=last_off,
                                            name="国庆节")
    assert change.recomputed == 1 and len(change.entries) == 7
    open_one.refresh_from_db()
    after = first_weekday_after(last_off)
    assert local(open_one.handling_due) == at(after.year, after.month, after.day, 10)
    assert open_one.response_due == before[open_one.pk][0]  # due at 17:00 that day: untouched
    assert open_one.version == 2
    for other in (closed, round_the_clock):
        other.refresh_from_db()
        assert (other.response_due, other.handling_due) == before[other.pk]
    ev = DemandEvent.objects.get(demand=open_one, action="deadline")
    assert "国庆节" in ev.note and "办结时限由" in ev.note and ev.actor == personas.district_admin and ev.public
    audit = AuditEntry.objects.get(object_type="demands.demand", object_id=str(open_one.pk), action="update")
    assert set(audit.changes) == {"handling_due", "reason"}
    # The resident following the tracking code sees why the date moved.
    portal = Client().get(reverse("portal:demand", args=[open_one.tracking_code])).content.decode()
    assert "时限调整" in portal and "新增放假：国庆节" in portal
    assert AuditEntry.objects.filter(object_type="demands.workcalendarday", action="create").count() == 7

    # Deleting one day off brings the deadline one working day back … and is recorded too.
    first_weekday_off = next(first_off + timedelta(days=i) for i in range(7)
                             if (first_off + timedelta(days=i)).weekday() < 5)
    entry = WorkCalendarDay.objects.get(date=first_weekday_off)
    change = services.calendar_delete(actor=personas.district_admin, entry=entry)
    assert change.recomputed == 1
    open_one.refresh_from_db()
    assert local(open_one.handling_due).date() == first_weekday_off
    assert DemandEvent.objects.filter(demand=open_one, action="deadline").count() == 2
    assert AuditEntry.objects.filter(object_type="demands.workcalendarday", action="delete",
                                     object_id=str(entry.pk)).exists()


def test_adjusted_working_saturday_brings_an_open_deadline_forward(personas, tree, quick):
    sat = a_saturday(timezone.localdate().year - 1)
    friday = sat - timedelta(days=1)
    d = services.demand_create(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1,
                               title="t", description="d", submitted_at=at(friday.year, friday.month, friday.day, 16))
    monday = sat + timedelta(days=2)
    assert local(d.handling_due) == at(monday.year, monday.month, monday.day, 10)
    change = services.calendar_add_workday(actor=personas.district_admin, day=sat, name="调休上班")
    assert change.recomputed == 1
    d.refresh_from_db()
    assert local(d.handling_due) == at(sat.year, sat.month, sat.day, 10)
    assert d.overdue  # last year's deadline: already past


def test_reopened_demand_recomputes_from_its_reopening(personas, tree, quick, window):
    from django.db import connection

    day, first_off, last_off = window
    d = services.demand_create(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1,
                               title="t", description="d", submitted_at=at(day.year, day.month, day.day, 9))
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="好了")
    d = services.demand_transition(actor=personas.secretary, demand=d, action="reopen", note="没修好")
    # As if the reopening had happened on the submission day at 16:00, just before the days off.
    reopened_at = at(day.year, day.month, day.day, 16)
    with connection.cursor() as c:
        c.execute("UPDATE demands_demandevent SET created_at = %s WHERE demand_id = %s AND action = 'reopen'",
                  [reopened_at, d.pk])
    Demand.objects.filter(pk=d.pk).update(handling_due=add_minutes(reopened_at, 120, working_hours_only=True))
    assert services.calendar_add_days_off(actor=personas.district_admin, start=first_off, end=last_off,
                                          name="国庆节").recomputed == 1
    d.refresh_from_db()
    after = first_weekday_after(last_off)
    assert local(d.handling_due) == at(after.year, after.month, after.day, 10)
    assert local(d.response_due) == at(day.year, day.month, day.day, 10)  # its window had no day off


# ---------------------------------------------------------------- services: bad input, nothing saved

def _year():
    return timezone.localdate().year


def _bad_cases():
    y = _year()
    return [
        ("off", {"start": date(y, 10, 7), "end": date(y, 10, 1), "name": "国庆节"}, "end", "不能早于开始日期"),
        ("off", {"start": date(y, 1, 1), "end": date(y, 1, 16), "name": "长假"}, "end", "最长 15 天"),
        ("off", {"start": date(y, 10, 1), "end": date(y, 10, 3), "name": "国庆节"}, "start", f"日期 {y}-10-02"),
        ("off", {"start": date(y + 5, 10, 1), "end": date(y + 5, 10, 3), "name": "国庆节"}, "start", "年份应在"),
        ("off", {"start": date(y - 3, 10, 1), "end": date(y - 3, 10, 3), "name": "国庆节"}, "start", "年份应在"),
        ("off", {"start": date(y, 5, 4), "end": date(y, 5, 5), "name": "<b>劳动节</b>"}, "name", "不能包含 < 或 >"),
        ("off", {"start": date(y, 5, 4), "end": date(y, 5, 5), "name": " "}, "name", "名称不能为空"),
        ("off", {"start": date(y, 5, 4), "end": date(y, 5, 5), "name": "长" * 31}, "name", "名称过长"),
        ("off", {"start": None, "end": date(y, 5, 5), "name": "劳动节"}, "start", "请填写开始日期"),
        ("work", {"day": last_weekday_on_or_before(date(y, 6, 10)), "name": "调休"}, "day", "本来就是工作日"),
        ("work", {"day": a_saturday(y + 4), "name": "调休"}, "day", "年份应在"),
        ("work", {"day": a_saturday(y), "name": "<script>x</script>"}, "name", "不能包含 < 或 >"),
        ("work", {"day": a_saturday(y) + timedelta(days=7), "name": "调休"}, "day", "已在工作日历中"),
    ]


@pytest.mark.parametrize("case", range(13))
def test_bad_input_is_refused_by_field_and_nothing_saved(personas, case):
    y = _year()
    services.calendar_add_days_off(actor=personas.district_admin, start=date(y, 10, 2), end=date(y, 10, 2),
                                   name="国庆节")
    sat = a_saturday(y) + timedelta(days=7)
    services.calendar_add_days_off(actor=personas.district_admin, start=sat, end=sat, name="周末")
    rows, audits = WorkCalendarDay.objects.count(), AuditEntry.objects.count()
    kind, kw, field, text = _bad_cases()[case]
    fn = services.calendar_add_days_off if kind == "off" else services.calendar_add_workday
    with pytest.raises(ValidationError) as exc:
        fn(actor=personas.district_admin, **kw)
    assert text in exc.value.message_dict[field][0]
    assert WorkCalendarDay.objects.count() == rows and AuditEntry.objects.count() == audits


def test_services_refuse_without_the_permission(personas):
    y = _year()
    for who in (personas.street_staff, personas.secretary, personas.auditor, None):
        with pytest.raises(ValidationError, match="没有维护工作日历的权限"):
            services.calendar_add_days_off(actor=who, start=date(y, 5, 4), end=date(y, 5, 4), name="x")
    assert not WorkCalendarDay.objects.exists()


# ---------------------------------------------------------------- the page

URL = "demands:calendar"


@pytest.mark.parametrize("who, reads, changes", [
    ("district_admin", 200, True), ("superuser", 200, True),
    ("street_staff", 200, False), ("secretary", 200, False), ("community_staff", 200, False),
    ("grid_worker", 200, False),
    ("member", 403, False), ("liaison", 403, False), ("sysadmin", 403, False), ("secadmin", 403, False),
    ("auditor", 403, False), ("nobody", 403, False),
])
def test_role_matrix(personas, client_for, who, reads, changes):
    y = _year()
    entry = WorkCalendarDay.objects.create(date=date(y, 1, 1), kind=DayKind.DAY_OFF, name="元旦")
    c = client_for(getattr(personas, who))
    r = c.get(reverse(URL))
    assert r.status_code == reads
    home = c.get("/").content.decode()
    assert ("工作日历" in home) == (reads == 200)
    if reads == 200:
        html = r.content.decode()
        assert "元旦" in html
        assert ('id="days-off-form"' in html) == changes and ('id="workday-form"' in html) == changes
        assert (reverse("demands:calendar_delete", args=[entry.pk]) in html) == changes
    sat = a_saturday(y)
    posts = [
        c.post(reverse("demands:calendar_days_off"), {"off-name": "劳动节", "off-start": f"{y}-05-01",
                                                      "off-end": f"{y}-05-02"}),
        c.post(reverse("demands:calendar_workday"), {"work-name": "调休", "work-day": sat.isoformat()}),
        c.post(reverse("demands:calendar_delete", args=[entry.pk])),
    ]
    if changes:
        assert [p.status_code for p in posts] == [302, 302, 302]
        assert set(WorkCalendarDay.objects.values_list("date", flat=True)) == {date(y, 5, 1), date(y, 5, 2), sat}
    else:
        assert [p.status_code for p in posts] == [403, 403, 403]
        assert list(WorkCalendarDay.objects.values_list("pk", flat=True)) == [entry.pk]
        assert not AuditEntry.objects.filter(object_type="demands.workcalendarday").exists()


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse(URL))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post(reverse("demands:calendar_days_off"), {})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_page_adds_a_range_with_audit_and_message(personas, client_for):
    y = _year()
    c = client_for(personas.district_admin)
    r = c.post(reverse("demands:calendar_days_off"),
               {"off-name": "国庆节", "off-start": f"{y}-10-01", "off-end": f"{y}-10-07"}, follow=True)
    html = r.content.decode()
    assert f"已添加放假：国庆节 {y}-10-01 至 {y}-10-07（7 天）" in html
    assert WorkCalendarDay.objects.filter(kind=DayKind.DAY_OFF, name="国庆节").count() == 7
    entries = AuditEntry.objects.filter(object_type="demands.workcalendarday", action="create")
    assert entries.count() == 7 and {e.actor for e in entries} == {personas.district_admin}
    assert entries.filter(changes__name=[None, "国庆节"]).count() == 7
    assert html.count('<td class="day_off') == 7  # the year grid marks them
    sat = a_saturday(y)
    r = c.post(reverse("demands:calendar_workday"), {"work-name": "国庆调休", "work-day": sat.isoformat()},
               follow=True)
    assert "已添加调休上班：国庆调休" in r.content.decode()
    assert WorkCalendarDay.objects.get(date=sat).kind == DayKind.WORKDAY
    entry = WorkCalendarDay.objects.get(date=sat)
    r = c.post(reverse("demands:calendar_delete", args=[entry.pk]), follow=True)
    assert "已删除调休上班：国庆调休" in r.content.decode()
    assert AuditEntry.objects.filter(object_type="demands.workcalendarday", action="delete").count() == 1
    assert c.post(reverse("demands:calendar_delete", args=[entry.pk])).status_code == 404


def _page_bad_cases():
    y = _year()
    wd = last_weekday_on_or_before(date(y, 6, 10))
    return [
        ("days_off", {"off-name": "国庆节", "off-start": f"{y}-10-07", "off-end": f"{y}-10-01"},
         "结束日期 {y}-10-01 不能早于开始日期 {y}-10-07"),
        ("days_off", {"off-name": "长假", "off-start": f"{y}-01-01", "off-end": f"{y}-01-31"},
         "放假日期范围最长 15 天"),
        ("days_off", {"off-name": "元旦", "off-start": f"{y}-01-01", "off-end": f"{y}-01-01"},
         "日期 {y}-01-01（放假：元旦） 已在工作日历中"),
        ("days_off", {"off-name": "国庆节", "off-start": "1999-10-01", "off-end": "1999-10-03"},
         "开始日期的年份应在"),
        ("days_off", {"off-name": "<script>alert(1)</script>", "off-start": f"{y}-05-01", "off-end": f"{y}-05-02"},
         "名称不能包含 &lt; 或 &gt; 符号"),
        ("days_off", {"off-name": "劳动节", "off-start": "10/01/2026", "off-end": f"{y}-05-02"},
         "开始日期格式不正确"),
        ("days_off", {"off-name": "劳动节", "off-start": "", "off-end": ""}, "请填写开始日期"),
        ("workday", {"work-name": "调休", "work-day": wd.isoformat()}, "本来就是工作日"),
        ("workday", {"work-name": "调休", "work-day": f"{y + 9}-06-06"}, "调休上班日期的年份应在"),
        ("workday", {"work-name": "", "work-day": a_saturday(y).isoformat()}, "名称不能为空"),
    ]


@pytest.mark.parametrize("case", range(10))
def test_page_bad_input_shows_the_field_message_and_saves_nothing(personas, client_for, case):
    y = _year()
    WorkCalendarDay.objects.create(date=date(y, 1, 1), kind=DayKind.DAY_OFF, name="元旦")
    audits = AuditEntry.objects.count()
    view, data, text = _page_bad_cases()[case]
    r = client_for(personas.district_admin).post(reverse(f"demands:calendar_{view}"), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert text.format(y=y) in html, html[html.find("invalid-feedback") - 300:html.find("invalid-feedback") + 300]
    assert "is-invalid" in html and "<script>alert(1)</script>" not in html
    assert 'action="/demands/calendar/"' in html  # the year navigation leaves the POST URL
    assert WorkCalendarDay.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_page_year_parameter(personas, client_for):
    c = client_for(personas.secretary)
    y = _year()
    assert f"{y - 3} 年日历调整" in c.get(reverse(URL) + f"?year={y - 3}").content.decode()
    for bad in ("abc", "1800", "99999", str(y + 5)):
        html = c.get(reverse(URL) + f"?year={bad}").content.decode()
        assert "年份应在 2000～" in html and f"{y} 年日历调整" in html


def test_admin_sees_read_only_note_for_years_outside_the_editable_range(personas, client_for):
    y = _year()
    html = client_for(personas.district_admin).get(reverse(URL) + f"?year={y - 3}").content.decode()
    assert 'id="days-off-form"' not in html and "仅供查看" in html


def test_demand_detail_explains_working_hours(personas, client_for, tree, quick):
    d = services.demand_create(actor=personas.secretary, channel="hotline", category=quick, region=tree.east1,
                               title="t", description="d")
    html = client_for(personas.secretary).get(reverse("demands:detail", args=[d.pk])).content.decode()
    assert 'id="working-hours-note"' in html and reverse(URL) in html


def test_demo_calendar_has_only_fixed_date_holidays(personas):
    from demands import demo

    demo.load_calendar()
    y = _year()
    days = dict(WorkCalendarDay.objects.values_list("date", "name"))
    for year in (y, y + 1):
        assert {d: n for d, n in days.items() if d.year == year} == {
            date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节",
            date(year, 10, 1): "国庆节", date(year, 10, 2): "国庆节", date(year, 10, 3): "国庆节"}
    assert not WorkCalendarDay.objects.filter(kind=DayKind.WORKDAY).exists()
    demo.load_calendar()  # idempotent
    assert WorkCalendarDay.objects.count() == 12
