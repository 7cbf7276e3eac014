"""The charity shop's monthly account (月度台账): each item's opening stock, goods in and out, closing
stock, and the same for money; as a page and as an .xlsx workbook."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from .models import CharityEntry, CharityItem

IN, OUT = CharityEntry.Direction.IN, CharityEntry.Direction.OUT


@dataclass
class Line:
    name: str
    unit: str
    opening: Decimal
    got: Decimal
    given: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.got - self.given


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _sum(qs, field: str, **flt) -> Decimal:
    return qs.filter(**flt).aggregate(s=Sum(field))["s"] or Decimal(0)


def month_account(region, year: int, month: int) -> dict:
    start, end = month_bounds(year, month)
    entries = CharityEntry.objects.filter(region=region)
    lines = []
    sums = {r["item_id"]: r for r in entries.filter(kind=CharityEntry.Kind.GOODS).values("item_id").annotate(
        before_in=Sum("quantity", filter=Q(direction=IN, date__lt=start)),
        before_out=Sum("quantity", filter=Q(direction=OUT, date__lt=start)),
        got=Sum("quantity", filter=Q(direction=IN, date__gte=start, date__lt=end)),
        given=Sum("quantity", filter=Q(direction=OUT, date__gte=start, date__lt=end)))}
    for item in CharityItem.objects.filter(region=region).order_by("name"):
        r = sums.get(item.pk, {})
        z = Decimal(0)
        lines.append(Line(item.name, item.unit, (r.get("before_in") or z) - (r.get("before_out") or z),
                          r.get("got") or z, r.get("given") or z))
    money = entries.filter(kind=CharityEntry.Kind.MONEY)
    cash = Line("资金", "元", _sum(money, "amount", direction=IN, date__lt=start)
                - _sum(money, "amount", direction=OUT, date__lt=start),
                _sum(money, "amount", direction=IN, date__gte=start, date__lt=end),
                _sum(money, "amount", direction=OUT, date__gte=start, date__lt=end))
    rows = list(entries.filter(date__gte=start, date__lt=end).select_related("item").order_by("date", "id"))
    return {"lines": lines, "cash": cash, "entries": rows, "start": start, "end": end,
            "donations": sum(1 for e in rows if e.direction == IN),
            "handouts": sum(1 for e in rows if e.direction == OUT),
            "households": len({e.household_id or e.party_name for e in rows if e.direction == OUT}),
            "points": sum(e.points for e in rows if e.direction == OUT)}


def _num(d: Decimal) -> float | int:
    return int(d) if d == d.to_integral_value() else float(d)


def account_xlsx(region, year: int, month: int, acc: dict) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    cell = wb.add_format({"border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("月度台账")
    ws.write(0, 0, f"{region.name}爱心超市 {year} 年 {month} 月台账", title)
    ws.write_row(2, 0, ["物品", "单位", "上月结存", "本月捐入", "本月发放", "本月结存"], head)
    row = 3
    for line in acc["lines"] + [acc["cash"]]:
        ws.write_row(row, 0, [line.name, line.unit, _num(line.opening), _num(line.got), _num(line.given),
                              _num(line.closing)], cell)
        row += 1
    row += 1
    ws.write_row(row, 0, ["捐赠", acc["donations"], "发放", acc["handouts"], "受助住户", acc["households"],
                          "兑换积分", acc["points"]])
    ws.set_column(0, 0, 16)
    ws.set_column(1, 7, 11)
    ws2 = wb.add_worksheet("明细")
    ws2.write_row(0, 0, ["日期", "方向", "类别", "物品", "数量", "金额（元）", "捐赠方/领取人", "积分", "依据/说明"],
                  head)
    for i, e in enumerate(acc["entries"], 1):
        ws2.write_row(i, 0, [e.date.isoformat(), e.get_direction_display(), e.get_kind_display(),
                             e.item.name if e.item else "", _num(e.quantity) if e.quantity is not None else "",
                             _num(e.amount) if e.amount is not None else "", e.party_name, e.points or "",
                             e.reason], cell)
    ws2.set_column(0, 8, 13)
    wb.close()
    return buf.getvalue()
