"""Exports: the ledger and the co-building scores (.xlsx), the chronicle (.docx)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.db.models import QuerySet

from .models import ChronicleEntry, Deed, StarRating

LEDGER_HEADERS = ["日期", "驻区单位", "社区", "活动类别", "实事内容", "参与党员", "受益群众（人）",
                  "志愿服务时长（小时）", "投入资金（元）", "志愿服务队服务", "群众评价", "所属项目"]
SCORE_HEADERS = ["年度", "驻区单位", "社区", "实事（件）", "完成项目（个）", "会议出席率（%）", "群众评价",
                 "星级得分", "星级", "调整理由", "通报批评（次）", "取消评先资格", "考核分值占比（%）",
                 "计入考核得分"]


def _xlsx(title: str, headers: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, len(h) * 2 + 2)
    ws.freeze_panes = "A2"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger_xlsx(qs: QuerySet[Deed]) -> bytes:
    qs = qs.select_related("unit", "region", "project").prefetch_related("participants").order_by("date", "id")

    def rows():
        for d in qs.iterator(chunk_size=1000):
            yield [d.date, d.unit.name, d.region.name, d.get_activity_display(), d.title,
                   "、".join(p.name for p in d.participants.all()), d.beneficiaries, float(d.hours),
                   float(d.money), "是" if d.team_service else "否",
                   float(d.rating) if d.rating is not None else None, d.project.title if d.project else ""]

    return _xlsx("共驻共建台帐", LEDGER_HEADERS, rows())


def scores_xlsx(qs: QuerySet[StarRating], assessment_weight: int) -> bytes:
    def rows():
        for s in qs.order_by("region__path", "unit__name"):
            counted = (s.score * Decimal(assessment_weight) / 100).quantize(Decimal("0.01"))
            yield [s.year, s.unit.name, s.region.name, s.deeds, s.projects_done,
                   float(s.attendance_rate) if s.attendance_rate is not None else None,
                   float(s.resident_rating) if s.resident_rating is not None else None, float(s.score), s.stars,
                   s.override_reason, s.criticisms, "是" if s.disqualified else "否", assessment_weight,
                   float(counted)]

    return _xlsx("共驻共建考核得分", SCORE_HEADERS, rows())


def chronicle_docx(entries: QuerySet[ChronicleEntry], title: str) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    doc.add_heading(title, level=1)
    current = None
    for e in entries.select_related("region").order_by("date", "id"):
        month = (e.date.year, e.date.month)
        if month != current:
            current = month
            doc.add_heading(f"{e.date.year} 年 {e.date.month} 月", level=2)
        p = doc.add_paragraph()
        p.add_run(f"{e.date:%m月%d日}　").bold = True
        p.add_run(f"【{e.region.name}】{e.title}")
        if e.body:
            doc.add_paragraph(e.body, style="List Bullet")
    if current is None:
        doc.add_paragraph("本年度暂无大事记。")
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
