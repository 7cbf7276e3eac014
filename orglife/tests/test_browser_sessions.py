"""On a phone: a branch secretary holds a 支部党员大会 with a mobile member attending online and keeps
its record; the community secretary sees a branch's missed 主题党日 month."""

import pytest
from django.utils import timezone

from conftest import PASSWORD
from orglife import services
from orglife.models import Session
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_branch_holds_an_assembly_with_a_mobile_member_online(page_for, world, personas):
    page = page_for(viewport=(390, 844))
    login(page, "branch_secretary", PASSWORD)
    page.goto("/orglife/sessions/")
    page.click("#session-new")
    page.select_option("#id_kind", "assembly")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_place", "社区党群服务中心")
    page.fill("#id_topic", "学习贯彻党的二十届四中全会精神")
    page.fill("#id_host_name", "支部书记")
    page.click("button:has-text('保存')")
    page.wait_for_selector("#attendance-form")
    s = Session.objects.get()
    # The mobile member is offered as attending online; one member is excused with a reason.
    assert page.locator(f"select[name=status_{world.away.pk}]").input_value() == "online"
    page.select_option(f"select[name=status_{world.other.pk}]", "excused")
    page.fill(f"input[name=reason_{world.other.pk}]", "住院治疗")
    page.click("#save-attendance")
    page.wait_for_selector("#attendance-summary")
    assert "实到 2 人（其中线上 1 人）" in page.inner_text("#attendance-summary")
    page.fill("#id_minutes", "传达学习全会精神，逐条讨论落实措施。")
    page.fill("#id_resolutions", "本月内每名党员走访 2 户居民。")
    page.click("#minutes-form button")
    page.wait_for_selector("#session-minutes")
    screenshot(page, "orglife-assembly-phone")
    with page.expect_download() as dl:
        page.click("#session-docx")
    assert dl.value.suggested_filename.endswith(".docx")
    s.refresh_from_db()
    assert s.held and s.attendances.filter(member=world.away, status="online").exists()


def test_a_missed_theme_day_is_flagged_to_the_community(page_for, world, personas):
    services.cadence_check()
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    block = page.locator("#wb-orglife-due")
    assert "网格1党支部" in block.inner_text() and "未开展主题党日" in block.inner_text()
    screenshot(page, "orglife-workbench-phone")
    block.locator("a", has_text="网格1党支部").first.click()
    page.wait_for_selector("#org-statuses")
    assert "未开展主题党日" in page.inner_text(f"#org-statuses tr[data-org='{world.branch.pk}']")
    assert "主题党日" in page.inner_text("#flag-list")
    screenshot(page, "orglife-cadence-phone")
