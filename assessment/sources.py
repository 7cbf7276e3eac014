"""Where the scores come from: each source reads one domain's own records for a year and gives, per
community, a figure — a count, or a rate as (part, whole) — in one grouped query over the
communities' paths (a community's path is its first three segments), plus the records behind one
community's figure (the evidence a score links to) and the formula in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from core import treepaths as paths

COMMUNITY_PATH = 3 * paths.SEGMENT  # the default prefix: a community's path is its first three segments


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    kind: str  # "count" | "rate"
    unit: str
    figures: Callable[[list, int], dict]   # (communities, year) → {path: n} or {path: (part, whole)}
    records: Callable[[object, int], list]  # (community, year) → [(label, url)]
    formula: str


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _span(nodes, field: str) -> Q:
    """One range over the nodes' nearest common ancestor (a city's 3,000 communities: one condition,
    not 3,000); rows outside the nodes themselves are dropped when grouped."""
    import os

    common = os.path.commonprefix([x.path for x in nodes])
    common = common[: len(common) // paths.SEGMENT * paths.SEGMENT]
    return Q(**{f"{field}__gte": common, f"{field}__lt": paths.upper_bound(common)}) if common else Q()


def _grouped(nodes, qs, field: str, **aggs) -> dict:
    """{node path: aggregates}, grouping the rows by the assessed nodes' path prefix (all nodes of
    one depth: communities, or streets)."""
    n = len(nodes[0].path) if nodes else COMMUNITY_PATH
    return {r.pop("c"): r for r in qs.annotate(c=Substr(field, 1, n)).values("c").annotate(**aggs).order_by()}


def _in(field: str, region) -> dict:
    return {f"{field}__gte": region.path, f"{field}__lt": paths.upper_bound(region.path)}


# -- meetings held (joint meetings of the community)
def _meetings(communities, year):
    from meetings.models import Meeting, MeetingStatus

    qs = Meeting.objects.filter(_span(communities, "body__region__path"), status=MeetingStatus.HELD, date__year=year)
    return {k: v["n"] for k, v in _grouped(communities, qs, "body__region__path", n=Count("id")).items()}


def _meeting_records(region, year):
    from django.urls import reverse

    from meetings.models import Meeting, MeetingStatus

    qs = Meeting.objects.filter(status=MeetingStatus.HELD, date__year=year, **_in("body__region__path", region))
    return [(f"{m.date:%Y-%m-%d} {m.title}", reverse("meetings:meeting", args=[m.pk])) for m in qs.order_by("date")]


# -- visits: households visited in the year / active households
def _visits(communities, year):
    from grid.models import Household, HouseholdStatus, Visit

    start, end = _year_bounds(year)
    households = Household.objects.filter(_span(communities, "grid__path"), status=HouseholdStatus.ACTIVE)
    hh = _grouped(communities, households, "grid__path", n=Count("id"))
    visits = Visit.objects.filter(_span(communities, "grid__path"), visited_at__gte=start, visited_at__lt=end)
    seen = _grouped(communities, visits, "grid__path", n=Count("household_id", distinct=True))
    return {k: (min(seen.get(k, {}).get("n", 0), v["n"]), v["n"]) for k, v in hh.items()}


def _visit_records(region, year):
    from grid.models import Visit

    start, end = _year_bounds(year)
    qs = Visit.objects.filter(visited_at__gte=start, visited_at__lt=end, **_in("grid__path", region)).select_related(
        "grid").order_by("-visited_at")[:50]
    return [(f"{timezone.localtime(v.visited_at):%Y-%m-%d} {v.grid.name}走访", "") for v in qs]


# -- demands: the three rates of the year (resolution, satisfaction, on time)
def _demand_groups(communities, year):
    from demands.models import Demand, Satisfaction

    start, end = _year_bounds(year)
    qs = Demand.objects.filter(_span(communities, "region__path"), submitted_at__gte=start, submitted_at__lt=end)
    return _grouped(communities, qs, "region__path", total=Count("id"),
                    resolved=Count("id", filter=Q(handled_at__isnull=False)),
                    on_time=Count("id", filter=Q(handled_at__isnull=False, handled_at__lte=F("handling_due"))),
                    rated=Count("id", filter=~Q(satisfaction="")),
                    satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])))


def _resolution(communities, year):
    return {k: (v["resolved"], v["total"]) for k, v in _demand_groups(communities, year).items()}


def _satisfaction(communities, year):
    return {k: (v["satisfied"], v["rated"]) for k, v in _demand_groups(communities, year).items()}


def _on_time(communities, year):
    return {k: (v["on_time"], v["resolved"]) for k, v in _demand_groups(communities, year).items()}


def _demand_records(region, year):
    from django.urls import reverse

    from demands.models import Demand

    start, end = _year_bounds(year)
    qs = Demand.objects.filter(submitted_at__gte=start, submitted_at__lt=end, **_in("region__path", region))
    return [(f"{d.title}（{d.get_state_display()}）", reverse("demands:detail", args=[d.pk]))
            for d in qs.order_by("-submitted_at")[:50]]


# -- co-building deeds of the year in the community
def _deeds(communities, year):
    from cobuild.models import Deed

    qs = Deed.objects.filter(_span(communities, "region__path"), date__year=year)
    return {k: v["n"] for k, v in _grouped(communities, qs, "region__path", n=Count("id")).items()}


def _deed_records(region, year):
    from django.urls import reverse

    from cobuild.models import Deed

    qs = Deed.objects.filter(date__year=year, **_in("region__path", region)).select_related("unit").order_by("-date")
    return [(f"{d.date:%Y-%m-%d} {d.unit.name}：{d.title}", reverse("cobuild:deed", args=[d.pk])) for d in qs[:50]]


# -- star board: units rated four or five stars / units rated
def _stars(communities, year):
    from cobuild.models import StarRating

    qs = StarRating.objects.filter(_span(communities, "region__path"), year=year)
    return {k: (v["good"], v["n"]) for k, v in _grouped(communities, qs, "region__path", n=Count("id"),
                                                          good=Count("id", filter=Q(stars__gte=4))).items()}


def _star_records(region, year):
    from cobuild.models import StarRating

    qs = StarRating.objects.filter(year=year, **_in("region__path", region)).select_related("unit").order_by("-stars")
    return [(f"{r.unit.name} {r.stars} 星", "") for r in qs[:50]]


# -- pledges fulfilled / pledges due in the year (members serving the community)
def _pledges(communities, year):
    from vanguard.models import Pledge, PledgeState

    qs = Pledge.objects.filter(_span(communities, "community__path"), due_on__year=year).exclude(
        state=PledgeState.WITHDRAWN)
    return {k: (v["done"], v["n"]) for k, v in _grouped(
        communities, qs, "community__path", n=Count("id"),
        done=Count("id", filter=Q(state__in=[PledgeState.FULFILLED, PledgeState.RATED]))).items()}


def _pledge_records(region, year):
    from vanguard.models import Pledge

    qs = Pledge.objects.filter(due_on__year=year, **_in("community__path", region)).order_by("due_on")
    return [(f"{p.title}（{p.get_state_display()}）", "") for p in qs[:50]]


# -- the key tasks handed to the community, done by their deadline
def _tasks(communities, year):
    from .models import Assignment, AssignmentStatus

    qs = Assignment.objects.filter(_span(communities, "region__path"), task__aspect__task_list__year=year)
    return {k: (v["done"], v["n"]) for k, v in _grouped(
        communities, qs, "region__path", n=Count("id"),
        done=Count("id", filter=Q(status=AssignmentStatus.DONE, overdue=False))).items()}


def _task_records(region, year):
    from django.urls import reverse

    from .models import Assignment

    qs = Assignment.objects.filter(task__aspect__task_list__year=year, **_in("region__path", region)).select_related(
        "task")
    return [(f"{a.number} {a.task.title}（{a.get_status_display()}{'，超期' if a.overdue else ''}）",
             reverse("assessment:assignment", args=[a.pk])) for a in qs.order_by("deadline")]


# -- weekly 纪实 written
def _weekly(communities, year):
    from .models import WeeklyLog

    qs = WeeklyLog.objects.filter(_span(communities, "region__path"), week_start__year=year)
    return {k: v["n"] for k, v in _grouped(communities, qs, "region__path", n=Count("id")).items()}


def _weekly_records(region, year):
    from .models import WeeklyLog

    qs = WeeklyLog.objects.filter(week_start__year=year, **_in("region__path", region)).order_by("-week_start")
    return [(f"{w.week_start:%Y-%m-%d} 起：{w.text[:40]}", "") for w in qs[:60]]


# -- 三会一课 and 主题党日 held by the Party organizations in the community (orglife)
def _sessions(communities, year):
    from orglife.models import Session, SessionStatus

    qs = Session.objects.filter(_span(communities, "org__region__path"), status=SessionStatus.HELD, date__year=year)
    return {k: v["n"] for k, v in _grouped(communities, qs, "org__region__path", n=Count("id")).items()}


def _session_records(region, year):
    from django.urls import reverse

    from orglife.models import Session, SessionStatus

    qs = Session.objects.filter(status=SessionStatus.HELD, date__year=year, **_in("org__region__path", region))
    return [(f"{x.date:%Y-%m-%d} {x.org.name} {x.get_kind_display()}：{x.topic}",
             reverse("orglife:session", args=[x.pk])) for x in qs.select_related("org").order_by("date")]


SOURCES: dict[str, Source] = {s.key: s for s in [
    Source("meetings_held", "召开党建联席会", "count", "次", _meetings, _meeting_records,
           "本年已召开的社区议事机构会议次数 ÷ 满分标准 × 分值（封顶）"),
    Source("visit_coverage", "入户走访覆盖率", "rate", "户", _visits, _visit_records,
           "本年走访过的在住户数 ÷ 在住户数 × 分值"),
    Source("demand_resolution", "诉求解决率", "rate", "件", _resolution, _demand_records,
           "本年诉求中已办结件数 ÷ 受理件数 × 分值"),
    Source("demand_satisfaction", "诉求满意率", "rate", "件", _satisfaction, _demand_records,
           "满意与基本满意件数 ÷ 已评价件数 × 分值"),
    Source("demand_on_time", "诉求按时办结率", "rate", "件", _on_time, _demand_records,
           "办结时限内办结件数 ÷ 已办结件数 × 分值"),
    Source("deeds", "驻区单位共建实事", "count", "件", _deeds, _deed_records,
           "本年驻区单位在社区办理的实事件数 ÷ 满分标准 × 分值（封顶）"),
    Source("stars", "星光榜四星以上单位占比", "rate", "个", _stars, _star_records,
           "本年评为四星、五星的驻区单位数 ÷ 参评单位数 × 分值"),
    Source("pledges", "党员承诺践诺率", "rate", "项", _pledges, _pledge_records,
           "本年到期承诺中已践诺项数 ÷ 到期承诺项数 × 分值"),
    Source("tasks_on_time", "重点任务按期完成率", "rate", "项", _tasks, _task_records,
           "交办本社区的重点任务中按期完成项数 ÷ 交办项数 × 分值"),
    Source("weekly_logs", "每周纪实", "count", "周", _weekly, _weekly_records,
           "本年填写每周纪实的周数 ÷ 满分标准 × 分值（封顶）"),
    Source("sessions_held", "三会一课与主题党日", "count", "次", _sessions, _session_records,
           "本年社区内各党组织已召开的三会一课与主题党日次数 ÷ 满分标准 × 分值（封顶）"),
]}


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- resident units (keyed by unit id)

def _unit_deeds(units, year):
    from cobuild.models import Deed

    rows = Deed.objects.filter(unit__in=units, date__year=year).values("unit_id").annotate(n=Count("id")).order_by()
    return {r["unit_id"]: r["n"] for r in rows}


def _unit_deed_records(unit, year):
    from django.urls import reverse

    from cobuild.models import Deed

    return [(f"{d.date:%Y-%m-%d} {d.title}", reverse("cobuild:deed", args=[d.pk]))
            for d in Deed.objects.filter(unit=unit, date__year=year).order_by("-date")[:50]]


def _unit_attendance(units, year):
    from meetings.selectors import unit_attendance

    return {k: v for k, v in unit_attendance([u.pk for u in units], year).items() if v[1]}


def _unit_attendance_records(unit, year):
    from meetings.models import Attendance, MeetingStatus

    qs = (Attendance.objects.filter(unit=unit, meeting__status=MeetingStatus.HELD, meeting__date__year=year)
          .select_related("meeting").order_by("meeting__date"))
    return [(f"{a.meeting.date:%Y-%m-%d} {a.meeting.title}：{a.get_status_display()}", "") for a in qs]


def _unit_stars(units, year):
    # One rating per community the unit serves: the unit's figure is their mean.
    from django.db.models import Avg

    from cobuild.models import StarRating

    rows = StarRating.objects.filter(unit__in=units, year=year).values("unit_id").annotate(s=Avg("stars")).order_by()
    return {r["unit_id"]: (Decimal(str(round(float(r["s"]), 1))), 5) for r in rows}


def _unit_star_records(unit, year):
    from cobuild.models import StarRating

    return [(f"{year}年星光榜 {r.region.name} {r.stars} 星（得分 {r.score}）", "")
            for r in StarRating.objects.filter(unit=unit, year=year).select_related("region")]


UNIT_SOURCES: dict[str, Source] = {s.key: s for s in [
    Source("unit_deeds", "在社区办理实事", "count", "件", _unit_deeds, _unit_deed_records,
           "本年在社区办理的实事件数 ÷ 满分标准 × 分值（封顶）"),
    Source("unit_attendance", "联席会出席率", "rate", "次", _unit_attendance, _unit_attendance_records,
           "出席次数 ÷（出席 + 无故缺席）次数 × 分值，请假不计"),
    Source("unit_stars", "星光榜星级", "rate", "星", _unit_stars, _unit_star_records,
           "星光榜星级 ÷ 5 × 分值"),
]}
