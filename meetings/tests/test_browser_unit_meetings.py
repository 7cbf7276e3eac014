"""A unit's liaison, on a phone, replies 请假 to the next joint meeting; the secretary sees the reply."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from meetings import services
from meetings.models import Attendance, AttendanceStatus, BodyKind, Meeting, ResolutionKind
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_replies_leave_on_a_phone(page_for, personas, tree, units):
    today = timezone.localdate()
    sec = personas.secretary
    body = services.body_create(actor=sec, name="东一社区党建联席会", kind=BodyKind.JOINT, region=tree.east1,
                                secretary=sec, rotating_chair=True, since=today - timedelta(days=400))
    for u in (units.a, units.b):
        services.member_add(actor=sec, body=body, unit=u, title="成员单位")
    past = services.meeting_create(actor=sec, body=body, title="上月党建联席会", date=today - timedelta(days=25),
                                   start_time=time(15, 30), place="社区党群服务中心", agenda="通报共建情况")
    rows = {a.unit_id: a.pk for a in past.attendances.all()}
    services.attendance_record(actor=sec, meeting=past, statuses={rows[units.a.pk]: AttendanceStatus.PRESENT,
                                                                  rows[units.b.pk]: AttendanceStatus.ABSENT})
    services.resolution_create(actor=sec, meeting=past, text="县医院组织医护人员进社区义诊", kind=ResolutionKind.TASK,
                               owner_name="县医院负责人", deadline=today + timedelta(days=20), unit=units.a)
    nxt = services.meeting_create(actor=sec, body=body, title="本月党建联席会", date=today + timedelta(days=6),
                                  start_time=time(15, 30), place="社区三楼会议室",
                                  agenda="一、通报上月共建活动\n二、研究冬季清雪安排")
    Meeting.objects.filter(pk=nxt.pk).update(chair_unit=units.a)

    page = page_for(viewport=(390, 844))
    login(page, "liaison", PASSWORD)
    page.click(".navbar-toggler")  # the phone layout folds the menu; wait until it has opened
    entry = page.locator("#main-menu a", has_text="我单位的会议")
    entry.wait_for(state="visible")
    assert entry.get_attribute("href") == "/meetings/unit/"
    # Tapped as a DOM click: a pointer click can land while the menu is still sliding open (seen under load).
    entry.evaluate("a => a.click()")
    page.wait_for_url("**/meetings/unit/**")
    page.wait_for_selector("#upcoming")
    assert "本月党建联席会" in page.locator("#upcoming").inner_text()
    assert "本单位轮值" in page.locator("#upcoming").inner_text()
    assert "县医院组织医护人员进社区义诊" in page.locator("#unit-resolutions").inner_text()
    assert "县一中" not in page.locator("body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "meetings_unit_meetings_phone")

    page.click(f".upcoming-meeting[data-meeting='{nxt.pk}'] >> text=填写回执")
    page.wait_for_selector(".reply-form")
    page.check(".reply-form input[name=reply][value=leave]")
    page.click(".reply-form button")  # no reason yet: refused, the choice kept
    page.wait_for_selector(".reply-form .invalid-feedback")
    assert "请假事由不能为空" in page.locator(".reply-form").inner_text()
    assert page.is_checked(".reply-form input[name=reply][value=leave]")
    screenshot(page, "meetings_unit_reply_error_phone")
    assert Attendance.objects.get(meeting=nxt, unit=units.a).reply == ""
    page.fill(".reply-form textarea[name=reply_reason]", "院内有急诊保障任务，无法参会")
    page.click(".reply-form button")
    page.wait_for_selector("text=已提交回执")
    assert "院内有急诊保障任务" in page.locator("#my-attendance").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "meetings_unit_reply_phone")
    a = Attendance.objects.get(meeting=nxt, unit=units.a)
    assert (a.reply, a.reply_reason) == ("leave", "院内有急诊保障任务，无法参会")

    staff = page_for()
    login(staff, "secretary", PASSWORD)
    staff.goto(f"/meetings/{nxt.pk}/")
    row = staff.locator("#attendance tr[data-name='县医院']").inner_text()
    assert "请假" in row and "院内有急诊保障任务，无法参会" in row
    assert "请假 1" in staff.locator("#reply-summary").inner_text()
    screenshot(staff, "meetings_unit_reply_seen_by_secretary")
