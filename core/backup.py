"""Encrypted backups: the PostgreSQL database (pg_dump custom format) and the private files, in one file.

File format (``.djbk``): ``DJBK0001`` + the key id (16 hex digits: the first 8 bytes of SHA-256 of the
key) + a 12-byte nonce, then AES-256-GCM ciphertext, then the 16-byte tag. The header is authenticated
as associated data. The plaintext is a sequence of sections (``S`` name, ``C`` chunks, ``E``), ending
with ``Z``: ``database.dump`` (pg_dump -Fc), ``files.tar`` (PRIVATE_MEDIA_ROOT), ``manifest.json`` (row
counts of every table taken in the same snapshot as the dump, file count and size, the audit chain's
head, versions). Nothing is written to disk unencrypted while a backup is made: pg_dump's output and the
tar stream go straight through the cipher.

Keys: DANGJIAN_BACKUP_KEY (urlsafe base64 of 32 bytes, like the field key, never the same) encrypts;
DANGJIAN_BACKUP_KEYS_OLD (comma-separated) still decrypt older backups, the key id in the header
telling which key a file needs. Rotation: put a new key in DANGJIAN_BACKUP_KEY, move the old one to
DANGJIAN_BACKUP_KEYS_OLD until the last backup made under it has aged out (``backup --keep``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import re
import secrets
import shutil
import struct
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

MAGIC = b"DJBK0001"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Chinese) says why."""


def _decode_key(value: str) -> bytes:
    raw = value.strip().encode()
    key = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    if len(key) != 32:
        raise BackupError("备份密钥须为 32 字节（python -m core.crypto 生成）")
    return key


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).hexdigest()[:16].encode()


def current_key() -> bytes:
    value = getattr(settings, "DANGJIAN_BACKUP_KEY", "")
    if not value:
        raise BackupError("未设置 DANGJIAN_BACKUP_KEY：备份含个人信息，不加密不写出（见 docs/deployment.md “备份”）")
    return _decode_key(value)


def keyring() -> dict[bytes, bytes]:
    values = [getattr(settings, "DANGJIAN_BACKUP_KEY", ""), *getattr(settings, "DANGJIAN_BACKUP_KEYS_OLD", [])]
    keys = [_decode_key(v) for v in values if v]
    return {key_id(k): k for k in keys}


# --- the database ---------------------------------------------------------------------------------------------


@dataclass
class Database:
    host: str
    port: int
    user: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        db = settings.DATABASES[alias]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("备份与恢复需要 PostgreSQL（DATABASE_URL=postgres://…）；SQLite 演示库请直接复制文件")
        return cls(host=db.get("HOST") or "127.0.0.1", port=int(db.get("PORT") or 5432), user=db.get("USER") or "",
                   password=db.get("PASSWORD") or "", name=db["NAME"])

    def named(self, name: str) -> Database:
        return Database(self.host, self.port, self.user, self.password, name)

    def url(self) -> str:
        auth = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{quote(self.name, safe='')}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PGHOST": self.host, "PGPORT": str(self.port), "PGDATABASE": self.name}
        if self.user:
            env["PGUSER"] = self.user
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, **kw):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user or None,
                               password=self.password or None, dbname=self.name, **kw)


def tool(name: str) -> str:
    path = shutil.which(name) or next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                              reverse=True)), None)
    if not path:
        raise BackupError(f"找不到 {name}（apt-get install postgresql-client）")
    return path


def check_tool_version(name: str, server_version_num: int) -> str:
    """pg_dump/pg_restore must be at least the server's major version (an older one refuses or loses data)."""
    path = tool(name)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    major = int(match.group(1)) if match else 0
    if major < server_version_num // 10000:
        raise BackupError(f"{name} {major} 比数据库服务器 {server_version_num // 10000} 旧："
                          "请安装同版本的 postgresql-client")
    return path


def table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        counts[name] = cursor.fetchone()[0]
    return counts


# --- the encrypted stream -------------------------------------------------------------------------------------


class EncryptedWriter:
    def __init__(self, path: Path, key: bytes):
        self.path = path
        nonce = secrets.token_bytes(12)
        header = MAGIC + key_id(key) + nonce
        self.encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        self.encryptor.authenticate_additional_data(header)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(fd, "wb")
        self.file.write(header)
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.file.write(self.encryptor.update(data))

    def section(self, name: str) -> SectionStream:
        encoded = name.encode()
        self.write(b"S" + struct.pack(">H", len(encoded)) + encoded)
        return SectionStream(self)

    def close(self) -> None:
        self.write(b"Z")
        self.file.write(self.encryptor.finalize())
        self.file.write(self.encryptor.tag)
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


class SectionStream:
    """A file-like object (for tarfile's stream mode) writing one section in framed chunks."""

    def __init__(self, writer: EncryptedWriter):
        self.writer = writer
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        if data:
            self.writer.write(b"C" + struct.pack(">I", len(data)) + bytes(data))
            self.size += len(data)
            self.digest.update(data)
        return len(data)

    def end(self) -> None:
        self.writer.write(b"E")


def decrypt_to(path: Path, plain: Path) -> None:
    """Decrypt `path` into `plain` (mode 0600); raise BackupError when no key fits or the file was altered."""
    size = path.stat().st_size
    header_len = len(MAGIC) + 16 + 12
    with path.open("rb") as source:
        header = source.read(header_len)
        if len(header) < header_len or not header.startswith(MAGIC) or size < header_len + 16:
            raise BackupError(f"{path.name} 不是本平台的备份文件")
        kid, nonce = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
        key = keyring().get(kid)
        if key is None:
            raise BackupError(f"没有能解开此备份的密钥（密钥标识 {kid.decode()}）："
                              "把当时的密钥放入 DANGJIAN_BACKUP_KEYS_OLD")
        source.seek(size - 16)
        tag = source.read(16)
        source.seek(header_len)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(header)
        remaining = size - header_len - 16
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            while remaining:
                block = source.read(min(CHUNK, remaining))
                remaining -= len(block)
                out.write(decryptor.update(block))
            try:
                out.write(decryptor.finalize())
            except Exception:  # cryptography's InvalidTag
                raise BackupError(f"{path.name} 校验失败：文件被改动或已损坏") from None


def split_sections(plain: Path, into: Path) -> dict[str, Path]:
    """Write each section of a decrypted backup to its own file under `into`."""
    found = {}
    with plain.open("rb") as source:
        while True:
            kind = source.read(1)
            if kind == b"Z":
                return found
            if kind != b"S":
                raise BackupError("备份内容结构有误")
            (length,) = struct.unpack(">H", source.read(2))
            name = source.read(length).decode()
            if name not in ("database.dump", "files.tar", "manifest.json"):
                raise BackupError(f"备份中有未知的部分 {name!r}")
            target = into / name
            with target.open("wb") as out:
                while (frame := source.read(1)) == b"C":
                    (n,) = struct.unpack(">I", source.read(4))
                    out.write(source.read(n))
                if frame != b"E":
                    raise BackupError("备份内容结构有误")
            found[name] = target


# --- making one -------------------------------------------------------------------------------------------------


def make_backup(directory: Path) -> tuple[Path, dict]:
    key = current_key()
    db = Database.from_settings()
    directory.mkdir(parents=True, exist_ok=True)
    from django.utils import timezone

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = directory / f"dangjian-{stamp}.djbk"
    partial = directory / f".dangjian-{stamp}.djbk.partial"
    with db.connect(autocommit=False) as conn, conn.cursor() as cursor:
        # One snapshot for the counts and the dump: the manifest says exactly what the dump holds.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int")
        snapshot, server_version = cursor.fetchone()
        pg_dump = check_tool_version("pg_dump", server_version)
        counts = table_counts(cursor)
        cursor.execute("SELECT seq, entry_hash FROM audit_auditentry WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone()
        writer = EncryptedWriter(partial, key)
        try:
            section = writer.section("database.dump")
            proc = subprocess.Popen([pg_dump, "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}"],
                                    env=db.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            while block := proc.stdout.read(CHUNK):
                section.write(block)
            err = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0:
                raise BackupError(f"pg_dump 失败：{err.strip()[:500]}")
            section.end()
            dump = {"bytes": section.size, "sha256": section.digest.hexdigest()}
            files = _write_files(writer.section("files.tar"))
            manifest = {
                "format": 1, "created_at": timezone.now().isoformat(), "database": db.name,
                "server_version_num": server_version, "tables": counts, "dump": dump, "files": files,
                "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
            }
            manifest_section = writer.section("manifest.json")
            manifest_section.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            manifest_section.end()
            writer.close()
        except BaseException:
            writer.file.close()
            partial.unlink(missing_ok=True)
            raise
    partial.rename(target)
    return target, manifest


def _bucket_files(storage, folder: str = ""):
    dirs, files = storage.listdir(folder)
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(dirs):
        if not (not folder and sub == ".readyz"):
            yield from _bucket_files(storage, posixpath.join(folder, sub) if folder else sub)


def _write_files(section: SectionStream) -> dict:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    count = total = 0
    with tarfile.open(fileobj=section, mode="w|") as tar:
        if getattr(settings, "PRIVATE_S3", None):  # every object of the bucket, streamed into the archive
            from core.storage import PrivateS3Storage

            storage = PrivateS3Storage()
            for name in _bucket_files(storage):
                info = tarfile.TarInfo(name)
                info.size = storage.size(name)
                info.mtime = int(storage.get_modified_time(name).timestamp())
                info.mode = 0o600
                with storage.open(name, "rb") as fh:
                    tar.addfile(info, fh)
                count += 1
                total += info.size
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith(".readyz-"):
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    count += 1
                    total += path.stat().st_size
    section.end()
    return {"count": count, "bytes": total, "tar_sha256": section.digest.hexdigest()}


def prune(directory: Path, keep: int) -> list[Path]:
    backups = sorted(directory.glob("dangjian-*.djbk"))
    gone = backups[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone


# --- restoring --------------------------------------------------------------------------------------------------


def unpack(path: Path, workdir: Path) -> tuple[dict[str, Path], dict]:
    plain = workdir / "plain"
    decrypt_to(path, plain)
    parts = split_sections(plain, workdir)
    plain.unlink()
    if set(parts) != {"database.dump", "files.tar", "manifest.json"}:
        raise BackupError("备份不完整：缺少数据库、文件或清单")
    manifest = json.loads(parts["manifest.json"].read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    with parts["database.dump"].open("rb") as dump:
        while block := dump.read(CHUNK):
            digest.update(block)
    if digest.hexdigest() != manifest["dump"]["sha256"]:
        raise BackupError("数据库转储与清单不符")
    return parts, manifest


def restore_database(dump: Path, target: Database) -> None:
    with target.connect(autocommit=True) as conn:
        server_version = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    if tables:
        raise BackupError(f"目标数据库 {target.name} 不是空库（已有 {tables} 张表）：恢复只写入新建的空库")
    pg_restore = check_tool_version("pg_restore", server_version)
    result = subprocess.run([pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "-d", target.name, str(dump)],
                            env=target.env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")


def restore_files(files_tar: Path, into: Path) -> dict:
    into.mkdir(parents=True, exist_ok=True)
    count = total = 0
    with tarfile.open(files_tar, mode="r:") as tar:
        members = tar.getmembers()
        tar.extractall(into, filter="data")  # no absolute paths, no "..", no links out
        for member in members:
            if member.isfile():
                count += 1
                total += member.size
    return {"count": count, "bytes": total}


def create_database(server: Database, name: str) -> Database:
    with server.named("postgres").connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.named(name)


def drop_database(server: Database, name: str) -> None:
    with server.named("postgres").connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verify_restored(target: Database, manifest: dict) -> list[str]:
    """Problems (Chinese) found comparing a restored database with the manifest; empty when it matches."""
    problems = []
    with target.connect(autocommit=True) as conn, conn.cursor() as cursor:
        counts = table_counts(cursor)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"表 {table}：备份时 {expected} 行，恢复后 {counts.get(table, '缺失')}")
    # The audit chain, checked by the same command the nightly job runs, on the restored copy.
    env = {**os.environ, "DATABASE_URL": target.url()}
    result = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "audit_verify"],
                            env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    if result.returncode != 0:
        problems.append("审计日志校验未通过：" + (result.stderr.strip() or result.stdout.strip())[:500])
    head = manifest.get("audit_head")
    if head and head["hash"] not in result.stdout:
        problems.append(f"审计日志链尾与备份时不同（应为 {head['hash']}）")
    return problems
