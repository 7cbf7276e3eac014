"""Files out: the template to fill in and the (masked) error report of a job."""

from __future__ import annotations

import io

from core.masking import mask_value

from .importer import Importer
from .parsers import cell_text

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


def bad_rows_xlsx(importer_cls: type[Importer], sheet_name: str, rows) -> bytes:
    """The error report of a job: its bad rows (``ImportRow``s) with the row number of the upload and a
    reason column. Personal columns (those with a ``mask``: names, ID and mobile numbers) are masked:
    the report is kept after the workbook is deleted, so the user corrects those cells in their own
    file (the row number says where) and fixes the rest in the report itself."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet_name or "Sheet1")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    red = wb.add_format({"font_color": "#C00000"})
    cols = importer_cls.columns
    ws.write_string(0, 0, "原行号", head)
    for i, col in enumerate(cols, 1):
        ws.write_string(0, i, col.header + ("（已遮蔽）" if col.mask else ""), head)
        ws.set_column(i, i, col.width)
    ws.write_string(0, len(cols) + 1, "错误原因（重新导入前删除此列和原行号列）", head)
    ws.set_column(len(cols) + 1, len(cols) + 1, 50)
    for out, row in enumerate(rows, 1):
        ws.write_number(out, 0, row.number)
        for i, col in enumerate(cols, 1):
            shown = cell_text(row.raw.get(col.key))
            if col.mask and shown:
                shown = mask_value(col.mask, shown)
            ws.write_string(out, i, shown)
        reasons = [f"{e['column']}：{e['reason']}" for e in row.errors]
        ws.write_string(out, len(cols) + 1, "；".join(reasons), red)
    wb.close()
    return buf.getvalue()
