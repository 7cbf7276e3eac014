"""The audit log by month (core/partitions.py) against the same rows in one plain table, at a city's
year of entries scaled down: 600,000 entries over 12 months (x --scale), the indexes the model
declares on both. Measures what a deployment feels:

- `bytes_per_entry`: table + indexes per entry (sizing: docs/deployment.md "Sizing");
- `recent_page_ms`: the audit page's newest 50 entries of one action this month;
- `object_history_ms`: one object's entries (every month is probed: the price of partitioning);
- `archive_month_ms`: removing the oldest month, DETACH + DROP against a DELETE of its rows.

Ratios are plain-table time / partitioned time (above 1: partitioning is faster). The plain DELETE is
rolled back. Own database (dangjian_bench_partitions); the last line is one JSON object.

    .venv/bin/python bench/partitions.py [--scale 1] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from _setup import setup_django, timed

PLAIN = "bench_audit_plain"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    setup_django()

    from django.db import connection
    from django.utils import timezone

    from core import partitions

    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL"
    n = int(600_000 * args.scale)
    today = timezone.localdate()
    first = partitions.add_months(partitions.month_start(today), -11)
    partitions.ensure(today=first, ahead=11)
    with connection.cursor() as cur:
        # The bench's own database: the guards are lifted to start from empty tables.
        tables = ["audit_auditentry", *partitions._children(cur, "audit_auditentry")]
        for t in tables:
            cur.execute(f"ALTER TABLE {t} DISABLE TRIGGER USER")
        cur.execute("TRUNCATE audit_auditentry")
        for t in tables:
            cur.execute(f"ALTER TABLE {t} ENABLE TRIGGER USER")
        cur.execute(f"DROP TABLE IF EXISTS {PLAIN}")
        t0 = time.perf_counter()
        cur.execute(
            """INSERT INTO audit_auditentry (at, actor_id, actor_name, action, object_type, object_id, object_repr,
                                             changes, purpose, ip, seq, prev_hash, entry_hash)
               SELECT %s::timestamptz + (i::float / %s) * (now() - %s::timestamptz),
                      1 + i %% 300, 'user' || (i %% 300),
                      (ARRAY['create','update','view_pii','export','transition','login'])[1 + i %% 6],
                      (ARRAY['grid.resident','demands.demand','members.member','grid.visit'])[1 + i %% 4],
                      (i %% 50000)::text, '对象' || i, jsonb_build_object('field', i), '', '10.0.0.1', i,
                      md5(i::text) || md5((i + 1)::text), md5(i::text) || md5((i + 2)::text)
               FROM generate_series(1, %s) AS i""",
            [_ts(first), n, _ts(first), n])
        load_s = time.perf_counter() - t0
        cur.execute(f"CREATE TABLE {PLAIN} (LIKE audit_auditentry INCLUDING DEFAULTS)")
        cur.execute(f"INSERT INTO {PLAIN} SELECT * FROM audit_auditentry")
        cur.execute(f"ALTER TABLE {PLAIN} ADD PRIMARY KEY (id)")
        for cols in ("at", "action", "object_type", "actor_id", "object_type, object_id"):
            cur.execute(f"CREATE INDEX ON {PLAIN} ({cols})")
        cur.execute(f"ALTER TABLE {PLAIN} ADD UNIQUE (seq)")
        cur.execute("ANALYZE audit_auditentry")
        cur.execute(f"ANALYZE {PLAIN}")
        cur.execute("SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                    "WHERE inhparent = 'audit_auditentry'::regclass")
        part_bytes = int(cur.fetchone()[0])
        cur.execute(f"SELECT pg_total_relation_size('{PLAIN}')")
        plain_bytes = int(cur.fetchone()[0])

    month_start = _ts(partitions.month_start(today))

    def query(sql, params):
        def run():
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()
        return run

    recent = "SELECT * FROM {t} WHERE at >= %s AND action = 'view_pii' ORDER BY at DESC, id DESC LIMIT 50"
    history = "SELECT * FROM {t} WHERE object_type = 'grid.resident' AND object_id = '4242' ORDER BY at DESC"
    figures = {}
    for name, sql, params in (("recent_page", recent, [month_start]), ("object_history", history, [])):
        ours, _ = timed(query(sql.format(t="audit_auditentry"), params), args.repeat)
        plain, _ = timed(query(sql.format(t=PLAIN), params), args.repeat)
        figures[f"{name}_ms_median"] = round(ours, 2)
        figures[f"{name}_plain_ms_median"] = round(plain, 2)
        figures[f"{name}_vs_plain"] = round(plain / ours, 2) if ours else None

    oldest = partitions.partition_name("audit_auditentry", first)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {oldest}")
        month_rows = cur.fetchone()[0]
        cur.execute("BEGIN")
        t0 = time.perf_counter()
        cur.execute(f"DELETE FROM {PLAIN} WHERE at >= %s AND at < %s",
                    [_ts(first), _ts(partitions.add_months(first, 1))])
        delete_ms = (time.perf_counter() - t0) * 1000
        cur.execute("ROLLBACK")
        t0 = time.perf_counter()
        partitions.drop_month(cur, "audit_auditentry", oldest)
        drop_ms = (time.perf_counter() - t0) * 1000
    figures.update({
        "entries": n, "months": 12, "load_s": round(load_s, 1),
        "bytes_per_entry": round(part_bytes / n), "bytes_per_entry_plain": round(plain_bytes / n),
        "archive_month_rows": month_rows, "archive_month_ms": round(drop_ms, 1),
        "archive_month_delete_ms": round(delete_ms, 1),
        "drop_vs_delete": round(delete_ms / drop_ms, 1) if drop_ms else None,
    })
    for key, value in figures.items():
        print(f"{key:32s} {value}")
    print(json.dumps(figures))


def _ts(day: date) -> str:
    from core.partitions import _bound

    return _bound(day)


if __name__ == "__main__":
    main()
