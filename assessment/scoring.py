"""Assessment schemes and scores: a scheme per year and level as data, validated when published;
scores computed from the platform's records (each with its raw figure, formula and evidence) and
entered by hand only where no record exists; 述职评议; the community's opinion on a resident unit;
the ranking with the excellence quota cut for those who fell short during the year."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core import treepaths as paths
from regions.models import Region, RegionKind

from .models import (
    Assignment,
    CheckItem,
    CheckResult,
    Escalation,
    Finding,
    ListStatus,
    Method,
    Opinion,
    Rating,
    Review,
    Scheme,
    SchemeItem,
    SchemeLevel,
    Score,
)
from .rules import P
from .services import _require, _text, is_receiver
from .sources import SOURCES, UNIT_SOURCES

CENT = Decimal("0.01")


def _dec(value, field: str, label: str, *, lo: Decimal, hi: Decimal) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except Exception:  # noqa: BLE001  (any unparsable number)
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not d.is_finite() or not lo <= d <= hi:
        raise ValidationError({field: f"{label}应在 {lo} 到 {hi} 之间"})
    return d


def sources_for(level: str) -> dict:
    return UNIT_SOURCES if level == SchemeLevel.UNIT else SOURCES


# ---------------------------------------------------------------- schemes

@transaction.atomic
def scheme_create(*, actor, region: Region, year: int, level: str, title: str, cobuild_min=20, excellent_ratio=30,
                  reduction=5) -> Scheme:
    _require(actor, P.DIRECT, region.path, "制定考核方案")
    if region.kind != RegionKind.DISTRICT:
        raise ValidationError({"region": "考核方案由区（县）委组织部制定"})
    if level not in SchemeLevel.values:
        raise ValidationError({"level": "请选择考核对象"})
    if Scheme.objects.filter(region=region, year=year, level=level).exists():
        raise ValidationError({"level": f"{year} 年已有该层级的考核方案"})
    s = Scheme.objects.create(region=region, year=year, level=level, title=_text(title, "title", "名称", max_len=120),
                              cobuild_min=_dec(cobuild_min, "cobuild_min", "共驻共建最低分值占比", lo=Decimal(0),
                                               hi=Decimal(100)),
                              excellent_ratio=_dec(excellent_ratio, "excellent_ratio", "优秀比例", lo=Decimal(0),
                                                   hi=Decimal(100)),
                              reduction=_dec(reduction, "reduction", "核减比例", lo=Decimal(3), hi=Decimal(5)))
    record(actor=actor, action=AuditAction.CREATE, obj=s, changes=diff({}, snapshot(s, ["title", "year", "level"])))
    return s


@transaction.atomic
def scheme_item_add(*, actor, scheme: Scheme, name: str, weight, method: str, source: str = "", target=None,
                    cobuild: bool = False) -> SchemeItem:
    _require(actor, P.DIRECT, scheme.region.path, "制定考核方案")
    if scheme.status != ListStatus.DRAFT:
        raise ValidationError("方案已发布，不能修改")
    if method not in Method.values:
        raise ValidationError({"method": "请选择评分方式"})
    weight = _dec(weight, "weight", "分值", lo=Decimal("0.01"), hi=Decimal(100))
    known = sources_for(scheme.level)
    if method in (Method.COUNT, Method.RATE):
        if source not in known or known[source].kind != method:
            raise ValidationError({"source": f"请选择{Method(method).label}的数据来源"})
    else:
        source = ""
    if method == Method.COUNT:
        if target in (None, ""):
            raise ValidationError({"target": "平台计数项须填写满分标准"})
        target = _dec(target, "target", "满分标准", lo=Decimal(1), hi=Decimal(1000000))
    else:
        target = None
    order = (scheme.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = SchemeItem.objects.create(scheme=scheme, order=order, name=_text(name, "name", "考核项目", max_len=80),
                                     weight=weight, method=method, source=source, target=target, cobuild=bool(cobuild))
    record(actor=actor, action=AuditAction.UPDATE, obj=scheme, changes={"items": [None, f"{item.name} {weight}"]})
    return item


def scheme_problems(scheme: Scheme) -> list[str]:
    """What keeps a scheme from being published (Chinese, one line each)."""
    items = list(scheme.items.all())
    out = []
    total = sum((i.weight for i in items), Decimal(0))
    if total != 100:
        out.append(f"各考核项目分值合计应为 100 分，现为 {total.normalize():f} 分")
    cob = sum((i.weight for i in items if i.cobuild), Decimal(0))
    if scheme.cobuild_min and total and cob * 100 < scheme.cobuild_min * total:
        out.append(f"共驻共建分值合计 {cob.normalize():f} 分，应不低于总分值的 {scheme.cobuild_min.normalize():f}%")
    return out


@transaction.atomic
def scheme_publish(*, actor, scheme: Scheme) -> Scheme:
    s = Scheme.objects.select_for_update().select_related("region").get(pk=scheme.pk)
    _require(actor, P.DIRECT, s.region.path, "发布考核方案")
    if s.status != ListStatus.DRAFT:
        raise ValidationError("方案已发布")
    problems = scheme_problems(s)
    if problems:
        raise ValidationError({"items": problems})
    s.status = ListStatus.PUBLISHED
    s.save(update_fields=["status"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=s, changes={"status": ["草稿", "已发布"]})
    return s


# ---------------------------------------------------------------- computing

def assessed_nodes(scheme: Scheme) -> list[Region]:
    kind = RegionKind.STREET if scheme.level == SchemeLevel.STREET else RegionKind.COMMUNITY
    return list(Region.objects.filter(kind=kind, path__gte=scheme.region.path,
                                      path__lt=paths.upper_bound(scheme.region.path)).order_by("path"))


def assessed_units(scheme: Scheme) -> list:
    from cobuild.models import ResidentUnit

    return list(ResidentUnit.objects.serving(scheme.region.path).select_related("region").order_by("name", "pk"))


def unit_communities_for(actor, unit) -> list[Region]:
    """The communities the unit serves (by agreement) where `actor` reports: those whose Party
    organization may give the opinion on it."""
    served = [c for c in unit.communities() if c.kind == RegionKind.COMMUNITY]
    if unit.region.kind == RegionKind.COMMUNITY and all(c.pk != unit.region_id for c in served):
        served.append(unit.region)
    return [c for c in served if is_receiver(actor, c)]


def unit_home_in(unit, scheme) -> Region | None:
    """Where a unit is assessed within a scheme: where it is located when inside the scheme's
    area, else the first community it serves there."""
    if paths.is_under(unit.region.path, scheme.region.path):
        return unit.region
    return next((c for c in unit.communities() if paths.is_under(c.path, scheme.region.path)), None)


def _value(item: SchemeItem, figure) -> tuple[Decimal, Decimal, str] | None:
    """(score, raw figure, formula with numbers) or None when no record gives a figure."""
    w = item.weight
    if item.method == Method.COUNT:
        n = Decimal(figure or 0)
        v = (w * min(n / item.target, Decimal(1))).quantize(CENT, rounding=ROUND_HALF_UP)
        return v, n, f"{n.normalize():f} ÷ {item.target.normalize():f} × {w.normalize():f}（封顶）= {v}"
    part, whole = figure
    if not whole:
        return None
    rate = Decimal(part) / Decimal(whole)
    v = (w * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return v, rate.quantize(Decimal("0.0001")), f"{part} ÷ {whole} × {w.normalize():f} = {v}"


def _checklists(nodes: list[Region], year: int) -> dict[str, tuple[int, int]]:
    """{node path: (checks passed, checks marked)} over the year's inspections of the node and below."""
    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    if not nodes:
        return {}
    n = len(nodes[0].path)
    rows = (CheckItem.objects.filter(inspection__date__year=year, result__in=[CheckResult.PASS, CheckResult.FAIL])
            .annotate(c=Substr("inspection__region__path", 1, n)).values("c")
            .annotate(ok=Count("id", filter=Q(result=CheckResult.PASS)), all=Count("id")).order_by())
    return {r["c"]: (r["ok"], r["all"]) for r in rows if len(r["c"]) == n}


@transaction.atomic
def scores_compute(*, actor, scheme: Scheme) -> int:
    """Compute every item that the platform's records can score, for every assessed node (or unit)
    of the scheme; hand-entered scores stay. Returns the number of scores written."""
    s = Scheme.objects.select_for_update().select_related("region").get(pk=scheme.pk)
    _require(actor, P.DIRECT, s.region.path, "计算考核得分")
    if s.status != ListStatus.PUBLISHED:
        raise ValidationError("请先发布方案")
    items = [i for i in s.items.all() if i.method != Method.COMMITTEE]
    unit_level = s.level == SchemeLevel.UNIT
    targets = assessed_units(s) if unit_level else assessed_nodes(s)
    Score.objects.filter(item__in=items, hand=False).delete()
    known = sources_for(s.level)
    rows = []
    for item in items:
        if item.method == Method.CHECKLIST:
            if unit_level:
                continue
            figs, formula = _checklists(targets, s.year), "本年督查检查项中“符合”项数 ÷ 已判定项数 × 分值"
        else:
            src = known[item.source]
            figs, formula = src.figures(targets, s.year), src.formula
        taken = {sc.region_id if not unit_level else sc.unit_id
                 for sc in Score.objects.filter(item=item, hand=True)}
        for t in targets:
            key = t.pk if unit_level else t.path
            fig = figs.get(key)
            if item.method == Method.COUNT:
                fig = fig or 0
            elif fig is None:
                continue  # no record: left for hand entry
            got = _value(item, fig)
            if got is None or t.pk in taken:
                continue
            v, raw, numbers = got
            region = (unit_home_in(t, s) or t.region) if unit_level else t
            rows.append(Score(item=item, region=region, unit=t if unit_level else None,
                              value=v, raw=raw, formula=f"{formula}：{numbers}"[:300], entered_by=actor))
    Score.objects.bulk_create(rows, batch_size=2000)
    s.computed_at = timezone.now()
    s.save(update_fields=["computed_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=s, changes={"computed": [None, len(rows)]})
    return len(rows)


@transaction.atomic
def score_enter(*, actor, item: SchemeItem, value, note: str, region: Region | None = None, unit=None) -> Score:
    """A hand-entered score: a committee's score, or an item no platform record can give for this
    node. A resident unit's score needs the community's opinion first."""
    item = SchemeItem.objects.select_related("scheme__region").get(pk=item.pk)
    s = item.scheme
    _require(actor, P.DIRECT, s.region.path, "录入考核得分")
    if s.status != ListStatus.PUBLISHED:
        raise ValidationError("请先发布方案")
    if (unit is None) == (s.level == SchemeLevel.UNIT):
        raise ValidationError("考核对象不正确")
    if unit is not None:
        region = unit_home_in(unit, s)
        if not Opinion.objects.filter(scheme=s, unit=unit).exists():
            raise ValidationError(f"须先征询“{unit}”所服务社区的党组织对其的意见")
    if region is None or not region.path.startswith(s.region.path):
        raise ValidationError({"region": "被考核单位不在方案范围内"})
    existing = Score.objects.select_for_update().filter(item=item, region=region, unit=unit).first()
    if existing is not None and not existing.hand:
        raise ValidationError("该项已由平台记录计算，不能手工录入")
    value = _dec(value, "value", "得分", lo=Decimal(0), hi=item.weight)
    note = _text(note, "note", "说明（评分依据）", max_len=300)
    before = snapshot(existing, ["value", "note"]) if existing else {}
    sc = existing or Score(item=item, region=region, unit=unit, hand=True)
    method = "评议评分" if item.method == Method.COMMITTEE else "无平台记录，手工录入"
    sc.value, sc.note, sc.entered_by, sc.raw = value, note, actor, None
    sc.formula = f"{method}（{getattr(actor, 'full_name', '') or actor}）：{value} / {item.weight.normalize():f}"
    sc.save()
    record(actor=actor, action=AuditAction.UPDATE if existing else AuditAction.CREATE, obj=sc,
           changes=diff(before, snapshot(sc, ["value", "note"])))
    return sc


@transaction.atomic
def review_record(*, actor, scheme: Scheme, region: Region, reporter: str, rating: str, good_votes: int,
                  total_votes: int, note: str = "") -> Review:
    """述职评议: a secretary reports back; the rating and the votes."""
    _require(actor, P.DIRECT, scheme.region.path, "登记述职评议")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择评议等次"})
    try:
        good_votes, total_votes = int(good_votes), int(total_votes)
    except (TypeError, ValueError):
        raise ValidationError({"good_votes": "票数应为整数"}) from None
    if not 0 <= good_votes <= total_votes <= 100000:
        raise ValidationError({"good_votes": "“好”票数应在 0 到参评人数之间"})
    r, created = Review.objects.update_or_create(scheme=scheme, region=region, defaults=dict(
        reporter=_text(reporter, "reporter", "述职人", max_len=50), rating=rating, good_votes=good_votes,
        total_votes=total_votes, note=_text(note, "note", "评议意见", max_len=300, required=False)))
    record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=r,
           changes=diff({}, snapshot(r, ["reporter", "rating", "good_votes", "total_votes"])))
    return r


@transaction.atomic
def opinion_give(*, actor, scheme: Scheme, unit, rating: str, opinion: str) -> Opinion:
    """The community Party organization's opinion on a resident unit (its secretary or staff)."""
    mine = unit_communities_for(actor, unit)
    if not mine:
        raise ValidationError("只有驻区单位所服务社区的党组织可以填写意见")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择意见等次"})
    o, created = Opinion.objects.update_or_create(scheme=scheme, unit=unit, defaults=dict(
        region=mine[0], rating=rating, opinion=_text(opinion, "opinion", "社区党组织意见", max_len=1000),
        given_by=actor))
    record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=o,
           changes=diff({}, snapshot(o, ["unit", "rating"])))
    return o


# ---------------------------------------------------------------- ranking

@dataclass
class Row:
    target: object       # a Region, or a ResidentUnit
    total: Decimal
    scored: int
    items: int
    short: list[str] = field(default_factory=list)   # why it fell short during the year (平时考核不力)
    needs_opinion: bool = False
    rank: int = 0
    excellent: bool = False


def fell_short(scheme: Scheme, nodes: list[Region]) -> dict[int, list[str]]:
    """平时考核不力: a key task or a rectification of the node that climbed to the street or higher."""
    out: dict[int, list[str]] = {}
    by_path = {n.path: n.pk for n in nodes}
    n = len(nodes[0].path) if nodes else 0
    for path in (Assignment.objects.filter(task__aspect__task_list__year=scheme.year,
                                           escalation__gte=Escalation.MONTHLY,
                                           region__path__gte=scheme.region.path,
                                           region__path__lt=paths.upper_bound(scheme.region.path))
                 .values_list("region__path", flat=True)):
        if path[:n] in by_path:
            out.setdefault(by_path[path[:n]], []).append("重点任务超期升级")
    for path in (Finding.objects.filter(inspection__date__year=scheme.year, escalation__gte=Escalation.MONTHLY,
                                        region__path__gte=scheme.region.path,
                                        region__path__lt=paths.upper_bound(scheme.region.path))
                 .values_list("region__path", flat=True)):
        if path[:n] in by_path:
            out.setdefault(by_path[path[:n]], []).append("督查整改超期升级")
    return {k: sorted(set(v)) for k, v in out.items()}


def quota(scheme: Scheme, n: int, any_short: bool) -> int:
    """How many may be rated 优秀: the scheme's ratio, cut by `reduction` points when any fell short."""
    ratio = scheme.excellent_ratio - (scheme.reduction if any_short else 0)
    return max(0, math.floor(n * ratio / 100))


def ranking(scheme: Scheme, targets: list | None = None) -> list[Row]:
    """Totals, rank, and who is 优秀: the top of the ranking within the quota, none that fell short,
    no unit without its community's opinion."""
    from django.db.models import Count, Sum

    unit_level = scheme.level == SchemeLevel.UNIT
    all_targets = assessed_units(scheme) if unit_level else assessed_nodes(scheme)
    key = "unit_id" if unit_level else "region_id"
    sums = {r[key]: r for r in Score.objects.filter(item__scheme=scheme).values(key)
            .annotate(total=Sum("value"), n=Count("id")).order_by()}
    n_items = scheme.items.count()
    short = {} if unit_level else fell_short(scheme, all_targets)
    opinions = set(Opinion.objects.filter(scheme=scheme).values_list("unit_id", flat=True)) if unit_level else set()
    rows = [Row(t, sums.get(t.pk, {}).get("total") or Decimal(0), sums.get(t.pk, {}).get("n", 0), n_items,
                short.get(t.pk, []) if not unit_level else [], unit_level and t.pk not in opinions)
            for t in all_targets]
    rows.sort(key=lambda r: (-r.total, getattr(r.target, "path", "") or r.target.pk))
    prev, rank = None, 0
    for i, r in enumerate(rows, 1):
        if r.total != prev:
            rank, prev = i, r.total
        r.rank = rank
    left = quota(scheme, len(rows), any(r.short for r in rows))
    for r in rows:
        if left and not r.short and not r.needs_opinion and r.scored:
            r.excellent, left = True, left - 1
    if targets is not None:
        keep = {t.pk for t in targets}
        rows = [r for r in rows if r.target.pk in keep]
    return rows
