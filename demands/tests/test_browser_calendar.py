"""Browser test of the work calendar: the district admin enters the 国庆节 days off and the
deadlines of demands received just before them move past the holiday."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from demands import services
from demands.models import DemandEvent, WorkCalendarDay
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _first_weekday_after(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def test_admin_adds_national_day_and_deadlines_move_past_it(page_for, personas, tree):
    today = timezone.localdate()
    # The latest 国庆 already over (a demand cannot be received in the future).
    year = today.year if today >= date(today.year, 10, 9) else today.year - 1
    received = date(year, 9, 30)
    while received.weekday() >= 5:
        received -= timedelta(days=1)
    at = datetime(received.year, received.month, received.day, 16, 0, tzinfo=timezone.get_current_timezone())
    after = _first_weekday_after(date(year, 10, 7))

    def policy_demand(title):
        # 政策咨询: working hours only, response within 8 working hours.
        return services.demand_create(actor=personas.secretary, channel="hotline", category="policy",
                                      region=tree.east1, title=title, description="咨询养老认证", submitted_at=at)

    before = policy_demand("节前收到的咨询")
    assert timezone.localtime(before.response_due).date() < date(year, 10, 8)  # lands in the holiday

    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.click("#main-menu >> text=工作日历")
    page.wait_for_url("**/demands/calendar/")
    page.goto(f"/demands/calendar/?year={year}")
    page.fill("#id_off-name", "国庆节")
    page.fill("#id_off-start", f"{year}-10-01")
    page.fill("#id_off-end", f"{year}-10-07")
    page.click("#days-off-form button[type=submit]")
    page.wait_for_selector(f"text=已添加放假：国庆节 {year}-10-01 至 {year}-10-07（7 天）")
    assert "重新计算了 1 件未办结诉求的时限" in page.locator(".alert-success").inner_text()
    assert page.locator("#calendar-table tbody tr").count() == 7
    assert page.locator("#year-grid td.day_off").count() == 7
    # A mistake is refused with the field named, and nothing is saved.
    page.fill("#id_work-name", "国庆调休")
    page.fill("#id_work-day", f"{year}-10-08")
    page.click("#workday-form button[type=submit]")
    page.wait_for_selector("text=本来就是工作日")
    screenshot(page, "demands_work_calendar_refused")
    assert WorkCalendarDay.objects.count() == 7
    page.select_option("#year-nav select", str(year - 1))
    page.wait_for_url(f"**/demands/calendar/?year={year - 1}")
    page.click("#next-year")
    page.wait_for_url(f"**/demands/calendar/?year={year}")
    screenshot(page, "demands_work_calendar")

    # The demand received before the holiday was recomputed; a new one is computed past it too.
    new = policy_demand("节后才计时的咨询")
    for d in (before, new):
        page.goto(f"/demands/{d.pk}/")
        text = page.locator("dl").inner_text()
        assert f"{after:%Y-%m-%d} 16:00" in text, text
        assert "工作日历" in page.locator("#working-hours-note").inner_text()
    assert DemandEvent.objects.filter(demand=before, action="deadline").count() == 1
    page.goto(f"/demands/{before.pk}/")
    assert "时限调整" in page.locator("#timeline").inner_text()
    screenshot(page, "demands_deadline_after_national_day")
