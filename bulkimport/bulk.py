"""Fast inserts: COPY on PostgreSQL (bulk_create elsewhere), keys drawn beforehand, side queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from .importer import ImportRow

_PLAIN_FIELD_TYPES: tuple[type, ...] = ()


def _plain_types() -> tuple[type, ...]:
    global _PLAIN_FIELD_TYPES
    if not _PLAIN_FIELD_TYPES:
        from django.db import models as m

        _PLAIN_FIELD_TYPES = (m.CharField, m.TextField, m.IntegerField, m.BigIntegerField, m.SmallIntegerField,
                              m.PositiveIntegerField, m.PositiveSmallIntegerField, m.AutoField, m.BigAutoField,
                              m.DateField, m.DateTimeField, m.DecimalField, m.BooleanField, m.FloatField,
                              m.ForeignKey, m.OneToOneField)
    return _PLAIN_FIELD_TYPES


def bulk_insert(model, objs: list, *, batch_size: int = 2000, using: str = "default") -> list:
    """Insert new instances fast and set their primary keys; nothing else (no signals, no save()).

    On PostgreSQL: primary keys are drawn from the sequence in one query, then the rows go in with
    COPY (psycopg 3), each field prepared as ``save()`` would (``pre_save`` — so blind-index hashes,
    ``auto_now`` — then ``get_db_prep_save`` for anything but plain column types). Elsewhere:
    ``bulk_create`` in batches. Call inside a transaction.
    """
    from django.db import connections

    if not objs:
        return objs
    connection = connections[using]
    if connection.vendor != "postgresql":
        for start in range(0, len(objs), batch_size):
            model.objects.using(using).bulk_create(objs[start:start + batch_size], batch_size=batch_size)
        return objs
    from django.db.models import Field

    opts = model._meta
    table = opts.db_table
    pk = opts.pk
    fields = [f for f in opts.concrete_fields]
    plain = _plain_types()
    prep = []
    for f in fields:
        custom_pre = type(f).pre_save is not Field.pre_save
        exact_plain = type(f) in plain or (isinstance(f, plain) and type(f).get_db_prep_save is Field.get_db_prep_save
                                           and type(f).get_prep_value in {t.get_prep_value for t in plain})
        prep.append((f, custom_pre, not exact_plain))
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk.column, len(objs)])
        ids = [r[0] for r in cur.fetchall()]
        for obj, new_id in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, new_id)
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cur.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN") as copy:
            for obj in objs:
                row = []
                for f, custom_pre, needs_prep in prep:
                    value = f.pre_save(obj, True) if custom_pre else getattr(obj, f.attname)
                    if needs_prep:
                        value = f.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


class RowPlan:
    """How to turn ``{attname: python value}`` dicts into database rows for one model, like ``save()`` would.

    Missing fields get their defaults (a callable default is called per row), ``auto_now`` /
    ``auto_now_add`` fields the current time, an :class:`core.crypto.EncryptedCharField` is
    normalized (unless ``normalized``: the caller did) and encrypted, and its blind-index sibling
    filled (unless the row already carries the hash), other non-plain fields go through
    ``get_db_prep_save``. ``columns`` lists the database columns (primary key first) in the order
    ``values(pk, row)`` returns them: plain fields first, so the common case is one list
    comprehension (``pk=None``: without the key, which the database then assigns).
    """

    def __init__(self, model, connection, *, normalized: bool = False):
        from django.db.models import NOT_PROVIDED, DateField, DateTimeField

        from core.crypto import EncryptedCharField

        opts = model._meta
        self.model = model
        self.connection = connection
        self.normalized = normalized  # encrypted fields' values need no normalizer
        pk = opts.pk
        fields = [f for f in opts.concrete_fields if f is not pk]
        hashed = {f.hash_field for f in fields if isinstance(f, EncryptedCharField) and f.hash_field}
        now = timezone.now()
        self.plain: list[tuple[str, Any]] = []  # (attname, constant default)
        self.per_row_default: list[tuple[str, Callable[[], Any]]] = []
        self.encrypted: list[tuple[Any, Any]] = []  # (field, its hash field or None)
        self.constant: list[tuple[str, Any]] = []  # auto_now(_add): (attname, now)
        self.prep: list[Any] = []
        by_name = {f.name: f for f in fields}
        plain_types = _plain_types()
        cols: dict[str, list[str]] = {"plain": [], "default": [], "enc": [], "const": [], "prep": []}
        for f in fields:
            if f.name in hashed:
                continue  # written right after its encrypted source
            if isinstance(f, EncryptedCharField):
                hf = by_name.get(f.hash_field) if f.hash_field else None
                self.encrypted.append((f, hf))
                cols["enc"] += [f.column, hf.column] if hf is not None else [f.column]
            elif isinstance(f, (DateField, DateTimeField)) and (f.auto_now or f.auto_now_add):
                # A DateField's day is the local one (as save() would give), not the UTC date of `now`.
                self.constant.append((f.attname, now if isinstance(f, DateTimeField) else timezone.localdate(now)))
                cols["const"].append(f.column)
            elif type(f) in plain_types and f.default is not NOT_PROVIDED and callable(f.default):
                self.per_row_default.append((f.attname, f.default))
                cols["default"].append(f.column)
            elif type(f) in plain_types:
                self.plain.append((f.attname, f.get_default()))
                cols["plain"].append(f.column)
            else:
                self.prep.append(f)
                cols["prep"].append(f.column)
        # The order values() emits them in.
        self.columns = [pk.column, *cols["plain"], *cols["default"], *cols["enc"], *cols["const"], *cols["prep"]]

    def values(self, pk_value: Any, row: dict[str, Any]) -> list[Any]:
        from core.crypto import blind_index, encrypt_text

        get = row.get
        out = [pk_value] if pk_value is not None else []  # None: the database assigns the key
        out += [get(a, d) for a, d in self.plain]
        for a, factory in self.per_row_default:
            out.append(row[a] if a in row else factory())
        normalized = self.normalized
        for f, hf in self.encrypted:
            value = get(f.attname) if normalized else f.to_python(get(f.attname))  # to_python normalizes
            if value:
                out.append(encrypt_text(value))
                if hf is not None:
                    out.append(get(hf.attname) or blind_index(value, purpose=f.hash_purpose))
            else:
                out.append(value)
                if hf is not None:
                    out.append(None)
        for a, now in self.constant:
            out.append(get(a) or now)
        connection = self.connection
        for f in self.prep:
            out.append(f.get_db_prep_save(get(f.attname, f.get_default()), connection))
        return out


def allocate_ids(model, n: int, *, using: str = "default") -> list[int]:
    """``n`` new primary keys for ``model``, known before anything is written (call in a transaction).

    PostgreSQL: drawn from the table's sequence in one query (unused ones are a harmless gap).
    Elsewhere (SQLite, single writer): the next ``n`` after the current maximum.
    """
    from django.db import connections
    from django.db.models import Max

    if n <= 0:
        return []
    connection = connections[using]
    if connection.vendor == "postgresql":
        opts = model._meta
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                        [opts.db_table, opts.pk.column, n])
            return [r[0] for r in cur.fetchall()]
    top = model.objects.using(using).aggregate(m=Max("pk"))["m"] or 0
    return list(range(top + 1, top + 1 + n))


class RowStream:
    """Rows of one model written while the import goes on; use as a context manager.

    ``write({attname: value})`` gives the row the next preallocated primary key and returns it
    (``count=None``: keys are left to the database and ``write`` returns None). PostgreSQL: one
    COPY stays open for the whole stream (no other query on the connection until it is closed);
    values are prepared by :class:`RowPlan`. Elsewhere: ``bulk_create`` in batches.
    """

    def __init__(self, model, *, count: int | None, batch_size: int = 2000, using: str = "default",
                 normalized: bool = False, ids: list[int] | None = None):
        from django.db import connections

        self.model = model
        self.using = using
        self.connection = connections[using]
        self.batch_size = batch_size
        if ids is not None:  # keys the caller allocated (allocate_ids)
            self.ids = iter(ids)
        else:
            self.ids = iter(allocate_ids(model, count, using=using)) if count is not None else None
        self.written = 0
        self._copy_cm = self._copy = self._cursor = None
        self._buffer: list[Any] = []
        if self.connection.vendor == "postgresql":
            self.plan = RowPlan(model, self.connection, normalized=normalized)
        else:
            self.attnames = {f.attname for f in model._meta.concrete_fields}

    def __enter__(self) -> RowStream:
        if self.connection.vendor == "postgresql":
            qn = self.connection.ops.quote_name
            columns = self.plan.columns if self.ids is not None else self.plan.columns[1:]
            cols = ", ".join(qn(c) for c in columns)
            self._cursor = self.connection.cursor()
            self._copy_cm = self._cursor.cursor.copy(f"COPY {qn(self.model._meta.db_table)} ({cols}) FROM STDIN")
            self._copy = self._copy_cm.__enter__()
            self._values = self.plan.values
            self._write_row = self._copy.write_row
        return self

    def write(self, values: dict[str, Any]) -> int | None:
        pk = next(self.ids) if self.ids is not None else None
        if self._copy is not None:
            self._write_row(self._values(pk, values))
        else:
            attnames = self.attnames
            self._buffer.append(self.model(pk=pk, **{k: v for k, v in values.items() if k in attnames}))
            if len(self._buffer) >= self.batch_size:
                self._flush()
        self.written += 1
        return pk

    def _flush(self) -> None:
        if self._buffer:
            self.model.objects.using(self.using).bulk_create(self._buffer, batch_size=self.batch_size)
            self._buffer = []

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(exc_type, exc, tb)
            finally:
                self._cursor.close()
                self._copy_cm = self._copy = None
        elif exc_type is None:
            self._flush()


def file_hashes(rows: list[ImportRow], key: str, *, purpose: str, normalize: Callable[[str], str]) -> dict[str, str]:
    """``{normalized value: keyed hash}`` of a column's text cells (ID or mobile numbers), computed
    once in ``prepare()`` so the registered ones can be fetched with :func:`existing_values` before a
    stream starts; ``check_rows`` then looks each parsed value up instead of hashing it again."""
    from core.crypto import blind_index

    hashes: dict[str, str] = {}
    for r in rows:
        raw = r.raw.get(key)
        if raw.__class__ is str and raw.strip():
            value = normalize(raw)
            if value not in hashes:
                hashes[value] = blind_index(value, purpose=purpose)
    return hashes


def existing_values(model, field: str, values: Iterable[Any], *, using: str = "default") -> set[Any]:
    """Which of ``values`` the column ``field`` of ``model`` already holds (one query per 50,000 on
    PostgreSQL with ``= ANY(array)``; chunks of 500 elsewhere)."""
    from django.db import connections

    values = list({v for v in values if v not in (None, "")})
    if not values:
        return set()
    connection = connections[using]
    found: set[Any] = set()
    if connection.vendor == "postgresql":
        column = connection.ops.quote_name(model._meta.get_field(field).column)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cur:
            for start in range(0, len(values), 50_000):
                cur.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", [values[start:start + 50_000]])
                found.update(r[0] for r in cur.fetchall())
        return found
    for start in range(0, len(values), 500):
        found.update(model.objects.using(using).filter(**{f"{field}__in": values[start:start + 500]})
                     .values_list(field, flat=True))
    return found


def side_query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """Start ``fn(*args, **kwargs)`` (a read-only query) and return a function that waits for its result.

    On PostgreSQL outside a transaction the query runs in a thread on a connection of its own, so a
    ``prepare()`` can go on with its other lookups and its Python work meanwhile (the thread mostly
    waits on the database, without the GIL). Inside a transaction (tests; a caller's atomic block) or
    on SQLite it runs at once on the caller's connection: a second connection would not see the
    transaction's own uncommitted rows."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        value = fn(*args, **kwargs)
        return lambda: value
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run, name="import-side-query", daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return result


def insert_rows(model, rows: list[dict[str, Any]], *, batch_size: int = 2000, using: str = "default",
                ids: list[int] | None = None, need_ids: bool = True) -> list[int]:
    """Insert rows given as ``{attname: python value}`` dicts, without building model instances.

    Values are prepared as :class:`RowPlan` describes (defaults, ``auto_now``, encryption with the
    blind index). PostgreSQL: primary keys from the sequence (or ``ids``, e.g. from
    :func:`allocate_ids`; ``need_ids=False``: numbered by the database as they arrive, nothing
    returned), then one COPY; elsewhere: bulk_create. Returns the primary keys in order.
    Call inside a transaction.
    """
    from django.db import connections

    if not rows:
        return []
    connection = connections[using]
    if ids is not None and len(ids) != len(rows):
        raise ValueError("insert_rows: one id per row")
    if connection.vendor != "postgresql":
        objs = [model(**row) if ids is None else model(pk=pk, **row)
                for pk, row in zip(ids or [None] * len(rows), rows, strict=True)]
        for start in range(0, len(objs), batch_size):
            model.objects.using(using).bulk_create(objs[start:start + batch_size], batch_size=batch_size)
        return [o.pk for o in objs]
    count = len(rows) if need_ids or ids is not None else None
    with RowStream(model, count=count, ids=ids, batch_size=batch_size, using=using) as stream:
        written = [stream.write(row) for row in rows]
    return written if count is not None else []


def iter_chunks(items: Iterable[Any], size: int):
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
