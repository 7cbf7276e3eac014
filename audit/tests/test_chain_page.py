"""The audit admin's page on the hash chain: who may open it, and what it says when the log was cut."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.models import AuditAction
from audit.services import record
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

URL = "/audit/verify/"


def _write(n):
    return [record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr=f"事项{i}")
            for i in range(n)]


@pytest.mark.parametrize("who, status", [
    ("auditor", 200),
    ("secretary", 403), ("district_admin", 403), ("grid_worker", 403), ("member", 403),
    ("sysadmin", 403), ("secadmin", 403), ("nobody", 403),
])
def test_only_the_audit_admin_opens_the_chain_page(personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get(URL).status_code == status


def test_anonymous_is_sent_to_login(client, db):
    resp = client.get(URL)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_the_page_says_passed_then_names_a_removed_entry(personas, client_for):
    entries = _write(4)
    auditor = client_for(personas.auditor)
    html = auditor.get(URL).content.decode()
    assert "校验通过" in html and entries[-1].entry_hash in html
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    html = auditor.get(URL).content.decode()
    assert "校验未通过" in html and "第 2–2 条日志缺失（被删除）" in html


def test_the_page_checks_the_newest_entries_linked_to_the_one_before(personas):
    from audit.chain import verify

    _write(6)
    report = verify(latest=3)
    assert report.ok and (report.first_seq, report.last_seq, report.checked) == (4, 6, 3)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_audit_admin_checks_the_chain_from_the_menu_on_a_phone(page_for, personas, tree):
    _write(3)
    page = page_for(viewport=(390, 844))
    login(page, "auditor", PASSWORD)
    page.click(".navbar-toggler")
    page.click("#main-menu >> text=日志校验")
    page.wait_for_url("**/audit/verify/")
    assert page.inner_text("#chain-status") == "校验通过"
    assert len(page.inner_text("#chain-head").strip()) == 64
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "audit_chain_verify_phone")
