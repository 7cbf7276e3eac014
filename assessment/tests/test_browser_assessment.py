"""A year's assessment: the district writes and publishes a scheme (a bad weight refused first),
computes the scores from the platform's records, opens one score's evidence, and enters one
committee score by hand; the community reads its own scores on a phone."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessment.models import Score
from conftest import PASSWORD
from meetings import services as meeting_services
from meetings.models import BodyKind, MeetingStatus
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(page, name, weight, method, source="", target="", cobuild=False):
    f = page.locator("#item-form")
    f.locator("input[name=name]").fill(name)
    f.locator("input[name=weight]").fill(str(weight))
    f.locator("select[name=method]").select_option(method)
    f.locator("select[name=source]").select_option(source)
    f.locator("input[name=target]").fill(str(target))
    if cobuild:
        f.locator("input[name=cobuild]").check()
    f.locator("button").click()
    page.wait_for_selector("text=已添加考核项目")


def test_year_assessment(page_for, personas, tree):
    today = timezone.localdate()
    body = meeting_services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                        region=tree.east1, since=date(2020, 1, 1))
    for k in range(2):
        m = meeting_services.meeting_create(actor=personas.secretary, body=body, title=f"第{k + 1}次联席会",
                                            date=today - timedelta(days=k + 1))
        m.status = MeetingStatus.HELD
        m.save()
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.click("#main-menu >> text=考核评分")
    page.click("#scheme-form button")
    page.wait_for_selector("text=已新建考核方案")
    _item(page, "召开党建联席会", 10, "count", "meetings_held", 12, cobuild=True)
    _item(page, "述职评议", 70, "committee")
    page.click("#publish-scheme")
    page.wait_for_selector("#scheme-problems")
    problems = page.locator("#scheme-problems").inner_text()
    assert "合计应为 100 分，现为 80 分" in problems and "应不低于总分值的 20%" in problems
    assert "草稿" in page.locator("#scheme-status").inner_text()
    _item(page, "共建实事", 20, "count", "deeds", 6, cobuild=True)
    page.click("#publish-scheme")
    page.wait_for_selector("text=方案已发布")
    page.click("#compute")
    page.wait_for_selector("text=已按平台记录计算")
    page.click("#ranking >> text=东一社区")
    row = page.locator(".score-row[data-item=召开党建联席会]")
    assert "2 ÷ 12 × 10" in row.inner_text() and "1.67" in row.inner_text()
    row.locator(".evidence-link").click()
    assert "第1次联席会" in page.locator("#records").inner_text()
    page.go_back()
    committee = page.locator(".score-row[data-item=述职评议]")
    committee.locator("summary").click()
    committee.locator("input[name=value]").fill("63.5")
    committee.locator("input[name=note]").fill("述职评议委员会评分：“好”票 18/20")
    committee.locator("button").click()
    page.wait_for_selector("text=已录入得分")
    assert "手工录入" in page.locator(".score-row[data-item=述职评议]").inner_text()
    assert page.locator("#score-total").inner_text() == "65.17"
    screenshot(page, "assessment_scores_desktop")
    assert Score.objects.filter(hand=True).count() == 1

    # The community reads its own scores, read-only, on a phone.
    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/assessment/schemes/")
    sec.click("#schemes >> text=查看排名")
    assert "西一社区" not in sec.locator("#ranking").inner_text()
    with sec.expect_navigation():
        sec.click("#ranking >> text=东一社区")
    assert sec.locator(".score-form").count() == 0
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_scores_phone")
