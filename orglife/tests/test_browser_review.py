"""On a phone: a branch secretary runs last year's 民主评议党员, rates one member 不合格, records the
follow-up (限期改正) and closes the review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from orglife.models import Review
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_yearly_review_with_one_unqualified_and_its_follow_up(page_for, world, personas):
    year = timezone.localdate().year - 1
    page = page_for(viewport=(390, 844))
    login(page, "branch_secretary", PASSWORD)
    page.goto("/orglife/reviews/")
    page.fill("#review-open input[name=year]", str(year))
    page.click("#review-open button")
    page.wait_for_selector("#review-entries")
    ratings = {world.me.pk: ("excellent", "2"), world.other.pk: ("qualified", "3"), world.away.pk: ("unqualified", "0")}
    r = Review.objects.get()
    for e in r.entries.all():
        rating, votes = ratings[e.member_id]
        item = page.locator(f"#review-entries li[data-entry='{e.pk}']")
        item.locator("select[name=rating]").select_option(rating)
        item.locator("input[name=votes_qualified]").fill(votes)
        item.locator(".rate-form button").click()
        page.wait_for_load_state("load")
    away = r.entries.get(member=world.away)
    item = page.locator(f"#review-entries li[data-entry='{away.pk}']")
    item.locator("select[name=measure]").select_option("correct")
    item.locator("input[name=due]").fill((timezone.localdate() + timedelta(days=90)).isoformat())
    item.locator("input[name=note]").fill("长期不参加组织生活，限期三个月改正")
    item.locator(".follow-form button").click()
    page.wait_for_load_state("load")
    assert "限期改正" in page.inner_text(f"#review-entries li[data-entry='{away.pk}']")
    screenshot(page, "orglife-review-phone")
    page.click("#review-close")
    page.wait_for_load_state("load")
    r.refresh_from_db()
    assert not r.is_open
    assert "不合格 1 人" in page.inner_text("#review-counts")
