"""Reading the workbook: the upload checked as a whole, then its rows keyed by column."""

from __future__ import annotations

import io
import operator
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from .importer import Column, FileProblem, Importer, _gc_paused
from .parsers import _setting, cell_text


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
