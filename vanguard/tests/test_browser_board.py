"""Browser, on a phone: the public 三亮 board of a community (no sign-in), with a member who consented to
show their name and one who did not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser_fixtures import screenshot
from vanguard import services
from vanguard.models import PledgeKind, ServiceStar, StarState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_board_on_a_phone(page_for, world, personas, tree):
    today = timezone.localdate()
    for member, title in ((world.me, "每月宣讲一次惠民政策"), (world.other, "为独居老人代购")):
        p = services.pledge_draft(actor=member.user, member=member, kind=PledgeKind.DEED, title=title,
                                  content=f"{title}，按期完成", due_on=today + timedelta(days=30))
        services.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=today)
        services.pledge_review(actor=personas.street_staff, pledge=p, approve=True)
        services.pledge_publish(actor=personas.secretary, pledge=p)
    services.consent_set(actor=personas.member, member=world.me, show_name=True, show_photo=False)
    ServiceStar.objects.create(community=tree.east1, member=world.me, year=today.year, quarter=1,
                               reason="宣讲政策十余次，居民满意", state=StarState.APPROVED)
    page = page_for(viewport=(390, 844))
    page.goto("/portal/sanliang/")
    page.get_by_text("东一社区").click()
    page.wait_for_url(f"**/portal/sanliang/{tree.east1.pk}/")
    names = page.locator(".board-name").all_inner_texts()
    assert "张建国" in names and "李**" in names and "李秀英" not in page.content()
    assert "宣讲政策十余次" in page.locator("#board-stars").inner_text()
    screenshot(page, "portal_sanliang_phone")
