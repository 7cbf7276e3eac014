"""The 交办书 (assignment letter) as a Word document: number, addressee, content, requirements,
deadline, signer and the receipt to sign."""

from __future__ import annotations

import io

from .models import Assignment


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def assignment_letter_docx(a: Assignment) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    def para(text: str, *, bold=False, size=None, align=None, font=None):
        p = doc.add_paragraph()
        if align:
            p.alignment = align
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return p

    issuer = a.parent.region if a.parent_id else a.task.aspect.task_list.region
    para(f"{issuer}城市基层党建", size=22, align=WD_ALIGN_PARAGRAPH.CENTER, font="黑体", bold=True)
    para("重点任务交办书", size=22, align=WD_ALIGN_PARAGRAPH.CENTER, font="黑体", bold=True)
    para(a.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"{a.region}：")
    para(f"根据《{a.task.aspect.task_list.title}》（第 {a.task.aspect.task_list.version} 版），"
         f"现将“{a.task.aspect.name}”方面的重点任务交由你单位办理。")
    para("一、任务名称", bold=True, font="黑体")
    para(a.task.title)
    para("二、任务内容", bold=True, font="黑体")
    for line in a.content.splitlines() or [""]:
        para(line)
    para("三、工作要求", bold=True, font="黑体")
    for line in a.requirements.splitlines() or [""]:
        para(line)
    para("四、完成时限", bold=True, font="黑体")
    para(f"{_d(a.deadline)}前完成，并通过平台报送进展和佐证材料。逾期未完成的，按周纪实、月调度、季会商逐级督办。")
    if a.task.evidence:
        para("五、佐证材料", bold=True, font="黑体")
        para(a.task.evidence)
    doc.add_paragraph()
    para(f"签发人：{a.signer}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(f"{issuer}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(_d(a.assigned_on), align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.add_paragraph()
    para("签收回执", bold=True, font="黑体")
    t = doc.add_table(rows=2, cols=3)
    t.style = "Table Grid"
    for j, h in enumerate(["承办单位", "签收人", "签收时间"]):
        t.cell(0, j).text = h
    t.cell(1, 0).text = str(a.region)
    if a.acknowledged_at:
        from django.utils import timezone

        t.cell(1, 1).text = getattr(a.acknowledged_by, "full_name", "") or str(a.acknowledged_by or "")
        t.cell(1, 2).text = f"{timezone.localtime(a.acknowledged_at):%Y-%m-%d %H:%M}"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
