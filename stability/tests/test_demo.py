"""The demo step on the seed county: every community has key people with visits (some overdue), a
mediation year, reports, its police officer and a patrol team with holiday rosters and check-ins."""

import pytest
from django.db.models import Count

from grid import demo as grid_demo
from orgs import demo as foundation_demo
from regions.models import Region, RegionKind
from stability import services
from stability.demo import load
from stability.models import (
    Case,
    CaseStatus,
    KeyPerson,
    KeyVisit,
    PatrolShift,
    PoliceOfficer,
    ShiftPost,
    StabilityReport,
)

pytestmark = pytest.mark.django_db


def test_demo_defence_line_per_community():
    foundation_demo.load()
    grid_demo.load()
    load()
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).count()
    assert communities == 8
    per = KeyPerson.objects.values("grid__parent").annotate(n=Count("id"))
    assert len(per) == 8 and all(3 <= row["n"] <= 5 for row in per)
    for p in KeyPerson.objects.select_related("category", "resident"):
        assert not p.visits.filter(visited_on__lt=p.registered_on).exists()  # no visit before the listing
        assert p.next_visit_due is None or p.next_visit_due > p.registered_on
    assert KeyPerson.objects.filter(leader__username="sq_shuji", category__secretary_leads=True).exists()
    assert KeyVisit.objects.count() > 50
    assert services.key_visits_check() >= 3  # every other community has one overdue
    assert Case.objects.values("region__path").count() >= 8 * 8
    assert Case.objects.filter(status=CaseStatus.CLOSED, followed_on__isnull=False).exists()
    assert Case.objects.filter(status=CaseStatus.CLOSED, agreement="").exists()  # a failed one
    assert StabilityReport.objects.filter(urgency="urgent").count() == 8
    assert PoliceOfficer.objects.filter(active=True).count() == 8
    assert PatrolShift.objects.filter(kind="holiday", occasion="春节").count() == 8 * 7
    assert ShiftPost.objects.filter(checked_in_at__isnull=False).count() > ShiftPost.objects.count() // 2
    assert ShiftPost.objects.filter(member__user__username="dangyuan").exists()
