"""Browser workflows for things and organizations: a community secretary registers a facility by
picking its point on the map, marks it broken, and finds it in the community's broken list."""

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_adds_facility_marks_it_broken_and_sees_it_listed(page_for, personas, gdata, tree):
    from grid import services
    from grid.models import Facility

    services.facility_create(actor=None, grid=tree.east1_grid2, kind="hydrant", name="2号楼消防栓",
                             lat=47.005, lng=89.515)
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=设施与单位")
    page.wait_for_url("**/grid/facilities/**")
    page.select_option("#filter-region", str(tree.east1.pk))
    page.wait_for_url(f"**/grid/facilities/?region={tree.east1.pk}&*")
    page.click("#facility-add")
    page.wait_for_url("**/grid/facilities/new/**")
    page.select_option("#id_grid", str(tree.east1_grid1.pk))
    page.wait_for_selector(f"#picker[data-loaded='{tree.east1_grid1.pk}']", state="attached")
    page.select_option("#id_kind", "camera")
    page.fill("#id_name", "阳光小区东门雪亮工程摄像头")
    page.locator("#picker").click()  # the grid's square fills the picker; its centre is inside the grid
    lat = float(page.input_value("#id_lat"))
    lng = float(page.input_value("#id_lng"))
    assert 47.0 < lat < 47.01 and 89.5 < lng < 89.51
    screenshot(page, "grid_facility_pick_point")
    page.click("#facility-form button[type=submit]")
    page.wait_for_url("**/grid/facilities/*/")
    assert "已登记设施" in page.locator(".alert").inner_text()
    f = Facility.objects.get(name="阳光小区东门雪亮工程摄像头")
    assert f.grid_id == tree.east1_grid1.pk and abs(f.lat - lat) < 1e-6

    # Marking it broken without a note is refused, with the reason.
    page.select_option("#id_state", "fault")
    page.fill("#id_note", "")
    page.click("#state-form button[type=submit]")
    assert "须填写情况说明" in page.locator("#state-form").inner_text()
    page.fill("#id_note", "夜间无画面，疑似电源故障，已报修")
    page.click("#state-form button[type=submit]")
    page.wait_for_url(f"**/grid/facilities/{f.pk}/")
    assert page.locator("#facility-state").inner_text() == "故障"
    assert "夜间无画面" in page.locator("#facility-history").inner_text()
    page.wait_for_selector(f"#picker[data-loaded='{tree.east1_grid1.pk}']", state="attached")
    screenshot(page, "grid_facility_detail_broken")

    page.click("#main-menu >> text=设施与单位")
    page.select_option("#filter-region", str(tree.east1.pk))
    page.wait_for_url(f"**/grid/facilities/?region={tree.east1.pk}&*")
    assert page.locator("#broken-count").inner_text() == "1"
    screenshot(page, "grid_facility_list")
    page.click("#things-tabs >> text=故障与停用设施")
    page.wait_for_url(f"**/grid/facilities/broken/?region={tree.east1.pk}")
    rows = page.locator("#broken-table tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "阳光小区东门雪亮工程摄像头" in text and "故障" in text and "夜间无画面" in text and "王书记" in text
    screenshot(page, "grid_facility_broken_list")


def test_secretary_registers_unit_and_liaison(page_for, personas, gdata, tree):
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.goto(f"/grid/{tree.east1_grid1.pk}/")
    page.click("#units-link")
    page.click("#unit-add")
    page.select_option("#id_kind", "shop")
    page.fill("#id_name", "阳光便民超市")
    page.fill("#id_contact_name", "刘店长")
    page.fill("#id_contact_phone", "12345")
    page.click("#unit-form button[type=submit]")
    assert "联系电话格式不正确" in page.locator("#unit-form").inner_text()
    screenshot(page, "grid_unit_form_error")
    page.fill("#id_contact_phone", "13812345678")
    page.check("#id_has_party_org")
    page.click("#unit-form button[type=submit]")
    page.wait_for_url("**/grid/units/?region=*")
    row = page.locator("#unit-table tbody tr").first.inner_text()
    assert "阳光便民超市" in row and "138****5678" in row and "已建" in row
    screenshot(page, "grid_unit_list")

    page.goto(f"/grid/{tree.east1_grid1.pk}/")
    page.click("#liaisons-link")
    assert "还差 1 名" in page.locator("#liaison-rule").inner_text()
    page.fill("#id_name", "周楼长")
    page.fill("#id_duty", "楼栋长")
    page.click("#liaison-form button[type=submit]")
    assert "符合规则" in page.locator("#liaison-rule").inner_text()
    assert "周楼长" in page.locator("#liaison-table").inner_text()
    screenshot(page, "grid_liaisons")


def test_grid_worker_marks_facility_broken_on_phone(page_for, personas, gdata, tree):
    from grid import services

    f = services.facility_create(actor=None, grid=tree.east1_grid1, kind="hydrant", name="1号楼消防栓",
                                 lat=47.004, lng=89.504)
    page = page_for(viewport=(390, 844))
    login(page, "grid_worker", PASSWORD)
    page.goto("/grid/facilities/")
    page.click("#facility-table >> text=1号楼消防栓")
    page.wait_for_url(f"**/grid/facilities/{f.pk}/")
    page.select_option("#id_state", "fault")
    page.fill("#id_note", "无法出水")
    page.click("#state-form button[type=submit]")
    page.wait_for_url(f"**/grid/facilities/{f.pk}/")
    assert page.locator("#facility-state").inner_text() == "故障"
    page.wait_for_selector(f"#picker[data-loaded='{tree.east1_grid1.pk}']", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "grid_facility_phone")
