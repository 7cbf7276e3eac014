"""Responsibility zones: households from the grid registry, 2-3 members by rule, contacts, a problem that
becomes a demand in one step, and the lists of what falls short."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demands.models import Channel, Demand
from demands.tests.conftest import default_categories  # noqa: F401  (autouse: the demand categories)
from grid.tests.conftest import gdata  # noqa: F401  (the households of 东一社区 and 西一社区)
from vanguard import selectors, services
from vanguard.models import ZoneContact, ZoneHousehold

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(world, personas, tree, gdata):  # noqa: F811
    z = services.zone_create(actor=personas.secretary, community=tree.east1, name="阳光小区责任区",
                             description="阳光小区1号楼")
    services.zone_add_households(actor=personas.secretary, zone=z, building=tree.building)
    services.zone_set_members(actor=personas.secretary, zone=z, members=[world.me, world.other])
    return z


def test_a_building_joins_a_zone_and_a_household_lies_in_one_zone_only(zone, personas, tree, gdata):  # noqa: F811
    assert zone.households.count() == 3
    other = services.zone_create(actor=personas.secretary, community=tree.east1, name="二号楼责任区")
    with pytest.raises(ValidationError) as exc:
        services.zone_add_households(actor=personas.secretary, zone=other, households=[gdata.households["g11"][0]])
    assert "一户只能属于一个责任区" in exc.value.message_dict["households"][0]
    with pytest.raises(ValidationError) as exc:
        services.zone_add_households(actor=personas.secretary, zone=other, households=[gdata.households["w11"][0]])
    assert "不在东一社区" in exc.value.message_dict["households"][0]
    assert not ZoneHousehold.objects.filter(zone=other).exists()


def test_a_zone_with_one_member_is_refused_when_the_rule_says_two_to_three(zone, world, personas):
    with pytest.raises(ValidationError) as exc:
        services.zone_set_members(actor=personas.secretary, zone=zone, members=[world.me])
    assert exc.value.message_dict["members"] == ["每个责任区应由 2 至 3 名党员负责，现选择了 1 名"]
    assert zone.members.count() == 2
    with pytest.raises(ValidationError, match="不在本社区"):
        services.zone_set_members(actor=personas.secretary, zone=zone, members=[world.me, world.west])


def test_a_contact_problem_becomes_a_demand_in_one_step(zone, world, personas, gdata):  # noqa: F811
    hh = gdata.households["g11"][0]
    c = services.zone_contact_log(actor=personas.member, member=world.me, household=hh, on=timezone.localdate(),
                                  note="上门走访", problem="楼道灯坏了三天", to_demand=True)
    d = Demand.objects.get(pk=c.demand_id)
    assert d.channel == Channel.ZONE and d.household_id == hh.pk and d.region == hh.grid
    assert "楼道灯坏了三天" in d.title and world.me.name in d.description


def test_contacts_only_for_the_members_own_zone_and_not_in_the_future(zone, world, personas, gdata):  # noqa: F811
    with pytest.raises(ValidationError) as exc:
        services.zone_contact_log(actor=personas.member, member=world.me, household=gdata.households["g12"][0],
                                  on=timezone.localdate(), note="x")
    assert exc.value.message_dict["household"] == ["只能登记您负责的责任区内的住户"]
    with pytest.raises(ValidationError) as exc:
        services.zone_contact_log(actor=personas.member, member=world.me, household=gdata.households["g11"][0],
                                  on=timezone.localdate() + timedelta(days=1), note="x")
    assert exc.value.message_dict["on"] == ["联系日期不能晚于今天"]
    with pytest.raises(ValidationError) as exc:
        services.zone_contact_log(actor=personas.member, member=world.me, household=gdata.households["g11"][0],
                                  on=timezone.localdate(), note="x", to_demand=True)
    assert exc.value.message_dict["problem"] == ["发现的问题不能为空"]
    assert not ZoneContact.objects.exists() and not Demand.objects.exists()


def test_what_falls_short_is_listed(zone, world, personas, gdata):  # noqa: F811
    today = timezone.localdate()
    assert selectors.households_without_zone(personas.secretary).count() == 2  # the two of 网格2
    assert {zm.member for zm in selectors.silent_zone_members(personas.secretary, today)} == {world.me, world.other}
    services.zone_contact_log(actor=personas.member, member=world.me, household=gdata.households["g11"][1],
                              on=today, note="送去通知")
    assert {zm.member for zm in selectors.silent_zone_members(personas.secretary, today)} == {world.other}
    page = selectors.zones(personas.west_secretary)
    assert not page.exists()


def test_zone_pages_role_matrix(zone, world, personas, client_for, gdata):  # noqa: F811
    url = reverse("vanguard:zone", args=[zone.pk])
    for who, status in [("secretary", 200), ("street_staff", 200), ("grid_worker", 404), ("west_secretary", 404),
                        ("member", 403), ("liaison", 403), ("auditor", 403)]:
        assert client_for(getattr(personas, who)).get(url).status_code == status, who
    # A zone is the community's: a grid worker's scope (one grid) does not hold it.
    # The member sees their zone's households (no ID or phone numbers), and only theirs.
    page = client_for(personas.member).get(reverse("vanguard:my_zone")).content.decode()
    assert "张三" in page and "赵六" not in page
    assert not any(idn in page for idn in gdata.id_numbers.values())
    assert "13800138000" not in page
    foreign = gdata.households["g12"][0]
    assert client_for(personas.member).get(reverse("vanguard:my_contact", args=[foreign.pk])).status_code == 404


def test_member_logs_a_contact_on_the_page(zone, world, personas, client_for, gdata):  # noqa: F811
    hh = gdata.households["g11"][0]
    c = client_for(personas.member)
    resp = c.post(reverse("vanguard:my_contact", args=[hh.pk]), {
        "on": timezone.localdate().isoformat(), "note": "入户", "problem": "<b>x</b>", "to_demand": "on"})
    assert "发现的问题不能包含 &lt; 或 &gt; 符号" in resp.content.decode()
    assert not ZoneContact.objects.exists()
