"""On a phone: the community secretary draws up a holiday patrol roster; a Party member on it checks
in from 我的巡逻 and reports a blocked fire lane, which becomes a demand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from demands.models import Demand
from stability.models import PatrolShift
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_holiday_roster_with_check_ins(page_for, world, personas):
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto(f"/stability/patrols/teams/{world.team.pk}/")
    page.fill("#roster-form input[name=occasion]", "元旦")
    page.fill("#ro-first", start.date().isoformat())
    page.fill("#ro-last", (start.date() + timedelta(days=2)).isoformat())
    page.fill("#ro-start", start.strftime("%H:%M"))
    page.fill("#ro-end", (start + timedelta(hours=4)).strftime("%H:%M"))
    page.fill("#ro-n", "2")
    page.fill("#roster-form input[name=route]", "小区南门—中心广场—北门")
    page.click("#roster-form button")
    page.wait_for_selector("#shift-list li[data-shift]")
    assert PatrolShift.objects.filter(kind="holiday", occasion="元旦").count() == 3
    assert "节假日联防 · 元旦" in page.inner_text("#shift-list")
    screenshot(page, "stability-roster-phone")

    member = page_for(viewport=(390, 844))
    login(member, "member", PASSWORD)
    member.goto("/")
    assert "/stability/my/patrols/" in member.content()  # in the member's menu
    member.goto("/stability/my/patrols/")
    member.locator("#my-posts a").first.click()
    member.wait_for_selector("#post-list")
    member.click(".check-in-form button")
    member.wait_for_selector("#post-list .badge:has-text('已签到')")
    member.fill("#incident-form input[name=place]", "3号楼东侧")
    member.fill("#incident-form textarea[name=description]", "消防通道被电动车堵塞")
    member.click("#incident-form button")
    member.wait_for_selector("#incident-list li:has-text('消防通道被电动车堵塞')")
    d = Demand.objects.get()
    assert d.address == "3号楼东侧" and d.category.code == "safety-hazard"
    screenshot(member, "stability-patrol-check-in-phone")
