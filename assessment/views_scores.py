"""Pages of the assessment: schemes, computing, the ranking, one node's scores with their formula
and evidence, hand entry, 述职评议 and the community's opinion on a resident unit. The assessed read
their own scores and nothing else; only the district writes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import has_perm, has_perm_at, scope_filter, scope_paths
from accounts.views import add_errors
from core import treepaths
from regions.models import Region, RegionKind

from . import scoring
from .forms import OpinionForm, ReviewForm, SchemeForm, SchemeItemForm, ScoreForm
from .models import ListStatus, Method, Opinion, Review, Scheme, SchemeItem, SchemeLevel, Score
from .rules import P
from .views import _bad, _errors, _need


def _visible_schemes(user):
    """Schemes of the district(s) above or inside the user's scope: drafts only to those who direct."""
    roots = scope_paths(user, P.VIEW)
    qs = Scheme.objects.select_related("region")
    if roots is None:
        return qs
    ids = [s.pk for s in qs if any(r.startswith(s.region.path) or s.region.path.startswith(r) for r in roots)
           and (s.status == ListStatus.PUBLISHED or has_perm_at(user, P.DIRECT, s.region.path))]
    return qs.filter(pk__in=ids)


def _scheme(request, pk):
    return get_object_or_404(_visible_schemes(request.user), pk=pk)


def _in_scope(request, region: Region) -> bool:
    roots = scope_paths(request.user, P.VIEW)
    return roots is None or any(region.path.startswith(r) for r in roots)


def _unit_in_scope(request, unit) -> bool:
    """A resident unit is in scope where it is located or where it serves a community."""
    roots = scope_paths(request.user, P.VIEW)
    return roots is None or any(unit.serves(r) for r in roots)


@login_required
def schemes(request):
    _need(request)
    districts = scope_filter(Region.objects.filter(kind=RegionKind.DISTRICT), request.user, P.DIRECT)
    form = None
    if districts.exists():
        year = timezone.localdate().year
        form = SchemeForm(request.POST or None, initial={"year": year, "level": "community",
                                                         "title": f"{year}年社区党建工作目标考核"})
        if request.method == "POST" and form.is_valid():
            try:
                s = scoring.scheme_create(actor=request.user, region=districts.first(), **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已新建考核方案，请添加考核项目")
                return redirect("assessment:scheme", pk=s.pk)
    return render(request, "assessment/schemes.html", {"schemes": _visible_schemes(request.user), "form": form})


@login_required
def scheme_detail(request, pk: int):
    _need(request)
    s = _scheme(request, pk)
    can_edit = has_perm_at(request.user, P.DIRECT, s.region.path)
    draft = can_edit and s.status == ListStatus.DRAFT
    items = list(s.items.all())
    known = scoring.sources_for(s.level)
    for i in items:
        i.source_label = known[i.source].label if i.source in known else ""
    return render(request, "assessment/scheme.html", {
        "s": s, "items": items, "can_edit": can_edit, "draft": draft,
        "total": sum(i.weight for i in items), "cobuild": sum(i.weight for i in items if i.cobuild),
        "problems": scoring.scheme_problems(s) if s.status == ListStatus.DRAFT else [],
        "item_form": SchemeItemForm(sources=known) if draft else None,
    })


@login_required
@require_POST
def scheme_action(request, pk: int, action: str):
    _need(request, P.DIRECT)
    s = _scheme(request, pk)
    try:
        if action == "item":
            form = SchemeItemForm(request.POST, sources=scoring.sources_for(s.level))
            if not form.is_valid():
                return _bad(request, form, "assessment:scheme", s.pk)
            scoring.scheme_item_add(actor=request.user, scheme=s, **form.cleaned_data)
            messages.success(request, "已添加考核项目")
        elif action == "publish":
            scoring.scheme_publish(actor=request.user, scheme=s)
            messages.success(request, "方案已发布")
        elif action == "compute":
            n = scoring.scores_compute(actor=request.user, scheme=s)
            messages.success(request, f"已按平台记录计算 {n} 项得分")
            return redirect("assessment:ranking", pk=s.pk)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:scheme", pk=s.pk)


@login_required
def ranking(request, pk: int):
    _need(request)
    s = _scheme(request, pk)
    if s.status != ListStatus.PUBLISHED:
        raise Http404("方案尚未发布")
    rows = scoring.ranking(s)
    short = any(r.short for r in rows)
    n = len(rows)
    if s.level == SchemeLevel.UNIT:
        rows = [r for r in rows if _in_scope(request, r.target.region)]
    else:
        rows = [r for r in rows if _in_scope(request, r.target)]
    from django.core.paginator import Paginator

    return render(request, "assessment/ranking.html", {
        "s": s, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "n": n,
        "quota": scoring.quota(s, n, short), "short": short,
        "unit_level": s.level == SchemeLevel.UNIT,
    })


def _score_rows(s: Scheme, *, region=None, unit=None):
    scores = {sc.item_id: sc for sc in Score.objects.filter(item__scheme=s, region=region, unit=unit)
              .select_related("entered_by")} if unit is None else {
        sc.item_id: sc for sc in Score.objects.filter(item__scheme=s, unit=unit).select_related("entered_by")}
    return [(i, scores.get(i.pk)) for i in s.items.all()]


@login_required
def node_scores(request, pk: int, region_pk: int):
    _need(request)
    s = _scheme(request, pk)
    region = get_object_or_404(scope_filter(Region.objects.all(), request.user, P.VIEW), pk=region_pk)
    can_edit = has_perm_at(request.user, P.DIRECT, s.region.path) and s.status == ListStatus.PUBLISHED
    rows = _score_rows(s, region=region)
    return render(request, "assessment/scores.html", {
        "s": s, "target": region, "rows": rows, "can_edit": can_edit,
        "total": sum((sc.value for _, sc in rows if sc), 0),
        "review": Review.objects.filter(scheme=s, region=region).first(),
        "review_form": ReviewForm() if can_edit else None, "score_form": ScoreForm() if can_edit else None,
        "methods": Method,
    })


@login_required
def unit_scores(request, pk: int, unit_pk: int):
    from cobuild.models import ResidentUnit

    _need(request)
    s = _scheme(request, pk)
    unit = get_object_or_404(ResidentUnit.objects.select_related("region"), pk=unit_pk)
    if not _unit_in_scope(request, unit) or s.level != SchemeLevel.UNIT:
        raise Http404("不存在或不在您的管辖范围内")
    can_edit = has_perm_at(request.user, P.DIRECT, s.region.path) and s.status == ListStatus.PUBLISHED
    rows = _score_rows(s, unit=unit)
    opinion = Opinion.objects.filter(scheme=s, unit=unit).first()
    can_opine = bool(scoring.unit_communities_for(request.user, unit)) and has_perm(request.user, P.REPORT)
    return render(request, "assessment/scores.html", {
        "s": s, "target": unit, "unit": unit, "rows": rows, "can_edit": can_edit and opinion is not None,
        "total": sum((sc.value for _, sc in rows if sc), 0), "opinion": opinion,
        "opinion_form": OpinionForm(initial={"rating": getattr(opinion, "rating", None),
                                             "opinion": getattr(opinion, "opinion", "")}) if can_opine else None,
        "score_form": ScoreForm() if can_edit else None, "methods": Method,
    })


@login_required
@require_POST
def score_enter(request, pk: int, item_pk: int):
    _need(request, P.DIRECT)
    s = _scheme(request, pk)
    item = get_object_or_404(SchemeItem, pk=item_pk, scheme=s)
    form = ScoreForm(request.POST)
    unit = None
    region = None
    if request.POST.get("unit"):
        from cobuild.models import ResidentUnit

        unit = get_object_or_404(ResidentUnit, pk=request.POST.get("unit"))
        back = ("assessment:unit_scores", unit.pk)
    else:
        region = get_object_or_404(scope_filter(Region.objects.all(), request.user, P.DIRECT),
                                   pk=request.POST.get("region") or 0)
        back = ("assessment:node_scores", region.pk)
    if form.is_valid():
        try:
            scoring.score_enter(actor=request.user, item=item, region=region, unit=unit, **form.cleaned_data)
            messages.success(request, "已录入得分")
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _bad(request, form, "assessment:scheme", s.pk)
    return redirect(back[0], pk=s.pk, **({"unit_pk": back[1]} if unit else {"region_pk": back[1]}))


@login_required
@require_POST
def review_save(request, pk: int, region_pk: int):
    _need(request, P.DIRECT)
    s = _scheme(request, pk)
    region = get_object_or_404(scope_filter(Region.objects.all(), request.user, P.DIRECT), pk=region_pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            scoring.review_record(actor=request.user, scheme=s, region=region, **form.cleaned_data)
            messages.success(request, "已登记述职评议")
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _bad(request, form, "assessment:scheme", s.pk)
    return redirect("assessment:node_scores", pk=s.pk, region_pk=region.pk)


@login_required
@require_POST
def opinion_save(request, pk: int, unit_pk: int):
    from cobuild.models import ResidentUnit

    _need(request, P.REPORT)
    s = _scheme(request, pk)
    unit = get_object_or_404(ResidentUnit.objects.select_related("region"), pk=unit_pk)
    if not _unit_in_scope(request, unit):
        raise Http404("不存在或不在您的管辖范围内")
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            scoring.opinion_give(actor=request.user, scheme=s, unit=unit, **form.cleaned_data)
            messages.success(request, "已提交社区党组织意见")
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _bad(request, form, "assessment:scheme", s.pk)
    return redirect("assessment:unit_scores", pk=s.pk, unit_pk=unit.pk)


@login_required
def score_evidence(request, pk: int):
    """The records behind one computed score (its evidence), read with the reader's scope."""
    _need(request)
    sc = get_object_or_404(Score.objects.select_related("item__scheme__region", "region", "unit"), pk=pk)
    if not _in_scope(request, sc.region):
        raise Http404("不存在或不在您的管辖范围内")
    s = sc.item.scheme
    records = []
    if sc.item.method in (Method.COUNT, Method.RATE):
        src = scoring.sources_for(s.level)[sc.item.source]
        records = src.records(sc.unit or sc.region, s.year)
    elif sc.item.method == Method.CHECKLIST:
        from .models import CheckItem

        records = [(f"{c.inspection.date:%Y-%m-%d} {c.inspection.region.name}：{c.text}（{c.get_result_display()}）",
                    "") for c in CheckItem.objects.filter(
            inspection__date__year=s.year, inspection__region__path__gte=sc.region.path,
            inspection__region__path__lt=treepaths.upper_bound(sc.region.path)).select_related(
            "inspection__region")[:100]]
    return render(request, "assessment/evidence.html", {"sc": sc, "s": s, "records": records})
