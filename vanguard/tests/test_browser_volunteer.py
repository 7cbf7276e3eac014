"""Browser: the organizer publishes a volunteer activity; a member signs up on the phone, checks in on site
by opening the QR code's address, and the organizer confirms the hours (longer than the activity is refused);
the member sees the hours and the points."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot
from vanguard.models import Activity, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_activity_sign_up_qr_check_in_and_hours(page_for, world, personas, tree):
    s = page_for(viewport=(390, 844))
    login(s, "secretary", PASSWORD)
    s.goto("/vanguard/activities/")
    s.click("#activity-new")
    start = timezone.now() + timedelta(minutes=10)
    s.select_option("#id_region", label="东街道 东一社区")
    s.fill("#id_title", "义务理发进小区")
    s.fill("#id_place", "阳光小区活动室")
    s.fill("#id_starts_at", _local(start))
    s.fill("#id_ends_at", _local(start + timedelta(hours=2)))
    s.fill("#id_places", "8")
    s.fill("#id_skills", "理发")
    s.click("button:has-text('保存')")
    s.wait_for_url("**/vanguard/activities/*/")
    a = Activity.objects.get()
    assert s.locator("#checkin-qr svg").is_visible()
    screenshot(s, "vanguard_activity_qr_phone")
    checkin_url = s.locator("#checkin-link").get_attribute("href")

    m = page_for(viewport=(390, 844))
    login(m, "member", PASSWORD)
    m.goto("/vanguard/my/")
    m.click("#go-activities")
    m.locator(".open-activity", has_text="义务理发进小区").locator(".sign-up").click()
    m.wait_for_load_state()
    assert "已报名" in m.locator("#open-activities").inner_text()
    # On site: the phone's camera opens the QR code's address.
    m.goto(checkin_url)
    m.click("#checkin-submit")
    m.wait_for_selector("#checked-in")
    screenshot(m, "vanguard_checkin_phone")

    s.reload()
    row = s.locator("#signups li", has_text="张建国")
    row.locator(".hours-input").fill("3")
    row.locator(".confirm-hours").click()
    s.wait_for_load_state()
    assert "时长不能超过活动时长 2 小时" in s.content()
    assert SignUp.objects.get().hours is None
    s.locator("#signups li", has_text="张建国").locator(".hours-input").fill("2")
    s.locator("#signups li", has_text="张建国").locator(".confirm-hours").click()
    s.wait_for_load_state()
    assert "已确认 2 小时" in s.locator("#signups").inner_text()

    m.goto("/vanguard/my/activities/")
    assert m.locator("#year-hours").inner_text() == "2"
    m.goto("/points/my/")
    assert m.locator("#my-total").inner_text() == "4"
    assert "志愿服务：义务理发进小区（2 小时）" in m.locator("#my-entries").inner_text()
    assert a.pk
