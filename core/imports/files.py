"""Files out: the template to fill in and the bad rows of a job."""

from __future__ import annotations

import io

from .importer import Importer, get_importer
from .parsers import cell_text
from .reading import read_sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
