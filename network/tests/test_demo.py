"""The demo step on the seed county: 20 county leaders, every community exactly three; a year of visits,
mostly at the quarterly joint meeting (linked to it), 迎宾路社区 neglected; problems taken on, some
overdue; the 委员制 per town; compounds' owners' committees and property firms; two social organizations."""

from collections import Counter

import pytest
from django.utils import timezone

from cobuild.demo import load as load_cobuild
from meetings.demo import load as load_meetings
from network import selectors
from network.demo import load
from network.models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    CompoundBody,
    CompoundBodyMember,
    CountyLeader,
    LeaderAssignment,
    LeaderProblem,
    LeaderVisit,
    SocialOrg,
)
from orgs.demo import load as load_foundation
from regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db


def test_demo_network():
    load_foundation()
    load_cobuild()
    load_meetings()
    load()
    today = timezone.localdate()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY))
    assert len(communities) == 8 and CountyLeader.objects.count() == 20
    per_community = Counter(LeaderAssignment.objects.filter(ended_on__isnull=True).values_list("community", flat=True))
    assert set(per_community.values()) == {3} and len(per_community) == 8
    per_leader = Counter(LeaderAssignment.objects.values_list("leader", flat=True))
    assert set(per_leader.values()) == {1, 2}
    visits = LeaderVisit.objects.all()
    assert visits.count() > 60 and not visits.filter(date__gt=today).exists()
    linked = visits.filter(meeting__isnull=False)
    assert linked.exists() and all(v.meeting.date == v.date and v.meeting.body.region_id == v.community_id
                                   for v in linked.select_related("meeting__body"))
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="qw_zzb")
    unvisited = selectors.unvisited(admin, today)
    neglected = [u for u in unvisited if u.assignment.community.name == "迎宾路社区"]
    assert len(neglected) == 3  # nobody came this quarter
    rows = selectors.community_rows(admin, today)  # two towns have a 文化东路社区: keep the list
    assert len(rows) == 8 and all(r.leaders == 3 for r in rows)
    assert [r.visited_leaders for r in rows if r.region.name == "迎宾路社区"] == [0]
    assert LeaderProblem.objects.exists() and selectors.overdue_problems(admin, today).exists()
    assert Committee.objects.filter(kind=CommitteeKind.COORDINATION).count() == 3
    assert Committee.objects.filter(kind=CommitteeKind.WORKING).count() == 1
    assert Committee.objects.filter(kind=CommitteeKind.COMMUNITY).count() == 8
    unit_members = CommitteeMember.objects.filter(unit__isnull=False)
    assert unit_members.exists() and not unit_members.filter(unit_community__isnull=True).exists()
    assert CompoundBody.objects.exists() and CompoundBodyMember.objects.exclude(community_post="").exists()
    totals = selectors.community_totals(rows)
    assert 0 < totals["with_cross"] <= totals["with_party_org"] <= totals["covered"] <= totals["compounds"]
    assert SocialOrg.objects.count() == 2 == totals["social_orgs"] and totals["leaders"] == 24
