"""The working day in a browser, on a phone (390×844) and a desktop (1366×768): a resident's demand
reaches the community's workbench and then the grid worker's; a grid worker's hazard reaches the
community; a Party member registers with one tap; each role's home page shows its own work."""

import pytest

from cobuild.testing import units  # noqa: F401  (shared fixture)
from conftest import PASSWORD
from dashboards.tests.test_workbench import ROLE_BLOCKS
from demands.models import Category, Demand
from members.models import Category as MemberCategory
from members.models import DualRegistration
from members.tests.conftest import members  # noqa: F401  (shared fixture)
from tests.browser_fixtures import login, screenshot, unread_count

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}


@pytest.fixture
def categories(db):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))


def _fits(page, width: int) -> None:
    """No sideways scrolling, and no workbench text squeezed to a character per line."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    narrow = page.evaluate("""Array.from(document.querySelectorAll('.wb-item .fw-medium, .card-title'))
        .filter(e => e.textContent.trim().length > 2 && e.getBoundingClientRect().width < 40).length""")
    assert narrow == 0


def _unread(page) -> int:
    return unread_count(page)


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_a_portal_demand_reaches_the_community_then_the_grid_worker(view, page_for, personas, tree, categories):
    size = VIEWPORTS[view]
    resident = page_for(viewport=size)
    resident.goto("/portal/")
    resident.select_option("#id_category", "convenience")
    resident.select_option("#id_community", str(tree.east1.pk))
    resident.fill("#id_title", "阳光小区路灯不亮")
    resident.fill("#id_description", "阳光小区1号楼门口路灯坏了")
    resident.fill("#id_address", "阳光小区1号楼")
    resident.click("#portal-form button[type=submit]")
    resident.wait_for_selector("#tracking-code")
    demand = Demand.objects.get(title="阳光小区路灯不亮")

    # The secretary's workbench: a new demand and a notice, one tap from the demand.
    sec = page_for(viewport=size)
    login(sec, "secretary", PASSWORD)
    sec.goto("/")
    assert "阳光小区路灯不亮" in sec.locator("#wb-new-demands").inner_text()
    assert "阳光小区路灯不亮" in sec.locator("#wb-my-queue").inner_text()
    assert _unread(sec) == 1
    _fits(sec, size[0])
    screenshot(sec, f"workbench_secretary_new_demand_{view}")
    sec.locator("#wb-my-queue a.wb-item", has_text="阳光小区路灯不亮").click()
    sec.wait_for_url(f"**/demands/{demand.pk}/")
    # Dispatch: the grid of 阳光小区 is suggested and preselected.
    assert "阳光小区" in sec.locator("#suggested-grid").inner_text()
    assert sec.locator("#id_target").input_value() == f"r:{tree.east1_grid1.pk}"
    screenshot(sec, f"workbench_dispatch_suggested_{view}")
    sec.click("button[data-action=dispatch]")
    sec.wait_for_url(f"**/demands/{demand.pk}/")

    # The grid worker: in their queue with its deadline, and notified.
    gw = page_for(viewport=size)
    login(gw, "grid_worker", PASSWORD)
    gw.goto("/")
    queue = gw.locator("#wb-my-queue").inner_text()
    assert "阳光小区路灯不亮" in queue and "办结时限" in queue
    assert _unread(gw) == 1
    _fits(gw, size[0])
    screenshot(gw, f"workbench_grid_worker_queue_{view}")


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_a_grid_workers_hazard_reaches_the_community(view, page_for, personas, tree, categories):
    size = VIEWPORTS[view]
    gw = page_for(viewport=size)
    login(gw, "grid_worker", PASSWORD)
    gw.goto("/")
    gw.locator("#wb-my-queue a", has_text="街面上报").click()
    gw.wait_for_url("**/demands/street/")
    gw.select_option("#id_category", "safety-hazard")
    gw.fill("#id_title", "路口井盖缺失")
    gw.fill("#id_description", "幸福路口井盖缺失，已设置警示")
    gw.fill("#id_address", "幸福路口")
    # The phone's location (the page fills these from the browser's geolocation).
    gw.evaluate("document.getElementById('id_lat').value = '47.001';"
                "document.getElementById('id_lng').value = '89.501'")
    gw.click("#street-form button[type=submit]")
    gw.wait_for_url("**/demands/*/")
    gw.goto("/")
    assert "路口井盖缺失" in gw.locator("#wb-grid-events").inner_text()

    sec = page_for(viewport=size)
    login(sec, "secretary", PASSWORD)
    sec.goto("/")
    block = sec.locator("#wb-new-demands").inner_text()
    assert "路口井盖缺失" in block and "办结时限" in block
    assert _unread(sec) == 1
    sec.click("#notif-badge")
    sec.wait_for_url("**/notifications/**")
    assert "响应时限" in sec.locator("#notification-list").inner_text()
    screenshot(sec, f"workbench_hazard_notice_{view}")


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_the_party_members_register_button_works_end_to_end(view, page_for, personas, tree, members):  # noqa: F811
    size = VIEWPORTS[view]
    zs = members["zs"]
    zs.user, zs.residence, zs.category = personas.member, tree.east1_grid1, MemberCategory.EMPLOYED
    zs.save()
    m = page_for(viewport=size)
    login(m, "member", PASSWORD)
    m.goto("/")
    assert m.locator("#wb-community").input_value() == str(tree.east1.pk)
    _fits(m, size[0])
    screenshot(m, f"workbench_member_before_{view}")
    m.click("#wb-register-button")
    m.wait_for_url("**/members/me/")
    assert "等待社区党组织确认" in m.locator("body").inner_text()
    reg = DualRegistration.objects.get(member=zs)

    sec = page_for(viewport=size)
    login(sec, "secretary", PASSWORD)
    sec.goto("/")
    sec.locator("#wb-pending-registrations a.wb-item", has_text="张三").click()
    sec.wait_for_url("**/members/dual/?status=pending")
    sec.locator(f"form[action='/members/dual/{reg.pk}/decide/'] button[value=confirm]").click()
    sec.wait_for_load_state()
    reg.refresh_from_db()
    assert reg.status == "confirmed"

    m.goto("/")
    assert "东一社区：已确认" in m.locator("#wb-my-registration").inner_text()
    assert m.locator("#wb-register-button").count() == 0
    screenshot(m, f"workbench_member_after_{view}")


# The same blocks as the server-side test of each role's home (one list to keep up to date).
ROLE_HOMES = {who: blocks for who, blocks in ROLE_BLOCKS.items() if who != "nobody"}


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_each_roles_home_page_shows_only_its_own_work(view, page_for, personas, tree, categories):
    size = VIEWPORTS[view]
    for who, expected in ROLE_HOMES.items():
        page = page_for(viewport=size)
        login(page, who, PASSWORD)
        page.goto("/")
        keys = set(page.eval_on_selector_all(".workbench-block", "els => els.map(e => e.id.slice(3))"))
        assert keys == expected, who
        text = page.locator("body").inner_text()
        assert "街道（镇）" not in text
        _fits(page, size[0])
        screenshot(page, f"workbench_home_{who}_{view}")


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_the_liaison_answers_a_meeting_from_the_workbench(view, page_for, personas, tree, units):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import BodyKind

    size = VIEWPORTS[view]
    sec = personas.secretary
    body = meeting_services.body_create(actor=sec, name="东一社区党建联席会", kind=BodyKind.JOINT, region=tree.east1,
                                        secretary=sec, since=timezone.localdate() - timedelta(days=10))
    meeting_services.member_add(actor=sec, body=body, unit=units.a, title="成员单位")
    m = meeting_services.meeting_create(actor=sec, body=body, title="本月党建联席会",
                                        date=timezone.localdate() + timedelta(days=3))
    page = page_for(viewport=size)
    login(page, "liaison", PASSWORD)
    page.goto("/")
    assert "本月党建联席会" in page.locator("#wb-meetings-to-answer").inner_text()
    _fits(page, size[0])
    screenshot(page, f"workbench_home_liaison_{view}")
    page.locator("#wb-meetings-to-answer a.wb-item").first.click()
    page.wait_for_url(f"**/meetings/unit/{m.pk}/")
