"""Statistics of organizational life per organization and year: sessions held against the cadence,
attendance (online counted), review results, the pipeline by stage, members gained and lost, and the
growth of membership over five years (as in seed 004)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q
from django.utils import timezone

from members.models import MemberEvent, MemberStatus, PartyMember

from .models import ATTENDED, STAGES, AttendanceStatus, Rating, ReviewEntry, SessionAttendance, SessionKind, Stage
from .selectors import cadence_rules, periods_in_year, rules_for, session_counts


@dataclass
class OrgYear:
    org: object
    held: dict[str, int] = field(default_factory=dict)       # kind → sessions held
    required: dict[str, int] = field(default_factory=dict)   # kind → periods required so far
    expected: int = 0                                        # attendance rows recorded
    attended: int = 0
    online: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    gained: int = 0
    lost: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.expected, 1) if self.expected else None

    @property
    def held_total(self) -> int:
        return sum(self.held.values())

    @property
    def required_total(self) -> int:
        return sum(self.required.values())


LOST = [MemberStatus.TRANSFERRED_OUT.label, MemberStatus.DECEASED.label]


def year_stats(org_list: list, year: int, today: date | None = None) -> list[OrgYear]:
    from .models import Applicant

    today = today or timezone.localdate()
    until = min(today, date(year, 12, 31))
    ids = [o.pk for o in org_list]
    rules = cadence_rules()
    counts = session_counts(ids, year)
    att = {r["session__org_id"]: r for r in SessionAttendance.objects.filter(
        session__org_id__in=ids, session__status="held", session__date__year=year).values("session__org_id").annotate(
        n=Count("id"), yes=Count("id", filter=Q(status__in=ATTENDED)),
        online=Count("id", filter=Q(status=AttendanceStatus.ONLINE))).order_by()}
    ratings = Counter(ReviewEntry.objects.filter(review__org_id__in=ids, review__year=year)
                      .values_list("review__org_id", "rating"))
    stages = Counter(Applicant.objects.filter(org_id__in=ids).values_list("org_id", "stage"))
    org_of = dict(PartyMember.objects.filter(org_id__in=ids).values_list("id", "org_id"))
    gained = Counter(org_of[m] for m, d in on_books_since(ids).items() if d.year == year)
    lost = Counter(MemberEvent.objects.filter(member__org_id__in=ids, on__year=year, new_value__in=LOST)
                   .values_list("member__org_id", flat=True))
    out = []
    for org in org_list:
        s = OrgYear(org)
        for rule in rules_for(org.form, rules):
            s.required[rule.kind] = len(periods_in_year(year, rule.months, until))
            s.held[rule.kind] = counts.get((org.pk, rule.kind), 0)
        a = att.get(org.pk)
        if a:
            s.expected, s.attended, s.online = a["n"], a["yes"], a["online"]
        s.ratings = {v: ratings.get((org.pk, v), 0) for v in Rating.values}
        s.stages = {v: stages.get((org.pk, v), 0) for v in STAGES if v != Stage.FULL}
        s.gained, s.lost = gained.get(org.pk, 0), lost.get(org.pk, 0)
        out.append(s)
    return out


TRANSFER_IN = "组织关系转入"


def on_books_since(org_ids: list[int]) -> dict[int, date]:
    """{member id: the day the member came onto the organization's books}: the last 组织关系转入, else
    the 入党日期 (a member developed by the organization itself)."""
    since = dict(PartyMember.objects.filter(org_id__in=org_ids).values_list("id", "joined_on"))
    for member_id, on in (MemberEvent.objects.filter(member_id__in=since, kind=TRANSFER_IN)
                          .values("member_id").annotate(on=Max("on")).values_list("member_id", "on")):
        since[member_id] = max(since[member_id], on)
    return since


def growth_series(org_list: list, year: int, span: int = 5) -> list[tuple[str, int]]:
    """Members on the books at the end of each of `span` years up to `year` (on the books by then,
    by joining or by transfer in, and not yet lost by then)."""
    ids = [o.pk for o in org_list]
    joins = Counter(d.year for d in on_books_since(ids).values())
    losses = Counter(MemberEvent.objects.filter(member__org_id__in=ids, new_value__in=LOST)
                     .values_list("on__year", flat=True))
    out = []
    for y in range(year - span + 1, year + 1):
        out.append((str(y), sum(v for k, v in joins.items() if k <= y) - sum(v for k, v in losses.items() if k <= y)))
    return out


KINDS = [(k.value, k.label) for k in SessionKind]


def stats_xlsx(title: str, year: int, rows: list[OrgYear], growth: list[tuple[str, int]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "text_wrap": True})
    cell = wb.add_format({"border": 1})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("组织生活统计")
    header = (["党组织"] + [f"{label}（开展/应开展）" for _, label in KINDS]
              + ["应参加人次", "参加人次", "其中线上", "参加率（%）"]
              + [f"评议{r.label}" for r in Rating] + [f"{s.label}" for s in STAGES if s != Stage.FULL]
              + ["当年增加（入党、转入）", "当年减少"])
    ws.merge_range(0, 0, 0, len(header) - 1, f"{title}{year} 年组织生活统计表", title_fmt)
    ws.write_string(1, 0, f"制表日期：{timezone.localdate():%Y-%m-%d}")
    for j, h in enumerate(header):
        ws.write_string(2, j, h, head)
        ws.set_column(j, j, 24 if j == 0 else 11)
    for i, s in enumerate(rows, 3):
        line = [s.org.name] + [f"{s.held[k]}/{s.required[k]}" if k in s.required else "—" for k, _ in KINDS]
        ws.write_string(i, 0, line[0], cell)
        for j, v in enumerate(line[1:], 1):
            ws.write_string(i, j, v, cell)
        nums = ([s.expected, s.attended, s.online, s.rate if s.rate is not None else 0]
                + [s.ratings.get(r.value, 0) for r in Rating]
                + [s.stages.get(st.value, 0) for st in STAGES if st != Stage.FULL] + [s.gained, s.lost])
        for j, v in enumerate(nums, len(line)):
            ws.write_number(i, j, v, cell)
    ws.freeze_panes(3, 1)
    g = wb.add_worksheet("党员人数增长")
    g.write_string(0, 0, "年度", head)
    g.write_string(0, 1, "年末党员人数", head)
    for i, (y, n) in enumerate(growth, 1):
        g.write_string(i, 0, y, cell)
        g.write_number(i, 1, n, cell)
    wb.close()
    return buf.getvalue()
