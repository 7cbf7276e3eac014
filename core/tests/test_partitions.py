"""Monthly partitions of the audit log and the demand events (PostgreSQL; SQLite keeps plain tables)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.chain import verify
from audit.dbroles import roles_sql
from audit.models import AuditAction, AuditEntry
from audit.services import record
from core import partitions

on_pg = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                           reason="declarative partitioning: PostgreSQL")


def _one(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _where(table, pk):
    return _one(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])[0]


@on_pg
@pytest.mark.django_db
def test_both_tables_are_partitioned_by_month_with_the_coming_months():
    today = date.today()
    for st in partitions.status():
        assert st.partitioned, st.table
        assert not st.problems, st.problems
        assert f"{today:%Y-%m}" in st.months
        assert f"{partitions.add_months(partitions.month_start(today), partitions.AHEAD):%Y-%m}" in st.months


@on_pg
@pytest.mark.django_db
def test_an_audit_entry_lands_in_its_month_and_stays_append_only():
    entry = record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr="甲")
    month = partitions.partition_name("audit_auditentry", entry.at.astimezone().date().replace(day=1))
    assert _where("audit_auditentry", entry.pk) == month
    # The row triggers are cloned onto each month, and the TRUNCATE guard copied: no way round the parent.
    for sql in (f"UPDATE {month} SET purpose = 'x'", f"DELETE FROM {month}", f"TRUNCATE {month}"):
        with pytest.raises(DatabaseError, match="append-only|cannot be truncated"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL dangjian.allow_audit_truncate = off")
                cur.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).purpose == ""
    assert verify().ok


@on_pg
@pytest.mark.django_db
def test_ensure_creates_the_months_ahead_once_with_the_parents_guards(capsys):
    later = date(2031, 11, 15)
    created = {st.table: st.created for st in partitions.ensure(today=later)}
    assert created["audit_auditentry"] == ["2031-11", "2031-12", "2032-01", "2032-02"]
    assert created["demands_demandevent"] == ["2031-11", "2031-12", "2032-01", "2032-02"]
    assert all(not st.created for st in partitions.ensure(today=later))  # a second run creates nothing
    # The month's bounds are the deployment's local midnight (Asia/Shanghai).
    bounds = _one("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'audit_auditentry_p203112'")[0]
    assert "2031-11-30 16:00:00+00" in bounds and "2031-12-31 16:00:00+00" in bounds
    triggers = {r for r, in _fetch(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry_p203201'::regclass")}
    assert {"audit_no_update", "audit_no_truncate"} <= triggers


def _fetch(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@on_pg
@pytest.mark.django_db
def test_the_application_role_gets_no_update_or_delete_on_a_new_month():
    with connection.cursor() as cur:
        cur.execute(roles_sql(owner="dj_owner_part", app="dj_app_part"))
        cur.execute("SET LOCAL ROLE dj_owner_part")
    partitions.ensure(today=date(2033, 5, 1), ahead=1)
    with connection.cursor() as cur:
        cur.execute("RESET ROLE")
    privileges = {p for p, in _fetch(
        "SELECT privilege_type FROM information_schema.role_table_grants "
        "WHERE table_name = 'audit_auditentry_p203305' AND grantee = 'dj_app_part'")}
    assert privileges == {"SELECT", "INSERT"}
    # The demand events are ordinary business data: the application role keeps its usual rights there.
    privileges = {p for p, in _fetch(
        "SELECT privilege_type FROM information_schema.role_table_grants "
        "WHERE table_name = 'demands_demandevent_p203305' AND grantee = 'dj_app_part'")}
    assert {"SELECT", "INSERT"} <= privileges


@on_pg
@pytest.mark.django_db
def test_rows_of_a_missing_month_go_to_the_default_partition_and_the_check_says_so():
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        entry = record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr="乙")
        cur.execute("UPDATE audit_auditentry SET at = '2019-03-04 10:00+08' WHERE id = %s", [entry.pk])
        cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    assert _where("audit_auditentry", entry.pk) == "audit_auditentry_default"
    with pytest.raises(CommandError, match="默认分区"):
        call_command("db_partitions", "--check")


@on_pg
@pytest.mark.django_db
def test_converting_a_filled_table_keeps_rows_ids_keys_and_guards():
    """The migration's path on a live deployment: a plain table with years of rows becomes monthly."""
    entries = [record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr=f"第{i}条")
               for i in range(6)]
    with connection.schema_editor() as editor:
        partitions.revert(editor, "audit_auditentry")
    assert _one("SELECT relkind FROM pg_class WHERE relname = 'audit_auditentry'")[0] == "r"
    with connection.cursor() as cur:  # spread the rows over past months (the hash no longer matters here)
        cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        for i, e in enumerate(entries):
            cur.execute("UPDATE audit_auditentry SET at = at - make_interval(months => %s) WHERE id = %s",
                        [i * 5, e.pk])
        cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    before = _fetch("SELECT id, seq, at, entry_hash FROM audit_auditentry ORDER BY id")
    with connection.schema_editor() as editor:
        partitions.convert(editor, "audit_auditentry", "at")
    assert _one("SELECT relkind FROM pg_class WHERE relname = 'audit_auditentry'")[0] == "p"
    assert _fetch("SELECT id, seq, at, entry_hash FROM audit_auditentry ORDER BY id") == before
    oldest = entries[-1]
    oldest_at = _one("SELECT at FROM audit_auditentry WHERE id = %s", [oldest.pk])[0].astimezone()
    assert _where("audit_auditentry", oldest.pk) == partitions.partition_name(
        "audit_auditentry", oldest_at.date().replace(day=1))
    assert _one("SELECT count(*) FROM audit_auditentry_default")[0] == 0
    # The identity continues after the copied ids; the guards are back on every month.
    new = record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_repr="新")
    assert new.pk > max(e.pk for e in entries) and new.seq == entries[-1].seq + 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET purpose = 'x' WHERE id = %s", [oldest.pk])
    indexes = {n for n, in _fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_auditentry'")}
    assert {"audit_object", "audit_auditentry_pkey", "audit_auditentry_seq_key"} <= indexes


@pytest.mark.django_db
def test_on_sqlite_the_command_has_nothing_to_do(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    call_command("db_partitions")
    assert "SQLite 不分区" in capsys.readouterr().out
    call_command("db_partitions", "--check")
