"""The hash chain finds a removed or edited entry; the archive keeps 180 days and never deletes silently;
on PostgreSQL TRUNCATE is refused and two processes writing at once still make one chain."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, verify
from audit.models import AuditAction, AuditEntry
from audit.services import record

ROOT = Path(__file__).resolve().parents[2]


def _write(n: int, **kw):
    return [record(actor=None, action=AuditAction.UPDATE, object_type="t.thing", object_id=str(i),
                   object_repr=f"事项{i}", changes={"x": [i, i + 1], "名称": ["甲", "乙"]}, **kw) for i in range(n)]


def _raw(sql: str, params=()):
    """What an attacker with SQL access would do, past the model's guards (triggers lifted on SQLite)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS audit_no_update")
        elif connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cur.execute(sql, params)


def test_entries_form_a_chain_that_verifies(db):
    entries = _write(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    report = verify()
    assert report.ok and report.checked == 5 and report.head == entries[-1].entry_hash


def test_a_deleted_entry_is_found_as_a_gap(db, capsys):
    entries = _write(5)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    report = verify()
    assert not report.ok and any("第 3–3 条日志缺失" in p for p in report.problems)
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("audit_verify")
    assert "缺失" in capsys.readouterr().err


def test_an_edited_entry_is_found(db):
    entries = _write(3)
    _raw("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["别人", entries[1].pk])
    problems = verify().problems
    assert problems == [f"第 2 条（ID {entries[1].pk}）的内容被修改过"]


def test_deleting_the_newest_entries_is_found_by_the_recorded_head(db, capsys):
    """A tail cut leaves a valid-looking chain: the head printed by the last verify run tells."""
    entries = _write(3)
    call_command("audit_verify")
    head = capsys.readouterr().out
    assert entries[-1].entry_hash in head
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    call_command("audit_verify")
    assert entries[-1].entry_hash not in capsys.readouterr().out


def test_the_log_refuses_update_and_delete_through_the_database(db):
    entry = _write(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET purpose = 'x' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="TRUNCATE and its trigger: PostgreSQL")
def test_truncate_is_refused_on_postgresql(db):
    _write(2)
    with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic(), connection.cursor() as cur:
        # The suite's own connections may empty test databases; say no, as every production one does.
        cur.execute("SET LOCAL dangjian.allow_audit_truncate = off")
        cur.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 2


# --- retention and archive ----------------------------------------------------------------------------


def _age(entries, days):
    """Back-date entries (as if written `days` ago) and re-seal the chain, as time would have."""
    from audit.chain import entry_digest

    prev = GENESIS
    for e in AuditEntry.objects.order_by("seq"):
        if e.pk in {x.pk for x in entries}:
            e.at = timezone.now() - timedelta(days=days)
        e.prev_hash = prev
        e.entry_hash = entry_digest(e)
        _raw("UPDATE audit_auditentry SET at = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
             [e.at, e.prev_hash, e.entry_hash, e.pk])
        prev = e.entry_hash
    _restore_guards()


def _restore_guards():
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditentry "
                        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;")
        elif connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_archive_refuses_less_than_180_days(db, tmp_path):
    with pytest.raises(CommandError, match="不能少于 180 天"):
        call_command("audit_archive", dir=str(tmp_path), days=179)


def test_archive_exports_then_deletes_only_entries_past_the_retention(db, tmp_path):
    old = _write(3)
    recent = _write(2)
    _age(old, 200)
    call_command("audit_archive", dir=str(tmp_path), days=180)
    files = list(tmp_path.glob("audit-*.jsonl.gz"))
    assert len(files) == 1
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert [r["seq"] for r in rows] == [1, 2, 3] and rows[0]["changes"]["名称"] == ["甲", "乙"]
    assert set(AuditEntry.objects.values_list("pk", flat=True)) >= {e.pk for e in recent}
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    marker = AuditEntry.objects.get(action=AuditAction.ARCHIVE)
    assert marker.changes["to_seq"] == 3 and marker.changes["file"] == files[0].name
    # The remaining chain is anchored on the archive entry: it verifies.
    report = verify()
    assert report.ok, report.problems
    assert report.first_seq == 4


def test_archive_keeps_entries_younger_than_the_retention(db, tmp_path):
    _write(3)
    call_command("audit_archive", dir=str(tmp_path), days=180)
    assert AuditEntry.objects.count() == 3 and not list(tmp_path.iterdir())


def test_a_silent_delete_of_old_entries_is_found(db):
    old = _write(3)
    _write(1)
    _age(old, 400)
    _raw("DELETE FROM audit_auditentry WHERE seq <= 3")
    _restore_guards()
    assert any("没有归档记录" in p for p in verify().problems)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the retention floor in the trigger: PostgreSQL")
def test_postgresql_refuses_deleting_recent_entries_even_for_the_archive(db):
    entry = _write(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL dangjian.audit_archive = 'on'")
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])


# --- two writers at once ------------------------------------------------------------------------------------

WRITER = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import transaction
from audit.services import record
for i in range(int(sys.argv[1])):
    with transaction.atomic():
        record(actor=None, action="update", object_type="t.thing", object_id=str(i), object_repr=sys.argv[2])
"""


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="two processes writing at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_processes_writing_at_once_make_one_unbroken_chain():
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    env = {**os.environ, "DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, "40", name], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("甲", "乙")]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    assert AuditEntry.objects.filter(object_repr__in=["甲", "乙"]).count() == 80
    report = verify()
    assert report.ok, report.problems
    assert report.checked == AuditEntry.objects.count()
