"""一表双卡 as files: the roster (.xlsx), the member registration card and the organization
activity card (.docx with python-docx, PDF with fpdf2 and Debian's Noto CJK font).

PDF speed: parsing and subsetting the 20 MB Noto CJK collection costs about a second per style and
card. A working copy of the font reduced to the characters of GB 2312 plus ASCII and punctuation
(about 7,700 glyphs, 1.8 MB) is built once, written to the font cache directory
(`DANGJIAN_FONT_CACHE`, default `var/cache/fonts/`) and reused by every later card of every process;
a card carrying a character outside it (a rare name character) gets the full font as a fallback for
that character only. The glyph outlines are Noto's own: the card looks the same either way."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils import timezone

from core.masking import mask_id_number, mask_mobile

from .models import Category, Decision, DualRegistration, MemberDeed, PartyMember
from .templatetags.members_extras import place

log = logging.getLogger(__name__)

CJK_FONT = os.environ.get("DANGJIAN_CJK_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_INDEX = 2  # "Noto Sans CJK SC" inside the collection
CJK_BOLD = CJK_FONT.replace("Regular", "Bold")
PHOTO_ROWS = 5  # the photo box spans the first five rows of the member card


def _d(value) -> str:
    return value.strftime("%Y年%m月%d日") if value else ""


# --------------------------------------------------------------------------
# What goes on the cards
# --------------------------------------------------------------------------


@dataclass
class Card:
    title: str
    subtitle: str
    fields: list[tuple[str, str]]  # label, value (2 per printed row)
    tables: list[tuple[str, list[str], list[list[str]]]]  # caption, header, rows
    photo_box: bool = False  # the member card prints a photo box (blank when there is no photo)
    photo: bytes | None = None  # JPEG

    def text(self) -> str:
        """Every character the card prints (to choose the font)."""
        parts = [self.title, self.subtitle, FOOTER, "照片"]
        parts += [f"{label}{value}" for label, value in self.fields]
        for caption, header, body in self.tables:
            parts += [caption, *header, *("".join(line) for line in body)]
        return "".join(parts)


FOOTER = "填表人：____________    审核人（书记）：____________    （盖章）"


def member_card(member: PartyMember) -> Card:
    from .services import member_photo_bytes

    year = timezone.localdate().year
    deeds = list(MemberDeed.objects.filter(member=member, date__year=year)[:20])
    regs = list(DualRegistration.objects.filter(member=member).select_related("community")[:5])
    events = list(member.events.all()[:12])
    fields = [
        ("姓名", member.name), ("性别", member.get_gender_display()),
        ("民族", member.ethnicity), ("出生年月", member.birth_date.strftime("%Y年%m月")),
        ("身份证号", mask_id_number(member.id_number)),
        ("联系电话", mask_mobile(member.mobile) if member.mobile else ""),
        ("学历", member.get_education_display()), ("职业", member.occupation),
        ("入党时间", _d(member.joined_on)), ("转正时间", _d(member.full_member_on)),
        ("党员类别", member.get_category_display()), ("党员状态", member.get_status_display()),
        ("所在党组织", str(member.org)), ("工作单位", member.employer),
        ("单位党组织", str(member.unit_org or "")), ("居住社区", place(member.residence)),
        ("居住地址", member.address), ("双报到", "；".join(
            f"{r.community}（{r.get_status_display()}）" for r in regs) or "无"),
    ]
    tables = [
        (f"{year}年为群众办实事", ["日期", "事项", "时长（小时）"],
         [[d.date.isoformat(), d.title, str(d.hours)] for d in deeds] or [["", "暂无记录", ""]]),
        ("变动记录", ["日期", "事项", "变动"],
         [[e.on.isoformat(), e.kind, f"{e.old_value} → {e.new_value}".strip(" →")] for e in events]
         or [["", "暂无记录", ""]]),
    ]
    return Card("社区党员登记卡", f"登记日期：{_d(timezone.localdate())}", fields, tables, photo_box=True,
                photo=member_photo_bytes(member))


def org_activity_card(org) -> Card:
    from orgs.models import PartyOrg

    from .selectors import deeds_this_year

    year = timezone.localdate().year
    members = PartyMember.objects.filter(org=org, status__in=["probationary", "full"])
    by_cat = {c: 0 for c in Category.values}
    for c in members.values_list("category", flat=True):
        by_cat[c] += 1
    regs = list(DualRegistration.objects.filter(community=org.region, status=Decision.CONFIRMED,
                                                requested_at__year=year).select_related("member__org", "unit_org"))
    deed_counts = deeds_this_year([r.member_id for r in regs if r.member_id], year)
    units = PartyOrg.objects.filter(region=org.region, level__in=["resident_unit", "new_economic", "new_social"])
    fields = [
        ("党组织名称", org.name), ("组织形式", org.get_form_display()),
        ("书记", org.secretary_name), ("所在区划", str(org.region)),
        ("党员总数", str(sum(by_cat.values()))), ("成立日期", _d(org.established_on)),
        *[(Category(c).label, str(n)) for c, n in by_cat.items()],
        ("驻区单位党组织", "、".join(u.name for u in units) or "无"), ("本年报到人数", str(len(regs))),
    ]
    tables = [
        (f"{year}年在职党员双报到及办实事情况", ["姓名/单位", "所在党组织", "报到日期", "本年实事"],
         [[str(r.member or r.unit_org), str(r.member.org if r.member else ""), r.requested_at.date().isoformat(),
           str(deed_counts.get(r.member_id, 0)) if r.member_id else ""] for r in regs] or [["暂无", "", "", ""]]),
    ]
    return Card("社区党组织活动登记卡", f"{year}年度", fields, tables)


# --------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------


def card_docx(card: Card) -> bytes:
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    h = doc.add_paragraph()
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = h.add_run(card.title)
    run.bold = True
    run.font.size = Pt(20)
    run.font.name = "黑体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    sub = doc.add_paragraph(card.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    rows = (len(card.fields) + 1) // 2
    cols = 5 if card.photo_box else 4
    t = doc.add_table(rows=rows, cols=cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Cm(2.3), Cm(4.4), Cm(2.3), Cm(4.4), Cm(3.6)][:cols]
    for row in t.rows:
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
    for i, (label, value) in enumerate(card.fields):
        r, c = divmod(i, 2)
        lab = t.cell(r, c * 2)
        lab.text = label
        lab.paragraphs[0].runs[0].bold = True
        t.cell(r, c * 2 + 1).text = value or ""
    if card.photo_box:
        span = min(PHOTO_ROWS, rows)
        box = t.cell(0, 4).merge(t.cell(span - 1, 4))
        box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = box.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if card.photo:
            para.add_run().add_picture(io.BytesIO(card.photo), width=Cm(3.0))
        else:
            hint = para.add_run("照片")
            hint.font.color.rgb = RGBColor(0x99, 0x99, 0x99)
        for r in range(span, rows):  # below the photo the last value runs to the edge
            text = t.cell(r, 3).text
            merged = t.cell(r, 3).merge(t.cell(r, 4))
            merged.text = text
    for caption, header, body in card.tables:
        p = doc.add_paragraph()
        p.add_run(caption).bold = True
        tt = doc.add_table(rows=1 + len(body), cols=len(header))
        tt.style = "Table Grid"
        for j, hcell in enumerate(header):
            tt.cell(0, j).text = hcell
            tt.cell(0, j).paragraphs[0].runs[0].bold = True
        for i, line in enumerate(body, 1):
            for j, v in enumerate(line):
                tt.cell(i, j).text = v
    doc.add_paragraph()
    doc.add_paragraph(FOOTER)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def font_available() -> bool:
    return os.path.exists(CJK_FONT)


# The working font: the CJK collection reduced to the characters cards nearly always use.
COMMON_FONT_VERSION = "1"
_FAST_FONTS: dict[tuple[str, int], tuple[Path, frozenset[int]]] = {}
_BUILDING: set[tuple[str, int]] = set()
_BUILD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def common_codepoints() -> frozenset[int]:
    """ASCII, Latin-1, general and CJK punctuation, full-width forms, circled numbers and all of GB 2312."""
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    cps |= set(range(0x2100, 0x2200)) | set(range(0x2460, 0x24A0)) | set(range(0x2500, 0x2600))
    cps |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes((hi, lo)).decode("gb2312")))
            except (UnicodeDecodeError, TypeError):
                continue
    return frozenset(cps)


def font_cache_dir() -> Path:
    """settings.FONT_CACHE_DIR (environment variable DANGJIAN_FONT_CACHE; default var/cache/fonts)."""
    from django.conf import settings

    return Path(getattr(settings, "FONT_CACHE_DIR", None) or Path(tempfile.gettempdir()) / "dangjian-fonts")


def _common_font_path(src: str, index: int) -> Path:
    st = os.stat(src)
    key = f"{os.path.abspath(src)}|{index}|{st.st_size}|{st.st_mtime_ns}|{COMMON_FONT_VERSION}"
    stem = Path(src).stem
    return font_cache_dir() / f"{stem}-{index}-gb2312-{hashlib.sha1(key.encode()).hexdigest()[:12]}.otf"


def build_common_font(src: str, index: int = CJK_FONT_INDEX) -> Path:
    """Write the reduced working copy of one font of the collection (a few seconds, once per font file)."""
    from fontTools import subset, ttLib

    target = _common_font_path(src, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    font = ttLib.TTFont(src, fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, layout_features=[],
                             name_IDs=["*"], name_languages=["*"], name_legacy=True)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=common_codepoints())
    sub.subset(font)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".building-", suffix=".otf")
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # atomic: readers see the old state or the whole file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    log.info("built the working CJK font %s in %.1f s", target, time.perf_counter() - started)
    return target


def _load_common_font(src: str, index: int) -> tuple[Path, frozenset[int]] | None:
    key = (src, index)
    hit = _FAST_FONTS.get(key)
    if hit is not None:
        return hit
    try:
        path = _common_font_path(src, index)
    except OSError:
        return None
    if not path.exists():
        return None
    from fontTools import ttLib

    try:
        with ttLib.TTFont(path, lazy=True) as f:
            cmap = frozenset(f.getBestCmap())
    except Exception:  # a damaged cache file: rebuild it
        log.warning("discarding the unreadable font cache file %s", path)
        path.unlink(missing_ok=True)
        return None
    _FAST_FONTS[key] = (path, cmap)
    return _FAST_FONTS[key]


def _build_in_background(src: str, index: int) -> None:
    key = (src, index)
    with _BUILD_LOCK:
        if key in _BUILDING:
            return
        _BUILDING.add(key)
    try:
        lock = _common_font_path(src, index).with_suffix(".lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        try:
            if lock.exists() and time.time() - lock.stat().st_mtime > 300:
                lock.unlink(missing_ok=True)  # a build that died
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # another process may be building
            os.close(fd)
        except FileExistsError:
            with _BUILD_LOCK:
                _BUILDING.discard(key)
            return
    except OSError:
        with _BUILD_LOCK:
            _BUILDING.discard(key)
        return

    def run():
        try:
            build_common_font(src, index)
        except Exception:
            log.exception("building the working CJK font from %s failed", src)
        finally:
            lock.unlink(missing_ok=True)
            with _BUILD_LOCK:
                _BUILDING.discard(key)

    threading.Thread(target=run, name="cjk-font-cache", daemon=True).start()


def _font_files() -> dict[str, str]:
    return {"": CJK_FONT, "B": CJK_BOLD if os.path.exists(CJK_BOLD) else CJK_FONT}


def prepare_fonts() -> None:
    """Build the working fonts now if they are missing (`manage.py prepare_fonts`, tests); cards build
    them in the background when they are missing."""
    for src in set(_font_files().values()):
        if _load_common_font(src, CJK_FONT_INDEX) is None:
            build_common_font(src, CJK_FONT_INDEX)
            _load_common_font(src, CJK_FONT_INDEX)


def _add_cjk_fonts(pdf, text: str) -> str:
    """Register family "cjk" (regular and bold) on `pdf`; returns which font files were used."""
    files = _font_files()
    fast = {style: _load_common_font(src, CJK_FONT_INDEX) for style, src in files.items()}
    if all(fast.values()):
        for style, (path, _cmap) in fast.items():
            pdf.add_font("cjk", style, str(path))
        needed = {ord(ch) for ch in text if not ch.isspace()}
        if needed <= fast[""][1] and needed <= fast["B"][1]:
            return "common"
        # A rare character (e.g. in a name): take just its glyphs from the full regular font.
        pdf.add_font("cjkfull", "", CJK_FONT, collection_font_number=CJK_FONT_INDEX)
        pdf.set_fallback_fonts(["cjkfull"], exact_match=False)
        return "common+full"
    for style, src in files.items():
        if fast[style] is None:
            _build_in_background(src, CJK_FONT_INDEX)
        pdf.add_font("cjk", style, src, collection_font_number=CJK_FONT_INDEX)
    return "full"


def card_pdf(card: Card) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    _add_cjk_fonts(pdf, card.text())
    pdf.set_title(card.title)
    pdf.add_page()
    pdf.set_font("cjk", "B", 20)
    pdf.cell(0, 14, card.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 10)
    pdf.cell(0, 7, card.subtitle, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 10.5)
    widths = (22, 41, 22, 41, 30) if card.photo_box else (22, 43, 22, 43)
    rows = (len(card.fields) + 1) // 2
    span = min(PHOTO_ROWS, rows)
    with pdf.table(col_widths=widths, line_height=8, first_row_as_headings=False) as table:
        for r in range(rows):
            row = table.row()
            pairs = card.fields[r * 2:r * 2 + 2]
            for k, (label, value) in enumerate(pairs):
                pdf.set_font("cjk", "B", 10.5)
                row.cell(label)
                pdf.set_font("cjk", "", 10.5)
                last = k == len(pairs) - 1
                colspan = (2 if len(pairs) == 1 else 1) + (1 if card.photo_box and r >= span and last else 0)
                row.cell(value or "", colspan=colspan)
            if card.photo_box and r == 0:
                if card.photo:
                    row.cell(img=io.BytesIO(card.photo), rowspan=span, padding=(1.5, 1.5, 1.5, 1.5))
                else:
                    pdf.set_font("cjk", "", 9)
                    pdf.set_text_color(150, 150, 150)
                    row.cell("照片", rowspan=span, align="C", v_align="M")
                    pdf.set_text_color(0, 0, 0)
                    pdf.set_font("cjk", "", 10.5)
    for caption, header, body in card.tables:
        pdf.ln(4)
        pdf.set_font("cjk", "B", 12)
        pdf.cell(0, 9, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", "", 10)
        col_widths = {3: (25, 80, 25), 4: (30, 45, 25, 20)}.get(len(header))
        with pdf.table(col_widths=col_widths, line_height=7) as table:
            table.row(header)
            for line in body:
                table.row(line)
    pdf.ln(8)
    pdf.set_font("cjk", "", 11)
    pdf.cell(0, 8, FOOTER)
    return bytes(pdf.output())


# --------------------------------------------------------------------------
# Roster (党员基本情况一览表)
# --------------------------------------------------------------------------

ROSTER_HEADER = ["序号", "姓名", "性别", "民族", "出生年月", "学历", "入党时间", "转正时间", "党员类别",
                 "党员状态", "工作单位", "职业", "居住地址", "联系电话", "所在党组织"]


def roster_rows(members) -> list[list[str]]:
    out = []
    for i, m in enumerate(members, 1):
        out.append([str(i), m.name, m.get_gender_display(), m.ethnicity, m.birth_date.strftime("%Y-%m"),
                    m.get_education_display(), m.joined_on.isoformat(),
                    m.full_member_on.isoformat() if m.full_member_on else "", m.get_category_display(),
                    m.get_status_display(), m.employer, m.occupation, m.address,
                    mask_mobile(m.mobile) if m.mobile else "", str(m.org)])
    return out


def roster_xlsx(title: str, members) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("党员基本情况一览表")
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    cell = wb.add_format({"border": 1})
    ws.merge_range(0, 0, 0, len(ROSTER_HEADER) - 1, f"{title}党员基本情况一览表", title_fmt)
    ws.write_string(1, 0, f"制表日期：{timezone.localdate():%Y-%m-%d}（联系电话已脱敏）")
    widths = [5, 8, 5, 7, 9, 10, 11, 11, 11, 9, 18, 10, 24, 13, 24]
    for j, h in enumerate(ROSTER_HEADER):
        ws.write_string(2, j, h, head)
        ws.set_column(j, j, widths[j])
    for i, line in enumerate(roster_rows(members), 3):
        for j, v in enumerate(line):
            ws.write_string(i, j, v, cell)
    ws.freeze_panes(3, 2)
    ws.set_landscape()
    ws.repeat_rows(2)
    wb.close()
    return buf.getvalue()
