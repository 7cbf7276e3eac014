"""Monthly statistics of the defence line per community of the scope: key people under management and
their visits (only for viewers with the key-people permission), cases received and settled, reports
upward by urgency, patrol shifts, check-ins and incidents."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.scope import has_perm, scope_filter
from core import treepaths
from regions.models import Region, RegionKind

from .models import (
    Case,
    CaseStatus,
    KeyPerson,
    KeyStatus,
    KeyVisit,
    PatrolIncident,
    ShiftPost,
    StabilityReport,
    Urgency,
)
from .rules import P


@dataclass
class Row:
    community: Region
    key_open: int = 0
    key_visits: int = 0
    key_overdue: int = 0
    cases: int = 0
    agreed: int = 0
    failed: int = 0
    reports: int = 0
    urgent: int = 0
    posts: int = 0
    checked_in: int = 0
    incidents: int = 0
    by_category: dict = field(default_factory=dict)

    @property
    def settle_rate(self) -> str:
        done = self.agreed + self.failed
        return f"{round(self.agreed * 100 / done)}%" if done else "—"

    @property
    def check_in_rate(self) -> str:
        return f"{round(self.checked_in * 100 / self.posts)}%" if self.posts else "—"


def month_bounds(month: date) -> tuple[date, date, datetime, datetime]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return first, nxt, datetime.combine(first, datetime.min.time(), tzinfo=tz), \
        datetime.combine(nxt, datetime.min.time(), tzinfo=tz)


def _community_id(path: str, ids: dict[str, int]) -> int | None:
    for p, pk in ids.items():
        if treepaths.is_under(path, p):
            return pk
    return None


def monthly(actor, month: date) -> tuple[list[Row], Row, bool]:
    """One row per community of the scope, and the total; the flag says whether key people are counted."""
    communities = list(scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), actor, P.VIEW, "path")
                       .order_by("path")[:500])
    rows = {c.pk: Row(c) for c in communities}
    paths = {c.path: c.pk for c in communities}
    first, nxt, start, end = month_bounds(month)
    key = has_perm(actor, P.KEY_VIEW)

    def add(items, attr):
        for path, n in items:
            cid = _community_id(path, paths)
            if cid is not None:
                setattr(rows[cid], attr, getattr(rows[cid], attr) + n)

    if key:
        people = scope_filter(KeyPerson.objects.all(), actor, P.KEY_VIEW)
        open_ = people.filter(registered_on__lt=nxt).filter(Q(released_on__isnull=True) | Q(released_on__gte=first))
        for path, cat, n in open_.values_list("grid__path", "category__name").annotate(n=Count("id")):
            cid = _community_id(path, paths)
            if cid is not None:
                rows[cid].key_open += n
                rows[cid].by_category[cat] = rows[cid].by_category.get(cat, 0) + n
        add(scope_filter(KeyVisit.objects.filter(visited_on__gte=first, visited_on__lt=nxt), actor, P.KEY_VIEW,
                         "person__grid__path").values_list("person__grid__path").annotate(n=Count("id")), "key_visits")
        add(people.filter(status=KeyStatus.ACTIVE, next_visit_due__lt=min(nxt, timezone.localdate()))
            .values_list("grid__path").annotate(n=Count("id")), "key_overdue")
    cases = scope_filter(Case.objects.all(), actor, P.VIEW)
    add(cases.filter(received_on__gte=first, received_on__lt=nxt).values_list("region__path").annotate(n=Count("id")),
        "cases")
    add(cases.filter(agreed_on__gte=first, agreed_on__lt=nxt).values_list("region__path").annotate(n=Count("id")),
        "agreed")
    add(cases.filter(status__in=[CaseStatus.FAILED, CaseStatus.CLOSED], agreed_on__isnull=True,
                     steps__action="调解不成", steps__on__gte=first, steps__on__lt=nxt)
        .values_list("region__path").annotate(n=Count("id", distinct=True)), "failed")
    reports = scope_filter(StabilityReport.objects.filter(reported_at__gte=start, reported_at__lt=end), actor, P.VIEW)
    add(reports.values_list("region__path").annotate(n=Count("id")), "reports")
    add(reports.filter(urgency=Urgency.URGENT).values_list("region__path").annotate(n=Count("id")), "urgent")
    posts = scope_filter(ShiftPost.objects.filter(starts_at__gte=start, starts_at__lt=end), actor, P.VIEW,
                         "shift__team__community__path")
    add(posts.values_list("shift__team__community__path").annotate(n=Count("id")), "posts")
    add(posts.filter(checked_in_at__isnull=False).values_list("shift__team__community__path").annotate(n=Count("id")),
        "checked_in")
    add(scope_filter(PatrolIncident.objects.filter(found_at__gte=start, found_at__lt=end), actor, P.VIEW,
                     "shift__team__community__path").values_list("shift__team__community__path")
        .annotate(n=Count("id")), "incidents")
    out = list(rows.values())
    total = Row(Region(name="合计"))
    by_cat: dict = defaultdict(int)
    for r in out:
        for attr in ("key_open", "key_visits", "key_overdue", "cases", "agreed", "failed", "reports", "urgent",
                     "posts", "checked_in", "incidents"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        for k, v in r.by_category.items():
            by_cat[k] += v
    total.by_category = dict(by_cat)
    return out, total, key
