"""Browser workflows of the member registry (Playwright + Debian's Chromium)."""

import io
from datetime import date

import openpyxl
import pytest

from bulkimport import template_xlsx
from conftest import PASSWORD
from members import services
from members.imports import MemberImporter
from members.models import Decision, DualRegistration, PartyMember
from tests.browser_fixtures import login, screenshot

from .conftest import add_member, new_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workbook(path, rows):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(MemberImporter)))
    ws = wb["党员"]
    ws.delete_rows(2)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_secretary_imports_fixes_and_imports_again(page_for, personas, tree, tmp_path):
    good = new_id(date(1980, 5, 1), "M")
    woman = new_id(date(1982, 5, 1), "F")
    rows = [
        ["孙一", "男", "汉族", "", good, "13812345670", "大学本科", "教师", "2005-07-01", "2006-07-01", "在职党员",
         "东一社区党总支", "", "", "5000"],
        ["孙二", "男", "汉族", "", woman, "", "", "", "2005-07-01", "", "在职党员", "东一社区党总支", "", "", ""],
        ["孙三", "女", "汉族", "", good[:17] + ("1" if good[17] != "1" else "2"), "1381234", "", "", "2005-07-01",
         "", "退休", "西一社区党支部", "", "", ""],
    ]
    bad_file = tmp_path / "党员.xlsx"
    _workbook(bad_file, rows)
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.goto("/members/")
    page.click("text=Excel 导入")
    page.wait_for_url("**/members/import/")
    with page.expect_download() as dl:
        page.click("#template-download")
    assert dl.value.suggested_filename.endswith(".xlsx")
    page.set_input_files("#id_file", str(bad_file))
    page.click("#import-submit")
    page.wait_for_selector("#import-errors")
    table = page.locator("#import-errors").inner_text()
    assert "第 3 行" in table and "性别与身份证号不符" in table
    assert "第 4 行" in table and "校验位" in table and "手机号" in table and "不在您的管辖范围" in table
    assert good not in page.content()
    assert "未导入任何数据" in page.locator("#import-message").inner_text()
    screenshot(page, "members_import_errors")
    assert not PartyMember.objects.filter(name__startswith="孙").exists()
    # Fix the rows and import again.
    rows[1][1] = "女"
    rows[2] = ["孙三", "女", "汉族", "", new_id(date(1960, 2, 3), "F"), "13812345679", "", "", "1990-07-01",
               "1991-07-01", "退休", "东一社区党总支", "", "", ""]
    fixed = tmp_path / "党员-修改后.xlsx"
    _workbook(fixed, rows)
    page.goto("/members/import/")
    page.set_input_files("#id_file", str(fixed))
    page.click("#import-submit")
    page.wait_for_selector("#import-message")
    assert "已导入 3 条" in page.locator("#import-message").inner_text()
    screenshot(page, "members_import_done")
    assert PartyMember.objects.filter(name__startswith="孙").count() == 3


def test_secretary_confirms_dual_registration(page_for, personas, tree):
    ww = add_member(tree.west1_org, "王五")
    reg = services.dual_registration_request(actor=personas.west_secretary, member=ww, community=tree.east1)
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=双报到")
    page.wait_for_url("**/members/dual/")
    row = page.locator("#dual-table tr", has_text="王五")
    assert "待确认" in row.inner_text()
    screenshot(page, "members_dual_pending")
    row.locator("button:text-is('确认')").click()
    page.wait_for_selector(".alert >> text=已确认报到")
    assert "已确认" in page.locator("#dual-table tr", has_text="王五").inner_text()
    screenshot(page, "members_dual_confirmed")
    reg.refresh_from_db()
    assert reg.status == Decision.CONFIRMED and DualRegistration.objects.count() == 1


def test_secretary_finds_by_initials_and_prints_card(page_for, personas, tree):
    zs = add_member(tree.east1_org, "张三", residence=tree.east1_grid1)
    add_member(tree.east1_org, "李四")
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/members/")
    page.fill("#member-search", "zs")
    page.click("button:text-is('查询')")
    page.wait_for_url("**q=zs**")
    table = page.locator("#member-table").inner_text()
    assert "张三" in table and "李四" not in table
    screenshot(page, "members_search_initials_phone")
    page.click("#member-table >> text=张三")
    page.wait_for_selector("#member-info")
    assert zs.id_number not in page.locator("#id-number").inner_text()
    screenshot(page, "members_detail_phone")
    with page.expect_download() as dl:
        page.click("#card-pdf")
    download = dl.value
    assert download.suggested_filename.endswith(".pdf") and "张三" in download.suggested_filename
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    with page.expect_download() as dl:
        page.click("#card-docx")
    assert dl.value.suggested_filename.endswith(".docx")


def test_statistics_page_draws_charts(page_for, personas, tree):
    for i in range(5):
        add_member(tree.east1_org, f"党员{i}")
    page = page_for()
    login(page, "street_staff", PASSWORD)
    page.goto("/members/stats/")
    page.wait_for_selector("#c-category canvas")
    assert page.locator("#stat-total").inner_text() == "5"
    screenshot(page, "members_stats")


def test_receiving_secretary_confirms_retiree_batch_on_a_phone(page_for, personas, tree):
    from orgs.models import OrgForm, OrgLevel, PartyOrg

    firm = PartyOrg.objects.create(name="国企党委", level=OrgLevel.RESIDENT_UNIT, form=OrgForm.COMMITTEE,
                                   region=tree.east1, host_name="国企")
    retirees = [add_member(firm, f"退休{i}", "retired") for i in range(3)]
    services.transfer_batch_create(actor=personas.street_staff, title="国企退休党员移交", from_org=firm,
                                   moves=[(m, tree.east1_org) for m in retirees[:2]] + [(retirees[2], tree.west1_org)])
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/members/transfers/")
    assert "国企退休党员移交 → 东一社区党总支：2 人" in page.locator("body").inner_text()
    screenshot(page, "members_batch_transfer_phone")
    page.click("button:text-is('全部确认转入')")
    page.wait_for_selector(".alert >> text=已确认 2 名党员")
    assert PartyMember.objects.filter(org=tree.east1_org, name__startswith="退休").count() == 2
    assert PartyMember.objects.get(name="退休2").org == firm  # the other community confirms its own
