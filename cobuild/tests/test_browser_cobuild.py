"""Browser workflows of co-building (Playwright + Chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cobuild import services
from cobuild.models import Deed, Project, ResourceKind, StarRating
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_need_to_project_to_deed(page_for, personas, tree, units):
    services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.VENUE, title="医院报告厅",
                             capacity=100, availability="周末全天")
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=共建协议")
    page.click("text=县医院共建协议")
    form = page.locator("#need-form")
    form.locator("select[name=kind]").select_option("venue")
    form.locator("input[name=title]").fill("七一党课场地")
    form.locator("input[name=quantity]").fill("60")
    form.locator("button").click()
    page.wait_for_selector("#proposals")
    assert "医院报告厅" in page.locator("#proposals").inner_text()
    assert "本社区" in page.locator("#proposals").inner_text()
    page.click("#proposals >> text=采用此资源")
    accept = page.locator("form.accept-form").first
    accept.locator("input[name=owner_name]").fill("王书记")
    accept.locator("input[name=deadline]").fill(str(timezone.localdate() + timedelta(days=30)))
    accept.locator("input[name=budget]").fill("1500")
    screenshot(page, "cobuild_need_proposals")
    accept.locator("button[type=submit]").click()
    page.wait_for_selector("#project-facts")
    assert "王书记" in page.locator("#project-facts").inner_text()
    project = Project.objects.get(title="七一党课场地")
    assert project.unit == units.a and str(project.budget) == "1500.00"
    page.click("text=登记本项目实事")
    page.fill("input[name=title]", "七一专题党课")
    page.select_option("select[name=activity]", "party")
    page.fill("input[name=beneficiaries]", "58")
    page.fill("textarea[name=participants]", "张三 2\n李四 1.5")
    page.click("#form-submit")
    page.wait_for_selector("#project-deeds >> text=七一专题党课")
    deed = Deed.objects.get(title="七一专题党课")
    assert deed.project == project and deed.participants.count() == 2
    screenshot(page, "cobuild_project_with_deed")


def test_liaison_logs_a_deed_on_a_phone(page_for, personas, units):
    page = page_for(viewport=(390, 844))
    login(page, "liaison", PASSWORD)
    page.goto("/cobuild/deeds/new/")
    # The liaison's only unit is preselected; other units of the community are not offered.
    options = page.locator("select[name=unit] option").all_inner_texts()
    assert "县医院" in options and "县一中" not in options
    page.select_option("select[name=activity]", "service")
    page.fill("input[name=title]", "义诊进社区")
    page.fill("input[name=beneficiaries]", "45")
    page.fill("input[name=hours]", "6")
    page.check("input[name=team_service]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "cobuild_liaison_deed_phone_form")
    page.click("#form-submit")
    page.wait_for_selector("#ledger >> text=义诊进社区")
    assert Deed.objects.get(title="义诊进社区").unit == units.a
    screenshot(page, "cobuild_liaison_ledger_phone")


def test_future_deed_refused_in_the_browser(page_for, personas, units):
    page = page_for(viewport=(390, 844))
    login(page, "liaison", PASSWORD)
    page.goto("/cobuild/deeds/new/")
    page.select_option("select[name=activity]", "service")
    page.fill("input[name=title]", "明天的实事")
    page.fill("input[name=date]", str(timezone.localdate() + timedelta(days=2)))
    page.click("#form-submit")
    page.wait_for_selector(".invalid-feedback")
    assert "不能晚于今天" in page.locator(".invalid-feedback").first.inner_text()
    assert not Deed.objects.exists()


def test_star_board_computed_and_overridden(page_for, personas, units, client):
    today = timezone.localdate()
    for i in range(6):
        services.deed_create(actor=personas.secretary, unit=units.a, activity="service", date=today, title=f"实事{i}",
                             rating=5)
    for k in range(2):
        p = services.project_create(actor=personas.secretary, region=units.a.region, title=f"项目{k}",
                                    owner_name="甲", deadline=today + timedelta(days=3), unit=units.a)
        services.project_complete(actor=personas.secretary, project=p)
    page = page_for()
    login(page, "street_staff", PASSWORD)
    page.click("#main-menu >> text=星光榜")
    page.click("#compute-stars")
    page.wait_for_selector("#star-board >> text=县医院")
    row = page.locator("#star-board tr", has_text="县医院")
    assert row.locator("td.star-cell").get_attribute("data-stars") == "5"
    assert "评定标准" in page.locator("#criteria").inner_text()
    screenshot(page, "cobuild_star_board")
    # An override without a reason is refused, with the field named.
    page.locator("#star-board tr", has_text="县一中").locator("text=调整").click()
    page.fill("input[name=stars]", "4")
    page.click("button:has-text('保存调整')")
    page.wait_for_selector(".invalid-feedback")
    assert "调整理由不能为空" in page.locator("body").inner_text()
    page.fill("input[name=stars]", "7")
    page.fill("input[name=override_reason]", "表现突出")
    page.click("button:has-text('保存调整')")
    page.wait_for_selector(".invalid-feedback")
    assert "1 到 5" in page.locator("body").inner_text()
    assert StarRating.objects.get(unit=units.b).override_reason == ""
    page.fill("input[name=stars]", "4")
    page.click("button:has-text('保存调整')")
    page.wait_for_selector("#star-board")
    assert "委员会调整" in page.locator("#star-board tr", has_text="县一中").inner_text()
    # The public five-star page, without signing in.
    anon = page_for(viewport=(390, 844))
    anon.goto("/cobuild/stars/public/")
    assert "县医院" in anon.locator("#five-stars").inner_text()
    assert "县一中" not in anon.locator("#five-stars").inner_text()
    screenshot(anon, "cobuild_public_stars_phone")


def test_a_number_too_big_is_refused_on_a_phone(page_for, personas, units):
    """10¹² beneficiaries: the phone's browser refuses it (the field carries the column's maximum), and
    a request that gets past the browser is answered by the server in Chinese (tests/test_input_robustness)."""
    page = page_for(viewport=(390, 844))
    login(page, "liaison", PASSWORD)
    page.goto("/cobuild/deeds/new/")
    page.select_option("select[name=activity]", "service")
    page.fill("input[name=title]", "义诊进社区")
    page.fill("input[name=beneficiaries]", str(10**12))
    page.click("#form-submit")
    message = page.eval_on_selector("input[name=beneficiaries]", "e => e.validationMessage")
    assert "2147483647" in message
    screenshot(page, "cobuild_deed_number_too_big_phone")
    # Past the browser's check (as a script would post it): the server's Chinese message.
    page.eval_on_selector("form", "f => f.noValidate = true")
    page.click("#form-submit")
    page.wait_for_selector(".invalid-feedback")
    assert "不能大于 2147483647" in page.locator(".invalid-feedback").first.inner_text()
    screenshot(page, "cobuild_deed_number_too_big_server_phone")
    assert not Deed.objects.exists()


def test_west_secretary_signs_with_a_unit_already_serving_another_community(page_for, personas, tree, units):
    """One organization, one record: 西一社区's secretary finds 县医院 (registered by 东一社区),
    is told not to register it again, signs an agreement with it; the unit now serves both
    communities, and each sees its own side."""
    from cobuild.models import Agreement, ResidentUnit

    page = page_for()
    login(page, "west_secretary", PASSWORD)
    page.goto("/cobuild/units/new/")
    page.fill("input[name=name]", "县医院")
    page.select_option("select[name=kind]", "hospital")
    page.select_option("select[name=region]", label="西一社区")
    page.click("#form-submit")
    page.wait_for_selector("text=已登记为驻区单位")
    assert "请直接与它签订本社区的共建协议" in page.content()
    screenshot(page, "cobuild_unit_registered_once")
    assert ResidentUnit.objects.filter(name="县医院").count() == 1

    page.goto("/cobuild/agreements/new/")
    page.select_option("select[name=unit]", label="县医院（东一社区）")
    page.select_option("select[name=region]", label="西一社区")
    page.fill("input[name=title]", "西一社区与县医院共驻共建协议")
    page.fill("input[name=start]", f"{timezone.localdate().year}-01-01")
    page.fill("input[name=end]", f"{timezone.localdate().year}-12-31")
    page.check("input[name=activities][value=service]")
    page.click("#form-submit")
    page.wait_for_selector("text=已登记共建协议")
    assert ResidentUnit.objects.filter(name="县医院").count() == 1
    signed = set(Agreement.objects.filter(unit=units.a).values_list("region__name", flat=True))
    assert signed == {"东一社区", "西一社区"}

    page.goto(f"/cobuild/units/{units.a.pk}/")
    served = page.locator("#served").inner_text()
    assert "西一社区与县医院共驻共建协议" in served and "县医院共建协议" not in served
    assert "2 个（您可查看其中 1 个）" in page.content()
    screenshot(page, "cobuild_unit_served_communities_west")

    # The unit's liaison sees both communities, on a phone.
    phone = page_for(viewport=(390, 844))
    login(phone, "liaison", PASSWORD)
    phone.goto(f"/cobuild/units/{units.a.pk}/")
    served = phone.locator("#served").inner_text()
    assert "东一社区" in served and "西一社区" in served
    screenshot(phone, "cobuild_unit_served_communities_liaison_phone")
