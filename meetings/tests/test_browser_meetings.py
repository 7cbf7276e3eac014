"""A monthly joint meeting is held with one unexcused absence, and the criticism appears."""

from datetime import date

import pytest
from django.utils import timezone

from cobuild.models import Criticism
from conftest import PASSWORD
from meetings import services
from meetings.models import BodyKind, Meeting
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_joint_meeting_with_unexcused_absence(page_for, personas, tree, units):
    today = timezone.localdate()
    body = services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                region=tree.east1, secretary=personas.secretary, rotating_chair=True,
                                since=date(today.year, 1, 1))
    for u in (units.a, units.b):
        services.member_add(actor=personas.secretary, body=body, unit=u, title="成员单位")
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=议事机构")
    page.click("#bodies >> text=东一社区党建联席会")
    page.click("text=按成员单位轮流生成")
    page.wait_for_selector("#chair-turns >> text=县医院")
    form = page.locator("#meeting-form")
    form.locator("input[name=title]").fill(f"{today.month}月党建联席会")
    form.locator("input[name=date]").fill(str(today))
    form.locator("textarea[name=agenda]").fill("通报本月共建情况")
    form.locator("button").click()
    page.wait_for_selector("#attendance-form")
    page.select_option("#attendance select[data-name='县医院']", "present")
    page.select_option("#attendance select[data-name='县一中']", "absent")
    page.click("#attendance-form button")
    page.wait_for_selector("text=已登记出席情况")
    assert page.locator("#meeting-status").inner_text() == "已召开"
    m = Meeting.objects.get()
    assert m.chair_unit is not None
    c = Criticism.objects.get()
    assert c.unit == units.b and "无故缺席" in c.reason
    page.fill("textarea[name=minutes]", "会议通报了本月共驻共建情况，县一中无故缺席。")
    page.click("button:has-text('保存纪要')")
    page.wait_for_selector("text=已保存会议纪要")
    screenshot(page, "meetings_joint_meeting_attendance")
    # The criticism appears on the unit's page and on the star board.
    page.goto(f"/cobuild/units/{units.b.pk}/")
    assert "通报批评（1 次）" in page.locator("body").inner_text()
    page.goto("/cobuild/stars/")
    assert "县一中" in page.locator("#criticisms").inner_text()
    screenshot(page, "meetings_criticism_on_star_board")


def test_calendar_on_a_phone(page_for, personas, tree, units):
    today = timezone.localdate()
    body = services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                region=tree.east1, since=date(today.year - 1, 1, 1))
    services.meeting_create(actor=personas.secretary, body=body, title="本月联席会", date=today)
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/meetings/calendar/")
    assert "本月联席会" in page.locator("#calendar-list").inner_text()
    page.goto("/meetings/")
    assert "未开会" in page.locator("#bodies").inner_text()  # last month was missed
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "meetings_bodies_phone")
