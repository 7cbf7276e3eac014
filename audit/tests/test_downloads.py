"""The audited download: one export entry per file, a UTF-8 file name, never cached."""

import pytest
from django.test import RequestFactory

from audit.downloads import audited_download
from audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_an_export_is_one_audit_entry_and_a_download_never_cached(personas, tree):
    request = RequestFactory().get("/x")
    request.user = personas.secretary
    resp = audited_download(request, b"PK\x03\x04", filename="东一社区党员一览表.xlsx", content_type="application/zip",
                            obj=tree.east1_org, changes={"rows": 3})
    assert resp.content == b"PK\x03\x04" and resp["Content-Type"] == "application/zip"
    assert resp["Content-Disposition"].startswith("attachment; filename*=UTF-8''%E4%B8%9C")
    assert resp["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_type, entry.object_id) == (
        AuditAction.EXPORT, personas.secretary, "orgs.partyorg", str(tree.east1_org.pk))
    assert entry.changes == {"rows": 3}
