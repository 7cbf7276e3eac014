"""The demo steps of vanguard and points on the seed county: posts, pledges in every state, zones over
most households of two communities, activities with hours, last quarter's stars, points for every active
member who serves in a community."""

import pytest
from django.db.models import Count
from django.urls import reverse

from grid.demo import load as load_grid
from members.demo import load as load_members
from members.models import ACTIVE_STATUSES, PartyMember
from orgs.demo import load as load_foundation
from points.demo import load as load_points
from points.models import MemberPoints
from regions.models import Region, RegionKind
from vanguard.demo import load
from vanguard.models import Pledge, PledgeState, Post, ServiceStar, SignUp, StarState, Zone, ZoneHousehold
from vanguard.selectors import community_members

pytestmark = pytest.mark.django_db


def test_demo(client):
    load_foundation()
    load_members()
    load_grid()
    load()
    load_points()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY))
    assert Post.objects.values("region").distinct().count() == len(communities)
    assert set(Pledge.objects.values_list("state", flat=True)) == set(PledgeState.values)
    assert Pledge.objects.filter(returned_reason__gt="").exists()
    zoned = list(Zone.objects.values("community").annotate(n=Count("households")).order_by("-n"))
    assert len(zoned) == 2
    for row in zoned:
        from grid.models import Household

        community = Region.objects.get(pk=row["community"])
        total = Household.objects.filter(status="active", grid__parent=community).count()
        assert 0.75 * total <= row["n"] < total
    assert all(2 <= z.members.count() <= 3 for z in Zone.objects.all())
    assert ZoneHousehold.objects.count() > 100
    assert SignUp.objects.filter(hours__gt=0, user__isnull=True).exists()
    assert ServiceStar.objects.filter(state=StarState.APPROVED).count() == len(communities)
    serving = set()
    for c in communities:
        serving |= set(community_members(c).values_list("pk", flat=True))
    with_points = set(MemberPoints.objects.filter(total__gt=0).values_list("member_id", flat=True))
    assert serving and serving <= with_points
    zjg = PartyMember.objects.get(user__username="dangyuan")
    assert zjg.status in ACTIVE_STATUSES and zjg.zone_links.exists()
    # The public board of the demo member's community shows pledges and a star, no ID numbers.
    page = client.get(reverse("portal:sanliang", args=[zjg.org.region_id])).content.decode()
    assert "服务标兵" in page and "示诺中" in page and zjg.id_number not in page
