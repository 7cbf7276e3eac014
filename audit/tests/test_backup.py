"""Backup and restore on the real PostgreSQL: one encrypted file holds the database and the private files;
`restore --verify` restores it into a scratch database and checks every table's rows, the audit chain
and the files; a changed byte, a missing key or an old key without its keyring entry are refused."""

from __future__ import annotations

import base64
import secrets
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from audit.services import record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore: PostgreSQL only")


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def data(transactional_db, personas, settings):
    settings.DANGJIAN_BACKUP_KEY = new_key()
    settings.DANGJIAN_BACKUP_KEYS_OLD = []
    for i in range(3):
        record(actor=personas.secretary, action="update", object_type="test.thing", object_id=str(i),
               object_repr=f"王书记的记录{i}")
    photo = Path(settings.PRIVATE_MEDIA_ROOT) / "grid" / "visits" / "2026" / "12" / "0123abcd.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff photo of a visit")
    return photo


def backup(tmp_path) -> Path:
    out = StringIO()
    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    assert "备份完成" in out.getvalue()
    return next((tmp_path / "backups").glob("dangjian-*.djbk"))


def test_pg_tools_match_the_server(db):
    from core.backup import check_tool_version

    server = connection.cursor().connection.info.server_version
    for name in ("pg_dump", "pg_restore"):
        path = check_tool_version(name, server)
        major = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.split()[2].split(".")[0]
        assert int(major) >= server // 10000


def test_backup_is_encrypted_and_restore_verify_checks_counts_audit_chain_and_files(data, tmp_path, settings):
    path = backup(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_bytes()
    assert "王书记".encode() not in raw and b"photo of a visit" not in raw and b"PGDMP" not in raw
    entry = AuditEntry.objects.filter(action="export", object_type="backup").latest("id")
    assert entry.object_repr == path.name
    out = StringIO()
    call_command("restore", str(path), "--verify", stdout=out)
    assert "备份核对通过" in out.getvalue() and "1 个文件" in out.getvalue()
    # the scratch database is gone afterwards
    with connection.cursor() as cursor:
        scratch = f"{settings.DATABASES['default']['NAME']}_verify_%"
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [scratch])
        assert cursor.fetchone()[0] == 0


def test_a_changed_byte_is_refused(data, tmp_path):
    path = backup(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="校验失败"):
        call_command("restore", str(path), "--verify")


def test_no_key_no_backup_and_rotation_keeps_old_backups_readable(data, tmp_path, settings):
    old = settings.DANGJIAN_BACKUP_KEY
    path = backup(tmp_path)
    settings.DANGJIAN_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="DANGJIAN_BACKUP_KEY"):
        call_command("backup", "--dir", str(tmp_path / "other"))
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())
    settings.DANGJIAN_BACKUP_KEY = new_key()  # rotated: the old backup needs the old key in the keyring
    with pytest.raises(CommandError, match="DANGJIAN_BACKUP_KEYS_OLD"):
        call_command("restore", str(path), "--verify")
    settings.DANGJIAN_BACKUP_KEYS_OLD = [old]
    out = StringIO()
    call_command("restore", str(path), "--verify", stdout=out)
    assert "备份核对通过" in out.getvalue()


def test_disaster_recovery_restore_into_an_empty_database(data, tmp_path, settings):
    from core.backup import Database, create_database, drop_database

    path = backup(tmp_path)
    server = Database.from_settings()
    name = f"{server.name}_dr"[:63]
    drop_database(server, name)
    target = create_database(server, name)
    try:
        files = tmp_path / "restored-files"
        call_command("restore", str(path), "--into", target.url(), "--files-dir", str(files), stdout=StringIO())
        assert (files / data.relative_to(settings.PRIVATE_MEDIA_ROOT)).read_bytes() == data.read_bytes()
        with target.connect() as conn:
            assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] == AuditEntry.objects.count() - 1
        # never over a database that has tables
        with pytest.raises(CommandError, match="不是空库"):
            call_command("restore", str(path), "--into", target.url(), "--files-dir", str(tmp_path / "f2"))
    finally:
        drop_database(server, name)
