"""Browser tests of the demand workflows named by the issue (Playwright + Debian Chromium)."""

import pytest
from django.utils import timezone

from conftest import PASSWORD
from demands import services
from demands.models import Demand, State
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_to_grid_worker_and_back(page_for, personas, tree):
    # A resident (no account) submits on the portal from a phone and follows the tracking code.
    page = page_for(viewport=(390, 844))
    page.goto("/portal/")
    page.select_option("#id_category", "convenience")
    page.select_option("#id_community", str(tree.east1.pk))
    page.fill("#id_title", "楼道灯不亮")
    page.fill("#id_description", "3号楼2单元楼道灯坏了，<script>alert(1)</script>晚上看不见")
    page.fill("#id_caller_phone", "13812345678")
    screenshot(page, "demands_portal_submit_phone")
    page.click("#portal-form button[type=submit]")
    code = page.locator("#tracking-code").inner_text().strip()  # the public 编号
    secret = page.locator("#secret-code").inner_text().strip()  # the resident's 查询码
    assert len(code) == 12 and len(secret) == 12 and code != secret
    screenshot(page, "demands_portal_tracking_code")
    # Later, on the same phone with a fresh browser, the resident types the secret 查询码.
    page = page_for(viewport=(390, 844))
    page.goto("/portal/")
    page.fill("#track-code", secret.lower())
    page.click("#track-btn")
    page.wait_for_url(f"**/portal/d/{code}/")
    assert page.locator("#portal-state").inner_text() == "已提交"
    assert "<script>alert(1)</script>" in page.locator("#portal-description").inner_text()  # shown as text
    assert "13812345678" not in page.content()

    # Staff dispatch it to the grid worker.
    demand = Demand.objects.get(tracking_code=code)
    staff = page_for()
    login(staff, "secretary", PASSWORD)
    staff.goto(f"/demands/{demand.pk}/")
    assert "138****5678" in staff.locator("#caller-phone").inner_text()
    staff.select_option("#id_target", f"r:{tree.east1_grid1.pk}")
    staff.click("button[data-action=dispatch]")
    staff.wait_for_selector("text=当前状态：已派单")
    screenshot(staff, "demands_staff_dispatched")

    # The grid worker handles it on a phone-sized screen.
    phone = page_for(viewport=(390, 844))
    login(phone, "grid_worker", PASSWORD)
    phone.goto("/demands/mine/")
    phone.click(f"text={code}")
    phone.click("button[data-action=arrive]")
    phone.wait_for_selector("text=当前状态：已到场")
    phone.fill("#id_note", "已更换灯泡，恢复照明")
    phone.click("button[data-action=handle]")
    phone.wait_for_selector("text=当前状态：已办结")
    screenshot(phone, "demands_grid_worker_handled_phone")

    # Someone who read the public 编号 (Open311 lists it) sees the progress but cannot rate.
    stranger = page_for(viewport=(390, 844))
    stranger.goto(f"/portal/d/{code}/")
    assert stranger.locator("#portal-state").inner_text() == "已办结"
    assert stranger.locator("#rate-form").count() == 0 and stranger.locator("#secret-form").count() == 1
    screenshot(stranger, "demands_portal_public_id_only_phone")

    # The resident rates it not satisfied, with a reason: it reopens.
    page.goto(f"/portal/d/{code}/")
    page.check("input[name=rating][value=unsatisfied]")
    page.fill("#id_note", "只修好了一层")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("text=诉求已重新交办")
    assert page.locator("#portal-state").inner_text() == "已派单"
    screenshot(page, "demands_portal_reopened_phone")
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED and demand.reopen_count == 1


def test_overdue_demand_on_the_street_monthly_dispatch(page_for, personas, tree):
    services.demand_create(actor=personas.secretary, channel="hotline", category="convenience",
                           region=tree.east1_grid2, title="井盖松动长期未修", description="小区门口井盖松动",
                           submitted_at=timezone.now() - timezone.timedelta(days=15))
    services.demand_create(actor=personas.secretary, channel="hotline", category="convenience",
                           region=tree.east1, title="今天的新诉求", description="刚提交")
    services.escalate_overdue()
    page = page_for()
    login(page, "street_staff", PASSWORD)
    page.click("#main-menu >> text=月调度")
    page.wait_for_url("**/demands/monthly/")
    table = page.locator("#demand-table").inner_text()
    assert "井盖松动长期未修" in table and "超期" in table and "今天的新诉求" not in table
    screenshot(page, "demands_street_monthly_dispatch")
    # The street staff also got an in-app notice.
    page.goto("/notifications/")
    assert "月调度" in page.locator("#notification-list").inner_text()
    # The statistics page renders its charts.
    page.goto("/demands/stats/")
    page.wait_for_selector("#chart-channel canvas")
    screenshot(page, "demands_stats")


def test_street_report_on_a_phone(page_for, personas, tree):
    page = page_for(viewport=(390, 844))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 46.9931, "longitude": 89.5231})
    login(page, "grid_worker", PASSWORD)
    page.goto(f"/demands/street/?grid={tree.east1_grid1.pk}&household=7")
    page.select_option("#id_category", "sanitation")
    page.fill("#id_title", "垃圾桶满溢")
    page.fill("#id_description", "3号楼前垃圾桶满溢")
    page.click("#locate-btn")
    page.wait_for_selector("text=已定位")
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(buf, "JPEG")
    page.set_input_files("#id_photos", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}])
    screenshot(page, "demands_street_report_phone")
    page.click("#street-form button[type=submit]")
    page.wait_for_selector("text=已上报")
    d = Demand.objects.get()
    assert d.channel == "street" and d.household_id == 7 and abs(d.lat - 46.9931) < 1e-4 and d.photos.count() == 1
