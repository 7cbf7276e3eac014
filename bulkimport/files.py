"""Files out: the template to fill in and the (masked) error report of a job."""

from __future__ import annotations

import io

from core.masking import mask_value

from .importer import Importer
from .parsers import cell_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def column_rule(col) -> str:
    """What a column accepts, in Chinese: the template's header comment and the result page's
    filling instructions."""
    parser = col.parser
    parts = ["必填" if col.required else "选填"]
    if col.help:
        parts.append(col.help)
    rule = getattr(parser, "rule", "")
    if rule and rule not in col.help:
        parts.append(rule)
    if col.example not in ("", None):
        parts.append(f"示例：{cell_text(col.example)}")
    return "。".join(p.rstrip("。") for p in parts) + "。"


def column_options(col) -> list[str]:
    return list(getattr(col.parser, "options", None) or [])


# Data validation covers this many rows under the header (the import's own row limit is higher;
# rows beyond are still checked on upload).
TEMPLATE_VALIDATED_ROWS = 5000


def template_xlsx(importer_cls: type[Importer]) -> bytes:
    """The file to fill in: headers (required ones red) with a comment each saying what the column
    accepts, one valid example row, drop-down lists for every choice column and a length check
    for bounded text, frozen header row."""
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(importer_cls.sheet_name or importer_cls.label or "Sheet1")
    lists = None  # a hidden sheet for drop-down lists too long to write inline (Excel: 255 characters)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"})
    text_fmt = wb.add_format({"num_format": "@"})
    last = TEMPLATE_VALIDATED_ROWS
    for i, col in enumerate(importer_cls.columns):
        ws.write_string(0, i, col.header, req if col.required else head)
        ws.write_comment(0, i, column_rule(col), {"x_scale": 2.4, "y_scale": 1.6})
        ws.set_column(i, i, col.width, text_fmt)
        if col.example not in ("", None):
            ws.write_string(1, i, cell_text(col.example), text_fmt)
        options = column_options(col)
        if options:
            source: object = options
            if len(",".join(options)) > 250 and importer_cls.sheet_name:
                if lists is None:
                    lists = wb.add_worksheet("可选值")
                    lists.hide()
                for r, option in enumerate(options):
                    lists.write_string(r, i, option)
                letter = xl_col_to_name(i)
                source = f"='可选值'!${letter}$1:${letter}${len(options)}"
            ws.data_validation(1, i, last, i, {
                "validate": "list", "source": source, "ignore_blank": True,
                "input_title": col.header[:32], "input_message": "请从下拉列表选择"[:255],
                "error_title": "不是可选的值", "error_message": f"{col.header}应为：{'、'.join(options)}"[:255],
            })
        elif getattr(col.parser, "max_length", None):
            n = col.parser.max_length
            ws.data_validation(1, i, last, i, {
                "validate": "length", "criteria": "<=", "value": n, "ignore_blank": True,
                "error_title": "内容过长", "error_message": f"{col.header}最多 {n} 个字"[:255],
            })
    ws.freeze_panes(1, 0)
    ws.activate()
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
