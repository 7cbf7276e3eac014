"""On a phone: a grid worker opens a key person from the workbench, states the purpose, records a visit;
an overdue visit of another is flagged to the community secretary, who finds it marked on the list."""

from datetime import date

import pytest

from audit.models import AuditAction, AuditEntry
from conftest import PASSWORD
from stability import services
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_visit_recorded_and_an_overdue_one_flagged_to_the_secretary(page_for, world, personas):
    page = page_for(viewport=(390, 844))
    login(page, "grid_worker", PASSWORD)
    page.goto("/")
    block = page.locator("#wb-key-visits")
    assert "张*" in block.inner_text()
    block.locator(f"a[href='/stability/people/{world.released.pk}/']").first.click()
    page.wait_for_selector("#purpose-form")
    page.select_option("#purpose-choice", "例行走访")
    page.click("#purpose-form button")
    page.wait_for_selector("#visit-form")
    assert "已逾期" in page.inner_text("#person-card")
    page.select_option("#v-way", "home")
    page.fill("#v-findings", "在物流公司上班，情绪稳定，家属配合帮教")
    page.click("#visit-form button")
    page.wait_for_selector("#visit-list li:has-text('情绪稳定')")
    assert "已逾期" not in page.inner_text("#person-card")
    screenshot(page, "stability-key-visit-phone")
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_PII, actor=personas.grid_worker,
                                     purpose="例行走访").count() >= 2

    # 孙八 of 西一社区 and the other listed person fall behind; the daily check flags them.
    services.key_person_register(actor=personas.secretary, resident=world.residents["王五"],
                                 category=world.released.category, reason="刑满释放",
                                 registered_on=date(2025, 1, 2), leader=personas.grid_worker)
    assert services.key_visits_check() >= 1
    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/notifications/")
    assert "重点人员走访逾期" in sec.inner_text("body")
    sec.goto("/stability/people/?overdue=1")
    sec.select_option("#purpose-choice", "风险研判")
    sec.click("#purpose-form button")
    sec.wait_for_selector("#people-list")
    rows = sec.inner_text("#people-list")
    assert "王五" in rows and "已逾期" in rows and "张三" not in rows
    screenshot(sec, "stability-key-overdue-phone")
