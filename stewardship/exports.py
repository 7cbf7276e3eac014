"""The funds ledger and the fixed-asset ledger as .xlsx, in the layout of a paper ledger: a title row, the
column headers, one line each, the totals."""

from __future__ import annotations

from io import BytesIO

from .models import AssetStatus
from .selectors import FundSummary, LedgerRow

LEDGER_HEADERS = ["日期", "凭证号", "摘要", "收支类别", "付款/收款单位", "收入（元）", "支出（元）", "结余（元）",
                  "状态", "凭证（份）", "审批"]
ASSET_HEADERS = ["社区", "资产编号", "名称", "类别", "规格型号", "原值（元）", "取得日期", "存放地点", "保管人",
                 "状态", "最近清查"]


def _book(title: str, heading: str, headers: list[str]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = max(10, len(h) * 2 + 2)
    ws.freeze_panes = "A3"
    return wb, ws


def _save(wb) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def funds_ledger_xlsx(summary: FundSummary, rows: list[LedgerRow]) -> bytes:
    from openpyxl.styles import Font

    fy = summary.fund_year
    wb, ws = _book("经费台账", f"{fy.region.name} {fy.year} 年社区办公活动经费台账", LEDGER_HEADERS)
    for r in rows:
        e = r.entry
        decided = ""
        if e.decided_by_id:
            decided = f"{e.get_status_display()}（{e.decided_by.display_name}）"
        elif e.approval_reason:
            decided = f"待审批：{e.approval_reason}"
        ws.append([e.date, e.voucher_no, e.summary, e.label, e.counterparty,
                   float(r.income) if r.income is not None else None,
                   float(r.spending) if r.spending is not None else None,
                   float(r.balance) if r.balance is not None else None,
                   e.get_status_display(), len(e.vouchers.all()), decided])
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd"
    ws.append(["合计", "", "", "", "", float(summary.income), float(summary.spending), float(summary.balance)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for col in "FGH":
        for cell in ws[col][2:]:
            cell.number_format = "#,##0.00"
    s = wb.create_sheet("预算执行")
    s.append(["社区类型", fy.get_community_type_display(), "经费标准（元）", float(fy.standard),
              "财政拨款（元）", float(summary.allocation), "是否达标", "达标" if summary.meets_standard else "未达标"])
    s.append(["支出类别", "预算（元）", "已支出（元）", "余额（元）"])
    for label, budget, spent, left in summary.by_category:
        s.append([label, float(budget) if budget is not None else "无预算", float(spent),
                  float(left) if left is not None else None])
    return _save(wb)


def asset_ledger_xlsx(title: str, assets, last_counts: dict[int, str]) -> bytes:
    from openpyxl.styles import Font

    wb, ws = _book("固定资产台帐", f"{title}固定资产台帐", ASSET_HEADERS)
    total = 0.0
    for a in assets:
        ws.append([a.region.name, a.code, a.name, a.get_category_display(), a.model, float(a.value), a.acquired_on,
                   a.location, a.custodian, a.get_status_display(), last_counts.get(a.pk, "")])
        ws.cell(row=ws.max_row, column=7).number_format = "yyyy-mm-dd"
        ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
        if a.status != AssetStatus.DISPOSED:
            total += float(a.value)
    ws.append(["合计（在账）", "", "", "", "", total])
    ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    return _save(wb)
