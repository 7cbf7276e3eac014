"""On a phone (390×844): a resident orders 上门维修 through the portal, the community dispatches it, the
provider's account marks it done and the resident rates it; a unit's job filled through the broker; a
charity-shop donation and hand-out balancing (a hand-out larger than the stock refused); a venue
booking refused as a double booking."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from services import services
from services.models import JobState, Order, OrderState
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = (390, 844)


def test_a_resident_orders_a_repair_on_the_portal_and_rates_it(page_for, world, tree, personas):
    resident = page_for(viewport=PHONE)
    resident.goto("/portal/services/")
    resident.select_option("#id_community", str(tree.east1.pk))
    resident.click("#community-form button")
    resident.select_option("#id_service", str(world.repair.pk))
    resident.fill("#id_requester_name", "张大爷")
    resident.fill("#id_requester_phone", "13912345678")
    resident.fill("#id_address", "阳光小区1号楼101")
    resident.fill("#id_description", "厨房水龙头漏水，关不紧")
    screenshot(resident, "services-portal-order-phone")
    resident.click("#service-submit")
    code = resident.inner_text("#order-code").strip()
    o = Order.objects.get(code=code)
    # The community dispatches it to the unit's service team.
    staff = page_for(viewport=PHONE)
    login(staff, "secretary", PASSWORD)
    staff.goto(f"/services/orders/{o.pk}/")
    staff.select_option("#assign-form select[name=provider]", str(world.fixers.pk))
    staff.click("#assign-form button")
    staff.wait_for_selector("#done-form")
    # The provider's account sees it among its orders and reports it done.
    provider = page_for(viewport=PHONE)
    login(provider, "liaison", PASSWORD)
    provider.goto("/services/my/")
    provider.click("#provider-order-list a:has-text('上门维修')")
    assert "13912345678" in provider.inner_text("#order-info")
    provider.fill("#done-form input[name=note]", "更换阀芯，已不漏水")
    provider.click("#done-form button")
    provider.wait_for_selector("#order-info .badge:has-text('已完成')")
    # The resident comes back with the order number and rates it.
    resident.goto("/portal/services/")
    resident.fill("#service-track-form input[name=code]", code)
    resident.click("#service-track-form button")
    resident.wait_for_selector("#service-rate-form")
    resident.check("input[name=rating][value='5']")
    resident.fill("#id_note", "师傅来得快，修得好")
    resident.click("#service-rate")
    resident.wait_for_selector("#my-rating")
    assert "5 星" in resident.inner_text("#my-rating")
    screenshot(resident, "services-portal-rated-phone")
    o.refresh_from_db()
    assert (o.state, o.rating, o.provider) == (OrderState.RATED, 5, world.fixers)


def test_a_unit_job_is_filled_through_the_broker(page_for, world, tree, personas):
    services.seeker_register(actor=personas.secretary, resident=world.neighbour, consent=True, skills="厨师")
    page = page_for(viewport=PHONE)
    login(page, "community_staff", PASSWORD)
    page.goto("/services/jobs/")
    page.click("#job-new")
    page.select_option("#id_unit", str(world.unit.pk))
    page.fill("#id_title", "抄表员")
    page.fill("#id_openings", "1")
    page.fill("#id_wage", "每月 3000 元")
    page.fill("#id_skills", "电工 抄表")
    page.click("#form-save")
    page.wait_for_selector("#job-state")
    # The broker registers a resident who agrees to be recommended.
    page.goto("/services/jobs/seekers/?q=张")
    form = page.locator(f".seeker-form[data-resident='{world.resident.pk}']")
    form.locator("input[name=skills]").fill("电工")
    form.locator("input[name=consent]").check()
    form.locator("button").click()
    page.wait_for_selector("#seeker-list")
    assert "张大爷" in page.inner_text("#seeker-list")
    page.goto("/services/jobs/")
    page.click("#job-list a:has-text('抄表员')")
    first = page.locator("#suggestion-list tbody tr").first
    assert "张大爷" in first.inner_text()
    first.locator("button").click()
    page.locator("#placement-list button:has-text('已上岗')").click()
    page.wait_for_selector("#job-state:has-text('已招满')")
    screenshot(page, "services-job-filled-phone")
    from services.models import JobPost
    assert JobPost.objects.get(title="抄表员").state == JobState.FILLED


def test_a_charity_donation_and_hand_out_balance(page_for, world, tree, personas):
    services.charity_item_create(actor=personas.secretary, region=tree.east1, name="大米", unit="袋")
    page = page_for(viewport=PHONE)
    login(page, "secretary", PASSWORD)
    page.goto("/services/charity/")
    page.click("#donation-new")
    page.select_option("#id_party_kind", "unit")
    page.fill("#id_party_name", "县供电公司")
    page.check("input[name=kind][value=goods]")
    page.select_option("#id_item", label="大米（库存 0袋）")
    page.fill("#id_quantity", "20")
    page.click("#entry-save")
    page.wait_for_selector("#stock-list")
    assert "20 袋" in page.inner_text("#stock-list")
    page.click("#handout-new")
    page.fill("#id_party_name", "张大爷")
    page.check("input[name=kind][value=goods]")
    page.select_option("#id_item", label="大米（库存 20袋）")
    page.fill("#id_quantity", "25")
    page.fill("#id_reason", "困难家庭")
    page.click("#entry-save")
    page.wait_for_selector("#row-quantity .invalid-feedback")
    assert "超过“大米”的库存 20袋" in page.inner_text("#row-quantity")
    screenshot(page, "services-charity-refused-phone")
    page.fill("#id_quantity", "3")
    page.fill("#id_points", "30")
    page.click("#entry-save")
    page.wait_for_selector("#stock-list")
    assert "17 袋" in page.inner_text("#stock-list")
    screenshot(page, "services-charity-phone")
    page.click("#account-link")
    assert "20" in page.inner_text("#account-table") and "17" in page.inner_text("#account-table")
    with page.expect_download() as dl:
        page.click("#account-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")


def test_a_venue_double_booking_is_refused(page_for, world, tree, personas):
    hall = services.venue_create(actor=personas.secretary, region=tree.east1, name="多功能活动室", capacity=60)
    day = timezone.localdate() + timedelta(days=2)
    services.booking_create(actor=personas.secretary, venue=hall,
                            start=timezone.make_aware(datetime.combine(day, time(9))),
                            end=timezone.make_aware(datetime.combine(day, time(11))),
                            borrower="县供电公司", purpose="党员大会")
    page = page_for(viewport=PHONE)
    login(page, "community_staff", PASSWORD)
    page.goto("/services/venues/")
    page.click("#venue-list a:has-text('多功能活动室')")
    page.fill("#id_start", f"{day:%Y-%m-%d}T10:00")
    page.fill("#id_end", f"{day:%Y-%m-%d}T12:00")
    page.fill("#id_borrower", "社区舞蹈队")
    page.fill("#id_purpose", "排练")
    page.click("#booking-save")
    page.wait_for_selector("#row-start .invalid-feedback")
    assert "同一场所同一时段不能重复预约" in page.inner_text("#row-start")
    screenshot(page, "services-venue-refused-phone")
    page.fill("#id_start", f"{day:%Y-%m-%d}T14:00")
    page.fill("#id_end", f"{day:%Y-%m-%d}T16:00")
    page.click("#booking-save")
    page.wait_for_selector(f"#booking-calendar li[data-day='{day:%Y-%m-%d}'] .booking >> nth=1")
    assert "社区舞蹈队" in page.inner_text(f"#booking-calendar li[data-day='{day:%Y-%m-%d}']")
    screenshot(page, "services-venue-phone")
