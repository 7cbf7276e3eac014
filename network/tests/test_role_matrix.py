"""Who sees what: the district all, the street its communities, a community its own; grid workers, members,
liaisons and the three system admins nothing (403); another community's records are a 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from network import services
from network.models import CommitteeKind, CompoundBodyKind, LeaderVisit

from .conftest import quarter_day, today

pytestmark = pytest.mark.django_db

PAGES = ["network:index", "network:leaders", "network:unvisited", "network:problems", "network:committees",
         "network:compounds", "network:social_orgs"]


@pytest.mark.parametrize("who,status", [
    ("anonymous", 302), ("district_admin", 200), ("street_staff", 200), ("secretary", 200),
    ("community_staff", 200), ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("liaison", 403),
    ("sysadmin", 403), ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_pages_by_role(world, personas, client_for, client, who, status):
    c = client if who == "anonymous" else client_for(getattr(personas, who))
    for name in PAGES:
        assert c.get(reverse(name)).status_code == status, name


def _east1_records(world, tree, personas):
    v = services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                              date=quarter_day(), findings="东一走访")
    p = services.problem_create(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                                problem="东一的问题", owner="县住建局", deadline=today() + timedelta(days=10))
    c = services.committee_create(actor=personas.secretary, region=tree.east1, kind=CommitteeKind.COMMUNITY)
    b = services.compound_body_create(actor=personas.secretary, compound=tree.compound, kind=CompoundBodyKind.OWNERS,
                                      name="阳光小区业主委员会")
    o = services.social_org_create(actor=personas.secretary, community=tree.east1, name="东一志愿者协会",
                                   field="志愿服务", leader_name="周七", cultivated_on=today())
    return v, p, c, b, o


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("auditor", 403),
    ("sysadmin", 403), ("secadmin", 403), ("nobody", 403),
])
def test_a_communitys_records_by_role_and_scope(world, tree, personas, client_for, who, status):
    v, p, c, b, o = _east1_records(world, tree, personas)
    client = client_for(getattr(personas, who))
    for url in (reverse("network:community", args=[tree.east1.pk]),
                reverse("network:leader", args=[world.leaders[0].pk]),
                reverse("network:problem", args=[p.pk]),
                reverse("network:committee", args=[c.pk]),
                reverse("network:compound_body", args=[b.pk]),
                reverse("network:social_org", args=[o.pk])):
        assert client.get(url).status_code == status, url


def test_lists_show_only_the_scope(world, tree, personas, client_for):
    _east1_records(world, tree, personas)
    east = client_for(personas.secretary)
    leaders = east.get(reverse("network:leaders")).content.decode()
    assert "张一" in leaders and "钱五" not in leaders and "赵四" not in leaders
    index = east.get(reverse("network:index")).content.decode()
    assert "东一社区" in index and "东二社区" not in index and "西一社区" not in index
    street = client_for(personas.street_staff).get(reverse("network:index")).content.decode()
    assert "东一社区" in street and "东二社区" in street and "西一社区" not in street
    district = client_for(personas.district_admin).get(reverse("network:leaders")).content.decode()
    assert all(n in district for n in ("张一", "赵四", "钱五"))
    west = client_for(personas.west_secretary)
    assert "东一的问题" not in west.get(reverse("network:problems")).content.decode()
    assert "东一志愿者协会" not in west.get(reverse("network:social_orgs")).content.decode()
    assert west.get(reverse("network:leader", args=[world.leaders[4].pk])).status_code == 200
    assert west.get(reverse("network:community", args=[tree.east1.pk])).status_code == 404


def test_writes_need_manage_in_scope(world, tree, personas, client_for):
    data = {"leader": world.leaders[0].pk, "kind": "inspection", "date": today().isoformat(), "findings": "看了"}
    url = reverse("network:visit_new", args=[tree.east1.pk])
    assert client_for(personas.west_secretary).post(url, data).status_code == 404
    assert client_for(personas.member).post(url, data).status_code == 403
    assert client_for(personas.grid_worker).post(url, data).status_code == 403
    assert not LeaderVisit.objects.exists()
    assert client_for(personas.street_staff).post(url, data).status_code == 302
    # Leaders and their assignments are the district's: the street and the community cannot.
    leader_url = reverse("network:leader", args=[world.leaders[0].pk])
    assert client_for(personas.street_staff).post(leader_url, {"community": tree.east2.pk}).status_code == 403
    unassigned = reverse("network:leader", args=[world.leaders[3].pk])  # 赵四: no community of the street
    assert client_for(personas.street_staff).get(unassigned).status_code == 404
    assert client_for(personas.secretary).post(reverse("network:leaders"),
                                               {"leader-name": "孙六", "leader-post": "副县长"}).status_code == 403
    assert client_for(personas.district_admin).post(reverse("network:leaders"),
                                                    {"leader-name": "孙六", "leader-post": "副县长"}).status_code == 302


def test_menu_and_workbench(world, tree, personas, client_for):
    p = services.problem_create(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                                problem="社区活动室漏水", owner="县住建局", deadline=today())
    LeaderVisit.objects.all().delete()
    type(p).objects.filter(pk=p.pk).update(deadline=today() - timedelta(days=3))
    home = client_for(personas.district_admin).get("/").content.decode()
    assert reverse("network:leaders") in home and reverse("network:unvisited") in home
    assert "本季度未走访的县领导" in home and "张一" in home
    assert "县领导领办问题超期" in home and "社区活动室漏水" in home
    sec = client_for(personas.secretary).get("/").content.decode()
    assert "社区活动室漏水" in sec and reverse("network:index") in sec
    assert "社区活动室漏水" not in client_for(personas.west_secretary).get("/").content.decode()
    assert reverse("network:index") not in client_for(personas.grid_worker).get("/").content.decode()
    assert reverse("network:index") not in client_for(personas.auditor).get("/").content.decode()
