"""In the browser: a district admin, on a phone, goes from the workbench's 本季度未走访的县领导 to the
community, records the leader's visit and the problem the leader took on; on a desktop, a fourth
leader for a community is refused with the three named."""

from datetime import timedelta

import pytest

from conftest import PASSWORD
from network.models import LeaderAssignment, LeaderProblem, LeaderVisit
from tests.browser_fixtures import login, screenshot

from .conftest import today

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_district_admin_records_a_visit_and_a_problem_on_a_phone(page_for, world, tree, personas):
    page = page_for(viewport=(390, 844))
    login(page, "district_admin", PASSWORD)
    page.goto("/")
    block = page.locator("#wb-leaders-unvisited")
    assert "张一" in block.inner_text()
    screenshot(page, "network-workbench-phone")
    block.locator("a", has_text="张一").first.click()
    page.locator("#assignments a", has_text="东一社区").first.click()
    page.wait_for_selector("#community-leaders")
    assert "联系社区的县领导（3 / 3 名）" in page.inner_text("body")
    page.click("#visit-new")
    page.select_option("#id_leader", str(world.leaders[0].pk))
    page.fill("#id_date", today().isoformat())
    page.select_option("#id_kind", "inspection")
    page.fill("#id_findings", "查看党群服务中心，听取社区书记汇报，居民反映老旧小区雨污管网堵塞。")
    page.click("#visit-form button")
    page.wait_for_selector(".alert-success")
    v = LeaderVisit.objects.get()
    assert v.leader == world.leaders[0] and v.community == tree.east1 and v.recorded_by == personas.district_admin
    assert "已走访 1 次" in page.inner_text("#community-leaders")
    page.click("#problem-new")
    page.select_option("#id_leader", str(world.leaders[0].pk))
    page.fill("#id_problem", "老旧小区雨污管网堵塞，雨季积水")
    page.fill("#id_owner", "县住建局")
    page.fill("#id_deadline", (today() + timedelta(days=60)).isoformat())
    page.click("#problem-form button")
    page.wait_for_selector(".alert-success")
    assert "老旧小区雨污管网堵塞" in page.inner_text("#problems")
    assert LeaderProblem.objects.get().owner == "县住建局"
    screenshot(page, "network-community-phone")
    # A visit dated tomorrow: refused on the form, in Chinese, nothing saved.
    page.click("#visit-new")
    page.select_option("#id_leader", str(world.leaders[1].pk))
    page.fill("#id_date", (today() + timedelta(days=1)).isoformat())
    page.fill("#id_findings", "明天的走访")
    page.click("#visit-form button")
    page.wait_for_selector(".invalid-feedback")
    assert "走访日期不能晚于今天" in page.inner_text("#visit-form")
    screenshot(page, "network-visit-refused-phone")
    assert LeaderVisit.objects.count() == 1


def test_a_fourth_leader_is_refused_on_a_desktop(page_for, world, tree):
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.goto("/network/leaders/")
    page.locator("#leaders a", has_text="赵四").click()
    page.select_option("#id_community", str(tree.east1.pk))
    page.click("#assign-form button")
    page.wait_for_selector(".invalid-feedback")
    text = page.inner_text("#assign-form")
    assert "东一社区已有 3 名联系县领导（张一、王二、李三）" in text and "每个社区确定 3 名县领导" in text
    screenshot(page, "network-fourth-leader-refused-desktop")
    assert not LeaderAssignment.objects.filter(leader=world.leaders[3]).exists()
    page.goto("/network/")
    screenshot(page, "network-index-desktop")
    page.goto(f"/network/communities/{tree.east1.pk}/")
    screenshot(page, "network-community-desktop")
