"""manage.py audit_archive: export entries older than the retention to a file, then delete them.

The retention (settings.AUDIT_RETENTION_DAYS, never less than 180 days) is checked here and again by
the PostgreSQL trigger. The file is written, flushed to disk and read back before anything is deleted;
the deletion and an "归档" entry naming the file, its SHA-256 and the range's last hash commit together,
so audit_verify accepts the remaining chain only through that entry. Run it with the owner role's
DATABASE_URL (the application role has no DELETE on the audit table).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit.chain import verify
from audit.models import AuditAction, AuditEntry
from audit.services import record
from core import partitions

MIN_RETENTION_DAYS = 180
FIELDS = ["id", "seq", "prev_hash", "entry_hash", "at", "actor_id", "actor_name", "action", "object_type",
          "object_id", "object_repr", "changes", "purpose", "ip"]


class Command(BaseCommand):
    help = "把超过保存期限（不少于 180 天）的审计日志导出到文件，确认写入后再从数据库删除"

    def add_arguments(self, parser):
        parser.add_argument("--dir", required=True, help="归档文件所在目录")
        parser.add_argument("--days", type=int, default=None, help="保存天数（默认 AUDIT_RETENTION_DAYS，不少于 180）")
        parser.add_argument("--dry-run", action="store_true", help="只报告将归档的条数")

    def handle(self, *args, dir, days, dry_run, **options):
        days = days if days is not None else getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)
        if days < MIN_RETENTION_DAYS:
            raise CommandError(
                f"保存期限不能少于 {MIN_RETENTION_DAYS} 天（等保三级：审计记录至少保存六个月），收到 {days}")
        report = verify()
        if not report.ok:
            raise CommandError("审计日志校验未通过，先处理问题再归档：" + "；".join(report.problems[:5]))
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEntry.objects.filter(at__lt=cutoff, seq__isnull=False).order_by("seq")
        # Archive a prefix of the chain only: everything up to the first entry that is still kept.
        first_kept = AuditEntry.objects.filter(at__gte=cutoff, seq__isnull=False).order_by("seq").first()
        if first_kept is not None:
            old = old.filter(seq__lt=first_kept.seq)
        count = old.count()
        if not count:
            self.stdout.write(f"没有早于 {days} 天的审计日志需要归档")
            return
        if dry_run:
            self.stdout.write(f"将归档 {count} 条（早于 {cutoff:%Y-%m-%d}）")
            return
        folder = Path(dir)
        folder.mkdir(parents=True, exist_ok=True)
        rows = list(old.values(*FIELDS))
        first, last = rows[0], rows[-1]
        path = folder / f"audit-{first['seq']:012d}-{last['seq']:012d}.jsonl.gz"
        if path.exists():
            raise CommandError(f"归档文件已存在：{path}")
        tmp = path.with_suffix(".part")
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            for row in rows:
                row["at"] = row["at"].isoformat()
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        with gzip.open(path, "rt", encoding="utf-8") as fh:  # read back before deleting anything
            if sum(1 for _ in fh) != count:
                raise CommandError(f"归档文件 {path} 读回的条数不符，未删除任何记录")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL dangjian.audit_archive = 'on'")
            # The model refuses deletes; this command is the one sanctioned path (a raw delete of the range).
            deleted = _raw_delete(first["seq"], last["seq"], cutoff)
            if deleted != count:
                raise CommandError(f"删除条数 {deleted} 与归档条数 {count} 不符，已回滚")
            record(actor=None, action=AuditAction.ARCHIVE, object_type="audit.auditentry",
                   object_repr=f"审计日志归档 第 {first['seq']}–{last['seq']} 条",
                   changes={"from_seq": first["seq"], "to_seq": last["seq"], "count": count,
                            "last_hash": last["entry_hash"], "file": path.name, "sha256": sha,
                            "before": cutoff.isoformat(), "retention_days": days})
        self.stdout.write(f"已归档 {count} 条到 {path}（SHA-256 {sha}），并从数据库删除")


def _raw_delete(first_seq: int, last_seq: int, cutoff) -> int:
    """Remove the archived range. On PostgreSQL's monthly partitions (core/partitions.py) a month
    that lies wholly in the range, and ended before the cutoff, is detached and dropped as a whole;
    what is left of the range (a month only partly archived) is deleted row by row."""
    name = AuditEntry._meta.db_table
    table = connection.ops.quote_name(name)
    deleted = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and partitions.is_partitioned(cur, name):
            last_day = cutoff.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
            for child, month in partitions.months_of(cur, name):
                if partitions.add_months(month, 1) > last_day:
                    break
                cur.execute(f"SELECT count(*), min(seq), max(seq), count(seq) FROM {connection.ops.quote_name(child)}")
                rows, low, high, chained = cur.fetchone()
                if rows == 0 or (chained == rows and low >= first_seq and high <= last_seq):
                    partitions.drop_month(cur, name, child)
                    deleted += rows
        cur.execute(f"DELETE FROM {table} WHERE seq >= %s AND seq <= %s", [first_seq, last_seq])
        return deleted + cur.rowcount
