"""数据驾驶舱 on a phone (390×844): a district administrator drills from the county dashboard to a
grid's overdue demand in four taps (street → community → the grid's overdue figure → the demand)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from dashboards.rollup import rollup_refresh
from demands import services
from demands.models import Category, Channel
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue_demand(tree, personas):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    now = timezone.now()
    cat = Category.objects.get(code="convenience")
    for days in (1, 2, 3):
        services.demand_create(actor=personas.district_admin, region=tree.east2, channel=Channel.HOTLINE,
                               category=cat, title="垃圾清运不及时", description="小区垃圾两天未清运",
                               submitted_at=now - timedelta(days=days, hours=1))
    d = services.demand_create(actor=personas.district_admin, region=tree.east1_grid1, channel=Channel.HOTLINE,
                               category=cat, title="楼道灯长期不亮", description="三单元楼道灯坏了一个月",
                               submitted_at=now - timedelta(days=40))
    rollup_refresh(full=True)
    return d


def test_a_district_admin_drills_from_the_county_to_a_grids_overdue_demand(page_for, personas, tree,
                                                                             overdue_demand):
    page = page_for(viewport=(390, 844))
    login(page, "district_admin", PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#chart-trend svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "汇总数据更新于" in page.inner_text("#freshness")
    screenshot(page, "dashboard-county-phone")
    page.click("#children [data-drill='东街道']")                       # 1
    page.wait_for_selector("#children [data-drill='东一社区']")
    screenshot(page, "dashboard-street-phone")
    page.click("#children [data-drill='东一社区']")                     # 2
    page.wait_for_selector("#children [data-overdue='网格1']")
    assert "数据为实时统计" in page.inner_text("#freshness")
    screenshot(page, "dashboard-community-phone")
    page.click("#children [data-overdue='网格1']")                      # 3
    page.wait_for_url("**/demands/?*overdue=1*")
    assert "网格1" in page.inner_text("#list-scope")
    screenshot(page, "dashboard-overdue-list-phone")
    page.click(f"text={overdue_demand.title}")                        # 4
    page.wait_for_url(f"**/demands/{overdue_demand.pk}/")
    assert overdue_demand.tracking_code in page.content()


def test_the_county_dashboard_on_a_desktop_and_in_print(page_for, personas, tree, overdue_demand):
    page = page_for(viewport=(1366, 768))
    login(page, "district_admin", PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#chart-children svg")
    screenshot(page, "dashboard-county-desktop")
    page.emulate_media(media="print")
    assert not page.is_visible("#range-form")
    assert page.is_visible("#kpis")


def test_a_secretary_finds_a_demand_by_its_words_on_a_phone(page_for, personas, tree, overdue_demand):
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/search/")
    page.fill("input[name=q]", "楼道灯")
    page.click("#search-form button")
    page.wait_for_selector("#group-demands")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "search-phone")
    page.click(f"#group-demands >> text={overdue_demand.title}")
    page.wait_for_url(f"**/demands/{overdue_demand.pk}/")
