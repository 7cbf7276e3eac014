import io

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from audit.models import AppendOnlyError, AuditEntry
from audit.services import diff, record
from regions import services as tree_services

pytestmark = pytest.mark.django_db


def test_write_leaves_an_entry(personas, tree):
    tree_services.region_update(actor=personas.secretary, region=tree.east1_grid2, name="二号网格", division_code="")
    entry = AuditEntry.objects.latest("id")
    assert (entry.actor_name, entry.action, entry.object_type) == ("secretary", "update", "regions.region")
    assert entry.changes == {"name": ["网格2", "二号网格"]}


def test_personal_fields_are_masked_in_changes():
    changes = diff({"id_number": "65432219800101123X", "mobile": "17012345678", "name": "a"},
                   {"id_number": "654322198001011248", "mobile": "17087654321", "name": "b"},
                   personal={"id_number": "id_number", "mobile": "mobile"})
    assert changes["id_number"] == ["654322********123X", "654322********1248"]
    assert changes["mobile"] == ["170****5678", "170****4321"]
    assert changes["name"] == ["a", "b"]


def test_entries_cannot_be_changed_or_removed_through_the_orm(personas):
    entry = record(actor=personas.secretary, action="update", object_type="x", object_repr="y")
    entry.object_repr = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_database_refuses_raw_updates(personas):
    entry = record(actor=personas.secretary, action="update", object_type="x", object_repr="y")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET object_repr = 'tampered' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_admin_is_read_only_even_for_superusers(personas, client_for):
    entry = record(actor=personas.secretary, action="update", object_type="x", object_repr="y")
    c = client_for(personas.superuser)
    assert c.get("/admin/audit/auditentry/").status_code == 200
    assert c.get("/admin/audit/auditentry/add/").status_code == 403
    c.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    c.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"object_repr": "tampered"})
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_api_has_no_write(personas, client_for):
    entry = record(actor=personas.secretary, action="update", object_type="x", object_repr="y")
    c = client_for(personas.auditor)
    assert c.post("/api/audit/", {"action": "login"}).status_code == 405
    assert c.delete(f"/api/audit/{entry.pk}/").status_code == 405
    assert c.patch(f"/api/audit/{entry.pk}/", {"object_repr": "t"}, content_type="application/json").status_code == 405


def test_auditor_filters_and_exports(personas, tree, client_for):
    tree_services.region_update(actor=personas.secretary, region=tree.east1_grid2, name="二号网格")
    tree_services.region_update(actor=personas.west_secretary, region=tree.west1_grid1, name="西一网格")
    c = client_for(personas.auditor)
    html = c.get("/audit/?q=west_secretary").content.decode()
    assert "西一网格" in html and "二号网格" not in html
    resp = c.get("/audit/export.xlsx?action=update")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作")
    assert {r[1] for r in rows[1:]} == {"secretary", "west_secretary"}
    assert all(r[2] == "修改" for r in rows[1:])
    # The export itself is logged.
    assert AuditEntry.objects.filter(action="export", actor_name="auditor").exists()


def test_logins_are_logged_with_ip(personas, client):
    from conftest import PASSWORD

    client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.filter(action="login").latest("id")
    assert entry.actor_name == "secretary" and entry.ip == "10.1.2.3"
