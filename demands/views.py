"""Staff pages: intake, the street report, lists, the demand with its actions, the escalation
pages (周纪实 / 月调度 / 季化解) and statistics."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm, scope_filter
from audit.downloads import serve_private
from core.forms import flash_errors
from regions.models import Region, RegionKind

from . import selectors, services
from .forms import DaysOffForm, IntakeForm, RateForm, StreetReportForm, WorkdayForm
from .models import Channel, Demand, DemandPhoto, Escalation, HandlingUnit, State, WorkCalendarDay
from .rules import STAFF_ACTIONS, TRANSITIONS, DemandPerm

TOO_BIG = "提交的内容过大（超过 10 MB）：请缩短诉求内容或减少照片，本次未保存"


def read_post(request):
    """request.POST and FILES, or None when the body is over the upload limit."""
    try:
        return request.POST, request.FILES
    except RequestDataTooBig:
        return None, None


def mark_too_big(form) -> None:
    """Put the 'too big' message on an unbound form (the body could not be read at all)."""
    from django.forms.utils import ErrorDict

    form._errors, form.cleaned_data = ErrorDict(), {}
    form.add_error(None, TOO_BIG)


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            target = field if visible else None
            for e in errs:
                names = {"photos": "照片", "lat": "位置", "region": "所属节点"}
                label = "" if target else (names.get(field, "") + "：")
                form.add_error(target, e if target else f"{label}{e}".lstrip("："))
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _nodes(user, kinds=(RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID)):
    return list(scope_filter(Region.objects.filter(kind__in=kinds), user, DemandPerm.HANDLE)
                .select_related("parent").order_by("path")[:1000])


@login_required
def demand_list(request):
    require_perm(request.user, DemandPerm.VIEW, what="访问接诉即办")
    g = request.GET
    region = None
    if g.get("region", "").isdigit():
        region = get_in_scope_or_404(Region.objects.all(), request.user, DemandPerm.VIEW, pk=int(g["region"]))
    dates = {}
    for name, label in (("since", "起始日期"), ("until", "截止日期")):
        raw = g.get(name, "").strip()
        if raw:
            try:
                dates[name] = date.fromisoformat(raw)
            except ValueError:
                messages.error(request, f"{label}“{raw[:20]}”不是有效日期（应为 年-月-日，如 2026-05-01），已忽略")
    qs = selectors.demand_list(request.user, state=g.get("state", ""), channel=g.get("channel", ""),
                               category=g.get("category", ""), overdue=g.get("overdue") == "1",
                               q=g.get("q", "").strip()[:50], region=region, escalated=g.get("escalated") == "1",
                               **dates)
    page = Paginator(qs, 30).get_page(g.get("page"))
    params = g.copy()
    params.pop("page", None)
    return render(request, "demands/list.html", {
        "page": page, "states": State.choices, "channels": Channel.choices,
        "categories": selectors.active_categories(), "f": g, "qs_params": params.urlencode(), "now": timezone.now(),
        "region": region, "dates": dates,
    })


@login_required
def queue(request):
    require_perm(request.user, DemandPerm.HANDLE, what="访问接诉即办")
    page = Paginator(selectors.handler_queue(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "demands/queue.html", {"page": page, "now": timezone.now()})


@login_required
def create(request):
    require_perm(request.user, DemandPerm.HANDLE, what="访问接诉即办")
    cats, nodes = selectors.active_categories(), _nodes(request.user)
    if request.method == "POST":
        data, files = read_post(request)
        if data is None:
            form = IntakeForm(categories=cats, nodes=nodes)
            mark_too_big(form)
            return render(request, "demands/create.html", {"form": form}, status=400)
        form = IntakeForm(data, categories=cats, nodes=nodes)
        if form.is_valid():
            d = form.cleaned_data
            region = next((n for n in nodes if str(n.pk) == d["region"]), None)
            try:
                demand = services.demand_create(
                    actor=request.user, channel=d["channel"], category=d["category"], region=region,
                    title=d["title"], description=d["description"], address=d["address"], lat=d["lat"],
                    lng=d["lng"], caller_name=d["caller_name"], caller_phone=d["caller_phone"],
                    anonymous=d["anonymous"], photos=files.getlist("photos"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已登记，编号 {demand.tracking_code}。请告知诉求人查询码 "
                                          f"{demand.secret_code}（凭它网上评价和补充信息，只显示这一次）")
                return redirect("demands:detail", pk=demand.pk)
        return render(request, "demands/create.html", {"form": form}, status=400)
    return render(request, "demands/create.html", {"form": IntakeForm(categories=cats, nodes=nodes)})


@login_required
def street_report(request):
    """A grid worker's report from the street: phone-sized, with a photo and the browser's location."""
    require_perm(request.user, DemandPerm.HANDLE, what="访问接诉即办")
    cats, grids = selectors.active_categories(), _nodes(request.user, (RegionKind.GRID,))
    initial = {}
    if request.GET.get("grid", "").isdigit():
        initial["grid"] = request.GET["grid"]
    if request.GET.get("household", "").isdigit():
        initial["household"] = int(request.GET["household"])
    if request.method == "POST":
        data, files = read_post(request)
        if data is None:
            form = StreetReportForm(categories=cats, grids=grids)
            mark_too_big(form)
            return render(request, "demands/street_report.html", {"form": form}, status=400)
        form = StreetReportForm(data, categories=cats, grids=grids)
        if form.is_valid():
            d = form.cleaned_data
            grid = next(g for g in grids if str(g.pk) == d["grid"])
            try:
                demand = services.demand_create(
                    actor=request.user, channel=Channel.STREET, category=d["category"], region=grid,
                    title=d["title"], description=d["description"], address=d["address"], lat=d["lat"],
                    lng=d["lng"], household_id=d["household"], photos=files.getlist("photos"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已上报，编号 {demand.tracking_code}")
                return redirect("demands:detail", pk=demand.pk)
        return render(request, "demands/street_report.html", {"form": form}, status=400)
    form = StreetReportForm(initial=initial, categories=cats, grids=grids)
    return render(request, "demands/street_report.html", {"form": form})


def _detail_context(request, demand: Demand) -> dict:
    user = request.user
    can_handle = has_perm_at(user, DemandPerm.HANDLE, demand.region.path)
    actions = [(a, TRANSITIONS[a]) for a in STAFF_ACTIONS if demand.state in TRANSITIONS[a].sources]
    actions = actions if can_handle else []
    dup_states = (State.SUBMITTED, State.ACCEPTED)
    targets = selectors.dispatch_targets(user, demand) if any(a == "dispatch" for a, _ in actions) else None
    from accounts.roles import Perm

    return {
        "demand": demand,
        "events": demand.events.select_related("actor").prefetch_related("photos"),
        "photos": demand.photos.filter(event__isnull=True),
        "actions": actions,
        "can_handle": can_handle,
        "targets": targets,
        "suggested": selectors.suggested_grid(demand, targets),
        "duplicates": selectors.duplicate_candidates(user, demand) if demand.state in dup_states else [],
        "rate_form": RateForm() if can_handle and demand.state in (State.HANDLED, State.FOLLOW_UP) else None,
        "can_reveal": bool(demand.caller_phone or demand.description_full)
        and has_perm_at(user, Perm.PII_VIEW_FULL, demand.region.path),
        "now": timezone.now(),
    }


@login_required
def photo(request, pk: int, photo_pk: int):
    """A photo of a demand the viewer may see (the demand's scope), never by a public address."""
    require_perm(request.user, DemandPerm.VIEW, what="访问接诉即办")
    demand = selectors.demand_get(request.user, pk)
    p = get_object_or_404(DemandPhoto, pk=photo_pk, demand=demand)
    return serve_private(request, p.image, obj=demand, label="诉求照片")


@login_required
def detail(request, pk: int):
    require_perm(request.user, DemandPerm.VIEW, what="访问接诉即办")
    demand = selectors.demand_get(request.user, pk)
    return render(request, "demands/detail.html", _detail_context(request, demand))


def _post_action(request, pk: int, fn):
    require_perm(request.user, DemandPerm.HANDLE, what="访问接诉即办")
    demand = selectors.demand_get(request.user, pk)
    data, files = read_post(request)
    if data is None:
        messages.error(request, TOO_BIG)
        return redirect("demands:detail", pk=demand.pk)
    try:
        msg = fn(demand, data, files)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if msg:
            messages.success(request, msg)
    return redirect("demands:detail", pk=demand.pk)


def _version(data):
    v = data.get("version", "")
    return int(v) if str(v).isdigit() else None


@login_required
@require_POST
def act(request, pk: int):
    def run(demand, data, files):
        action = data.get("action", "")
        target = data.get("target", "")
        target_region = target_unit = None
        if action == "dispatch":
            kind, _, tid = target.partition(":")
            if kind == "r" and tid.isdigit():
                nodes = scope_filter(Region.objects.all(), request.user, DemandPerm.HANDLE)
                target_region = nodes.filter(pk=tid).first()
            elif kind == "u" and tid.isdigit():
                target_unit = scope_filter(HandlingUnit.objects.filter(active=True), request.user,
                                           DemandPerm.VIEW).filter(pk=tid).first()
            if target_region is None and target_unit is None:
                raise ValidationError({"target": "派单对象：请选择您管辖范围内的网格、社区、街道或承办单位"})
        d = services.demand_transition(
            actor=request.user, demand=demand, action=action, expected_version=_version(data),
            note=data.get("note", ""), photos=files.getlist("photos"), target_region=target_region,
            target_unit=target_unit,
        )
        return f"已{TRANSITIONS[action].label}，当前状态：{d.get_state_display()}"

    return _post_action(request, pk, run)


@login_required
@require_POST
def merge(request, pk: int):
    def run(demand, data, files):
        into_id = data.get("into", "")
        into = selectors.visible_demands(request.user).filter(pk=into_id).first() if str(into_id).isdigit() else None
        if into is None:
            raise ValidationError("要合并到的诉求不存在或不在您的管辖范围内")
        services.demand_merge(actor=request.user, demand=demand, into=into, expected_version=_version(data))
        return f"已合并到 {into.tracking_code}"

    return _post_action(request, pk, run)


@login_required
@require_POST
def rate(request, pk: int):
    def run(demand, data, files):
        d = services.demand_rate(actor=request.user, demand=demand, rating=data.get("rating", ""),
                                 note=data.get("note", ""), via="follow_up", expected_version=_version(data))
        return f"已记录回访评价，当前状态：{d.get_state_display()}"

    return _post_action(request, pk, run)


@login_required
@require_POST
def reveal_phone(request, pk: int):
    require_perm(request.user, DemandPerm.VIEW, what="访问接诉即办")
    demand = selectors.demand_get(request.user, pk)
    try:
        phone = services.demand_reveal_phone(actor=request.user, demand=demand, purpose=request.POST.get("purpose", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("demands:detail", pk=demand.pk)
    ctx = _detail_context(request, demand)
    ctx["revealed_phone"] = phone
    return render(request, "demands/detail.html", ctx)


LADDER_PAGES = {
    Escalation.WEEKLY: ("周纪实", "社区干部每周梳理：超期未办结、升级到社区的诉求"),
    Escalation.MONTHLY: ("月调度", "街道每月一调度：超期一周以上仍未办结的诉求"),
    Escalation.QUARTERLY: ("季化解", "难题每季一会商：超期一个月以上的诉求"),
}


def _ladder(request, level: int):
    require_perm(request.user, DemandPerm.STATS, what="访问接诉即办")
    qs = selectors.escalation_list(request.user, level)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    title, intro = LADDER_PAGES[level]
    return render(request, "demands/ladder.html", {
        "page": page, "title": title, "intro": intro, "level": level, "now": timezone.now(),
        "counts": selectors.escalation_counts(request.user),
    })


@login_required
def weekly(request):
    return _ladder(request, Escalation.WEEKLY)


@login_required
def monthly(request):
    return _ladder(request, Escalation.MONTHLY)


@login_required
def quarterly(request):
    return _ladder(request, Escalation.QUARTERLY)


@login_required
def stats(request):
    require_perm(request.user, DemandPerm.STATS, what="访问接诉即办")
    nodes = list(scope_filter(Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET,
                                                               RegionKind.COMMUNITY]), request.user, DemandPerm.STATS)
                 .order_by("path")[:500])
    if not nodes:
        raise PermissionDenied("您的管辖范围内没有可统计的节点")
    node = next((n for n in nodes if str(n.pk) == request.GET.get("node")), nodes[0])
    period = request.GET.get("period", "year")
    try:
        start, end, label = selectors.period_bounds(period)
    except (ValueError, IndexError):
        start, end, label = selectors.period_bounds("year")
    data = selectors.statistics_for(request.user, node, start, end)
    chart = {
        "channels": [{"name": Channel(r["channel"]).label, "value": r["n"]} for r in data["by_channel"]],
        "categories": [[r["category__name"], r["n"]] for r in data["by_category"]],
        "hot": [[h["lng"], h["lat"], h["n"]] for h in data["hot_spots"]],
    }
    return render(request, "demands/stats.html", {
        "nodes": nodes, "node": node, "period": period, "label": label, "data": data,
        "chart": chart,
    })


# ---------------------------------------------------------------- work calendar

def _calendar_year(request, value) -> int:
    lo, hi = selectors.calendar_view_years()
    this_year = timezone.localdate().year
    if value in (None, ""):
        return this_year
    if not str(value).isdigit() or not lo <= int(value) <= hi:
        messages.error(request, f"年份应在 {lo}～{hi} 之间，已显示 {this_year} 年")
        return this_year
    return int(value)


def _calendar_page(request, *, year=None, off_form=None, work_form=None, status=200):
    """The work calendar: everyone who sees demands reads it; `demands.manage` (the district
    admin) changes it."""
    require_perm(request.user, DemandPerm.VIEW, what="访问接诉即办")
    year = year if year is not None else _calendar_year(request, request.GET.get("year"))
    can_manage = has_perm(request.user, DemandPerm.MANAGE)
    lo, hi = selectors.calendar_view_years()
    edit_lo, edit_hi = services.calendar_years()
    ctx = {
        "year": year, "data": selectors.calendar_year(year), "can_manage": can_manage,
        "prev_year": year - 1 if year > lo else None, "next_year": year + 1 if year < hi else None,
        "years": range(hi, lo - 1, -1), "editable": can_manage and edit_lo <= year <= edit_hi,
        "edit_lo": edit_lo, "edit_hi": edit_hi,
        "wh_categories": [c.name for c in selectors.active_categories() if c.working_hours_only],
        "max_range": services.CALENDAR_MAX_RANGE_DAYS,
    }
    if can_manage:
        ctx["off_form"] = off_form or DaysOffForm()
        ctx["work_form"] = work_form or WorkdayForm()
    return render(request, "demands/calendar.html", ctx, status=status)


@login_required
def work_calendar(request):
    return _calendar_page(request)


def _calendar_post(request, form_class, run):
    require_perm(request.user, DemandPerm.MANAGE, what="维护工作日历")
    data, _ = read_post(request)
    form = form_class(data) if data is not None else form_class()
    if data is None:
        mark_too_big(form)
    elif form.is_valid():
        try:
            year, msg = run(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            for name in form.errors:
                if name in form.fields and "is-invalid" not in form.fields[name].widget.attrs.get("class", ""):
                    form.fields[name].widget.attrs["class"] += " is-invalid"
        else:
            messages.success(request, msg)
            return redirect(f"{reverse('demands:calendar')}?year={year}")
    # Show the year the person was working on.
    d = form.cleaned_data.get("start") or form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    lo, hi = selectors.calendar_view_years()
    year = d.year if d and lo <= d.year <= hi else timezone.localdate().year
    key = "off_form" if form_class is DaysOffForm else "work_form"
    return _calendar_page(request, year=year, status=400, **{key: form})


def _moved(n: int) -> str:
    return f"；重新计算了 {n} 件未办结诉求的时限" if n else "；没有未办结诉求的时限受影响"


@login_required
@require_POST
def calendar_days_off(request):
    def run(d):
        change = services.calendar_add_days_off(actor=request.user, start=d["start"], end=d["end"], name=d["name"])
        first, last = change.entries[0].date, change.entries[-1].date
        span = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"
        name = change.entries[0].name
        return first.year, f"已添加放假：{name} {span}（{len(change.entries)} 天）{_moved(change.recomputed)}"

    return _calendar_post(request, DaysOffForm, run)


@login_required
@require_POST
def calendar_workday(request):
    def run(d):
        change = services.calendar_add_workday(actor=request.user, day=d["day"], name=d["name"])
        row = change.entries[0]
        return row.date.year, f"已添加调休上班：{row.name} {services.fmt_day(row.date)}{_moved(change.recomputed)}"

    return _calendar_post(request, WorkdayForm, run)


@login_required
@require_POST
def calendar_delete(request, pk: int):
    require_perm(request.user, DemandPerm.MANAGE, what="维护工作日历")
    row = get_object_or_404(WorkCalendarDay, pk=pk)
    try:
        change = services.calendar_delete(actor=request.user, entry=row)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已删除{row.get_kind_display()}：{row.name} {services.fmt_day(row.date)}"
                                  f"{_moved(change.recomputed)}")
    return redirect(f"{reverse('demands:calendar')}?year={row.date.year}")
