"""简报 (briefings): generated from the records of a node for a week, month or quarter — the
dashboard's figures against the previous period, the breakdown by the levels below, the chronicle's
notable events and what is overdue — editable as a draft, issued to the nodes one level below with a
read receipt, and printed as .docx (python-docx) or PDF (fpdf2 with the platform's CJK font).

Every write goes through the audited services here (`briefing_<verb>(*, actor, ...)`)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.scope import has_perm_at, scope_filter
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from regions.models import Region, RegionKind

from .models import Briefing, BriefingKind, BriefingReceipt, BriefingStatus
from .selectors.leader import CHILD_KIND, DASH_VIEW, dashboard_live

BRIEF = "dashboards.brief"
# Reading and signing the briefings issued to one's node: the leaders, and the grid workers, to whose
# grids a community's briefing goes (they have no dashboard).
BRIEF_READ = "dashboards.brief_read"
_FIELDS = ["title", "body", "status"]


def period_of(kind: str, day: date) -> tuple[date, date, str]:
    """The last complete week, month or quarter before `day` (a briefing reports a closed period)."""
    if kind == BriefingKind.WEEK:
        end = day - timedelta(days=day.weekday() + 1)
        start = end - timedelta(days=6)
        return start, end, f"{start.month}月{start.day}日—{end.month}月{end.day}日"
    if kind == BriefingKind.QUARTER:
        q_start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        end = q_start - timedelta(days=1)
        start = date(end.year, end.month - 2, 1)
        return start, end, f"{start.year}年第{(start.month + 2) // 3}季度"
    end = day.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end, f"{end.year}年{end.month}月"


def _pct(v) -> str:
    return "—" if v is None else f"{round(v * 100)}%"


def _change(now: int, prev: int) -> str:
    if not prev:
        return "上期为 0" if now else "与上期持平"
    pct = round((now - prev) * 100 / prev)
    return f"较上期{'增加' if pct > 0 else '减少' if pct < 0 else '持平'}{abs(pct)}%" if pct else "与上期持平"


def compose(region: Region, start: date, end: date) -> str:
    """The draft's text, from the records: sections separated by blank lines, headed 一、二、…"""
    from cobuild.models import ChronicleEntry
    from core import treepaths as paths

    b = dashboard_live(region, start, end)  # counted from the records: a briefing is the record
    d, p, s = b.days, b.prev, b.stock
    r = b.rates["now"]
    parts = [
        "一、总体情况",
        f"本期共受理群众诉求 {d['demands']} 件，{_change(d['demands'], p['demands'])}；响应率 {_pct(r['response'])}，"
        f"解决率 {_pct(r['resolution'])}，满意率 {_pct(r['satisfaction'])}；升级督办 {d['escalated']} 件。"
        f"网格员走访 {d['visits']} 次，{_change(d['visits'], p['visits'])}；驻区单位办理共建实事 {d['deeds']} 件，"
        f"新结对 {d['pairings']} 对；召开议事会议 {d['meetings']} 次。",
        f"截至目前，辖区有党员 {s['members']} 名、党组织 {s['orgs']} 个、网格 {s['grids']} 个；"
        f"未办结诉求 {s['open_demands']} 件，其中超期 {s['overdue_open']} 件；"
        f"{s['cadence_breaches']} 个议事机构未按期开会。",
    ]
    if b.children:
        kind = dict(RegionKind.choices).get(CHILD_KIND.get(region.kind), "下级")
        ranked = sorted(b.children, key=lambda c: (-(c.resolution_rate or 0), -c.days["demands"], c.region.name))
        lines = [f"{i}. {c.region.name}：诉求 {c.days['demands']} 件，解决率 {_pct(c.resolution_rate)}，"
                 f"满意率 {_pct(c.satisfaction_rate)}，超期未办结 {c.stock['overdue_open']} 件，"
                 f"走访 {c.days['visits']} 次。"
                 for i, c in enumerate(ranked, 1)]
        parts += ["", f"二、各{kind}情况（按解决率排序）", *lines]
    events = list(ChronicleEntry.objects.filter(
        region__path__gte=region.path, region__path__lt=paths.upper_bound(region.path),
        date__gte=start, date__lte=end).order_by("date", "id")[:10])
    parts += ["", "三、大事记"]
    parts += [f"{e.date.month}月{e.date.day}日，{e.title}" for e in events] or ["本期没有记入大事记的事项。"]
    behind = [c for c in b.children if c.stock["overdue_open"]]
    parts += ["", "四、需要关注的问题"]
    if behind:
        parts += [f"{c.region.name}超期未办结诉求 {c.stock['overdue_open']} 件，请抓紧办理。"
                  for c in sorted(behind, key=lambda c: -c.stock["overdue_open"])]
    if s["cadence_breaches"]:
        parts.append(f"{s['cadence_breaches']} 个议事机构上一周期未开会，请按规定召开。")
    if not behind and not s["cadence_breaches"]:
        parts.append("本期没有超期诉求和未按期开会的议事机构。")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------ reads

def briefings(actor) -> QuerySet[Briefing]:
    """Briefings of the actor's nodes (any state), and those issued to a node in their scope."""
    own = scope_filter(Briefing.objects.all(), actor, DASH_VIEW)
    received = scope_filter(BriefingReceipt.objects.all(), actor, BRIEF_READ).values("briefing_id")
    return (Briefing.objects.filter(Q(pk__in=own.values("pk")) |
                                    Q(pk__in=received, status=BriefingStatus.ISSUED))
            .select_related("region", "created_by", "issued_by"))


def briefing_get(actor, pk: int) -> Briefing:
    """One briefing the actor may read (404 otherwise, as everywhere)."""
    try:
        return briefings(actor).get(pk=pk)
    except Briefing.DoesNotExist as exc:
        raise Http404("简报不存在或不在您的管辖范围内") from exc


def can_edit(actor, briefing: Briefing) -> bool:
    return has_perm_at(actor, BRIEF, briefing.region.path)


def my_receipts(actor, briefing: Briefing) -> list[BriefingReceipt]:
    """The receipts of the nodes the actor stands for (where they may read the briefings issued there)."""
    return [r for r in briefing.receipts.select_related("region") if has_perm_at(actor, BRIEF_READ, r.region.path)]


# ----------------------------------------------------------------------------------------- writes

def _require(actor, region: Region) -> None:
    if not has_perm_at(actor, BRIEF, region.path):
        raise PermissionDenied("您没有编发该单位简报的权限")


@transaction.atomic
def briefing_generate(*, actor, region: Region, kind: str, day: date | None = None) -> Briefing:
    _require(actor, region)
    if kind not in BriefingKind.values:
        raise ValidationError({"kind": "简报类型应为周报、月报或季报"})
    if region.kind not in CHILD_KIND:
        raise ValidationError({"region": "简报由区、街道或社区编发"})
    start, end, label = period_of(kind, day or timezone.localdate())
    title = f"{region.name}{label}工作简报"
    b = Briefing.objects.create(region=region, kind=kind, start=start, end=end, title=title[:100],
                                body=compose(region, start, end), created_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=b, changes=diff({}, snapshot(b, _FIELDS)))
    return b


@transaction.atomic
def briefing_update(*, actor, briefing: Briefing, title: str, body: str) -> Briefing:
    _require(actor, briefing.region)
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status != BriefingStatus.DRAFT:
        raise ValidationError("简报已下发，不能再修改")
    errors = {}
    if not title.strip():
        errors["title"] = "标题不能为空"
    if not body.strip():
        errors["body"] = "正文不能为空"
    if errors:
        raise ValidationError(errors)
    before = snapshot(briefing, _FIELDS)
    briefing.title, briefing.body = title.strip(), body.strip()
    briefing.save(update_fields=["title", "body"])
    record(actor=actor, action=AuditAction.UPDATE, obj=briefing, changes=diff(before, snapshot(briefing, _FIELDS)))
    return briefing


@transaction.atomic
def briefing_issue(*, actor, briefing: Briefing) -> int:
    """Issue to every node one level below; returns how many."""
    _require(actor, briefing.region)
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status != BriefingStatus.DRAFT:
        raise ValidationError("简报已经下发过了")
    below = list(Region.objects.filter(parent=briefing.region, kind=CHILD_KIND[briefing.region.kind]))
    before = snapshot(briefing, _FIELDS)
    briefing.status, briefing.issued_by, briefing.issued_at = BriefingStatus.ISSUED, actor, timezone.now()
    briefing.save(update_fields=["status", "issued_by", "issued_at"])
    BriefingReceipt.objects.bulk_create([BriefingReceipt(briefing=briefing, region=r) for r in below])
    record(actor=actor, action=AuditAction.TRANSITION, obj=briefing,
           changes=diff(before, snapshot(briefing, _FIELDS)) | {"下发至": [None, "、".join(r.name for r in below)]})
    return len(below)


@transaction.atomic
def briefing_read(*, actor, briefing: Briefing) -> int:
    """Sign the read receipt of the actor's nodes (once: the first reader signs)."""
    receipts = [r for r in my_receipts(actor, briefing) if r.read_at is None]
    now = timezone.now()
    for r in receipts:
        BriefingReceipt.objects.filter(pk=r.pk, read_at__isnull=True).update(read_by=actor, read_at=now)
        record(actor=actor, action=AuditAction.UPDATE, obj=r, changes={"阅读时间": [None, now.isoformat()]})
    return len(receipts)


# -------------------------------------------------------------------------------------- documents

def _sections(body: str) -> list[tuple[bool, str]]:
    """(is_heading, text) per non-empty line; headings are 一、二、… lines."""
    out = []
    for line in body.splitlines():
        line = line.strip()
        if line:
            out.append((len(line) < 40 and line[:1] in "一二三四五六七八九十" and "、" in line[:3], line))
    return out


def _subtitle(b: Briefing) -> str:
    when = b.issued_at or b.created_at
    return (f"{b.region.name} · {b.start.year}年{b.start.month}月{b.start.day}日至{b.end.month}月{b.end.day}日"
            f" · {timezone.localtime(when):%Y-%m-%d}")


def briefing_docx(b: Briefing) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(b.title)
    run.bold, run.font.size = True, Pt(18)
    sub = doc.add_paragraph(_subtitle(b))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for heading, text in _sections(b.body):
        para = doc.add_paragraph()
        r = para.add_run(text)
        if heading:
            r.bold = True
        else:
            para.paragraph_format.first_line_indent = Pt(24)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def briefing_pdf(b: Briefing) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from members.documents import _add_cjk_fonts

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    _add_cjk_fonts(pdf, b.title + b.body + _subtitle(b))
    pdf.set_title(b.title)
    pdf.add_page()
    pdf.set_font("cjk", "B", 18)
    pdf.multi_cell(0, 11, b.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 10)
    pdf.cell(0, 8, _subtitle(b), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for heading, text in _sections(b.body):
        if heading:
            pdf.ln(2)
            pdf.set_font("cjk", "B", 13)
            pdf.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.set_font("cjk", "", 11.5)
            pdf.multi_cell(0, 7, "　　" + text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
