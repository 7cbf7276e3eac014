"""Every new demand lands in a queue with a notice to the people who can act; notices close when
the demand is done; dispatch suggests a grid from the place."""

import json

import pytest

from demands import selectors, services
from demands.models import Category, Channel
from grid.models import GridProfile
from notifications.models import Notification

pytestmark = pytest.mark.django_db

# A 0.01° square around (47.00, 89.50) for 东一社区 网格2; its centre for 网格1 is 2 km away.
SQUARE = [[89.495, 46.995], [89.505, 46.995], [89.505, 47.005], [89.495, 47.005], [89.495, 46.995]]


@pytest.fixture
def grids(tree):
    GridProfile.objects.create(region=tree.east1_grid2, boundary=json.dumps({"type": "Polygon",
                               "coordinates": [SQUARE]}), center_lat=47.0, center_lng=89.5)
    GridProfile.objects.create(region=tree.east1_grid1, center_lat=47.02, center_lng=89.5)
    return tree


@pytest.fixture
def outside(convenience):
    """A demand from the portal or Open311 (no signed-in actor)."""
    def _make(region, channel=Channel.PORTAL, **kw):
        return services.demand_create(actor=None, channel=channel, category=convenience, region=region,
                                      title="楼道灯不亮", description="三单元楼道灯坏了", **kw)

    return _make


def recipients(demand):
    return set(Notification.objects.filter(source_id=str(demand.pk)).values_list("recipient__username", flat=True))


def test_a_portal_demand_reaches_the_community_queue_and_its_people(outside, personas, tree):
    d = outside(tree.east1)
    assert recipients(d) == {"secretary", "community_staff"}
    note = Notification.objects.get(recipient=personas.secretary, source_id=str(d.pk))
    assert "办结时限" in note.body and note.link == f"/demands/{d.pk}/"
    assert d in selectors.handler_queue(personas.secretary)
    assert d in selectors.handler_queue(personas.community_staff)
    assert d not in selectors.handler_queue(personas.west_secretary)
    assert d not in selectors.handler_queue(personas.grid_worker)


def test_a_staff_intake_tells_the_others_not_the_one_who_took_it(make_demand, personas, tree):
    d = make_demand(actor=personas.community_staff, region=tree.east1)
    assert recipients(d) == {"secretary"}


def test_open311_above_the_community_lands_in_the_community_of_the_point(grids, outside, tree, personas):
    d = outside(tree.district, Channel.OPEN311, lat=47.001, lng=89.501)
    assert d.region == tree.east1
    assert recipients(d) == {"secretary", "community_staff"}


def test_an_address_naming_a_compound_routes_and_suggests_its_grid(outside, tree, personas):
    d = outside(tree.east, Channel.OPEN311, address="东街道阳光小区1号楼3单元")
    assert d.region == tree.east1
    targets = selectors.dispatch_targets(personas.secretary, d)
    grid, why = selectors.suggested_grid(d, targets)
    assert grid == tree.east1_grid1 and "阳光小区1号楼" in why


def test_the_suggestion_is_the_grid_containing_the_point_else_the_nearest_centre(grids, make_demand, tree, personas):
    inside = make_demand(lat=47.001, lng=89.501)
    near = make_demand(lat=47.019, lng=89.5)
    far = make_demand(lat=47.3, lng=89.5)
    targets = selectors.dispatch_targets(personas.secretary, inside)
    assert selectors.suggested_grid(inside, targets)[0] == tree.east1_grid2
    grid, why = selectors.suggested_grid(near, targets)
    assert grid == tree.east1_grid1 and "最近" in why
    assert selectors.suggested_grid(far, targets) is None


def test_the_detail_page_preselects_the_suggested_grid(make_demand, client_for, personas, tree):
    d = make_demand(address="阳光小区1号楼")
    html = client_for(personas.secretary).get(f"/demands/{d.pk}/").content.decode()
    assert "建议派至" in html and f'value="r:{tree.east1_grid1.pk}" selected' in html


def test_a_grid_workers_hazard_reaches_the_grid_and_the_community_with_its_deadline(personas, tree):
    hazard = Category.objects.get(code="safety-hazard")  # 30 minutes to respond
    d = services.demand_create(actor=personas.grid_worker, channel=Channel.STREET, category=hazard,
                               region=tree.east1_grid1, title="井盖缺失", description="路口井盖缺失",
                               lat=47.0, lng=89.5, address="阳光小区门口")
    assert recipients(d) == {"secretary", "community_staff"}
    assert "响应时限" in Notification.objects.filter(source_id=str(d.pk)).first().body
    assert d in selectors.handler_queue(personas.grid_worker)
    assert d not in selectors.handler_queue(personas.other_grid_worker)


def test_notices_close_when_the_demand_is_handled(outside, personas, tree):
    d = outside(tree.east1)
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    assert Notification.objects.filter(source_id=str(d.pk), read_at__isnull=True).count() == 3
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已处理")
    assert not Notification.objects.filter(source_id=str(d.pk), read_at__isnull=True).exists()
    assert d not in selectors.handler_queue(personas.grid_worker)
