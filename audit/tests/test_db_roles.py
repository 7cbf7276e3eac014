"""The two database roles (PostgreSQL): the application role writes the audit log but can neither change,
delete nor empty it, nor drop or disable its triggers; the owner is still stopped by the triggers."""

from __future__ import annotations

import os
import secrets

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.dbroles import roles_sql
from audit.models import AuditAction, AuditEntry
from audit.services import record

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="database roles: PostgreSQL")


@pytest.fixture
def roles(db):
    """Both roles created and granted inside the test's transaction (rolled back with it)."""
    suffix = secrets.token_hex(4)
    owner, app = f"dj_owner_{suffix}", f"dj_app_{suffix}"
    with connection.cursor() as cur:
        cur.execute(roles_sql(owner=owner, app=app))
    return owner, app


def _as(role: str, sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL ROLE {role}")
        cur.execute("SET LOCAL dangjian.allow_audit_truncate = off")
        cur.execute(sql, params)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditentry SET purpose = 'x'",
    "DELETE FROM audit_auditentry",
    "TRUNCATE audit_auditentry",
    "DROP TRIGGER audit_no_update ON audit_auditentry",
    "DROP TRIGGER audit_no_truncate ON audit_auditentry",
    "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
    "DROP TABLE audit_auditentry",
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
])
def test_the_application_role_cannot_change_or_empty_the_audit_log(roles, sql):
    _, app = roles
    record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr="甲")
    with pytest.raises(DatabaseError):
        _as(app, sql)
    assert AuditEntry.objects.count() == 1


def test_the_application_role_does_its_work(roles, personas):
    """Writing the log, and ordinary business writes, work as the application role."""
    _, app = roles
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL ROLE {app}")
        entry = record(actor=personas.secretary, action=AuditAction.UPDATE, obj=personas.secretary)
        personas.secretary.last_login = entry.at
        personas.secretary.save(update_fields=["last_login"])
        cur.execute("SELECT count(*) FROM audit_auditentry")
        assert cur.fetchone()[0] >= 1
    assert entry.seq >= 1


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditentry SET purpose = 'x'",
    "DELETE FROM audit_auditentry",
    "TRUNCATE audit_auditentry",
])
def test_the_owner_is_still_stopped_by_the_triggers(roles, sql):
    owner, _ = roles
    record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr="甲")
    with pytest.raises(DatabaseError, match="append-only|cannot be truncated"):
        _as(owner, sql)


def test_the_command_prints_the_sql(capsys):
    call_command("audit_db_roles", owner="dangjian_owner", app="dangjian_app")
    out = capsys.readouterr().out
    assert "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.audit_auditentry FROM dangjian_app" in out
