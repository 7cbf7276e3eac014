"""The audit log's hash chain: each entry carries a sequence number and the SHA-256 of its own content
plus the previous entry's hash, so a removed entry (a gap in the numbers or a broken link) or an edited
one (a hash that no longer matches) is found by `manage.py audit_verify`.

Writers are serialized on the chain head: on PostgreSQL by a transaction-level advisory lock (held
from the entry's insert to the commit of the business transaction it belongs to), on SQLite by the
database write lock every transaction takes at its start (`transaction_mode = IMMEDIATE`).

The digest (version 1) is frozen: changing it would make every existing entry fail verification.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection

GENESIS = "0" * 64
# pg_advisory_xact_lock key: "dangjian audit chain" (any constant shared by every writer).
_LOCK_KEY = 0x64_6A_61_75_64_69_74


def normalize_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(*, seq: int, prev_hash: str, at: datetime, actor_id, actor_name: str, action: str,
           object_type: str, object_id: str, object_repr: str, changes, purpose: str, ip: str | None) -> str:
    payload = json.dumps(
        [1, seq, prev_hash, _at(at), actor_id, actor_name, action, object_type, object_id, object_repr,
         changes, purpose, ip],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_digest(entry) -> str:
    return digest(seq=entry.seq, prev_hash=entry.prev_hash, at=entry.at, actor_id=entry.actor_id,
                  actor_name=entry.actor_name, action=entry.action, object_type=entry.object_type,
                  object_id=entry.object_id, object_repr=entry.object_repr, changes=entry.changes,
                  purpose=entry.purpose, ip=normalize_ip(entry.ip))


def lock_head() -> None:
    """Serialize chain writers until the end of the current transaction (call inside atomic())."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@dataclass
class Report:
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    head: str = ""
    unchained: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, batch: int = 5000, latest: int | None = None) -> Report:
    """Walk the chain in sequence order; report gaps, broken links and changed entries (in Chinese).

    `latest`: check only the newest that many entries (a page's quick look; the daily command walks
    the whole chain), linking the first of them to the entry before it.
    """
    from .models import AuditAction, AuditEntry

    report = Report()
    report.unchained = AuditEntry.objects.filter(seq__isnull=True).count()
    if report.unchained:
        report.problems.append(f"有 {report.unchained} 条日志不在校验链上（未经审计服务写入）")
    anchors = {}  # the last hash of each archived range, by its last sequence number
    for changes in AuditEntry.objects.filter(action=AuditAction.ARCHIVE).values_list("changes", flat=True):
        if isinstance(changes, dict) and changes.get("to_seq"):
            anchors[int(changes["to_seq"])] = changes.get("last_hash", "")
    prev = None
    after = 0
    if latest:
        newest = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
        if newest and newest > latest:
            after = newest - latest
            anchor = AuditEntry.objects.filter(seq=after).values_list("entry_hash", flat=True).first()
            if anchor is not None:
                anchors[after] = anchor
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=after).order_by("seq")[:batch])
        if not rows:
            break
        for entry in rows:
            report.checked += 1
            if prev is None:
                report.first_seq = entry.seq
                expected_prev = GENESIS if entry.seq == 1 else anchors.get(entry.seq - 1)
                if expected_prev is None:
                    report.problems.append(
                        f"第 {entry.seq} 条之前的 {entry.seq - 1} 条日志缺失，且没有归档记录")
                elif entry.prev_hash != expected_prev:
                    report.problems.append(f"第 {entry.seq} 条与其前一条（或归档记录）的校验值不符")
            else:
                if entry.seq != prev.seq + 1:
                    report.problems.append(f"第 {prev.seq + 1}–{entry.seq - 1} 条日志缺失（被删除）")
                elif entry.prev_hash != prev.entry_hash:
                    report.problems.append(f"第 {entry.seq} 条与第 {prev.seq} 条的链接不符")
            if entry_digest(entry) != entry.entry_hash:
                report.problems.append(f"第 {entry.seq} 条（ID {entry.pk}）的内容被修改过")
            prev = entry
        after = rows[-1].seq
    if prev is not None:
        report.last_seq, report.head = prev.seq, prev.entry_hash
    return report
