"""Re-encrypt and re-hash every encrypted field under the current key and mode, in batches.

While it runs, old ciphertexts stay readable through the keyring (settings.DANGJIAN_FIELD_KEYS_OLD), so
the service keeps working. Each row is updated only if it still holds what was read (compare and set),
so a user's save during the pass is never overwritten. Progress is kept in a state file per target
(mode + key ids): a run that stops resumes after the last finished batch; a run that starts over only
skips rows that are already current. Start, each table and the end are written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction

from core.crypto import EncryptedCharField, blind_index, current_key_ids, decrypt_with_status, encrypt_text


@dataclass
class Column:
    field: EncryptedCharField
    column: str
    hash_column: str | None


@dataclass
class Target:
    model: type
    columns: list[Column]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


@dataclass
class Counts:
    rows: int = 0
    re_encrypted: int = 0
    re_hashed: int = 0
    skipped_changed: int = 0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "re_encrypted": self.re_encrypted, "re_hashed": self.re_hashed,
                "skipped_changed": self.skipped_changed}


@dataclass
class Result:
    target: dict
    tables: dict[str, Counts] = field(default_factory=dict)
    resumed_from: dict[str, int] = field(default_factory=dict)


def targets() -> list[Target]:
    """Every concrete model with an encrypted field, in a stable order."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        if model._meta.proxy or not model._meta.managed:
            continue
        cols = []
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedCharField):
                hash_col = model._meta.get_field(f.hash_field).column if f.hash_field else None
                cols.append(Column(f, f.column, hash_col))
        if cols:
            found.append(Target(model, cols))
    return found


class State:
    """{"target": {...}, "done": [labels], "last_pk": {label: pk}} in a JSON file."""

    def __init__(self, path: Path | None, target: dict):
        self.path, self.target = path, target
        self.data = {"target": target, "done": [], "last_pk": {}}
        if path and path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("target") == target:
                self.data = saved

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.path)


def _new_values(t: Target, row: tuple) -> dict[str, tuple[str | None, str | None]]:
    """{column: (old, new)} for the columns of one row that are not under the current key/mode."""
    changes = {}
    for i, col in enumerate(t.columns):
        token, old_hash = row[1 + 2 * i], row[2 + 2 * i]
        if token in (None, ""):
            continue
        plain, current = decrypt_with_status(token)
        if not current:
            changes[col.column] = (token, encrypt_text(plain))
        if col.hash_column:
            normalized = col.field.to_python(plain)
            new_hash = blind_index(normalized, purpose=col.field.hash_purpose) if normalized else None
            if new_hash != old_hash:
                changes[col.hash_column] = (old_hash, new_hash)
    return changes


def rotate(*, batch: int = 1000, state_path: Path | None = None,
           progress: Callable[[str, Counts], None] | None = None,
           only: list[str] | None = None, max_batches: int | None = None) -> Result:
    """One pass over every encrypted column. `max_batches` stops early (tests of resuming)."""
    target = current_key_ids()
    state = State(state_path, target)
    result = Result(target=target)
    qn = connection.ops.quote_name
    batches = 0
    for t in targets():
        if only and t.label not in only:
            continue
        if t.label in state.data["done"]:
            continue
        counts = result.tables.setdefault(t.label, Counts())
        table, pk = qn(t.model._meta.db_table), qn(t.model._meta.pk.column)
        select_cols = ", ".join(f"{qn(c.column)}, {qn(c.hash_column) if c.hash_column else 'NULL'}"
                                for c in t.columns)
        enc_cols = {c.column for c in t.columns}
        hash_cols = {c.hash_column for c in t.columns if c.hash_column}
        after = state.data["last_pk"].get(t.label)
        if after is not None:
            result.resumed_from[t.label] = after
        while True:
            if max_batches is not None and batches >= max_batches:
                state.save()
                return result
            with transaction.atomic():
                with connection.cursor() as cur:
                    where = f"WHERE {pk} > %s " if after is not None else ""
                    cur.execute(f"SELECT {pk}, {select_cols} FROM {table} {where}ORDER BY {pk} LIMIT %s",
                                [after, batch] if after is not None else [batch])
                    rows = cur.fetchall()
                    # Rows needing the same columns changed share one statement, sent as one
                    # executemany (pipelined by psycopg): one round trip per group, not per row.
                    groups: dict[str, list[tuple[list, dict]]] = {}
                    for row in rows:
                        counts.rows += 1
                        changes = _new_values(t, row)
                        if not changes:
                            continue
                        sets = ", ".join(f"{qn(c)} = %s" for c in changes)
                        # Compare and set: a row saved by a user since it was read is left alone (the
                        # save used the current key already).
                        conds = " AND ".join(f"{qn(c)} IS NULL" if old is None else f"{qn(c)} = %s"
                                             for c, (old, _) in changes.items())
                        params = [new for _, new in changes.values()] + [row[0]] + [
                            old for old, _ in changes.values() if old is not None]
                        sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {conds}"
                        groups.setdefault(sql, []).append((params, changes))
                    for sql, items in groups.items():
                        cur.executemany(sql, [params for params, _ in items])
                        if cur.rowcount == len(items):
                            done = items
                        else:  # someone saved a row meanwhile: find which, one by one (rare)
                            done = []
                            for params, changes in items:
                                cur.execute(sql, params)  # a no-op for rows already updated above
                                if cur.rowcount == 1 or _current(cur, table, pk, params[len(changes)], changes):
                                    done.append((params, changes))
                            counts.skipped_changed += len(items) - len(done)
                        for _, changes in done:
                            counts.re_encrypted += sum(1 for c in changes if c in enc_cols)
                            counts.re_hashed += sum(1 for c in changes if c in hash_cols)
            batches += 1
            if not rows:
                break
            after = rows[-1][0]
            state.data["last_pk"][t.label] = after
            state.save()
            if progress:
                progress(t.label, counts)
        state.data["done"].append(t.label)
        state.data["last_pk"].pop(t.label, None)
        state.save()
    return result


def _current(cur, table: str, pk: str, pk_value, changes: dict) -> bool:
    """Whether the row now holds exactly the new values (updated by the executemany before)."""
    qn = connection.ops.quote_name
    cols = list(changes)
    cur.execute(f"SELECT {', '.join(qn(c) for c in cols)} FROM {table} WHERE {pk} = %s", [pk_value])
    got = cur.fetchone()
    return got is not None and list(got) == [changes[c][1] for c in cols]


def pending(*, batch: int = 5000) -> dict[str, int]:
    """Rows per table that still hold an old key, an old mode or an old hash (`--check`)."""
    out = {}
    qn = connection.ops.quote_name
    for t in targets():
        select_cols = ", ".join(f"{qn(c.column)}, {qn(c.hash_column) if c.hash_column else 'NULL'}"
                                for c in t.columns)
        table, pk = qn(t.model._meta.db_table), qn(t.model._meta.pk.column)
        n, after = 0, None
        while True:
            with connection.cursor() as cur:
                where = f"WHERE {pk} > %s " if after is not None else ""
                cur.execute(f"SELECT {pk}, {select_cols} FROM {table} {where}ORDER BY {pk} LIMIT %s",
                            [after, batch] if after is not None else [batch])
                rows = cur.fetchall()
            if not rows:
                break
            n += sum(1 for row in rows if _new_values(t, row))
            after = rows[-1][0]
        if n:
            out[t.label] = n
    return out
