"""On a phone: the community records a spending with its voucher and the ledger balances; the yearly
inventory finds a missing item and the asset ledger shows it 盘亏."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD
from stewardship import selectors, services
from stewardship.models import Asset, AssetStatus, LedgerEntry
from tests.browser_fixtures import login, screenshot

from .conftest import PDF, this_year_day

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_community_records_spending_with_a_voucher_and_the_ledger_balances(page_for, world, personas, tmp_path):
    voucher = tmp_path / "打印纸发票.pdf"
    voucher.write_bytes(PDF)
    page = page_for(viewport=(390, 844))
    login(page, "community_staff", PASSWORD)
    page.goto("/")
    page.locator("#wb-stewardship-todo a", has_text="记一笔").first.click()
    page.click(f"#fund-years a[href='/stewardship/funds/{world.fund_year.pk}/']")
    page.select_option("#id_kind", "spending")
    page.fill("#id_date", this_year_day(2, 3).isoformat())
    page.select_option("#id_category", "office")
    page.fill("#id_amount", "356.80")
    page.fill("#id_summary", "购买打印纸和硒鼓")
    page.fill("#id_counterparty", "文化用品商店")
    page.set_input_files("#id_vouchers", str(voucher))
    page.click("#save-entry")
    page.wait_for_selector(".alert-success")
    assert "59643.20" in page.inner_text("#balance")
    e = LedgerEntry.objects.get(summary="购买打印纸和硒鼓")
    row = page.locator(f"#ledger tr[data-entry='{e.pk}']")
    assert "59643.20" in row.inner_text() and "1 份" in row.inner_text()
    screenshot(page, "stewardship-ledger-phone")
    # Beyond the balance: refused on the form, in Chinese, nothing saved.
    page.select_option("#id_kind", "spending")
    page.fill("#id_date", this_year_day(2, 3).isoformat())
    page.select_option("#id_category", "office")
    page.fill("#id_amount", "80000")
    page.fill("#id_summary", "购置电脑")
    page.set_input_files("#id_vouchers", str(voucher))
    page.click("#save-entry")
    page.wait_for_selector(".invalid-feedback")
    assert "超过当前结余" in page.inner_text("#entry-form")
    screenshot(page, "stewardship-refused-phone")
    assert selectors.balance(world.fund_year) == Decimal("59643.20")
    assert LedgerEntry.objects.filter(fund_year=world.fund_year).count() == 2
    with page.expect_download() as dl:
        page.click("#ledger-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")


def test_an_inventory_finds_a_missing_item(page_for, tree, personas):
    for code, name in (("ZC-001", "台式电脑"), ("ZC-002", "数码照相机")):
        services.asset_create(actor=personas.secretary, region=tree.east1, code=code, name=name, category="computer",
                              value="3800", acquired_on=date(2023, 6, 18), location="办公室", custodian="李会计")
    camera = Asset.objects.get(code="ZC-002")
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto(f"/stewardship/assets/?community={tree.east1.pk}")
    page.fill("#inventory-new input[name=year]", str(timezone.localdate().year))
    page.click("#inventory-new button")
    page.wait_for_selector("#inventory-lines")
    pc = Asset.objects.get(code="ZC-001")
    page.locator(f"#asset-{pc.pk} button").click()
    page.wait_for_selector(f"#asset-{pc.pk} .badge.bg-green-lt")
    form = page.locator(f"#asset-{camera.pk}")
    form.locator("select[name=result]").select_option("missing")
    form.locator("input[name=note]").fill("活动室柜内未找到")
    form.locator("button").click()
    page.wait_for_selector(f"#asset-{camera.pk} .badge.bg-red-lt")
    assert "ZC-002 数码照相机" in page.inner_text("#inventory-diffs")
    page.click("#inventory-close button")
    page.wait_for_selector(".alert-success")
    assert "盘亏 1 件" in page.inner_text(".alert-success")
    screenshot(page, "stewardship-inventory-phone")
    camera.refresh_from_db()
    assert camera.status == AssetStatus.MISSING
    page.goto(f"/stewardship/assets/?community={tree.east1.pk}")
    assert "盘亏 1 件" in page.inner_text("#asset-totals")
    screenshot(page, "stewardship-assets-phone")
