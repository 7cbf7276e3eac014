"""Jobs: units post jobs, the community broker (社区经纪人) recommends registered seekers who consented,
placements and trainings are recorded, statistics per community and month."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at
from core.forms import add_errors, flash_errors

from .. import selectors, services
from ..forms import JobForm, TrainingForm
from ..models import JobState, Placement, SeekerState
from ..rules import P
from .common import form_page, manage_communities, need


@login_required
def job_list(request):
    need(request)
    qs = selectors.jobs(request.user).order_by("-posted_on", "-id").annotate(
        placed=Count("placements", filter=Q(placements__state=Placement.State.PLACED)),
        proposed=Count("placements", filter=Q(placements__state=Placement.State.PROPOSED)))
    state = request.GET.get("state", "")
    if state in JobState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "services/jobs.html", {
        "page": page, "states": JobState.choices, "state": state, "can_manage": has_perm(request.user, P.MANAGE),
        "trainings": selectors.trainings(request.user).annotate(n=Count("seekers"))[:10],
    })


@login_required
def job_new(request):
    need(request, P.MANAGE, what="登记就业岗位")
    from cobuild.models import ResidentUnit

    communities = manage_communities(request)
    units = ResidentUnit.objects.serving_any([c.path for c in communities]).select_related("region")
    form = JobForm(request.POST or None, units=units, regions=communities)
    if request.method == "POST" and form.is_valid():
        try:
            j = services.job_post(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已发布岗位：{j.title}")
            return redirect("services:job", j.pk)
    return form_page(request, form, "发布就业岗位", "services:jobs")


@login_required
def job_detail(request, pk):
    need(request)
    j = get_in_scope_or_404(selectors.jobs(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, j.region.path)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        if not manage:
            raise PermissionDenied("您没有办理该岗位的权限")
        try:
            if action == "propose":
                seeker = get_object_or_404(selectors.seekers(request.user, P.MANAGE),
                                           pk=request.POST.get("seeker") or 0)
                services.placement_propose(actor=request.user, job=j, seeker=seeker)
                messages.success(request, f"已推荐 {seeker.resident.name}")
            elif action in ("placed", "declined"):
                p = get_object_or_404(j.placements, pk=request.POST.get("placement") or 0)
                on = _date(request.POST.get("placed_on")) if action == "placed" else None
                services.placement_decide(actor=request.user, placement=p, placed=action == "placed", on=on)
                messages.success(request, "已登记上岗" if action == "placed" else "已登记未录用")
            else:
                raise Http404
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("services:job", j.pk)
    return render(request, "services/job.html", {
        "j": j, "manage": manage, "placements": j.placements.select_related("seeker__resident", "broker"),
        "suggestions": services.suggestions(j) if manage and j.state == JobState.OPEN else [],
        "filled": j.placements.filter(state=Placement.State.PLACED).count(), "today": services.today(),
    })


def _date(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
def seeker_list(request):
    """Registered seekers; the broker finds a resident of the registry by name and registers them, with
    their consent."""
    need(request)
    manage = has_perm(request.user, P.MANAGE)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有登记求职者的权限")
        from grid.selectors import residents_in_scope

        resident = get_in_scope_or_404(residents_in_scope(request.user), pk=request.POST.get("resident") or 0)
        try:
            services.seeker_register(actor=request.user, resident=resident, consent=request.POST.get("consent") == "1",
                                     skills=request.POST.get("skills", ""), wanted=request.POST.get("wanted", ""))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已登记求职：{resident.name}")
        return redirect("services:seekers")
    qs = selectors.seekers(request.user)
    state = request.GET.get("state", "")
    if state in SeekerState.values:
        qs = qs.filter(state=state)
    q = request.GET.get("q", "").strip()[:20]
    found = []
    if manage and q:
        from grid.selectors import residents_in_scope

        found = list(residents_in_scope(request.user).filter(status="active", name__startswith=q,
                                                             job_seeker__isnull=True).order_by("name")[:20])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "services/seekers.html", {"page": page, "states": SeekerState.choices, "state": state,
                                                     "q": q, "found": found, "manage": manage})


@login_required
def training_new(request):
    need(request, P.MANAGE, what="登记技能培训")
    form = TrainingForm(request.POST or None, communities=manage_communities(request),
                        initial={"held_on": services.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        seekers = selectors.seekers(request.user, P.MANAGE).filter(
            pk__in=[int(x) for x in request.POST.getlist("seekers") if x.isdigit()])
        try:
            services.training_record(actor=request.user, seekers=seekers, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记培训：{d['title']}")
            return redirect("services:jobs")
    return form_page(request, form, "登记技能培训", "services:jobs")


@login_required
def job_stats(request):
    need(request)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else services.today().year
    placed = selectors.placements(request.user).filter(state=Placement.State.PLACED, placed_on__year=year)
    by_month = dict(placed.values_list("placed_on__month").annotate(n=Count("id")))
    rows = []
    for c in selectors.communities(request.user):
        rows.append({
            "community": c,
            "jobs": selectors.jobs(request.user).filter(region=c, posted_on__year=year).count(),
            "openings": selectors.jobs(request.user).filter(region=c, posted_on__year=year)
            .aggregate(s=Sum("openings"))["s"] or 0,
            "seekers": selectors.seekers(request.user).filter(region=c).count(),
            "placed": placed.filter(job__region=c).count(),
            "trainings": selectors.trainings(request.user).filter(region=c, held_on__year=year).count(),
            "trained": selectors.trainings(request.user).filter(region=c, held_on__year=year)
            .aggregate(n=Count("seekers"))["n"] or 0,
        })
    totals = {k: sum(r[k] for r in rows) for k in ("jobs", "openings", "seekers", "placed", "trainings", "trained")}
    return render(request, "services/job_stats.html", {
        "year": year, "rows": rows, "totals": totals,
        "months": [(m, by_month.get(m, 0)) for m in range(1, 13)],
    })
