"""The grid demo: the seed county's 26,620 residents with everything the issue lists."""

import json

import pytest
from django.db.models import Count

from grid.models import Facility, GridProfile, GridUnit, Household, RentalLease, Resident, ResidentKind, Visit
from regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db


def test_demo_loads_the_seed_county():
    from grid import demo as grid_demo
    from regions import demo as region_demo

    region_demo.load()
    grid_demo.load()
    assert Resident.objects.count() == 26620
    assert Resident.objects.filter(kind=ResidentKind.FLOATING, permit_expiry__isnull=False).exists()
    assert RentalLease.objects.annotate(n=Count("tenants")).filter(n__gt=0).exists()
    assert Household.objects.filter(is_care=True).count() > 500
    assert Facility.objects.values("kind").distinct().count() == 4
    assert Visit.objects.count() > 20000
    # Names are unique per grid, as the services require of facilities and units edited later by hand.
    assert GridUnit.objects.count() > 100
    for model in (GridUnit, Facility):
        assert not model.objects.values("grid_id", "name").annotate(n=Count("id")).filter(n__gt=1).exists(), model
    grids = Region.objects.filter(kind=RegionKind.GRID)
    assert GridProfile.objects.exclude(boundary="").count() == grids.count()
    assert GridProfile.objects.get(primary_worker__username="wgy").region.parent.name == "文化东路社区"
    # The grids of one community tile its rectangle: their areas add up to it.
    comm = Region.objects.filter(kind=RegionKind.COMMUNITY).first()
    area = 0.0
    for p in GridProfile.objects.filter(region__parent=comm):
        ring = json.loads(p.boundary)["coordinates"][0]
        xs, ys = [pt[0] for pt in ring], [pt[1] for pt in ring]
        area += (max(xs) - min(xs)) * (max(ys) - min(ys))
    from grid.demo import COMM_H, COMM_W

    assert area == pytest.approx(COMM_W * COMM_H, rel=1e-3)
