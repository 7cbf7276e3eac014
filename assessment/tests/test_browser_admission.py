"""准入制: the street registers two departments' contracts for a community; the community, on a phone,
accepts one and refuses the other with a reason, and refuses work that came without a contract."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import Contract, Refusal
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contract_accepted_and_refused(page_for, personas, tree):
    deadline = str(timezone.localdate() + timedelta(days=30))
    page = page_for()
    login(page, "street_staff", PASSWORD)
    page.click("#main-menu >> text=工作准入")
    for dept, task, funds in (("县卫健局", "老年人健康档案入户核查", "20000"), ("县住建局", "房屋安全排查", "")):
        f = page.locator("#admission-form")
        f.locator("select[name=region]").select_option(label="东一社区")
        f.locator("input[name=department]").fill(dept)
        f.locator("input[name=task]").fill(task)
        f.locator("input[name=quality]").fill("全覆盖")
        f.locator("input[name=standard]").fill("逐户签字确认")
        f.locator("input[name=deadline]").fill(deadline)
        f.locator("input[name=funds]").fill(funds)
        f.locator("button").click()
        if not funds:  # a contract without funds is no contract
            page.wait_for_selector("text=委托合同须写明工作经费")
            page.locator("#admission-form input[name=funds]").fill("8000")
            page.locator("#admission-form button").click()
        page.wait_for_selector("text=已登记委托合同")
        page.goto("/assessment/admission/")
    assert Contract.objects.count() == 2

    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/assessment/admission/")
    sec.click("#contracts >> text=老年人健康档案入户核查")
    sec.click("#accept")
    sec.wait_for_selector("text=已接受委托合同")
    sec.goto("/assessment/admission/")
    sec.click("#contracts >> text=房屋安全排查")
    sec.click("#refuse")
    sec.wait_for_selector("text=拒绝理由不能为空")
    sec.fill("#refuse-form input[name=reason]", "房屋安全鉴定属住建部门专业职责，社区无鉴定能力")
    sec.click("#refuse")
    sec.wait_for_selector("text=已拒绝委托合同")
    assert "社区无鉴定能力" in sec.locator("#contract-reason").inner_text()
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_contract_refused_phone")
    sec.goto("/assessment/admission/?tab=refusals")
    sec.fill("#admission-form input[name=department]", "县市场监管局")
    sec.fill("#admission-form input[name=work]", "代为收集商户营业执照信息")
    sec.click("#admission-form button")
    sec.wait_for_selector("text=已拒绝并记录")
    assert Refusal.objects.count() == 1
    sec.goto("/assessment/admission/?tab=report")
    text = sec.locator("#admission-report").inner_text()
    assert "县卫健局" in text and "县市场监管局" in text
    screenshot(sec, "assessment_admission_report_phone")
    statuses = dict(Contract.objects.values_list("department", "status"))
    assert statuses == {"县卫健局": "accepted", "县住建局": "refused"}
