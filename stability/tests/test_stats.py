"""Monthly statistics per community of the scope: key people (only with their permission), visits,
overdue, cases received and agreed, reports, patrol posts and check-ins."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stability import services
from stability.stats import monthly

pytestmark = pytest.mark.django_db


def test_the_month_in_figures(world, personas, tree, client_for):
    today = date.today()
    services.key_visit_record(actor=personas.grid_worker, person=world.correction, visited_on=today, way="home",
                              findings="正常")
    case = services.case_create(actor=personas.secretary, region=tree.east1, kind="mediation", dispute_type="neighbour",
                                title="噪音", facts="夜间噪音", received_on=today,
                                parties=[{"role": "applicant", "name": "甲"}, {"role": "respondent", "name": "乙"}])
    services.case_agree(actor=personas.secretary, case=case, agreement="不再扰民", agreed_on=today, performance="即日",
                        follow_up_due=today + timedelta(days=10))
    services.report_create(actor=personas.grid_worker, region=tree.east1_grid1, kind="safety", urgency="urgent",
                           title="隐患", content="楼道堆物", occurred_at=timezone.now() - timedelta(minutes=5))
    now = timezone.now()
    shift = services.shift_create(actor=personas.secretary, team=world.team, kind="staggered",
                                  starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1), route="南门",
                                  members=list(world.team.members.values_list("pk", flat=True)[:2]))
    services.check_in(actor=personas.secretary, post=shift.posts.first())
    rows, total, key = monthly(personas.secretary, today)
    east = {r.community.name: r for r in rows}["东一社区"]
    assert key and east.key_open == 2 and east.key_visits == 1 and east.key_overdue == 1
    assert (east.cases, east.agreed, east.settle_rate) == (1, 1, "100%")
    assert (east.reports, east.urgent, east.posts, east.checked_in, east.check_in_rate) == (1, 1, 2, 1, "50%")
    assert [r.community.name for r in rows] == ["东一社区"]  # the secretary's scope
    _, street_total, _ = monthly(personas.street_staff, today)
    assert street_total.cases == 1
    _, staff_total, staff_key = monthly(personas.community_staff, today)
    assert not staff_key and staff_total.key_open == 0
    page = client_for(personas.district_admin).get(reverse("stability:stats") + "?month=2999-01").content.decode()
    assert "合计" in page
