"""The grid demo: the seed county's 26,620 residents with everything the issue lists."""

import json
from datetime import date

import pytest
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from core.treepaths import under as tree_under
from grid.models import (
    Facility,
    FacilityState,
    GridProfile,
    GridUnit,
    Household,
    HouseholdStatus,
    RentalLease,
    Resident,
    ResidentKind,
    ResidentStatus,
    Visit,
)
from regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db


def test_demo_loads_the_seed_county():
    from grid import demo as grid_demo
    from orgs import demo as foundation_demo

    foundation_demo.load()
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
    _check_later_changes()  # the same load: it takes seconds


def _check_later_changes():
    """Facility state changes, ended leases, moved-out households and residents, deaths and moves into another
    household: a few per town, made through the services by the demo accounts, with their audit entries."""
    today = timezone.localdate()
    towns = Region.objects.filter(kind=RegionKind.STREET)
    assert towns.count() == 3

    # Every faulty or offline facility was marked so through facility_set_state: a note, a marker, a time.
    broken = Facility.objects.exclude(state=FacilityState.NORMAL)
    assert broken.exists()
    marked = {e.object_id: e for e in AuditEntry.objects.filter(object_type="grid.facility",
                                                                 action=AuditAction.TRANSITION).order_by("at", "id")}
    for f in broken:
        entry = marked[str(f.pk)]
        assert entry.changes["state"][1] == f.state and entry.changes["note"][1], f
        assert entry.actor is not None and entry.actor.role_assignments.filter(region=f.grid).exists(), f
    # Some were repaired since: back to normal with two entries each (marked faulty, then normal).
    repaired = Facility.objects.filter(state=FacilityState.NORMAL, pk__in=[int(k) for k in marked])
    for town in towns:
        assert 2 <= repaired.filter(tree_under("grid__path", town.path)).count() <= 3, town
    for f in repaired:
        states = [e.changes["state"] for e in AuditEntry.objects.filter(
            object_type="grid.facility", object_id=str(f.pk)).order_by("at", "id")]
        assert states == [["normal", "fault"], ["fault", "normal"]], f

    # Per town: ended leases, moved-out households, moved-out / deceased residents, moves into another household.
    for town in towns:
        under = tree_under("grid__path", town.path)
        ended = RentalLease.objects.filter(under, ended_on__isnull=False)
        gone = Household.objects.filter(under, status=HouseholdStatus.MOVED_OUT)
        left = Resident.objects.filter(under, status=ResidentStatus.MOVED_OUT)
        dead = Resident.objects.filter(under, status=ResidentStatus.DECEASED)
        moved = AuditEntry.objects.filter(object_type="grid.resident", action=AuditAction.MOVE,
                                          object_id__in=[str(pk) for pk in Resident.objects.filter(under)
                                                         .values_list("pk", flat=True)])
        assert 2 <= ended.count() <= 3, town
        assert 4 <= gone.count() <= 6, town
        assert dead.count() >= 2 and left.exclude(household__status=HouseholdStatus.MOVED_OUT).count() >= 2, town
        assert moved.count() == 2, town
        for lease in ended:  # the tenants moved out with the lease
            assert lease.ended_on < today
            hh = Household.objects.get(house=lease.house)
            assert hh.status == HouseholdStatus.MOVED_OUT and hh.moved_out_on == lease.ended_on
    assert Household.objects.filter(status=HouseholdStatus.MOVED_OUT, moved_out_on__gte=today).count() == 0
    assert not Resident.objects.filter(left_on__gte=today).exists()
    assert not Resident.objects.filter(status=ResidentStatus.ACTIVE, household__status=HouseholdStatus.MOVED_OUT
                                       ).exists()
    for hh in Household.objects.filter(status=HouseholdStatus.MOVED_OUT):
        assert hh.moved_out_reason
        assert hh.last_visited_at is None or timezone.localtime(hh.last_visited_at).date() < hh.moved_out_on
    assert not Resident.objects.exclude(status=ResidentStatus.ACTIVE).filter(status_note="").exists()
    for e in AuditEntry.objects.filter(object_type="grid.resident", action=AuditAction.MOVE):
        r = Resident.objects.get(pk=e.object_id)
        assert e.changes["household"][1] == r.household_id and r.status == ResidentStatus.ACTIVE
        assert date.fromisoformat(e.changes["moved_on"][1]) < today and e.changes["note"][1]
        assert r.joined_on == date.fromisoformat(e.changes["moved_on"][1])   # 入户日期: the move's date
    # Everyone else joined their household when registered, before the months of visits.
    moved = AuditEntry.objects.filter(object_type="grid.resident", action=AuditAction.MOVE).values_list(
        "object_id", flat=True)
    assert not Resident.objects.exclude(pk__in=[int(pk) for pk in moved]).exclude(joined_on__lt=today).exists()
    # Every change is on record, by a demo account: the grid workers and the community secretary.
    changed = AuditEntry.objects.filter(object_type__in=["grid.household", "grid.resident", "grid.rentallease"])
    assert changed.filter(actor__isnull=True).count() == 0
    assert {"wgy", "sq_shuji"} <= set(changed.values_list("actor_name", flat=True))
    assert AuditEntry.objects.filter(object_type="grid.household", action=AuditAction.TRANSITION).count() == \
        Household.objects.filter(status=HouseholdStatus.MOVED_OUT).count()

    # The counters follow: members is the number of residents still living there, care flag likewise.
    active = Count("residents", filter=Q(residents__status=ResidentStatus.ACTIVE))
    care = Count("residents", filter=Q(residents__status=ResidentStatus.ACTIVE, residents__care_flags__gt=0))
    off = Household.objects.annotate(n=active, c=care).exclude(members=F("n"))
    assert not off.exists(), list(off.values("pk", "members", "n")[:5])
    assert not Household.objects.annotate(c=care).filter(is_care=True, c=0).exists()
    assert not Household.objects.annotate(c=care).filter(is_care=False, c__gt=0).exists()
    assert Household.objects.filter(status=HouseholdStatus.MOVED_OUT).exclude(members=0).count() == 0
    # Still the seed's residents in all; those living here are fewer by exactly those who left.
    assert Resident.objects.count() == 26620
    assert Household.objects.filter(status=HouseholdStatus.ACTIVE).aggregate(n=Sum("members"))["n"] == \
        Resident.objects.filter(status=ResidentStatus.ACTIVE).count()
