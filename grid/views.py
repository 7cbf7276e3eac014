from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm
from audit.downloads import serve_private
from audit.services import record_pii_view
from core.forms import add_errors
from core.masking import mask_id_number, mask_mobile
from core.treepaths import under
from regions.models import Region, RegionKind

from . import selectors, services
from .apps import GridPerm
from .crumbs import trail
from .forms import GridProfileForm, VisitForm
from .models import CARE_TAGS, Household, HouseholdStatus, Resident, ResidentKind, Visit, VisitPhoto


def _region_param(request) -> Region | None:
    raw = request.GET.get("region", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("区域参数不正确")
    return selectors.region_get(request.user, int(raw))


def _report_url(grid: Region, household: Household | None = None) -> str | None:
    """The demands app's street-report page, when it exists."""
    try:
        url = reverse("demands:street_report")
    except NoReverseMatch:
        return None
    return f"{url}?grid={grid.pk}" + (f"&household={household.pk}" if household else "")


# ---------------------------------------------------------------------------
# Grid list, profile, rules
# ---------------------------------------------------------------------------


@login_required
def grid_list(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    qs = selectors.visible_grids(request.user)
    if region is not None:
        qs = qs.filter(under("path", region.path, include_self=False)) \
            if region.kind != RegionKind.GRID else qs.filter(pk=region.pk)
    qs = qs.order_by("path")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = selectors.grid_rows(selectors.with_parents(list(page.object_list)))
    breaches = None
    if region is not None and region.kind == RegionKind.COMMUNITY:
        breaches = selectors.rule_breaches(selectors.with_parents(list(qs)))
    communities = selectors.with_parents(list(
        selectors.scoped(Region.objects.filter(kind=RegionKind.COMMUNITY), request.user).order_by("path")[:300]))
    return render(request, "grid/list.html", {
        "page": page, "rows": rows, "region": region, "breaches": breaches, "communities": communities,
        "rules": selectors.rules(), "crumbs": trail(request.user) if region is not None else [],
    })


@login_required
def grid_detail(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    grid = selectors.grid_get(request.user, pk)
    data = selectors.grid_profile_data(grid)
    hh = Household.objects.filter(grid=grid)
    not_visited = selectors.not_visited_this_month(hh).select_related("house").order_by(
        "-is_care", "last_visited_at", "id")[:20]
    care_overdue = selectors.care_overdue(hh, selectors.rule("care_visit_days")).select_related("house")[:20]
    return render(request, "grid/detail.html", {
        "grid": grid, **data, "not_visited": not_visited, "care_overdue": care_overdue,
        "care_days": selectors.rule("care_visit_days"),
        "can_edit": selectors.can_edit_grid(request.user, grid),
        "report_url": _report_url(grid) if has_perm_at(request.user, GridPerm.VISIT, grid.path) else None,
        "crumbs": trail(request.user, grid.parent),
    })


@login_required
def grid_edit(request, pk: int):
    require_perm(request.user, GridPerm.EDIT, what="访问网格治理")
    grid = selectors.grid_get(request.user, pk, GridPerm.EDIT)
    profile = selectors.profile_of(grid)
    initial = {
        "code": profile.code, "boundary": profile.boundary, "primary_worker": profile.primary_worker_id,
        "assistants": list(profile.assistants.values_list("pk", flat=True)) if profile.pk else [],
        "branch": profile.branch_id,
    }
    form = GridProfileForm(request.POST or None, grid=grid, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_profile_update(actor=request.user, grid=grid, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "网格档案已保存")
            return redirect("grid:detail", pk=grid.pk)
    return render(request, "grid/edit.html", {"grid": grid, "form": form, "crumbs": trail(request.user, grid)})


# ---------------------------------------------------------------------------
# Residents
# ---------------------------------------------------------------------------


@login_required
def resident_list(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    care = request.GET.get("care", "")
    qs = selectors.resident_search(request.user, q=q, kind=kind if kind in ResidentKind.values else "", care=care)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.id_masked = mask_id_number(r.id_number)
    return render(request, "grid/residents.html", {
        "page": page, "q": q, "kind": kind, "care": care, "kinds": ResidentKind.choices,
        "care_tags": [(k, label) for k, _, label in CARE_TAGS],
        "can_import": has_perm(request.user, GridPerm.EDIT),
    })


@login_required
def resident_detail(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    r = get_in_scope_or_404(Resident.objects.select_related("household__house__building", "grid__parent"),
                            request.user, GridPerm.VIEW, pk=pk)
    can_full = has_perm_at(request.user, Perm.PII_VIEW_FULL, r.grid.path)
    full = False
    if request.method == "POST":
        if not can_full:
            raise PermissionDenied("您没有查看完整个人信息的权限")
        purpose = request.POST.get("purpose", "").strip()
        if not purpose:
            messages.error(request, "查看完整信息须填写用途")
        else:
            record_pii_view(actor=request.user, obj=r, fields=["id_number", "phone"], purpose=purpose[:200])
            full = True
    return render(request, "grid/resident.html", {
        "r": r, "can_full": can_full, "full": full,
        "id_shown": r.id_number if full else mask_id_number(r.id_number),
        "phone_shown": r.phone if full else mask_mobile(r.phone),
        "household": r.household,
        "members": Resident.objects.filter(household=r.household).exclude(pk=r.pk),
        "can_people": has_perm_at(request.user, GridPerm.PEOPLE, r.grid.path),
        "crumbs": trail(request.user, r.household),
    })


@login_required
def expiring(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    try:
        days = max(1, min(365, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    page = Paginator(selectors.expiring_permits(request.user, days), 30).get_page(request.GET.get("page"))
    return render(request, "grid/expiring.html", {"page": page, "days": days, "today": timezone.localdate()})


# ---------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------


@login_required
def visit_stats(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    try:
        days = max(1, min(365, int(request.GET.get("days", selectors.rule("care_visit_days")))))
    except ValueError:
        days = selectors.rule("care_visit_days")
    hh = selectors.households_in_scope(request.user)
    grids = selectors.visible_grids(request.user)
    if region is not None:
        hh = hh.filter(under("grid__path", region.path))
        grids = grids.filter(under("path", region.path))
    show = request.GET.get("show", "month")
    listed = selectors.care_overdue(hh, days) if show == "care" else selectors.not_visited_this_month(hh)
    page = Paginator(listed.order_by("grid_id", "last_visited_at", "id"), 30).get_page(request.GET.get("page"))
    workers = selectors.worker_coverage(request.user, list(grids.order_by("path")[:500]))
    return render(request, "grid/visits.html", {
        "page": page, "show": show, "days": days, "region": region, "workers": workers,
        "month": selectors.month_start(),
    })


@login_required
def mobile(request):
    require_perm(request.user, GridPerm.VISIT, what="访问网格治理")
    grids = selectors.with_parents(list(selectors.grids_of_worker(request.user)[:200]))
    if not grids:
        return render(request, "grid/mobile.html", {"grid": None})
    raw = request.GET.get("grid", "")
    grid = next((g for g in grids if str(g.pk) == raw), None)
    if grid is None:
        own = set(selectors.GridProfile.objects.filter(region__in=grids, primary_worker=request.user)
                  .values_list("region_id", flat=True))
        grid = next((g for g in grids if g.pk in own), grids[0])
    q = request.GET.get("q", "").strip()[:50]
    hh = Household.objects.filter(grid=grid, status=HouseholdStatus.ACTIVE).select_related("house")
    if q:
        hh = hh.filter(head_name__contains=q) | hh.filter(house__address__contains=q)
    page = Paginator(hh.order_by("house__address", "id"), 20).get_page(request.GET.get("page"))
    stats = selectors.grid_stats(grid)
    return render(request, "grid/mobile.html", {
        "grid": grid, "grids": grids, "plan": selectors.today_plan(grid), "page": page, "q": q,
        "stats": stats, "report_url": _report_url(grid),
        "recent": Visit.objects.filter(grid=grid, worker=request.user).select_related("household__house")
        .order_by("-visited_at")[:5],
    })


@login_required
def visit_new(request):
    require_perm(request.user, GridPerm.VISIT, what="访问网格治理")
    raw = request.POST.get("household") or request.GET.get("household", "")
    if not str(raw).isdigit():
        raise Http404("请选择住户")
    household = get_in_scope_or_404(Household.objects.select_related("house__building", "grid"), request.user,
                                    GridPerm.VISIT, pk=int(raw))
    if household.status != HouseholdStatus.ACTIVE:   # like the other write pages of a moved-out household
        messages.error(request, services.moved_out_message(household, "不能再记录走访"))
        return redirect("grid:household", pk=household.pk)
    form = VisitForm(request.POST or None, initial={
        "household": household.pk, "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_log(actor=request.user, household=household, visited_at=d["visited_at"],
                               findings=d["findings"], photos=request.FILES.getlist("photos"),
                               lat=d.get("lat"), lng=d.get("lng"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已记录对 {household.house.address} 的走访")
            return redirect(f"{reverse('grid:mobile')}?grid={household.grid_id}")
    return render(request, "grid/visit_form.html", {
        "form": form, "household": household, "report_url": _report_url(household.grid, household),
        "members": Resident.objects.filter(household=household).order_by("id"),
        "last": Visit.objects.filter(household=household).order_by("-visited_at").first(),
        "crumbs": trail(request.user, household),
    })


@login_required
def household_detail(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    hh = get_in_scope_or_404(Household.objects.select_related("house__building", "grid"), request.user, GridPerm.VIEW,
                             pk=pk)
    members = list(Resident.objects.filter(household=hh).order_by("id"))
    for r in members:
        r.id_masked = mask_id_number(r.id_number)
    return render(request, "grid/household.html", {
        "hh": hh, "members": members,
        "visits": Visit.objects.filter(household=hh).select_related("worker").prefetch_related("photos")
        .order_by("-visited_at")[:20],
        "can_visit": has_perm_at(request.user, GridPerm.VISIT, hh.grid.path),
        "can_people": has_perm_at(request.user, GridPerm.PEOPLE, hh.grid.path),
        "leases": hh.house.leases.prefetch_related("tenants").order_by("-start_date", "-id"),
        "today": timezone.localdate(), "crumbs": trail(request.user, hh.house),
    })


@login_required
def photo(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    p = get_in_scope_or_404(VisitPhoto.objects.select_related("visit"), request.user, GridPerm.VIEW, pk=pk)
    return serve_private(request, p.image, obj=p.visit, label="走访照片")
