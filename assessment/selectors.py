"""Reads of the command system that depend on who asks: everything is filtered by the data
scope of the assessed node (a community sees what is about itself, a street its communities)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, scope_filter, scope_paths
from core import treepaths as paths
from regions.models import Region

from .models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Dispatch,
    Entry,
    EntryStatus,
    EvidenceKind,
    Finding,
    Honor,
    Inspection,
    Problem,
    ProblemStatus,
    RectificationStatus,
    Sanction,
    TaskList,
    WeeklyLog,
)
from .rules import P


def task_lists(actor, perm: str = P.DIRECT) -> QuerySet[TaskList]:
    return scope_filter(TaskList.objects.select_related("region"), actor, perm)


def task_list_get(actor, pk: int, perm: str = P.DIRECT) -> TaskList:
    return get_in_scope_or_404(TaskList.objects.select_related("region"), actor, perm, pk=pk)


def assignments(actor, perm: str = P.VIEW) -> QuerySet[Assignment]:
    return scope_filter(Assignment.objects.select_related("region", "task__aspect__task_list", "parent"), actor, perm)


def assignment_get(actor, pk: int, perm: str = P.VIEW) -> Assignment:
    return get_in_scope_or_404(Assignment.objects.select_related("region", "task__aspect__task_list", "parent",
                                                                 "assigned_by", "acknowledged_by"),
                               actor, perm, pk=pk)


def assignment_list(actor, *, state: str = "", year: int | None = None) -> QuerySet[Assignment]:
    qs = assignments(actor)
    today = timezone.localdate()
    if year:
        qs = qs.filter(task__aspect__task_list__year=year)
    if state == "unsigned":
        qs = qs.filter(status=AssignmentStatus.ASSIGNED)
    elif state == "open":
        qs = qs.exclude(status=AssignmentStatus.DONE)
    elif state == "overdue":
        qs = qs.exclude(status=AssignmentStatus.DONE).filter(deadline__lt=today)
    elif state == "escalated":
        qs = qs.exclude(status=AssignmentStatus.DONE).filter(escalation__gt=0)
    elif state == "done":
        qs = qs.filter(status=AssignmentStatus.DONE)
    return qs.order_by("status", "deadline", "region__path", "id")


def to_sign(actor) -> QuerySet[Assignment]:
    """Letters handed to the nodes the actor answers for, not yet acknowledged."""
    from accounts.scope import scope_paths

    roots = scope_paths(actor, P.REPORT)
    qs = Assignment.objects.select_related("region", "task").filter(status=AssignmentStatus.ASSIGNED)
    return qs if roots is None else qs.filter(region__path__in=roots)


def weekly_logs(actor) -> QuerySet[WeeklyLog]:
    return scope_filter(WeeklyLog.objects.select_related("region", "written_by"), actor, P.VIEW)


def dispatches(actor) -> QuerySet[Dispatch]:
    return scope_filter(Dispatch.objects.select_related("region", "held_by"), actor, P.VIEW)


def dispatch_get(actor, pk: int) -> Dispatch:
    return get_in_scope_or_404(Dispatch.objects.select_related("region"), actor, P.VIEW, pk=pk)


def problems(actor, *, status: str = "") -> QuerySet[Problem]:
    qs = scope_filter(Problem.objects.select_related("region"), actor, P.VIEW)
    if status in ProblemStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.exclude(status=ProblemStatus.CLOSED)
    return qs


def problem_get(actor, pk: int) -> Problem:
    return get_in_scope_or_404(Problem.objects.select_related("region", "raised_by"), actor, P.VIEW, pk=pk)


def inspections(actor) -> QuerySet[Inspection]:
    from django.db.models import Count, Q

    return (scope_filter(Inspection.objects.select_related("region"), actor, P.VIEW)
            .annotate(n_findings=Count("findings"),
                      n_open=Count("findings", filter=Q(findings__status=RectificationStatus.OPEN)))
            .order_by("-date", "-id"))


def findings(actor) -> QuerySet[Finding]:
    """Rectification items about the scope (the node that must rectify)."""
    return scope_filter(Finding.objects.select_related("region", "inspection"), actor, P.VIEW)


def sanctions(actor) -> QuerySet[Sanction]:
    return scope_filter(Sanction.objects.select_related("region"), actor, P.VIEW)


def _in(path_field: str, region: Region) -> dict:
    return {f"{path_field}__gte": region.path, f"{path_field}__lt": paths.upper_bound(region.path)}


def record_choices(actor, region: Region, *, since: date | None = None, limit: int = 30) -> list[tuple[str, str]]:
    """Recent platform records inside `region` that the actor may link as evidence: meetings held,
    demands closed, deeds, visits ("kind:pk", label), newest first, at most `limit` of each."""
    from cobuild import selectors as cobuild_selectors
    from demands import selectors as demand_selectors
    from demands.models import State
    from grid import selectors as grid_selectors
    from grid.models import Visit
    from meetings import selectors as meeting_selectors
    from meetings.models import MeetingStatus

    since = since or date(timezone.localdate().year, 1, 1)
    out: list[tuple[str, str]] = []
    for m in (meeting_selectors.meetings(actor).filter(status=MeetingStatus.HELD, date__gte=since,
                                                       **_in("body__region__path", region))
              .order_by("-date")[:limit]):
        out.append((f"{EvidenceKind.MEETING}:{m.pk}", f"会议：{m.date:%Y-%m-%d} {m.title}"))
    for d in (demand_selectors.visible_demands(actor)
              .filter(state__in=[State.HANDLED, State.FOLLOW_UP, State.CLOSED], **_in("region__path", region))
              .order_by("-id")[:limit]):
        out.append((f"{EvidenceKind.DEMAND}:{d.pk}", f"已办结诉求：{d.title}"))
    for d in cobuild_selectors.deeds(actor).filter(date__gte=since, **_in("region__path", region)).order_by("-date")[
            :limit]:
        out.append((f"{EvidenceKind.DEED}:{d.pk}", f"共建实事：{d.date:%Y-%m-%d} {d.title}"))
    for v in (grid_selectors.scoped(Visit.objects.select_related("grid"), actor)
              .filter(visited_at__date__gte=since, **_in("grid__path", region)).order_by("-visited_at")[:limit]):
        out.append((f"{EvidenceKind.VISIT}:{v.pk}",
                    f"走访：{timezone.localtime(v.visited_at):%Y-%m-%d} {v.grid.name}"))
    return out


def record_link(kind: str, pk: int) -> str:
    """The address of a linked record's own page (the reader's scope applies there)."""
    from django.urls import NoReverseMatch, reverse

    names = {EvidenceKind.MEETING: "meetings:meeting", EvidenceKind.DEMAND: "demands:detail",
             EvidenceKind.DEED: "cobuild:deed"}  # a visit has no page of its own: its label says it
    try:
        return reverse(names[kind], args=[pk]) if kind in names else ""
    except NoReverseMatch:
        return ""


def counts(actor) -> dict[str, int]:
    """What is due, for the workbenches."""
    today = timezone.localdate()
    qs = assignments(actor).exclude(status=AssignmentStatus.DONE)
    return {
        "to_sign": to_sign(actor).count(),
        "open": qs.count(),
        "overdue": qs.filter(deadline__lt=today).count(),
        "escalated": qs.filter(escalation__gt=0).count(),
        "problems_open": problems(actor, status="open").count(),
        "rectifications_open": findings(actor).filter(status=RectificationStatus.OPEN).count(),
    }


# ---------------------------------------------------------------- campaigns

def campaigns(actor):
    """Campaigns the actor reads: those of the district above them (or under their scope); drafts
    only for those who may direct at the campaign's district."""
    qs = Campaign.objects.select_related("region")
    roots = scope_paths(actor, P.VIEW)
    if roots is None:
        return qs
    if not roots:
        return qs.none()
    above = {i for r in roots for i in paths.ancestor_ids(r)}
    qs = qs.filter(Q(region_id__in=above) | paths.under_any("region__path", roots))
    direct = scope_paths(actor, P.DIRECT) or []
    return qs.exclude(Q(status=CampaignStatus.DRAFT) & ~paths.under_any("region__path", direct))


def campaign_get(actor, pk: int):
    c = campaigns(actor).filter(pk=pk).first()
    if c is None:
        raise Http404("没有找到该评选活动")
    return c


def entries(actor):
    return scope_filter(Entry.objects.select_related("campaign__region", "org", "region"), actor, P.VIEW)


def honors(actor):
    return scope_filter(Honor.objects.select_related("org", "campaign", "region"), actor, P.VIEW)


def campaigns_to_enter(actor, today: date) -> list[tuple[Campaign, int]]:
    """Open campaigns (deadline not passed) with organizations in the actor's reporting scope that
    have not entered yet: (campaign, how many)."""
    from orgs.models import PartyOrg

    roots = scope_paths(actor, P.REPORT)
    if roots == []:
        return []
    out = []
    for c in campaigns(actor).filter(status=CampaignStatus.OPEN, entry_deadline__gte=today).order_by(
            "entry_deadline")[:20]:
        orgs = PartyOrg.objects.filter(paths.under("region__path", c.region.path), level=c.org_level)
        if roots is not None:
            orgs = orgs.filter(paths.under_any("region__path", roots))
        missing = orgs.exclude(pk__in=c.entries.values("org_id")).count()
        if missing:
            out.append((c, missing))
    return out


def entries_to_rate(actor) -> QuerySet[Entry]:
    """Entries waiting for the district's score, in the campaigns under review the actor runs."""
    roots = scope_paths(actor, P.DIRECT)
    qs = Entry.objects.filter(status=EntryStatus.SUBMITTED, campaign__status=CampaignStatus.REVIEW).select_related(
        "campaign", "org")
    if roots is None:
        return qs
    return qs.filter(paths.under_any("campaign__region__path", roots)) if roots else qs.none()
