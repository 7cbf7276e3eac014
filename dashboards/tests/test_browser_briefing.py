"""简报 on a phone (390×844): the street generates last month's briefing, edits it and issues it; a
community secretary opens it, downloads the PDF and signs the read receipt; the street sees it read."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from demands import services as demand_services
from demands.models import Category, Channel
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(tree, personas):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    day = timezone.localdate().replace(day=1) - timedelta(days=5)
    at = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.get_current_timezone())
    demand_services.demand_create(actor=personas.district_admin, region=tree.east1_grid1, channel=Channel.HOTLINE,
                                  category=Category.objects.get(code="convenience"), title="楼道灯不亮",
                                  description="三单元", submitted_at=at)


def test_a_monthly_briefing_generated_edited_issued_and_read(page_for, personas, tree, last_month):
    street = page_for(viewport=(390, 844))
    login(street, "street_staff", PASSWORD)
    street.goto("/briefings/")
    street.select_option("#id_kind", "month")
    street.click("#briefing-new button")
    street.wait_for_selector("#briefing-edit")
    assert "一、总体情况" in street.input_value("#id_body")
    street.fill("#id_title", "东街道月度工作简报")
    street.fill("#id_body", street.input_value("#id_body") + "\n五、下月安排\n做好冬季供暖诉求办理。")
    street.click("#briefing-edit button")
    street.wait_for_selector("text=已保存")
    street.once("dialog", lambda d: d.accept())
    street.click("#issue")
    street.wait_for_selector("#receipts")
    assert "已下发" in street.inner_text("#briefing-status")
    screenshot(street, "briefing-issued-street-phone")

    community = page_for(viewport=(390, 844))
    login(community, "secretary", PASSWORD)
    community.goto("/briefings/")
    community.click("text=东街道月度工作简报")
    community.wait_for_selector("#briefing-body")
    assert "做好冬季供暖诉求办理" in community.inner_text("#briefing-body")
    with community.expect_download() as dl:
        community.click("#dl-pdf")
    assert dl.value.suggested_filename.endswith(".pdf")
    community.click("#sign")
    community.wait_for_selector("#signed")
    assert community.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(community, "briefing-read-community-phone")

    street.reload()
    assert "已阅" in street.inner_text("#receipts")
