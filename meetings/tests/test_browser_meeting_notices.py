"""The secretary schedules a joint meeting; the unit's liaison, on a phone, sees the notification,
opens it and replies 参加; the secretary sees the reply notification and the reply."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from meetings import services
from meetings.models import Attendance, BodyKind, Meeting
from notifications.models import Notification
from tests.browser_fixtures import login, screenshot, unread_count

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invitation_and_reply_notifications(page_for, personas, tree, units):
    today = timezone.localdate()
    day = today + timedelta(days=5)
    body = services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                region=tree.east1, secretary=personas.secretary, since=date(today.year - 1, 1, 1))
    for u in (units.a, units.b):
        services.member_add(actor=personas.secretary, body=body, unit=u, title="成员单位")

    # The secretary schedules the meeting on the body's page.
    staff = page_for()
    login(staff, "secretary", PASSWORD)
    staff.goto(f"/meetings/bodies/{body.pk}/")
    assert staff.locator("#body-members button:has-text('移除')").count() == 2
    screenshot(staff, "meetings_notice_body_members")
    form = staff.locator("#meeting-form")
    form.locator("input[name=title]").fill(f"{day.month}月党建联席会")
    form.locator("input[name=date]").fill(str(day))
    form.locator("input[name=start_time]").fill("15:30")
    form.locator("input[name=place]").fill("社区三楼会议室")
    form.locator("textarea[name=agenda]").fill("一、通报上月共建活动\n二、研究冬季清雪安排")
    form.locator("button").click()
    staff.wait_for_selector("text=已邀请全体成员")
    m = Meeting.objects.get()
    assert unread_count(staff) == 0  # nothing to the one who scheduled it
    screenshot(staff, "meetings_notice_scheduled_by_secretary")

    # The liaison of 县医院, on a phone: the badge, the list, the meeting, the reply.
    phone = page_for(viewport=(390, 844))
    login(phone, "liaison", PASSWORD)
    assert unread_count(phone) == 1
    screenshot(phone, "meetings_notice_liaison_badge_phone")
    phone.click("#notif-badge")
    phone.wait_for_selector("#notification-list")
    item = phone.locator("#notification-list .list-group-item").first
    text = item.inner_text()
    assert f"会议通知：{day.month}月党建联席会" in text and "邀请县医院参加" in text and "15:30" in text
    assert "社区三楼会议室" in text and "县一中" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "meetings_notice_liaison_list_phone")
    item.locator("button:has-text('查看')").click()
    phone.wait_for_url(f"**/meetings/unit/{m.pk}/")
    phone.wait_for_selector(".reply-form")
    assert unread_count(phone) == 0  # read once opened
    phone.check(".reply-form input[name=reply][value=attend]")
    phone.fill(".reply-form input[name=reply_name]", "张院长")
    phone.click(".reply-form button")
    phone.wait_for_selector("text=已提交回执")
    assert "参加（张院长）" in phone.locator("#my-attendance").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "meetings_notice_liaison_replied_phone")
    assert Attendance.objects.get(meeting=m, unit=units.a).reply == "attend"
    # The unit's co-building page leads back to 我单位的会议.
    phone.goto(f"/cobuild/units/{units.a.pk}/")
    screenshot(phone, "meetings_notice_cobuild_unit_link_phone")
    phone.click("#unit-meetings-link")
    phone.wait_for_selector("#upcoming")
    assert "已回执：参加" in phone.locator(f".upcoming-meeting[data-meeting='{m.pk}']").inner_text()
    screenshot(phone, "meetings_notice_liaison_unit_meetings_phone")

    # The secretary: the reply notification, then the meeting page with the reply.
    staff.goto("/")
    assert unread_count(staff) == 1
    staff.click("#notif-badge")
    item = staff.locator("#notification-list .list-group-item").first
    text = item.inner_text()
    assert f"会议回执：县医院参加“{day.month}月党建联席会”" in text and "参会人员：张院长" in text
    assert "参加 1、请假 0、未回执 1" in text
    screenshot(staff, "meetings_notice_secretary_list")
    item.locator("button:has-text('查看')").click()
    staff.wait_for_url(f"**/meetings/{m.pk}/")
    row = staff.locator("#attendance tr[data-name='县医院']").inner_text()
    assert "参加" in row and "张院长" in row
    screenshot(staff, "meetings_notice_secretary_meeting")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["liaison", "secretary"]


def test_changed_place_reaches_the_liaison(page_for, personas, tree, units):
    today = timezone.localdate()
    body = services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                region=tree.east1, secretary=personas.secretary, since=date(today.year - 1, 1, 1))
    services.member_add(actor=personas.secretary, body=body, unit=units.a, title="成员单位")
    m = services.meeting_create(actor=personas.secretary, body=body, title="本月党建联席会",
                                date=today + timedelta(days=5), place="社区三楼会议室")
    Notification.objects.all().delete()

    staff = page_for()
    login(staff, "secretary", PASSWORD)
    staff.goto(f"/meetings/{m.pk}/")
    staff.click("#meeting-edit-link")
    staff.fill("input[name=place]", "党群服务中心二楼")
    staff.click("form button.btn-primary")
    staff.wait_for_selector("text=已通知受邀单位的联络员")
    assert "党群服务中心二楼" in staff.content()
    screenshot(staff, "meetings_notice_place_changed_by_secretary")

    phone = page_for(viewport=(390, 844))
    login(phone, "liaison", PASSWORD)
    phone.wait_for_selector("#notif-unread")
    phone.click("#notif-badge")
    phone.wait_for_selector("#notification-list")
    text = phone.locator("#notification-list .list-group-item").first.inner_text()
    assert "会议变更：本月党建联席会" in text and "地点由社区三楼会议室改为党群服务中心二楼" in text
    screenshot(phone, "meetings_notice_place_changed_liaison_phone")
    phone.locator("#notification-list .list-group-item").first.locator("button:has-text('查看')").click()
    phone.wait_for_url(f"**/meetings/unit/{m.pk}/")
    assert "党群服务中心二楼" in phone.locator("#meeting-facts").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
