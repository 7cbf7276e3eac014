"""Excel (.xlsx) bulk import shared by every app: declare an importer, get upload, validation,
result pages, bad-row export, background processing and a template download.

An app declares::

    class MemberImporter(Importer):
        kind = "members.member"                 # unique key, also in ImportJob.kind
        label = "党员"
        perm = "members.import"
        sheet_name = "党员"                     # None: the first sheet
        columns = [
            Column("name", "姓名", required=True, parser=text(50), mask="name"),
            Column("id_number", "身份证号", required=True, parser=id_number, mask="id_number"),
        ]
        unique_columns = ["id_number"]          # duplicates inside the file are reported

        def prepare(self, rows): ...            # prefetch lookups (optional)
        def clean_org(self, value): ...         # per-cell check needing the importer's state (optional)
        def clean_row(self, row): ...           # row-level checks: raise ValidationError({key: msg})
        def check_rows(self, rows): ...         # cross-row / database checks: row.add_error(key, msg)
        def build(self, row): return Member(**row.values)   # or override save_rows()

and mounts the pages in its urls.py: ``urlpatterns += import_urls(MemberImporter)``.

Flow: the upload is checked (size, zip container, sheet, headers, merged header cells,
formulas, row limit) while the user waits; small files are validated and saved in the request,
bigger ones (over ``IMPORT_SYNC_ROWS`` rows) by the ``run_import_job`` background task while the
result page polls its progress with htmx. Saving is all-or-nothing inside one transaction
(``bulk_create`` in batches) unless the user chose to import only the good rows; then the bad
rows can be downloaded as .xlsx (re-read from the stored upload, so no personal value is kept
in the error report, which holds masked values only).
"""

from __future__ import annotations

import gc
import io
import operator
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django_tasks import task

from core.masking import mask_value

__all__ = [
    "Column",
    "FileProblem",
    "ImportRow",
    "Importer",
    "SheetData",
    "choice",
    "date_value",
    "decimal_value",
    "get_importer",
    "id_number",
    "import_urls",
    "bulk_insert",
    "ImportOutcome",
    "RowStream",
    "allocate_ids",
    "existing_values",
    "file_hashes",
    "insert_rows",
    "integer",
    "mobile",
    "read_sheet",
    "register_importer",
    "run_import",
    "text",
]

IMPORTERS: dict[str, type] = {}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# "Today" is read once per validation run, not once per cell (timezone lookups are not free).
_TODAY: ContextVar[date | None] = ContextVar("import_today", default=None)


def today() -> date:
    return _TODAY.get() or timezone.localdate()


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --------------------------------------------------------------------------
# Cell parsers: raw cell -> value, or raise ValidationError with a Chinese reason
# --------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: integral floats lose their ".0", dates become ISO strings."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int | None = None, *, min_length: int = 0) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        s = value.strip() if value.__class__ is str else cell_text(value)
        if max_length is not None and len(s) > max_length:
            raise ValidationError(f"内容过长：最多 {max_length} 个字，实际 {len(s)} 个字")
        if len(s) < min_length:
            raise ValidationError(f"内容过短：至少 {min_length} 个字")
        return s

    parse.cacheable = True
    return parse


def choice(mapping: dict[str, Any], *, label: str = "") -> Callable[[Any], Any]:
    """Accept one of the keys of ``mapping`` (Chinese labels) and return its value."""
    allowed = "、".join(mapping)

    def parse(value: Any) -> Any:
        try:
            return mapping[value]  # the common case: the exact label as typed in the template
        except (KeyError, TypeError):
            pass
        s = cell_text(value)
        if s in mapping:
            return mapping[s]
        raise ValidationError(f"不是可选的值，应为：{allowed}")

    parse.cacheable = True
    return parse


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date_value(*, allow_future: bool = False) -> Callable[[Any], date]:
    def parse(value: Any) -> date:
        if isinstance(value, datetime):
            d = value.date()
        elif isinstance(value, date):
            d = value
        else:
            s = cell_text(value)
            try:  # ISO 2020-01-31, the template's format, first
                d = date.fromisoformat(s) if len(s) == 10 and s[4] == "-" and s[7] == "-" else None
            except ValueError:
                d = None
            if d is None:
                m = _DATE_RE.match(s) or _DATE8_RE.match(s)
                if not m:
                    raise ValidationError("日期格式不正确，应为 2020-01-31 或 2020年1月31日")
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    raise ValidationError("不是真实存在的日期") from None
        if d.year < 1900:
            raise ValidationError("日期不能早于 1900 年")
        if not allow_future and d > today():
            raise ValidationError("日期不能晚于今天")
        return d

    parse.cacheable = True  # "today" is fixed for the length of one import
    return parse


def integer(*, min_value: int | None = None, max_value: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            n = int(value)
        else:
            try:
                n = int(cell_text(value))
            except ValueError:
                raise ValidationError("应为整数") from None
        if min_value is not None and n < min_value:
            raise ValidationError(f"不能小于 {min_value}")
        if max_value is not None and n > max_value:
            raise ValidationError(f"不能大于 {max_value}")
        return n

    parse.cacheable = True
    return parse


def decimal_value(*, min_value: Decimal | None = None, places: int = 2) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        try:
            d = Decimal(cell_text(value).replace(",", "")) if not isinstance(value, float) else Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("应为数字") from None
        if min_value is not None and d < min_value:
            raise ValidationError(f"不能小于 {min_value}")
        return d.quantize(Decimal(1).scaleb(-places))

    parse.cacheable = True
    return parse


def id_number(value: Any) -> str:
    """A resident ID number (GB 11643): returns the normalized number."""
    from core.idnumber import parse_id_number

    if isinstance(value, float):
        raise ValidationError("身份证号被 Excel 存成了数字（末几位会丢失），请把该列设为文本格式后重新填写")
    return parse_id_number(cell_text(value), today=today()).number


def mobile(value: Any) -> str:
    from core.phone import normalize_mobile, validate_mobile

    s = cell_text(value)
    validate_mobile(s)
    return normalize_mobile(s)


# --------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------


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

    def cells_and_row(self, rows: list[ImportRow]) -> None:
        limit = self.CACHE_LIMIT
        if any(p[4] is not None and len(p[4]) > limit for p in self.parsers):  # a column of mostly distinct values
            self.parsers = [(*p[:4], None) if p[4] is not None and len(p[4]) > limit else p for p in self.parsers]
        parsers = self.parsers
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


# --------------------------------------------------------------------------
# Reading the workbook
# --------------------------------------------------------------------------


@dataclass
class SheetData:
    sheet_name: str
    rows: list[tuple[int, dict[str, Any]]]  # (row number, {column key: raw cell})
    ignored_headers: list[str]


_FORMULA_RE = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?>\s*<(?:\w+:)?f[\s>/]')
_HAS_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formula(xml: bytes) -> bool:
    """Whether a worksheet part holds a formula cell (``<f>``, ``<f t="shared" …/>``, ``<x:f>``).

    ``find`` passes at memchr speed (tens of ms for a 50 MB sheet) instead of a regex scan; the
    character after ``<f`` tells a formula from ``<filterColumn>``, and the regex runs only when
    namespace-prefixed markup may hide one."""
    if b":f" in xml and _HAS_FORMULA_RE.search(xml):  # namespace-prefixed markup (rare)
        return True
    start = xml.find(b"<f")
    while start != -1:
        if xml[start + 2:start + 3] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            return True
        start = xml.find(b"<f", start + 2)
    return False


def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\u3000*＊]+", "", cell_text(h)).replace("（", "(").replace("）", ")")


def _sheet_xml_path(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The worksheet part of a named sheet (via workbook.xml and its relationships)."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return None
    import html

    rid = None
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", wb):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m[1]))
        if html.unescape(attrs.get("name", "")) == sheet_name:
            rid = attrs.get("r:id") or next((v for k, v in attrs.items() if k.endswith(":id")), None)
            break
    if not rid:
        return None
    for m in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m[1]))
        if attrs.get("Id") == rid:
            target = attrs.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def read_sheet(importer_cls: type[Importer], data: bytes, *, filename: str = "") -> SheetData:
    """Check the file and return its rows keyed by column; raise FileProblem with a Chinese message."""
    with _gc_paused():
        return _read_sheet(importer_cls, data, filename=filename)


def _read_sheet(importer_cls: type[Importer], data: bytes, *, filename: str = "") -> SheetData:
    from python_calamine import CalamineError, CalamineWorkbook

    max_bytes = _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    max_rows = _setting("IMPORT_MAX_ROWS", 100_000)
    if filename and not filename.lower().endswith(".xlsx"):
        if filename.lower().endswith((".xls", ".et", ".csv", ".wps")):
            raise FileProblem("只支持 .xlsx 格式：请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后再上传")
        raise FileProblem("文件不是 .xlsx 格式，请下载模板填写后上传")
    if not data:
        raise FileProblem("文件是空的（0 字节）")
    if len(data) > max_bytes:
        raise FileProblem(f"文件过大：{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB，请分批导入")
    if not data.startswith(b"PK\x03\x04"):
        raise FileProblem("文件内容不是 .xlsx 工作簿（可能是改了扩展名的其他文件），请下载模板填写后上传")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem("文件已损坏，无法作为 .xlsx 打开") from None
    if sum(i.file_size for i in infos) > max_bytes * 12:
        raise FileProblem("文件解压后过大，疑似异常文件，已拒绝")
    if "xl/workbook.xml" not in zf.namelist():
        raise FileProblem("文件不是 Excel 工作簿（缺少工作簿内容），请下载模板填写后上传")
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, Exception):  # calamine raises several error types for broken files
        raise FileProblem("文件已损坏，无法作为 .xlsx 打开") from None
    names = wb.sheet_names
    if not names:
        raise FileProblem("工作簿中没有工作表")
    wanted = importer_cls.sheet_name
    if wanted and wanted in names:
        sheet_name = wanted
    elif wanted and len(names) > 1:
        raise FileProblem(f"找不到名为“{wanted}”的工作表（现有：{'、'.join(names)}），请使用模板")
    else:
        sheet_name = names[0]
    try:
        sheet = wb.get_sheet_by_name(sheet_name)
        merged = sheet.merged_cell_ranges or []
        table = sheet.to_python(skip_empty_area=False)
    except Exception:
        raise FileProblem("无法读取工作表内容，文件可能已损坏") from None

    # Headers must be in row 1 (as in the template); a title row above them is refused.
    if not table or not any(cell_text(c) for c in table[0]):
        raise FileProblem("工作表是空的，第 1 行应为表头（请使用模板）")
    for (r0, _c0), (r1, _c1) in merged:
        if r0 == 0 or r1 == 0:
            raise FileProblem("表头（第 1 行）含有合并单元格，请取消合并，每列一个表头（请使用模板）")
    headers = [_norm_header(h) for h in table[0]]
    wanted_cols: dict[str, int] = {}
    by_header: dict[str, Column] = {}
    for col in importer_cls.columns:
        for h in (col.header, *col.aliases):
            by_header[_norm_header(h)] = col
    dupes = sorted({h for h in headers if h and headers.count(h) > 1})
    if dupes:
        raise FileProblem(f"表头重复：{'、'.join(dupes)}")
    ignored = []
    for index, h in enumerate(headers):
        if not h:
            continue
        col = by_header.get(h)
        if col is None:
            ignored.append(h)
        else:
            wanted_cols[col.key] = index
    missing = [c.header for c in importer_cls.columns if c.required and c.key not in wanted_cols]
    if missing:
        hint = f"；无法识别的表头：{'、'.join(ignored)}" if ignored else ""
        raise FileProblem(f"缺少必填列：{'、'.join(missing)}{hint}（表头须与模板一致）")

    # Formulas: calamine gives cached values (often empty); refuse them with their cell references.
    part = _sheet_xml_path(zf, sheet_name)
    if part and part in zf.namelist():
        xml = zf.read(part)
        if _has_formula(xml):
            refs = [m.decode() for m in _FORMULA_RE.findall(xml)[:5]]
            where = "、".join(refs) if refs else "部分单元格"
            raise FileProblem(f"表格含有公式（{where}），请复制后“选择性粘贴为数值”再上传")

    rows: list[tuple[int, dict[str, Any]]] = []
    keys = list(wanted_cols)
    width = max(wanted_cols.values()) + 1
    pick = operator.itemgetter(*wanted_cols.values())
    if len(keys) == 1:
        pick = (lambda get: lambda line: (get(line),))(pick)
    for r_index, line in enumerate(table[1:], start=2):
        n = len(line)
        if line.count("") + line.count(None) == n or not any(
                c.__class__ is not str or not c.isspace() for c in line if c not in ("", None)):
            continue  # an empty row (blank or whitespace-only cells)
        if n < width:
            line = [*line, *([None] * (width - n))]
        rows.append((r_index, dict(zip(keys, pick(line), strict=True))))
        if len(rows) > max_rows:
            raise FileProblem(f"行数过多：超过 {max_rows} 行，请分批导入")
    if not rows:
        raise FileProblem("表格没有数据行：第 1 行为表头，数据从第 2 行开始")
    return SheetData(sheet_name=sheet_name, rows=rows, ignored_headers=ignored)


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Running a job
# --------------------------------------------------------------------------


def _job_update(job, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    type(job).objects.filter(pk=job.pk).update(**fields)


class _SideProgress:
    """Progress updates of a job written on a connection of their own, from a worker thread, for
    while the job's own connection is inside a COPY. At most one update is in flight; extra ones
    are dropped (the next one carries a higher count anyway)."""

    def __init__(self, job):
        from concurrent.futures import ThreadPoolExecutor

        self.table = job._meta.db_table
        self.job_pk = job.pk
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-progress")
        self.pending = None
        self.conn = None

    def _update(self, n: int) -> None:
        self._update_sql(f'UPDATE "{self.table}" SET processed_rows = %s WHERE id = %s', [n, self.job_pk])

    def _update_sql(self, sql: str, params: list[Any]) -> None:
        from django.db import connections

        if self.conn is None:  # a private connection, outside Django's per-thread handler
            self.conn = connections.create_connection("default")
            self.conn.set_autocommit(True)
        with self.conn.cursor() as cur:
            cur.execute(sql, params)

    def __call__(self, n: int) -> None:
        if self.pending is None or self.pending.done():
            self.pending = self.pool.submit(self._update, n)

    def status(self, status: str) -> None:
        """A new status (never dropped: it follows the updates already queued)."""
        self.pending = self.pool.submit(self._status, status)

    def _status(self, status: str) -> None:
        self._update_sql(f'UPDATE "{self.table}" SET status = %s WHERE id = %s', [status, self.job_pk])

    def close(self) -> None:
        def _close() -> None:
            if self.conn is not None:
                self.conn.close()

        try:
            self.pool.submit(_close).result()
        finally:
            self.pool.shutdown(wait=True)


def run_import(job) -> None:
    """Validate and (if allowed) save one ImportJob. Never raises for bad data; records the outcome."""
    from audit.models import AuditAction
    from audit.services import record

    from .models import ImportJob, ImportMode, ImportStatus

    importer_cls = get_importer(job.kind)
    importer = importer_cls(actor=job.created_by, job=job)
    _job_update(job, status=ImportStatus.RUNNING, started_at=timezone.now())
    started = time.perf_counter()
    side = None
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        sheet = read_sheet(importer_cls, data, filename=job.original_name)
        _job_update(job, total_rows=len(sheet.rows))
        if importer.interleaves(len(sheet.rows)):
            side = progress = _SideProgress(job)
        else:
            def progress(n: int) -> None:
                _job_update(job, processed_rows=n)

        def on_saved(created: int, rows: list[ImportRow]) -> None:
            bad = [r for r in rows if not r.ok]
            ImportJob.objects.filter(pk=job.pk).update(created_rows=created)
            record(actor=job.created_by, action=AuditAction.IMPORT, obj=job,
                   changes={"kind": job.kind, "created": created, "bad_rows": len(bad),
                            "mode": job.mode, "file": job.original_name})

        def on_saving() -> None:  # every row checked: the rest of the saving (and the commit) begins
            if side is not None:
                side.status(ImportStatus.SAVING)
            else:
                _job_update(job, status=ImportStatus.SAVING)

        outcome = importer.import_sheet(sheet, good_rows_only=job.mode != ImportMode.ALL_OR_NOTHING,
                                        progress=progress, on_saved=on_saved, on_saving=on_saving)
        if side is not None:
            side.close()
            side = None
        rows, bad = outcome.rows, outcome.bad
        errors = [e for r in bad for e in r.errors]
        _job_update(job, processed_rows=len(rows), error_rows=len(bad), errors=errors[:5000],
                    bad_row_numbers=[r.number for r in bad])
        if not outcome.saved:
            _job_update(job, status=ImportStatus.INVALID, finished_at=timezone.now(),
                        message=f"共 {len(rows)} 行，其中 {len(bad)} 行有错误，未导入任何数据。请修改后重新上传。")
            return
        created = outcome.created
        msg = f"已导入 {created} 条。"
        if bad:
            msg += f"{len(bad)} 行有错误未导入，可下载错误行修改后再导入。"
        _job_update(job, status=ImportStatus.DONE, created_rows=created, finished_at=timezone.now(),
                    message=msg, seconds=round(time.perf_counter() - started, 3))
    except FileProblem as exc:
        _job_update(job, status=ImportStatus.REJECTED, message=str(exc), finished_at=timezone.now())
    except IntegrityError:  # e.g. someone saved the same person while this import ran
        _job_update(job, status=ImportStatus.FAILED, finished_at=timezone.now(),
                    message="保存时发现与系统中已有数据重复（可能有人同时录入了相同的记录），未导入任何数据，请重新上传")
    except ValidationError as exc:  # a service refused while saving: nothing was saved
        _job_update(job, status=ImportStatus.FAILED, message="保存时出错，未导入任何数据：" + "；".join(exc.messages),
                    finished_at=timezone.now())
    except Exception:
        import logging

        logging.getLogger(__name__).exception("import job %s failed", job.pk)
        _job_update(job, status=ImportStatus.FAILED, message="导入时发生内部错误，未导入任何数据，请联系管理员",
                    finished_at=timezone.now())
    finally:
        if side is not None:
            side.close()


@task()
def run_import_job(job_id: int) -> None:
    from .models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=ImportStatus.PENDING).first()
    if job is not None:
        run_import(job)


def start_import(*, actor, importer_cls: type[Importer], upload, mode: str, scope=None):
    """Check the upload now (file problems are answered at once), store it, run or enqueue the job."""
    from .models import ImportJob, ImportStatus

    name = getattr(upload, "name", "") or "upload.xlsx"
    size = getattr(upload, "size", None)
    max_bytes = _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if size is not None and size > max_bytes:
        raise FileProblem(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB，请分批导入")
    data = upload.read()
    sheet = read_sheet(importer_cls, data, filename=name)
    job = ImportJob(kind=importer_cls.kind, created_by=actor, scope=scope, mode=mode, original_name=name[:200],
                    total_rows=len(sheet.rows), status=ImportStatus.PENDING)
    job.file.save(f"{importer_cls.kind}.xlsx", ContentFile(data), save=False)
    job.save()
    if len(sheet.rows) <= _setting("IMPORT_SYNC_ROWS", 3000):
        run_import(job)
    else:
        run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------
# Files out: template and bad rows
# --------------------------------------------------------------------------


def template_xlsx(importer_cls: type[Importer]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(importer_cls.sheet_name or importer_cls.label or "Sheet1")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"})
    text_fmt = wb.add_format({"num_format": "@"})
    for i, col in enumerate(importer_cls.columns):
        ws.write_string(0, i, col.header, req if col.required else head)
        note = ("必填。" if col.required else "选填。") + col.help
        ws.write_comment(0, i, note, {"x_scale": 2})
        ws.set_column(i, i, col.width, text_fmt)
        if col.example not in ("", None):
            ws.write_string(1, i, cell_text(col.example), text_fmt)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def bad_rows_xlsx(job) -> bytes:
    """The bad rows of a job, re-read from the stored upload, with a reason column."""
    import xlsxwriter

    importer_cls = get_importer(job.kind)
    with job.file.open("rb") as fh:
        sheet = read_sheet(importer_cls, fh.read(), filename=job.original_name)
    wanted = set(job.bad_row_numbers or [])
    reasons: dict[int, list[str]] = {}
    for e in job.errors or []:
        reasons.setdefault(e["row"], []).append(f"{e['column']}：{e['reason']}")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet.sheet_name)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    red = wb.add_format({"font_color": "#C00000"})
    cols = importer_cls.columns
    for i, col in enumerate(cols):
        ws.write_string(0, i, col.header, head)
        ws.set_column(i, i, col.width)
    ws.write_string(0, len(cols), "错误原因（重新导入前可删除此列）", head)
    ws.set_column(len(cols), len(cols), 50)
    out = 1
    for number, raw in sheet.rows:
        if number not in wanted:
            continue
        for i, col in enumerate(cols):
            ws.write_string(out, i, cell_text(raw.get(col.key)))
        ws.write_string(out, len(cols), "；".join(reasons.get(number, [])), red)
        out += 1
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Pages (mounted by each app with import_urls)
# --------------------------------------------------------------------------


def _job_for(request, importer_cls, pk):
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=pk, kind=importer_cls.kind).select_related("created_by").first()
    if job is None or (job.created_by_id != request.user.pk and not request.user.is_superuser):
        raise Http404("不存在或不是您发起的导入")
    return job


def _check_perm(request, importer_cls):
    from accounts.scope import has_perm

    if importer_cls.perm and not has_perm(request.user, importer_cls.perm):
        raise PermissionDenied(f"您没有导入{importer_cls.label}的权限")


def import_urls(importer_cls: type[Importer], *, prefix: str = "import/", name: str = "import",
                back_url_name: str = "", extra_context: Callable[[Any], dict] | None = None) -> list:
    """URL patterns for one importer: upload + job list, template, job result, progress, bad rows.

    Names (inside the including app's namespace): ``<name>``, ``<name>_template``,
    ``<name>_job``, ``<name>_progress``, ``<name>_bad_rows``.
    """
    from .models import ImportJob, ImportMode

    def ns(request, suffix=""):
        namespace = request.resolver_match.namespace
        return (f"{namespace}:" if namespace else "") + name + suffix

    @login_required
    def upload(request):
        _check_perm(request, importer_cls)
        problem = ""
        if request.method == "POST":
            upload_file = request.FILES.get("file")
            mode = request.POST.get("mode", ImportMode.ALL_OR_NOTHING)
            if mode not in ImportMode.values:
                mode = ImportMode.ALL_OR_NOTHING
            if upload_file is None:
                problem = "请选择要上传的 .xlsx 文件"
            else:
                try:
                    job = start_import(actor=request.user, importer_cls=importer_cls, upload=upload_file, mode=mode)
                except FileProblem as exc:
                    problem = str(exc)
                else:
                    return redirect(reverse(ns(request, "_job"), args=[job.pk]))
        jobs = ImportJob.objects.filter(kind=importer_cls.kind, created_by=request.user).order_by("-created_at")[:20]
        ctx = {
            "importer": importer_cls, "jobs": jobs, "problem": problem, "modes": ImportMode.choices,
            "template_url": reverse(ns(request, "_template")), "job_url_name": ns(request, "_job"),
            "back_url": reverse(back_url_name) if back_url_name else "",
            "max_mb": _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024) // 1048576,
            "max_rows": _setting("IMPORT_MAX_ROWS", 100_000),
        }
        if extra_context:
            ctx.update(extra_context(request))
        return render(request, "core/import_upload.html", ctx, status=400 if problem else 200)

    @login_required
    def template(request):
        _check_perm(request, importer_cls)
        resp = HttpResponse(template_xlsx(importer_cls), content_type=XLSX_CONTENT_TYPE)
        from urllib.parse import quote

        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(importer_cls.template_filename())}"
        return resp

    def _ctx(request, job):
        return {
            "importer": importer_cls, "job": job,
            "progress_url": reverse(ns(request, "_progress"), args=[job.pk]),
            "bad_rows_url": reverse(ns(request, "_bad_rows"), args=[job.pk]),
            "upload_url": reverse(ns(request)),
            "back_url": reverse(back_url_name) if back_url_name else "",
        }

    @login_required
    def job_detail(request, pk):
        job = _job_for(request, importer_cls, pk)
        return render(request, "core/import_job.html", _ctx(request, job))

    @login_required
    def job_progress(request, pk):
        job = _job_for(request, importer_cls, pk)
        resp = render(request, "core/import_progress.html", _ctx(request, job))
        if job.is_finished:
            resp["HX-Refresh"] = "true"  # show the full result page once done
        return resp

    @login_required
    def bad_rows(request, pk):
        from urllib.parse import quote

        from audit.models import AuditAction
        from audit.services import record

        job = _job_for(request, importer_cls, pk)
        if not job.bad_row_numbers:
            raise Http404("没有错误行")
        try:
            data = bad_rows_xlsx(job)
        except FileProblem:
            raise Http404("原文件已不可读") from None
        with transaction.atomic():
            record(actor=request.user, action=AuditAction.EXPORT, obj=job,
                   changes={"bad_rows": len(job.bad_row_numbers)}, purpose="下载导入错误行以便修改")
        resp = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        fname = f"{importer_cls.label}导入错误行-{job.pk}.xlsx"
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(fname)}"
        return resp

    return [
        path(prefix, upload, name=name),
        path(f"{prefix}template/", template, name=f"{name}_template"),
        path(f"{prefix}jobs/<int:pk>/", job_detail, name=f"{name}_job"),
        path(f"{prefix}jobs/<int:pk>/progress/", job_progress, name=f"{name}_progress"),
        path(f"{prefix}jobs/<int:pk>/bad-rows.xlsx", bad_rows, name=f"{name}_bad_rows"),
    ]


# --------------------------------------------------------------------------
# Fast inserts
# --------------------------------------------------------------------------

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
