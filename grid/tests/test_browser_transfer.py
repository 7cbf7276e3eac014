"""Browser workflow: a grid worker on a phone (390×844) moves a resident into another household."""

from datetime import date

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_grid_worker_moves_a_resident_into_another_household_on_phone(page_for, personas, gdata):
    from audit.models import AuditEntry
    from grid.models import Household, Resident

    zhang = gdata.residents["g11"][0]      # 张三, head of 1单元101
    old, new = gdata.households["g11"][0], gdata.households["g11"][2]   # → 王五's household, 1单元301
    page = page_for(viewport=(390, 844))
    login(page, "grid_worker", PASSWORD)
    page.goto(f"/grid/residents/{zhang.pk}/")
    page.click("#resident-transfer")
    page.wait_for_url(f"**/grid/residents/{zhang.pk}/transfer/")
    assert "是现住户的户主" in page.locator(".alert-info").last.inner_text()
    # The lookup answers as the worker types (htmx); their own household is not offered.
    page.fill("#id_q", "王五")
    page.wait_for_selector("#household-options")
    options = page.locator("#household-options label")
    assert options.count() == 1 and "1单元301" in options.first.inner_text()
    options.first.click()
    page.select_option("#id_relation", "head")     # 王五 is the head already: refused
    page.click("#people-form button[name=save]")
    assert "迁入户已有户主“王五”" in page.locator("#row-relation .invalid-feedback").inner_text()
    assert page.locator("#household-options input[type=radio]:checked").count() == 1   # the choice is kept
    assert Resident.objects.get(pk=zhang.pk).household_id == old.pk
    screenshot(page, "grid_transfer_error_phone")
    page.select_option("#id_relation", "parent")
    page.fill("#id_note", "随女儿生活")
    _no_sideways_scroll(page)
    screenshot(page, "grid_transfer_form_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/residents/{zhang.pk}/")
    alerts = page.locator(".alert").all_inner_texts()
    assert any("张三已迁入 阳光小区1号楼1单元301" in a for a in alerts)
    assert any("已无在住成员" in a for a in alerts)   # 张三 lived alone: the page suggests moving out
    assert "1单元301" in page.locator("dl").inner_text()
    assert page.locator("#joined-on").inner_text() == date.today().isoformat()   # 入户日期: the move's date
    _no_sideways_scroll(page)
    screenshot(page, "grid_transfer_done_phone")
    zhang.refresh_from_db()
    assert zhang.household_id == new.pk and zhang.relation == "parent"
    assert Household.objects.get(pk=old.pk).members == 0 and Household.objects.get(pk=new.pk).members == 2
    assert AuditEntry.objects.filter(object_type="grid.resident", object_id=str(zhang.pk), action="move").count() == 1
