"""Monthly range partitions for the append-only tables that grow without bound (PostgreSQL only).

A city writes tens of millions of audit entries and demand events a year. On PostgreSQL these tables
are partitioned by month on their time column (declarative partitioning): a month is one table, so
a query on recent entries touches recent partitions only, an index is rebuilt per month, and an
archived month is detached and dropped instead of deleted row by row. SQLite keeps one plain table
(the migrations are no-ops there).

`convert()` turns an existing table into a partitioned one inside a migration (its rows, indexes,
outgoing foreign keys, triggers, grants and identity sequence kept); `ensure()` creates the coming
months ahead (`manage.py db_partitions`, run by the owner role's monthly timer and by `migrate`);
`status()` reports what is there. Every partitioned table has a DEFAULT partition so that a write
never fails for want of a month; rows found there mean the months ahead were not created in time
(`db_partitions --check` exits 1).

The database keys a partitioned table by (id, time column): PostgreSQL enforces uniqueness only
together with the partition key. The id still comes from one identity sequence (unique by
construction) and Django keeps `id` as the model's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection

# table -> partition column. The tables partitioned by the migrations of their apps.
PARTITIONED: dict[str, str] = {
    "audit_auditentry": "at",
    "demands_demandevent": "created_at",
}
# Months created ahead of the current one (the timer runs monthly: two missed runs still leave a month).
AHEAD = 3


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + (day.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def _bound(month: date) -> str:
    """The month's first instant in the deployment's time zone, as a timestamptz literal."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime(month.year, month.month, 1, tzinfo=tz).isoformat()


def _q(name: str) -> str:
    return default_connection.ops.quote_name(name)


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def _grants(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        """SELECT grantee, privilege_type FROM information_schema.role_table_grants
           WHERE table_schema = current_schema() AND table_name = %s
             AND grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(%s))""",
        [table, table])
    return [(g, p) for g, p in cursor.fetchall()]


def _copy_grants(cursor, parent: str, child: str) -> None:
    """The child answers to the same roles as its parent, and to no one else (default privileges
    would otherwise give the application role UPDATE and DELETE on a new month of the audit log)."""
    for grantee, _ in _grants(cursor, child):
        cursor.execute(f"REVOKE ALL ON {_q(child)} FROM {'PUBLIC' if grantee == 'PUBLIC' else _q(grantee)}")
    for grantee, privilege in _grants(cursor, parent):
        cursor.execute(f"GRANT {privilege} ON {_q(child)} TO {'PUBLIC' if grantee == 'PUBLIC' else _q(grantee)}")


def _statement_triggers(cursor, table: str) -> list[str]:
    """TRUNCATE (statement) triggers of the parent: PostgreSQL does not clone them onto partitions."""
    cursor.execute(
        """SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
           WHERE t.tgrelid = to_regclass(%s) AND NOT t.tgisinternal AND (t.tgtype & 32) <> 0""", [table])
    return [row[0] for row in cursor.fetchall()]


def _attach_extras(cursor, table: str, child: str) -> None:
    for definition in _statement_triggers(cursor, table):
        on = f" ON {table} " if f" ON {table} " in definition else f" ON public.{table} "
        cursor.execute(definition.replace(on, f" ON {_q(child)} ", 1))
    _copy_grants(cursor, table, child)


def create_month(cursor, table: str, month: date) -> bool:
    """Create one month's partition if it is not there; True when created."""
    name = partition_name(table, month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return False
    cursor.execute(
        f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)",
        [_bound(month), _bound(add_months(month, 1))])
    _attach_extras(cursor, table, name)
    return True


def _create_default(cursor, table: str) -> None:
    name = f"{table}_default"
    cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} DEFAULT")
    _attach_extras(cursor, table, name)


def convert(schema_editor, table: str, column: str, *, today: date | None = None) -> None:
    """Migration step: make `table` a monthly partitioned table on `column` (PostgreSQL; else nothing).

    The old table's rows are copied into the months they belong to; its indexes, outgoing foreign
    keys, triggers (row triggers are cloned onto every partition by PostgreSQL), grants and identity
    sequence are recreated; unique constraints gain the partition column. Incoming foreign keys are
    not possible on a partitioned table's id: the referencing fields must say db_constraint=False first.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    today = today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    with schema_editor.connection.cursor() as cur:
        if is_partitioned(cur, table):
            return
        old = f"{table}_unpartitioned"
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                    [table])
        indexes = cur.fetchall()
        cur.execute(
            """SELECT conname, contype, pg_get_constraintdef(oid), conkey FROM pg_constraint
               WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f')""", [table])
        constraints = cur.fetchall()
        constraint_names = {c[0] for c in constraints}
        cur.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", [table])
        triggers = [row[0] for row in cur.fetchall()]
        grants = _grants(cur, table)
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        has_identity = cur.fetchone()[0] is not None
        cur.execute(f"SELECT min({_q(column)}) FROM {_q(table)}")
        oldest = cur.fetchone()[0]

        cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cur.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS) PARTITION BY RANGE ({_q(column)})")
        first = month_start(oldest.astimezone(ZoneInfo(settings.TIME_ZONE)).date()) if oldest else month_start(today)
        last = add_months(month_start(today), AHEAD)
        month = min(first, month_start(today))
        while month <= last:
            cur.execute(f"CREATE TABLE {_q(partition_name(table, month))} PARTITION OF {_q(table)} "
                        "FOR VALUES FROM (%s) TO (%s)", [_bound(month), _bound(add_months(month, 1))])
            month = add_months(month, 1)
        cur.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
        cur.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
        cur.execute(f"DROP TABLE {_q(old)}")  # its indexes, constraints, triggers and sequence go with it

        for name, kind, definition, _ in constraints:
            if kind == "p":
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} PRIMARY KEY (id, {_q(column)})")
            elif kind == "u":
                columns = definition[definition.index("(") + 1:definition.rindex(")")]
                if column not in [c.strip().strip('"') for c in columns.split(",")]:
                    columns = f"{columns}, {_q(column)}"
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} UNIQUE ({columns})")
            else:
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        for name, definition in indexes:
            if name in constraint_names:
                continue
            cur.execute(definition)
        for definition in triggers:
            cur.execute(definition)
        for grantee, privilege in grants:
            cur.execute(f"GRANT {privilege} ON {_q(table)} TO {'PUBLIC' if grantee == 'PUBLIC' else _q(grantee)}")
        if has_identity:
            cur.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
            cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false) "
                        f"FROM {_q(table)}", [table])
        for child in _children(cur, table):
            _attach_extras(cur, table, child)


def revert(schema_editor, table: str) -> None:
    """Back to one plain table (the reverse migration): the rows, the same indexes, keyed by id."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        if not is_partitioned(cur, table):
            return
        column = PARTITIONED[table]
        old = f"{table}_partitioned"
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                    [table])
        indexes = cur.fetchall()
        cur.execute(
            """SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f') AND conparentid = 0""", [table])
        constraints = cur.fetchall()
        cur.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", [table])
        triggers = cur.fetchall()
        grants = _grants(cur, table)
        cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cur.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS)")
        cur.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
        cur.execute(f"DROP TABLE {_q(old)}")
        for name, kind, definition in constraints:
            if kind == "p":
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} PRIMARY KEY (id)")
            elif kind == "u":
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} "
                            + definition.replace(f", {column})", ")"))
            else:
                cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        names = {c[0] for c in constraints}
        for name, definition in indexes:
            if name not in names:
                cur.execute(definition.replace(" ONLY ", " "))
        for (definition,) in triggers:
            cur.execute(definition)
        for grantee, privilege in grants:
            cur.execute(f"GRANT {privilege} ON {_q(table)} TO {'PUBLIC' if grantee == 'PUBLIC' else _q(grantee)}")
        cur.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false) "
                    f"FROM {_q(table)}", [table])


def _children(cursor, table: str) -> list[str]:
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", [table])
    return [row[0] for row in cursor.fetchall()]


@dataclass
class TableStatus:
    table: str
    column: str
    partitioned: bool = False
    months: list[str] = field(default_factory=list)  # "2026-12", oldest first
    default_rows: int = 0
    created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def ensure(*, today: date | None = None, ahead: int = AHEAD, using=None) -> list[TableStatus]:
    """Create this month's and the next `ahead` months' partitions of every partitioned table."""
    conn = using or default_connection
    today = today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    result = []
    if conn.vendor != "postgresql":
        return result
    with conn.cursor() as cur:
        for table, column in PARTITIONED.items():
            st = TableStatus(table, column)
            if not is_partitioned(cur, table):
                st.problems.append(f"{table} 不是分区表（迁移未执行？）")
                result.append(st)
                continue
            st.partitioned = True
            for n in range(ahead + 1):
                month = add_months(month_start(today), n)
                if create_month(cur, table, month):
                    st.created.append(f"{month:%Y-%m}")
            _fill_status(cur, st, today, ahead)
            result.append(st)
    return result


def status(*, today: date | None = None, ahead: int = AHEAD, using=None) -> list[TableStatus]:
    conn = using or default_connection
    today = today or datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    result = []
    if conn.vendor != "postgresql":
        return result
    with conn.cursor() as cur:
        for table, column in PARTITIONED.items():
            st = TableStatus(table, column, partitioned=is_partitioned(cur, table))
            if st.partitioned:
                _fill_status(cur, st, today, ahead)
            else:
                st.problems.append(f"{table} 不是分区表（迁移未执行？）")
            result.append(st)
    return result


def _fill_status(cur, st: TableStatus, today: date, ahead: int) -> None:
    prefix = f"{st.table}_p"
    st.months = sorted(f"{c[len(prefix):len(prefix) + 4]}-{c[len(prefix) + 4:]}"
                       for c in _children(cur, st.table) if c.startswith(prefix))
    cur.execute(f"SELECT count(*) FROM {_q(st.table + '_default')}")
    st.default_rows = cur.fetchone()[0]
    if st.default_rows:
        st.problems.append(f"{st.table} 有 {st.default_rows} 行落在默认分区：提前创建的月份不够，"
                           "请检查 db_partitions 定时任务")
    missing = [f"{add_months(month_start(today), n):%Y-%m}" for n in range(ahead + 1)
               if f"{add_months(month_start(today), n):%Y-%m}" not in st.months]
    if missing:
        st.problems.append(f"{st.table} 缺少月份分区：{'、'.join(missing)}")


def months_of(cursor, table: str) -> list[tuple[str, date]]:
    """The month partitions of `table`, oldest first: (partition name, first day of its month)."""
    prefix = f"{table}_p"
    out = []
    for child in _children(cursor, table):
        digits = child[len(prefix):]
        if child.startswith(prefix) and len(digits) == 6 and digits.isdigit():
            out.append((child, date(int(digits[:4]), int(digits[4:]), 1)))
    return sorted(out, key=lambda item: item[1])


def drop_month(cursor, table: str, child: str) -> None:
    """Detach a month and drop it: the archive's way out for a whole month (no row-by-row DELETE,
    no dead rows left to vacuum). Only the table's owner can do it; the row triggers do not fire."""
    cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(child)}")
    cursor.execute(f"DROP TABLE {_q(child)}")
