"""Browser, on a phone: a member opens their zone, logs a contact with a household, and the problem found
becomes a demand in one step; the community sees it in the demand list."""

import pytest

from conftest import PASSWORD
from demands.models import Channel, Demand
from demands.tests.conftest import default_categories  # noqa: F401  (autouse)
from grid.tests.conftest import gdata  # noqa: F401
from tests.browser_fixtures import login, screenshot
from vanguard import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zone_contact_becomes_a_demand(page_for, world, personas, tree, gdata):  # noqa: F811
    zone = services.zone_create(actor=personas.secretary, community=tree.east1, name="阳光小区责任区",
                                description="阳光小区1号楼")
    services.zone_add_households(actor=personas.secretary, zone=zone, building=tree.building)
    services.zone_set_members(actor=personas.secretary, zone=zone, members=[world.me, world.other])

    m = page_for(viewport=(390, 844))
    login(m, "member", PASSWORD)
    m.goto("/vanguard/my/")
    m.click("#go-zone")
    m.wait_for_url("**/vanguard/my/zone/")
    households = m.locator("#my-households").inner_text()
    assert "张三" in households and "从未" in households
    screenshot(m, "vanguard_my_zone_phone")
    m.locator("#my-households li", has_text="张三").locator(".log-contact").click()
    m.fill("#id_note", "上门了解老人近况")
    m.fill("#id_problem", "楼道灯坏了三天，老人夜里出门不便")
    m.check("#id_to_demand")
    m.select_option("#id_demand_category", label="公共设施维修")
    screenshot(m, "vanguard_zone_contact_phone")
    m.click("#contact-submit")
    m.wait_for_url("**/vanguard/my/zone/")
    assert "问题已转为诉求" in m.content()
    assert "已转为诉求" in m.locator("#my-contacts").inner_text()
    d = Demand.objects.get()
    assert d.channel == Channel.ZONE and d.category.name == "公共设施维修"

    s = page_for()
    login(s, "secretary", PASSWORD)
    s.goto(f"/vanguard/zones/{zone.pk}/")
    assert "楼道灯坏了三天" in s.locator("#zone-contacts").inner_text()
    s.locator("#zone-contacts").get_by_text("（已转诉求）").click()
    s.wait_for_url(f"**/demands/{d.pk}/")
    assert "党员责任区上报" in s.content()
