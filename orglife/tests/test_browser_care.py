"""On a phone: the community secretary visits an old member at the Spring Festival, records a grant
from the 党员互助金 (one beyond the balance is refused first), pairs the mobile member with a member
at home and logs a WeChat contact, then downloads the pairing ledger."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import PASSWORD
from members.models import MobileRecord
from orglife import services
from orglife.models import CareVisit, FundEntry, MobilePair
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_care_for_members_on_a_phone(page_for, world, personas, tree):
    today = timezone.localdate().isoformat()
    services.fund_entry_add(actor=personas.secretary, org=tree.east1_org, kind="income", date=timezone.localdate(),
                            amount="1000", purpose="七一党员自愿捐助", counterpart="社区党员")
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/")
    assert page.locator(f"a[href='/orglife/care/pairs/{MobileRecord.objects.get().pk}/']").count() >= 1
    page.goto("/orglife/care/")
    page.click("#care-holiday")
    page.click("#care-new")
    page.select_option("#id_member", str(world.other.pk))
    page.fill("#id_date", today)
    page.select_option("#id_reason", "veteran")
    page.select_option("#id_occasion", "spring")
    page.fill("#id_visitors", "王书记、社区委员")
    page.fill("#id_content", "大米一袋、食用油一桶")
    page.fill("#id_amount", "300")
    page.click("#care-form button")
    page.wait_for_selector("#care-list")
    assert "李秀英" in page.inner_text("#care-list") and "300.00 元" in page.inner_text("#care-total")
    assert CareVisit.objects.get().amount == 300

    page.goto("/orglife/care/fund/")
    page.click("#fund-new")
    page.select_option("#id_kind", "payout")
    page.fill("#id_date", today)
    page.fill("#id_amount", "1200")
    page.select_option("#id_member", str(world.other.pk))
    page.fill("#id_purpose", "资助发展庭院养殖")
    page.fill("#id_decided_by", "支委会研究同意")
    page.click("#care-form button")
    assert "互助金余额不足" in page.inner_text("#row-amount")
    assert FundEntry.objects.count() == 1
    page.fill("#id_amount", "800")
    page.click("#care-form button")
    page.wait_for_selector("#fund-balances")
    assert "200.00 元" in page.inner_text("#fund-balances")

    rec = MobileRecord.objects.get()
    page.goto("/orglife/care/pairs/")
    page.click(f"#pair-list tr[data-record='{rec.pk}'] a")
    page.select_option("#id_pair-contact", str(world.me.pk))
    page.fill("#id_pair-started_on", today)
    page.click("#pair-form button")
    page.wait_for_selector("#log-form")
    page.select_option("#id_log-way", "wechat")
    page.fill("#id_log-content", "传达本月主题党日内容，发送学习资料")
    page.fill("#id_log-effect", "已在线学习并交流体会")
    page.click("#log-form button")
    page.wait_for_selector("#contact-logs")
    assert "已在线学习并交流体会" in page.inner_text("#contact-logs")
    assert page.inner_text("#pair-contact") == "张建国"
    screenshot(page, "orglife-care-phone")
    page.goto("/orglife/care/pairs/")
    with page.expect_download() as dl:
        page.click("#pairs-export")
    ws = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))["台账"]
    assert ws.cell(4, 1).value == "赵六" and ws.cell(4, 5).value == "张建国"
    assert MobilePair.objects.get().logs.count() == 1
