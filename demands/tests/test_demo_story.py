"""The demo's year tells the leaders' dashboards a story: one street improving, one community falling
behind (issue: dashboards with a year of data that tell a story)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demands.models import Demand, State
from regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db


def _overdue_share(demands, *, older_than=None, newer_than=None) -> float:
    now = timezone.now()
    picked = [d for d in demands
              if (older_than is None or d.submitted_at < now - timedelta(days=older_than))
              and (newer_than is None or d.submitted_at > now - timedelta(days=newer_than))]
    assert len(picked) > 50
    return sum(d.overdue for d in picked) / len(picked)


def test_a_street_improves_and_a_community_falls_behind():
    from demands import demo
    from orgs import demo as foundation_demo

    foundation_demo.load()
    demo.load()
    streets = list(Region.objects.filter(kind=RegionKind.STREET).order_by("path"))
    closed = list(Demand.objects.filter(state=State.CLOSED).select_related("region__parent__parent"))

    def community(d):
        r = d.region
        while r.kind != RegionKind.COMMUNITY:
            r = r.parent
        return r

    improving = [d for d in closed if community(d).parent_id == streets[1].pk]
    first_street = list(Region.objects.filter(parent=streets[0], kind=RegionKind.COMMUNITY).order_by("path"))
    behind = [d for d in closed if community(d).pk == first_street[-1].pk]
    level = [d for d in closed if community(d).pk == first_street[0].pk]
    assert _overdue_share(improving, older_than=270) > _overdue_share(improving, newer_than=90) + 0.15
    assert _overdue_share(behind, newer_than=90) > _overdue_share(behind, older_than=270) + 0.15
    assert abs(_overdue_share(level, older_than=270) - _overdue_share(level, newer_than=90)) < 0.15
