"""Pages for things and organizations of a grid: facilities (with their state), units (shops, firms,
social organizations) and liaisons. Reads are scoped by grid.view; facility and unit writes by
grid.edit or grid.visit (selectors.things_writable); liaison writes by grid.edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, require_perm
from audit.models import AuditAction
from core import treepaths as paths
from core.forms import add_errors
from core.masking import mask_mobile
from regions.models import Region, RegionKind

from . import selectors, services
from .apps import GridPerm
from .crumbs import Crumb, list_url, trail
from .forms_things import FacilityForm, FacilityStateForm, LiaisonForm, UnitForm
from .models import Facility, FacilityKind, FacilityState, GridLiaison, GridUnit, UnitKind
from .views import _region_param

MAX_GRID_CHOICES = 300


def _communities(request) -> list[Region]:
    return selectors.with_parents(list(
        selectors.scoped(Region.objects.filter(kind=RegionKind.COMMUNITY), request.user).order_by("path")[:300]))


def _with_grid_parents(objs) -> None:
    selectors.with_parents([o.grid for o in objs])


def _grid_choices(request, region: Region | None):
    qs = selectors.writable_grids(request.user)
    if region is not None:
        qs = qs.filter(paths.under("path", region.path))
    return qs.select_related("parent").order_by("path")


FACILITIES = "设施"   # the lists' names: their tab and heading, and their step in a trail
UNITS = "商户、企业与社会组织"


def _grid_param(request) -> int | None:
    raw = request.GET.get("grid", "")
    return int(raw) if raw.isdigit() else None


def _writable_ids(request, objs) -> set[int]:
    grids = {o.grid_id: o.grid for o in objs}
    return {gid for gid, g in grids.items() if selectors.can_write_things(request.user, g)}


def _picker(request) -> dict:
    """The point picker draws the grid over the tiles only when they are WGS-84 (the stored system)."""
    tiles = selectors.tile_config()
    return {"picker_tiles": tiles if tiles["url"] and tiles["crs"] == "wgs84" else None,
            "geojson_url": reverse("grid:geojson")}


# ---------------------------------------------------------------------------
# Facilities
# ---------------------------------------------------------------------------


@login_required
def facility_list(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    qs = selectors.facility_list(request.user, region=region, kind=kind, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _with_grid_parents(page.object_list)
    counts = dict(selectors.facility_list(request.user, region=region, kind=kind).values_list("state")
                  .annotate(n=Count("id")).order_by())
    return render(request, "grid/things/facility_list.html", {
        "page": page, "region": region, "kind": kind, "state": state, "communities": _communities(request),
        "kinds": FacilityKind.choices, "states": FacilityState.choices, "broken": selectors.BROKEN,
        "counts": {"total": sum(counts.values()), "broken": sum(n for s, n in counts.items() if s != "normal")},
        "writable": _writable_ids(request, page.object_list),
        "can_add": any(has_perm(request.user, p) for p in selectors.THINGS_WRITE_PERMS),
        "tab": "facilities", "heading": FACILITIES, "crumbs": trail(request.user, region),
    })


@login_required
def facility_broken(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    qs = selectors.facility_list(request.user, region=region, state=selectors.BROKEN)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _with_grid_parents(page.object_list)
    notes = selectors.facility_state_notes([f.pk for f in page.object_list])
    for f in page.object_list:
        f.last_change = notes.get(f.pk)
        f.last_note = ((f.last_change.changes or {}).get("note") or [None, ""])[1] if f.last_change else ""
    return render(request, "grid/things/facility_broken.html", {
        "page": page, "region": region, "communities": _communities(request),
        "writable": _writable_ids(request, page.object_list), "tab": "broken", "heading": "故障与停用设施",
        "crumbs": trail(request.user, region),
    })


@login_required
def facility_new(request):
    require_perm(request.user, *selectors.THINGS_WRITE_PERMS, what="登记设施与单位")
    region = _region_param(request)
    grids = _grid_choices(request, region)
    if region is None and grids.count() > MAX_GRID_CHOICES:
        return render(request, "grid/things/choose_region.html", {
            "communities": _communities(request), "what": "登记设施", "url": reverse("grid:facility_new")})
    form = FacilityForm(request.POST or None, grids=grids, initial={"grid": _grid_param(request)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            f = services.facility_create(actor=request.user, grid=d["grid"], kind=d["kind"], name=d["name"],
                                         lat=d["lat"], lng=d["lng"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记设施“{f.name}”")
            return redirect("grid:facility", pk=f.pk)
    return render(request, "grid/things/facility_form.html", {
        "form": form, "region": region, "facility": None, **_picker(request),
        "crumbs": trail(request.user, region, tail=[Crumb(FACILITIES, list_url("grid:facilities", region))])})


def _facility_writable(request, pk: int) -> Facility:
    require_perm(request.user, *selectors.THINGS_WRITE_PERMS, what="登记设施与单位")
    try:
        return selectors.things_writable(Facility.objects.select_related("grid__parent"), request.user).get(pk=pk)
    except Facility.DoesNotExist:
        raise Http404("不存在或不在您的管辖范围内") from None


def _facility_page(request, f: Facility, state_form: FacilityStateForm | None = None, status: int = 200):
    can_write = selectors.can_write_things(request.user, f.grid)
    history = selectors.facility_history(f)
    labels = {fl.name: str(fl.verbose_name) for fl in Facility._meta.fields}
    for e in history:
        changes = e.changes or {}
        e.note = (changes.get("note") or [None, ""])[1]
        e.state_change = None
        if e.action == AuditAction.TRANSITION and changes.get("state"):
            e.state_change = [FacilityState(s).label if s in FacilityState.values else s for s in changes["state"]]
        elif e.action == AuditAction.UPDATE:
            e.summary = "修改了" + "、".join(labels.get(k, k) for k in changes)
    if can_write and state_form is None:
        state_form = FacilityStateForm(initial={
            "state": FacilityState.FAULT if f.state == FacilityState.NORMAL else FacilityState.NORMAL})
    return render(request, "grid/things/facility_detail.html", {
        "f": f, "can_write": can_write, "state_form": state_form if can_write else None, "history": history,
        "crumbs": trail(request.user, f.grid, tail=[Crumb(FACILITIES, list_url("grid:facilities", f.grid))]),
        **_picker(request),
    }, status=status)


@login_required
def facility_detail(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    f = get_in_scope_or_404(Facility.objects.select_related("grid__parent"), request.user, GridPerm.VIEW, pk=pk)
    return _facility_page(request, f)


@login_required
def facility_edit(request, pk: int):
    f = _facility_writable(request, pk)
    grids = _grid_choices(request, f.grid.parent)
    form = FacilityForm(request.POST or None, grids=grids, initial={
        "grid": f.grid_id, "kind": f.kind, "name": f.name, "lat": f.lat, "lng": f.lng})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.facility_update(actor=request.user, facility=f, grid=d["grid"], kind=d["kind"], name=d["name"],
                                     lat=d["lat"], lng=d["lng"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "设施信息已保存")
            return redirect("grid:facility", pk=f.pk)
    return render(request, "grid/things/facility_form.html", {
        "form": form, "region": f.grid.parent, "facility": f, **_picker(request),
        "crumbs": trail(request.user, f.grid, tail=[Crumb(FACILITIES, list_url("grid:facilities", f.grid)),
                                                   Crumb(f.name, reverse("grid:facility", args=[f.pk]))])})


@login_required
@require_POST
def facility_state(request, pk: int):
    f = _facility_writable(request, pk)
    form = FacilityStateForm(request.POST)
    if form.is_valid():
        try:
            services.facility_set_state(actor=request.user, facility=f, state=form.cleaned_data["state"],
                                        note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            f.refresh_from_db()
            messages.success(request, f"“{f.name}”已标记为{f.get_state_display()}")
            return redirect("grid:facility", pk=f.pk)
    return _facility_page(request, f, state_form=form, status=400)


# ---------------------------------------------------------------------------
# Units (shops, firms, social organizations)
# ---------------------------------------------------------------------------


@login_required
def unit_list(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    kind = request.GET.get("kind", "")
    party = request.GET.get("party", "")
    qs = selectors.unit_list(request.user, region=region, kind=kind, party=party)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _with_grid_parents(page.object_list)
    for u in page.object_list:
        u.phone_masked = mask_mobile(u.contact_phone)
    agg = selectors.unit_list(request.user, region=region, kind=kind).aggregate(
        total=Count("id"), covered=Count("id", filter=Q(has_party_org=True)))
    return render(request, "grid/things/unit_list.html", {
        "page": page, "region": region, "kind": kind, "party": party, "communities": _communities(request),
        "kinds": UnitKind.choices, "agg": agg, "writable": _writable_ids(request, page.object_list),
        "can_add": any(has_perm(request.user, p) for p in selectors.THINGS_WRITE_PERMS), "tab": "units",
        "heading": UNITS, "crumbs": trail(request.user, region),
    })


def _unit_kwargs(d: dict, *, editing: bool) -> dict:
    phone = d.get("contact_phone", "")
    if editing:
        phone = "" if d.get("clear_phone") else (phone or None)  # blank keeps the stored number
    return {"grid": d["grid"], "kind": d["kind"], "name": d["name"], "address": d["address"],
            "contact_name": d["contact_name"], "contact_phone": phone, "has_party_org": d["has_party_org"],
            "party_org": d["party_org"]}


def _communities_of(grids) -> list[Region]:
    ids = {g.parent_id for g in grids[: MAX_GRID_CHOICES + 1] if g.parent_id}
    return list(Region.objects.filter(pk__in=ids))


@login_required
def unit_new(request):
    require_perm(request.user, *selectors.THINGS_WRITE_PERMS, what="登记设施与单位")
    region = _region_param(request)
    grids = _grid_choices(request, region)
    if region is None and grids.count() > MAX_GRID_CHOICES:
        return render(request, "grid/things/choose_region.html", {
            "communities": _communities(request), "what": "登记单位", "url": reverse("grid:unit_new")})
    form = UnitForm(request.POST or None, grids=grids, communities=_communities_of(grids),
                    initial={"grid": _grid_param(request)})
    if request.method == "POST" and form.is_valid():
        try:
            u = services.unit_create(actor=request.user, **_unit_kwargs(form.cleaned_data, editing=False))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记单位“{u.name}”")
            return redirect(f"{reverse('grid:units')}?region={u.grid_id}")
    return render(request, "grid/things/unit_form.html", {
        "form": form, "region": region, "unit": None,
        "crumbs": trail(request.user, region, tail=[Crumb(UNITS, list_url("grid:units", region))])})


@login_required
def unit_edit(request, pk: int):
    require_perm(request.user, *selectors.THINGS_WRITE_PERMS, what="登记设施与单位")
    try:
        u = selectors.things_writable(GridUnit.objects.select_related("grid__parent", "party_org"),
                                      request.user).get(pk=pk)
    except GridUnit.DoesNotExist:
        raise Http404("不存在或不在您的管辖范围内") from None
    grids = _grid_choices(request, u.grid.parent)
    form = UnitForm(request.POST or None, grids=grids, communities=[u.grid.parent],
                    masked_phone=mask_mobile(u.contact_phone), initial={
                        "grid": u.grid_id, "kind": u.kind, "name": u.name, "address": u.address,
                        "contact_name": u.contact_name, "has_party_org": u.has_party_org,
                        "party_org": u.party_org_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=u, **_unit_kwargs(form.cleaned_data, editing=True))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"单位“{form.cleaned_data['name']}”已保存")
            return redirect(f"{reverse('grid:units')}?region={form.cleaned_data['grid'].pk}")
    return render(request, "grid/things/unit_form.html", {
        "form": form, "region": u.grid.parent, "unit": u,
        "crumbs": trail(request.user, u.grid, tail=[Crumb(UNITS, list_url("grid:units", u.grid))])})


# ---------------------------------------------------------------------------
# Liaisons
# ---------------------------------------------------------------------------


@login_required
def liaisons(request, pk: int):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    grid = selectors.grid_get(request.user, pk)
    can_edit = selectors.can_edit_grid(request.user, grid)
    form = LiaisonForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有设置本网格联络员的权限")
        if form.is_valid():
            try:
                services.liaison_add(actor=request.user, grid=grid, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已添加联络员“{form.cleaned_data['name']}”")
                return redirect("grid:liaisons", pk=grid.pk)
    return render(request, "grid/things/liaisons.html", {
        "grid": grid, "liaisons": GridLiaison.objects.filter(grid=grid).order_by("id"), "form": form,
        "can_edit": can_edit, "rule": selectors.liaison_rule(grid),
        "crumbs": trail(request.user, grid),
    }, status=400 if form is not None and form.errors else 200)


def _liaison_editable(request, pk: int) -> GridLiaison:
    require_perm(request.user, GridPerm.EDIT, what="访问网格治理")
    return get_in_scope_or_404(GridLiaison.objects.select_related("grid__parent"), request.user, GridPerm.EDIT, pk=pk)


@login_required
def liaison_edit(request, pk: int):
    liaison = _liaison_editable(request, pk)
    form = LiaisonForm(request.POST or None, initial={"name": liaison.name, "duty": liaison.duty})
    if request.method == "POST" and form.is_valid():
        try:
            services.liaison_update(actor=request.user, liaison=liaison, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "联络员信息已保存")
            return redirect("grid:liaisons", pk=liaison.grid_id)
    return render(request, "grid/things/liaison_form.html", {
        "form": form, "liaison": liaison,
        "crumbs": trail(request.user, liaison.grid, tail=[Crumb("联络员", reverse("grid:liaisons",
                                                                                   args=[liaison.grid_id]))])})


@login_required
@require_POST
def liaison_remove(request, pk: int):
    liaison = _liaison_editable(request, pk)
    grid_id, name = liaison.grid_id, liaison.name
    services.liaison_remove(actor=request.user, liaison=liaison)
    messages.success(request, f"已移除联络员“{name}”")
    return redirect("grid:liaisons", pk=grid_id)
