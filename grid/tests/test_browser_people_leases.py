"""Browser workflow on a phone (390×844): a grid worker edits a rental lease (the landlord's phone removed by
emptying the field) and ends it (退租)."""

from datetime import timedelta

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]


def _alerts(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_grid_worker_edits_a_lease_clearing_the_landlord_phone_then_ends_it_on_phone(page_for, personas, gdata):
    from django.utils import timezone

    from audit.models import AuditEntry
    from grid import services
    from grid.models import RentalLease

    today = timezone.localdate()
    house = gdata.households["g11"][1].house   # 1单元201, rental; 李四 lives there
    li = gdata.residents["g11"][1]
    lease = services.lease_create(actor=personas.secretary, house=house, landlord_name="房东甲",
                                  landlord_phone="13600136000", tenants=[li], start_date=today - timedelta(days=60),
                                  end_date=today + timedelta(days=300))
    page = page_for(viewport=PHONE)
    login(page, "grid_worker", PASSWORD)
    page.goto(f"/grid/houses/{house.pk}/")
    assert "生效中" in page.locator("#leases").inner_text()
    page.locator("#leases a", has_text="修改").click()
    page.wait_for_url(f"**/grid/leases/{lease.pk}/edit/")
    # The number is shown masked, never in full; the hint says how to keep, remove or replace it.
    assert page.input_value("#id_landlord_phone") == "136****6000"
    assert "13600136000" not in page.content()
    assert "清空表示删除该号码" in page.locator("#row-landlord_phone").inner_text()
    assert page.is_checked("input[name=tenants]")
    assert page.locator("#id_landlord_phone-clearing").is_hidden()
    page.fill("#id_landlord_name", "房东乙")
    page.fill("#id_landlord_phone", "")
    # Emptied, the field warns that saving removes the number.
    assert "保存后将删除已登记的号码 136****6000" in page.locator("#id_landlord_phone-clearing").inner_text()
    page.fill("#id_end_date", (today + timedelta(days=400)).isoformat())
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_lease_edit_phone")
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    assert "租约已保存" in _alerts(page)
    leases = page.locator("#leases").inner_text()
    assert "房东 房东乙" in leases and (today + timedelta(days=400)).isoformat() in leases and "李四" in leases
    lease.refresh_from_db()
    assert lease.landlord_name == "房东乙" and lease.landlord_phone == "" and lease.landlord_phone_hash is None
    entry = AuditEntry.objects.filter(object_type="grid.rentallease", object_id=str(lease.pk),
                                      action="update").get()
    assert entry.changes["landlord_phone"] == ["136****6000", ""] and entry.actor == personas.grid_worker
    # Opened again, the page says no number is registered.
    page.locator("#leases a", has_text="修改").click()
    page.wait_for_url(f"**/grid/leases/{lease.pk}/edit/")
    assert page.input_value("#id_landlord_phone") == ""
    assert "未登记" in page.locator("#row-landlord_phone").inner_text()
    page.locator("a", has_text="取消").click()
    page.wait_for_url(f"**/grid/houses/{house.pk}/")

    # 退租: a date in the future is refused on the field; today ends the lease, which turns read-only.
    page.locator("#leases a", has_text="退租").click()
    page.wait_for_url(f"**/grid/leases/{lease.pk}/end/")
    assert page.input_value("#id_ended_on") == today.isoformat()
    assert "房东 房东乙" in page.locator(".alert-warning").inner_text()
    page.fill("#id_ended_on", (today + timedelta(days=1)).isoformat())
    page.click("#people-form button[name=save]")
    assert "退租日期不能晚于今天" in page.locator("#row-ended_on .invalid-feedback").inner_text()
    assert RentalLease.objects.get(pk=lease.pk).ended_on is None
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_lease_end_error_phone")
    page.fill("#id_ended_on", today.isoformat())
    page.click("#people-form button[name=save]")
    page.wait_for_url(f"**/grid/houses/{house.pk}/")
    assert "已办理退租（房东 房东乙）" in _alerts(page)
    leases = page.locator("#leases").inner_text()
    assert "已退租" in leases and f"{today.isoformat()} 退租" in leases
    assert page.locator("#leases a", has_text="退租").count() == 0
    assert page.locator("#leases a", has_text="修改").count() == 0
    _no_sideways_scroll(page)
    screenshot(page, "grid_people_lease_ended_phone")
    assert RentalLease.objects.get(pk=lease.pk).ended_on == today
    # The house may take a new lease.
    assert page.locator("#lease-new").is_visible()
