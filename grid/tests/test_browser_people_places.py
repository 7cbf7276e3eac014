"""Browser workflows on a phone (390×844), as a grid worker walks them: a house added and edited, a household
added together with its head, and the household edited (a new head chosen among the members)."""

from datetime import date

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]


def _alerts(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_grid_worker_adds_and_edits_a_house_on_phone(page_for, personas, gdata, tree):
    from grid.models import House

    page = page_for(viewport=PHONE)
    login(page, "grid_worker", PASSWORD)
    page.goto(f"/grid/{tree.east1_grid1.pk}/")
    page.locator("#grid-buildings a", has_text="1号楼").click()
    page.wait_for_url(f"**/grid/buildings/{tree.building.pk}/")
    assert page.locator("#houses .list-group-item").count() == 3
    page.click("#house-new")
    page.wait_for_url(f"**/grid/buildings/{tree.building.pk}/houses/new/")
    assert "阳光小区1号楼" in page.locator("#form-subject").inner_text()
    # 1单元101 is 张三's house: refused on the door number, nothing saved.
    page.fill("#id_unit", "1")
    page.fill("#id_number", "101")
    page.select_option("#id_use", "rental")
    page.fill("#id_area", "76.5")
    page.click("#people-form button[name=save]")
    assert "1号楼1单元101 已登记" in page.locator("#row-number .invalid-feedback").inner_text()
    assert House.objects.filter(building=tree.building).count() == 3
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_house_add_error_phone")
    page.fill("#id_number", "102")
    page.click("#people-form button[name=save]")
    house = House.objects.get(building=tree.building, unit="1", number="102")
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    assert "已登记房屋 阳光小区1号楼1单元102" in _alerts(page)
    facts = page.locator("dl").inner_text()
    assert "出租" in facts and "76.50 ㎡" in facts
    assert page.locator("#lease-new").is_visible() and page.locator("#household-new").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_house_added_phone")

    # Edit: the form comes back filled; a negative area is refused on the field, then use and area change.
    page.locator("a", has_text="修改房屋").click()
    page.wait_for_url(f"**/grid/houses/{house.pk}/edit/")
    assert page.input_value("#id_number") == "102" and page.input_value("#id_use") == "rental"
    page.fill("#id_area", "-5")
    page.click("#people-form button[name=save]")
    assert "面积（㎡）不能小于" in page.locator("#row-area .invalid-feedback").inner_text()
    page.fill("#id_number", "103")
    page.select_option("#id_use", "self")
    page.fill("#id_area", "")
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_house_edit_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    assert "房屋信息已保存" in _alerts(page)
    facts = page.locator("dl").inner_text()
    assert "阳光小区1号楼1单元103" in facts and "自住" in facts and "㎡" not in facts
    assert page.locator("#lease-new").count() == 0   # no longer rental
    screenshot(page, "grid_people_house_edited_phone")
    house.refresh_from_db()
    assert (house.number, house.use, house.area) == ("103", "self", None)
    page.locator(".breadcrumb a", has_text="1号楼").click()
    page.wait_for_url(f"**/grid/buildings/{tree.building.pk}/")
    assert "1单元 103" in page.locator("#houses").inner_text()


def test_grid_worker_adds_a_household_with_its_head_then_edits_it_on_phone(page_for, personas, gdata):
    from core.idnumber import synthetic_id_number
    from grid import services
    from grid.models import Household, Resident

    idn = synthetic_id_number(birth_date=date(1985, 7, 9), gender="F")
    house = gdata.households["g11"][1].house   # 1单元201, rental; 李四's household lives there
    households = Household.objects.count()
    page = page_for(viewport=PHONE)
    login(page, "grid_worker", PASSWORD)
    page.goto(f"/grid/houses/{house.pk}/")
    page.click("#household-new")
    page.wait_for_url(f"**/grid/houses/{house.pk}/households/new/")
    # One page: the head's own fields, then the household's.
    assert page.locator("#head-fields legend").inner_text() == "户主"
    assert page.locator("#household-fields legend").inner_text() == "住户"
    assert "保存时同时登记住户和户主" in page.locator(".alert-info").inner_text()
    assert page.locator("#row-arrival_date").is_hidden()
    page.fill("#id_head_name", "陈十三")
    page.fill("#id_id_number", idn[:-1] + ("0" if idn[-1] != "0" else "1"))   # a slip in the check digit
    page.fill("#id_phone", "139 0013 9041")
    page.select_option("#id_kind", "floating")
    assert page.locator("#row-arrival_date").is_visible()
    page.fill("#id_arrival_date", "2025-09-01")
    page.check("input[name=care_tags][value=hardship]")
    page.fill("#id_number", "2")
    page.click("#people-form button[name=save]")
    assert "校验位错误" in page.locator("#row-id_number .invalid-feedback").inner_text()
    assert Household.objects.count() == households and not Resident.objects.filter(name="陈十三").exists()
    # What was typed stays (the floating dates shown again).
    assert page.input_value("#id_head_name") == "陈十三" and page.locator("#row-arrival_date").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_household_add_error_phone")
    page.fill("#id_id_number", idn)
    page.click("#people-form button[name=save]")
    hh = Household.objects.get(house=house, head_name="陈十三")
    page.wait_for_url(f"**/grid/households/{hh.pk}/")
    assert "已登记住户（户主 陈十三）" in _alerts(page)
    members = page.locator("table").first.inner_text()
    assert "陈十三" in members and "户主" in members and "困难群众" in members and idn not in members
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_household_added_phone")
    head = Resident.objects.get(household=hh)
    assert (head.name, head.relation, head.id_number, head.phone, head.kind, head.arrival_date) == (
        "陈十三", "head", idn, "13900139041", "floating", date(2025, 9, 1))
    assert hh.members == 1 and hh.number == "2" and hh.is_care

    # Edit: a spouse joins, becomes the head; the page says the former head's relation changed.
    spouse = services.resident_create(actor=personas.grid_worker, household=hh, name="林十四", relation="spouse",
                                      kind="floating", arrival_date=date(2025, 9, 1))
    page.goto(f"/grid/households/{hh.pk}/")
    page.locator("#household-actions a", has_text="修改户信息").click()
    page.wait_for_url(f"**/grid/households/{hh.pk}/edit/")
    assert page.input_value("#id_number") == "2"
    page.select_option("#id_head", str(spouse.pk))
    page.fill("#id_number", "")
    page.fill("#id_head_name", "")
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_household_edit_form_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/households/{hh.pk}/")
    alerts = _alerts(page)
    assert "住户信息已保存" in alerts and "原户主 陈十三" in alerts
    assert "户主 林十四" in page.locator(".card-title").first.inner_text()
    # On a phone each row is a card: its cells one under another (name, then relation).
    rows = [r.split("\n")[:2] for r in page.locator("table").first.locator("tbody tr").all_inner_texts()]
    assert ["林十四", "户主"] in rows and ["陈十三", "其他"] in rows
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_household_edited_phone")
    hh.refresh_from_db()
    assert hh.head_name == "林十四" and hh.number == ""
    # The house lists the household under its new head.
    page.goto(f"/grid/houses/{house.pk}/")
    assert "户主 林十四" in page.locator("#house-households").inner_text()
