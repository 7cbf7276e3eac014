"""The archive on PostgreSQL's monthly partitions: a month wholly archived is detached and dropped,
not deleted row by row; a month only partly past the retention keeps its newer rows."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.chain import verify
from audit.models import AuditEntry
from audit.tests.test_audit_chain import _age, _write
from core import partitions

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="declarative partitioning: PostgreSQL")


def _exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cur.fetchone()[0]


def test_a_wholly_archived_month_is_dropped_as_a_table(db, tmp_path):
    days = 260
    month = partitions.month_start(timezone.localdate() - timedelta(days=days))
    partitions.ensure(today=month, ahead=1)  # that month and the (empty) one after it
    old_name = partitions.partition_name("audit_auditentry", month)
    empty_name = partitions.partition_name("audit_auditentry", partitions.add_months(month, 1))
    old = _write(3)
    recent = _write(2)
    _age(old, days)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {old_name}")
        assert cur.fetchone()[0] == 3
    call_command("audit_archive", dir=str(tmp_path), days=180)
    assert not _exists(old_name) and not _exists(empty_name)
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    assert len(list(tmp_path.glob("audit-*.jsonl.gz"))) == 1
    assert verify().ok  # the remaining chain is accepted through the 归档 entry
    # This month and the months ahead are untouched.
    assert _exists(partitions.partition_name("audit_auditentry", timezone.localdate().replace(day=1)))
