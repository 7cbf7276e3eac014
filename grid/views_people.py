"""Pages to keep places and people current by hand: a building's houses, a house (households, leases),
households, residents and rental leases. Reads need grid.view, writes grid.people, both inside the data scope
(outside it is 404); the writing is done by the services of grid/services/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm_at, require_perm, scope_filter
from core.forms import add_errors
from regions.models import Region, RegionKind

from . import services
from .apps import GridPerm
from .crumbs import trail
from .forms_people import (
    HouseForm,
    HouseholdEditForm,
    HouseholdForm,
    LeaseEndForm,
    LeaseForm,
    LeaveForm,
    MoveOutForm,
    ResidentForm,
    TransferForm,
)
from .models import (
    CARE_BIT,
    House,
    Household,
    HouseholdStatus,
    HouseUse,
    Relation,
    RentalLease,
    Resident,
    ResidentKind,
    ResidentStatus,
)


def _get(request, qs, perm: str, pk: int):
    require_perm(request.user, perm, what="维护网格房屋和人口信息" if perm == GridPerm.PEOPLE else "访问网格治理")
    return get_in_scope_or_404(qs, request.user, perm, pk=pk)


def _form_page(request, form, *, title: str, subject: str, under, back: str, submit: str = "保存",
               danger: bool = False, notes=(), script: str = "", another: bool = False,
               another_label: str = "保存并继续登记", template: str = "grid/people/form.html"):
    """A write page about `under` (the building, house, household or resident it changes: the trail ends there)."""
    return render(request, template, {
        "form": form, "title": title, "subject": subject, "back": back, "submit": submit, "danger": danger,
        "notes": notes, "script": script, "another": another, "another_label": another_label,
        "crumbs": trail(request.user, under),
    })


def _save(request, form, fn, **kwargs):
    """Call the service with the form's data; its ValidationError lands on the form. Returns the result or None."""
    try:
        return fn(actor=request.user, **kwargs)
    except ValidationError as exc:
        add_errors(form, exc)
        for name in form.errors:  # the service's verdict is marked on the field like the form's own
            if name in form.fields and "is-invalid" not in form.fields[name].widget.attrs.get("class", ""):
                form.fields[name].widget.attrs["class"] = form.fields[name].widget.attrs.get("class", "") + \
                    " is-invalid"
        return None


# ---------------------------------------------------------------------------
# Buildings and houses
# ---------------------------------------------------------------------------


@login_required
def building_detail(request, pk: int):
    building = _get(request, Region.objects.filter(kind=RegionKind.BUILDING).select_related("parent"),
                    GridPerm.VIEW, pk)
    active = Q(households__status=HouseholdStatus.ACTIVE)
    houses = (House.objects.filter(building=building)
              .annotate(n_households=Count("households", filter=active),
                        n_members=Count("households__residents",
                                        filter=active & Q(households__residents__status=ResidentStatus.ACTIVE)))
              .order_by("unit", "number", "id"))
    page = Paginator(houses, 100).get_page(request.GET.get("page"))
    grid = services.grid_of_building(building)
    return render(request, "grid/people/building.html", {
        "building": building, "grid": grid, "page": page, "crumbs": trail(request.user, building.parent),
        "can_people": has_perm_at(request.user, GridPerm.PEOPLE, building.path),
    })


@login_required
def house_new(request, building_pk: int):
    building = _get(request, Region.objects.filter(kind=RegionKind.BUILDING).select_related("parent"),
                    GridPerm.PEOPLE, building_pk)
    form = HouseForm(request.POST or None, initial={"use": HouseUse.SELF})
    if request.method == "POST" and form.is_valid():
        house = _save(request, form, services.house_create, building=building, **form.cleaned_data)
        if house is not None:
            messages.success(request, f"已登记房屋 {house.address}")
            return redirect("grid:house", pk=house.pk)
    return _form_page(request, form, title="登记房屋", subject=f"{building.parent.name}{building.name}",
                      under=building, back=reverse("grid:building", args=[building.pk]))


def _house_qs():
    return House.objects.select_related("building__parent", "grid__parent")


@login_required
def house_detail(request, pk: int):
    house = _get(request, _house_qs(), GridPerm.VIEW, pk)
    households = list(Household.objects.filter(house=house).order_by("status", "id").prefetch_related(
        Prefetch("residents", queryset=Resident.objects.order_by("id"))))
    leases = list(RentalLease.objects.filter(house=house).prefetch_related("tenants").order_by("-start_date", "-id"))
    return render(request, "grid/people/house.html", {
        "house": house, "households": households, "leases": leases, "today": timezone.localdate(),
        "crumbs": trail(request.user, house.building),
        "can_people": has_perm_at(request.user, GridPerm.PEOPLE, house.grid.path),
    })


@login_required
def house_edit(request, pk: int):
    house = _get(request, _house_qs(), GridPerm.PEOPLE, pk)
    form = HouseForm(request.POST or None, initial={"unit": house.unit, "number": house.number, "use": house.use,
                                                    "area": house.area})
    if request.method == "POST" and form.is_valid():
        if _save(request, form, services.house_update, house=house, **form.cleaned_data) is not None:
            messages.success(request, "房屋信息已保存")
            return redirect("grid:house", pk=house.pk)
    return _form_page(request, form, title="修改房屋", subject=house.address, under=house,
                      back=reverse("grid:house", args=[house.pk]))


# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


def _vacant_message(house: House) -> str:
    return f"房屋“{house.address}”登记为空置，请先把房屋用途改为自住、出租或商用，再登记住户"


@login_required
def household_new(request, house_pk: int):
    """登记住户: the household and its head on one page, written together by services.household_create; a
    household is never saved without its head. Other members follow on the household's page (登记成员)."""
    house = _get(request, _house_qs(), GridPerm.PEOPLE, house_pk)
    vacant = house.use == HouseUse.VACANT
    if vacant and request.method != "POST":
        messages.error(request, _vacant_message(house))
        return redirect("grid:house", pk=house.pk)
    form = HouseholdForm(request.POST or None, initial={"kind": ResidentKind.REGISTERED})
    if request.method == "POST":
        if vacant:   # the house became vacant after the page was opened: say so, keep what was typed
            form.is_valid()
            form.add_error(None, _vacant_message(house))
        elif form.is_valid():
            d = form.cleaned_data
            hh = _save(request, form, services.household_create, house=house, head_name=d["head_name"],
                       number=d["number"], head=form.head_data())
            if hh is not None:
                messages.success(request, f"已登记住户（户主 {hh.head_name}）" +
                                 ("，请继续登记其他成员" if "another" in request.POST else ""))
                if "another" in request.POST:
                    return redirect("grid:resident_new", household_pk=hh.pk)
                return redirect("grid:household", pk=hh.pk)
    notes = ["住户与户主一并登记：请填写户主本人的信息，保存时同时登记住户和户主；"
             "家庭其他成员在保存后“登记成员”。"]
    return _form_page(request, form, title="登记住户", subject=house.address, under=house,
                      back=reverse("grid:house", args=[house.pk]), notes=notes, script=_FLOATING_SCRIPT,
                      another=True, another_label="保存并登记其他成员", template="grid/people/household_new.html")


def _household_qs():
    return Household.objects.select_related("house__building", "grid")


def _active_household(request, pk: int):
    """The household for a write page, or a redirect to its page when it has moved out."""
    hh = _get(request, _household_qs(), GridPerm.PEOPLE, pk)
    if hh.status != HouseholdStatus.ACTIVE:
        messages.error(request, f"该户已于 {hh.moved_out_on:%Y-%m-%d} 迁出，记录仅供查阅")
        return hh, redirect("grid:household", pk=hh.pk)
    return hh, None


@login_required
def household_edit(request, pk: int):
    hh, gone = _active_household(request, pk)
    if gone:
        return gone
    head = Resident.objects.filter(household=hh, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).first()
    form = HouseholdEditForm(request.POST or None, household=hh, initial={
        "head": head.pk if head else None, "head_name": hh.head_name, "number": hh.number})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = _save(request, form, services.household_update, household=hh, head=d["head"],
                      head_name=d["head_name"], number=d["number"])
        if saved is not None:
            msg = "住户信息已保存"
            if saved.demoted_heads:
                msg += f"；原户主 {'、'.join(saved.demoted_heads)} 的与户主关系已改为“其他”，请按实际修改"
            messages.success(request, msg)
            return redirect("grid:household", pk=hh.pk)
    return _form_page(request, form, title="修改住户", subject=f"{hh.house.address}（户主 {hh.head_name}）",
                      under=hh, back=reverse("grid:household", args=[hh.pk]))


@login_required
def household_move_out(request, pk: int):
    hh, gone = _active_household(request, pk)
    if gone:
        return gone
    members = list(Resident.objects.filter(household=hh, status=ResidentStatus.ACTIVE).order_by("id"))
    form = MoveOutForm(request.POST or None, initial={"moved_out_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _save(request, form, services.household_move_out, household=hh, moved_out_on=d["moved_out_on"],
                 reason=d["reason"]) is not None:
            messages.success(request, f"{hh.house.address}（户主 {hh.head_name}）已办理整户迁出，记录保留")
            if hh.house.use == HouseUse.RENTAL and RentalLease.objects.filter(
                    house=hh.house, ended_on__isnull=True, end_date__gte=timezone.localdate()).exists():
                messages.warning(request, "该房屋还有未终止的租约，如租户已搬离，请办理退租")
            return redirect("grid:house", pk=hh.house_id)
    notes = ["整户迁出后，该户和下列在住成员都标记为“已迁出”，不再计入网格人口和走访计划；记录保留，可在房屋页查看。",
             "在住成员：" + ("、".join(m.name for m in members) if members else "无")]
    return _form_page(request, form, title="整户迁出", subject=f"{hh.house.address}（户主 {hh.head_name}）",
                      under=hh, back=reverse("grid:household", args=[hh.pk]), submit="确认迁出", danger=True,
                      notes=notes)


# ---------------------------------------------------------------------------
# Residents
# ---------------------------------------------------------------------------

_FLOATING_SCRIPT = "floating"  # the form page shows the arrival/permit fields only for floating residents


def _resident_kwargs(d: dict) -> dict:
    return {k: d[k] for k in ("name", "kind", "relation", "care_tags", "arrival_date", "permit_expiry",
                              "joined_on")}


@login_required
def resident_new(request, household_pk: int):
    hh, gone = _active_household(request, household_pk)
    if gone:
        return gone
    members = Resident.objects.filter(household=hh, status=ResidentStatus.ACTIVE)
    has_head = members.filter(relation=Relation.HEAD).exists()
    initial = {"kind": "registered"}
    if not has_head:
        initial["relation"] = Relation.HEAD
        if not members.exists():
            initial["name"] = hh.head_name
    form = ResidentForm(request.POST or None, initial=initial, need_relation=has_head)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        r = _save(request, form, services.resident_create, household=hh, id_number=d["id_number"], phone=d["phone"],
                  **_resident_kwargs(d))
        if r is not None:
            messages.success(request, f"已登记居民 {r.name}")
            if "another" in request.POST:
                return redirect("grid:resident_new", household_pk=hh.pk)
            return redirect("grid:household", pk=hh.pk)
    return _form_page(request, form, title="登记居民", subject=f"{hh.house.address}（户主 {hh.head_name}）",
                      under=hh, back=reverse("grid:household", args=[hh.pk]), script=_FLOATING_SCRIPT,
                      another=True)


def _resident_qs():
    return Resident.objects.select_related("household__house__building", "grid")


def _active_resident(request, pk: int):
    """The resident for a write page, or a redirect to their page when they moved out or died (read-only)."""
    r = _get(request, _resident_qs(), GridPerm.PEOPLE, pk)
    if r.status != ResidentStatus.ACTIVE:
        messages.error(request, f"{r.name}{r.get_status_display()}，记录仅供查阅")
        return r, redirect("grid:resident", pk=r.pk)
    return r, None


@login_required
def resident_edit(request, pk: int):
    r, gone = _active_resident(request, pk)
    if gone:
        return gone
    form = ResidentForm(request.POST or None, resident=r, initial={
        "name": r.name, "kind": r.kind, "relation": r.relation, "arrival_date": r.arrival_date,
        "permit_expiry": r.permit_expiry, "joined_on": r.joined_date,
        "care_tags": [key for key, bit in CARE_BIT.items() if r.care_flags & bit],
    })
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = _save(request, form, services.resident_update, resident=r, id_number=d["id_number"] or None,
                      phone=d["phone"], **_resident_kwargs(d))   # phone: None keeps, "" clears (the form decides)
        if saved is not None:
            messages.success(request, f"{saved.name}的信息已保存")
            return redirect("grid:resident", pk=r.pk)
    return _form_page(request, form, title="修改居民信息", subject=f"{r.name} · {r.household.house.address}",
                      under=r, back=reverse("grid:resident", args=[r.pk]), script=_FLOATING_SCRIPT)


@login_required
def resident_leave(request, pk: int):
    r, gone = _active_resident(request, pk)
    if gone:
        return gone
    form = LeaveForm(request.POST or None, initial={"status": ResidentStatus.MOVED_OUT,
                                                    "left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = _save(request, form, services.resident_leave, resident=r, status=d["status"], left_on=d["left_on"],
                      note=d["note"])
        if saved is not None:
            messages.success(request, f"{saved.name}已登记为“{saved.get_status_display()}”，记录保留")
            left = Resident.objects.filter(household_id=r.household_id, status=ResidentStatus.ACTIVE)
            if not left.exists():
                messages.warning(request, "该户已无在住成员，如已整户搬离，请办理整户迁出")
            elif r.relation == Relation.HEAD:
                messages.warning(request, "该居民原为户主，请在“修改住户”中指定新的户主")
            return redirect("grid:household", pk=r.household_id)
    notes = ["迁出或死亡的居民不删除：记录保留并注明日期，不再计入网格人口、关爱对象和居住证到期提醒。"]
    return _form_page(request, form, title="迁出或死亡登记", subject=f"{r.name} · {r.household.house.address}",
                      under=r, back=reverse("grid:resident", args=[r.pk]), submit="确认登记", danger=True, notes=notes)


@login_required
@require_POST
def resident_restore(request, pk: int):
    r = _get(request, _resident_qs(), GridPerm.PEOPLE, pk)
    try:
        r = services.resident_restore(actor=request.user, resident=r)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{r.name}已恢复为在住" + ("；原为户主，现本户已有户主，关系改为“其他”"
                                                            if r.relation == Relation.OTHER else ""))
    return redirect("grid:resident", pk=r.pk)


TRANSFER_MATCHES = 20  # households listed by the transfer page's lookup


def _transfer_matches(request, r: Resident, q: str, selected: str = "") -> tuple[list[Household], bool]:
    """Up to TRANSFER_MATCHES active households in the user's grid.people scope whose address or head name
    contains every word of `q` (the resident's own household left out), the selected one kept in the list."""
    qs = (scope_filter(Household.objects.filter(status=HouseholdStatus.ACTIVE), request.user, GridPerm.PEOPLE)
          .exclude(pk=r.household_id).select_related("house", "grid__parent"))
    found: list[Household] = []
    if q:
        matching = qs
        for word in q.split():
            matching = matching.filter(Q(house__address__icontains=word) | Q(head_name__icontains=word))
        found = list(matching.order_by("house__address", "id")[:TRANSFER_MATCHES + 1])
    more = len(found) > TRANSFER_MATCHES
    found = found[:TRANSFER_MATCHES]
    if selected.isdigit() and all(str(h.pk) != selected for h in found):
        chosen = qs.filter(pk=int(selected)).first()
        if chosen is not None:
            found.insert(0, chosen)
    return found, more


@login_required
def resident_transfer(request, pk: int):
    """居民迁入他户: pick the target household by address or head name, then relation, date and note."""
    r, gone = _active_resident(request, pk)
    if gone:
        return gone
    households = scope_filter(Household.objects.select_related("house", "grid"), request.user, GridPerm.PEOPLE)
    if request.method == "GET" and request.headers.get("HX-Request"):   # the lookup, as the user types
        q = " ".join(request.GET.get("q", "").split())[:50]
        matches, more = _transfer_matches(request, r, q)
        return render(request, "grid/people/_transfer_choices.html", {
            "matches": matches, "more": more, "q": q, "selected": "", "limit": TRANSFER_MATCHES})
    searching = request.method == "POST" and "search" in request.POST   # the 查找 button, without JavaScript
    if request.method == "POST" and not searching:
        form = TransferForm(request.POST, households=households)
    else:
        src = request.POST if searching else request.GET
        form = TransferForm(households=households, initial={
            "q": src.get("q", ""), "household": src.get("household", ""), "relation": src.get("relation", ""),
            "moved_on": src.get("moved_on") or timezone.localdate(), "note": src.get("note", "")})
    if request.method == "POST" and not searching and form.is_valid():
        d = form.cleaned_data
        saved = _save(request, form, services.resident_transfer, resident=r, household=d["household"],
                      relation=d["relation"], moved_on=d["moved_on"], note=d["note"])
        if saved is not None:
            new = d["household"]
            messages.success(request, f"{saved.name}已迁入 {new.house.address}（户主 {new.head_name}）")
            old = saved.old_household
            if not old.members:
                messages.warning(request, f"原住户 {old.house.address} 已无在住成员，如已整户搬离，请办理整户迁出")
            elif saved.was_head:
                messages.warning(request, f"{saved.name}原为 {old.house.address} 的户主，"
                                          "请在该户“修改住户”中指定新的户主")
            return redirect("grid:resident", pk=r.pk)
    q = " ".join(str(form["q"].value() or "").split())[:50]
    selected = str(form["household"].value() or "")
    matches, more = _transfer_matches(request, r, q, selected)
    notes = ["迁入他户后，居民记录（含身份证号、关爱标签）保留不变，住址、所属网格和与户主关系改为新户；"
             "原户和新户的人数、关爱对象标记随之更新。"]
    if r.relation == Relation.HEAD and r.household.head_name == r.name:
        notes.append(f"{r.name}是现住户的户主：迁出后原户的户主姓名不变，请在原户“修改住户”中指定新的户主。")
    return render(request, "grid/people/transfer.html", {
        "form": form, "r": r, "matches": matches, "more": more, "q": q, "selected": selected,
        "limit": TRANSFER_MATCHES, "notes": notes, "title": "迁入他户",
        "subject": f"{r.name} · 现住 {r.household.house.address}（户主 {r.household.head_name}）",
        "back": reverse("grid:resident", args=[r.pk]), "crumbs": trail(request.user, r),
    })


# ---------------------------------------------------------------------------
# Rental leases
# ---------------------------------------------------------------------------


def _lease_kwargs(d: dict) -> dict:
    return {k: d[k] for k in ("landlord_name", "tenants", "start_date", "end_date")}


@login_required
def lease_new(request, house_pk: int):
    house = _get(request, _house_qs(), GridPerm.PEOPLE, house_pk)
    if house.use != HouseUse.RENTAL:
        messages.error(request, f"该房屋用途为{house.get_use_display()}，只有出租房屋可以登记租约；请先修改房屋用途")
        return redirect("grid:house", pk=house.pk)
    form = LeaseForm(request.POST or None, house=house)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lease = _save(request, form, services.lease_create, house=house, landlord_phone=d["landlord_phone"],
                      **_lease_kwargs(d))
        if lease is not None:
            messages.success(request, f"已登记租约（房东 {lease.landlord_name}）")
            return redirect("grid:house", pk=house.pk)
    return _form_page(request, form, title="登记租约", subject=house.address, under=house,
                      back=reverse("grid:house", args=[house.pk]))


def _open_lease(request, pk: int):
    lease = _get(request, RentalLease.objects.select_related("house__building__parent", "grid"), GridPerm.PEOPLE, pk)
    if lease.ended_on is not None:
        messages.error(request, f"该租约已于 {lease.ended_on:%Y-%m-%d} 退租，记录仅供查阅")
        return lease, redirect("grid:house", pk=lease.house_id)
    return lease, None


@login_required
def lease_edit(request, pk: int):
    lease, gone = _open_lease(request, pk)
    if gone:
        return gone
    form = LeaseForm(request.POST or None, house=lease.house, lease=lease, initial={
        "landlord_name": lease.landlord_name, "tenants": list(lease.tenants.values_list("pk", flat=True)),
        "start_date": lease.start_date, "end_date": lease.end_date})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _save(request, form, services.lease_update, lease=lease, landlord_phone=d["landlord_phone"],
                 **_lease_kwargs(d)) is not None:   # landlord_phone: None keeps, "" clears (the form decides)
            messages.success(request, "租约已保存")
            return redirect("grid:house", pk=lease.house_id)
    return _form_page(request, form, title="修改租约", subject=lease.house.address, under=lease.house,
                      back=reverse("grid:house", args=[lease.house_id]))


@login_required
def lease_end(request, pk: int):
    lease, gone = _open_lease(request, pk)
    if gone:
        return gone
    today = timezone.localdate()
    form = LeaseEndForm(request.POST or None, initial={"ended_on": min(today, lease.end_date)})
    if request.method == "POST" and form.is_valid():
        if _save(request, form, services.lease_end, lease=lease, ended_on=form.cleaned_data["ended_on"]) is not None:
            messages.success(request, f"已办理退租（房东 {lease.landlord_name}）")
            return redirect("grid:house", pk=lease.house_id)
    notes = [format_html('租约：房东 {}，<span class="text-nowrap">{}</span> 至 <span class="text-nowrap">{}</span>。'
                         "退租后租约记录保留，房屋可登记新的租约。",   # a date never broken across lines
                         lease.landlord_name, f"{lease.start_date:%Y-%m-%d}", f"{lease.end_date:%Y-%m-%d}")]
    return _form_page(request, form, title="办理退租", subject=lease.house.address, under=lease.house,
                      back=reverse("grid:house", args=[lease.house_id]), submit="确认退租", danger=True, notes=notes)
