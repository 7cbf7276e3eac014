"""The care ledgers as workbooks (.xlsx): 送学上门, 节假日慰问, 党员互助金 and 流动党员结对联系 — the
tables a community keeps in its files."""

from __future__ import annotations

import io

from django.utils import timezone

from .models import CareKind


def _book(title: str, header: list[str], rows: list[list], widths: list[int], total: list | None = None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "text_wrap": True})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00", "valign": "top"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("台账")
    ws.merge_range(0, 0, 0, len(header) - 1, title, title_fmt)
    ws.write_string(1, 0, f"制表日期：{timezone.localdate():%Y-%m-%d}")
    for j, (h, w) in enumerate(zip(header, widths, strict=True)):
        ws.write_string(2, j, h, head)
        ws.set_column(j, j, w)
    for i, line in enumerate(rows + ([total] if total else []), 3):
        for j, v in enumerate(line):
            if v is None:
                ws.write_blank(i, j, None, cell)
            elif isinstance(v, (int, float)) or hasattr(v, "as_tuple"):
                ws.write_number(i, j, float(v), money)
            else:
                ws.write_string(i, j, str(v), cell)
    ws.freeze_panes(3, 0)
    wb.close()
    return buf.getvalue()


def care_xlsx(kind: str, title: str, visits) -> bytes:
    if kind == CareKind.STUDY:
        header = ["序号", "日期", "党组织", "党员", "对象情况", "走访人", "学习内容", "备注"]
        rows = [[i, f"{v.date:%Y-%m-%d}", v.org.name, v.member.name, v.get_reason_display(), v.visitors, v.content,
                 v.note] for i, v in enumerate(visits, 1)]
        return _book(f"{title}送学上门台账", header, rows, [6, 12, 24, 10, 10, 16, 40, 20])
    header = ["序号", "日期", "节日", "党组织", "党员", "对象情况", "走访人", "慰问品", "慰问金额（元）", "备注"]
    rows = [[i, f"{v.date:%Y-%m-%d}", v.get_occasion_display(), v.org.name, v.member.name, v.get_reason_display(),
             v.visitors, v.content, v.amount, v.note] for i, v in enumerate(visits, 1)]
    total = ["合计", f"{len(rows)} 人次", None, None, None, None, None, None, sum(v.amount for v in visits), None]
    return _book(f"{title}节假日慰问台账", header, rows, [6, 12, 10, 24, 10, 10, 16, 30, 14, 20], total)


def fund_xlsx(title: str, entries) -> bytes:
    header = ["序号", "日期", "党组织", "收支", "金额（元）", "缴纳人或单位", "受助党员", "来源或用途", "决定依据",
              "余额（元）"]
    rows = [[i, f"{e.date:%Y-%m-%d}", e.org.name, e.get_kind_display(), e.amount, e.counterpart,
             e.member.name if e.member_id else "", e.purpose, e.decided_by, e.balance]
            for i, e in enumerate(entries, 1)]
    income = sum(e.amount for e in entries if e.kind == "income")
    payout = sum(e.amount for e in entries if e.kind == "payout")
    total = ["合计", None, None, f"收入 {income:,.2f} / 资助 {payout:,.2f}", None, None, None, None, None, None]
    return _book(f"{title}党员互助金收支台账", header, rows, [6, 12, 24, 8, 12, 16, 10, 30, 18, 12], total)


def pairs_xlsx(title: str, rows) -> bytes:
    """rows: [(mobile record, pair or None, [contact logs])]: one line per contact (or per mobile
    member without any)."""
    header = ["流动党员", "流出地党组织", "流入地", "外出日期", "结对联系党员", "结对日期", "联系日期", "联系方式",
              "联系内容", "效果"]
    out = []
    for rec, pair, logs in rows:
        base = [rec.member.name, rec.origin_org.name, rec.destination, f"{rec.left_on:%Y-%m-%d}",
                pair.contact.name if pair else "尚未结对", f"{pair.started_on:%Y-%m-%d}" if pair else ""]
        for log in logs or [None]:
            out.append(base + ([f"{log.date:%Y-%m-%d}", log.get_way_display(), log.content, log.effect] if log
                               else ["", "", "尚无联系记录", ""]))
    return _book(f"{title}流动党员结对联系台账", header, out, [10, 24, 20, 12, 12, 12, 12, 10, 40, 30])
