"""A resident reports from a phone: category (its own promise), a pin on the map (the community is
chosen from it), the open reports nearby, submit; then the public page with the handler's reply
and after-photo."""

from __future__ import annotations

import pytest

from demands import services
from demands.models import Demand
from demands.tests.conftest import png
from grid import services as grid_services
from tests.browser_fixtures import screenshot

from .test_reports import SQUARE, _report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)], ids=["phone", "desktop"])
def test_resident_reports_from_the_map_and_follows_the_public_page(page_for, personas, tree, viewport):
    grid_services.grid_profile_update(actor=None, grid=tree.east1_grid1, boundary=SQUARE)
    earlier = _report(tree, "路灯不亮", photos=[png("before.png")])
    page = page_for(viewport=viewport)
    page.goto("/portal/")
    page.select_option("#id_category", "facility-repair")
    assert page.locator("#category-promise").inner_text() == "该类诉求承诺：2 小时内响应，3 天内办结"
    assert "半小时" not in page.locator("#portal-promise").inner_text()
    page.wait_for_selector("#pin-map[data-ready='1']")
    page.locator("#pin-map").scroll_into_view_if_needed()
    page.locator("#pin-map").click()  # the middle of the map: inside 网格1 of 东一社区
    page.wait_for_selector(".nearby-report")
    assert page.locator("#id_community").input_value() == str(tree.east1.pk)
    assert "东一社区网格1" in page.locator("#locate-status").inner_text()
    nearby = page.locator("#nearby-reports").inner_text()
    assert "路灯不亮" in nearby and "无需重复提交" in nearby and "13900001111" not in nearby
    if viewport[0] < 768:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    screenshot(page, f"portal-map-pin-{viewport[0]}")
    page.fill("#id_title", "路灯杆倾斜")
    page.fill("#id_description", "路灯杆歪了，怕倒")
    page.click("#portal-form button[type=submit]")
    page.wait_for_selector("#submitted-promise")
    assert "“公共设施维修”类诉求承诺：2 小时内响应，3 天内办结" in page.locator("#submitted-promise").inner_text()
    mine = Demand.objects.get(title="路灯杆倾斜")
    assert mine.region == tree.east1 and abs(mine.lat - 47.005) < 0.004 and abs(mine.lng - 89.505) < 0.004
    screenshot(page, f"portal-submitted-{viewport[0]}")
    # The earlier report is handled with a reply and an after-photo; its public page shows both.
    services.demand_transition(actor=personas.secretary, demand=earlier, action="dispatch",
                               target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.grid_worker, demand=earlier, action="handle",
                               note="已更换灯泡", photos=[png("after.png")])
    page.goto(f"/portal/r/{earlier.tracking_code}/")
    assert page.locator("#report-state").inner_text() == "已办结"
    assert page.locator("#resident-photos img").count() == 1 and page.locator("#after-photos img").count() == 1
    assert page.locator("#after-photos img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert "已更换灯泡" in page.locator("#report-replies").inner_text()
    body = page.locator("body").inner_text()
    assert "李四" not in body and "13900001111" not in body and personas.grid_worker.display_name not in body
    screenshot(page, f"portal-public-report-{viewport[0]}")
