"""On a phone: a neighbour dispute raised as a demand becomes a mediation case in one tap, the
respondent is added, mediation recorded, the agreement reached and printed, followed up and closed."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from conftest import PASSWORD
from demands import services as demand_services
from demands.models import Channel
from stability.models import Case, CaseStatus
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_dispute_demand_becomes_a_case_ending_with_an_agreement(page_for, world, personas, tree):
    d = demand_services.demand_create(actor=personas.secretary, channel=Channel.HOTLINE, category="neighbor-dispute",
                                      region=tree.east1_grid1, title="楼上漏水邻里纠纷",
                                      description="楼上卫生间漏水，浸湿楼下天花板", caller_name="钱大妈",
                                      caller_phone="13912345678")
    page = page_for(viewport=(390, 844))
    login(page, "community_staff", PASSWORD)
    page.goto("/stability/cases/")
    page.locator(f"#dispute-demands li[data-demand='{d.pk}'] button").click()
    page.wait_for_selector("#party-form")
    case = Case.objects.get()
    assert case.demand == d and "钱大妈" in page.inner_text("#party-list")
    page.select_option("#party-form select[name=role]", "respondent")
    page.fill("#party-form input[name=name]", "孙先生")
    page.fill("#party-form input[name=address]", "1号楼201")
    page.click("#party-form button")
    page.wait_for_selector("#party-list li:has-text('孙先生')")
    page.select_option("#step-form select[name=step]", "组织调解")
    page.fill("#step-form input[name=note]", "双方到社区调解室面谈")
    page.click("#step-form button")
    page.wait_for_selector("#step-list li:has-text('双方到社区调解室面谈')")
    page.fill("#a-text", "楼上住户三日内修复防水\n楼上住户赔偿楼下住户修复费用800元")
    page.fill("#a-perf", "签订协议后七日内履行完毕")
    page.fill("#a-due", (timezone.localdate() + timedelta(days=15)).isoformat())
    page.click("#agree-form button")
    page.wait_for_selector("#agreement-docx")
    with page.expect_download() as dl:
        page.click("#agreement-docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(open(dl.value.path(), "rb").read())).paragraphs)
    assert "人民调解协议书" in text and "钱大妈" in text and "孙先生" in text and "赔偿楼下住户修复费用800元" in text
    page.fill("#follow-form input[name=note]", "防水已修复，赔偿款已付清")
    page.click("#follow-form button")
    page.wait_for_selector("#close-form")
    page.click("#close-form button")
    page.wait_for_selector("#case-status:has-text('已结案')")
    screenshot(page, "stability-case-phone")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
