"""Declaring an importer (columns, hooks) and checking and saving its rows."""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.inputguard import field_problem
from core.masking import mask_value

from .bulk import RowStream, bulk_insert, iter_chunks
from .parsers import _TODAY, cell_text, text

if TYPE_CHECKING:
    from .reading import SheetData

IMPORTERS: dict[str, type] = {}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header in row 1 of the sheet
    required: bool = False
    parser: Callable[[Any], Any] | None = None  # default: text()
    mask: str | None = None  # core.masking kind for error reports ("id_number", "mobile", "name", "text")
    help: str = ""  # shown as a comment on the template's header cell
    example: Any = ""  # the template's sample row
    aliases: tuple[str, ...] = ()  # other accepted header spellings
    width: int = 14
    # Remember each distinct text cell's parsed value (parsers marked ``cacheable``: pure functions of
    # the cell): columns such as community, grid or kind repeat a handful of values over the whole
    # file. A column turns out to have too many distinct values (names) and stops caching by itself.
    cache: bool | None = None  # None: whether the parser is marked cacheable


class FileProblem(Exception):
    """The file as a whole cannot be imported (a Chinese message for the user)."""


@dataclass
class ImportRow:
    number: int  # 1-based row number in the sheet, as Excel shows it
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    importer: Importer | None = field(default=None, repr=False)
    pk: Any = None  # streaming importers: the primary key the row was written with

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, key: str, message: str) -> None:
        column = self.importer.column_by_key.get(key) if self.importer else None
        raw = self.raw.get(key)
        shown = cell_text(raw)
        if column is not None and column.mask and shown:
            shown = mask_value(column.mask, shown)
        elif len(shown) > 60:
            shown = shown[:60] + "…"
        self.errors.append({
            "row": self.number,
            "column": column.header if column else (key or "整行"),
            "value": shown,
            "reason": message,
        })


def _messages_by_key(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, msg) for key, errs in exc.message_dict.items() for msg in errs]
    return [("", msg) for msg in exc.messages]


class Importer:
    """Subclass per kind of record. See the module docstring."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    perm: ClassVar[str] = ""
    sheet_name: ClassVar[str | None] = None
    columns: ClassVar[list[Column]] = []
    unique_columns: ClassVar[list[str]] = []
    model: ClassVar[Any] = None
    batch_size: ClassVar[int] = 2000
    # Streaming importers (see import_sheet) check the database only in prepare(): their
    # check_rows() runs per chunk while rows are being written and must not query.
    streaming: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 2000
    # Whether finish() needs each written row's primary key (row.pk); if not, PostgreSQL numbers
    # the rows itself as they arrive (no keys drawn beforehand).
    needs_pks: ClassVar[bool] = True
    # Whether the rows' values of encrypted fields are already normalized (their columns use the
    # id_number/mobile parsers): the stream then encrypts them as they are.
    values_normalized: ClassVar[bool] = False
    template_name: ClassVar[str] = ""  # download file name (without .xlsx); default: label + 导入模板
    intro: ClassVar[str] = ""  # an extra line of instructions on the upload page
    done_message: ClassVar[str] = "已导入 {n} 条。"
    # Two steps: the upload is checked and its changes shown (preview()) before anything is saved;
    # the user confirms, then the job runs. Files of at most IMPORT_SYNC_ROWS rows.
    previews: ClassVar[bool] = False
    do_not_call_in_templates: ClassVar[bool] = True  # templates receive the class itself

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            IMPORTERS[cls.kind] = cls  # declaring an importer registers it (see register_importer)

    def __init__(self, *, actor, job=None):
        self.actor = actor
        self.job = job
        self.column_by_key = {c.key: c for c in self.columns}

    # -- hooks ---------------------------------------------------------------

    def preview(self, rows: list[ImportRow]) -> list[dict]:
        """Importers with ``previews``: what saving the good ``rows`` would change, one dict per
        changed record: {"row", "title", "url", "fields": [{"label", "old", "new"}] (values as shown,
        personal data masked), "key": text that changes whenever an unmasked value does (hashed
        into the confirmation, never shown)}."""
        return []

    @classmethod
    def fix_link(cls, error: dict) -> tuple[str, str] | None:
        """(label, url) of the page where the user fixes this error of the report, when the fix is
        not in the file (e.g. a person already registered: update them instead); None: the column's
        filling instructions on the result page."""
        return None

    def prepare(self, rows: list[ImportRow]) -> None:
        """Prefetch what validation needs (called once, before any row is checked)."""

    def clean_row(self, row: ImportRow) -> None:
        """Row-level checks after every cell parsed; raise ValidationError({key: msg}) or add errors."""

    def check_rows(self, rows: list[ImportRow]) -> None:
        """Checks across rows and against the database on rows that are good so far."""

    def build(self, row: ImportRow) -> Any:
        return self.model(**row.values)

    def save_rows(self, rows: list[ImportRow]) -> int:
        """Save the good rows (already inside a transaction). Returns how many records were created."""
        objs = [self.build(r) for r in rows]
        bulk_insert(self.model, objs, batch_size=self.batch_size)
        return len(objs)

    def write_chunk(self, rows: list[ImportRow], stream: RowStream) -> None:
        """Streaming importers: write one chunk of good rows (default: ``row.values`` into ``model``)."""
        for row in rows:
            row.pk = stream.write(row.values)

    def finish(self, rows: list[ImportRow]) -> int:
        """Streaming importers: after the stream is closed (queries allowed again), write what depends
        on every row (other tables) and return how many records were created."""
        return len(rows)

    def after_save(self, count: int) -> None:
        """Called inside the transaction after saving (e.g. for extra audit entries)."""

    # -- machinery -------------------------------------------------------------

    @classmethod
    def template_filename(cls) -> str:
        return (cls.template_name or f"{cls.label}导入模板") + ".xlsx"

    def validate(self, sheet: SheetData, progress: Callable[[int], None] | None = None) -> list[ImportRow]:
        """Check every row (no saving). The two-step path of importers that do not stream."""
        token = _TODAY.set(timezone.localdate())
        try:
            rows = self._rows(sheet)
            self.prepare(rows)
            checker = _RowChecker(self)
            step = max(1000, len(rows) // 50)
            for start in range(0, len(rows), step):
                checker.cells_and_row(rows[start:start + step])
                if progress:
                    progress(min(len(rows), start + step))
            for row in rows:
                checker.unique(row)
            self.check_rows([r for r in rows if r.ok])
            return rows
        finally:
            _TODAY.reset(token)

    def _rows(self, sheet: SheetData) -> list[ImportRow]:
        return [ImportRow(number=n, raw=raw, importer=self) for n, raw in sheet.rows]

    # -- one call: validate and save ---------------------------------------------

    def import_sheet(self, sheet: SheetData, *, good_rows_only: bool = False,
                     progress: Callable[[int], None] | None = None,
                     on_saved: Callable[[int, list[ImportRow]], None] | None = None,
                     on_saving: Callable[[], None] | None = None) -> ImportOutcome:
        """Validate every row and save: all or nothing, or (``good_rows_only``) the good rows.

        ``on_saving()`` is called once every row is checked and the rest of the saving begins (what
        depends on all rows, the commit); ``on_saved(created, rows)`` runs inside the saving
        transaction (audit, job bookkeeping).
        A streaming importer (``streaming = True``) on PostgreSQL writes each chunk of good rows
        into an open COPY while the next chunk is validated, so the database ingests while Python
        checks; a bad row in all-or-nothing mode stops the writing (validation goes on, so every
        bad row is reported) and the transaction is rolled back. Elsewhere (SQLite) every row is
        validated first, then the good ones are written in one transaction.

        While rows are interleaved (see :meth:`interleaves`) the COPY holds the connection, so
        ``progress`` must not query through Django's default connection then (``run_import`` gives
        it a connection of its own); ``on_saved`` always runs after the COPY is closed.
        """
        with _gc_paused():
            return self._import_sheet(sheet, good_rows_only, progress, on_saved, on_saving or (lambda: None))

    def _import_sheet(self, sheet, good_rows_only, progress, on_saved, on_saving) -> ImportOutcome:
        if not self.streaming:
            rows = self.validate(sheet, progress)
            bad = [r for r in rows if not r.ok]
            if bad and not good_rows_only:
                return ImportOutcome(rows=rows, created=0, saved=False)
            good = [r for r in rows if r.ok]
            on_saving()
            with transaction.atomic():
                created = self.save_rows(good) if good else 0
                self.after_save(created)
                if on_saved:
                    on_saved(created, rows)
            return ImportOutcome(rows=rows, created=created, saved=True)
        token = _TODAY.set(timezone.localdate())
        try:
            return self._import_streaming(sheet, good_rows_only, progress, on_saved, on_saving)
        finally:
            _TODAY.reset(token)

    def interleaves(self, count: int) -> bool:
        """Whether import_sheet validates ``count`` rows while writing them (PostgreSQL, more than
        one chunk): the caller's progress callback must then use a connection of its own."""
        from django.db import connections

        return self.streaming and connections["default"].vendor == "postgresql" and count > self.chunk_size

    def _import_streaming(self, sheet, good_rows_only, progress, on_saved, on_saving) -> ImportOutcome:
        rows = self._rows(sheet)
        self.prepare(rows)
        checker = _RowChecker(self)
        chunks = list(iter_chunks(rows, self.chunk_size))
        interleave = self.interleaves(len(rows))

        def check(chunk: list[ImportRow]) -> bool:
            """Validate one chunk in file order; True if all its rows are good."""
            checker.cells_and_row(chunk)
            for row in chunk:
                checker.unique(row)
            self.check_rows([r for r in chunk if r.ok])
            return all(r.ok for r in chunk)

        all_good = True
        if not interleave:
            for index, chunk in enumerate(chunks):
                all_good = check(chunk) and all_good
                if progress:
                    progress(min(len(rows), (index + 1) * self.chunk_size))
            if not all_good and not good_rows_only:
                return ImportOutcome(rows=rows, created=0, saved=False)
        with transaction.atomic():
            written: list[ImportRow] = []
            with RowStream(self.model, count=len(rows) if self.needs_pks else None,
                           batch_size=self.batch_size, normalized=self.values_normalized) as stream:
                for index, chunk in enumerate(chunks):
                    if interleave:
                        all_good = check(chunk) and all_good
                        if progress:
                            progress(min(len(rows), (index + 1) * self.chunk_size))
                    if not all_good and not good_rows_only:
                        continue  # nothing will be kept: only go on validating
                    good = [r for r in chunk if r.ok]
                    if good:
                        self.write_chunk(good, stream)
                        written.extend(good)
            if not all_good and not good_rows_only:
                transaction.set_rollback(True)
                return ImportOutcome(rows=rows, created=0, saved=False)
            on_saving()
            created = self.finish(written) if written else 0
            self.after_save(created)
            if on_saved:
                on_saved(created, rows)
        return ImportOutcome(rows=rows, created=created, saved=True)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while an import builds its rows: they are all alive until it
    ends, yet every few hundred allocations the collector would walk them again (a fifth of the
    time of a 50,000-row import). Reference counting still frees everything else at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class ImportOutcome:
    rows: list[ImportRow]
    created: int
    saved: bool  # False: all-or-nothing with bad rows, nothing written

    @property
    def bad(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]


_MISSING = object()


def _numeric_fields(importer: Importer) -> dict[str, Any]:
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    model = importer.model
    if model is None:
        return {}
    found = {}
    for c in importer.columns:
        try:
            f = model._meta.get_field(c.key)
        except FieldDoesNotExist:
            continue
        if isinstance(f, (models.IntegerField, models.DecimalField)) and not f.is_relation:
            found[c.key] = f
    return found


class _RowChecker:
    """The per-row part of validation, shared by the two-step and the streaming paths."""

    CACHE_LIMIT = 4096  # distinct values a column may have and still be cached

    def __init__(self, importer: Importer):
        self.importer = importer
        self.parsers = []
        for c in importer.columns:
            parse = c.parser or text()
            cached = c.cache if c.cache is not None else getattr(parse, "cacheable", False)
            self.parsers.append((c.key, c.required, parse, getattr(importer, f"clean_{c.key}", None),
                                 {} if cached else None))
        self.seen: dict[str, dict[Any, int]] = {key: {} for key in importer.unique_columns}
        # Numbers bound for a numeric column of the importer's model: checked against the column
        # (core.inputguard), so 10¹² is a bad cell, not a database error at the commit.
        self.numeric = _numeric_fields(importer)

    def cells_and_row(self, rows: list[ImportRow]) -> None:
        limit = self.CACHE_LIMIT
        if any(p[4] is not None and len(p[4]) > limit for p in self.parsers):  # a column of mostly distinct values
            self.parsers = [(*p[:4], None) if p[4] is not None and len(p[4]) > limit else p for p in self.parsers]
        parsers = self.parsers
        numeric = self.numeric
        clean_row = self.importer.clean_row
        miss = _MISSING
        for row in rows:
            raw_cells = row.raw
            values = row.values
            for key, required, parse, clean_cell, cache in parsers:
                raw = raw_cells.get(key)
                if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
                    if required:
                        row.add_error(key, "必填项，不能为空")
                    else:
                        values[key] = None
                    continue
                try:
                    if cache is not None and raw.__class__ is str:
                        value = cache.get(raw, miss)
                        if value is miss:
                            value = cache[raw] = parse(raw)
                    else:
                        value = parse(raw)
                    values[key] = clean_cell(value) if clean_cell else value
                    if numeric and key in numeric:
                        problem = field_problem(numeric[key], values[key])
                        if problem:
                            row.add_error(key, problem)
                except ValidationError as exc:
                    row.add_error(key, "；".join(exc.messages))
            if not row.errors:
                try:
                    clean_row(row)
                except ValidationError as exc:
                    for key, msg in _messages_by_key(exc):
                        row.add_error(key, msg)

    def unique(self, row: ImportRow) -> None:
        """Duplicates inside the file: the first occurrence wins, later ones are reported."""
        for key, seen in self.seen.items():
            value = row.values.get(key)
            if value in (None, ""):
                continue
            first = seen.get(value)
            if first is not None:
                row.add_error(key, f"与第 {first} 行重复")
            else:
                seen[value] = row.number


def register_importer(cls: type[Importer]) -> type[Importer]:
    if not cls.kind:
        raise ValueError("Importer.kind must be set")
    IMPORTERS[cls.kind] = cls
    return cls


def get_importer(kind: str) -> type[Importer]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise LookupError(f"No importer registered for {kind!r}") from None
