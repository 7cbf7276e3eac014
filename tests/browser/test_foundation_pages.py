"""The login page's lockout, the audit admin's log and the security admin's account page, in Chromium."""

import pytest

from accounts.models import User
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lockout_then_audit_admin_reads_it(page_for, personas, tree, settings):
    settings.LOGIN_MAX_FAILURES = 3
    page = page_for()
    page.goto("/accounts/login/")
    for _ in range(3):
        page.fill("#id_username", "secretary")
        page.fill("#id_password", "wrong-password")
        page.click("button[type=submit]")
        page.wait_for_selector("#login-error")
    assert "账户已锁定" in page.inner_text("#login-error")
    screenshot(page, "login_locked")
    assert User.objects.get(username="secretary").is_locked()

    auditor = page_for()
    login(auditor, "auditor", PASSWORD)
    auditor.click("#main-menu >> text=审计日志")
    auditor.wait_for_url("**/audit/")
    auditor.select_option("select[name=action]", "locked")
    auditor.click("text=筛选")
    rows = auditor.locator("tbody tr")
    assert rows.count() == 1 and "secretary" in rows.first.inner_text()
    screenshot(auditor, "audit_log_locked_filter")
    with auditor.expect_download() as dl:
        auditor.click("text=导出 Excel")
    assert dl.value.suggested_filename.endswith(".xlsx")

    security = page_for(viewport=(390, 844))
    login(security, "secadmin", PASSWORD)
    security.goto(f"/accounts/users/{personas.secretary.pk}/")
    security.click("button:has-text('解锁')")
    security.wait_for_selector("text=已解锁账户")
    screenshot(security, "security_admin_unlocked_phone")
    assert not User.objects.get(username="secretary").is_locked()
