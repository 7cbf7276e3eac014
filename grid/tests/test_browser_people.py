"""Browser workflow: a grid worker on a phone (390×844) adds a resident to a household and edits them."""

from datetime import date

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_grid_worker_adds_and_edits_a_resident_on_phone(page_for, personas, gdata):
    from core.idnumber import synthetic_id_number
    from grid.models import Resident

    idn = synthetic_id_number(birth_date=date(2015, 6, 1), gender="M")
    hh = gdata.households["g11"][2]   # 王五's household, 1单元301
    page = page_for(viewport=(390, 844))
    login(page, "grid_worker", PASSWORD)
    page.goto("/grid/m/")
    page.locator("#households a", has_text="301").first.click()
    page.wait_for_url(f"**/grid/households/{hh.pk}/")
    page.click("#resident-new")
    page.wait_for_url(f"**/grid/households/{hh.pk}/residents/new/")
    # Floating-only dates are hidden until the kind is floating.
    assert page.locator("#row-arrival_date").is_hidden()
    page.fill("#id_name", "王小五")
    page.fill("#id_id_number", idn[:-1] + ("0" if idn[-1] != "0" else "1"))   # a typo in the check digit
    page.select_option("#id_relation", "grandchild")
    page.select_option("#id_kind", "floating")
    assert page.locator("#row-arrival_date").is_visible()
    page.fill("#id_arrival_date", "2025-03-01")
    page.fill("#id_permit_expiry", "2026-12-31")
    page.check("input[name=care_tags][value=left_behind]")
    page.click("#people-form button[name=save]")
    assert "校验位错误" in page.locator("#row-id_number .invalid-feedback").inner_text()
    assert not Resident.objects.filter(name="王小五").exists()
    screenshot(page, "grid_people_resident_error_phone")
    page.fill("#id_id_number", idn)
    page.fill("#id_phone", "139 0013 9001")
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_resident_form_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/households/{hh.pk}/")
    assert "已登记居民 王小五" in page.locator(".alert").inner_text()
    members = page.locator("table").first.inner_text()
    assert "王小五" in members and "留守儿童" in members and idn not in members
    assert f"入户 {date.today().isoformat()}" in members     # 入户日期: registered today
    # The path from the grid list down to the house (the grid worker's community is named, not linked).
    assert page.locator(".breadcrumb-item").all_inner_texts() == ["网格列表", "东一社区", "网格1", "阳光小区", "1号楼",
                                                                 "1单元301"]
    assert page.locator(".breadcrumb a").all_inner_texts() == ["网格列表", "网格1", "1号楼", "1单元301"]
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_household_phone")

    r = Resident.objects.get(name="王小五")
    assert r.id_number == idn and r.kind == "floating" and r.birth_date == date(2015, 6, 1)
    page.locator("table a", has_text="王小五").click()
    page.wait_for_url(f"**/grid/residents/{r.pk}/")
    page.click("#resident-edit")
    page.wait_for_url(f"**/grid/residents/{r.pk}/edit/")
    assert page.input_value("#id_id_number") == ""   # never sent back to the browser
    assert "留空表示不修改" in page.locator("#row-id_number").inner_text()
    page.fill("#id_name", "王晓五")
    page.select_option("#id_kind", "registered")
    assert page.locator("#row-permit_expiry").is_hidden()
    page.fill("#id_phone", "13700137001")
    assert page.input_value("#id_joined_on") == date.today().isoformat()   # 入户日期, kept when left as is
    screenshot(page, "grid_people_resident_edit_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/residents/{r.pk}/")
    assert "王晓五的信息已保存" in page.locator(".alert").inner_text()
    assert page.locator("#phone").inner_text() == "137****7001"
    assert page.locator("#joined-on").inner_text() == date.today().isoformat()
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_resident_after_edit_phone")
    r.refresh_from_db()
    assert (r.name, r.kind, r.phone, r.id_number, r.arrival_date) == ("王晓五", "registered", "13700137001", idn,
                                                                      None)
    # The household's own pages fit the phone too.
    for url, name in [(f"/grid/households/{hh.pk}/edit/", "grid_people_household_edit_phone"),
                      (f"/grid/households/{hh.pk}/move-out/", "grid_people_move_out_phone")]:
        page.goto(url)
        _no_sideways_scroll(page)
        screenshot(page, name)


def test_secretary_reaches_a_rental_house_from_the_profile_and_adds_a_lease(page_for, personas, gdata, tree):
    from datetime import timedelta

    from django.utils import timezone

    from grid.models import RentalLease

    house = gdata.households["g11"][1].house   # 1单元201, rental, 李四 lives there
    start = timezone.localdate() - timedelta(days=30)
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.goto(f"/grid/{tree.east1_grid1.pk}/")
    page.locator("#grid-buildings a", has_text="1号楼").click()
    page.wait_for_url(f"**/grid/buildings/{tree.building.pk}/")
    assert page.locator("#houses .list-group-item").count() == 3
    screenshot(page, "grid_people_building")
    page.locator("#houses a", has_text="201").click()
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    page.click("#lease-new")
    page.fill("#id_landlord_name", "房东甲")
    page.fill("#id_landlord_phone", "13600136000")
    page.check("input[name=tenants]")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", start.isoformat())   # end not after start
    page.click("#people-form button[name=save]")
    assert "到期日须晚于起租日" in page.locator("#row-end_date .invalid-feedback").inner_text()
    screenshot(page, "grid_people_lease_error")
    page.fill("#id_end_date", (start + timedelta(days=365)).isoformat())
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    leases = page.locator("#leases").inner_text()
    assert "房东 房东甲 136****6000" in leases and "生效中" in leases and "李四" in leases
    assert "13600136000" not in page.content()        # the landlord's phone is shown masked only
    screenshot(page, "grid_people_house_with_lease")
    assert RentalLease.objects.filter(house=house, landlord_name="房东甲").count() == 1
