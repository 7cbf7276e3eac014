"""On a phone: a branch secretary registers an application and takes the applicant through every
stage to 正式党员; the new member appears in the registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from core.idnumber import synthetic_id_number
from members.models import PartyMember
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_applicant_goes_through_the_pipeline_into_the_registry(page_for, world, personas):
    from datetime import date

    today = timezone.localdate()
    page = page_for(viewport=(390, 844))
    login(page, "branch_secretary", PASSWORD)
    page.goto("/orglife/pipeline/")
    page.click("#applicant-new")
    page.fill("#id_name", "周小梅")
    page.fill("#id_id_number", synthetic_id_number(birth_date=date(1994, 6, 1), gender="F"))
    page.fill("#id_applied_on", (today - timedelta(days=365 * 3)).isoformat())
    page.fill("#id_social_org", "好人协会")
    page.click("button:has-text('保存')")
    page.wait_for_selector("#advance-form")
    dates = [today - timedelta(days=365 * 3 - 40), today - timedelta(days=600),
             today - timedelta(days=400), today]
    for on in dates:
        page.fill("#id_on", on.isoformat())
        for box in page.locator("#advance-form input[type=checkbox]").all():
            box.check()
        page.click("#advance")
        page.wait_for_load_state("load")
    assert "正式党员" in page.inner_text("#applicant-stage")
    screenshot(page, "orglife-pipeline-phone")
    page.click("#member-link")
    page.wait_for_load_state("load")
    assert "周小梅" in page.content()
    m = PartyMember.objects.get(name="周小梅")
    assert m.status == "full" and m.org == world.branch and m.full_member_on == today
