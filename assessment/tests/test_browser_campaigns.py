"""Campaigns: the county sets up a “五个好” campaign (the criteria must add up to 100), a community
secretary enters on a phone from the workbench with a file as evidence, the county rates and awards,
and the award shows on the organization's page."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from assessment.models import CampaignStatus, Entry, Honor
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_five_good_campaign_entered_on_a_phone_and_awarded(page_for, personas, tree, tmp_path):
    year = timezone.localdate().year
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.click("#main-menu >> text=创建评选")
    f = page.locator("#campaign-form")
    f.locator("select[name=kind]").select_option(label="“五个好”社区党组织创建")
    f.locator("input[name=title]").fill(f"{year}年度“五个好”社区党组织创建")
    f.locator("input[name=entry_deadline]").fill(str(timezone.localdate() + timedelta(days=20)))
    f.locator("input[name=award_title]").fill("“五个好”社区党组织")
    f.locator("input[name=award_quota]").fill("1")
    f.locator("button").click()
    page.wait_for_selector("text=已新建评选活动")
    page.locator("#criteria li", has_text="群众反映好").locator("button").click()
    page.wait_for_selector("text=已删除评选标准")
    page.click("#open-campaign")
    page.wait_for_selector("text=各评选标准分值合计应为 100 分，现为 80 分")
    page.fill("#criterion-form input[name=name]", "群众满意度高")
    page.fill("#criterion-form input[name=weight]", "20")
    page.click("#criterion-form button")
    page.wait_for_selector("text=已添加评选标准")
    page.click("#open-campaign")
    page.wait_for_selector("text=已发布，各党组织可以申报")

    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/")
    sec.locator("#wb-campaigns-open").get_by_text("“五个好”社区党组织创建").first.click()
    evidence = Path(tmp_path) / "创建材料.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    form = sec.locator("#entry-form")
    form.locator("select[name=org]").select_option(label="东一社区党总支")
    form.locator("input[name=title]").fill("红色楼栋 温暖邻里")
    form.locator("textarea[name=summary]").fill("书记带头每周下访，楼栋党小组全覆盖，诉求按期办结。")
    form.locator("button").click()
    sec.wait_for_selector("text=申报须附佐证材料")
    form = sec.locator("#entry-form")
    form.locator("select[name=org]").select_option(label="东一社区党总支")
    form.locator("input[name=title]").fill("红色楼栋 温暖邻里")
    form.locator("textarea[name=summary]").fill("书记带头每周下访，楼栋党小组全覆盖，诉求按期办结。")
    form.locator("input[name=files]").set_input_files(str(evidence))
    form.locator("button").click()
    sec.wait_for_selector("text=“东一社区党总支”已申报")
    assert "创建材料.pdf" in sec.locator("#entry-evidence").inner_text()
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_campaign_entry_phone")

    entry = Entry.objects.get()
    page.reload()
    page.click("#start-review")
    page.wait_for_selector("text=已截止申报，开始评审")
    page.click(f"#entries >> text={entry.title}")
    inputs = page.locator("#rate-form input[type=number]")
    for i in range(inputs.count()):
        inputs.nth(i).fill("18")
    page.fill("#rate-form input[name=review_note]", "班子过硬，机制健全")
    page.click("#rate-form button")
    page.wait_for_selector("text=已评分")
    page.click("#award")
    page.wait_for_selector("text=已评定 1 个“五个好”社区党组织")
    assert Honor.objects.get().org == tree.east1_org
    assert entry.campaign.__class__.objects.get().status == CampaignStatus.CLOSED

    sec.goto(f"/orgs/{tree.east1_org.pk}/")
    record = sec.locator("#org-record").inner_text()
    assert "“五个好”社区党组织" in record and "中共测试县委组织部" in record
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_campaign_org_record_phone")
