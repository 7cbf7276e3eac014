"""The demo step: the seed county's 398 members with categories, dues, mobility and pending work."""

import pytest
from django.db.models import Count

from members.demo import load
from members.models import Decision, DualRegistration, DuesPayment, MobileRecord, PartyMember, Transfer
from orgs.models import OrgLevel
from regions.demo import load as load_foundation

pytestmark = pytest.mark.django_db


def test_demo_members():
    load_foundation()
    load()
    in_communities = PartyMember.objects.filter(org__level=OrgLevel.COMMUNITY)
    assert in_communities.count() == 398
    assert in_communities.values("org").distinct().count() == 8
    cats = dict(in_communities.values_list("category").annotate(n=Count("id")))
    assert cats["retired"] > cats["employed"] > 0 and cats["mobile"] == 8
    assert DuesPayment.objects.count() > 3000
    assert MobileRecord.objects.count() == 8
    assert Transfer.objects.filter(status=Decision.PENDING, batch__isnull=False).count() == 10
    assert DualRegistration.objects.filter(status=Decision.PENDING).exists()
    assert PartyMember.objects.get(user__username="dangyuan").name == "张建国"
