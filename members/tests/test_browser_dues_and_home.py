"""Browser: a community staff member reads the 党费标准 without any edit control; a community secretary who is
also a Party member finds both the staff card and their own record on the home page (Playwright + Debian's
Chromium)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from conftest import PASSWORD, make_user
from members.models import Category, DuesPayment, PartyMember
from tests.browser_fixtures import login, screenshot

from .conftest import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("who, viewport, shot", [
    ("community_staff", (1280, 860), "members_dues_tiers_readonly"),
    ("secretary", (390, 844), "members_dues_tiers_readonly_phone"),
])
def test_read_only_viewer_sees_the_tiers_but_no_edit_control(who, viewport, shot, page_for, personas):
    page = page_for(viewport=viewport)
    login(page, who, PASSWORD)
    page.goto("/members/dues/")
    link = page.locator("#dues-tiers-link")
    assert link.inner_text() == "查看党费标准"
    link.click()
    page.wait_for_url("**/members/dues/tiers/")
    content = page.locator(".page-body") if page.locator(".page-body").count() else page.locator("body")
    income = page.locator("#tiers-income").inner_text()
    retiree = page.locator("#tiers-retiree").inner_text()
    # The four income bands and the two retiree bands of the 2008 rule, with their rates.
    for band in ("每月税后收入", "第 1 档", "3000 及以下", "第 4 档", "3000 以上至 5000", "10000 以上", "0.50%",
                 "2.00%"):
        assert band in income, band
    for band in ("每月离退休费", "5000 及以下", "5000 以上", "1.00%"):
        assert band in retiree, band
    assert "第 3 档" not in retiree and not re.search(r"(^|\s)0 以上", income + retiree)  # not “0 以上至 3000”
    fixed = page.locator("#tiers-fixed").inner_text()
    assert "固定金额" in fixed and "0.20" in fixed
    assert "党费标准由区委组织部管理员维护" in content.inner_text()
    # No form, field, save button or delete box: only the district admin edits the tiers.
    assert page.locator("#tiers-form").count() == 0 and page.locator("#tiers-save").count() == 0
    assert content.locator("input:not([type=hidden]), select, textarea").count() == 0
    assert content.locator("button[type=submit]").count() == 0
    assert "删除" not in content.inner_text() and "保存" not in content.inner_text()
    screenshot(page, shot)
    # And a hand-made POST is refused.
    status = page.evaluate("""async () => {
        const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
        const r = await fetch('/members/dues/tiers/', {method: 'POST', headers: {'X-CSRFToken': token},
                                                        body: new URLSearchParams({'fixed_amount': '5'})});
        return r.status; }""")
    assert status == 403


def _month_add(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def test_secretary_who_is_a_member_finds_the_staff_card_and_their_own_record(page_for, personas, tree):
    """王书记 runs 东一社区 and is a Party member there: the home page shows the staff card (the members in her
    scope, her own record among them) and 我的党员档案 (her record only); each leads where it says."""
    this_month = timezone.localdate().replace(day=1)
    own = add_member(tree.east1_org, "王芳", gender="F", birth_date=date(1978, 4, 9), user=personas.secretary,
                     monthly_income=Decimal("4200"), occupation="社区书记", residence=tree.east1_grid1)
    for k in range(1, 4):
        DuesPayment.objects.create(member=own, month=_month_add(this_month, -k), amount=Decimal("42.00"),
                                   paid_on=timezone.localdate(), org=own.org)
    add_member(tree.east1_org, "李四")
    add_member(tree.west1_org, "王五")  # outside her scope
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.goto("/")
    cards = {page.locator(".subheader").nth(i).inner_text().strip(): i
             for i in range(page.locator(".subheader").count())}
    assert "辖区党员" in cards and "我的党员档案" in cards
    values = page.locator(".stat-value")
    assert values.nth(cards["辖区党员"]).inner_text().strip() == "2"  # 王芳 and 李四, not 王五
    mine = values.nth(cards["我的党员档案"])
    assert mine.inner_text().strip() == "王芳"
    screenshot(page, "members_home_secretary_member")
    # Her own record: masked, her dues, nobody else's data.
    mine.locator("a").click()
    page.wait_for_url("**/members/me/")
    info = page.locator("#my-info").inner_text()
    assert "王芳" in info and own.id_number not in info and "东一社区党总支" in info
    assert "东一社区 网格1" in info  # the residence says which community, not just “网格1”
    assert "李四" not in page.content()
    assert "<strong>42.00</strong>" in page.locator("#my-dues").inner_html()
    assert "此前各月党费均已按月交纳" in page.locator("#my-owed").inner_text()
    screenshot(page, "members_home_secretary_my_record")
    # The staff card leads to the register of her scope.
    page.goto("/")
    values.nth(cards["辖区党员"]).locator("a").click()
    page.wait_for_url("**/members/list/**")
    listed = page.locator("table").first.inner_text()
    assert "王芳" in listed and "李四" in listed and "王五" not in listed
    assert PartyMember.objects.get(user=personas.secretary).name == "王芳"


def test_member_without_income_and_the_staff_report_agree(page_for, personas, tree):
    """No income on record: 我的档案 explains why no amount is computed and shows the months behind as the
    staff's arrears report does; the report marks the member 未登记收入."""
    account = make_user("dangyuan", Role.PARTY_MEMBER, tree.east1, full_name="赵敏")
    this_month = timezone.localdate().replace(day=1)
    zm = add_member(tree.east1_org, "赵敏", Category.RETIRED, gender="F", birth_date=date(1958, 2, 3), user=account,
                    residence=tree.east1_grid2)
    DuesPayment.objects.create(member=zm, month=_month_add(this_month, -8), amount=Decimal("20.00"),
                               paid_on=timezone.localdate(), org=zm.org)
    page = page_for(viewport=(390, 844))
    login(page, "dangyuan", PASSWORD)
    page.goto("/members/me/")
    dues = page.locator("#my-dues").inner_text()
    assert "尚未核定" in dues and "尚未登记您的每月离退休费" in dues and "合计约" not in dues
    assert "有 7 个月没有缴纳记录" in dues and "连续 7 个月未缴" in dues
    page.locator("#my-dues").scroll_into_view_if_needed()
    screenshot(page, "members_my_record_no_income_phone")
    staff = page_for()
    login(staff, "secretary", PASSWORD)
    staff.goto("/members/dues/")
    row = staff.locator("#arrears-table tr", has_text="赵敏").inner_text()
    assert "未登记收入" in row and "7" in row
    screenshot(staff, "members_dues_arrears_no_income")
