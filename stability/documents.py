"""The mediation agreement (人民调解协议书) as .docx, in the layout mediation committees print: the
parties, the facts and the dispute, the terms agreed, how they are performed, signatures."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Case, PartyRole


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "    年  月  日"


def _font(run, size: float = 12, bold: bool = False) -> None:
    run.font.name = "SimSun"
    run.font.size = Pt(size)
    run.bold = bold
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")


def _para(doc, text: str, *, size: float = 12, bold: bool = False, center: bool = False):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), size, bold)
    return p


def agreement_docx(case: Case) -> bytes:
    doc = Document()
    _para(doc, "人民调解协议书", size=18, bold=True, center=True)
    _para(doc, f"编号：{case.number}", size=10.5, center=True)
    community = case.region.name
    for party in case.parties.all():
        if party.role == PartyRole.THIRD:
            continue
        line = f"{party.get_role_display()}：{party.name}"
        if party.address:
            line += f"，住址：{party.address}"
        if party.phone:
            line += f"，联系电话：{party.phone}"
        _para(doc, line)
    for party in case.parties.filter(role=PartyRole.THIRD):
        _para(doc, f"第三人：{party.name}" + (f"，住址：{party.address}" if party.address else ""))
    _para(doc, "纠纷主要事实、争议事项：", bold=True)
    _para(doc, f"（{case.get_dispute_type_display()}）{case.facts}")
    _para(doc, "经调解，自愿达成如下协议：", bold=True)
    for i, line in enumerate([ln.strip() for ln in case.agreement.splitlines() if ln.strip()], 1):
        _para(doc, f"{i}. {line}")
    _para(doc, "履行方式、时限：", bold=True)
    _para(doc, case.performance or "—")
    _para(doc, f"本协议一式三份，当事人各执一份，{community}人民调解委员会留存一份。"
               "本协议经双方当事人签名、调解员签名并加盖人民调解委员会印章后生效。")
    _para(doc, "当事人（签名）：                    当事人（签名）：")
    _para(doc, f"调解员（签名）：{case.mediator.display_name if case.mediator_id else ''}")
    _para(doc, f"{community}人民调解委员会（印章）")
    _para(doc, _d(case.agreed_on))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
