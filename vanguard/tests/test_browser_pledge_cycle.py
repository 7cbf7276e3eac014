"""Browser, on a 390×844 phone: an employed member registers with the community where they live, chooses a
post, drafts a pledge that goes through 议诺 / 审诺 / 示诺, fulfils it with a photo and is rated."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from conftest import PASSWORD, make_user
from members.models import Category
from members.tests.conftest import add_member
from members.tests.test_photo import image_bytes
from orgs.models import OrgForm, OrgLevel, PartyOrg
from tests.browser_fixtures import login, screenshot
from vanguard import services
from vanguard.models import Pledge, PledgeState, PostKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (390, 844)


def _open_menu(page, label):
    if page.locator("#main-menu").is_hidden():
        page.click(".navbar-toggler")
        page.locator("#main-menu").wait_for(state="visible")
    page.locator("#main-menu").get_by_text(label, exact=True).dispatch_event("click")


def test_member_registers_chooses_a_post_and_walks_the_six_steps(page_for, personas, tree):
    school = PartyOrg.objects.create(name="县第一中学党支部", level=OrgLevel.RESIDENT_UNIT, form=OrgForm.BRANCH,
                                     region=tree.east, parent=tree.east1_org.parent)
    user = make_user("zhangjg", Role.PARTY_MEMBER, tree.east1, full_name="张建国")
    me = add_member(school, "张建国", Category.EMPLOYED, residence=tree.east1_grid1, user=user, employer="县第一中学")
    services.post_create(actor=personas.secretary, region=tree.east1, kind=PostKind.POLICY, title="政策宣传岗",
                         duties="每月在小区宣讲惠民政策", capacity=2)

    m = page_for(viewport=PHONE)
    login(m, "zhangjg", PASSWORD)
    _open_menu(m, "我的岗位与承诺")
    m.wait_for_url("**/vanguard/my/")
    assert "亮身份" in m.locator("#liang-badge").inner_text()
    assert "暂无" in m.locator("#my-communities").inner_text()
    m.click("#go-register")
    m.select_option("#id_community", label="东街道 东一社区")
    m.fill("#id_note", "住阳光小区1号楼，周末可以参加服务")
    m.click("#register-submit")
    m.wait_for_url("**/vanguard/my/")
    screenshot(m, "vanguard_register_phone")

    s = page_for()
    login(s, "secretary", PASSWORD)
    s.goto("/members/dual/")
    s.locator("#dual-table tr", has_text="张建国").get_by_role("button", name="确认").click()
    s.wait_for_load_state()
    assert "已确认报到" in s.content()

    m.goto("/vanguard/my/")
    assert "东一社区" in m.locator("#my-communities").inner_text()
    m.click("#choose-post")
    m.locator(".open-post", has_text="政策宣传岗").locator(".claim-post").click()
    m.wait_for_url("**/vanguard/my/")
    assert "待审核" in m.locator("#my-posts").inner_text()

    s.goto("/vanguard/posts/")
    s.locator("#pending-claims li", has_text="张建国").get_by_role("button", name="同意").click()
    s.wait_for_load_state()
    assert "已同意认岗" in s.content()

    m.goto("/vanguard/my/")
    assert "在岗" in m.locator("#my-posts").inner_text()
    m.click("#new-pledge")
    m.select_option("#id_kind", "post")
    m.select_option("#id_post", label="政策宣传岗")
    m.fill("#id_title", "每月宣讲一次惠民政策")
    m.fill("#id_content", "在阳光小区每月宣讲一次，入户讲解医保新政")
    # A date in the past is refused with the field named; nothing is saved.
    m.fill("#id_due_on", (timezone.localdate() - timedelta(days=1)).isoformat())
    m.click("button:has-text('提交')")
    assert "承诺完成日期不能早于今天" in m.locator("#row-due_on").inner_text()
    assert not Pledge.objects.exists()
    m.fill("#id_due_on", (timezone.localdate() + timedelta(days=60)).isoformat())
    m.click("button:has-text('提交')")
    m.wait_for_url("**/vanguard/my/pledges/*/")
    pledge = Pledge.objects.get()
    assert pledge.community == tree.east1

    # 议诺 and 审诺: the school's branch sits under the street (its organization's region), 审诺 above it.
    st = page_for()
    login(st, "street_staff", PASSWORD)
    st.goto(f"/vanguard/pledges/{pledge.pk}/")
    st.click("#submit-deliberate")
    st.wait_for_selector("#action-review")
    st.check("#action-review input[value='1']")
    st.click("#submit-review")
    st.wait_for_selector("#publish")
    st.click("#publish")
    st.wait_for_load_state()
    assert Pledge.objects.get().state == PledgeState.PUBLISHED

    m.goto(f"/vanguard/my/pledges/{pledge.pk}/")
    assert "示诺中" in m.locator(".pledge-state").inner_text()
    m.fill("#id_fulfilment", "已宣讲三次，入户讲解 40 户")
    m.fill("#id_hours", "6")
    m.fill("#id_households_reached", "40")
    m.set_input_files("#id_photo", files=[{"name": "现场.png", "mimeType": "image/png",
                                           "buffer": image_bytes("PNG", (800, 600))}])
    m.click("#fulfil-submit")
    m.wait_for_selector("#pledge-photo")
    assert m.locator("#pledge-photo").evaluate("img => img.naturalWidth") > 0

    st.goto(f"/vanguard/pledges/{pledge.pk}/")
    st.select_option("#action-rate #id_level", "branch")
    st.select_option("#action-rate #id_grade", "good")
    st.fill("#action-rate #id_raters", "县第一中学党支部委员会")
    st.click("#submit-rate")
    st.wait_for_load_state()
    s.goto(f"/vanguard/pledges/{pledge.pk}/")
    s.select_option("#action-rate #id_level", "community")
    s.select_option("#action-rate #id_grade", "fair")
    s.fill("#action-rate #id_raters", "东一社区党总支委员会")
    s.click("#submit-rate")
    s.wait_for_load_state()
    assert Pledge.objects.get().state == PledgeState.RATED

    m.goto(f"/vanguard/my/pledges/{pledge.pk}/")
    events = m.locator("#pledge-events").inner_text()
    for step in ("申诺", "议诺", "审诺", "示诺", "践诺", "支部评议", "社区评议"):
        assert step in events
    assert "较好" in m.locator("#pledge-ratings").inner_text()
    screenshot(m, "vanguard_pledge_rated_phone")
    m.goto("/vanguard/my/")
    screenshot(m, "vanguard_my_phone")
    # The points: the fulfilled pledge earns its rule's points, linked to it.
    m.click("#go-points")
    m.wait_for_url("**/points/my/")
    assert m.locator("#my-total").inner_text() == "10"
    assert "践诺：每月宣讲一次惠民政策" in m.locator("#my-entries").inner_text()
    assert "第 1 名" in m.locator("#my-rank").inner_text()
    screenshot(m, "points_my_phone")
    assert me.point_entries.get().fact_id == pledge.pk
