"""A secretary updates members from Excel on a phone: upload, read the changes, confirm."""

from __future__ import annotations

import pytest

from members.models import PartyMember
from tests.browser_fixtures import login, screenshot

from .test_reimport import row, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test-pass-2026"


def test_secretary_previews_and_confirms_an_update_on_a_phone(page_for, personas, tree, members, tmp_path):
    zs, ls = members["zs"], members["ls"]
    path = tmp_path / "党员更新.xlsx"
    path.write_bytes(workbook([row(zs, mobile="13900001111", employer="县人民医院", education="大学本科"),
                               row(ls, occupation="退休教师"), row(members["ww"])]))
    page = page_for(viewport=(390, 844))
    login(page, "secretary", PASSWORD)
    page.goto("/members/list/")
    page.click("#import-update-link")
    page.wait_for_url("**/members/import/update/")
    assert "空单元格不改动" in page.locator("#import-intro").inner_text()
    page.set_input_files("#id_file", str(path))
    page.check("input[name=mode][value=good]")
    page.click("#import-submit")
    page.wait_for_selector("#preview-changes")
    changes = page.locator(".preview-change")
    assert changes.count() == 2
    first = changes.first.inner_text()
    assert "张三" in first and "139****1111" in first and "县人民医院" in first and "大学本科" in first
    assert "不在您的管辖范围内" in page.locator("#import-errors").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "members-reimport-preview-phone")
    assert PartyMember.objects.get(pk=zs.pk).mobile == "13812345678"
    page.click("#preview-confirm")
    page.wait_for_selector("#import-message")
    assert "已更新 2 名党员" in page.locator("#import-message").inner_text()
    screenshot(page, "members-reimport-done-phone")
    zs.refresh_from_db()
    assert (zs.mobile, zs.employer, zs.education) == ("13900001111", "县人民医院", "bachelor")
    assert PartyMember.objects.get(pk=ls.pk).occupation == "退休教师"
